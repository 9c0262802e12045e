package scenarios

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fakealianza/fakealianza/store"
)

func TestBuiltinsLoad(t *testing.T) {
	b, err := Builtins()
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"activation-on-hold", "flaky-500s", "partition-suspended", "ports-rejected",
		"rate-limited", "sftp-flaky", "slow-api", "token-expiry-storm"}
	for _, n := range want {
		sc, ok := b[n]
		if !ok {
			t.Errorf("built-in %s missing", n)
			continue
		}
		if !sc.Builtin || sc.Description == "" {
			t.Errorf("%s: builtin %v, description %q", n, sc.Builtin, sc.Description)
		}
	}
	if len(b) != len(want) {
		t.Errorf("%d built-ins, want %d (add the new one's effect test too)", len(b), len(want))
	}
}

func TestParseFormats(t *testing.T) {
	y := "description: d\nfaults:\n  - match: {path: /v2/**}\n    action: {status: 503}\nlifecycle: {port: 'reads:2'}\n"
	sc, err := Parse("my-one.yaml", []byte(y))
	if err != nil {
		t.Fatal(err)
	}
	if sc.Name != "my-one" || sc.Faults[0].Action.Status != 503 || sc.Lifecycle["port"] != "reads:2" {
		t.Errorf("yaml: %+v", sc)
	}
	j := `{"name":"j","description":"d","faults":[{"action":{"delay":{"fixed":"5ms"}}}]}`
	if sc, err = Parse("x.json", []byte(j)); err != nil || sc.Name != "j" {
		t.Errorf("json: %+v %v", sc, err)
	}
	bad := map[string]string{
		"typo.yaml":     "description: d\nfautls: []\n",
		"rule.yaml":     "faults:\n  - action: {status: 99}\n",
		"mode.yaml":     "lifecycle: {port: sometimes}\n",
		"Bad Name.yaml": "description: d\n",
		"state.json":    `{"state":[1,2]}`,
		"syntax.yaml":   "faults: [",
	}
	for name, body := range bad {
		if _, err := Parse(name, []byte(body)); err == nil {
			t.Errorf("%s accepted", name)
		}
	}
}

func newTestStore(t *testing.T) *store.Store {
	t.Helper()
	st, err := store.New(store.State{Partitions: []store.Partition{{ID: "p1", Name: "One"}}}, store.NewClock())
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func TestRunnerStartStop(t *testing.T) {
	st := newTestStore(t)
	e := NewEngine(1)
	dir := t.TempDir()
	user := "description: mine\nlifecycle: {port: manual, job: 'reads:3'}\n" +
		"faults:\n  - action: {status: 500}\nstate:\n  partitions:\n    - {id: p1, status: SUSPENDED}\n"
	if err := os.WriteFile(filepath.Join(dir, "mine.yaml"), []byte(user), 0o644); err != nil {
		t.Fatal(err)
	}
	r, err := NewRunner(e, st, dir)
	if err != nil {
		t.Fatal(err)
	}
	add(t, e, Rule{Action: Action{Status: 404}}) // a user's own rule survives the scenario
	if _, err := r.Start("mine"); err != nil {
		t.Fatal(err)
	}
	if p, err := st.Partition("p1"); err != nil || p.Status != "SUSPENDED" || p.Name != "One" {
		t.Errorf("state overlay: %+v %v", p, err)
	}
	if m := st.LifecycleModes(); m["port"].Mode != "manual" || m["job"].Reads != 3 {
		t.Errorf("modes: %v", m)
	}
	rules := e.List()
	if len(rules) != 2 || rules[1].Scenario != "mine" {
		t.Fatalf("rules: %+v", rules)
	}
	l, err := r.List()
	if err != nil {
		t.Fatal(err)
	}
	active := map[string]bool{}
	for _, sc := range l {
		active[sc.Name] = sc.Active
	}
	if !active["mine"] || active["flaky-500s"] {
		t.Errorf("active: %v", active)
	}
	r.Stop("mine")
	if m := st.LifecycleModes(); m["port"].Mode != "immediate" || m["job"].Mode != "immediate" {
		t.Errorf("modes not put back: %v", m)
	}
	if rules := e.List(); len(rules) != 1 || rules[0].Action.Status != 404 {
		t.Errorf("rules after stop: %+v", rules)
	}
	if _, err := r.Start("nope"); err == nil || !strings.Contains(err.Error(), "unknown scenario") {
		t.Errorf("unknown: %v", err)
	}
	// A user's file overrides a built-in of the same name.
	_ = os.WriteFile(filepath.Join(dir, "flaky.yaml"), []byte("name: flaky-500s\ndescription: my own\n"), 0o644)
	if sc, err := r.Get("flaky-500s"); err != nil || sc.Builtin || sc.Description != "my own" {
		t.Errorf("override: %+v %v", sc, err)
	}
	// A broken user file is reported, not ignored.
	_ = os.WriteFile(filepath.Join(dir, "broken.yaml"), []byte("faults: ["), 0o644)
	if _, err := r.List(); err == nil {
		t.Error("broken scenario file not reported")
	}
}

func TestRunnerUnknownLifecycleKindRollsBack(t *testing.T) {
	st := newTestStore(t)
	dir := t.TempDir()
	_ = os.WriteFile(filepath.Join(dir, "x.yaml"), []byte("description: d\nlifecycle: {port: manual, widget: manual}\n"), 0o644)
	e := NewEngine(1)
	r, err := NewRunner(e, st, dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Start("x"); err == nil {
		t.Fatal("unknown kind accepted")
	}
	if m := st.LifecycleModes(); m["port"].Mode != "immediate" {
		t.Errorf("modes not rolled back: %v", m)
	}
}
