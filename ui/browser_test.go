package ui_test

// The dashboard in a real browser: Debian's chromium driven by chromedp, one
// browser for the whole file, a tab and a fresh server per test. Each action
// is taken in the page and its effect checked through the admin API.

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/fakealianza/fakealianza"
	"github.com/fakealianza/fakealianza/fatest"
)

var (
	shots    = flag.Bool("ui.screenshots", false, "write a PNG of each dashboard page (where: -ui.screenshots.dir)")
	shotsDir = flag.String("ui.screenshots.dir", "", "folder for -ui.screenshots (default: a new temporary folder, logged)")
)

// browserCtx is the one browser of this file; nil when there is none.
var (
	browserCtx context.Context
	noBrowser  string
)

func TestMain(m *testing.M) {
	flag.Parse()
	os.Exit(runWithBrowser(m))
}

func runWithBrowser(m *testing.M) int {
	path := ""
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			path = p
			break
		}
	}
	if path == "" {
		if os.Getenv("CI") != "" {
			fmt.Fprintln(os.Stderr, "ui: CI is set and chromium is missing: the dashboard's browser tests cannot run (.ci/run installs it)")
			return 1
		}
		noBrowser = "chromium is not installed: the dashboard's browser tests skip (apt-get install chromium)"
		return m.Run()
	}
	profile, err := os.MkdirTemp("", "fakealianza-ui-chromium-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "ui:", err)
		return 1
	}
	defer removeAll(profile)
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(path), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true), chromedp.UserDataDir(profile), chromedp.WindowSize(1280, 900))
	defer cancelAlloc()
	ctx, cancel := chromedp.NewContext(alloc)
	defer cancel()
	if err := chromedp.Do(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "ui: start chromium:", err)
		return 1
	}
	browserCtx = ctx
	return m.Run()
}

// removeAll retries: chromium's helpers may still write for a moment.
func removeAll(dir string) {
	for range 50 {
		if os.RemoveAll(dir) == nil {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// dash is one browser tab on one server.
type dash struct {
	t   *testing.T
	srv *fatest.Server
	ctx context.Context
	key string // the admin key the API checks send
}

func open(t *testing.T, edit ...func(*fakealianza.Options)) *dash {
	t.Helper()
	if browserCtx == nil {
		t.Skip(noBrowser)
	}
	srv := fatest.New(t, edit...)
	ctx, cancel := chromedp.NewContext(browserCtx)
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("new tab: %v", err)
	}
	return &dash{t: t, srv: srv, ctx: ctx}
}

// do runs browser steps, bounded.
func (d *dash) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	d.t.Helper()
	ctx, cancel := context.WithTimeout(d.ctx, 20*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		d.t.Fatalf("%s: %v (page: %s)", what, err, d.statusText())
	}
}

// js evaluates an expression in the page.
func js[T any](d *dash, expr string) T {
	d.t.Helper()
	ctx, cancel := context.WithTimeout(d.ctx, 10*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr, chromedp.EvalAsValue, chromedp.EvalAwaitPromise))
	if err != nil {
		d.t.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

// waitFor waits until the expression is truthy. A navigation on the way
// (a link, a GET form) ends a poll; it starts again in the new page.
func (d *dash) waitFor(what, expr string, within time.Duration) {
	d.t.Helper()
	deadline := time.Now().Add(within)
	for {
		left := time.Until(deadline)
		if left <= 0 {
			d.t.Fatalf("%s: not within %s (status line: %q)", what, within, d.statusText())
		}
		ctx, cancel := context.WithTimeout(d.ctx, left+time.Second)
		_, err := chromedp.Run(ctx, chromedp.Poll[chromedp.Void](expr,
			chromedp.WithPollingInterval(10*time.Millisecond), chromedp.WithPollingTimeout(left)))
		cancel()
		if err == nil {
			return
		}
		if !strings.Contains(err.Error(), "navigated or closed") && !strings.Contains(err.Error(), "context was destroyed") &&
			!strings.Contains(err.Error(), "Cannot find context") {
			d.t.Fatalf("%s: not within %s: %v (status line: %q)", what, within, err, d.statusText())
		}
	}
}

func (d *dash) statusText() string {
	ctx, cancel := context.WithTimeout(d.ctx, 2*time.Second)
	defer cancel()
	s, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`(document.getElementById('status') || {}).textContent || ''`))
	return s
}

// waitStatus waits for the status line to say text (an action's outcome).
func (d *dash) waitStatus(text string) {
	d.t.Helper()
	d.waitFor("status "+text, fmt.Sprintf(`(document.getElementById('status') || {}).textContent === %q`, text), 10*time.Second)
}

// visit opens a dashboard page and waits for its heading.
func (d *dash) visit(page, title string) {
	d.t.Helper()
	d.do("visit "+page, chromedp.Navigate(d.srv.URL()+"/__admin/ui/"+page))
	d.waitHeading(title)
}

func (d *dash) waitHeading(title string) {
	d.t.Helper()
	d.waitFor("heading "+title, fmt.Sprintf(`(document.querySelector('main h1') || {}).textContent === %q`, title), 10*time.Second)
}

func (d *dash) click(sel string) {
	d.t.Helper()
	d.do("click "+sel, chromedp.Click(sel, chromedp.NodeVisible))
}

func (d *dash) set(sel, value string) {
	d.t.Helper()
	d.do("set "+sel, chromedp.SetValue(sel, value, chromedp.NodeReady))
}

// api calls the admin API (with the key when there is one), checked against the spec.
func (d *dash) api(method, path string, body any) *fatest.Resp {
	d.t.Helper()
	var h []string
	if d.key != "" {
		h = append(h, "X-Fakealianza-Admin-Key: "+d.key)
	}
	return d.srv.Call(d.t, method, path, body, h...)
}

func (d *dash) decode(path string, v any) {
	d.t.Helper()
	r := d.api(http.MethodGet, path, nil)
	if r.Status != http.StatusOK {
		d.t.Fatalf("GET %s: %d %s", path, r.Status, r.Body)
	}
	r.Decode(d.t, v)
}

// download clicks a button that downloads and returns the file's name and bytes.
func (d *dash) download(sel string) (string, []byte) {
	d.t.Helper()
	dir := d.t.TempDir()
	ctx, cancel := context.WithTimeout(d.ctx, 20*time.Second)
	defer cancel()
	if _, err := chromedp.CallBrowser(ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
		Behavior: browser.SetDownloadBehaviorBehaviorAllowAndName, DownloadPath: dir, EventsEnabled: ptr(true),
	}); err != nil {
		d.t.Fatalf("download behaviour: %v", err)
	}
	begin := chromedp.BrowserEvents(ctx, browser.DownloadWillBegin)
	progress := chromedp.BrowserEvents(ctx, browser.DownloadProgress)
	d.click(sel)
	var name, guid string
	for ev, err := range begin {
		if err != nil {
			d.t.Fatalf("download of %s did not begin: %v (status: %q)", sel, err, d.statusText())
		}
		name, guid = ev.SuggestedFilename, ev.GUID
		break
	}
	for ev, err := range progress {
		if err != nil {
			d.t.Fatalf("download of %s: %v", sel, err)
		}
		if ev.GUID == guid && ev.State == browser.DownloadProgressStateCompleted {
			break
		}
		if ev.GUID == guid && ev.State == browser.DownloadProgressStateCanceled {
			d.t.Fatalf("download of %s cancelled", sel)
		}
	}
	b, err := os.ReadFile(filepath.Join(dir, guid))
	if err != nil {
		d.t.Fatal(err)
	}
	return name, b
}

func ptr[T any](v T) *T { return &v }

var (
	shotsOnce sync.Once
	shotsPath string
)

// shot writes a PNG of the page when -ui.screenshots asks for it.
func (d *dash) shot(name string) {
	d.t.Helper()
	if !*shots {
		return
	}
	shotsOnce.Do(func() {
		shotsPath = *shotsDir
		if shotsPath == "" {
			p, err := os.MkdirTemp("", "fakealianza-ui-screenshots-")
			if err != nil {
				d.t.Fatal(err)
			}
			shotsPath = p
		} else if err := os.MkdirAll(shotsPath, 0o755); err != nil {
			d.t.Fatal(err)
		}
	})
	ctx, cancel := context.WithTimeout(d.ctx, 20*time.Second)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		d.t.Fatalf("screenshot %s: %v", name, err)
	}
	p := filepath.Join(shotsPath, name+".png")
	if err := os.WriteFile(p, png, 0o644); err != nil {
		d.t.Fatal(err)
	}
	d.t.Logf("screenshot %s", p)
}

// traffic makes a little of everything the overview and journal show.
func traffic(t *testing.T, srv *fatest.Server) {
	t.Helper()
	tok := srv.Admin(t)
	srv.Call(t, http.MethodGet, "/v2/partition/fakePartitionAlpha0001/account", nil, fatest.Auth(tok))
	srv.Call(t, http.MethodGet, "/v2/partition/fakePartitionAlpha0001/account/fakeAcct00000000000001", nil, fatest.Auth(tok))
	srv.Call(t, http.MethodGet, "/v2/partition/fakePartitionAlpha0001/account/nope", nil, fatest.Auth(tok))
	srv.Call(t, http.MethodGet, "/v2/partition/fakePartitionBravo0002", nil, fatest.Auth(tok))
	srv.CallRaw(t, http.MethodGet, "/v2/partition/fakePartitionAlpha0001/account", nil, fatest.Auth(tok), "X-Fakealianza-Fault: status=503")
}

var pages = []struct{ path, title, content string }{
	{"", "Overview", "#h-partitions"},
	{"explorer?partition=fakePartitionAlpha0001&account=fakeAcct00000000000001", "State explorer", "#h-account"},
	{"journal", "Journal", "#journal[data-live=true]"},
	{"faults", "Faults and scenarios", "form[data-api='POST /__admin/faults']"},
	{"clock", "Clock and lifecycles", "#now"},
	{"datafeed", "Datafeed", "details.day[open]"},
	{"state", "State", "form[data-upload]"},
	{"certification", "Certification", "form[data-api='POST /__admin/certification/start']"},
}

func TestEveryPageLoads(t *testing.T) {
	d := open(t)
	traffic(t, d.srv)
	if r := d.api(http.MethodPost, "/__admin/scenarios/activation-on-hold/start", nil); r.Status != 200 {
		t.Fatalf("scenario: %d %s", r.Status, r.Body)
	}
	// GET / lands on the overview.
	d.do("root", chromedp.Navigate(d.srv.URL()+"/"))
	d.waitHeading("Overview")
	if loc := js[string](d, `location.pathname`); loc != "/__admin/ui/" {
		t.Errorf("/ led to %s", loc)
	}
	for _, p := range pages {
		d.visit(p.path, p.title)
		d.waitFor(p.title+" content", fmt.Sprintf(`!!document.querySelector(%q)`, p.content), 5*time.Second)
		if js[bool](d, `!!document.querySelector('.problem')`) {
			t.Errorf("%s shows a problem: %s", p.title, js[string](d, `document.querySelector('.problem').textContent`))
		}
		if cur := js[string](d, `document.querySelector('nav a[aria-current=page]').textContent`); cur != p.title {
			t.Errorf("%s: the navigation marks %q", p.title, cur)
		}
		name := strings.SplitN(p.path, "?", 2)[0]
		if name == "" {
			name = "overview"
		}
		if name == "journal" {
			d.waitFor("journal rows", `document.querySelectorAll('#journal tbody tr').length >= 6`, 5*time.Second)
			d.click(`#journal tbody tr:nth-child(2) button`)
			d.waitFor("detail", `!document.getElementById('detail').hidden`, 5*time.Second)
		}
		d.shot(name)
	}
	overview := map[string]string{
		"logins":   "admin@example.com",
		"scenario": "activation-on-hold",
		"counts":   "accounts 3",
		"errors":   "/v2/partition/fakePartitionAlpha0001/account/nope",
		"sftp":     d.srv.SFTPAddr(),
	}
	d.visit("", "Overview")
	text := js[string](d, `document.querySelector('main').innerText`)
	for what, want := range overview {
		if !strings.Contains(text, want) {
			t.Errorf("overview lacks %s (%q)", what, want)
		}
	}
}

func TestKeyboard(t *testing.T) {
	d := open(t)
	d.visit("", "Overview")
	// The first Tab reaches the skip link; Enter moves to the content.
	d.do("tab", chromedp.KeyEvent(kb.Tab))
	if got := js[string](d, `document.activeElement.className`); got != "skip" {
		t.Fatalf("first tab stop: %q", got)
	}
	d.do("enter", chromedp.KeyEvent(kb.Enter))
	d.waitFor("skip to main", `document.activeElement.id === 'main'`, 5*time.Second)
	// Focus is visible on a keyboard-focused control.
	d.do("tab", chromedp.KeyEvent(kb.Tab))
	if s := js[string](d, `getComputedStyle(document.activeElement).outlineStyle`); s != "solid" {
		t.Errorf("focused %s has outline %q", js[string](d, `document.activeElement.outerHTML.slice(0, 80)`), s)
	}
	// Every form control has a label; every button has a name.
	for _, p := range pages {
		d.visit(p.path, p.title)
		unlabelled := js[[]string](d, `[...document.querySelectorAll('input:not([type=hidden]), select, textarea')]
			.filter(e => !e.labels || e.labels.length === 0).map(e => e.outerHTML)`)
		nameless := js[[]string](d, `[...document.querySelectorAll('button, a[href]')]
			.filter(e => !(e.getAttribute('aria-label') || e.textContent.trim())).map(e => e.outerHTML)`)
		if len(unlabelled)+len(nameless) > 0 {
			t.Errorf("%s: controls without a label %v, without a name %v", p.title, unlabelled, nameless)
		}
	}
	// A scenario starts from the keyboard alone.
	d.visit("faults", "Faults and scenarios")
	d.do("focus start", chromedp.Focus(`button[aria-label="Start ports-rejected"]`), chromedp.KeyEvent(kb.Enter))
	d.waitStatus("Scenario ports-rejected started.")
	// The page came back with the focus where it was (now on Stop).
	if got := js[string](d, `document.activeElement.getAttribute('aria-label')`); got != "Stop ports-rejected" {
		t.Errorf("focus after the action: %q", got)
	}
	var list []struct {
		Name   string
		Active bool
	}
	d.decode("/__admin/scenarios", &list)
	for _, s := range list {
		if s.Name == "ports-rejected" && !s.Active {
			t.Error("ports-rejected is not active")
		}
	}
}

func TestScenariosAndFaults(t *testing.T) {
	d := open(t)
	d.visit("faults", "Faults and scenarios")
	scenario := func(name string) bool {
		var list []struct {
			Name   string
			Active bool
		}
		d.decode("/__admin/scenarios", &list)
		for _, s := range list {
			if s.Name == name {
				return s.Active
			}
		}
		t.Fatalf("no scenario %s", name)
		return false
	}
	d.click(`button[aria-label="Start flaky-500s"]`)
	d.waitStatus("Scenario flaky-500s started.")
	if !scenario("flaky-500s") {
		t.Fatal("flaky-500s did not start")
	}
	d.click(`button[aria-label="Stop flaky-500s"]`)
	d.waitStatus("Scenario flaky-500s stopped.")
	if scenario("flaky-500s") {
		t.Fatal("flaky-500s did not stop")
	}

	// Add a rule with the form.
	const path = "/v2/partition/fakePartitionAlpha0001/fakealianza-ui"
	for sel, v := range map[string]string{
		`[name="match.method"]`: "GET", `[name="match.path"]`: path + "/**", `[name="action.status"]`: "503",
		`[name="action.message"]`: "BackendDown", `[name="times"]`: "3", `[name="description"]`: "from the dashboard",
	} {
		d.set(sel, v)
	}
	d.click(`form[data-api="POST /__admin/faults"] button[type=submit]`)
	d.waitStatus("Rule added.")
	type rule struct {
		ID          string
		Description string
		Match       map[string]any
		Action      map[string]any
		Times       int
	}
	var rules []rule
	d.decode("/__admin/faults", &rules)
	if len(rules) != 1 || rules[0].Match["path"] != path+"/**" || rules[0].Match["method"] != "GET" ||
		rules[0].Action["status"] != float64(503) || rules[0].Action["message"] != "BackendDown" || rules[0].Times != 3 {
		t.Fatalf("rules: %+v", rules)
	}
	if r := d.srv.CallRaw(t, http.MethodGet, path+"/x", nil); r.Status != 503 || !strings.Contains(string(r.Body), "BackendDown") {
		t.Errorf("the rule does not fire: %d %s", r.Status, r.Body)
	}

	// Delete it.
	d.click(fmt.Sprintf(`button[aria-label="Delete rule %s"]`, rules[0].ID))
	d.waitStatus(fmt.Sprintf("Rule %s deleted.", rules[0].ID))
	d.decode("/__admin/faults", &rules)
	if len(rules) != 0 {
		t.Fatalf("rules after delete: %+v", rules)
	}
	// An API refusal is shown, not swallowed.
	d.set(`[name="probability"]`, "1")
	d.set(`[name="action.connection"]`, "reset")
	d.set(`[name="action.status"]`, "500")
	d.click(`form[data-api="POST /__admin/faults"] button[type=submit]`)
	d.waitFor("refusal", `document.getElementById('status').className === 'bad' && document.getElementById('status').textContent.startsWith('400 InvalidFaultRule')`, 10*time.Second)

	// Delete every rule at once.
	for range 2 {
		if r := d.api(http.MethodPost, "/__admin/faults", map[string]any{"action": map[string]any{"status": 500}, "match": map[string]any{"path": "/nowhere"}}); r.Status != 201 {
			t.Fatalf("add: %d %s", r.Status, r.Body)
		}
	}
	d.visit("faults", "Faults and scenarios")
	d.click(`button[data-api="DELETE /__admin/faults"]`)
	d.waitStatus("Every rule deleted.")
	if d.decode("/__admin/faults", &rules); len(rules) != 0 {
		t.Fatalf("rules after delete all: %+v", rules)
	}
}

func TestClockAndLifecycles(t *testing.T) {
	d := open(t)
	var before, after struct {
		Now    time.Time
		Frozen bool
	}
	d.visit("clock", "Clock and lifecycles")
	d.decode("/__admin/clock", &before)
	d.set(`input[name=advance]`, "3h")
	d.click(`form[data-done="Clock advanced."] button`)
	d.waitStatus("Clock advanced.")
	d.decode("/__admin/clock", &after)
	if moved := after.Now.Sub(before.Now); moved < 3*time.Hour || moved > 3*time.Hour+time.Minute {
		t.Fatalf("the clock moved %s", moved)
	}
	d.click(`button[data-body='{"freeze":true}']`)
	d.waitStatus("Clock frozen.")
	if d.decode("/__admin/clock", &after); !after.Frozen {
		t.Fatal("not frozen")
	}

	// Port lifecycle manual, from the page.
	d.set(`input[name=port]`, "manual")
	d.click(`button[aria-label="Set the mode of port"]`)
	d.waitStatus("port mode set.")
	var modes map[string]struct{ Mode string }
	if d.decode("/__admin/lifecycle", &modes); modes["port"].Mode != "manual" {
		t.Fatalf("modes: %+v", modes)
	}
	tok := fatest.Auth(d.srv.Admin(t))
	A := "/v2/partition/fakePartitionAlpha0001/account/fakeAcct00000000000001"
	port := func(tn string) string {
		r := d.srv.Call(t, http.MethodPost, A+"/telephonenumber", map[string]any{
			"customerServiceRecord": map[string]any{"lastName": "Port", "streetNumber": "1", "streetName": "MAIN", "city": "SALT LAKE CITY", "state": "UT", "country": "USA", "postalCode": "84101"},
			"directoryListing":      map[string]any{"type": "PORTED"}, "port": map[string]any{"crdDate": "2030-01-07"},
			"telephoneNumbers": []any{map[string]any{"phoneNumber": tn}}}, tok)
		if r.Status != 200 {
			t.Fatalf("port: %d %s", r.Status, r.Body)
		}
		return r.Map(t)["port"].(map[string]any)["id"].(string)
	}
	approve, reject := port("15055550150"), port("15055550151")
	d.visit("clock", "Clock and lifecycles")
	d.click(fmt.Sprintf(`button[aria-label="Advance port %s"]`, approve))
	d.waitStatus(fmt.Sprintf("port %s advanced.", approve))
	d.click(fmt.Sprintf(`button[aria-label="Approve port %s"]`, approve))
	d.waitStatus(fmt.Sprintf("port %s advanced.", approve))
	d.click(fmt.Sprintf(`button[aria-label="Reject port %s"]`, reject))
	d.waitStatus(fmt.Sprintf("port %s rejected.", reject))

	var pending []any
	if d.decode("/__admin/lifecycle/pending", &pending); len(pending) != 0 {
		t.Errorf("still pending: %v", pending)
	}
	var st struct {
		ActivationEvents []struct {
			ReferenceID          string
			ActivationStatusType string
		}
	}
	d.decode("/__admin/state", &st)
	got := map[string]string{}
	for _, e := range st.ActivationEvents {
		got[e.ReferenceID] = e.ActivationStatusType
	}
	if got[approve] != "FOC_RECEIVED" || got[reject] != "REJECTED" {
		t.Errorf("ports: approved %s, rejected %s", got[approve], got[reject])
	}

	// Set the (frozen) clock to a given time.
	at := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	d.set(`input[name=set]`, at.Format(time.RFC3339))
	d.click(`form[data-done="Clock set."] button`)
	d.waitStatus("Clock set.")
	if d.decode("/__admin/clock", &after); !after.Now.Equal(at) || !after.Frozen {
		t.Errorf("clock after set: %+v", after)
	}
}

func TestDatafeed(t *testing.T) {
	d := open(t)
	d.visit("datafeed", "Datafeed")
	sel := js[string](d, `(() => {
		const row = [...document.querySelectorAll('details.day tbody tr')].find(r => r.cells[1].textContent !== '0');
		return row ? row.querySelector('button').getAttribute('aria-label') : '';
	})()`)
	if sel == "" {
		t.Fatal("no file with records listed")
	}
	path := strings.TrimPrefix(sel, "Download ")
	name, got := d.download(fmt.Sprintf(`button[aria-label=%q]`, sel))
	want := d.api(http.MethodGet, "/__admin/datafeed/file?partitionId=fakePartitionAlpha0001&path="+path, nil)
	if want.Status != 200 || !bytes.Equal(got, want.Body) || name != filepath.Base(path) {
		t.Fatalf("downloaded %s (%d bytes), the API has %s (%d bytes, status %d)", name, len(got), filepath.Base(path), len(want.Body), want.Status)
	}

	// Generate calls for two hours to come.
	var clock struct{ Now time.Time }
	d.decode("/__admin/clock", &clock)
	from := clock.Now.Truncate(time.Hour).Add(2 * time.Hour)
	d.set(`form[data-api="POST /__admin/cdrs/generate"] [name=from]`, from.Format(time.RFC3339))
	d.set(`form[data-api="POST /__admin/cdrs/generate"] [name=to]`, from.Add(2*time.Hour).Format(time.RFC3339))
	d.set(`form[data-api="POST /__admin/cdrs/generate"] [name=callsPerHour]`, "7")
	d.click(`form[data-api="POST /__admin/cdrs/generate"] button[type=submit]`)
	d.waitStatus("Calls generated.")
	var st struct {
		CDRFills []struct {
			PartitionID string
			Hour        time.Time
			Calls       int
		} `json:"cdrFills"`
	}
	d.decode("/__admin/state", &st)
	n := 0
	for _, f := range st.CDRFills {
		if f.PartitionID == "fakePartitionAlpha0001" && !f.Hour.Before(from) && f.Calls == 7 {
			n++
		}
	}
	if n != 2 {
		t.Errorf("%d hours filled: %+v", n, st.CDRFills)
	}

	// Stage an exact record.
	start := clock.Now.Truncate(time.Hour).Add(5 * time.Hour).Format(time.RFC3339)
	d.set(`#records`, `[{"partitionId":"fakePartitionAlpha0001","startTime":"`+start+
		`","callType":"OUTBOUND","origNumber":"18015550101","termNumber":"13125550177"}]`)
	d.click(`form[data-api="POST /__admin/cdrs"] button[type=submit]`)
	d.waitStatus("Records staged.")
	var staged struct {
		CDRs []struct{ PartitionID, TermNumber, ID string } `json:"cdrs"`
	}
	d.decode("/__admin/state", &staged)
	found := false
	for _, c := range staged.CDRs {
		found = found || (c.TermNumber == "13125550177" && c.PartitionID == "fakePartitionAlpha0001" && c.ID != "")
	}
	if !found {
		t.Errorf("the staged record is not in the state: %+v", staged.CDRs)
	}
}

func TestJournalLive(t *testing.T) {
	d := open(t)
	d.visit("journal", "Journal")
	d.waitFor("live", `document.getElementById('journal').dataset.live === 'true'`, 10*time.Second)

	// A request from outside shows within a second.
	const path = "/v2/partition/fakePartitionAlpha0001/fakealianza-ui-live"
	d.srv.CallRaw(t, http.MethodGet, path, nil, "X-AUTH-TOKEN: tok-very-secret")
	row := fmt.Sprintf(`[...document.querySelectorAll('#journal tbody tr')].find(r => r.cells[3].textContent === %q)`, path)
	d.waitFor("the outside request", row, time.Second)
	d.do("detail", chromedp.Evaluate[chromedp.Void](row+`.querySelector('button').click()`))
	d.waitFor("detail", `!document.getElementById('detail').hidden`, 5*time.Second)
	detail := js[string](d, `document.getElementById('detail').innerText`)
	if !strings.Contains(detail, "[REDACTED]") || strings.Contains(detail, "tok-very-secret") || !strings.Contains(detail, "ResourceNotFound") {
		t.Errorf("detail: %s", detail)
	}

	// HAR download.
	name, har := d.download(`button[data-download="/__admin/requests/har"]`)
	var doc struct {
		Log struct {
			Entries []struct {
				Request struct{ URL string }
			}
		}
	}
	if err := json.Unmarshal(har, &doc); err != nil || name != "fakealianza.har" || len(doc.Log.Entries) != 1 ||
		!strings.HasSuffix(doc.Log.Entries[0].Request.URL, path) {
		t.Fatalf("HAR %s: %v %s", name, err, har)
	}

	// Filters: only POSTs now.
	d.set(`select[name=method]`, "POST")
	d.click(`#journal-filters button[type=submit]`)
	d.waitFor("filtered page", `location.search === '?method=POST&status=&path=&partitionId=&operationId='`, 10*time.Second)
	d.waitFor("live", `document.getElementById('journal').dataset.live === 'true'`, 10*time.Second)
	d.srv.CallRaw(t, http.MethodGet, path+"/get", nil)
	d.srv.CallRaw(t, http.MethodPost, path+"/post", nil)
	d.waitFor("the POST", fmt.Sprintf(`[...document.querySelectorAll('#journal tbody tr')].some(r => r.cells[3].textContent === %q)`, path+"/post"), 5*time.Second)
	if rows := js[[]string](d, `[...document.querySelectorAll('#journal tbody tr')].map(r => r.cells[2].textContent)`); len(rows) != 1 || rows[0] != "POST" {
		t.Errorf("filtered rows: %v", rows)
	}

	// Clear.
	d.click(`button[data-api="DELETE /__admin/requests"]`)
	d.waitStatus("Journal cleared.")
	var left []any
	if d.decode("/__admin/requests", &left); len(left) != 0 {
		t.Errorf("journal after clear: %d entries", len(left))
	}
}

func TestStatePage(t *testing.T) {
	d := open(t)
	d.visit("state", "State")
	d.set(`input[name=name]`, "Made in the UI")
	d.click(`form[data-api="POST /__admin/partitions"] button`)
	d.waitFor("logins", `document.querySelector('#created pre') !== null`, 10*time.Second)
	var created struct{ PartitionID, Username, Password string }
	if err := json.Unmarshal([]byte(js[string](d, `document.querySelector('#created pre').textContent`)), &created); err != nil ||
		created.Username == "" || created.Password == "" {
		t.Fatalf("created: %+v %v", created, err)
	}
	partitions := func() map[string]string {
		var st struct{ Partitions []struct{ ID, Name string } }
		d.decode("/__admin/state", &st)
		out := map[string]string{}
		for _, p := range st.Partitions {
			out[p.ID] = p.Name
		}
		return out
	}
	if partitions()[created.PartitionID] != "Made in the UI" {
		t.Fatalf("partition not made: %v", partitions())
	}
	if tok := d.srv.Login(t, created.Username, created.Password); tok == "" {
		t.Fatal("the shown login does not work")
	}

	// Snapshot download, reset, upload.
	_, snap := d.download(`button[data-download="/__admin/state"]`)
	if !bytes.Contains(snap, []byte("Made in the UI")) {
		t.Fatalf("snapshot lacks the partition: %.200s", snap)
	}
	file := filepath.Join(t.TempDir(), "state.json")
	if err := os.WriteFile(file, snap, 0o644); err != nil {
		t.Fatal(err)
	}
	d.visit("state", "State")
	d.click(`button[data-api="POST /__admin/reset"]`)
	d.waitStatus("Everything is back to the fixtures.")
	if _, ok := partitions()[created.PartitionID]; ok {
		t.Fatal("reset kept the partition")
	}
	d.do("choose file", chromedp.SetUploadFiles(`input[type=file]`, []string{file}))
	d.click(`form[data-upload] button[type=submit]`)
	d.waitStatus("State loaded.")
	if partitions()[created.PartitionID] != "Made in the UI" {
		t.Fatal("the upload did not bring the partition back")
	}

	// Reset one partition: a partition made by the API goes.
	d.set(`select[name=partitionId]`, created.PartitionID)
	d.click(`form[data-api="POST /__admin/partitions/{partitionId}/reset"] button`)
	d.waitStatus("Partition reset.")
	if p := partitions(); len(p) != 2 || p[created.PartitionID] != "" {
		t.Fatalf("after the partition reset: %v", p)
	}
}

func TestExplorerSearch(t *testing.T) {
	d := open(t)
	d.visit("explorer", "State explorer")
	d.set(`#q`, "801-555-0101")
	d.click(`form[role=search] button[type=submit]`)
	d.waitFor("results", `!!document.getElementById('h-results')`, 10*time.Second)
	results := js[string](d, `document.querySelector('section[aria-labelledby=h-results]').innerText`)
	if !strings.Contains(results, "telephoneNumbers") || !strings.Contains(results, "18015550101") {
		t.Fatalf("results: %s", results)
	}
	d.click(`section[aria-labelledby=h-results] a[href*="account=fakeAcct00000000000001"]`)
	d.waitFor("account", `!!document.getElementById('h-account')`, 10*time.Second)
	text := js[string](d, `document.querySelector('main').innerText`)
	for _, want := range []string{"ACME-1001", "endUsers", "deviceLines", "ann.owner@acme.example.com"} {
		if !strings.Contains(text, want) {
			t.Errorf("account view lacks %q", want)
		}
	}
	// A MAC address search, separators ignored.
	var st struct{ DeviceLines []struct{ MacAddress string } }
	d.decode("/__admin/state", &st)
	if len(st.DeviceLines) == 0 || st.DeviceLines[0].MacAddress == "" {
		t.Fatalf("no device line with a MAC in the fixtures")
	}
	mac := st.DeviceLines[0].MacAddress
	d.visit("explorer?q="+strings.ToLower(mac), "State explorer")
	if got := js[string](d, `document.querySelector('section[aria-labelledby=h-results]').innerText`); !strings.Contains(got, "deviceLines") {
		t.Errorf("MAC %s not found: %s", mac, got)
	}
}

// TestCertification: a session started from the page, a request from
// outside in its live report, a transcript downloaded, the session stopped.
func TestCertification(t *testing.T) {
	d := open(t)
	d.visit("certification", "Certification")
	for _, box := range []string{"useCases][value=account-lifecycle", "useCases][value=voicemail", "probes][value=validation"} {
		d.click(`input[name=` + box + `]`)
	}
	d.set(`select[name=partitionId]`, fatest.AlphaPartition)
	d.set(`input[name=seed]`, "11")
	d.click(`form[data-api="POST /__admin/certification/start"] button[type=submit]`)
	d.waitStatus("Session started.")
	type report struct {
		Session struct {
			Running     bool
			PartitionID string
			UseCases    []string
			Probes      []string
			Seed        uint64
			StoppedAt   time.Time
		}
		UseCases []struct {
			Name      string
			Exercised bool
			Exchanges int
		}
	}
	var rep report
	d.decode("/__admin/certification/report", &rep)
	if s := rep.Session; !s.Running || s.PartitionID != fatest.AlphaPartition || strings.Join(s.UseCases, ",") != "account-lifecycle,voicemail" ||
		strings.Join(s.Probes, ",") != "validation" || s.Seed != 11 {
		t.Fatalf("the session the page started: %+v", s)
	}

	// A request from outside appears in the live report; the keyboard's
	// focus (on Stop) stays through the refreshes.
	d.waitFor("live", `!!document.querySelector('#cert-live[data-refresh]')`, 5*time.Second)
	d.do("focus stop", chromedp.Focus(`#cert-stop`))
	tok := d.srv.Admin(t)
	if r := d.srv.Call(t, http.MethodGet, "/v2/partition/"+fatest.AlphaPartition+"/account", nil, fatest.Auth(tok)); r.Status != 200 {
		t.Fatalf("outside request: %d %s", r.Status, r.Body)
	}
	d.waitFor("the outside request in the report",
		`((document.querySelector('tr[data-use-case=account-lifecycle]') || {}).textContent || '').includes('GET /v2/partition/{partitionId}/account')`, 5*time.Second)
	if got := js[string](d, `document.activeElement.id`); got != "cert-stop" {
		t.Errorf("focus after the refresh: %q", got)
	}
	d.shot("certification-report")
	name, txt := d.download(`button[aria-label="Transcript of account-lifecycle"]`)
	if name != "account-lifecycle.txt" || !bytes.Contains(txt, []byte("GET /v2/partition/"+fatest.AlphaPartition+"/account HTTP/1.1")) ||
		bytes.Contains(txt, []byte(tok)) {
		t.Errorf("transcript %s: %.300s", name, txt)
	}

	d.do("stop by keyboard", chromedp.Focus(`#cert-stop`), chromedp.KeyEvent(kb.Enter))
	d.waitStatus("Session stopped.")
	d.decode("/__admin/certification/report", &rep)
	exercised := false
	for _, u := range rep.UseCases {
		exercised = exercised || (u.Name == "account-lifecycle" && u.Exercised && u.Exchanges == 1)
	}
	if rep.Session.Running || rep.Session.StoppedAt.IsZero() || !exercised {
		t.Fatalf("after stop: %+v", rep)
	}
	if state := js[string](d, `document.getElementById('cert-state').textContent`); !strings.HasPrefix(state, "stopped at") ||
		!js[bool](d, `!!document.querySelector('form[data-api="POST /__admin/certification/start"]') && !document.querySelector('[data-refresh]')`) {
		t.Errorf("the page after stop: %q", state)
	}
}

// lockedBuffer collects the server's log.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func TestAdminKeyRequired(t *testing.T) {
	const key = "k3y-only-the-qa-team-knows"
	logs := &lockedBuffer{}
	d := open(t, func(o *fakealianza.Options) {
		o.AdminKey = key
		o.Logger = slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	})
	// Without the key every page asks for it and shows nothing else.
	for _, p := range pages {
		d.visit(p.path, "Admin key")
		if js[bool](d, `!!document.querySelector('#h-partitions, #h-rules, #journal, #now, details.day, form[data-upload], #h-account, #h-cert-session')`) {
			t.Errorf("%s shows content without the key", p.title)
		}
	}
	// The page's own calls fail without it.
	for _, call := range []string{
		`fetch('/__admin/faults', {method: 'POST', headers: {'Content-Type': 'application/json'}, body: '{"action":{"status":500}}'}).then(r => r.status)`,
		`fetch('/__admin/requests/stream').then(r => r.status)`,
		`fetch('/__admin/state').then(r => r.status)`,
	} {
		if st := js[int](d, call); st != 401 {
			t.Errorf("%s: %d", call, st)
		}
	}
	// A wrong key is refused.
	d.set(`#admin-key`, "wrong")
	d.click(`form[data-key-form] button[type=submit]`)
	d.waitStatus("That admin key was not accepted.")
	d.waitHeading("Admin key")

	// The right key opens the dashboard; it goes in the header, not the URL.
	d.set(`#admin-key`, key)
	d.click(`form[data-key-form] button[type=submit]`)
	d.waitHeading(pages[len(pages)-1].title) // the page the key was asked on
	d.click(`nav a[href="/__admin/ui/faults"]`)
	d.waitHeading("Faults and scenarios")
	d.click(`button[aria-label="Start rate-limited"]`)
	d.waitStatus("Scenario rate-limited started.")
	d.key = key
	var list []struct {
		Name   string
		Active bool
	}
	d.decode("/__admin/scenarios", &list)
	active := false
	for _, s := range list {
		active = active || (s.Name == "rate-limited" && s.Active)
	}
	if !active {
		t.Error("the scenario did not start")
	}
	d.click(`nav a[href="/__admin/ui/journal"]`)
	d.waitHeading("Journal")
	d.waitFor("live", `document.getElementById('journal').dataset.live === 'true'`, 10*time.Second)
	d.srv.CallRaw(t, http.MethodGet, "/v2/partition/fakePartitionAlpha0001/keyed", nil)
	d.waitFor("the outside request", `[...document.querySelectorAll('#journal tbody tr')].some(r => r.cells[3].textContent.endsWith('/keyed'))`, 5*time.Second)
	if loc := js[string](d, `location.href`); strings.Contains(loc, key) {
		t.Errorf("the key is in the URL: %s", loc)
	}
	// Forget it: back to the question.
	d.click(`#forget-key`)
	d.waitHeading("Admin key")
	if strings.Contains(logs.String(), key) {
		t.Error("the key is in the server's log")
	}
	if !strings.Contains(logs.String(), "level=DEBUG") {
		t.Error("the log check saw no debug lines")
	}
}
