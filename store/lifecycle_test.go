package store

import (
	"encoding/json"
	"testing"
	"time"
)

// countingKind is a test kind with three steps: 0 -> 1 -> 2 -> 3 (done).
const countingKind = "counting"

var countingSteps = map[string]int{}

func init() {
	registerStepper(countingKind, func(s *Store, id string) bool {
		countingSteps[id]++
		return countingSteps[id] < 3
	})
}

func lifecycleStore(t *testing.T, mode LifecycleMode) (*Store, func(time.Duration)) {
	t.Helper()
	wall := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	clock := &Clock{wall: func() time.Time { return wall }}
	s, err := New(State{}, clock)
	if err != nil {
		t.Fatal(err)
	}
	s.life.modes[countingKind] = mode
	clear(countingSteps)
	return s, func(d time.Duration) { wall = wall.Add(d) }
}

func (s *Store) startCounting(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.lifecycleStart(countingKind, id)
}

func (s *Store) readCounting(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.lifecycleRead(id)
}

func TestLifecycleImmediate(t *testing.T) {
	s, _ := lifecycleStore(t, LifecycleMode{Mode: ModeImmediate})
	s.startCounting("a")
	if countingSteps["a"] != 3 || len(s.life.tracked) != 0 {
		t.Fatalf("steps %d tracked %d", countingSteps["a"], len(s.life.tracked))
	}
}

func TestLifecycleReads(t *testing.T) {
	s, _ := lifecycleStore(t, LifecycleMode{Mode: ModeReads, Reads: 2})
	s.startCounting("a")
	want := []int{0, 0, 1, 1, 2, 2, 3}
	for i, w := range want {
		if i > 0 {
			s.readCounting("a")
		}
		if countingSteps["a"] != w {
			t.Fatalf("after %d reads: step %d, want %d", i, countingSteps["a"], w)
		}
	}
	if len(s.life.tracked) != 0 {
		t.Fatal("finished object still tracked")
	}
}

func TestLifecycleDuration(t *testing.T) {
	s, advance := lifecycleStore(t, LifecycleMode{Mode: ModeDuration, After: time.Hour})
	s.startCounting("a")
	advance(59 * time.Minute)
	s.readCounting("a")
	if countingSteps["a"] != 0 {
		t.Fatal("stepped early")
	}
	advance(2 * time.Hour) // 2h59m in: two steps due
	s.mu.Lock()
	s.lifecycleSweep(countingKind)
	s.mu.Unlock()
	if countingSteps["a"] != 2 {
		t.Fatalf("after 2h59m: step %d, want 2", countingSteps["a"])
	}
}

func TestLifecycleManualAndAdvance(t *testing.T) {
	s, advance := lifecycleStore(t, LifecycleMode{Mode: ModeManual})
	s.startCounting("a")
	s.startCounting("b")
	advance(1000 * time.Hour)
	s.readCounting("a")
	if countingSteps["a"] != 0 {
		t.Fatal("manual mode stepped by itself")
	}
	if ids, err := s.AdvanceLifecycle(countingKind, "a"); err != nil || len(ids) != 1 || countingSteps["a"] != 1 {
		t.Fatalf("advance a: %v %v step %d", ids, err, countingSteps["a"])
	}
	if ids, err := s.AdvanceLifecycle(countingKind, ""); err != nil || len(ids) != 2 || countingSteps["a"] != 2 || countingSteps["b"] != 1 {
		t.Fatalf("advance all: %v %v %v", ids, err, countingSteps)
	}
	if _, err := s.AdvanceLifecycle(countingKind, "nope"); err == nil {
		t.Error("advance of an unknown object accepted")
	}
	if _, err := s.AdvanceLifecycle("teleport", ""); err == nil {
		t.Error("advance of an unknown kind accepted")
	}
	s.AdvanceLifecycle(countingKind, "a")
	if _, tracked := s.life.tracked["a"]; tracked {
		t.Error("finished object still tracked")
	}
}

func TestLifecycleModeParsing(t *testing.T) {
	for in, want := range map[string]LifecycleMode{
		"immediate":    {Mode: ModeImmediate},
		"reads:3":      {Mode: ModeReads, Reads: 3},
		"duration:90s": {Mode: ModeDuration, After: 90 * time.Second},
		"manual":       {Mode: ModeManual},
	} {
		got, err := ParseLifecycleMode(in)
		if err != nil || got != want {
			t.Errorf("%s: %+v %v", in, got, err)
		}
		b, _ := json.Marshal(got)
		var back LifecycleMode
		if err := json.Unmarshal(b, &back); err != nil || back != want {
			t.Errorf("%s: json round trip %s -> %+v %v", in, b, back, err)
		}
	}
	for _, bad := range []string{"", "fast", "reads:0", "reads:x", "duration:-1s", "duration:soon"} {
		if _, err := ParseLifecycleMode(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	s, _ := lifecycleStore(t, LifecycleMode{Mode: ModeImmediate})
	if err := s.SetLifecycleMode(KindPort, LifecycleMode{Mode: "warp"}); err == nil {
		t.Error("bad mode accepted")
	}
	if err := s.SetLifecycleMode("teleport", LifecycleMode{Mode: ModeManual}); err == nil {
		t.Error("unknown kind accepted")
	}
	if err := s.SetLifecycleMode(KindPort, LifecycleMode{Mode: ModeManual}); err != nil || s.LifecycleModes()[KindPort].Mode != ModeManual {
		t.Errorf("set port manual: %v %v", err, s.LifecycleModes())
	}
}
