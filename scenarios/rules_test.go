package scenarios

import (
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"
)

func ptr[T any](v T) *T { return &v }

// add adds a rule and fails the test when the engine refuses it.
func add(t *testing.T, e *Engine, r Rule) Rule {
	t.Helper()
	out, err := e.Add(r)
	if err != nil {
		t.Fatalf("add %+v: %v", r, err)
	}
	return out
}

func TestMatchPath(t *testing.T) {
	cases := []struct {
		glob, path string
		want       bool
	}{
		{"/v2/**", "/v2/partition/p1/account", true},
		{"/v2/**", "/v2", true},
		{"/v2/partition/*/account", "/v2/partition/p1/account", true},
		{"/v2/partition/*/account", "/v2/partition/p1/account/a1", false},
		{"/v2/partition/*/account/**", "/v2/partition/p1/account/a1/port/x", true},
		{"/v2/partition/*/account/*/port/**", "/v2/partition/p/account/a/port/7/loa", true},
		{"/v2/partition/*/account/*/port/**", "/v2/partition/p/account/a/deviceline", false},
		{"/v2/**/port", "/v2/partition/p/account/a/port", true},
		{"/v2/part*", "/v2/partition", true},
		{"/v2/authorize", "/v2/authorizeX", false},
	}
	for _, c := range cases {
		if got := MatchPath(c.glob, c.path); got != c.want {
			t.Errorf("MatchPath(%q, %q) = %v, want %v", c.glob, c.path, got, c.want)
		}
	}
}

func TestRuleValidation(t *testing.T) {
	ok := Action{Status: 500}
	cases := []struct {
		name string
		rule Rule
		want string
	}{
		{"empty action", Rule{}, "set status, body, delay, connection or sftp"},
		{"sftp action on http", Rule{Action: Action{SFTP: SFTPMissing}}, "needs match.sftp"},
		{"unknown sftp event", Rule{Match: Match{SFTP: "upload"}, Action: Action{SFTP: SFTPMissing}}, "unknown"},
		{"unknown sftp action", Rule{Match: Match{SFTP: SFTPRead}, Action: Action{SFTP: "explode"}}, "unknown"},
		{"sftp with status", Rule{Match: Match{SFTP: SFTPRead}, Action: Action{Status: 500}}, "sftp rule takes"},
		{"sftp with method", Rule{Match: Match{SFTP: SFTPRead, Method: "GET"}, Action: Action{SFTP: SFTPMissing}}, "path and partitionId only"},
		{"refuse a read", Rule{Match: Match{SFTP: SFTPRead}, Action: Action{SFTP: SFTPRefuse}}, "for logins"},
		{"missing login", Rule{Match: Match{SFTP: SFTPLogin}, Action: Action{SFTP: SFTPMissing}}, "for files"},
		{"disconnect without bytes", Rule{Match: Match{SFTP: SFTPConnect}, Action: Action{SFTP: SFTPDisconnect}}, "afterBytes > 0"},
		{"disconnect a read", Rule{Match: Match{SFTP: SFTPRead}, Action: Action{SFTP: SFTPDisconnect, AfterBytes: 9}}, "for connections"},
		{"connect by partition", Rule{Match: Match{SFTP: SFTPConnect, PartitionID: "p"}, Action: Action{SFTP: SFTPDisconnect, AfterBytes: 9}}, "no partition"},
		{"status range", Rule{Action: Action{Status: 700}}, "out of range"},
		{"2xx without body", Rule{Action: Action{Status: 200}}, "needs a body"},
		{"body and message", Rule{Action: Action{Status: 500, Body: ptr("x"), Message: ptr("M")}}, "body replaces"},
		{"unknown connection", Rule{Action: Action{Connection: "explode"}}, "unknown"},
		{"connection with status", Rule{Action: Action{Connection: ConnReset, Status: 500}}, "sends no response"},
		{"retryAfter alone", Rule{Action: Action{RetryAfter: "2", Delay: &Delay{Fixed: Duration(time.Second)}}}, "retryAfter needs a status"},
		{"bad delay", Rule{Action: Action{Delay: &Delay{Min: Duration(2 * time.Second), Max: Duration(time.Second)}}}, "min <= max"},
		{"probability 0", Rule{Action: ok, Probability: ptr(0.0)}, "probability"},
		{"probability > 1", Rule{Action: ok, Probability: ptr(1.5)}, "probability"},
		{"negative times", Rule{Action: ok, Times: -1}, "negative"},
		{"window", Rule{Action: ok, From: ptr(time.Unix(10, 0)), Until: ptr(time.Unix(5, 0))}, "until must be after"},
		{"relative path", Rule{Action: ok, Match: Match{Path: "v2/**"}}, "start with /"},
		{"bad glob", Rule{Action: ok, Match: Match{Path: "/v2/[x"}}, "match.path"},
	}
	for _, c := range cases {
		err := c.rule.Validate()
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want an error containing %q", c.name, err, c.want)
		}
	}
	good := Rule{Action: Action{Status: 429, RetryAfter: "3"}, Probability: ptr(1.0), Match: Match{Path: "/v2/**"}}
	if err := good.Validate(); err != nil {
		t.Errorf("valid rule refused: %v", err)
	}
}

func TestParseHeader(t *testing.T) {
	a, err := ParseHeader("status=401, message=ExpiredAuthToken")
	if err != nil || a.Status != 401 || *a.Message != "ExpiredAuthToken" {
		t.Fatalf("got %+v %v", a, err)
	}
	a, err = ParseHeader("delay=2s")
	if err != nil || a.Delay == nil || time.Duration(a.Delay.Fixed) != 2*time.Second || a.Answers() {
		t.Fatalf("delay: %+v %v", a, err)
	}
	a, err = ParseHeader("delay=10ms-20ms,status=503,retryAfter=5")
	if err != nil || time.Duration(a.Delay.Min) != 10*time.Millisecond || a.RetryAfter != "5" {
		t.Fatalf("uniform: %+v %v", a, err)
	}
	a, err = ParseHeader("connection=reset")
	if err != nil || a.Connection != ConnReset {
		t.Fatalf("connection: %+v %v", a, err)
	}
	a, err = ParseHeader("status=401,message=")
	if err != nil || a.Message == nil || *a.Message != "" {
		t.Fatalf("empty message: %+v %v", a, err)
	}
	for _, bad := range []string{"status", "status=abc", "colour=red", "delay=soon", "delay=2s-1s", "connection=zap", ""} {
		if _, err := ParseHeader(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func in(path string) *Input {
	return &Input{Method: http.MethodGet, Path: path, Header: http.Header{}}
}

// fires runs n requests and returns which of them a rule fired on.
func fires(e *Engine, n int, now time.Time) []int {
	var out []int
	for i := range n {
		if e.Decide(in("/v2/x"), now) != nil {
			out = append(out, i)
		}
	}
	return out
}

func TestSeededProbabilityIsReproducible(t *testing.T) {
	run := func(seed uint64) []int {
		e := NewEngine(seed)
		if _, err := e.Add(Rule{Action: Action{Status: 500}, Probability: ptr(0.3)}); err != nil {
			t.Fatal(err)
		}
		return fires(e, 1000, time.Now())
	}
	a, b := run(42), run(42)
	if !slices.Equal(a, b) {
		t.Fatal("same seed, different sequences")
	}
	if n := len(a); n < 240 || n > 360 {
		t.Errorf("p=0.3 fired %d times in 1000", n)
	}
	if slices.Equal(a, run(43)) {
		t.Error("different seeds gave the same sequence")
	}
	// A rule's own seed wins over the server's.
	own := func(server uint64) []int {
		e := NewEngine(server)
		add(t, e, Rule{Action: Action{Status: 500}, Probability: ptr(0.5), Seed: ptr(uint64(7))})
		return fires(e, 200, time.Now())
	}
	if !slices.Equal(own(1), own(99)) {
		t.Error("a rule's seed does not decide its draws")
	}
}

func TestTimesAfterAndWindow(t *testing.T) {
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	e := NewEngine(1)
	r := add(t, e, Rule{Action: Action{Status: 500}, After: 2, Times: 3})
	if got := fires(e, 10, now); !slices.Equal(got, []int{2, 3, 4}) {
		t.Fatalf("after 2, times 3: fired on %v", got)
	}
	l := e.List()[0]
	if l.ID != r.ID || l.Hits != 3 || !l.Retired || l.Matches != 5 {
		t.Errorf("counters: %+v", l)
	}

	e = NewEngine(1)
	add(t, e, Rule{Action: Action{Status: 500}, From: ptr(now), Until: ptr(now.Add(time.Hour))})
	if e.Decide(in("/v2/x"), now.Add(-time.Second)) != nil {
		t.Error("fired before its window")
	}
	if e.Decide(in("/v2/x"), now) == nil || e.Decide(in("/v2/x"), now.Add(59*time.Minute)) == nil {
		t.Error("did not fire inside its window")
	}
	if e.Decide(in("/v2/x"), now.Add(time.Hour)) != nil {
		t.Error("fired after its window")
	}
}

func TestSFTPRulesStayOffHTTP(t *testing.T) {
	e := NewEngine(1)
	add(t, e, Rule{Match: Match{SFTP: SFTPRead, Path: "/2026/**"}, Action: Action{SFTP: SFTPMissing}})
	if e.Decide(in("/2026/01/01/x.csv.gz"), time.Now()) != nil {
		t.Error("an sftp rule fired on an HTTP request")
	}
	read := &Input{SFTP: SFTPRead, Path: "/2026/01/01/x.csv.gz", PartitionID: "p1"}
	if d := e.Decide(read, time.Now()); d == nil || d.Action.SFTP != SFTPMissing {
		t.Errorf("sftp read: %+v", d)
	}
	add(t, e, Rule{Action: Action{Status: 500}})
	if d := e.Decide(&Input{SFTP: SFTPLogin}, time.Now()); d != nil {
		t.Errorf("an HTTP rule fired on an sftp login: %+v", d)
	}
}

func TestFirstFiringRuleWins(t *testing.T) {
	e := NewEngine(1)
	add(t, e, Rule{Match: Match{Path: "/v2/a"}, Action: Action{Status: 404}})
	add(t, e, Rule{Match: Match{Method: "POST"}, Action: Action{Status: 409}})
	add(t, e, Rule{Action: Action{Status: 500}})
	if d := e.Decide(in("/v2/a"), time.Now()); d.Action.Status != 404 || d.RuleID != "f1" {
		t.Errorf("first rule: %+v", d)
	}
	post := in("/v2/a")
	post.Method = "post"
	if d := e.Decide(post, time.Now()); d.Action.Status != 404 {
		t.Errorf("order: %+v", d)
	}
	post.Path = "/v2/b"
	if d := e.Decide(post, time.Now()); d.Action.Status != 409 {
		t.Errorf("method match: %+v", d)
	}
	if d := e.Decide(in("/v2/b"), time.Now()); d.Action.Status != 500 {
		t.Errorf("catch-all: %+v", d)
	}
	if !e.Delete("f3") || e.Delete("f3") {
		t.Error("delete")
	}
	if e.Decide(in("/v2/b"), time.Now()) != nil {
		t.Error("deleted rule fired")
	}
	e.Clear()
	if len(e.List()) != 0 {
		t.Error("clear")
	}
}

func TestMatchFields(t *testing.T) {
	req := &Input{
		Method: "GET", Path: "/v2/partition/p1/account/a1", PathTemplate: "/v2/partition/{partitionId}/account/{accountId}",
		OperationID: "getAccount", PartitionID: "p1", AccountID: "a1",
		Header: http.Header{"X-Auth-Token": {"tok"}, "X-Trace": {"abc-123"}},
	}
	yes := []Match{
		{}, {Method: "get"}, {PathTemplate: req.PathTemplate}, {OperationID: "getAccount"},
		{PartitionID: "p1"}, {AccountID: "a1"}, {Headers: map[string]string{"X-AUTH-TOKEN": "*"}},
		{Headers: map[string]string{"x-trace": "abc-*"}}, {Path: "/v2/partition/p1/**", PartitionID: "p1"},
	}
	no := []Match{
		{Method: "POST"}, {PathTemplate: "/v2/partition/{partitionId}"}, {OperationID: "other"},
		{PartitionID: "p2"}, {AccountID: "a2"}, {Headers: map[string]string{"X-Missing": "*"}},
		{Headers: map[string]string{"X-Trace": "zzz*"}}, {Path: "/v2/partition/p1/**", PartitionID: "p2"},
	}
	for _, m := range yes {
		if !m.matches(req) {
			t.Errorf("%+v should match", m)
		}
	}
	for _, m := range no {
		if m.matches(req) {
			t.Errorf("%+v should not match", m)
		}
	}
}

func TestDelaySampling(t *testing.T) {
	rng := newRand(3)
	u := Delay{Min: Duration(10 * time.Millisecond), Max: Duration(20 * time.Millisecond)}
	ln := Delay{Median: Duration(100 * time.Millisecond), Sigma: 0.5}
	var below, above int
	for range 2000 {
		if v := u.Sample(rng); v < 10*time.Millisecond || v > 20*time.Millisecond {
			t.Fatalf("uniform sample %v out of [10ms, 20ms]", v)
		}
		v := ln.Sample(rng)
		if v <= 0 || v > MaxDelay {
			t.Fatalf("lognormal sample %v", v)
		}
		if v < 100*time.Millisecond {
			below++
		} else {
			above++
		}
	}
	// The median splits the draws roughly in half.
	if below < 850 || above < 850 {
		t.Errorf("lognormal median: %d below, %d above", below, above)
	}
	if f := (&Delay{Fixed: Duration(time.Second)}).Sample(rng); f != time.Second {
		t.Errorf("fixed: %v", f)
	}
	if huge := (&Delay{Fixed: Duration(time.Hour)}).Sample(rng); huge != MaxDelay {
		t.Errorf("cap: %v", huge)
	}
}

func TestGarbageIsSeeded(t *testing.T) {
	d1, err1 := NewEngine(5).DecideHeader("connection=garbage")
	d2, err2 := NewEngine(5).DecideHeader("connection=garbage")
	if err1 != nil || err2 != nil {
		t.Fatal(err1, err2)
	}
	if len(d1.Garbage) < 64 || string(d1.Garbage) != string(d2.Garbage) {
		t.Errorf("garbage not reproducible: %d vs %d bytes", len(d1.Garbage), len(d2.Garbage))
	}
}

// TestMatchPathLinear counts segment comparisons: whatever the glob, a path
// of n segments costs at most (glob segments + 1) * n of them. Backtracking
// over many ** would cost combinatorially many.
func TestMatchPathLinear(t *testing.T) {
	calls := 0
	orig := matchSegment
	matchSegment = func(g, p string) bool { calls++; return orig(g, p) }
	t.Cleanup(func() { matchSegment = orig })
	stars := "/" + strings.Repeat("**/", 12)
	cases := []struct {
		glob string
		want bool
	}{
		{stars + "z", false},
		{stars + "a", true},
		{"/" + strings.Repeat("**/*/", 12) + "y", false},
		{"/" + strings.Repeat("*/**/", 12) + "a", true},
	}
	for _, n := range []int{1000, 4000} {
		p := "/" + strings.Repeat("a/", n)
		for _, c := range cases {
			calls = 0
			if got := MatchPath(c.glob, p); got != c.want {
				t.Errorf("MatchPath(%q, %d segments) = %v, want %v", c.glob, n, got, c.want)
			}
			limit := (strings.Count(c.glob, "/") + 1) * n
			if calls > limit {
				t.Errorf("MatchPath(%q, %d segments): %d comparisons, want at most %d", c.glob, n, calls, limit)
			}
		}
	}
}
