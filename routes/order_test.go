package routes_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/fakealianza/fakealianza/fatest"
)

// TestCheckOrder holds Alianza's order of checks: route -> token (401) ->
// partition scope (400 NotPermitted) -> permission (403) -> request
// validation (400) -> the operation. Each row breaks one check and every
// check after it; the first broken check answers.
func TestCheckOrder(t *testing.T) {
	srv := fatest.New(t)
	admin := srv.Admin(t)
	reader := srv.Login(t, fatest.ReaderUser, fatest.Password)
	bravo := "/v2/partition/" + fatest.BravoPartition
	badBody := `{"accountName": 7, "accountType": "NOPE", "billingCycleDay": "x"`
	for _, c := range []struct {
		name, method, path, body string
		headers                  []string
		status                   int
		want                     string // exact body, or a message code
	}{
		{"no route beats a bad token", http.MethodPost, alphaP + "/nosuchthing", badBody,
			[]string{fatest.Auth("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")}, 404, "ResourceNotFound"},
		{"no token beats a bad body", http.MethodPost, alphaP + "/account", badBody,
			nil, 401, `{"message":"Unauthorized"}`},
		{"unknown token beats a bad body", http.MethodPost, alphaP + "/account", badBody,
			[]string{fatest.Auth("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")}, 401, `{"status":401,"messages":[""]}`},
		{"unknown token beats a bad parameter", http.MethodGet, alphaP + "/account/x?accountIdType=Bogus", "",
			[]string{fatest.Auth("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")}, 401, `{"status":401,"messages":[""]}`},
		{"a bad parameter is validated after auth", http.MethodGet, alphaP + "/account/x?accountIdType=Bogus", "",
			[]string{fatest.Auth(admin)}, 400, "InvalidValueForField:accountIdType"},
		{"unknown token beats another partition", http.MethodPost, bravo + "/account", badBody,
			[]string{fatest.Auth("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")}, 401, `{"status":401,"messages":[""]}`},
		{"partition scope beats permission and body", http.MethodPost, bravo + "/account", badBody,
			[]string{fatest.Auth(reader)}, 400, `{"status":400,"messages":["NotPermitted"]}`},
		{"permission beats a bad body", http.MethodPost, alphaP + "/account", badBody,
			[]string{fatest.Auth(reader)}, 403, "InsufficientPermissions"},
		{"a bad body is validated last", http.MethodPost, alphaP + "/account", badBody,
			[]string{fatest.Auth(admin)}, 400, "InvalidRequestBody"},
		{"a bad field is validated last", http.MethodPost, alphaP + "/account", `{"accountType":"NOPE"}`,
			[]string{fatest.Auth(admin)}, 400, "InvalidValueForField:accountType"},
		{"all checks pass", http.MethodPost, alphaP + "/account", `{"accountNumber":"ORD-1","accountName":"Order","accountType":"ADVANCED"}`,
			[]string{fatest.Auth(admin)}, 200, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			var body any
			if c.body != "" {
				body = c.body
			}
			r := srv.Call(t, c.method, c.path, body, append(c.headers, "Content-Type: application/json")...)
			if r.Status != c.status {
				t.Fatalf("%d %s, want %d", r.Status, r.Body, c.status)
			}
			switch {
			case c.want == "":
			case strings.HasPrefix(c.want, "{"):
				if string(r.Body) != c.want {
					t.Fatalf("body %s, want %s", r.Body, c.want)
				}
			default:
				if _, msgs, _ := r.Envelope(t); len(msgs) != 1 || msgs[0] != c.want {
					t.Fatalf("messages %v, want %s", msgs, c.want)
				}
			}
		})
	}
}
