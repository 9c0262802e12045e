package fatest_test

import (
	"fmt"
	"net/http"
	"runtime"
	"sync"
	"testing"

	"github.com/fakealianza/fakealianza/fatest"
)

// recorder is a testing.TB that keeps what it was told, so a test can check
// which test a helper reported to. Fatal ends the calling goroutine, as the
// real one does.
type recorder struct {
	testing.TB
	mu     sync.Mutex
	errors []string
	fatal  bool
}

func (r *recorder) Helper() {}
func (r *recorder) Errorf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}
func (r *recorder) Fatalf(format string, args ...any) {
	r.Errorf(format, args...)
	r.mu.Lock()
	r.fatal = true
	r.mu.Unlock()
	runtime.Goexit()
}

// inGoroutine runs f where a Fatal may end the goroutine.
func inGoroutine(f func()) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		f()
	}()
	<-done
}

func TestCallReportsToTheTestItIsGiven(t *testing.T) {
	srv := fatest.New(t)
	// A response the spec does not describe: a fault rule answers the
	// time zones with a body of its own.
	if r := srv.Call(t, http.MethodPost, "/__admin/faults",
		`{"match":{"path":"/v2/ref/timezones"},"action":{"body":"{\"bogus\":true}"}}`); r.Status != http.StatusCreated {
		t.Fatalf("fault rule: %d %s", r.Status, r.Body)
	}
	sub := &recorder{TB: t}
	inGoroutine(func() { srv.Call(sub, http.MethodGet, "/v2/ref/timezones", nil) })
	if len(sub.errors) != 1 || sub.fatal {
		t.Fatalf("validation mismatch reported to the given test: %q (fatal %v)", sub.errors, sub.fatal)
	}
	raw := &recorder{TB: t}
	inGoroutine(func() { srv.CallRaw(raw, http.MethodGet, "/v2/ref/timezones", nil) })
	if len(raw.errors) != 0 {
		t.Fatalf("CallRaw validated: %q", raw.errors)
	}
	// A request that cannot be made is a Fatal of the given test.
	bad := &recorder{TB: t}
	inGoroutine(func() { srv.Call(bad, "BAD METHOD", "/", nil) })
	if !bad.fatal {
		t.Fatalf("a request that cannot be made: %q", bad.errors)
	}
	// Inside t.Run the subtest is the one that fails; this test, the
	// parent, stays green (a failure here would fail the whole test).
	t.Run("subtest", func(t *testing.T) {
		r := srv.Call(t, http.MethodGet, "/__admin/ready", nil)
		if r.Status != http.StatusOK {
			t.Fatalf("ready: %d", r.Status)
		}
	})
}
