package certify

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fakealianza/fakealianza/journal"
	"github.com/fakealianza/fakealianza/scenarios"
)

func TestClassify(t *testing.T) {
	cases := []struct{ template, path, want string }{
		{"/v2/authorize", "/v2/authorize", UseCaseAuth},
		{"/v2/partition/{partitionId}/account", "", UseCaseAccounts},
		{"/v2/partition/{partitionId}/account/{accountId}/user/{userId}", "", UseCaseUsers},
		{"/v2/partition/{partitionId}/account/{accountId}/user/{userId}/device/{deviceId}", "", UseCaseDevices},
		{"/v2/partition/{partitionId}/account/{accountId}/user/{userId}/voicemail", "", UseCaseVoice},
		{"/v2/partition/{partitionId}/account/{accountId}/user/prevalidate/email/{email}", "", UseCaseUsers},
		{"/v2/partition/{partitionId}/account/prevalidate", "", UseCasePorting},
		{"/v2/partition/{partitionId}/account/{accountId}/port/{portId}/triggerport", "", UseCasePorting},
		{"/v2/partition/{partitionId}/account/{accountId}/reference/{referenceId}/type/{serviceType}", "/v2/partition/p/account/a/reference/r/type/PORT_REQUEST", UseCasePorting},
		{"/v2/partition/{partitionId}/account/{accountId}/reference/{referenceId}/type/{serviceType}", "/v2/partition/p/account/a/reference/r/type/ACTIVATION", UseCaseNumbers},
		{"/v2/partition/{partitionId}/account/{accountId}/telephonenumber/{tn}", "", UseCaseNumbers},
		{"/v2/partition/{partitionId}/account/{accountId}/siptrunk_2/{sipTrunkId}", "", UseCaseTrunks},
		{"/v2/partition/{partitionId}/account/{accountId}/cdrsearch", "", UseCaseCDR},
		{"/v2/partition/{partitionId}/report/tn/csv_2", "", UseCaseReports},
		{"/v2/job/{jobId}/output", "", UseCaseReports},
		{"/v2/ref/timezones", "", UseCaseOther},
		{"", "/v2/no/such/account/path", UseCaseAccounts},
		{"", "/v2/no/such/path", UseCaseOther},
	}
	for _, c := range cases {
		if got := classify(c.template, c.path); got != c.want {
			t.Errorf("classify(%q, %q) = %s, want %s", c.template, c.path, got, c.want)
		}
	}
}

func TestConfigValidation(t *testing.T) {
	cases := []struct {
		cfg   Config
		field string
	}{
		{Config{UseCases: []string{"account-lifecycle", "account-lifecycle"}, Probes: []string{"all"}}, ""},
		{Config{UseCases: []string{"authentication"}}, "useCases"},
		{Config{UseCases: []string{"billing"}}, "useCases"},
		{Config{Probes: []string{"flood"}}, "probes"},
		{Config{RetryAfterSeconds: 61}, "retryAfterSeconds"},
		{Config{SlowDelay: scenarios.Duration(time.Hour)}, "slowDelay"},
		{Config{MaxBytes: 10}, "maxBytes"},
	}
	for _, c := range cases {
		err := c.cfg.Validate(9)
		var fe *FieldError
		switch {
		case c.field == "" && err != nil:
			t.Errorf("%+v: %v", c.cfg, err)
		case c.field == "":
			if len(c.cfg.UseCases) != 1 || len(c.cfg.Probes) != len(ProbeNames()) || *c.cfg.Seed != 9 ||
				c.cfg.RetryAfterSeconds != DefaultRetryAfter || time.Duration(c.cfg.SlowDelay) != DefaultSlowDelay || c.cfg.MaxBytes != DefaultMaxBytes {
				t.Errorf("defaults: %+v", c.cfg)
			}
		case !asField(err, &fe) || fe.Field != c.field:
			t.Errorf("%+v: %v, want a %s error", c.cfg, err, c.field)
		}
	}
}

func asField(err error, fe **FieldError) bool {
	f, ok := err.(*FieldError)
	*fe = f
	return ok
}

// xb builds synthetic exchanges on a wall clock of its own.
type xb struct {
	t0  time.Time
	xs  []exchange
	seq int64
}

func (b *xb) add(at time.Duration, method, path string, status int, opts ...func(*exchange)) *xb {
	b.seq++
	e := exchange{Entry: journal.Entry{ID: b.seq, Method: method, Path: path, Status: status}, start: b.t0.Add(at)}
	e.end = e.start.Add(10 * time.Millisecond)
	e.useCase = classify("", path)
	for _, o := range opts {
		o(&e)
	}
	b.xs = append(b.xs, e)
	return b
}

func probed(name string) func(*exchange) { return func(e *exchange) { e.probe = name } }
func tok(t string) func(*exchange)       { return func(e *exchange) { e.token = t } }
func body(s string) func(*exchange)      { return func(e *exchange) { e.Request.Body = s } }
func took(d time.Duration) func(*exchange) {
	return func(e *exchange) { e.end = e.start.Add(d) }
}

func TestJudge(t *testing.T) {
	const item = "/v2/partition/p/account/a"
	cases := []struct {
		name, probe string
		xs          *xb
		verdict     string
		behaviour   string
	}{
		{"expired, re-login and retry", ProbeExpiredToken, new(xb).
			add(0, "GET", item, 401, probed(ProbeExpiredToken), tok("old")).
			add(50*time.Millisecond, "POST", "/v2/authorize", 201).
			add(90*time.Millisecond, "GET", item, 200, tok("new")),
			Handled, "logged-in-again-and-retried"},
		{"expired, login but no retry", ProbeExpiredToken, new(xb).
			add(0, "GET", item, 401, probed(ProbeExpiredToken), tok("old")).
			add(50*time.Millisecond, "POST", "/v2/authorize", 201).
			add(90*time.Millisecond, "GET", "/v2/partition/p", 200, tok("new")),
			NotHandled, "logged-in-again-without-retrying"},
		{"expired, same token", ProbeExpiredToken, new(xb).
			add(0, "GET", item, 401, probed(ProbeExpiredToken), tok("old")).
			add(20*time.Millisecond, "GET", "/v2/partition/p", 200, tok("old")),
			NotHandled, "kept-the-expired-token"},
		{"500, storm", ProbeServerError, new(xb).
			add(0, "GET", item, 500, probed(ProbeServerError)).
			add(300*time.Millisecond, "GET", item, 500).
			add(600*time.Millisecond, "GET", item, 500).
			add(900*time.Millisecond, "GET", item, 200),
			NotHandled, "retry-storm"},
		{"500, back-off", ProbeServerError, new(xb).
			add(0, "GET", item, 500, probed(ProbeServerError)).
			add(400*time.Millisecond, "GET", item, 200),
			Handled, "backed-off-and-retried"},
		{"500, no retry", ProbeServerError, new(xb).
			add(0, "GET", item, 500, probed(ProbeServerError)).
			add(400*time.Millisecond, "GET", "/v2/partition/p", 200),
			Handled, "gave-up-cleanly"},
		{"503, too soon", ProbeUnavailable, new(xb).
			add(0, "GET", item, 503, probed(ProbeUnavailable)).
			add(time.Second, "GET", item, 200),
			NotHandled, "ignored-retry-after"},
		{"503, after Retry-After", ProbeUnavailable, new(xb).
			add(0, "GET", item, 503, probed(ProbeUnavailable)).
			add(2100*time.Millisecond, "GET", item, 200),
			Handled, "backed-off-and-retried"},
		{"slow, waited", ProbeSlow, new(xb).
			add(0, "GET", item, 200, probed(ProbeSlow), took(35*time.Second)),
			NotHandled, "no-client-timeout"},
		{"slow, timed out, immediate retry", ProbeSlow, new(xb).
			add(0, "GET", item, 0, probed(ProbeSlow), took(time.Second)).
			add(time.Second+5*time.Millisecond, "GET", item, 200),
			NotHandled, "retried-without-backoff"},
		{"validation, same body", ProbeValidation, new(xb).
			add(0, "POST", "/v2/partition/p/account", 400, probed(ProbeValidation), body(`{"a":1}`)).
			add(time.Millisecond*20, "POST", "/v2/partition/p/account", 200, body(`{"a":1}`)),
			NotHandled, "re-sent-unchanged"},
		{"validation, corrected", ProbeValidation, new(xb).
			add(0, "POST", "/v2/partition/p/account", 400, probed(ProbeValidation), body(`{"a":1}`)).
			add(time.Millisecond*20, "POST", "/v2/partition/p/account", 200, body(`{"a":2}`)),
			Handled, "corrected-and-re-sent"},
		{"vanished, written", ProbeVanished, new(xb).
			add(0, "GET", item, 404, probed(ProbeVanished)).
			add(20*time.Millisecond, "PUT", item, 200),
			NotHandled, "wrote-to-vanished-object"},
		{"vanished, collection read", ProbeVanished, new(xb).
			add(0, "GET", item, 404, probed(ProbeVanished)).
			add(20*time.Millisecond, "GET", "/v2/partition/p/account", 200),
			Handled, "re-read-the-object"},
		{"late file, fast relisting", ProbeLateFile, new(xb).
			add(0, "SFTP", "list", 0, probed(ProbeLateFile), sftpEvent).
			add(400*time.Millisecond, "SFTP", "list", 0, probed(ProbeLateFile), sftpEvent).
			add(1200*time.Millisecond, "SFTP", "read /cdr/x.csv.gz", 0, sftpEvent),
			NotHandled, "polled-too-fast"},
		{"late file, fetched", ProbeLateFile, new(xb).
			add(0, "SFTP", "list", 0, probed(ProbeLateFile), sftpEvent).
			add(1500*time.Millisecond, "SFTP", "list", 0, sftpEvent).
			add(1600*time.Millisecond, "SFTP", "read /cdr/x.csv.gz", 0, sftpEvent),
			Handled, "fetched-late-file"},
		{"never fired", ProbeVanished, new(xb).add(0, "GET", item, 200), NotExercised, "not-exercised"},
	}
	cfg := Config{RetryAfterSeconds: 2, SlowDelay: scenarios.Duration(35 * time.Second)}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := judge(c.probe, cfg, c.xs.xs)
			if p.Verdict != c.verdict || p.Behaviour != c.behaviour {
				t.Fatalf("%s / %s (%s), want %s / %s", p.Verdict, p.Behaviour, p.Detail, c.verdict, c.behaviour)
			}
			if c.verdict != NotExercised && (len(p.Evidence) == 0 || p.Evidence[0] != 1) {
				t.Fatalf("evidence %v", p.Evidence)
			}
		})
	}
}

func sftpEvent(e *exchange) { e.sftp, e.useCase = true, UseCaseCDR }

func TestFlags(t *testing.T) {
	const jobs = "/v2/job/j1"
	cases := []struct {
		name string
		xs   *xb
		want []string
	}{
		{"polls a job five times a second", func() *xb {
			b := new(xb).add(0, "POST", "/v2/authorize", 201).add(0, "PUT", "/v2/authorize/logout", 200)
			for i := range 5 {
				b.add(time.Duration(i)*200*time.Millisecond, "GET", jobs, 200)
			}
			return b
		}(), []string{FlagFastPolling}},
		{"polls a job once a second", func() *xb {
			b := new(xb).add(0, "POST", "/v2/authorize", 201).add(0, "PUT", "/v2/authorize/logout", 200)
			for i := range 8 {
				b.add(time.Duration(i)*time.Second, "GET", jobs, 200)
			}
			return b
		}(), nil},
		{"password in the query, no logout", new(xb).
			add(0, "POST", "/v2/authorize", 201).
			add(0, "GET", "/v2/partition/p", 200, func(e *exchange) { e.Query = journal.RedactQuery("password=hunter2") }).
			add(0, "GET", "/v2/partition/p/account", 200, func(e *exchange) { e.Query = "username=ann%40example.com" }),
			[]string{FlagCredentialsQuery, FlagNoLogout}},
		{"retried before Retry-After", new(xb).
			add(0, "POST", "/v2/authorize", 201).
			add(0, "GET", jobs, 429, func(e *exchange) { e.Response.Headers = map[string][]string{"Retry-After": {"2"}} }).
			add(500*time.Millisecond, "GET", jobs, 200).
			add(time.Second, "PUT", "/v2/authorize/logout", 200),
			[]string{FlagIgnoredRetryAfter}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := build(Status{}, Config{}, c.xs.xs)
			var got []string
			for _, f := range r.Flags {
				got = append(got, f.Code)
				if len(f.Evidence) == 0 || f.Detail == "" {
					t.Errorf("flag without evidence: %+v", f)
				}
				if strings.Contains(f.Detail, "hunter2") {
					t.Errorf("secret in flag: %+v", f)
				}
			}
			if !slices.Equal(got, c.want) {
				t.Fatalf("flags %v, want %v (%+v)", got, c.want, r.Flags)
			}
		})
	}
}

func start(t *testing.T, c *Certifier, cfg Config) {
	t.Helper()
	if _, err := c.Start(cfg); err != nil {
		t.Fatal(err)
	}
}

func entry(method, path, partition string, status int, reqBody string) journal.Entry {
	return journal.Entry{Method: method, Path: path, PartitionID: partition, Status: status,
		Request: journal.NewMessage(http.Header{"X-Auth-Token": {"secret-token"}}, []byte(reqBody))}
}

// TestRecordingIsCappedNotRinged: the session keeps every exchange whole
// until the cap, then summaries, then counts what it drops.
func TestRecordingIsCappedNotRinged(t *testing.T) {
	c := New(1)
	start(t, c, Config{MaxBytes: 64 << 10})
	big := strings.Repeat("x", 10<<10)
	for range 20 {
		c.Record(Exchange{Entry: entry("POST", "/v2/partition/p/account", "p", 200, `{"accountName":"`+big+`"}`), Start: time.Now()})
	}
	for range 200 {
		c.Record(Exchange{Entry: entry("GET", "/v2/partition/p", "p", 200, ""), Start: time.Now()})
	}
	st, err := c.Stop()
	if err != nil {
		t.Fatal(err)
	}
	if st.Exchanges+st.Dropped != 220 || st.Stripped == 0 || st.Dropped == 0 || st.RecordedBytes > st.MaxBytes+st.MaxBytes/4 {
		t.Fatalf("%+v", st)
	}
	xs, err := c.exchangesOf("")
	if err != nil {
		t.Fatal(err)
	}
	if xs[0].Request.Body == "" || xs[len(xs)-1].Request.Body != "" || xs[len(xs)-1].ID != int64(len(xs)) {
		t.Fatalf("first whole, last a summary: %+v / %+v", xs[0].Entry, xs[len(xs)-1].Entry)
	}
}

// TestSessionScope: another partition's calls stay out; a call without a
// partition in its path belongs by its token; tokens are kept only hashed.
func TestSessionScope(t *testing.T) {
	c := New(1)
	start(t, c, Config{PartitionID: "p"})
	c.Record(Exchange{Entry: entry("GET", "/v2/partition/q/account", "q", 200, ""), Start: time.Now(), Token: "tq"})
	c.Record(Exchange{Entry: journal.Entry{Method: "POST", Path: "/v2/authorize", Status: 201}, Start: time.Now(),
		Response: []byte(`{"authToken":"tq","partitionId":"q"}`)})
	c.Record(Exchange{Entry: journal.Entry{Method: "POST", Path: "/v2/authorize", Status: 201}, Start: time.Now(),
		Response: []byte(`{"authToken":"tp","partitionId":"p"}`)})
	c.Record(Exchange{Entry: entry("GET", "/v2/job/j1", "", 200, ""), Start: time.Now(), Token: "tp"})
	c.Record(Exchange{Entry: entry("GET", "/v2/job/j2", "", 200, ""), Start: time.Now(), Token: "tq"})
	c.Record(Exchange{Entry: entry("GET", "/v2/partition/p", "p", 200, ""), Start: time.Now(), Token: "tp"})
	xs, err := c.exchangesOf("")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range xs {
		got = append(got, e.Method+" "+e.Path)
		if e.token == "tp" || strings.Contains(fmt.Sprint(e), "secret-token") {
			t.Errorf("a raw token was kept: %+v", e)
		}
	}
	if want := []string{"POST /v2/authorize", "GET /v2/job/j1", "GET /v2/partition/p"}; !slices.Equal(got, want) {
		t.Fatalf("recorded %v, want %v", got, want)
	}
}

// TestProbesStayInTheSessionsPartition: calls of another partition, logins
// and calls without a token are never probed.
func TestProbesStayInTheSessionsPartition(t *testing.T) {
	c := New(1)
	start(t, c, Config{PartitionID: "p", Probes: []string{ProbeExpiredToken}})
	other := in("GET", "/v2/partition/q/account", "/v2/partition/{partitionId}/account")
	other.PartitionID = "q"
	login := in("POST", "/v2/authorize", "/v2/authorize")
	login.PartitionID = ""
	anon := in("GET", "/v2/partition/p/account", "/v2/partition/{partitionId}/account")
	anon.Header = http.Header{}
	for _, x := range []*scenarios.Input{other, login, anon, {SFTP: scenarios.SFTPList, PartitionID: "p"}} {
		if d := c.Probe(x, time.Now()); d != nil {
			t.Fatalf("%+v probed: %+v", x, d)
		}
	}
	if d := c.Probe(in("GET", "/v2/partition/p/account", "/v2/partition/{partitionId}/account"), time.Now()); d == nil ||
		d.Action.Status != http.StatusUnauthorized || *d.Action.Message != "ExpiredAuthToken" {
		t.Fatalf("the session's call: %+v", d)
	}
	if _, err := c.Stop(); err != nil {
		t.Fatal(err)
	}
	if d := c.Probe(in("GET", "/v2/partition/p/x", ""), time.Now()); d != nil {
		t.Fatalf("probed after stop: %+v", d)
	}
}

func in(method, path, template string) *scenarios.Input {
	return &scenarios.Input{Method: method, Path: path, PathTemplate: template, PartitionID: "p",
		Header: http.Header{"X-Auth-Token": {"t"}}}
}

// TestProbesFireOnceInSeededOrder: each probe answers one call, in the
// order the seed gives, the next only after the client reacted.
func TestProbesFireOnceInSeededOrder(t *testing.T) {
	orders := map[string]bool{}
	for seed := uint64(1); seed <= 4; seed++ {
		c := New(seed)
		start(t, c, Config{Probes: []string{ProbeExpiredToken, ProbeServerError, ProbeUnavailable}})
		st, err := c.Status()
		if err != nil {
			t.Fatal(err)
		}
		orders[strings.Join(st.Probes, ",")] = true
		var fired []string
		for i := range 6 {
			p := fmt.Sprintf("/v2/partition/p/account/a%d", i)
			d := c.Probe(in("GET", p, "/v2/partition/{partitionId}/account/{accountId}"), time.Now())
			if d != nil {
				fired = append(fired, strings.TrimPrefix(d.RuleID, faultPrefix))
				c.Record(Exchange{Entry: journal.Entry{Method: "GET", Path: p, Status: d.Action.Status,
					Fault: d.RuleID + ":" + d.Action.Summary()}, Start: time.Now()})
				if again := c.Probe(in("GET", p, ""), time.Now()); again != nil {
					t.Fatalf("the retry of a probed call was probed too: %+v", again)
				}
			}
			c.Record(Exchange{Entry: journal.Entry{Method: "GET", Path: p, Status: 200}, Start: time.Now()})
		}
		if !slices.Equal(fired, st.Probes) {
			t.Errorf("seed %d: fired %v, want the seeded order %v", seed, fired, st.Probes)
		}
		// Same seed, same order.
		c2 := New(seed)
		start(t, c2, Config{Probes: []string{ProbeUnavailable, ProbeExpiredToken, ProbeServerError}})
		if st2, _ := c2.Status(); !slices.Equal(st2.Probes, st.Probes) {
			t.Errorf("seed %d: orders %v and %v", seed, st.Probes, st2.Probes)
		}
	}
	if len(orders) < 2 {
		t.Errorf("four seeds gave one order: %v", orders)
	}
}

func TestConcurrentUse(t *testing.T) {
	c := New(1)
	start(t, c, Config{Probes: []string{"all"}})
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 200 {
				p := fmt.Sprintf("/v2/partition/p/account/g%d-%d", g, i)
				d := c.Probe(in("GET", p, "/v2/partition/{partitionId}/account/{accountId}"), time.Now())
				e := journal.Entry{Method: "GET", Path: p, Status: 200}
				if d != nil {
					e.Fault = d.RuleID + ":x"
				}
				c.Record(Exchange{Entry: e, Start: time.Now()})
				if i%50 == 0 {
					if _, err := c.Report(); err != nil {
						t.Error(err)
					}
				}
			}
		}()
	}
	wg.Wait()
	r, err := c.Report()
	if err != nil {
		t.Fatal(err)
	}
	if r.Session.Exchanges != 800 {
		t.Fatalf("exchanges %d", r.Session.Exchanges)
	}
}
