package ui_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/fakealianza/fakealianza"
	"github.com/fakealianza/fakealianza/fatest"
)

// get fetches a dashboard URL without following redirects.
func get(t *testing.T, srv *fatest.Server, method, path string, header ...string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(method, srv.URL()+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(b)
}

// The server side of the pages, without a browser.
func TestPagesServerSide(t *testing.T) {
	srv := fatest.New(t)
	cases := []struct {
		method, path string
		status       int
		want         string // in the body, or the Location header of a redirect
	}{
		{"GET", "/", http.StatusFound, "/__admin/ui/"},
		{"HEAD", "/", http.StatusFound, "/__admin/ui/"},
		{"GET", "/__admin/ui", http.StatusFound, "/__admin/ui/"},
		{"GET", "/__admin/ui/", 200, "fakePartitionAlpha0001"},
		{"GET", "/__admin/ui/explorer?partition=fakePartitionAlpha0001", 200, "ACME-1001"},
		{"GET", "/__admin/ui/explorer?q=%3Cscript%3E", 200, "&lt;script&gt;"},
		{"GET", "/__admin/ui/journal?method=POST", 200, `<option value="POST" selected>`},
		{"GET", "/__admin/ui/faults", 200, "token-expiry-storm"},
		{"GET", "/__admin/ui/clock", 200, "Lifecycle modes"},
		{"GET", "/__admin/ui/datafeed?partition=fakePartitionBravo0002", 200, "Files of fakePartitionBravo0002"},
		{"GET", "/__admin/ui/datafeed?partition=nope", http.StatusBadGateway, "EntityNotFound"},
		{"GET", "/__admin/ui/state", 200, "Download the state"},
		{"GET", "/__admin/ui/certification", 200, "No rehearsal has run"},
		{"GET", "/__admin/ui/static/ui.js", 200, "X-Fakealianza-Admin-Key"},
		{"GET", "/__admin/ui/static/ui.css", 200, ":focus-visible"},
		{"GET", "/__admin/ui/nothing", http.StatusNotFound, "404"},
		{"POST", "/__admin/ui/state", http.StatusMethodNotAllowed, "/__admin API"},
		{"POST", "/", http.StatusNotFound, "ResourceNotFound"}, // only GET / redirects
	}
	for _, c := range cases {
		resp, body := get(t, srv, c.method, c.path)
		got := body
		if resp.StatusCode == http.StatusFound {
			got = resp.Header.Get("Location")
		}
		if resp.StatusCode != c.status || (c.method != "HEAD" && !strings.Contains(got, c.want)) {
			t.Errorf("%s %s: %d, want %d with %q; got %.300s", c.method, c.path, resp.StatusCode, c.status, c.want, got)
		}
		if resp.StatusCode == 200 && strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") &&
			!strings.Contains(resp.Header.Get("Content-Security-Policy"), "default-src 'self'") {
			t.Errorf("%s: no CSP", c.path)
		}
	}
	// The dashboard's own pages are not journalled (they are under /__admin).
	var entries []any
	srv.Call(t, http.MethodGet, "/__admin/requests", nil).Decode(t, &entries)
	if len(entries) != 1 { // the POST / above
		t.Errorf("journal: %v", entries)
	}
}

func TestPagesNeedTheKey(t *testing.T) {
	const key = "the-key"
	srv := fatest.New(t, func(o *fakealianza.Options) { o.AdminKey = key })
	for _, p := range []string{"", "explorer", "journal", "faults", "clock", "datafeed", "state", "certification"} {
		resp, body := get(t, srv, "GET", "/__admin/ui/"+p)
		if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(body, "data-need-key") ||
			strings.Contains(body, "fakePartitionAlpha0001") || strings.Contains(body, "token-expiry-storm") {
			t.Errorf("%s without the key: %d %.300s", p, resp.StatusCode, body)
		}
		resp, _ = get(t, srv, "GET", "/__admin/ui/"+p, "X-Fakealianza-Admin-Key", "wrong")
		if resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("%s with a wrong key: %d", p, resp.StatusCode)
		}
		resp, body = get(t, srv, "GET", "/__admin/ui/"+p, "X-Fakealianza-Admin-Key", key)
		if resp.StatusCode != 200 || strings.Contains(body, "data-need-key") || strings.Contains(body, key) {
			t.Errorf("%s with the key: %d %.300s", p, resp.StatusCode, body)
		}
	}
}

// The certification page shows a running session and its live report, then
// the stopped session with its downloads and the start form again.
func TestCertificationPage(t *testing.T) {
	srv := fatest.New(t)
	if r := srv.Call(t, http.MethodPost, "/__admin/certification/start", map[string]any{
		"useCases": []string{"account-lifecycle", "voicemail"}, "probes": []string{"validation"},
		"partitionId": fatest.AlphaPartition, "seed": 7,
	}); r.Status != http.StatusCreated {
		t.Fatalf("start: %d %s", r.Status, r.Body)
	}
	tok := srv.Admin(t)
	for range 2 {
		if r := srv.Call(t, http.MethodGet, "/v2/partition/"+fatest.AlphaPartition+"/account", nil, fatest.Auth(tok)); r.Status != 200 {
			t.Fatalf("account list: %d %s", r.Status, r.Body)
		}
	}
	page := func() string {
		t.Helper()
		resp, body := get(t, srv, "GET", "/__admin/ui/certification")
		if resp.StatusCode != 200 {
			t.Fatalf("page: %d %.300s", resp.StatusCode, body)
		}
		return body
	}
	running := page()
	for _, want := range []string{
		`data-refresh=`, "<strong>running</strong>", fatest.AlphaPartition, "<code>account-lifecycle</code> <code>voicemail</code>",
		`id="cert-stop"`, "<dd>7</dd>",
		`<tr data-use-case="account-lifecycle">`, "GET /v2/partition/{partitionId}/account</code>", ": 2 calls · 200×2</li>",
		`<tr data-use-case="voicemail" class="err">`, "use case voicemail claimed but not exercised",
		`<tr data-probe="validation" class="err">`, "<strong>not-exercised</strong>", "Not ready",
		`data-download="/__admin/certification/transcript?useCase=account-lifecycle"`,
		`data-download="/__admin/certification/har?useCase=account-lifecycle"`,
		`data-download="/__admin/certification/report?format=markdown"`,
	} {
		if !strings.Contains(running, want) {
			t.Errorf("running session: the page lacks %q", want)
		}
	}
	for _, not := range []string{"data-api=\"POST /__admin/certification/start\"", `data-download="/__admin/certification/transcript?useCase=voicemail"`} {
		if strings.Contains(running, not) {
			t.Errorf("running session: the page shows %q", not)
		}
	}
	if r := srv.Call(t, http.MethodPost, "/__admin/certification/stop", nil); r.Status != 200 {
		t.Fatalf("stop: %d %s", r.Status, r.Body)
	}
	stopped := page()
	for _, want := range []string{"stopped at", "Not ready", "data-api=\"POST /__admin/certification/start\"",
		`<option value="fakePartitionBravo0002">`, `name="probes" value="late-file"`} {
		if !strings.Contains(stopped, want) {
			t.Errorf("stopped session: the page lacks %q", want)
		}
	}
	if strings.Contains(stopped, "data-refresh") || strings.Contains(stopped, `id="cert-stop"`) {
		t.Error("stopped session: the page still refreshes or offers stop")
	}
}
