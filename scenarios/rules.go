// Package scenarios holds fakealianza's fault rules (match -> action), the
// engine that evaluates them for every request, the scenario file format and
// the built-in scenario library.
package scenarios

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"net/http"
	"path"
	"strings"
	"time"
)

// Duration is a time.Duration written as a Go duration string ("250ms", "2s").
type Duration time.Duration

// MarshalJSON writes the duration as a string.
func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(time.Duration(d).String()) }

// UnmarshalJSON reads a Go duration string.
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("duration: want a string such as \"2s\"")
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("duration: %w", err)
	}
	if v < 0 {
		return fmt.Errorf("duration: %s is negative", s)
	}
	*d = Duration(v)
	return nil
}

// Match says which requests a rule applies to. Every field set must agree;
// an empty Match matches every request (the /__admin API is never faulted).
type Match struct {
	// Method is an HTTP method (case-insensitive).
	Method string `json:"method,omitempty"`
	// Path is a glob over the request path: * is one segment (or part of
	// one), ** any number of segments.
	Path string `json:"path,omitempty"`
	// PathTemplate is the spec's path template, e.g. /v2/partition/{partitionId}/account.
	PathTemplate string `json:"pathTemplate,omitempty"`
	// OperationID is the spec's operationId.
	OperationID string `json:"operationId,omitempty"`
	// PartitionID and AccountID compare with the path parameters of the same name.
	PartitionID string `json:"partitionId,omitempty"`
	AccountID   string `json:"accountId,omitempty"`
	// Headers maps a header name to a glob over its value ("*": present).
	Headers map[string]string `json:"headers,omitempty"`
	// SFTP makes the rule one for the SFTP datafeed instead of HTTP: it
	// matches new connections ("connect"), logins ("login"), directory
	// listings ("list") or file downloads ("read"). Path then globs the file path, PartitionID the
	// login's partition.
	SFTP string `json:"sftp,omitempty"`
}

// SFTP events a rule can match.
const (
	SFTPConnect = "connect" // a new TCP connection (before login: no partition yet)
	SFTPLogin   = "login"
	SFTPList    = "list"
	SFTPRead    = "read"
)

// SFTP actions.
const (
	SFTPRefuse     = "refuse"     // the login is refused as if the password were wrong
	SFTPMissing    = "missing"    // the file (or the listing) is not there
	SFTPDisconnect = "disconnect" // the connection breaks after AfterBytes bytes sent
)

// Delay holds a request back before it is answered: Fixed, or uniform in
// [Min, Max], or lognormal around Median with shape Sigma.
type Delay struct {
	Fixed  Duration `json:"fixed,omitempty"`
	Min    Duration `json:"min,omitempty"`
	Max    Duration `json:"max,omitempty"`
	Median Duration `json:"median,omitempty"`
	Sigma  float64  `json:"sigma,omitempty"`
}

// MaxDelay bounds every sampled delay.
const MaxDelay = 10 * time.Minute

func (d *Delay) validate() error {
	switch {
	case d.Median > 0:
		if d.Fixed != 0 || d.Min != 0 || d.Max != 0 || d.Sigma < 0 {
			return errors.New("delay: lognormal takes median and sigma (>= 0) only")
		}
	case d.Max > 0:
		if d.Fixed != 0 || d.Min > d.Max {
			return errors.New("delay: uniform takes min <= max")
		}
	case d.Fixed > 0:
		if d.Min != 0 || d.Sigma != 0 {
			return errors.New("delay: fixed takes no other field")
		}
	default:
		return errors.New("delay: set fixed, min/max or median/sigma")
	}
	return nil
}

// Sample draws one delay.
func (d *Delay) Sample(rng *rand.Rand) time.Duration {
	var v time.Duration
	switch {
	case d.Median > 0:
		v = time.Duration(float64(d.Median) * math.Exp(d.Sigma*rng.NormFloat64()))
	case d.Max > 0:
		v = time.Duration(d.Min)
		if span := int64(d.Max - d.Min); span > 0 {
			v += time.Duration(rng.Int64N(span + 1))
		}
	default:
		v = time.Duration(d.Fixed)
	}
	return min(max(v, 0), MaxDelay)
}

// Connection faults: the socket misbehaves instead of answering.
const (
	ConnReset     = "reset"     // TCP reset (RST) before any byte
	ConnEmpty     = "empty"     // closed without a byte (empty reply)
	ConnMalformed = "malformed" // a chunked response with a broken chunk
	ConnGarbage   = "garbage"   // random bytes, then closed
	ConnHang      = "hang"      // nothing ever comes; held until the client gives up
	ConnTruncated = "truncated" // the real response cut off halfway through its body
)

var connections = []string{ConnReset, ConnEmpty, ConnMalformed, ConnGarbage, ConnHang, ConnTruncated}

// Action is what a firing rule does. Status answers with Alianza's error
// envelope (Message overrides the default code for the status, Data fills
// "data"); Body answers with exactly those bytes instead. Delay may stand
// alone (the request then goes on to the router) or precede an answer.
type Action struct {
	Status      int             `json:"status,omitempty"`
	Message     *string         `json:"message,omitempty"`
	Data        json.RawMessage `json:"data,omitempty"`
	Body        *string         `json:"body,omitempty"`
	ContentType string          `json:"contentType,omitempty"`
	RetryAfter  string          `json:"retryAfter,omitempty"`
	Delay       *Delay          `json:"delay,omitempty"`
	Connection  string          `json:"connection,omitempty"`
	// SFTP is the action of an SFTP rule: refuse (a login), missing (a
	// file or listing) or disconnect (a connection, after AfterBytes bytes
	// sent). A Delay alone slows the connection, login, listing or download.
	SFTP       string `json:"sftp,omitempty"`
	AfterBytes int    `json:"afterBytes,omitempty"`
}

// DefaultMessage is the message code a status answers with when the rule
// names none: Alianza's own where traffic shows one, else a code in its style.
func DefaultMessage(status int) string {
	switch status {
	case http.StatusBadRequest:
		return "InvalidRequest"
	case http.StatusUnauthorized:
		return "ExpiredAuthToken"
	case http.StatusForbidden:
		return "NotPermitted"
	case http.StatusNotFound:
		return "ResourceNotFound"
	case http.StatusConflict:
		return "Conflict"
	case http.StatusPreconditionFailed:
		return "PreconditionFailed"
	case http.StatusUnprocessableEntity:
		return "UnprocessableEntity"
	case http.StatusTooManyRequests:
		return "TooManyRequests"
	case http.StatusBadGateway:
		return "BadGateway"
	case http.StatusServiceUnavailable:
		return "ServiceUnavailable"
	}
	return "InternalServerError"
}

// Validate checks an action on its own.
func (a *Action) Validate() error {
	if a.SFTP != "" {
		if a.SFTP != SFTPRefuse && a.SFTP != SFTPMissing && a.SFTP != SFTPDisconnect {
			return fmt.Errorf("action: sftp %q unknown (refuse, missing, disconnect)", a.SFTP)
		}
		if (a.SFTP == SFTPDisconnect) != (a.AfterBytes > 0) {
			return errors.New("action: sftp disconnect takes afterBytes > 0 (and only it does)")
		}
		if a.Status != 0 || a.Body != nil || a.Connection != "" || a.Message != nil || a.RetryAfter != "" {
			return errors.New("action: an sftp action takes only a delay besides")
		}
	}
	if a.Status == 0 && a.Body == nil && a.Delay == nil && a.Connection == "" && a.SFTP == "" {
		return errors.New("action: set status, body, delay, connection or sftp")
	}
	if a.Status != 0 && (a.Status < 200 || a.Status > 599) {
		return fmt.Errorf("action: status %d out of range 200-599", a.Status)
	}
	if a.Body == nil && a.Status != 0 && a.Status < 400 {
		return fmt.Errorf("action: status %d needs a body (envelopes are for errors)", a.Status)
	}
	if a.Body != nil && (a.Message != nil || a.Data != nil) {
		return errors.New("action: body replaces the envelope; drop message and data")
	}
	if a.Connection != "" {
		ok := false
		for _, c := range connections {
			ok = ok || c == a.Connection
		}
		if !ok {
			return fmt.Errorf("action: connection %q unknown (%s)", a.Connection, strings.Join(connections, ", "))
		}
		if a.Connection != ConnTruncated && (a.Status != 0 || a.Body != nil) {
			return fmt.Errorf("action: connection %s sends no response; drop status and body", a.Connection)
		}
	}
	if a.RetryAfter != "" && a.Status == 0 {
		return errors.New("action: retryAfter needs a status")
	}
	if a.Delay != nil {
		if err := a.Delay.validate(); err != nil {
			return fmt.Errorf("action: %w", err)
		}
	}
	return nil
}

// Answers reports whether the action answers the request itself (rather
// than only delaying it).
func (a *Action) Answers() bool {
	return a.Status != 0 || a.Body != nil || a.Connection != "" || a.SFTP != ""
}

// Summary is the action in the X-Fakealianza-Fault header's syntax, for
// logs and the journal.
func (a *Action) Summary() string {
	var parts []string
	if a.Status != 0 {
		parts = append(parts, fmt.Sprintf("status=%d", a.Status))
	}
	if a.Message != nil {
		parts = append(parts, "message="+*a.Message)
	}
	if a.Body != nil {
		parts = append(parts, "body")
	}
	if a.Delay != nil {
		parts = append(parts, "delay")
	}
	if a.Connection != "" {
		parts = append(parts, "connection="+a.Connection)
	}
	if a.SFTP != "" {
		parts = append(parts, "sftp="+a.SFTP)
	}
	return strings.Join(parts, ",")
}

// Rule is one fault rule: when Match matches, the rule may fire and its
// Action answers (or delays) the request.
type Rule struct {
	// ID is assigned when the rule is added (f1, f2, ...).
	ID string `json:"id,omitempty"`
	// Description says what the rule is for.
	Description string `json:"description,omitempty"`
	Match       Match  `json:"match"`
	Action      Action `json:"action"`
	// Probability of firing on a match, 0 < p <= 1 (unset: always).
	Probability *float64 `json:"probability,omitempty"`
	// Seed drives this rule's random draws (probability, delays, garbage);
	// unset: derived from the server's --seed and the rule's number.
	Seed *uint64 `json:"seed,omitempty"`
	// Times: fire this many times, then retire (0: no limit).
	Times int `json:"times,omitempty"`
	// After: let this many matches through before firing.
	After int `json:"after,omitempty"`
	// From and Until bound the rule's active window in server time.
	From  *time.Time `json:"from,omitempty"`
	Until *time.Time `json:"until,omitempty"`

	// Read-only counters.
	Matches  int    `json:"matches"`
	Hits     int    `json:"hits"`
	Retired  bool   `json:"retired"`
	Scenario string `json:"scenario,omitempty"`
}

// Validate checks a rule before it is added.
func (r *Rule) Validate() error {
	if r.Probability != nil && (*r.Probability <= 0 || *r.Probability > 1) {
		return errors.New("probability must be in (0, 1]")
	}
	if r.Times < 0 || r.After < 0 {
		return errors.New("times and after must not be negative")
	}
	if r.From != nil && r.Until != nil && !r.Until.After(*r.From) {
		return errors.New("until must be after from")
	}
	if r.Match.Path != "" && !strings.HasPrefix(r.Match.Path, "/") {
		return errors.New("match.path must start with /")
	}
	if len(r.Match.Path) > MaxGlob {
		return fmt.Errorf("match.path is longer than %d bytes", MaxGlob)
	}
	switch r.Match.SFTP {
	case "":
		if r.Action.SFTP != "" {
			return errors.New("action.sftp needs match.sftp (login, list or read)")
		}
	case SFTPConnect, SFTPLogin, SFTPList, SFTPRead:
		if r.Action.Status != 0 || r.Action.Body != nil || r.Action.Connection != "" {
			return errors.New("an sftp rule takes action.sftp and/or action.delay only")
		}
		if r.Match.Method != "" || r.Match.PathTemplate != "" || r.Match.OperationID != "" ||
			r.Match.AccountID != "" || len(r.Match.Headers) > 0 {
			return errors.New("an sftp rule matches on path and partitionId only")
		}
		if r.Action.SFTP == SFTPRefuse && r.Match.SFTP != SFTPLogin {
			return errors.New("action.sftp refuse is for logins; use missing for files")
		}
		if r.Action.SFTP == SFTPMissing && r.Match.SFTP != SFTPList && r.Match.SFTP != SFTPRead {
			return errors.New("action.sftp missing is for files and listings")
		}
		if (r.Action.SFTP == SFTPDisconnect) != (r.Match.SFTP == SFTPConnect && r.Action.SFTP != "") {
			return errors.New("action.sftp disconnect is for connections, and connections take only disconnect or a delay")
		}
		if r.Match.SFTP == SFTPConnect && (r.Match.PartitionID != "" || r.Match.Path != "") {
			return errors.New("a connection has no partition nor path yet; match on sftp: connect alone")
		}
	default:
		return fmt.Errorf("match.sftp %q unknown (connect, login, list, read)", r.Match.SFTP)
	}
	if _, err := path.Match(strings.ReplaceAll(r.Match.Path, "**", "*"), "/"); err != nil {
		return fmt.Errorf("match.path: %w", err)
	}
	for _, g := range r.Match.Headers {
		if _, err := path.Match(g, ""); err != nil {
			return fmt.Errorf("match.headers: %w", err)
		}
	}
	return r.Action.Validate()
}

// Input is what a rule can see of a request (or, with SFTP set, of an SFTP
// datafeed event).
type Input struct {
	SFTP         string
	Method       string
	Path         string
	PathTemplate string
	OperationID  string
	PartitionID  string
	AccountID    string
	Header       http.Header
}

// matches reports whether the request fits the rule's Match.
func (m *Match) matches(in *Input) bool {
	switch {
	case m.SFTP != in.SFTP,
		m.Method != "" && !strings.EqualFold(m.Method, in.Method),
		m.PathTemplate != "" && m.PathTemplate != in.PathTemplate,
		m.OperationID != "" && m.OperationID != in.OperationID,
		m.PartitionID != "" && m.PartitionID != in.PartitionID,
		m.AccountID != "" && m.AccountID != in.AccountID,
		m.Path != "" && !MatchPath(m.Path, in.Path):
		return false
	}
	for name, glob := range m.Headers {
		vals := in.Header.Values(name)
		if len(vals) == 0 {
			return false
		}
		ok := false
		for _, v := range vals {
			if hit, _ := path.Match(glob, v); hit {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

// MaxGlob bounds a path glob's length (fault rules and journal filters), so
// matching costs at most MaxGlob steps per path segment.
const MaxGlob = 1024

// MatchPath reports whether a request path fits a glob where * stands for
// one segment (or part of one) and ** for any number of segments.
//
// It runs the glob as a set of positions advanced one path segment at a
// time, so its cost is linear in the path's length whatever the glob: at
// most (glob segments + 1) segment comparisons per path segment, never the
// backtracking that many ** would need.
func MatchPath(glob, p string) bool {
	return matchSegments(strings.Split(strings.Trim(glob, "/"), "/"), strings.Split(strings.Trim(p, "/"), "/"))
}

// matchSegment compares one glob segment with one path segment (a variable
// so a test can count the comparisons).
var matchSegment = func(g, p string) bool {
	ok, _ := path.Match(g, p)
	return ok
}

func matchSegments(g, p []string) bool {
	// Runs of ** are one **.
	pat := make([]string, 0, len(g))
	for _, s := range g {
		if s == "**" && len(pat) > 0 && pat[len(pat)-1] == "**" {
			continue
		}
		pat = append(pat, s)
	}
	// cur[i]: the path consumed so far fits pat[:i].
	cur := make([]bool, len(pat)+1)
	next := make([]bool, len(pat)+1)
	cur[0] = true
	closeOver(pat, cur)
	for _, seg := range p {
		clear(next)
		alive := false
		for i, on := range cur[:len(pat)] {
			if !on {
				continue
			}
			switch {
			case pat[i] == "**":
				next[i] = true // ** takes this segment and may take more
				alive = true
			case matchSegment(pat[i], seg):
				next[i+1] = true
				alive = true
			}
		}
		if !alive {
			return false
		}
		closeOver(pat, next)
		cur, next = next, cur
	}
	return cur[len(pat)]
}

// closeOver adds the positions reachable by letting a ** match no segment.
func closeOver(pat []string, on []bool) {
	for i, s := range pat {
		if on[i] && s == "**" {
			on[i+1] = true
		}
	}
}
