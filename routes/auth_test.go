package routes_test

import (
	"bytes"
	"log/slog"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fakealianza/fakealianza"
	"github.com/fakealianza/fakealianza/fatest"
)

var tokenShape = regexp.MustCompile(`^[A-Za-z0-9_-]{32}$`)

func TestLoginAnswers201WithLoginToken(t *testing.T) {
	srv := fatest.New(t)
	r := srv.Call(t, http.MethodPost, "/v2/authorize", map[string]string{"username": "Admin@Example.com", "password": "fakealianza"})
	if r.Status != http.StatusCreated {
		t.Fatalf("login: %d %s", r.Status, r.Body)
	}
	m := r.Map(t)
	if tok, _ := m["authToken"].(string); !tokenShape.MatchString(tok) {
		t.Errorf("authToken %q is not 32 URL-safe characters", m["authToken"])
	}
	want := map[string]any{
		"userId": "fakeAdminAlpha00000001", "userType": "ManagementUser", "username": "admin@example.com",
		"emailAddress": "admin@example.com", "partitionId": "fakePartitionAlpha0001", "partitionName": "Alpha Voice",
		"mustChangePassword": false, "mustAddEmail": false,
	}
	for k, v := range want {
		if m[k] != v {
			t.Errorf("%s = %v, want %v", k, m[k], v)
		}
	}
	perms, _ := m["permissions"].(map[string]any)
	if perms["Account"] != "DELETE" || perms["ANY_MANAGEMENT_USER"] != "DELETE" {
		t.Errorf("permissions %v", perms)
	}
	for _, k := range []string{"featureToggles", "subPartitionIds", "grantedAuthorities"} {
		if _, ok := m[k]; !ok {
			t.Errorf("%s missing", k)
		}
	}
	for _, k := range []string{"accountId", "endUserType", "pwdHash", "maxLifeInHours"} {
		if _, ok := m[k]; ok {
			t.Errorf("%s present; null fields must be left out", k)
		}
	}
	if strings.Contains(string(r.Body), "null") {
		t.Errorf("body has a null: %s", r.Body)
	}
}

func TestLoginFailures(t *testing.T) {
	srv := fatest.New(t)
	cases := []struct {
		name string
		body any
		want string
	}{
		{"wrong password", map[string]string{"username": "admin@example.com", "password": "nope"}, "LoginInvalid"},
		{"unknown user", map[string]string{"username": "ghost@example.com", "password": "fakealianza"}, "LoginInvalid"},
		{"missing password", map[string]string{"username": "admin@example.com"}, "PasswordRequired"},
		{"missing username", map[string]string{"password": "fakealianza"}, "UsernameRequired"},
		{"not json", "{username", "InvalidRequestBody"},
		{"no body", nil, "RequestBodyRequired"},
	}
	for _, c := range cases {
		r := srv.Call(t, http.MethodPost, "/v2/authorize", c.body)
		status, msgs, _ := r.Envelope(t)
		if r.Status != 400 || status != 400 || len(msgs) != 1 || msgs[0] != c.want {
			t.Errorf("%s: %d %s, want 400 %s", c.name, r.Status, r.Body, c.want)
		}
	}
}

func TestUnauthorizedShapes(t *testing.T) {
	srv := fatest.New(t, func(o *fakealianza.Options) { o.TokenIdleTimeout = 8 * time.Hour })
	tok := srv.Admin(t)
	expired := srv.Admin(t)
	srv.Clock().Advance(7 * time.Hour)
	srv.Call(t, http.MethodGet, "/v2/authorize/userinfo", nil, fatest.Auth(tok)) // keeps tok alive
	srv.Clock().Advance(2 * time.Hour)                                           // expired: 9h idle

	cases := []struct {
		name    string
		headers []string
		status  int
		body    string
	}{
		{"no header", nil, 401, `{"message":"Unauthorized"}`},
		{"empty header", []string{"X-AUTH-TOKEN: "}, 401, `{"message":"Unauthorized"}`},
		{"unknown token", []string{fatest.Auth("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")}, 401, `{"status":401,"messages":[""]}`},
		{"expired token", []string{fatest.Auth(expired)}, 401, `{"status":401,"messages":["ExpiredAuthToken"]}`},
		{"live token, header in lower case", []string{"x-auth-token: " + tok}, 200, ""},
	}
	for _, c := range cases {
		r := srv.Call(t, http.MethodGet, "/v2/authorize/userinfo", nil, c.headers...)
		if r.Status != c.status || (c.body != "" && string(r.Body) != c.body) {
			t.Errorf("%s: %d %s, want %d %s", c.name, r.Status, r.Body, c.status, c.body)
		}
	}
}

func TestSlidingExpiryAndMaxLife(t *testing.T) {
	srv := fatest.New(t, func(o *fakealianza.Options) { o.TokenMaxLife = 24 * time.Hour })
	tok := srv.Admin(t)
	use := func() int { return srv.Call(t, http.MethodGet, "/v2/authorize/userinfo", nil, fatest.Auth(tok)).Status }
	// Used every 7h59m, the token outlives the 8h idle limit...
	for i := 0; i < 3; i++ {
		srv.Clock().Advance(7*time.Hour + 59*time.Minute)
		if s := use(); s != 200 {
			t.Fatalf("use %d at %dh: status %d", i, (i+1)*8, s)
		}
	}
	// ...but not the 24h cap (23h57m so far; 3 more minutes cross it).
	srv.Clock().Advance(3 * time.Minute)
	r := srv.Call(t, http.MethodGet, "/v2/authorize/userinfo", nil, fatest.Auth(tok))
	if r.Status != 401 || string(r.Body) != `{"status":401,"messages":["ExpiredAuthToken"]}` {
		t.Fatalf("past max life: %d %s", r.Status, r.Body)
	}
	// Idle expiry: a fresh token left alone for exactly 8h is dead.
	idle := srv.Admin(t)
	srv.Clock().Advance(8 * time.Hour)
	if r := srv.Call(t, http.MethodGet, "/v2/authorize/userinfo", nil, fatest.Auth(idle)); r.Status != 401 {
		t.Fatalf("idle 8h: %d", r.Status)
	}
}

// TestTokenExpiryInstants holds the token lifetime to the instant on a frozen
// clock: a token lives until 8 hours after its last use and until 24 hours
// after login, whichever comes first; at that instant it is expired, one
// nanosecond before it is not.
func TestTokenExpiryInstants(t *testing.T) {
	const ns = time.Nanosecond
	cases := []struct {
		name string
		// gaps is the server time that passes before each use; want the
		// status of each use
		gaps []time.Duration
		want []int
	}{
		{"idle just before 8h", []time.Duration{8*time.Hour - ns}, []int{200}},
		{"idle exactly 8h", []time.Duration{8 * time.Hour}, []int{401}},
		{"idle counts from the last use", []time.Duration{8*time.Hour - ns, 8*time.Hour - ns, 8 * time.Hour}, []int{200, 200, 401}},
		{"just before the 24h cap", []time.Duration{7 * time.Hour, 7 * time.Hour, 7 * time.Hour, 3*time.Hour - ns}, []int{200, 200, 200, 200}},
		{"exactly the 24h cap", []time.Duration{7 * time.Hour, 7 * time.Hour, 7 * time.Hour, 3 * time.Hour}, []int{200, 200, 200, 401}},
		{"a use just before the cap does not extend it", []time.Duration{7 * time.Hour, 7 * time.Hour, 7 * time.Hour, 3*time.Hour - ns, ns}, []int{200, 200, 200, 200, 401}},
	}
	srv := fatest.New(t)
	srv.Clock().Freeze(true)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tok := srv.Admin(t)
			for i, gap := range c.gaps {
				srv.Clock().Advance(gap)
				r := srv.Call(t, http.MethodGet, "/v2/authorize/userinfo", nil, fatest.Auth(tok))
				if r.Status != c.want[i] {
					t.Fatalf("use %d after %v: %d %s, want %d", i, gap, r.Status, r.Body, c.want[i])
				}
				if r.Status == 401 && string(r.Body) != `{"status":401,"messages":["ExpiredAuthToken"]}` {
					t.Fatalf("use %d: expired body %s", i, r.Body)
				}
			}
		})
	}
}

func TestLogoutKillsOnlyThatToken(t *testing.T) {
	srv := fatest.New(t)
	a, b := srv.Admin(t), srv.Admin(t)
	if a == b {
		t.Fatal("two logins returned the same token")
	}
	if r := srv.Call(t, http.MethodPut, "/v2/authorize/logout", nil, fatest.Auth(a)); r.Status != 200 || len(r.Body) != 0 {
		t.Fatalf("logout: %d %q", r.Status, r.Body)
	}
	if r := srv.Call(t, http.MethodGet, "/v2/authorize/userinfo", nil, fatest.Auth(a)); r.Status != 401 || string(r.Body) != `{"status":401,"messages":[""]}` {
		t.Fatalf("after logout: %d %s", r.Status, r.Body)
	}
	if r := srv.Call(t, http.MethodGet, "/v2/authorize/userinfo", nil, fatest.Auth(b)); r.Status != 200 {
		t.Fatalf("other token died too: %d", r.Status)
	}
}

func TestUserInfo(t *testing.T) {
	srv := fatest.New(t)
	tok := srv.Login(t, fatest.ReaderUser, fatest.Password)
	r := srv.Call(t, http.MethodGet, "/v2/authorize/userinfo", nil, fatest.Auth(tok))
	m := r.Map(t)
	if r.Status != 200 || m["authToken"] != tok || m["username"] != "reader@example.com" {
		t.Fatalf("%d %s", r.Status, r.Body)
	}
	if perms := m["permissions"].(map[string]any); perms["Account"] != "READ" {
		t.Errorf("reader permissions %v", perms)
	}
}

func TestChangePassword(t *testing.T) {
	srv := fatest.New(t)
	change := func(pw, next string) *fatest.Resp {
		return srv.Call(t, http.MethodPut, "/v2/authorize", map[string]string{
			"username": "admin@example.com", "password": pw, "changePassword": next})
	}
	for _, bad := range []string{"short1", "lettersonly", "1234567890", "fakealianza"} {
		r := change("fakealianza", bad)
		if _, msgs, _ := r.Envelope(t); r.Status != 400 || msgs[0] != "FailedToUpdate" {
			t.Errorf("new password %q: %d %s", bad, r.Status, r.Body)
		}
	}
	if r := change("wrong", "n3wPassword"); r.Status != 400 || !strings.Contains(string(r.Body), "LoginInvalid") {
		t.Errorf("wrong current password: %d %s", r.Status, r.Body)
	}
	r := change("fakealianza", "n3wPassword")
	if r.Status != 200 || !tokenShape.MatchString(r.Map(t)["authToken"].(string)) {
		t.Fatalf("change: %d %s", r.Status, r.Body)
	}
	if r := srv.Call(t, http.MethodPost, "/v2/authorize", map[string]string{"username": "admin@example.com", "password": "fakealianza"}); r.Status != 400 {
		t.Errorf("old password still works: %d", r.Status)
	}
	srv.Login(t, "admin@example.com", "n3wPassword")
}

func TestPartitionScope(t *testing.T) {
	srv := fatest.New(t)
	alpha := srv.Admin(t)
	bravo := srv.Login(t, fatest.BravoAdminUser, fatest.Password)
	if r := srv.Call(t, http.MethodGet, "/v2/partition/"+fatest.AlphaPartition, nil, fatest.Auth(alpha)); r.Status != 200 || r.Map(t)["name"] != "Alpha Voice" {
		t.Fatalf("own partition: %d %s", r.Status, r.Body)
	}
	// Another existing partition and a partition that does not exist answer
	// the same: nothing tells them apart.
	for _, p := range []string{fatest.BravoPartition, "noSuchPartition000000x"} {
		r := srv.Call(t, http.MethodGet, "/v2/partition/"+p, nil, fatest.Auth(alpha))
		if r.Status != 400 || string(r.Body) != `{"status":400,"messages":["NotPermitted"]}` {
			t.Errorf("alpha token on %s: %d %s", p, r.Status, r.Body)
		}
	}
	if r := srv.Call(t, http.MethodGet, "/v2/partition/"+fatest.AlphaPartition, nil, fatest.Auth(bravo)); r.Status != 400 {
		t.Errorf("bravo token on alpha: %d %s", r.Status, r.Body)
	}
}

func TestRefPermissionsComesFromTheTable(t *testing.T) {
	srv := fatest.New(t)
	tok := srv.Admin(t)
	r := srv.Call(t, http.MethodGet, "/v2/ref/permissions", nil, fatest.Auth(tok))
	if r.Status != 200 {
		t.Fatalf("%d %s", r.Status, r.Body)
	}
	var got []struct{ Type, MaxAccessType string }
	r.Decode(t, &got)
	for _, g := range got {
		if g.Type == "" || g.MaxAccessType == "" {
			t.Errorf("incomplete row %+v", g)
		}
	}
	r = srv.Call(t, http.MethodGet, "/v2/ref/permissions?usertype=EndUser", nil, fatest.Auth(tok))
	if r.Status != 200 || string(r.Body) != "[]" {
		t.Errorf("EndUser: %d %s", r.Status, r.Body)
	}
	r = srv.Call(t, http.MethodGet, "/v2/ref/permissions?usertype=Robot", nil, fatest.Auth(tok))
	if _, msgs, _ := r.Envelope(t); r.Status != 400 || msgs[0] != "InvalidValueForField:usertype" {
		t.Errorf("bad usertype: %d %s", r.Status, r.Body)
	}
}

// syncBuffer is a log sink safe for the server's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestSecretsNeverLogged(t *testing.T) {
	var logs syncBuffer
	srv := fatest.New(t, func(o *fakealianza.Options) {
		o.Logger = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	})
	tok := srv.Admin(t)
	srv.Call(t, http.MethodGet, "/v2/authorize/userinfo", nil, fatest.Auth(tok))
	srv.Call(t, http.MethodPut, "/v2/authorize", map[string]string{"username": "admin@example.com", "password": "fakealianza", "changePassword": "S3cretNewPass"})
	srv.Call(t, http.MethodPost, "/v2/authorize", map[string]string{"username": "admin@example.com", "password": "wrongPassw0rd"})
	srv.Call(t, http.MethodPut, "/v2/authorize/logout", nil, fatest.Auth(tok))
	out := logs.String()
	if !strings.Contains(out, "logUserIn") {
		t.Fatalf("debug log has no request lines: %s", out)
	}
	for _, secret := range []string{tok, "fakealianza\"", "S3cretNewPass", "wrongPassw0rd"} {
		if strings.Contains(out, secret) {
			t.Errorf("log contains a secret %q:\n%s", secret, out)
		}
	}
}
