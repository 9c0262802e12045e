package routes_test

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/fakealianza/fakealianza"
	"github.com/fakealianza/fakealianza/fatest"
	"github.com/fakealianza/fakealianza/store"
)

func TestAdminInfo(t *testing.T) {
	srv := fatest.New(t)
	var info struct {
		Version   string
		Listeners struct{ HTTP, SFTP string }
	}
	srv.Call(t, http.MethodGet, "/__admin/info", nil).Decode(t, &info)
	if info.Version != fakealianza.Version || info.Listeners.HTTP != srv.URL() || info.Listeners.SFTP != srv.SFTPAddr() ||
		info.Listeners.SFTP == "" {
		t.Fatalf("info %+v, want %s %s %s", info, fakealianza.Version, srv.URL(), srv.SFTPAddr())
	}
	off := fatest.New(t, func(o *fakealianza.Options) { o.SFTPAddr = "off" })
	if r := off.Call(t, http.MethodGet, "/__admin/info", nil); strings.Contains(string(r.Body), "sftp") {
		t.Errorf("no datafeed, yet: %s", r.Body)
	}
}

// sseEvent is one server-sent event.
type sseEvent struct {
	id, event string
	data      map[string]any
}

// openStream opens the journal stream; events arrive on the channel until
// the test ends.
func openStream(t *testing.T, srv *fatest.Server, query string, header ...string) <-chan sseEvent {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL()+"/__admin/requests/stream"+query, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/event-stream" {
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		t.Fatalf("stream: %d %s %s", resp.StatusCode, resp.Header.Get("Content-Type"), b)
	}
	out := make(chan sseEvent, 16)
	go func() {
		defer resp.Body.Close()
		defer close(out)
		sc := bufio.NewScanner(resp.Body)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		var ev sseEvent
		for sc.Scan() {
			line := sc.Text()
			k, v, _ := strings.Cut(line, ": ")
			switch k {
			case "id":
				ev.id = v
			case "event":
				ev.event = v
			case "data":
				if err := json.Unmarshal([]byte(v), &ev.data); err != nil {
					ev.data = map[string]any{"undecodable": v}
				}
			case "":
				if line == "" && ev.event != "" {
					select {
					case out <- ev:
					case <-ctx.Done():
						return
					}
					ev = sseEvent{}
				}
			}
		}
	}()
	return out
}

func next(t *testing.T, events <-chan sseEvent) sseEvent {
	t.Helper()
	select {
	case ev, ok := <-events:
		if !ok {
			t.Fatal("stream ended")
		}
		return ev
	case <-time.After(5 * time.Second):
		t.Fatal("no event within 5s")
	}
	return sseEvent{}
}

func TestJournalStream(t *testing.T) {
	srv := fatest.New(t)
	srv.CallRaw(t, http.MethodGet, apiPath+"?n=1", nil)
	srv.CallRaw(t, http.MethodGet, apiPath+"?n=2", nil)
	srv.CallRaw(t, http.MethodPost, apiPath+"?n=3", nil)

	// The newest matching recorded exchange first, then the new ones that match.
	events := openStream(t, srv, "?method=GET&limit=1")
	if ev := next(t, events); ev.event != "request" || ev.id != "2" || ev.data["query"] != "n=2" {
		t.Fatalf("backlog: %+v", ev)
	}
	srv.CallRaw(t, http.MethodPost, apiPath+"?n=4", nil) // filtered out
	srv.CallRaw(t, http.MethodGet, bravoPath+"?n=5", nil, "X-AUTH-TOKEN: tok-secret-5")
	ev := next(t, events)
	if ev.id != "5" || ev.data["path"] != bravoPath || ev.data["partitionId"] != "fakePartitionBravo0002" || ev.data["status"] != float64(404) {
		t.Fatalf("live: %+v", ev)
	}
	if h := ev.data["request"].(map[string]any)["headers"].(map[string]any); h["X-Auth-Token"].([]any)[0] != "[REDACTED]" {
		t.Errorf("token not redacted in the stream: %v", h)
	}

	// Without limit nothing recorded comes first; Last-Event-ID resumes.
	fresh := openStream(t, srv, "")
	resumed := openStream(t, srv, "?limit=1", "Last-Event-ID", "3")
	for _, want := range []string{"4", "5"} {
		if ev := next(t, resumed); ev.id != want {
			t.Fatalf("resumed: %+v, want id %s", ev, want)
		}
	}
	srv.CallRaw(t, http.MethodGet, apiPath+"?n=6", nil)
	if ev := next(t, fresh); ev.id != "6" {
		t.Fatalf("fresh: %+v", ev)
	}
	if ev := next(t, resumed); ev.id != "6" {
		t.Fatalf("resumed live: %+v", ev)
	}

	// Bad input is a 400 in the envelope.
	wantError(t, srv.Call(t, http.MethodGet, "/__admin/requests/stream", nil, "Last-Event-ID: x"), 400, "InvalidValueForField:Last-Event-ID")
	if r := srv.Call(t, http.MethodGet, "/__admin/requests/stream?limit=-1", nil); r.Status != 400 {
		t.Errorf("negative limit: %d %s", r.Status, r.Body)
	}
}

func TestJournalStreamEndsOnClose(t *testing.T) {
	srv := fatest.New(t)
	events := openStream(t, srv, "")
	done := make(chan error, 1)
	go func() { done <- srv.Close() }()
	for range events { // drains until the server ends the stream
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("close: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("close waited on the stream")
	}
}

func TestPendingAndReject(t *testing.T) {
	srv := fatest.New(t, func(o *fakealianza.Options) {
		o.Lifecycle = map[string]store.LifecycleMode{"port": {Mode: "manual"}, "job": {Mode: "manual"}}
	})
	c := login(t, srv, fatest.AdminUser)
	A := alphaP + "/account/fakeAcct00000000000001"
	csr := map[string]any{"lastName": "Port", "streetNumber": "1", "streetName": "MAIN", "city": "SALT LAKE CITY", "state": "UT", "country": "USA", "postalCode": "84101"}
	port := func(tn string) string {
		pact := c.create(A+"/telephonenumber", map[string]any{"customerServiceRecord": csr, "directoryListing": map[string]any{"type": "PORTED"},
			"port": map[string]any{"crdDate": "2030-01-07"}, "telephoneNumbers": []any{map[string]any{"phoneNumber": tn}}}, http.StatusOK)
		return pact["port"].(map[string]any)["id"].(string)
	}
	one, two := port("15055550150"), port("15055550151")

	var pending []store.PendingObject
	srv.Call(t, http.MethodGet, "/__admin/lifecycle/pending", nil).Decode(t, &pending)
	if len(pending) != 2 {
		t.Fatalf("pending: %+v", pending)
	}
	for _, p := range pending {
		if p.Kind != "port" || p.Status != "PENDING" || p.AccountID != "fakeAcct00000000000001" || !p.Rejectable ||
			(p.ID != one && p.ID != two) || len(p.TelephoneNumbers) != 1 {
			t.Errorf("pending port: %+v", p)
		}
	}

	// Approve one: two steps to FOC_RECEIVED. Reject the other.
	for range 2 {
		srv.Call(t, http.MethodPost, "/__admin/lifecycle/port/advance", map[string]any{"id": one})
	}
	if r := srv.Call(t, http.MethodPost, "/__admin/lifecycle/port/reject", map[string]any{"id": two}); string(r.Body) != `{"advanced":["`+two+`"]}` {
		t.Fatalf("reject: %d %s", r.Status, r.Body)
	}
	for id, want := range map[string]string{one: "FOC_RECEIVED", two: "REJECTED"} {
		ev := c.do(http.MethodGet, A+"/reference/"+id+"/type/PORT_REQUEST", nil, http.StatusOK).Map(t)
		if ev["activationStatusType"] != want {
			t.Errorf("port %s: %v, want %s", id, ev["activationStatusType"], want)
		}
	}
	if p := c.do(http.MethodGet, A+"/port/"+two, nil, http.StatusOK).Map(t); p["status"] != "PORT_REJECTED" {
		t.Errorf("rejected port: %v", p["status"])
	}
	srv.Call(t, http.MethodGet, "/__admin/lifecycle/pending", nil).Decode(t, &pending)
	if len(pending) != 0 {
		t.Errorf("still pending: %+v", pending)
	}

	wantError(t, srv.Call(t, http.MethodPost, "/__admin/lifecycle/port/reject", map[string]any{"id": two}), 404, "EntityNotFound")
	wantError(t, srv.Call(t, http.MethodPost, "/__admin/lifecycle/activation/reject", nil), 400, "LifecycleRejectNotSupported")
	if r := srv.Call(t, http.MethodPost, "/__admin/lifecycle/job/reject", nil); r.Status != 200 || string(r.Body) != `{"advanced":[]}` {
		t.Errorf("reject no job: %d %s", r.Status, r.Body)
	}

	// A job waits (manual), is listed, and every pending job ends FAILED.
	job := c.do(http.MethodGet, pAlpha+"/report/sip/csv_2?month=1&year=2024", nil, http.StatusAccepted).Map(t)["id"].(string)
	srv.Call(t, http.MethodGet, "/__admin/lifecycle/pending", nil).Decode(t, &pending)
	if len(pending) != 1 || pending[0].Kind != "job" || pending[0].ID != job || pending[0].Status != "PENDING" ||
		pending[0].PartitionID != fatest.AlphaPartition || !pending[0].Rejectable {
		t.Fatalf("pending job: %+v", pending)
	}
	if r := srv.Call(t, http.MethodPost, "/__admin/lifecycle/job/reject", nil); string(r.Body) != `{"advanced":["`+job+`"]}` {
		t.Fatalf("reject jobs: %d %s", r.Status, r.Body)
	}
	j := c.do(http.MethodGet, "/v2/job/"+job, nil, http.StatusOK).Map(t)
	if j["status"] != "FAILED" || !strings.Contains(fmt.Sprint(j["errors"]), "JobFailed") {
		t.Errorf("rejected job: %v", j)
	}
}

func TestDatafeedFilesAPI(t *testing.T) {
	srv := frozenServer(t, func(o *fakealianza.Options) { o.CDRNoGenerate = true })
	if r := srv.Call(t, http.MethodPost, "/__admin/cdrs/generate", map[string]any{
		"partitionId": alpha, "from": "2026-03-03T22:00:00Z", "to": "2026-03-04T02:00:00Z", "callsPerHour": 2,
	}); r.Status != 200 {
		t.Fatalf("generate %d %s", r.Status, r.Body)
	}
	var all, day []map[string]any
	srv.Call(t, http.MethodGet, "/__admin/datafeed/files?partitionId="+alpha, nil).Decode(t, &all)
	srv.Call(t, http.MethodGet, "/__admin/datafeed/files?partitionId="+alpha+"&day=2026-03-03", nil).Decode(t, &day)
	files, err := srv.Store().FeedFiles(alpha)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != len(files) || len(all) < 4 {
		t.Fatalf("%d files listed, the store has %d", len(all), len(files))
	}
	for _, f := range day {
		if f["day"] != "2026-03-03" || !strings.HasPrefix(f["path"].(string), "/cdr/2026/03/03/") {
			t.Errorf("day filter let through %v", f)
		}
	}
	if len(day) != 24 {
		t.Errorf("%d files on 2026-03-03, want 24", len(day))
	}

	// The download is the file's bytes, as SFTP serves them.
	var withCalls map[string]any
	for _, f := range all {
		if f["records"].(float64) > 0 {
			withCalls = f
		}
	}
	if withCalls == nil {
		t.Fatal("no file with calls")
	}
	path := withCalls["path"].(string)
	r := srv.Call(t, http.MethodGet, "/__admin/datafeed/file?partitionId="+alpha+"&path="+path, nil)
	_, want, err := srv.Store().FeedFileData(alpha, path)
	if err != nil {
		t.Fatal(err)
	}
	if r.Status != 200 || !bytes.Equal(r.Body, want) || !strings.Contains(r.Header.Get("Content-Disposition"), "cdr_"+alpha) {
		t.Fatalf("download: %d %d bytes %v", r.Status, len(r.Body), r.Header)
	}
	zr, err := gzip.NewReader(bytes.NewReader(r.Body))
	if err != nil {
		t.Fatal(err)
	}
	if csv, err := io.ReadAll(zr); err != nil || !bytes.Contains(csv, []byte("sessionId")) {
		t.Errorf("not a gzip CSV: %v %q", err, csv)
	}

	wantError(t, srv.Call(t, http.MethodGet, "/__admin/datafeed/file?partitionId="+alpha+"&path=/cdr/nope.csv.gz", nil), 404, "EntityNotFound")
	wantError(t, srv.Call(t, http.MethodGet, "/__admin/datafeed/files?partitionId=nope", nil), 404, "EntityNotFound")
	if r := srv.Call(t, http.MethodGet, "/__admin/datafeed/files?partitionId="+alpha+"&day=March", nil); r.Status != 400 {
		t.Errorf("bad day: %d %s", r.Status, r.Body)
	}
	if r := srv.Call(t, http.MethodGet, "/__admin/datafeed/files", nil); r.Status != 400 {
		t.Errorf("no partition: %d %s", r.Status, r.Body)
	}
}
