package fakealianza_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/fakealianza/fakealianza"
	"github.com/fakealianza/fakealianza/fatest"
	"github.com/fakealianza/fakealianza/scenarios"
	"github.com/fakealianza/fakealianza/store"
)

func TestStateFileLoadAndAtomicSave(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "state.json")
	withFile := func(o *fakealianza.Options) { o.StateFile = file; o.SFTPAddr = "off" }

	// No file yet: the fixtures; Close writes the file.
	srv := fatest.New(t, withFile)
	r := srv.Call(t, http.MethodPost, "/__admin/partitions", `{"name":"Kept across restarts"}`)
	var created struct{ PartitionID, Username, Password string }
	r.Decode(t, &created)
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("state file not written: %v", err)
	}
	var saved store.State
	if err := json.Unmarshal(b, &saved); err != nil || len(saved.Partitions) != 3 {
		t.Fatalf("saved state: %v, %d partitions", err, len(saved.Partitions))
	}
	entries, err := os.ReadDir(dir)
	if err != nil || len(entries) != 1 {
		t.Errorf("temporary files left beside the state file: %v", entries)
	}

	// Next start loads it: the partition and its login are back.
	srv = fatest.New(t, withFile)
	if _, err := srv.Store().Partition(created.PartitionID); err != nil {
		t.Fatalf("partition not loaded from the state file: %v", err)
	}
	tok := srv.Login(t, created.Username, created.Password)
	if r := srv.Call(t, http.MethodGet, "/v2/partition/"+created.PartitionID, nil, fatest.Auth(tok)); r.Status != 200 {
		t.Errorf("new partition's admin reads it: %d %s", r.Status, r.Body)
	}
	if r := srv.Call(t, http.MethodGet, "/v2/partition/"+fatest.AlphaPartition, nil, fatest.Auth(tok)); r.Status == 200 {
		t.Errorf("new partition's admin reads another partition: %d", r.Status)
	}

	// A broken state file stops the start with a clear error.
	if err := os.WriteFile(file, []byte("{not json"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := fakealianza.New(fakealianza.Options{StateFile: file, SFTPAddr: "off"}); err == nil {
		t.Error("broken state file accepted")
	}
}

func TestClockDrivesTokenExpiry(t *testing.T) {
	srv := fatest.New(t)
	tok := srv.Admin(t)
	path := "/v2/partition/" + fatest.AlphaPartition
	if r := srv.Call(t, http.MethodGet, path, nil, fatest.Auth(tok)); r.Status != 200 {
		t.Fatalf("fresh token: %d", r.Status)
	}
	srv.Call(t, http.MethodPost, "/__admin/clock", `{"advance":"9h"}`)
	r := srv.Call(t, http.MethodGet, path, nil, fatest.Auth(tok))
	if st, msgs, _ := r.Envelope(t); st != 401 || msgs[0] != "ExpiredAuthToken" {
		t.Errorf("after 9h idle: %d %s", r.Status, r.Body)
	}
}

func TestResetAndStateLoadDropTokens(t *testing.T) {
	srv := fatest.New(t)
	path := "/v2/partition/" + fatest.AlphaPartition
	for _, step := range []struct{ method, path, body string }{
		{http.MethodPost, "/__admin/reset", ""},
		{http.MethodPut, "/__admin/state", ""},
	} {
		tok := srv.Admin(t)
		body := any(nil)
		if step.method == http.MethodPut {
			b, err := json.Marshal(srv.Store().Snapshot())
			if err != nil {
				t.Fatal(err)
			}
			body = b
		}
		if r := srv.Call(t, step.method, step.path, body); r.Status != 204 {
			t.Fatalf("%s %s: %d %s", step.method, step.path, r.Status, r.Body)
		}
		if r := srv.Call(t, http.MethodGet, path, nil, fatest.Auth(tok)); r.Status != 401 {
			t.Errorf("token after %s %s: %d", step.method, step.path, r.Status)
		}
	}
}

func TestNewPartitionGetsItsDatafeedLogin(t *testing.T) {
	srv := fatest.New(t, func(o *fakealianza.Options) { o.SFTPAddr = "127.0.0.1:0" })
	r := srv.Call(t, http.MethodPost, "/__admin/partitions", nil)
	var out struct {
		PartitionID string
		SFTP        struct{ Address, Username, Password string }
	}
	r.Decode(t, &out)
	if out.SFTP.Address != srv.SFTPAddr() || out.SFTP.Username == "" || out.SFTP.Password == "" {
		t.Fatalf("sftp login: %s", r.Body)
	}
	if pid, ok := srv.Store().AuthenticateDatafeed(out.SFTP.Username, out.SFTP.Password); !ok || pid != out.PartitionID {
		t.Errorf("datafeed login does not open the new partition: %q %v", pid, ok)
	}
}

// BenchmarkFront measures what the journal and the fault layer add to a
// request: the same in-process call with no rules, with ten rules that do
// not match, and the journal's heap after 100k requests (reported as a
// metric: it stays flat however many requests pass).
func BenchmarkFront(b *testing.B) {
	for _, rules := range []int{0, 10} {
		b.Run(fmt.Sprintf("rules=%d", rules), func(b *testing.B) {
			srv, err := fakealianza.New(fakealianza.Options{SFTPAddr: "off"})
			if err != nil {
				b.Fatal(err)
			}
			for i := range rules {
				if _, err := srv.Faults().Add(scenarios.Rule{
					Match:  scenarios.Match{Path: fmt.Sprintf("/v2/nothing/%d/**", i)},
					Action: scenarios.Action{Status: 500},
				}); err != nil {
					b.Fatal(err)
				}
			}
			h := srv.Handler()
			body := `{"username":"admin@example.com","password":"wrong"}`
			b.ReportAllocs()
			for b.Loop() {
				req := httptest.NewRequest(http.MethodPost, "/v2/authorize", strings.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				w := httptest.NewRecorder()
				h.ServeHTTP(w, req)
				if w.Code != 400 {
					b.Fatalf("status %d", w.Code)
				}
			}
		})
	}
	b.Run("heap-after-100k", func(b *testing.B) {
		for b.Loop() {
			srv, err := fakealianza.New(fakealianza.Options{SFTPAddr: "off"})
			if err != nil {
				b.Fatal(err)
			}
			h := srv.Handler()
			heap := func() uint64 {
				runtime.GC()
				var m runtime.MemStats
				runtime.ReadMemStats(&m)
				return m.HeapAlloc
			}
			before := heap()
			big := `{"name":"` + strings.Repeat("x", 64<<10) + `"}`
			for i := range 100_000 {
				body := `{"username":"u","password":"p"}`
				if i%100 == 0 {
					body = big
				}
				req := httptest.NewRequest(http.MethodPost, "/v2/authorize", strings.NewReader(body))
				h.ServeHTTP(httptest.NewRecorder(), req)
			}
			b.ReportMetric(float64(int64(heap())-int64(before))/(1<<20), "heapMiB")
			if srv.Journal().Len() != 1000 {
				b.Fatalf("journal len %d", srv.Journal().Len())
			}
		}
	})
}

func TestSFTPConnectionCutAfterNBytes(t *testing.T) {
	srv := fatest.New(t)
	r := srv.Call(t, http.MethodPost, "/__admin/faults",
		`{"match":{"sftp":"connect"},"action":{"sftp":"disconnect","afterBytes":200},"times":1}`)
	if r.Status != http.StatusCreated {
		t.Fatalf("add: %d %s", r.Status, r.Body)
	}
	conn, err := net.Dial("tcp", srv.SFTPAddr())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.WriteString(conn, "SSH-2.0-fakealianza-test\r\n"); err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(conn) // banner, then the key exchange offer, cut
	if len(got) != 200 || !strings.HasPrefix(string(got), "SSH-2.0-") {
		t.Fatalf("received %d bytes (%v), want exactly 200 starting with the banner", len(got), err)
	}
	// The rule fired once; the next connection works.
	if _, err := srv.SFTP(t, "datafeed", "fakealianza"); err != nil {
		t.Fatalf("next connection: %v", err)
	}
}

func TestMissingScenariosDirIsNamed(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "qa-scenarios")
	_, err := fakealianza.New(fakealianza.Options{ScenariosDir: dir, SFTPAddr: "off"})
	if err == nil || !strings.Contains(err.Error(), dir) || !strings.Contains(err.Error(), "does not exist") {
		t.Fatalf("want an error naming %s, got %v", dir, err)
	}
}
