package routes_test

import (
	"bufio"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/fakealianza/fakealianza"
	"github.com/fakealianza/fakealianza/fatest"
)

// apiPath is a path under a partition that no operation serves: it answers
// 404 ResourceNotFound whatever lands on main, and faults see its partition.
const apiPath = "/v2/partition/fakePartitionAlpha0001/fakealianza-unserved"

// bravoPath is the same under the second partition.
const bravoPath = "/v2/partition/fakePartitionBravo0002/fakealianza-unserved"

func addFault(t *testing.T, srv *fatest.Server, rule string) map[string]any {
	t.Helper()
	r := srv.Call(t, http.MethodPost, "/__admin/faults", rule)
	if r.Status != http.StatusCreated {
		t.Fatalf("add fault %s: %d %s", rule, r.Status, r.Body)
	}
	return r.Map(t)
}

func TestFaultAdminAPI(t *testing.T) {
	srv := fatest.New(t)
	if r := srv.Call(t, http.MethodGet, "/__admin/faults", nil); r.Status != 200 || string(r.Body) != "[]" {
		t.Fatalf("off by default: %d %s", r.Status, r.Body)
	}
	// Off by default: an unknown route is Alianza's 404.
	if r := srv.Call(t, http.MethodGet, apiPath, nil); r.Status != 404 {
		t.Fatalf("no rules: %d", r.Status)
	}
	f1 := addFault(t, srv, `{"match":{"path":"/v2/**","method":"GET"},"action":{"status":500},"times":2}`)
	if f1["id"] != "f1" || f1["hits"] != float64(0) {
		t.Fatalf("added: %v", f1)
	}
	for range 3 {
		srv.CallRaw(t, http.MethodGet, apiPath, nil)
	}
	var list []map[string]any
	srv.Call(t, http.MethodGet, "/__admin/faults", nil).Decode(t, &list)
	if len(list) != 1 || list[0]["hits"] != float64(2) || list[0]["matches"] != float64(2) || list[0]["retired"] != true {
		t.Errorf("counters: %v", list)
	}
	addFault(t, srv, `{"action":{"status":503}}`)
	if f := addFault(t, srv, `{"match":{"sftp":"read","path":"/cdr/**"},"action":{"sftp":"missing"}}`); f["match"].(map[string]any)["sftp"] != "read" {
		t.Errorf("sftp rule: %v", f)
	}
	if r := srv.Call(t, http.MethodDelete, "/__admin/faults/f1", nil); r.Status != 204 {
		t.Errorf("delete: %d", r.Status)
	}
	r := srv.Call(t, http.MethodDelete, "/__admin/faults/f1", nil)
	if st, msgs, _ := r.Envelope(t); st != 404 || msgs[0] != "EntityNotFound" {
		t.Errorf("delete again: %d %s", r.Status, r.Body)
	}
	if r := srv.Call(t, http.MethodDelete, "/__admin/faults", nil); r.Status != 204 {
		t.Errorf("clear: %d", r.Status)
	}
	if r := srv.Call(t, http.MethodGet, "/__admin/faults", nil); string(r.Body) != "[]" {
		t.Errorf("after clear: %s", r.Body)
	}
	for _, bad := range []string{`{"action":{}}`, `{"action":{"status":500},"bogus":1}`, `{"action":{"connection":"zap"}}`,
		`{"action":{"status":500},"probability":2}`, `not json`, `{"action":{"sftp":"missing"}}`,
		`{"match":{"sftp":"login"},"action":{"sftp":"missing"}}`} {
		r := srv.Call(t, http.MethodPost, "/__admin/faults", bad)
		if st, msgs, _ := r.Envelope(t); st != 400 || (msgs[0] != "InvalidFaultRule" && !strings.HasPrefix(msgs[0], "InvalidValueForField")) && msgs[0] != "InvalidRequestBody" {
			t.Errorf("%s: %d %s", bad, r.Status, r.Body)
		}
	}
}

func TestStatusFaultsAnswerLikeAlianza(t *testing.T) {
	srv := fatest.New(t)
	cases := []struct {
		header     string
		status     int
		body       string
		retryAfter string
	}{
		{"status=500", 500, `{"status":500,"messages":["InternalServerError"]}`, ""},
		{"status=401,message=ExpiredAuthToken", 401, `{"status":401,"messages":["ExpiredAuthToken"]}`, ""},
		{"status=401,message=", 401, `{"status":401,"messages":[""]}`, ""},
		{"status=401,message=Unauthorized", 401, `{"message":"Unauthorized"}`, ""},
		{"status=400,message=NotPermitted", 400, `{"status":400,"messages":["NotPermitted"]}`, ""},
		{"status=404", 404, `{"status":404,"messages":["ResourceNotFound"],"data":{"method":"GET","content-type":"","url":"` + apiPath + `"}}`, ""},
		{"status=403", 403, `{"status":403,"messages":["NotPermitted"]}`, ""},
		{"status=409", 409, `{"status":409,"messages":["Conflict"]}`, ""},
		{"status=412", 412, `{"status":412,"messages":["PreconditionFailed"]}`, ""},
		{"status=422", 422, `{"status":422,"messages":["UnprocessableEntity"]}`, ""},
		{"status=429", 429, `{"status":429,"messages":["TooManyRequests"]}`, "1"},
		{"status=429,retryAfter=30", 429, `{"status":429,"messages":["TooManyRequests"]}`, "30"},
		{"status=502", 502, `{"status":502,"messages":["BadGateway"]}`, ""},
		{"status=503", 503, `{"status":503,"messages":["ServiceUnavailable"]}`, ""},
	}
	for _, c := range cases {
		r := srv.CallRaw(t, http.MethodGet, apiPath, nil, "X-Fakealianza-Fault: "+c.header)
		if r.Status != c.status || string(r.Body) != c.body || r.Header.Get("Retry-After") != c.retryAfter {
			t.Errorf("%s: %d %s (Retry-After %q)", c.header, r.Status, r.Body, r.Header.Get("Retry-After"))
		}
		if ct := r.Header.Get("Content-Type"); ct != "application/json" {
			t.Errorf("%s: content type %q", c.header, ct)
		}
	}
	// Rules can also carry data and exact bodies.
	addFault(t, srv, `{"match":{"method":"DELETE"},"action":{"status":404,"message":"EntityNotFound","data":{"type":"Account","id":"a1"}}}`)
	addFault(t, srv, `{"match":{"method":"PUT"},"action":{"status":500,"body":"upstream exploded","contentType":"text/plain"}}`)
	r := srv.CallRaw(t, http.MethodDelete, apiPath+"/a1", nil)
	if string(r.Body) != `{"status":404,"messages":["EntityNotFound"],"data":{"type":"Account","id":"a1"}}` {
		t.Errorf("data: %s", r.Body)
	}
	r = srv.CallRaw(t, http.MethodPut, apiPath+"/a1", "{}")
	if r.Status != 500 || string(r.Body) != "upstream exploded" || r.Header.Get("Content-Type") != "text/plain" {
		t.Errorf("exact body: %d %q %s", r.Status, r.Body, r.Header.Get("Content-Type"))
	}
	// A malformed header is refused with a 400 saying why.
	r = srv.CallRaw(t, http.MethodGet, apiPath, nil, "X-Fakealianza-Fault: status=banana")
	if r.Status != 400 || !strings.Contains(string(r.Body), `"InvalidFaultHeader"`) {
		t.Errorf("bad header: %d %s", r.Status, r.Body)
	}
}

func TestFaultsMatchOnRequestDetails(t *testing.T) {
	srv := fatest.New(t)
	addFault(t, srv, `{"match":{"partitionId":"fakePartitionBravo0002"},"action":{"status":503}}`)
	addFault(t, srv, `{"match":{"headers":{"X-Client":"ci-*"}},"action":{"status":409}}`)
	addFault(t, srv, `{"match":{"operationId":"adminHealth"},"action":{"status":500}}`)
	if r := srv.CallRaw(t, http.MethodGet, bravoPath, nil); r.Status != 503 {
		t.Errorf("partition match: %d", r.Status)
	}
	if r := srv.CallRaw(t, http.MethodGet, apiPath, nil, "X-Client: ci-runner"); r.Status != 409 {
		t.Errorf("header match: %d", r.Status)
	}
	if r := srv.Call(t, http.MethodGet, apiPath, nil, "X-Client: laptop"); r.Status != 404 {
		t.Errorf("no match: %d", r.Status)
	}
	// The control API is never faulted, so a bad rule cannot lock QA out.
	if r := srv.Call(t, http.MethodGet, "/__admin/health", nil); r.Status != 200 {
		t.Errorf("admin faulted: %d", r.Status)
	}
	if r := srv.CallRaw(t, http.MethodGet, "/__admin/health", nil, "X-Fakealianza-Fault: status=500"); r.Status != 200 {
		t.Errorf("admin faulted by header: %d", r.Status)
	}
}

func TestDelayFault(t *testing.T) {
	srv := fatest.New(t)
	start := time.Now()
	r := srv.Call(t, http.MethodGet, apiPath, nil, "X-Fakealianza-Fault: delay=150ms")
	if r.Status != 404 {
		t.Fatalf("a delay alone lets the request through: %d", r.Status)
	}
	// Only a lower bound: the delay must have happened; how much longer
	// the machine took is not this test's business.
	if el := time.Since(start); el < 150*time.Millisecond {
		t.Errorf("answered after %v, before the 150ms delay", el)
	}
	var entries []map[string]any
	srv.Call(t, http.MethodGet, "/__admin/requests", nil).Decode(t, &entries)
	if len(entries) != 1 || !strings.Contains(entries[0]["fault"].(string), "delayed=150ms") {
		t.Errorf("journal: %v", entries)
	}
}

// rawExchange sends one request on a fresh TCP connection and returns what
// came back and how the read ended.
func rawExchange(t *testing.T, srv *fatest.Server, fault string, timeout time.Duration) ([]byte, error) {
	t.Helper()
	conn, err := net.Dial("tcp", srv.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(timeout))
	req := "GET " + apiPath + " HTTP/1.1\r\nHost: x\r\nX-Fakealianza-Fault: connection=" + fault + "\r\n\r\n"
	if _, err := io.WriteString(conn, req); err != nil {
		t.Fatal(err)
	}
	return io.ReadAll(conn)
}

func TestConnectionFaultsOnARealSocket(t *testing.T) {
	srv := fatest.New(t)

	got, err := rawExchange(t, srv, "reset", 10*time.Second)
	if !errors.Is(err, syscall.ECONNRESET) || len(got) != 0 {
		t.Errorf("reset: %q %v", got, err)
	}
	got, err = rawExchange(t, srv, "empty", 10*time.Second)
	if err != nil || len(got) != 0 {
		t.Errorf("empty: %q %v", got, err)
	}
	got, err = rawExchange(t, srv, "garbage", 10*time.Second)
	if err != nil || len(got) < 64 || strings.HasPrefix(string(got), "HTTP/") {
		t.Errorf("garbage: %d bytes %v", len(got), err)
	}
	got, err = rawExchange(t, srv, "hang", 300*time.Millisecond)
	var ne net.Error
	if !errors.As(err, &ne) || !ne.Timeout() || len(got) != 0 {
		t.Errorf("hang: %q %v", got, err)
	}

	// The HTTP client sees the broken responses for what they are.
	get := func(fault string) (*http.Response, error) {
		req, _ := http.NewRequest(http.MethodGet, srv.URL()+apiPath, nil)
		req.Header.Set("X-Fakealianza-Fault", "connection="+fault)
		return srv.RawClient.Do(req)
	}
	resp, err := get("malformed")
	if err == nil {
		_, err = io.ReadAll(resp.Body)
		resp.Body.Close()
	}
	if err == nil || !strings.Contains(err.Error(), "chunk") {
		t.Errorf("malformed chunk: %v", err)
	}
	resp, err = get("truncated")
	if err != nil {
		t.Fatalf("truncated: headers should arrive whole: %v", err)
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !errors.Is(err, io.ErrUnexpectedEOF) || resp.StatusCode != 404 || int64(len(body)) >= resp.ContentLength {
		t.Errorf("truncated: status %d, %d of %d bytes, %v", resp.StatusCode, len(body), resp.ContentLength, err)
	}

	// The server goes on serving after every fault, and the journal
	// recorded them without a status.
	if r := srv.Call(t, http.MethodGet, "/__admin/ready", nil); r.Status != 200 {
		t.Fatalf("server after faults: %d", r.Status)
	}
	var entries []map[string]any
	srv.Call(t, http.MethodGet, "/__admin/requests?status=0", nil).Decode(t, &entries)
	if len(entries) < 5 {
		t.Errorf("journalled connection faults: %d", len(entries))
	}
}

func TestHangEndsWhenTheServerCloses(t *testing.T) {
	srv := fatest.New(t, func(o *fakealianza.Options) { o.HangTimeout = time.Hour })
	addFault(t, srv, `{"action":{"connection":"hang"}}`)
	conn, err := net.Dial("tcp", srv.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_, _ = io.WriteString(conn, "GET /v2/x HTTP/1.1\r\nHost: x\r\n\r\n")
	// Wait until the rule has fired: the connection is then hung.
	for i := 0; ; i++ {
		if srv.Faults().List()[0].Hits == 1 {
			break
		}
		if i > 1000 {
			t.Fatal("the hang rule never fired")
		}
		time.Sleep(5 * time.Millisecond) // polling for a state, not timing anything
	}
	done := make(chan error, 1)
	go func() { _, err := bufio.NewReader(conn).ReadByte(); done <- err }()
	if err := srv.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}
	_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	err = <-done
	var ne net.Error
	if err == nil || (errors.As(err, &ne) && ne.Timeout()) {
		t.Errorf("hung connection after Close: %v", err)
	}
}
