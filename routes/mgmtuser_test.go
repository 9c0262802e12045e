package routes_test

import (
	"net/http"
	"slices"
	"testing"

	"github.com/fakealianza/fakealianza/fatest"
)

// A management user created through the API logs in, holds the
// permissions of its security group, and its tokens die with it.
func TestManagementUserFromTheAPI(t *testing.T) {
	srv := fatest.New(t)
	admin := srv.Admin(t)
	p := "/v2/partition/" + fatest.AlphaPartition
	auth := func(tok string) string { return "X-AUTH-TOKEN: " + tok }

	// A security group that may read accounts and nothing more.
	g := srv.Call(t, http.MethodPost, p+"/security", map[string]any{
		"name": "Readers", "userType": "ManagementUser",
		"permissions": []map[string]any{{"type": "Account", "accessType": "READ"}},
	}, auth(admin))
	if g.Status/100 != 2 {
		t.Fatalf("create group: %d %s", g.Status, g.Body)
	}
	gid, _ := g.Map(t)["id"].(string)

	cases := []struct {
		name, password string
		mustChange     bool
	}{
		{"given password", "Secret123x", false},
		{"no password", "", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			username := "api-" + map[bool]string{true: "nopw", false: "pw"}[c.password == ""] + "@example.com"
			body := map[string]any{"username": username, "firstName": "Api", "groupIds": []string{gid}}
			if c.password != "" {
				body["password"] = c.password
			}
			r := srv.Call(t, http.MethodPost, p+"/managementuser", body, auth(admin))
			if r.Status != http.StatusOK {
				t.Fatalf("create: %d %s", r.Status, r.Body)
			}
			u := r.Map(t)
			id, _ := u["id"].(string)
			if len(id) != 22 || u["mustChangePassword"] != c.mustChange || u["password"] != nil {
				t.Fatalf("created %v", u)
			}
			password := c.password
			if password == "" {
				password = fatest.Password // the documented default of a user created without one
			}
			tok := srv.Login(t, username, password)
			info := srv.Call(t, http.MethodGet, "/v2/authorize/userinfo", nil, auth(tok)).Map(t)
			perms, _ := info["permissions"].(map[string]any)
			if perms["Account"] != "READ" || len(perms) != 1 || info["mustChangePassword"] != c.mustChange {
				t.Fatalf("userinfo: %v", info)
			}
			if r := srv.Call(t, http.MethodGet, p+"/account", nil, auth(tok)); r.Status != http.StatusOK {
				t.Fatalf("read accounts with READ: %d %s", r.Status, r.Body)
			}
			if r := srv.Call(t, http.MethodPost, p+"/account", map[string]any{"accountName": "X", "accountType": "ADVANCED"}, auth(tok)); r.Status != http.StatusForbidden {
				t.Fatalf("create an account with READ: %d %s", r.Status, r.Body)
			}
			if r := srv.Call(t, http.MethodGet, p+"/managementuser/"+id, nil, auth(admin)); r.Status != http.StatusOK || r.Map(t)["username"] != username {
				t.Fatalf("read: %d %s", r.Status, r.Body)
			}
			if r := srv.Call(t, http.MethodDelete, p+"/managementuser/"+id, nil, auth(admin)); r.Status != http.StatusOK {
				t.Fatalf("delete: %d %s", r.Status, r.Body)
			}
			if r := srv.Call(t, http.MethodGet, p+"/account", nil, auth(tok)); r.Status != http.StatusUnauthorized {
				t.Fatalf("a deleted user's token: %d %s", r.Status, r.Body)
			}
			if r := srv.Call(t, http.MethodGet, p+"/managementuser/"+id, nil, auth(admin)); r.Status != http.StatusNotFound {
				t.Fatalf("read after delete: %d %s", r.Status, r.Body)
			}
			if r := srv.Call(t, http.MethodPost, "/v2/authorize", map[string]string{"username": username, "password": password}); r.Status != http.StatusBadRequest {
				t.Fatalf("login after delete: %d %s", r.Status, r.Body)
			}
		})
	}
	for _, c := range []struct {
		query string
		want  []string
	}{
		{"searchString=EXAMPLE.COM&sortColumn=username", []string{fatest.AdminUser, fatest.CreatorUser, fatest.EditorUser, fatest.ReaderUser}},
		{"searchString=example&sortColumn=username&descending=true&maxResult=1", []string{fatest.ReaderUser}},
		{"searchString=nobody&sortColumn=lastName", nil},
	} {
		var page struct {
			TotalRecords int
			Results      []struct{ Username string }
		}
		srv.Call(t, http.MethodGet, p+"/managementuser/search?"+c.query, nil, auth(admin)).Decode(t, &page)
		var got []string
		for _, u := range page.Results {
			got = append(got, u.Username)
		}
		if !slices.Equal(got, c.want) || (c.want != nil && page.TotalRecords != 4) {
			t.Errorf("search %s: %d %v, want %v", c.query, page.TotalRecords, got, c.want)
		}
	}
	dup := srv.Call(t, http.MethodPost, p+"/managementuser", map[string]any{"username": fatest.AdminUser}, auth(admin))
	if status, msgs, _ := dup.Envelope(t); status != http.StatusBadRequest || msgs[0] != "DuplicateUsername" {
		t.Fatalf("a taken username: %d %s", dup.Status, dup.Body)
	}
}
