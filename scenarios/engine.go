package scenarios

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Engine holds the active fault rules and decides, request by request,
// whether one fires. It is safe for concurrent use. With no rules it
// decides nothing (fault injection is off by default).
type Engine struct {
	mu    sync.Mutex
	seed  uint64
	next  int
	rules []*ruleState
	// adhoc draws for X-Fakealianza-Fault header faults.
	adhoc *rand.Rand
	// prober answers before the rules (a certification rehearsal's probes).
	prober atomic.Pointer[Prober]
}

// Prober is asked before the rules on every request and SFTP event; a
// decision it returns wins. A certification rehearsal uses it to answer
// chosen calls with the errors a client must survive, through the same
// actions and renderers the rules use. Rules added, deleted or cleared
// leave it in place.
type Prober interface {
	Probe(in *Input, now time.Time) *Decision
}

// SetProber installs p (nil removes it).
func (e *Engine) SetProber(p Prober) {
	if p == nil {
		e.prober.Store(nil)
		return
	}
	e.prober.Store(&p)
}

type ruleState struct {
	Rule
	rng *rand.Rand
	// removed is set when the rule leaves the engine (a Decide that
	// copied the list before then skips it).
	removed bool
}

// NewEngine returns an engine with no rules; seed drives the random draws of
// rules that carry no seed of their own.
func NewEngine(seed uint64) *Engine {
	return &Engine{seed: seed, adhoc: newRand(seed ^ 0x9e3779b97f4a7c15)}
}

func newRand(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, seed^0x5851f42d4c957f2d)) }

// Add validates a rule, gives it an id and appends it (rules are tried in
// the order they were added).
func (e *Engine) Add(r Rule) (Rule, error) {
	if err := r.Validate(); err != nil {
		return Rule{}, err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	e.next++
	r.ID = "f" + strconv.Itoa(e.next)
	r.Matches, r.Hits, r.Retired = 0, 0, false
	seed := e.seed + uint64(e.next)*0x9e3779b97f4a7c15
	if r.Seed != nil {
		seed = *r.Seed
	}
	e.rules = append(e.rules, &ruleState{Rule: r, rng: newRand(seed)})
	return r, nil
}

// List returns a copy of every rule with its counters.
func (e *Engine) List() []Rule {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := make([]Rule, len(e.rules))
	for i, r := range e.rules {
		out[i] = r.Rule
	}
	return out
}

// Delete removes one rule; it reports whether the id existed.
func (e *Engine) Delete(id string) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	for i, r := range e.rules {
		if r.ID == id {
			r.removed = true
			e.rules = append(e.rules[:i], e.rules[i+1:]...)
			return true
		}
	}
	return false
}

// Clear removes every rule.
func (e *Engine) Clear() {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, r := range e.rules {
		r.removed = true
	}
	e.rules = nil
}

// removeScenario drops the rules a scenario added.
func (e *Engine) removeScenario(name string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	kept := e.rules[:0]
	for _, r := range e.rules {
		if r.Scenario != name {
			kept = append(kept, r)
		} else {
			r.removed = true
		}
	}
	clear(e.rules[len(kept):])
	e.rules = kept
}

// Decision is a fired rule's action, with its random draws already made.
type Decision struct {
	RuleID string // empty for a header fault
	Action Action
	Delay  time.Duration
	// Garbage holds the bytes a garbage connection fault sends.
	Garbage []byte
}

// Decide asks the prober first, then walks the rules in order at server
// time now. A rule that matches
// counts the match; it fires unless it is retired, outside its window,
// still within its After count, or loses its probability draw. The first
// rule that fires decides; nil means the request goes on untouched.
//
// Matching runs outside the engine's lock, on the rules as they stood when
// the request came: one request's matching never holds up another request
// or the admin API.
func (e *Engine) Decide(in *Input, now time.Time) *Decision {
	if p := e.prober.Load(); p != nil {
		if d := (*p).Probe(in, now); d != nil {
			return d
		}
	}
	e.mu.Lock()
	rules := append([]*ruleState(nil), e.rules...)
	e.mu.Unlock()
	if len(rules) == 0 {
		return nil
	}
	hit := make([]bool, len(rules))
	for i, r := range rules {
		hit[i] = r.Match.matches(in) // Match never changes once added
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	for i, r := range rules {
		if !hit[i] || r.Retired || r.removed {
			continue
		}
		if (r.From != nil && now.Before(*r.From)) || (r.Until != nil && !now.Before(*r.Until)) {
			continue
		}
		r.Matches++
		if r.Matches <= r.After {
			continue
		}
		if r.Probability != nil && r.rng.Float64() >= *r.Probability {
			continue
		}
		r.Hits++
		if r.Times > 0 && r.Hits >= r.Times {
			r.Retired = true
		}
		return decision(r.ID, r.Action, r.rng)
	}
	return nil
}

// DecideHeader turns an X-Fakealianza-Fault header into a decision.
func (e *Engine) DecideHeader(value string) (*Decision, error) {
	a, err := ParseHeader(value)
	if err != nil {
		return nil, err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	return decision("", a, e.adhoc), nil
}

func decision(id string, a Action, rng *rand.Rand) *Decision {
	d := &Decision{RuleID: id, Action: a}
	if a.Delay != nil {
		d.Delay = a.Delay.Sample(rng)
	}
	if a.Connection == ConnGarbage {
		d.Garbage = make([]byte, 64+rng.IntN(448))
		for i := range d.Garbage {
			d.Garbage[i] = byte(rng.Uint32())
		}
	}
	return d
}

// HeaderName is the per-request fault header.
const HeaderName = "X-Fakealianza-Fault"

// ParseHeader reads the X-Fakealianza-Fault syntax: comma-separated
// key=value pairs with keys status, message, retryAfter, delay (a duration,
// or min-max for a uniform draw) and connection; e.g. "status=500",
// "status=401,message=ExpiredAuthToken", "delay=2s", "connection=reset".
func ParseHeader(v string) (Action, error) {
	var a Action
	for _, part := range strings.Split(v, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		k, val, ok := strings.Cut(part, "=")
		if !ok {
			return a, fmt.Errorf("%s: %q is not key=value", HeaderName, part)
		}
		k, val = strings.TrimSpace(k), strings.TrimSpace(val)
		switch strings.ToLower(k) {
		case "status":
			n, err := strconv.Atoi(val)
			if err != nil {
				return a, fmt.Errorf("%s: status %q is not a number", HeaderName, val)
			}
			a.Status = n
		case "message":
			m := val
			a.Message = &m
		case "retryafter":
			a.RetryAfter = val
		case "connection":
			a.Connection = val
		case "delay":
			d, err := parseDelay(val)
			if err != nil {
				return a, fmt.Errorf("%s: %w", HeaderName, err)
			}
			a.Delay = d
		default:
			return a, fmt.Errorf("%s: unknown key %q (status, message, retryAfter, delay, connection)", HeaderName, k)
		}
	}
	if err := a.Validate(); err != nil {
		return a, fmt.Errorf("%s: %w", HeaderName, err)
	}
	return a, nil
}

func parseDelay(v string) (*Delay, error) {
	lo, hi, uniform := strings.Cut(v, "-")
	a, err := time.ParseDuration(lo)
	if err != nil || a < 0 {
		return nil, fmt.Errorf("delay %q: want a duration such as 2s, or min-max", v)
	}
	if !uniform {
		return &Delay{Fixed: Duration(a)}, nil
	}
	b, err := time.ParseDuration(hi)
	if err != nil || b < a {
		return nil, fmt.Errorf("delay %q: want min-max with min <= max", v)
	}
	return &Delay{Min: Duration(a), Max: Duration(b)}, nil
}

// Wait sleeps for d unless ctx ends or closing closes first; it reports
// whether the full delay passed.
func Wait(ctx context.Context, d time.Duration, closing <-chan struct{}) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
	case <-closing:
	}
	return false
}
