package certify

import (
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"path"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/fakealianza/fakealianza/journal"
)

// Verdicts of a probe.
const (
	Handled      = "handled"
	NotHandled   = "not-handled"
	NotExercised = "not-exercised"
)

// Thresholds the verdicts and flags use.
const (
	// MinBackoff is the least pause before retrying that counts as backing off.
	MinBackoff = 250 * time.Millisecond
	// StormRepeats repeats of a call within StormWindow are a retry storm.
	StormRepeats = 3
	StormWindow  = 2 * time.Second
	// PollInterval: polling the same thing faster than this is frowned on;
	// PollRun calls in a row make a poll (fewer are reads, not polling).
	PollInterval = time.Second
	PollRun      = 5
	// relistMin: two datafeed listings at least this far apart are two
	// polls (one poll's own listings come closer together).
	relistMin = 300 * time.Millisecond
	// followLimit bounds how many exchanges after a probe are read.
	followLimit = 50
)

// Report is a session's result.
type Report struct {
	Session Status `json:"session"`
	// Ready: every claimed use case was exercised and every probe handled.
	Ready    bool            `json:"ready"`
	Problems []string        `json:"problems"`
	UseCases []UseCaseResult `json:"useCases"`
	Probes   []ProbeResult   `json:"probes"`
	Flags    []Flag          `json:"flags"`
}

// UseCaseResult is what the client did in one use case.
type UseCaseResult struct {
	Name    string `json:"name"`
	Title   string `json:"title"`
	Claimed bool   `json:"claimed"`
	// Exercised: at least one call of the use case succeeded (2xx).
	Exercised  bool              `json:"exercised"`
	Exchanges  int               `json:"exchanges"`
	Operations []OperationResult `json:"operations"`
}

// OperationResult counts the calls of one operation by status.
type OperationResult struct {
	OperationID string         `json:"operationId,omitempty"`
	Method      string         `json:"method"`
	Path        string         `json:"path"` // the template, or the path when unmatched
	Calls       int            `json:"calls"`
	Statuses    map[string]int `json:"statuses"`
}

// ProbeResult is what the client did after a probe.
type ProbeResult struct {
	Name      string  `json:"name"`
	Title     string  `json:"title"`
	Order     int     `json:"order"`
	Verdict   string  `json:"verdict"`
	Behaviour string  `json:"behaviour"`
	Detail    string  `json:"detail"`
	Evidence  []int64 `json:"evidence"`
}

// Flag is something Alianza's review would frown on.
type Flag struct {
	Code     string  `json:"code"`
	Detail   string  `json:"detail"`
	Evidence []int64 `json:"evidence"`
}

// Flag codes.
const (
	FlagFastPolling       = "fast-polling"
	FlagIgnoredRetryAfter = "ignored-retry-after"
	FlagCredentialsQuery  = "credentials-in-query"
	FlagNoLogout          = "never-logged-out"
)

// Report builds the running or last session's report.
func (c *Certifier) Report() (*Report, error) {
	s, err := c.current()
	if err != nil {
		return nil, err
	}
	st, xs := s.snapshot()
	return build(st, s.cfg, xs), nil
}

func build(st Status, cfg Config, xs []exchange) *Report {
	r := &Report{Session: st, Problems: []string{}, Flags: []Flag{}}
	r.UseCases = useCaseResults(cfg.UseCases, xs)
	for _, u := range r.UseCases {
		if u.Claimed && !u.Exercised {
			r.Problems = append(r.Problems, fmt.Sprintf("use case %s claimed but not exercised", u.Name))
		}
	}
	for i, name := range st.Probes {
		p := judge(name, cfg, xs)
		p.Order = i + 1
		if p.Verdict != Handled {
			r.Problems = append(r.Problems, fmt.Sprintf("probe %s %s: %s", name, p.Verdict, p.Detail))
		}
		r.Probes = append(r.Probes, p)
	}
	if r.Probes == nil {
		r.Probes = []ProbeResult{}
	}
	r.Flags = append(r.Flags, fastPolling(xs)...)
	r.Flags = append(r.Flags, ignoredRetryAfter(xs)...)
	r.Flags = append(r.Flags, credentialsInQuery(xs)...)
	r.Flags = append(r.Flags, noLogout(xs)...)
	r.Ready = len(r.Problems) == 0
	return r
}

func useCaseResults(claimed []string, xs []exchange) []UseCaseResult {
	by := map[string]*UseCaseResult{}
	ops := map[string]map[string]*OperationResult{}
	for _, u := range useCaseOrder {
		by[u] = &UseCaseResult{Name: u, Title: useCaseTitles[u], Claimed: slices.Contains(claimed, u), Operations: []OperationResult{}}
		ops[u] = map[string]*OperationResult{}
	}
	for i := range xs {
		e := &xs[i]
		u := by[e.useCase]
		u.Exchanges++
		ok := e.Status/100 == 2 || (e.sftp && e.probe == "" && strings.HasPrefix(e.Path, "read"))
		u.Exercised = u.Exercised || ok
		p := e.template
		if p == "" {
			p = e.Path
		}
		if e.sftp {
			p = strings.Fields(e.Path)[0]
		}
		k := e.Method + " " + p
		o := ops[e.useCase][k]
		if o == nil {
			o = &OperationResult{OperationID: e.OperationID, Method: e.Method, Path: p, Statuses: map[string]int{}}
			ops[e.useCase][k] = o
		}
		o.Calls++
		o.Statuses[statusText(e)]++
	}
	var out []UseCaseResult
	for _, name := range useCaseOrder {
		u := by[name]
		keys := make([]string, 0, len(ops[name]))
		for k := range ops[name] {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			u.Operations = append(u.Operations, *ops[name][k])
		}
		if u.Claimed || u.Exchanges > 0 {
			out = append(out, *u)
		}
	}
	return out
}

func statusText(e *exchange) string {
	switch {
	case e.sftp && e.probe != "":
		return "hidden"
	case e.sftp:
		return "ok"
	case e.Status == 0:
		return "no answer"
	}
	return strconv.Itoa(e.Status)
}

// follow lists the API calls after xs[i], up to the next probed call.
func follow(xs []exchange, i int) []*exchange {
	var out []*exchange
	for j := i + 1; j < len(xs) && len(out) < followLimit; j++ {
		if xs[j].sftp {
			continue
		}
		if xs[j].probe != "" {
			break
		}
		out = append(out, &xs[j])
	}
	return out
}

func sameCall(a, b *exchange) bool {
	return a.Method == b.Method && a.Path == b.Path && a.Query == b.Query
}

func repeats(xs []*exchange, e *exchange) []*exchange {
	var out []*exchange
	for _, x := range xs {
		if sameCall(x, e) {
			out = append(out, x)
		}
	}
	return out
}

func ids(xs ...*exchange) []int64 {
	out := []int64{}
	for _, x := range xs {
		if x != nil {
			out = append(out, x.ID)
		}
	}
	return out
}

// ms shows a duration to the millisecond (to the microsecond below one).
func ms(d time.Duration) string {
	if d < time.Millisecond {
		return d.Round(time.Microsecond).String()
	}
	return d.Round(time.Millisecond).String()
}

// judge classifies what the client did after a probe.
func judge(name string, cfg Config, xs []exchange) ProbeResult {
	p := ProbeResult{Name: name, Title: probes[name].title, Evidence: []int64{}}
	if name == ProbeLateFile {
		return judgeLateFile(p, xs)
	}
	i := slices.IndexFunc(xs, func(e exchange) bool { return e.probe == name })
	if i < 0 {
		p.Verdict, p.Behaviour, p.Detail = NotExercised, "not-exercised", "no call the probe targets came during the session"
		return p
	}
	e := &xs[i]
	next := follow(xs, i)
	switch name {
	case ProbeExpiredToken:
		return judgeExpired(p, e, next)
	case ProbeServerError:
		return judgeRetry(p, e, next, 0)
	case ProbeUnavailable:
		return judgeRetry(p, e, next, time.Duration(cfg.RetryAfterSeconds)*time.Second)
	case ProbeSlow:
		if e.Status != 0 {
			p.Verdict, p.Behaviour = NotHandled, "no-client-timeout"
			p.Detail = fmt.Sprintf("waited %s for an answer the server held for %s: set a client timeout", ms(e.end.Sub(e.start)), time.Duration(cfg.SlowDelay))
			p.Evidence = ids(e)
			return p
		}
		p = judgeRetry(p, e, next, 0)
		p.Detail = fmt.Sprintf("timed out after %s, then %s", ms(e.end.Sub(e.start)), p.Detail)
		return p
	case ProbeValidation:
		return judgeValidation(p, e, next)
	}
	return judgeVanished(p, e, next)
}

func judgeExpired(p ProbeResult, e *exchange, next []*exchange) ProbeResult {
	var login, retry, stale *exchange
	for _, x := range next {
		switch {
		case stale == nil && x.token != "" && x.token == e.token:
			stale = x
		case login == nil && isLogin(&x.Entry) && x.Status/100 == 2:
			login = x
		case login != nil && retry == nil && sameCall(x, e) && x.token != e.token && x.Status < 400:
			retry = x
		}
	}
	switch {
	case stale != nil && (login == nil || stale.ID < login.ID):
		p.Verdict, p.Behaviour = NotHandled, "kept-the-expired-token"
		p.Detail = fmt.Sprintf("sent the expired token again (exchange %d) instead of logging in", stale.ID)
		p.Evidence = ids(e, stale)
	case login == nil:
		p.Verdict, p.Behaviour, p.Detail = NotHandled, "did-not-log-in-again", "no new login followed the 401"
		p.Evidence = ids(e)
	case retry == nil:
		p.Verdict, p.Behaviour, p.Detail = NotHandled, "logged-in-again-without-retrying", "logged in again but never retried the failed call"
		p.Evidence = ids(e, login)
	default:
		p.Verdict, p.Behaviour = Handled, "logged-in-again-and-retried"
		p.Detail = fmt.Sprintf("logged in again (exchange %d) and retried the call with the new token (exchange %d)", login.ID, retry.ID)
		p.Evidence = ids(e, login, retry)
	}
	return p
}

// judgeRetry reads the repeats of a failed call: none is a clean give-up;
// a first repeat sooner than the least wait (MinBackoff, or Retry-After)
// or a storm is not handled; else the client backed off and retried.
func judgeRetry(p ProbeResult, e *exchange, next []*exchange, retryAfter time.Duration) ProbeResult {
	reps := repeats(next, e)
	if len(reps) == 0 {
		p.Verdict, p.Behaviour, p.Detail = Handled, "gave-up-cleanly", "did not retry the call"
		p.Evidence = ids(e)
		return p
	}
	gap := reps[0].start.Sub(e.end)
	inStorm := 0
	for _, x := range reps {
		if x.start.Sub(e.end) <= StormWindow {
			inStorm++
		}
	}
	least := max(MinBackoff, retryAfter-50*time.Millisecond)
	switch {
	case inStorm >= StormRepeats:
		p.Verdict, p.Behaviour = NotHandled, "retry-storm"
		p.Detail = fmt.Sprintf("repeated the call %d times within %s", inStorm, StormWindow)
		p.Evidence = ids(append([]*exchange{e}, reps[:inStorm]...)...)
	case retryAfter > 0 && gap < least:
		p.Verdict, p.Behaviour = NotHandled, "ignored-retry-after"
		p.Detail = fmt.Sprintf("retried after %s although Retry-After asked for %s", ms(gap), retryAfter)
		p.Evidence = ids(e, reps[0])
	case gap < least:
		p.Verdict, p.Behaviour = NotHandled, "retried-without-backoff"
		p.Detail = fmt.Sprintf("retried after %s, without backing off", ms(gap))
		p.Evidence = ids(e, reps[0])
	default:
		p.Verdict, p.Behaviour = Handled, "backed-off-and-retried"
		p.Detail = fmt.Sprintf("waited %s and retried", ms(gap))
		if retryAfter > 0 {
			p.Detail += fmt.Sprintf(" (Retry-After %s)", retryAfter)
		}
		p.Evidence = ids(e, reps[0])
	}
	return p
}

func judgeValidation(p ProbeResult, e *exchange, next []*exchange) ProbeResult {
	p.Evidence = ids(e)
	for _, x := range repeats(next, e) {
		if x.Request.Body == e.Request.Body {
			p.Verdict, p.Behaviour = NotHandled, "re-sent-unchanged"
			p.Detail = fmt.Sprintf("sent the rejected request again unchanged (exchange %d)", x.ID)
			p.Evidence = ids(e, x)
			return p
		}
		p.Verdict, p.Behaviour = Handled, "corrected-and-re-sent"
		p.Detail = fmt.Sprintf("sent a changed request (exchange %d)", x.ID)
		p.Evidence = ids(e, x)
		return p
	}
	p.Verdict, p.Behaviour, p.Detail = Handled, "gave-up-cleanly", "did not send the rejected request again"
	return p
}

func judgeVanished(p ProbeResult, e *exchange, next []*exchange) ProbeResult {
	parent := path.Dir(e.Path)
	reps := repeats(next, e)
	inStorm := 0
	for _, x := range reps {
		if x.start.Sub(e.end) <= StormWindow {
			inStorm++
		}
	}
	if inStorm >= StormRepeats {
		p.Verdict, p.Behaviour = NotHandled, "retry-storm"
		p.Detail = fmt.Sprintf("asked for the vanished object %d times within %s", inStorm, StormWindow)
		p.Evidence = ids(append([]*exchange{e}, reps[:inStorm]...)...)
		return p
	}
	for _, x := range next {
		if x.Path != e.Path && x.Path != parent {
			continue
		}
		if x.Method == http.MethodGet {
			p.Verdict, p.Behaviour = Handled, "re-read-the-object"
			p.Detail = fmt.Sprintf("read the object (or its collection) again (exchange %d)", x.ID)
			p.Evidence = ids(e, x)
			return p
		}
		if x.Path == e.Path {
			p.Verdict, p.Behaviour = NotHandled, "wrote-to-vanished-object"
			p.Detail = fmt.Sprintf("sent %s to the object it had just been told is gone, without reading it again (exchange %d)", x.Method, x.ID)
			p.Evidence = ids(e, x)
			return p
		}
	}
	p.Verdict, p.Behaviour, p.Detail = Handled, "gave-up-cleanly", "left the vanished object alone"
	p.Evidence = ids(e)
	return p
}

func judgeLateFile(p ProbeResult, xs []exchange) ProbeResult {
	var hidden []*exchange
	var fetched *exchange
	for j := range xs {
		e := &xs[j]
		switch {
		case e.probe == ProbeLateFile:
			hidden = append(hidden, e)
		case len(hidden) > 0 && fetched == nil && e.sftp && strings.HasPrefix(e.Path, "read"):
			fetched = e
		}
	}
	if len(hidden) == 0 {
		p.Verdict, p.Behaviour, p.Detail = NotExercised, "not-exercised", "the client never listed the datafeed"
		return p
	}
	// A listing again, less than a second after one that came back empty
	// (and far enough from it to be a new poll), is polling too fast.
	for a := range hidden {
		for b := a + 1; b < len(hidden); b++ {
			if gap := hidden[b].start.Sub(hidden[a].start); gap >= relistMin && gap < PollInterval {
				p.Verdict, p.Behaviour = NotHandled, "polled-too-fast"
				p.Detail = fmt.Sprintf("listed the datafeed again %s after an empty listing (faster than once a second)", ms(gap))
				p.Evidence = ids(hidden[a], hidden[b])
				return p
			}
		}
	}
	first, last := hidden[0], hidden[len(hidden)-1]
	if fetched == nil {
		p.Verdict, p.Behaviour = NotHandled, "missed-late-file"
		p.Detail = "found the datafeed empty and never fetched a file once the files appeared"
		p.Evidence = ids(first, last)
		return p
	}
	p.Verdict, p.Behaviour = Handled, "fetched-late-file"
	p.Detail = fmt.Sprintf("listed again and fetched a file %s after the first empty listing", ms(fetched.start.Sub(first.start)))
	p.Evidence = ids(first, fetched)
	return p
}

// fastPolling flags runs of the same GET repeated faster than once a
// second, PollRun or more in a row. (Datafeed polling is judged by the
// late-file probe.)
func fastPolling(xs []exchange) []Flag {
	var out []Flag
	runs := map[string][]*exchange{} // the current run of each call
	flagged := map[string]bool{}
	emit := func(k string, run []*exchange) {
		if len(run) >= PollRun && !flagged[k] {
			flagged[k] = true
			out = append(out, Flag{Code: FlagFastPolling, Evidence: ids(run[:PollRun]...),
				Detail: fmt.Sprintf("%s called %d times in a row less than %s apart", k, len(run), PollInterval)})
		}
	}
	for i := range xs {
		e := &xs[i]
		if e.sftp || e.Method != http.MethodGet {
			continue
		}
		k := e.key()
		run := runs[k]
		if len(run) > 0 && e.start.Sub(run[len(run)-1].start) >= PollInterval {
			emit(k, run)
			run = nil
		}
		runs[k] = append(run, e)
	}
	for _, k := range slices.Sorted(maps.Keys(runs)) {
		emit(k, runs[k])
	}
	return out
}

// ignoredRetryAfter flags a call repeated sooner than its Retry-After said.
func ignoredRetryAfter(xs []exchange) []Flag {
	var out []Flag
	for i := range xs {
		e := &xs[i]
		ra := first(e.Response.Headers["Retry-After"])
		secs, err := strconv.Atoi(ra)
		if ra == "" || err != nil {
			continue
		}
		for j := i + 1; j < len(xs); j++ {
			x := &xs[j]
			if x.sftp || !sameCall(x, e) {
				continue
			}
			if gap := x.start.Sub(e.end); gap < time.Duration(secs)*time.Second-50*time.Millisecond {
				out = append(out, Flag{Code: FlagIgnoredRetryAfter, Evidence: ids(e, x),
					Detail: fmt.Sprintf("%s retried after %s although Retry-After asked for %ds", e.key(), ms(gap), secs)})
			}
			break
		}
	}
	return out
}

func first(vs []string) string {
	if len(vs) == 0 {
		return ""
	}
	return vs[0]
}

// queryCredentials are parameter names that carry a login when the journal
// has not already redacted their value.
var queryCredentials = map[string]bool{"username": true, "user": true, "apikey": true, "api_key": true, "x-auth-token": true}

// credentialsInQuery flags calls with a secret in their query string: a
// value the journal redacted, or a login name.
func credentialsInQuery(xs []exchange) []Flag {
	var ev []*exchange
	names := map[string]bool{}
	for i := range xs {
		e := &xs[i]
		if e.Query == "" {
			continue
		}
		vals, err := url.ParseQuery(e.Query)
		if err != nil {
			continue
		}
		hit := false
		for k, vs := range vals {
			if queryCredentials[strings.ToLower(k)] || slices.Contains(vs, journal.Redacted) {
				names[k], hit = true, true
			}
		}
		if hit {
			ev = append(ev, e)
		}
	}
	if len(ev) == 0 {
		return nil
	}
	keys := make([]string, 0, len(names))
	for k := range names {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	if len(ev) > 5 {
		ev = ev[:5]
	}
	return []Flag{{Code: FlagCredentialsQuery, Evidence: ids(ev...),
		Detail: fmt.Sprintf("credentials sent in the query string (%s): send the token in X-AUTH-TOKEN and logins in the body", strings.Join(keys, ", "))}}
}

// noLogout flags a session that logged in but never logged out.
func noLogout(xs []exchange) []Flag {
	var logins []*exchange
	for i := range xs {
		e := &xs[i]
		if isLogout(&e.Entry) && e.Status/100 == 2 {
			return nil
		}
		if isLogin(&e.Entry) && e.Status/100 == 2 {
			logins = append(logins, e)
		}
	}
	if len(logins) == 0 {
		return nil
	}
	ev := logins
	if len(ev) > 5 {
		ev = ev[:5]
	}
	return []Flag{{Code: FlagNoLogout, Evidence: ids(ev...),
		Detail: fmt.Sprintf("logged in %d time(s) and never logged out (PUT /v2/authorize/logout)", len(logins))}}
}
