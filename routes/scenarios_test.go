package routes_test

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pkg/sftp"

	"github.com/fakealianza/fakealianza"
	"github.com/fakealianza/fakealianza/fatest"
)

func startScenario(t *testing.T, srv *fatest.Server, name string) {
	t.Helper()
	r := srv.Call(t, http.MethodPost, "/__admin/scenarios/"+name+"/start", nil)
	if r.Status != 200 || r.Map(t)["active"] != true {
		t.Fatalf("start %s: %d %s", name, r.Status, r.Body)
	}
}

// statuses sends n calls and counts the answers by status.
func statuses(t testing.TB, srv *fatest.Server, n int, path string, headers ...string) map[int]int {
	t.Helper()
	out := map[int]int{}
	for range n {
		out[srv.CallRaw(t, http.MethodGet, path, nil, headers...).Status]++
	}
	return out
}

// builtinEffects shows, for every built-in scenario, what it does to a
// client. A built-in without an entry here fails TestEveryBuiltinHasAnEffectTest.
var builtinEffects = map[string]func(t *testing.T, srv *fatest.Server){
	"token-expiry-storm": func(t *testing.T, srv *fatest.Server) {
		got := statuses(t, srv, 40, apiPath, "X-AUTH-TOKEN: some-token")
		if got[401] < 5 || got[401] > 35 {
			t.Errorf("calls with a token: %v", got)
		}
		r := srv.CallRaw(t, http.MethodGet, apiPath, nil, "X-AUTH-TOKEN: t", "X-Fakealianza-Fault: status=401,message=ExpiredAuthToken")
		if _, msgs, _ := r.Envelope(t); msgs[0] != "ExpiredAuthToken" {
			t.Errorf("expired body: %s", r.Body)
		}
		if got := statuses(t, srv, 20, "/v2/authorize"); got[401] != 0 {
			t.Errorf("calls without a token (login) hit: %v", got)
		}
	},
	"flaky-500s": func(t *testing.T, srv *fatest.Server) {
		got := statuses(t, srv, 300, apiPath)
		if got[500] < 10 || got[500] > 60 || got[500]+got[404] != 300 {
			t.Errorf("300 calls: %v", got)
		}
	},
	"slow-api": func(t *testing.T, srv *fatest.Server) {
		start := time.Now()
		srv.CallRaw(t, http.MethodGet, apiPath, nil)
		el := time.Since(start)
		var entries []map[string]any
		srv.Call(t, http.MethodGet, "/__admin/requests?limit=1", nil).Decode(t, &entries)
		fault, _ := entries[0]["fault"].(string)
		_, ds, ok := strings.Cut(fault, "delayed=")
		d, err := time.ParseDuration(ds)
		if !ok || err != nil || d <= 0 || el < d {
			t.Errorf("fault %q, answered after %v", fault, el)
		}
	},
	"rate-limited": func(t *testing.T, srv *fatest.Server) {
		if got := statuses(t, srv, 5, apiPath); got[429] != 0 {
			t.Errorf("first five: %v", got)
		}
		got := statuses(t, srv, 60, apiPath)
		if got[429] < 8 || got[429] > 40 {
			t.Errorf("next 60: %v", got)
		}
		for range 20 {
			if r := srv.CallRaw(t, http.MethodGet, apiPath, nil); r.Status == 429 {
				if r.Header.Get("Retry-After") != "2" {
					t.Errorf("Retry-After %q", r.Header.Get("Retry-After"))
				}
				return
			}
		}
	},
	"ports-rejected": func(t *testing.T, srv *fatest.Server) {
		if m := srv.Call(t, http.MethodGet, "/__admin/lifecycle", nil).Map(t); m["port"].(map[string]any)["outcome"] != "reject" {
			t.Errorf("port mode: %v", m)
		}
		// A port whose subscriber the carrier would accept is rejected.
		call, A, csr := newAccount(t, srv, "PORT-1")
		body := map[string]any{"customerServiceRecord": csr, "directoryListing": map[string]any{"type": "PORTED"},
			"telephoneNumbers": []any{map[string]any{"phoneNumber": "15055550142"}}}
		avail := call(http.MethodPost, "/v2/partition/"+fatest.AlphaPartition+"/account/prevalidate", body, http.StatusOK)
		body["port"] = map[string]any{"crdDate": avail["earliestCRD"], "portingAuthorizedName": "Ann Numbers", "billingTelephoneNumber": "15055550142"}
		port := call(http.MethodPost, A+"/telephonenumber", body, http.StatusOK)["port"].(map[string]any)
		port = call(http.MethodGet, A+"/port/"+port["id"].(string), nil, http.StatusOK)
		if port["status"] != "PORT_REJECTED" {
			t.Errorf("port: %v", port["status"])
		}
		if n := call(http.MethodGet, A+"/telephonenumber/15055550142", nil, http.StatusOK); n["carrierStatus"] != "PORT_REJECTED" {
			t.Errorf("number: %v", n["carrierStatus"])
		}
	},
	"activation-on-hold": func(t *testing.T, srv *fatest.Server) {
		m := srv.Call(t, http.MethodGet, "/__admin/lifecycle", nil).Map(t)
		if m["activation"].(map[string]any)["mode"] != "manual" || m["port"].(map[string]any)["mode"] != "immediate" {
			t.Errorf("modes: %v", m)
		}
		// A number activated now stays pending until the admin API advances it.
		call, A, csr := newAccount(t, srv, "HOLD-1")
		auth := fatest.Auth(srv.Admin(t))
		var hits []map[string]any
		srv.Call(t, http.MethodGet, "/v2/partition/"+fatest.AlphaPartition+"/telephonenumber/search?q=84101&maxResults=1", nil, auth).Decode(t, &hits)
		tn := hits[0]["phoneNumber"].(string)
		call(http.MethodPost, A+"/telephonenumber", map[string]any{"customerServiceRecord": csr,
			"directoryListing": map[string]any{"listed": false, "type": "NOT_LIST_NOT_PUBLISH"},
			"telephoneNumbers": []any{map[string]any{"phoneNumber": tn}}}, http.StatusOK)
		for range 3 { // reads do not move it in manual mode
			if n := call(http.MethodGet, A+"/telephonenumber/"+tn, nil, http.StatusOK); n["carrierStatus"] != "ACTIVATION_PENDING" {
				t.Fatalf("on hold: %v", n["carrierStatus"])
			}
		}
		adv := srv.Call(t, http.MethodPost, "/__admin/lifecycle/activation/advance", nil).Map(t)
		if ids, _ := adv["advanced"].([]any); len(ids) != 1 {
			t.Fatalf("advance: %v", adv)
		}
		if n := call(http.MethodGet, A+"/telephonenumber/"+tn, nil, http.StatusOK); n["carrierStatus"] != "ACTIVE" {
			t.Errorf("after advance: %v", n["carrierStatus"])
		}
	},
	"sftp-flaky": func(t *testing.T, srv *fatest.Server) {
		srv.Call(t, http.MethodPost, "/__admin/clock", `{"set":"2026-03-04T15:30:00Z","freeze":true}`)
		// The 40 logins run at once: a refused one is answered late (the
		// datafeed slows failed logins down), and the delays overlap.
		refused := 0
		var clients []*sftp.Client
		var loginMu sync.Mutex
		var logins sync.WaitGroup
		for range 40 {
			logins.Go(func() {
				cl, err := srv.SFTP(t, "datafeed", "fakealianza")
				loginMu.Lock()
				defer loginMu.Unlock()
				if err != nil {
					refused++
					return
				}
				clients = append(clients, cl)
			})
		}
		logins.Wait()
		if refused < 3 || refused > 20 || len(clients) == 0 {
			t.Fatalf("%d of 40 good logins refused", refused)
		}
		const file = "/cdr/2026/03/04"
		infos, err := clients[0].ReadDir(file)
		if err != nil || len(infos) == 0 {
			t.Fatalf("listing: %v %d", err, len(infos))
		}
		name := file + "/" + infos[0].Name()
		// The 30 downloads run at once, spread over the sessions, so their
		// delays overlap; each one is still timed on its own.
		var (
			wg       sync.WaitGroup
			mu       sync.Mutex
			missing  int
			problems []string
		)
		for i := range 30 {
			c := clients[i%len(clients)]
			wg.Go(func() {
				start := time.Now()
				problem := ""
				f, err := c.Open(name)
				switch {
				case errors.Is(err, os.ErrNotExist):
					mu.Lock()
					missing++
					mu.Unlock()
					return
				case err != nil:
					problem = fmt.Sprintf("open: %v", err)
				default:
					_, err = io.ReadAll(f)
					f.Close()
					if el := time.Since(start); err != nil {
						problem = fmt.Sprintf("download: %v", err)
					} else if el < 100*time.Millisecond {
						problem = fmt.Sprintf("download answered after %v, before the 100ms minimum delay", el)
					}
				}
				if problem != "" {
					mu.Lock()
					problems = append(problems, problem)
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		for _, p := range problems {
			t.Error(p)
		}
		if missing < 1 || missing > 15 {
			t.Errorf("%d of 30 downloads found the file missing", missing)
		}
	},
	"partition-suspended": func(t *testing.T, srv *fatest.Server) {
		var st struct {
			Partitions []struct{ ID, Status string }
		}
		srv.Call(t, http.MethodGet, "/__admin/state", nil).Decode(t, &st)
		for _, p := range st.Partitions {
			if want := map[bool]string{true: "SUSPENDED", false: "ACTIVE"}[p.ID == "fakePartitionAlpha0001"]; p.Status != want {
				t.Errorf("partition %s status %s, want %s", p.ID, p.Status, want)
			}
		}
		r := srv.CallRaw(t, http.MethodGet, apiPath, nil)
		if st, msgs, _ := r.Envelope(t); st != 403 || msgs[0] != "NotPermitted" {
			t.Errorf("suspended partition: %d %s", r.Status, r.Body)
		}
		if r := srv.Call(t, http.MethodGet, bravoPath, nil); r.Status != 404 {
			t.Errorf("other partition: %d", r.Status)
		}
	},
}

// newAccount logs in as Alpha's admin and creates an account; it returns a
// caller that checks each status, the account's path and a customer service
// record for a Salt Lake City address.
func newAccount(t *testing.T, srv *fatest.Server, number string) (call func(method, path string, body any, want int) map[string]any, account string, csr map[string]any) {
	t.Helper()
	auth := fatest.Auth(srv.Admin(t))
	call = func(method, path string, body any, want int) map[string]any {
		t.Helper()
		r := srv.Call(t, method, path, body, auth)
		if r.Status != want {
			t.Fatalf("%s %s: %d %s", method, path, r.Status, r.Body)
		}
		var out map[string]any
		if len(r.Body) > 0 && r.Body[0] == '{' {
			r.Decode(t, &out)
		}
		return out
	}
	P := "/v2/partition/" + fatest.AlphaPartition
	acct := call(http.MethodPost, P+"/account", map[string]any{"accountNumber": number, "accountName": "QA " + number,
		"accountType": "ADVANCED", "timeZone": "US/Mountain"}, http.StatusOK)
	v := call(http.MethodGet, "/v2/address/validate?address=100+Main+St,+Salt+Lake+City,+UT&country=USA&postalCode=84101", nil, http.StatusOK)
	csr = v["customerServiceRecord"].(map[string]any)
	csr["businessName"], csr["customerType"] = "QA "+number, "BUSINESS"
	return call, P + "/account/" + acct["id"].(string), csr
}

func TestEveryBuiltinHasAnEffectTest(t *testing.T) {
	srv := fatest.New(t)
	var list []map[string]any
	srv.Call(t, http.MethodGet, "/__admin/scenarios", nil).Decode(t, &list)
	if len(list) != len(builtinEffects) {
		t.Errorf("%d scenarios listed, %d effect tests", len(list), len(builtinEffects))
	}
	for _, sc := range list {
		name := sc["name"].(string)
		effect, ok := builtinEffects[name]
		if !ok {
			t.Errorf("built-in %s has no effect test", name)
			continue
		}
		if sc["builtin"] != true || sc["active"] != false {
			t.Errorf("%s listed as %v", name, sc)
		}
		t.Run(name, func(t *testing.T) {
			srv := fatest.New(t)
			startScenario(t, srv, name)
			effect(t, srv)
			r := srv.Call(t, http.MethodPost, "/__admin/scenarios/"+name+"/stop", nil)
			if r.Status != 200 || r.Map(t)["active"] != false {
				t.Fatalf("stop: %d %s", r.Status, r.Body)
			}
			// Stopped: rules gone, modes back.
			if r := srv.Call(t, http.MethodGet, "/__admin/faults", nil); string(r.Body) != "[]" {
				t.Errorf("rules left after stop: %s", r.Body)
			}
			for kind, m := range srv.Call(t, http.MethodGet, "/__admin/lifecycle", nil).Map(t) {
				if m.(map[string]any)["mode"] != "immediate" {
					t.Errorf("%s mode after stop: %v", kind, m)
				}
			}
		})
	}
}

func TestScenarioAPIErrorsAndStartFlag(t *testing.T) {
	srv := fatest.New(t)
	for _, p := range []string{"/__admin/scenarios/nope/start", "/__admin/scenarios/nope/stop"} {
		r := srv.Call(t, http.MethodPost, p, nil)
		if st, msgs, data := r.Envelope(t); st != 404 || msgs[0] != "EntityNotFound" || data.(map[string]any)["type"] != "Scenario" {
			t.Errorf("%s: %d %s", p, r.Status, r.Body)
		}
	}
	// --scenario at start and a user's folder.
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "teapot.json"),
		[]byte(`{"description":"every call is refused","faults":[{"action":{"status":503,"message":"Maintenance"}}]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	srv = fatest.New(t, func(o *fakealianza.Options) { o.ScenariosDir, o.Scenarios = dir, []string{"teapot"} })
	r := srv.CallRaw(t, http.MethodGet, apiPath, nil)
	if st, msgs, _ := r.Envelope(t); st != 503 || msgs[0] != "Maintenance" {
		t.Errorf("started scenario: %d %s", r.Status, r.Body)
	}
	var list []map[string]any
	srv.Call(t, http.MethodGet, "/__admin/scenarios", nil).Decode(t, &list)
	found := false
	for _, sc := range list {
		if sc["name"] == "teapot" {
			found = sc["active"] == true && sc["builtin"] == false
		}
	}
	if !found {
		t.Errorf("user scenario not listed as active: %v", list)
	}
	// A reset starts the start-up scenarios again, with fresh counters;
	// clearing the rules stops them.
	srv.Call(t, http.MethodPost, "/__admin/faults", `{"action":{"status":418,"body":"x"}}`)
	if r := srv.Call(t, http.MethodPost, "/__admin/reset", nil); r.Status != 204 {
		t.Fatalf("reset: %d", r.Status)
	}
	var rules []map[string]any
	srv.Call(t, http.MethodGet, "/__admin/faults", nil).Decode(t, &rules)
	if len(rules) != 1 || rules[0]["scenario"] != "teapot" || rules[0]["hits"] != float64(0) {
		t.Errorf("rules after reset: %v", rules)
	}
	srv.Call(t, http.MethodDelete, "/__admin/faults", nil)
	var after []map[string]any
	srv.Call(t, http.MethodGet, "/__admin/scenarios", nil).Decode(t, &after)
	for _, sc := range after {
		if sc["active"] == true {
			t.Errorf("scenario %v still active after the rules were cleared", sc["name"])
		}
	}
	// A broken file added later is reported by the API, not ignored.
	_ = os.WriteFile(filepath.Join(dir, "broken.yaml"), []byte("faults: ["), 0o644)
	if r := srv.Call(t, http.MethodGet, "/__admin/scenarios", nil); r.Status != 422 || !strings.Contains(string(r.Body), "broken.yaml") {
		t.Errorf("broken scenario file: %d %s", r.Status, r.Body)
	}
	if _, err := fakealianza.New(fakealianza.Options{Scenarios: []string{"no-such"}}); err == nil {
		t.Error("unknown --scenario accepted at start")
	}
}
