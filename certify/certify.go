// Package certify runs certification rehearsals: while a session runs, every
// exchange of one partition is recorded in full (redacted as the journal
// redacts, up to a size cap), chosen calls are answered with the errors a
// client must survive (the probes), and a report tells, per use case the
// integration claims, what it exercised, per probe what the client did next,
// and what Alianza's review would frown on. Alianza certifies every
// integration on its beta before it goes live; the rehearsal is the same
// checklist run against the emulator, in CI.
package certify

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/fakealianza/fakealianza/journal"
	"github.com/fakealianza/fakealianza/scenarios"
)

// Defaults of a session's knobs.
const (
	DefaultMaxBytes      = 32 << 20
	DefaultRetryAfter    = 2
	DefaultSlowDelay     = 35 * time.Second // past the 30 s many HTTP clients wait
	DefaultLateFileDelay = 3 * time.Second
)

// Errors of the session life cycle.
var (
	ErrRunning    = errors.New("certify: a session is already running")
	ErrNotRunning = errors.New("certify: no session is running")
	ErrNoSession  = errors.New("certify: no session was started")
)

// Config starts a session. Every field is optional.
type Config struct {
	// UseCases are the use cases the integration claims (UseCaseNames).
	UseCases []string `json:"useCases,omitempty"`
	// PartitionID limits the session to one partition ("" records every
	// partition's exchanges).
	PartitionID string `json:"partitionId,omitempty"`
	// Seed orders the probes (default: the server's --seed).
	Seed *uint64 `json:"seed,omitempty"`
	// Probes are the error-handling probes to run (ProbeNames, or "all").
	// None by default: probes are opt-in.
	Probes []string `json:"probes,omitempty"`
	// RetryAfterSeconds is the Retry-After of the 503 probe (default 2).
	RetryAfterSeconds int `json:"retryAfterSeconds,omitempty"`
	// SlowDelay is how long the slow probe holds its answer (default 35s).
	SlowDelay scenarios.Duration `json:"slowDelay,omitempty"`
	// LateFileDelay is how long the late-file probe hides the datafeed
	// files from the first listing on (default 3s).
	LateFileDelay scenarios.Duration `json:"lateFileDelay,omitempty"`
	// MaxBytes caps the recorded exchanges (default 32 MiB).
	MaxBytes int64 `json:"maxBytes,omitempty"`
}

// Validate checks the config and fills its defaults (the seed with
// defaultSeed when none is given); Start does the same.
func (c *Config) Validate(defaultSeed uint64) error {
	for _, u := range c.UseCases {
		if _, ok := useCaseTitles[u]; !ok || !claimable(u) {
			return &FieldError{Field: "useCases", Detail: fmt.Sprintf("unknown use case %q (%s)", u, strings.Join(UseCaseNames(), ", "))}
		}
	}
	c.UseCases = dedupe(c.UseCases)
	if slices.Contains(c.Probes, "all") {
		c.Probes = ProbeNames()
	}
	for _, p := range c.Probes {
		if _, ok := probes[p]; !ok {
			return &FieldError{Field: "probes", Detail: fmt.Sprintf("unknown probe %q (all, %s)", p, strings.Join(ProbeNames(), ", "))}
		}
	}
	c.Probes = dedupe(c.Probes)
	if c.Seed == nil {
		c.Seed = &defaultSeed
	}
	switch {
	case c.RetryAfterSeconds == 0:
		c.RetryAfterSeconds = DefaultRetryAfter
	case c.RetryAfterSeconds < 1 || c.RetryAfterSeconds > 60:
		return &FieldError{Field: "retryAfterSeconds", Detail: "want 1-60"}
	}
	if err := bounded(&c.SlowDelay, DefaultSlowDelay, "slowDelay"); err != nil {
		return err
	}
	if err := bounded(&c.LateFileDelay, DefaultLateFileDelay, "lateFileDelay"); err != nil {
		return err
	}
	switch {
	case c.MaxBytes == 0:
		c.MaxBytes = DefaultMaxBytes
	case c.MaxBytes < 64<<10 || c.MaxBytes > 1<<30:
		return &FieldError{Field: "maxBytes", Detail: "want 65536 to 1073741824"}
	}
	return nil
}

func bounded(d *scenarios.Duration, def time.Duration, field string) error {
	switch {
	case *d == 0:
		*d = scenarios.Duration(def)
	case time.Duration(*d) > scenarios.MaxDelay:
		return &FieldError{Field: field, Detail: "at most " + scenarios.MaxDelay.String()}
	}
	return nil
}

func dedupe(in []string) []string {
	var out []string
	for _, s := range in {
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// FieldError is a config field the session cannot take.
type FieldError struct{ Field, Detail string }

func (e *FieldError) Error() string { return "certify: " + e.Field + ": " + e.Detail }

// Status describes a session.
type Status struct {
	ID          string    `json:"id"`
	Running     bool      `json:"running"`
	PartitionID string    `json:"partitionId,omitempty"`
	UseCases    []string  `json:"useCases"`
	Probes      []string  `json:"probes"` // in the seeded order they are tried
	Seed        uint64    `json:"seed"`
	StartedAt   time.Time `json:"startedAt"`
	StoppedAt   time.Time `json:"stoppedAt,omitzero"`
	// Exchanges counts the exchanges recorded; Stripped those kept without
	// headers and bodies once MaxBytes was reached; Dropped those not kept
	// at all (past MaxBytes and its reserve for summaries).
	Exchanges     int   `json:"exchanges"`
	Stripped      int   `json:"stripped"`
	Dropped       int   `json:"dropped"`
	RecordedBytes int64 `json:"recordedBytes"`
	MaxBytes      int64 `json:"maxBytes"`
}

// Certifier holds the running session (at most one) and the last one.
// Safe for concurrent use; with no session running, Record and Probe cost
// one atomic load.
type Certifier struct {
	seed   uint64
	active atomic.Pointer[session]

	mu   sync.Mutex
	last *session
	seq  int
}

// New returns a certifier whose sessions default to seed.
func New(seed uint64) *Certifier { return &Certifier{seed: seed} }

// Start begins a session.
func (c *Certifier) Start(cfg Config) (Status, error) {
	if err := cfg.Validate(c.seed); err != nil {
		return Status{}, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.active.Load() != nil {
		return Status{}, ErrRunning
	}
	c.seq++
	s := newSession(fmt.Sprintf("c%d", c.seq), cfg)
	c.last = s
	c.active.Store(s)
	return s.status(), nil
}

// Stop ends the running session; its report stays available.
func (c *Certifier) Stop() (Status, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := c.active.Load()
	if s == nil {
		return Status{}, ErrNotRunning
	}
	c.active.Store(nil)
	s.stop()
	return s.status(), nil
}

// Status describes the running or last session.
func (c *Certifier) Status() (Status, error) {
	c.mu.Lock()
	s := c.last
	c.mu.Unlock()
	if s == nil {
		return Status{}, ErrNoSession
	}
	return s.status(), nil
}

func (c *Certifier) current() (*session, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.last == nil {
		return nil, ErrNoSession
	}
	return c.last, nil
}

// Exchange is what the request front hands over once an exchange is done.
type Exchange struct {
	// Entry is the exchange as the journal stores it (redacted, bodies cut).
	Entry journal.Entry
	// PathTemplate is the spec's template the path matched ("" unmatched).
	PathTemplate string
	// Start is the wall-clock time the request arrived (server time may be
	// frozen; rates and back-off are measured on the wall clock).
	Start time.Time
	// Token is the request's raw X-AUTH-TOKEN; only a hash of it is kept.
	Token string
	// Response is the raw response body; only a login's is read, for the
	// token it hands out (hashed at once).
	Response []byte
}

// Record files an exchange with the running session, if it belongs to it.
func (c *Certifier) Record(x Exchange) {
	if c == nil {
		return
	}
	if s := c.active.Load(); s != nil {
		s.record(x)
	}
}

// Probe is the scenarios.Prober: during a session it answers chosen calls
// with the probes' errors.
func (c *Certifier) Probe(in *scenarios.Input, _ time.Time) *scenarios.Decision {
	if c == nil {
		return nil
	}
	if s := c.active.Load(); s != nil {
		return s.probe(in, time.Now())
	}
	return nil
}

// exchange is one recorded exchange.
type exchange struct {
	journal.Entry
	template string
	start    time.Time // wall clock
	end      time.Time
	useCase  string
	probe    string // the probe that answered it
	token    string // hash of X-AUTH-TOKEN
	sftp     bool   // an SFTP event (Method SFTP, Path "<event> <path>")
}

// key names "the same request" for retries: method, path and query.
func (e *exchange) key() string {
	k := e.Method + " " + e.Path
	if e.Query != "" {
		k += "?" + e.Query
	}
	return k
}

// session is one rehearsal.
type session struct {
	id  string
	cfg Config

	mu        sync.Mutex
	started   time.Time
	stopped   time.Time
	exchanges []exchange
	bytes     int64
	stripped  int
	dropped   int
	seq       int64
	tokens    map[string]bool // hashes of the tokens the session's logins got
	readItems map[string]bool // item paths a GET answered 200 for
	probes    []*probeState   // seeded order
	lastHTTP  *probeState     // the HTTP probe fired last
}

// bounds of the session's own indexes.
const (
	maxTokens = 10000
	maxItems  = 10000
	// summaryCost is what an exchange kept without headers and bodies
	// counts against the cap; summaries may use a quarter beyond it.
	summaryCost = 256
)

func newSession(id string, cfg Config) *session {
	s := &session{id: id, cfg: cfg, started: time.Now(), tokens: map[string]bool{}, readItems: map[string]bool{}}
	order := slices.Clone(cfg.Probes)
	slices.Sort(order)
	rng := rand.New(rand.NewPCG(*cfg.Seed, *cfg.Seed^0x5851f42d4c957f2d))
	rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
	for _, name := range order {
		s.probes = append(s.probes, &probeState{def: probes[name]})
	}
	return s
}

func (s *session) stop() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stopped = time.Now()
}

func (s *session) status() Status {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := Status{
		ID: s.id, Running: s.stopped.IsZero(), PartitionID: s.cfg.PartitionID, UseCases: nonNil(s.cfg.UseCases),
		Probes: []string{}, Seed: *s.cfg.Seed, StartedAt: s.started, StoppedAt: s.stopped,
		Exchanges: len(s.exchanges), Stripped: s.stripped, Dropped: s.dropped,
		RecordedBytes: s.bytes, MaxBytes: s.cfg.MaxBytes,
	}
	for _, p := range s.probes {
		st.Probes = append(st.Probes, p.def.name)
	}
	return st
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func hashToken(t string) string {
	if t == "" {
		return ""
	}
	sum := sha256.Sum256([]byte(t))
	return hex.EncodeToString(sum[:8])
}

// loginToken reads the token and partition a login handed out.
func loginToken(body []byte) (token, partitionID string) {
	var v struct {
		AuthToken   string `json:"authToken"`
		PartitionID string `json:"partitionId"`
	}
	if json.Unmarshal(body, &v) != nil {
		return "", ""
	}
	return v.AuthToken, v.PartitionID
}

func isLogin(e *journal.Entry) bool {
	return e.Method == http.MethodPost && e.Path == "/v2/authorize"
}

func isLogout(e *journal.Entry) bool {
	return e.Method == http.MethodPut && e.Path == "/v2/authorize/logout"
}

// record files an exchange when it belongs to the session's partition: by
// its path, by the login that handed out its token, or (no partition
// given) always.
func (s *session) record(x Exchange) {
	tok := hashToken(x.Token)
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.stopped.IsZero() {
		return
	}
	part := s.cfg.PartitionID
	belongs := part == "" || x.Entry.PartitionID == part || (tok != "" && s.tokens[tok])
	if isLogin(&x.Entry) && x.Entry.Status/100 == 2 {
		if t, pid := loginToken(x.Response); t != "" && (part == "" || pid == part) {
			belongs = true
			if len(s.tokens) < maxTokens {
				s.tokens[hashToken(t)] = true
			}
		}
	}
	if !belongs {
		return
	}
	e := exchange{Entry: x.Entry, template: x.PathTemplate, start: x.Start, token: tok}
	e.useCase = classify(e.template, e.Path)
	e.end = x.Start.Add(time.Duration(x.Entry.DurationMs * float64(time.Millisecond)))
	if i := strings.IndexByte(e.Fault, ':'); strings.HasPrefix(e.Fault, faultPrefix) && i > 0 {
		e.probe = e.Fault[len(faultPrefix):i]
	}
	if e.Method == http.MethodGet && e.Status == http.StatusOK && isItem(e.template) && len(s.readItems) < maxItems {
		s.readItems[e.Path] = true
	}
	s.noteForProbes(&e)
	s.file(e)
}

// file appends an exchange within the cap: whole while it fits, then as a
// summary (no headers, no bodies) while the reserve lasts, then not at all.
func (s *session) file(e exchange) {
	cost := int64(summaryCost + len(e.Path) + len(e.Query) + len(e.Fault))
	full := cost + messageSize(&e.Request) + messageSize(&e.Response)
	switch {
	case s.bytes+full <= s.cfg.MaxBytes:
		cost = full
	case s.bytes+cost <= s.cfg.MaxBytes+s.cfg.MaxBytes/4:
		e.Request, e.Response = journal.Message{}, journal.Message{}
		s.stripped++
	default:
		s.dropped++
		return
	}
	s.bytes += cost
	s.seq++
	e.ID = s.seq
	s.exchanges = append(s.exchanges, e)
}

func messageSize(m *journal.Message) int64 {
	n := int64(len(m.Body))
	for k, vs := range m.Headers {
		for _, v := range vs {
			n += int64(len(k) + len(v) + 4)
		}
	}
	return n
}

// recordSFTP files an SFTP event (no headers or bodies: the event, its
// path and whether a probe hid the files).
func (s *session) recordSFTP(in *scenarios.Input, at time.Time, probe string) {
	e := exchange{
		Entry: journal.Entry{Method: "SFTP", Path: in.SFTP + " " + in.Path, PartitionID: in.PartitionID, Status: 0},
		start: at, end: at, sftp: true, useCase: UseCaseCDR, probe: probe,
	}
	if e.Path == in.SFTP+" " {
		e.Path = in.SFTP
	}
	if probe != "" {
		e.Fault = faultPrefix + probe + ":sftp=" + scenarios.SFTPMissing
	}
	s.file(e)
}

// snapshot copies what a report needs.
func (s *session) snapshot() (Status, []exchange) {
	st := s.status()
	s.mu.Lock()
	defer s.mu.Unlock()
	return st, slices.Clone(s.exchanges)
}
