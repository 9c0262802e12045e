package store

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Asynchronous objects (activations, ports, jobs) move through Alianza's
// steps on their own. How fast is a per-kind mode:
//
//	immediate    every step happens at once, on creation
//	reads:N      one step after every N reads of the object
//	duration:D   one step per D of server time (evaluated when read or listed)
//	manual       only when told (AdvanceLifecycle, the admin API)
//
// A kind's code registers a stepper that moves one object one step and says
// whether another step remains; the store calls it under its lock.

// Lifecycle kinds.
const (
	KindActivation = "activation"
	KindPort       = "port"
	KindJob        = "job"
)

// Lifecycle modes.
const (
	ModeImmediate = "immediate"
	ModeReads     = "reads"
	ModeDuration  = "duration"
	ModeManual    = "manual"
)

// OutcomeReject makes the objects of a kind end rejected rather than
// completed (ports: the losing carrier refuses every port; jobs: FAILED).
// Only ports and jobs have a rejected end.
const OutcomeReject = "reject"

// LifecycleMode is how one kind of asynchronous object advances, and, with
// Outcome, how it ends ("" as its own rules say, "reject").
type LifecycleMode struct {
	Mode    string        `json:"mode"`
	Reads   int           `json:"reads,omitempty"`
	After   time.Duration `json:"-"`
	Outcome string        `json:"outcome,omitempty"`
}

// String is the mode in its flag form: immediate, reads:3, duration:1h,
// manual, with "+reject" when the outcome is forced.
func (m LifecycleMode) String() string {
	out := m.Mode
	switch m.Mode {
	case ModeReads:
		out = fmt.Sprintf("%s:%d", m.Mode, m.Reads)
	case ModeDuration:
		out = fmt.Sprintf("%s:%s", m.Mode, m.After)
	}
	if m.Outcome != "" {
		out += "+" + m.Outcome
	}
	return out
}

// MarshalJSON writes {"mode":"duration","after":"1h0m0s"}.
func (m LifecycleMode) MarshalJSON() ([]byte, error) {
	type wire struct {
		Mode    string `json:"mode"`
		Reads   int    `json:"reads,omitempty"`
		After   string `json:"after,omitempty"`
		Outcome string `json:"outcome,omitempty"`
	}
	w := wire{Mode: m.Mode, Reads: m.Reads, Outcome: m.Outcome}
	if m.Mode == ModeDuration {
		w.After = m.After.String()
	}
	return json.Marshal(w)
}

// UnmarshalJSON reads {"mode":..., "reads":N, "after":"1h"}.
func (m *LifecycleMode) UnmarshalJSON(b []byte) error {
	var w struct {
		Mode    string `json:"mode"`
		Reads   int    `json:"reads"`
		After   string `json:"after"`
		Outcome string `json:"outcome"`
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	out := LifecycleMode{Mode: w.Mode, Reads: w.Reads, Outcome: w.Outcome}
	if w.After != "" {
		d, err := time.ParseDuration(w.After)
		if err != nil {
			return fmt.Errorf("after: %w", err)
		}
		out.After = d
	}
	if err := out.validate(); err != nil {
		return err
	}
	*m = out
	return nil
}

func (m LifecycleMode) validate() error {
	if m.Outcome != "" && m.Outcome != OutcomeReject {
		return fmt.Errorf("unknown lifecycle outcome %q (reject)", m.Outcome)
	}
	switch m.Mode {
	case ModeImmediate, ModeManual:
	case ModeReads:
		if m.Reads < 1 {
			return fmt.Errorf("mode reads needs reads >= 1")
		}
	case ModeDuration:
		if m.After <= 0 {
			return fmt.Errorf("mode duration needs a positive duration")
		}
	default:
		return fmt.Errorf("unknown lifecycle mode %q (immediate, reads:N, duration:D, manual)", m.Mode)
	}
	return nil
}

// ParseLifecycleMode reads the flag form: immediate, reads:3, duration:90s, manual.
func ParseLifecycleMode(s string) (LifecycleMode, error) {
	s, outcome, _ := strings.Cut(strings.TrimSpace(s), "+")
	mode, arg, _ := strings.Cut(s, ":")
	m := LifecycleMode{Mode: mode, Outcome: outcome}
	switch mode {
	case ModeReads:
		n, err := strconv.Atoi(arg)
		if err != nil {
			return m, fmt.Errorf("reads:N needs a whole number, got %q", arg)
		}
		m.Reads = n
	case ModeDuration:
		d, err := time.ParseDuration(arg)
		if err != nil {
			return m, fmt.Errorf("duration:D needs a Go duration, got %q", arg)
		}
		m.After = d
	}
	return m, m.validate()
}

// stepper moves object id of its kind one step; it reports whether another
// step remains. It runs with the store lock held.
type stepper func(s *Store, id string) (more bool)

// steppers is filled by each kind's file in init; read-only afterwards.
var steppers = map[string]stepper{}

func registerStepper(kind string, f stepper) { steppers[kind] = f }

// progress is where one tracked object stands in its current step.
type progress struct {
	kind  string
	since time.Time
	reads int
}

type lifecycles struct {
	modes   map[string]LifecycleMode
	tracked map[string]*progress // by object id
}

func newLifecycles() lifecycles {
	modes := map[string]LifecycleMode{}
	for _, k := range []string{KindActivation, KindPort, KindJob} {
		modes[k] = LifecycleMode{Mode: ModeImmediate}
	}
	return lifecycles{modes: modes, tracked: map[string]*progress{}}
}

// SetLifecycleMode changes how a kind advances from now on.
func (s *Store) SetLifecycleMode(kind string, m LifecycleMode) error {
	if err := m.validate(); err != nil {
		return Invalid("InvalidLifecycleMode")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.life.modes[kind]; !ok {
		return NotFound("LifecycleKind", kind)
	}
	if m.Outcome == OutcomeReject && kind != KindPort && kind != KindJob {
		return Invalid("InvalidLifecycleMode")
	}
	s.life.modes[kind] = m
	return nil
}

// LifecycleModes returns every kind's mode.
func (s *Store) LifecycleModes() map[string]LifecycleMode {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make(map[string]LifecycleMode, len(s.life.modes))
	for k, v := range s.life.modes {
		out[k] = v
	}
	return out
}

// lifecycleStart tracks an object that has entered a step that will move on
// by itself; in immediate mode it runs every step now. Lock held.
func (s *Store) lifecycleStart(kind, id string) {
	s.life.tracked[id] = &progress{kind: kind, since: s.clock.Now()}
	if s.life.modes[kind].Mode == ModeImmediate {
		s.lifecycleRun(id, false)
	}
}

// lifecycleStop forgets an object (finished, cancelled or deleted). Lock held.
func (s *Store) lifecycleStop(id string) { delete(s.life.tracked, id) }

// lifecycleRead counts a read of the object and takes every step now due.
// Lock held (write lock: reads can move state).
func (s *Store) lifecycleRead(id string) { s.lifecycleRun(id, true) }

func (s *Store) lifecycleRun(id string, read bool) {
	p, ok := s.life.tracked[id]
	if !ok {
		return
	}
	step := steppers[p.kind]
	if step == nil {
		return
	}
	mode := s.life.modes[p.kind]
	if read {
		p.reads++
	}
	for {
		now := s.clock.Now()
		due := false
		switch mode.Mode {
		case ModeImmediate:
			due = true
		case ModeReads:
			due = p.reads >= mode.Reads
		case ModeDuration:
			due = now.Sub(p.since) >= mode.After
		}
		if !due {
			return
		}
		more := step(s, id)
		if !more {
			delete(s.life.tracked, id)
			return
		}
		if mode.Mode == ModeDuration {
			p.since = p.since.Add(mode.After)
		} else {
			p.since = now
		}
		p.reads = 0
	}
}

// lifecycleSweep evaluates every tracked object of a kind (for lists and
// searches, so duration mode is seen without reading each object). Lock held.
func (s *Store) lifecycleSweep(kind string) {
	if m := s.life.modes[kind].Mode; m != ModeDuration && m != ModeImmediate {
		return
	}
	for _, id := range s.trackedIDs(kind) {
		s.lifecycleRun(id, false)
	}
}

func (s *Store) trackedIDs(kind string) []string {
	var ids []string
	for id, p := range s.life.tracked {
		if p.kind == kind {
			ids = append(ids, id)
		}
	}
	sort.Strings(ids) // map order must not decide the order of steps
	return ids
}

// AdvanceLifecycle moves objects one step now, whatever the mode: one object
// (id set) or every tracked object of the kind (id empty). It returns the ids
// that moved.
func (s *Store) AdvanceLifecycle(kind, id string) ([]string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	step := steppers[kind]
	if _, ok := s.life.modes[kind]; !ok || step == nil {
		return nil, NotFound("LifecycleKind", kind)
	}
	ids, err := s.lifecycleTargets(kind, id)
	if err != nil {
		return nil, err
	}
	for _, oid := range ids {
		p := s.life.tracked[oid]
		if !step(s, oid) {
			delete(s.life.tracked, oid)
			continue
		}
		p.since, p.reads = s.clock.Now(), 0
	}
	return ids, nil
}

// lifecycleTargets is the one tracked object id of the kind, or every one
// when id is empty. Lock held.
func (s *Store) lifecycleTargets(kind, id string) ([]string, error) {
	if id == "" {
		return s.trackedIDs(kind), nil
	}
	if p, ok := s.life.tracked[id]; !ok || p.kind != kind {
		return nil, NotFound(kind, id)
	}
	return []string{id}, nil
}
