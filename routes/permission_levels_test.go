package routes_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/fakealianza/fakealianza/fatest"
)

// permissionLevels are the default fixture's Alpha users, one per access
// level, lowest first. Alianza's levels nest: DELETE covers CREATE, CREATE
// covers EDIT, EDIT covers READ.
var permissionLevels = []struct {
	user  string
	level string
}{
	{fatest.ReaderUser, "READ"},
	{fatest.EditorUser, "EDIT"},
	{fatest.CreatorUser, "CREATE"},
	{fatest.AdminUser, "DELETE"},
}

func levelRank(level string) int {
	for i, l := range permissionLevels {
		if l.level == level {
			return i
		}
	}
	panic("unknown level " + level)
}

// verbCase is one operation: setup (as the admin) returns the path to call;
// ok is the status when the caller's level suffices.
type verbCase struct {
	name   string
	method string
	need   string
	setup  func(t *testing.T, admin caller, n int) string
	body   func(n int) any
	ok     int
}

// TestEveryVerbAgainstEveryLevel calls each verb, on three permission types,
// as a user of each access level: a level at or above the one the verb needs
// gets the operation's answer, a lower one 403 InsufficientPermissions, and
// the refused call changes nothing.
func TestEveryVerbAgainstEveryLevel(t *testing.T) {
	srv := fatest.New(t)
	admin := login(t, srv, fatest.AdminUser)
	account := func(t *testing.T, admin caller, n int) string {
		a := admin.create(alphaP+"/account", map[string]any{"accountNumber": fmt.Sprint("LVL-", n), "accountName": "Level Co", "accountType": "ADVANCED"}, http.StatusOK)
		return alphaP + "/account/" + a["id"].(string)
	}
	trunk := func(t *testing.T, admin caller, n int) string {
		a := account(t, admin, n)
		tr := admin.create(a+"/siptrunk_2", trunkBody("Level PBX", fmt.Sprint("lvlpbx", n)), http.StatusOK)
		return a + "/siptrunk_2/" + tr["id"].(string)
	}
	product := func(t *testing.T, admin caller, n int) string {
		p := admin.create(alphaP+"/callingplanproduct", map[string]any{"name": fmt.Sprint("Level plan ", n), "planMinutes": 100}, http.StatusOK)
		return alphaP + "/callingplanproduct/" + p["id"].(string)
	}
	fixed := func(path string) func(*testing.T, caller, int) string {
		return func(*testing.T, caller, int) string { return path }
	}
	none := func(int) any { return nil }
	cases := []verbCase{
		// Account
		{"list accounts", http.MethodGet, "READ", fixed(alphaP + "/account"), none, http.StatusOK},
		{"read account", http.MethodGet, "READ", account, none, http.StatusOK},
		{"patch account", http.MethodPatch, "EDIT", account, func(int) any { return map[string]any{"accountName": "Patched"} }, http.StatusOK},
		{"put account", http.MethodPut, "EDIT", account, func(n int) any {
			return map[string]any{"accountNumber": fmt.Sprint("LVL-", n), "accountName": "Put Co", "accountType": "ADVANCED"}
		}, http.StatusOK},
		{"create account", http.MethodPost, "CREATE", fixed(alphaP + "/account"), func(n int) any {
			return map[string]any{"accountNumber": fmt.Sprint("NEW-", n), "accountName": "New Co", "accountType": "SIMPLE"}
		}, http.StatusOK},
		{"delete account", http.MethodDelete, "DELETE", account, none, http.StatusOK},
		// SipCredentials
		{"read trunk", http.MethodGet, "READ", trunk, none, http.StatusOK},
		{"patch trunk", http.MethodPatch, "EDIT", trunk, func(int) any { return map[string]any{"maxBurstCalls": 2} }, http.StatusOK},
		{"create trunk", http.MethodPost, "CREATE", func(t *testing.T, admin caller, n int) string { return account(t, admin, n) + "/siptrunk_2" },
			func(n int) any { return trunkBody("New PBX", fmt.Sprint("newpbx", n)) }, http.StatusOK},
		{"delete trunk", http.MethodDelete, "DELETE", trunk, none, http.StatusNoContent},
		// ProductCallingPlan
		{"read plan", http.MethodGet, "READ", product, none, http.StatusOK},
		{"patch plan", http.MethodPatch, "EDIT", product, func(int) any { return map[string]any{"planMinutes": 600} }, http.StatusOK},
		{"create plan", http.MethodPost, "CREATE", fixed(alphaP + "/callingplanproduct"), func(n int) any {
			return map[string]any{"name": fmt.Sprint("New plan ", n), "planMinutes": 100}
		}, http.StatusOK},
	}
	n := 0
	for _, c := range cases {
		for _, lv := range permissionLevels {
			n++
			t.Run(c.name+"/"+lv.level, func(t *testing.T) {
				admin := caller{t: t, srv: srv, tok: admin.tok}
				path := c.setup(t, admin, n)
				before := admin.do(http.MethodGet, path, nil, http.StatusOK).Body
				u := caller{t: t, srv: srv, tok: srv.Login(t, lv.user, fatest.Password)}
				allowed := levelRank(lv.level) >= levelRank(c.need)
				if allowed {
					u.do(c.method, path, c.body(n), c.ok)
					return
				}
				u.fails(c.method, path, c.body(n), http.StatusForbidden, "InsufficientPermissions")
				if after := admin.do(http.MethodGet, path, nil, http.StatusOK).Body; string(after) != string(before) {
					t.Errorf("a refused %s changed %s:\n%s\n%s", c.method, path, before, after)
				}
			})
		}
	}
}
