package scenarios

import (
	"bytes"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"regexp"
	"sort"
	"strings"
	"sync"

	"go.yaml.in/yaml/v4"

	"github.com/fakealianza/fakealianza/store"
)

// Scenario is a named bundle a QA run switches on at once: fault rules,
// lifecycle modes per kind, and a state overlay (objects merged into the
// current state by id, e.g. a partition's status).
type Scenario struct {
	Name        string            `json:"name"`
	Description string            `json:"description"`
	Faults      []Rule            `json:"faults,omitempty"`
	Lifecycle   map[string]string `json:"lifecycle,omitempty"`
	State       json.RawMessage   `json:"state,omitempty"`
	// Builtin and Active are filled when listing.
	Builtin bool `json:"builtin"`
	Active  bool `json:"active"`
}

var nameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9-]*$`)

// Parse reads a scenario file, JSON or YAML (chosen by the file name's
// extension: .json, else YAML). Unknown fields are an error. A missing name
// is taken from the file name.
func Parse(fileName string, raw []byte) (Scenario, error) {
	if !strings.HasSuffix(fileName, ".json") {
		var v any
		if err := yaml.Unmarshal(raw, &v); err != nil {
			return Scenario{}, fmt.Errorf("scenario %s: %w", fileName, err)
		}
		j, err := json.Marshal(v)
		if err != nil {
			return Scenario{}, fmt.Errorf("scenario %s: %w", fileName, err)
		}
		raw = j
	}
	var sc Scenario
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&sc); err != nil {
		return Scenario{}, fmt.Errorf("scenario %s: %w", fileName, err)
	}
	if sc.Name == "" {
		sc.Name = strings.TrimSuffix(path.Base(fileName), path.Ext(fileName))
	}
	if err := sc.validate(); err != nil {
		return Scenario{}, fmt.Errorf("scenario %s: %w", fileName, err)
	}
	return sc, nil
}

func (sc *Scenario) validate() error {
	if !nameRE.MatchString(sc.Name) {
		return fmt.Errorf("name %q: use lower-case letters, digits and dashes", sc.Name)
	}
	for i := range sc.Faults {
		if err := sc.Faults[i].Validate(); err != nil {
			return fmt.Errorf("faults[%d]: %w", i, err)
		}
	}
	for kind, m := range sc.Lifecycle {
		if _, err := store.ParseLifecycleMode(m); err != nil {
			return fmt.Errorf("lifecycle %s: %w", kind, err)
		}
	}
	if len(sc.State) > 0 {
		var probe map[string]json.RawMessage
		if err := json.Unmarshal(sc.State, &probe); err != nil {
			return fmt.Errorf("state: want an object of lists: %w", err)
		}
	}
	return nil
}

//go:embed builtin/*.yaml
var builtinFS embed.FS

// Builtins returns the scenarios shipped in the binary, by name.
func Builtins() (map[string]Scenario, error) {
	sub, err := fs.Sub(builtinFS, "builtin")
	if err != nil {
		return nil, err
	}
	out, err := loadFS(sub)
	for name, sc := range out {
		sc.Builtin = true
		out[name] = sc
	}
	return out, err
}

func loadFS(fsys fs.FS) (map[string]Scenario, error) {
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, err
	}
	out := map[string]Scenario{}
	for _, e := range entries {
		ext := path.Ext(e.Name())
		if e.IsDir() || (ext != ".json" && ext != ".yaml" && ext != ".yml") {
			continue
		}
		raw, err := fs.ReadFile(fsys, e.Name())
		if err != nil {
			return nil, err
		}
		sc, err := Parse(e.Name(), raw)
		if err != nil {
			return nil, err
		}
		if _, dup := out[sc.Name]; dup {
			return nil, fmt.Errorf("scenario %s defined twice", sc.Name)
		}
		out[sc.Name] = sc
	}
	return out, nil
}

// ErrUnknown is returned for a scenario name that is neither built in nor in
// the user's folder.
var ErrUnknown = errors.New("unknown scenario")

// Runner starts and stops scenarios against a fault engine and a store.
type Runner struct {
	faults  *Engine
	store   *store.Store
	builtin map[string]Scenario
	dir     string

	mu     sync.Mutex
	active map[string]map[string]store.LifecycleMode // name -> modes it replaced
}

// NewRunner builds a runner over the built-in library and, when dir is not
// empty, a user's folder of scenario files (read at every call, so files can
// be added while the server runs; a user's scenario wins over a built-in of
// the same name).
func NewRunner(faults *Engine, st *store.Store, dir string) (*Runner, error) {
	b, err := Builtins()
	if err != nil {
		return nil, fmt.Errorf("built-in scenarios: %w", err)
	}
	if dir != "" {
		if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
			return nil, fmt.Errorf("scenarios folder %q does not exist or is not a folder", dir)
		}
	}
	r := &Runner{faults: faults, store: st, builtin: b, dir: dir, active: map[string]map[string]store.LifecycleMode{}}
	if _, err := r.library(); err != nil {
		return nil, err
	}
	return r, nil
}

func (r *Runner) library() (map[string]Scenario, error) {
	out := make(map[string]Scenario, len(r.builtin))
	for k, v := range r.builtin {
		out[k] = v
	}
	if r.dir == "" {
		return out, nil
	}
	user, err := loadFS(os.DirFS(r.dir))
	if err != nil {
		return nil, fmt.Errorf("scenarios folder %s: %w", r.dir, err)
	}
	for k, v := range user {
		out[k] = v
	}
	return out, nil
}

// List returns every known scenario, sorted by name, with Active set.
func (r *Runner) List() ([]Scenario, error) {
	lib, err := r.library()
	if err != nil {
		return nil, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]Scenario, 0, len(lib))
	for _, sc := range lib {
		_, sc.Active = r.active[sc.Name]
		out = append(out, sc)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// Get returns one scenario.
func (r *Runner) Get(name string) (Scenario, error) {
	lib, err := r.library()
	if err != nil {
		return Scenario{}, err
	}
	sc, ok := lib[name]
	if !ok {
		return Scenario{}, fmt.Errorf("%w %q", ErrUnknown, name)
	}
	r.mu.Lock()
	_, sc.Active = r.active[name]
	r.mu.Unlock()
	return sc, nil
}

// Start switches a scenario on: its state overlay is merged into the store,
// its lifecycle modes replace the current ones (Stop puts them back) and its
// fault rules are added after the existing ones. Starting an active
// scenario restarts it (fresh rule counters).
func (r *Runner) Start(name string) (Scenario, error) {
	sc, err := r.Get(name)
	if err != nil {
		return Scenario{}, err
	}
	r.Stop(name)
	if len(sc.State) > 0 {
		if err := r.store.Overlay(sc.State); err != nil {
			return Scenario{}, fmt.Errorf("scenario %s: state: %w", name, err)
		}
	}
	prev := map[string]store.LifecycleMode{}
	current := r.store.LifecycleModes()
	for kind, m := range sc.Lifecycle {
		mode, _ := store.ParseLifecycleMode(m)
		if err := r.store.SetLifecycleMode(kind, mode); err != nil {
			r.restoreModes(prev)
			return Scenario{}, fmt.Errorf("scenario %s: lifecycle %s: %w", name, kind, err)
		}
		prev[kind] = current[kind]
	}
	for _, rule := range sc.Faults {
		rule.Scenario = name
		if _, err := r.faults.Add(rule); err != nil {
			r.faults.removeScenario(name)
			r.restoreModes(prev)
			return Scenario{}, fmt.Errorf("scenario %s: %w", name, err)
		}
	}
	r.mu.Lock()
	r.active[name] = prev
	r.mu.Unlock()
	sc.Active = true
	return sc, nil
}

func (r *Runner) restoreModes(prev map[string]store.LifecycleMode) {
	for kind, m := range prev {
		_ = r.store.SetLifecycleMode(kind, m)
	}
}

// Stop switches a scenario off: its rules go and the lifecycle modes it set
// return to what they were. State it merged stays (reset for that). Stopping
// an inactive scenario does nothing.
func (r *Runner) Stop(name string) {
	r.mu.Lock()
	prev, ok := r.active[name]
	delete(r.active, name)
	r.mu.Unlock()
	if !ok {
		return
	}
	r.faults.removeScenario(name)
	r.restoreModes(prev)
}

// StopAll stops every active scenario (their rules go, their lifecycle
// modes come back).
func (r *Runner) StopAll() {
	r.mu.Lock()
	names := make([]string, 0, len(r.active))
	for n := range r.active {
		names = append(names, n)
	}
	r.mu.Unlock()
	sort.Strings(names)
	for _, n := range names {
		r.Stop(n)
	}
}
