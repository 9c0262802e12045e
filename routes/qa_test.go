package routes_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/fakealianza/fakealianza"
	"github.com/fakealianza/fakealianza/fatest"
	"github.com/fakealianza/fakealianza/routes"
	"github.com/fakealianza/fakealianza/store"
)

func TestJournal(t *testing.T) {
	srv := fatest.New(t)
	srv.Call(t, http.MethodPost, "/v2/authorize", `{"username":"admin@example.com","password":"fakealianza"}`)
	srv.Call(t, http.MethodGet, apiPath+"?pin=1234&x=1", nil, "X-AUTH-TOKEN: tok-secret-123")
	srv.Call(t, http.MethodGet, bravoPath, nil)
	srv.CallRaw(t, http.MethodGet, apiPath, nil, "X-Fakealianza-Fault: status=500")
	srv.Call(t, http.MethodGet, "/__admin/health", nil) // the control API is not journalled

	var all []map[string]any
	r := srv.Call(t, http.MethodGet, "/__admin/requests", nil)
	r.Decode(t, &all)
	if len(all) != 4 {
		t.Fatalf("journal holds %d entries: %s", len(all), r.Body)
	}
	for _, secret := range []string{"fakealianza\"", "tok-secret-123", "1234"} {
		if strings.Contains(string(r.Body), secret) {
			t.Errorf("secret %s in the journal", secret)
		}
	}
	first := all[0]
	if first["method"] != "POST" || first["path"] != "/v2/authorize" || first["status"] != float64(201) ||
		!strings.Contains(first["response"].(map[string]any)["body"].(string), `"authToken":"[REDACTED]"`) ||
		!strings.Contains(first["request"].(map[string]any)["body"].(string), "admin@example.com") {
		t.Errorf("first entry: %v", first)
	}
	if all[1]["partitionId"] != "fakePartitionAlpha0001" || all[3]["fault"] != "header:status=500" {
		t.Errorf("entries: %v / %v", all[1], all[3])
	}

	count := func(filter string) int {
		var c struct{ Count int }
		srv.Call(t, http.MethodPost, "/__admin/requests/count", filter).Decode(t, &c)
		return c.Count
	}
	cases := map[string]int{
		`{}`:               4,
		`{"method":"GET"}`: 3,
		`{"status":500}`:   1,
		`{"partitionId":"fakePartitionBravo0002"}`:        1,
		`{"path":"/v2/partition/*/fakealianza-unserved"}`: 3,
		`{"path":"/v2/**","method":"POST"}`:               1,
		`{"operationId":"logUserIn"}`:                     1,
		`{"since":"2999-01-01T00:00:00Z"}`:                0,
		`{"method":"GET","status":404,"path":"/v2/**"}`:   2,
	}
	for f, want := range cases {
		if got := count(f); got != want {
			t.Errorf("count %s = %d, want %d", f, got, want)
		}
	}
	if r := srv.Call(t, http.MethodPost, "/__admin/requests/count", `{"colour":"red"}`); r.Status != 400 {
		t.Errorf("unknown filter field: %d", r.Status)
	}
	var some []map[string]any
	srv.Call(t, http.MethodGet, "/__admin/requests?method=GET&status=404&limit=1", nil).Decode(t, &some)
	if len(some) != 1 || some[0]["partitionId"] != "fakePartitionBravo0002" {
		t.Errorf("filter + limit: %v", some)
	}
	if r := srv.Call(t, http.MethodGet, "/__admin/requests?status=abc", nil); r.Status != 400 {
		t.Errorf("bad status filter: %d", r.Status)
	}

	var har struct {
		Log struct {
			Version string
			Entries []struct {
				Request struct {
					Method, URL string
					Headers     []struct{ Name, Value string }
				}
				Response struct{ Status int }
			}
		}
	}
	r = srv.Call(t, http.MethodGet, "/__admin/requests/har", nil)
	r.Decode(t, &har)
	if har.Log.Version != "1.2" || len(har.Log.Entries) != 4 || har.Log.Entries[1].Request.URL != srv.URL()+apiPath+"?pin=%5BREDACTED%5D&x=1" {
		t.Errorf("har: %s", r.Body)
	}
	if strings.Contains(string(r.Body), "tok-secret-123") {
		t.Error("token in the HAR export")
	}

	if r := srv.Call(t, http.MethodDelete, "/__admin/requests", nil); r.Status != 204 {
		t.Errorf("clear: %d", r.Status)
	}
	if count(`{}`) != 0 {
		t.Error("journal not cleared")
	}
}

func TestJournalSizeOption(t *testing.T) {
	srv := fatest.New(t, func(o *fakealianza.Options) { o.JournalSize = 3 })
	for range 10 {
		srv.Call(t, http.MethodGet, apiPath, nil)
	}
	var all []map[string]any
	srv.Call(t, http.MethodGet, "/__admin/requests", nil).Decode(t, &all)
	if len(all) != 3 || all[2]["id"] != float64(10) {
		t.Errorf("ring of 3: %v", all)
	}
}

func TestResetAndPartitions(t *testing.T) {
	srv := fatest.New(t)
	var dropped []string
	srv.OnReset(func(pid string) { dropped = append(dropped, "reset:"+pid) })

	r := srv.Call(t, http.MethodPost, "/__admin/partitions", `{"name":"CI job 42"}`)
	if r.Status != 201 {
		t.Fatalf("create: %d %s", r.Status, r.Body)
	}
	var created struct{ PartitionID, Name, Username, Password string }
	r.Decode(t, &created)
	if created.Name != "CI job 42" || created.Username == "" || created.Password == "" {
		t.Fatalf("created: %+v", created)
	}
	if u, err := srv.Store().Authenticate(created.Username, created.Password); err != nil || u.PartitionID != created.PartitionID {
		t.Fatalf("new login does not work: %v", err)
	}
	// The SFTP hook adds the datafeed login once the datafeed exists.
	srv.SetSFTPLogin(func(pid string) (*routes.AdminSFTPLogin, error) {
		return &routes.AdminSFTPLogin{Address: "127.0.0.1:10022", Username: pid, Password: "sftp-secret"}, nil
	})
	r = srv.Call(t, http.MethodPost, "/__admin/partitions", nil)
	var withSFTP map[string]any
	r.Decode(t, &withSFTP)
	if sftp, _ := withSFTP["sftp"].(map[string]any); sftp["username"] != withSFTP["partitionId"] {
		t.Errorf("sftp login: %s", r.Body)
	}

	// Partition reset: the created partition goes, the others stay.
	if r := srv.Call(t, http.MethodPost, "/__admin/partitions/"+created.PartitionID+"/reset", nil); r.Status != 204 {
		t.Fatalf("partition reset: %d %s", r.Status, r.Body)
	}
	if _, err := srv.Store().Partition(created.PartitionID); err == nil {
		t.Error("created partition survived its reset")
	}
	if _, err := srv.Store().Partition(withSFTP["partitionId"].(string)); err != nil {
		t.Error("the other created partition went too")
	}
	r = srv.Call(t, http.MethodPost, "/__admin/partitions/nope/reset", nil)
	if st, msgs, _ := r.Envelope(t); st != 404 || msgs[0] != "EntityNotFound" {
		t.Errorf("unknown partition: %d %s", r.Status, r.Body)
	}

	// Full reset: back to the fixtures; rules and scenarios go too.
	addFault(t, srv, `{"match":{"path":"/v2/nothing"},"action":{"status":500}}`)
	startScenario(t, srv, "activation-on-hold")
	if r := srv.Call(t, http.MethodPost, "/__admin/reset", nil); r.Status != 204 {
		t.Fatalf("reset: %d", r.Status)
	}
	if ids := srv.Store().PartitionIDs(); len(ids) != 2 {
		t.Errorf("partitions after reset: %v", ids)
	}
	if r := srv.Call(t, http.MethodGet, "/__admin/faults", nil); string(r.Body) != "[]" {
		t.Errorf("rules after reset: %s", r.Body)
	}
	if m := srv.Store().LifecycleModes(); m["activation"].Mode != "immediate" {
		t.Errorf("the stopped scenario's mode stayed: %v", m)
	}
	want := "reset:" + created.PartitionID + ",reset:"
	if got := strings.Join(dropped, ","); got != want {
		t.Errorf("reset hooks ran %q, want %q", got, want)
	}
}

func TestStateGetPut(t *testing.T) {
	srv := fatest.New(t)
	r := srv.Call(t, http.MethodGet, "/__admin/state", nil)
	var all map[string]json.RawMessage
	r.Decode(t, &all)
	st := map[string][]map[string]any{}
	for k, v := range all {
		var objs []map[string]any
		if json.Unmarshal(v, &objs) == nil {
			st[k] = objs
		}
	}
	if len(st["partitions"]) != 2 || len(st["managementUsers"]) == 0 {
		t.Fatalf("state: %s", r.Body)
	}
	st["partitions"] = st["partitions"][:1]
	st["partitions"][0]["name"] = "Renamed"
	kept := st["partitions"][0]["id"]
	for list, objs := range st {
		if list == "partitions" {
			continue
		}
		var mine []map[string]any
		for _, o := range objs {
			if pid, ok := o["partitionId"]; !ok || pid == kept {
				mine = append(mine, o)
			}
		}
		st[list] = mine
	}
	body, err := json.Marshal(st)
	if err != nil {
		t.Fatal(err)
	}
	if r := srv.Call(t, http.MethodPut, "/__admin/state", body); r.Status != 204 {
		t.Fatalf("put: %d %s", r.Status, r.Body)
	}
	if ids := srv.Store().PartitionIDs(); len(ids) != 1 {
		t.Errorf("after put: %v", ids)
	}
	if p, err := srv.Store().Partition(st["partitions"][0]["id"].(string)); err != nil || p.Name != "Renamed" {
		t.Errorf("name: %+v %v", p, err)
	}
	for _, bad := range []string{`{"widgets":[]}`, `{"partitions":[{"id":"x"}]}`,
		`{"managementUsers":[{"id":"u","username":"a","password":"b","partitionId":"ghost"}]}`} {
		r := srv.Call(t, http.MethodPut, "/__admin/state", bad)
		if st, msgs, _ := r.Envelope(t); st != 400 || msgs[0] != "InvalidState" {
			t.Errorf("%s: %d %s", bad, r.Status, r.Body)
		}
	}
	if ids := srv.Store().PartitionIDs(); len(ids) != 1 {
		t.Errorf("a refused state changed the store: %v", ids)
	}
}

func TestClockAPI(t *testing.T) {
	srv := fatest.New(t)
	var c struct {
		Now    time.Time
		Frozen bool
	}
	srv.Call(t, http.MethodGet, "/__admin/clock", nil).Decode(t, &c)
	if c.Frozen || time.Since(c.Now).Abs() > time.Hour {
		t.Fatalf("clock: %+v", c)
	}
	srv.Call(t, http.MethodPost, "/__admin/clock", `{"set":"2026-01-01T00:00:00Z","freeze":true}`).Decode(t, &c)
	if !c.Frozen || !c.Now.Equal(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)) {
		t.Fatalf("set+freeze: %+v", c)
	}
	srv.Call(t, http.MethodPost, "/__admin/clock", `{"advance":"9h"}`).Decode(t, &c)
	if !c.Now.Equal(time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)) || !srv.Clock().Now().Equal(c.Now) {
		t.Fatalf("advance: %+v", c)
	}
	srv.Call(t, http.MethodPost, "/__admin/clock", `{"freeze":false}`).Decode(t, &c)
	if c.Frozen || c.Now.Before(time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)) {
		t.Fatalf("unfreeze: %+v", c)
	}
	// The journal stamps exchanges with server time.
	srv.Call(t, http.MethodPost, "/__admin/clock", `{"set":"2030-06-01T00:00:00Z","freeze":true}`)
	srv.Call(t, http.MethodGet, apiPath, nil)
	var e []map[string]any
	srv.Call(t, http.MethodGet, "/__admin/requests?since=2030-06-01T00:00:00Z", nil).Decode(t, &e)
	if len(e) != 1 || e[0]["time"] != "2030-06-01T00:00:00Z" {
		t.Errorf("journal time: %v", e)
	}
	for body, code := range map[string]string{
		`{}`:                     "InvalidClockRequest",
		`{"advance":"soon"}`:     "InvalidValueForField:advance",
		`{"set":"yesterday"}`:    "InvalidValueForField:set",
		`{"freeze":"yes"}`:       "InvalidValueForField:freeze",
		`{"advance":"1h","x":1}`: "InvalidClockRequest",
	} {
		r := srv.Call(t, http.MethodPost, "/__admin/clock", body)
		if st, msgs, _ := r.Envelope(t); st != 400 || msgs[0] != code {
			t.Errorf("%s: %d %s, want %s", body, r.Status, r.Body, code)
		}
	}
}

func TestLifecycleAPI(t *testing.T) {
	srv := fatest.New(t, func(o *fakealianza.Options) {
		o.Lifecycle = map[string]store.LifecycleMode{"job": {Mode: "manual"}}
	})
	m := srv.Call(t, http.MethodGet, "/__admin/lifecycle", nil).Map(t)
	if m["job"].(map[string]any)["mode"] != "manual" || m["port"].(map[string]any)["mode"] != "immediate" {
		t.Fatalf("start modes: %v", m)
	}
	r := srv.Call(t, http.MethodPut, "/__admin/lifecycle", `{"port":"reads:2","activation":{"mode":"duration","after":"90s"}}`)
	m = r.Map(t)
	if p := m["port"].(map[string]any); p["mode"] != "reads" || p["reads"] != float64(2) {
		t.Errorf("port: %v", m)
	}
	if a := m["activation"].(map[string]any); a["mode"] != "duration" || a["after"] != "1m30s" {
		t.Errorf("activation: %v", m)
	}
	modes := srv.Store().LifecycleModes()
	if modes["port"].Reads != 2 || modes["activation"].After != 90*time.Second || modes["job"].Mode != "manual" {
		t.Errorf("store modes: %v", modes)
	}
	for body, want := range map[string]string{
		`{"port":"sometimes"}`:  "InvalidLifecycleMode",
		`{"port":"reads:0"}`:    "InvalidLifecycleMode",
		`{"widget":"manual"}`:   "EntityNotFound",
		`{"port":{"mode":"x"}}`: "InvalidValueForField:port",
	} {
		r := srv.Call(t, http.MethodPut, "/__admin/lifecycle", body)
		if _, msgs, _ := r.Envelope(t); msgs[0] != want {
			t.Errorf("%s: %d %s", body, r.Status, r.Body)
		}
	}
	// Advance: nothing pending moves nothing; an unknown id is 404; an
	// unknown kind is refused by the spec. (The activation-on-hold scenario's
	// test advances a real activation.)
	if r := srv.Call(t, http.MethodPost, "/__admin/lifecycle/port/advance", nil); r.Status != 200 || string(r.Body) != `{"advanced":[]}` {
		t.Errorf("advance nothing: %d %s", r.Status, r.Body)
	}
	r = srv.Call(t, http.MethodPost, "/__admin/lifecycle/port/advance", `{"id":"nope"}`)
	if st, msgs, _ := r.Envelope(t); st != 404 || msgs[0] != "EntityNotFound" {
		t.Errorf("advance unknown id: %d %s", r.Status, r.Body)
	}
	if r := srv.Call(t, http.MethodPost, "/__admin/lifecycle/widget/advance", `{"id":"x"}`); r.Status != 400 {
		t.Errorf("unknown kind: %d %s", r.Status, r.Body)
	}
}

func TestAdminKey(t *testing.T) {
	srv := fatest.New(t, func(o *fakealianza.Options) { o.AdminKey = "s3cret" })
	for _, p := range []string{"/__admin/health", "/__admin/ready", "/__admin/openapi.yaml"} {
		if r := srv.Call(t, http.MethodGet, p, nil); r.Status != 200 {
			t.Errorf("%s needs no key: %d", p, r.Status)
		}
	}
	r := srv.Call(t, http.MethodGet, "/__admin/faults", nil)
	if st, msgs, _ := r.Envelope(t); st != 401 || msgs[0] != "AdminKeyRequired" {
		t.Errorf("no key: %d %s", r.Status, r.Body)
	}
	if r := srv.Call(t, http.MethodPost, "/__admin/reset", nil, "X-Fakealianza-Admin-Key: wrong"); r.Status != 401 {
		t.Errorf("wrong key: %d", r.Status)
	}
	if r := srv.Call(t, http.MethodGet, "/__admin/faults", nil, "X-Fakealianza-Admin-Key: s3cret"); r.Status != 200 {
		t.Errorf("right key: %d", r.Status)
	}
}
