package fakealianza_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/fakealianza/fakealianza"
	"github.com/fakealianza/fakealianza/fatest"
	"github.com/fakealianza/fakealianza/store"
)

// Sizes of BenchmarkStateFileScale.
const (
	scaleNumbers  = 1_000_000
	scaleAccounts = 100_000
)

// BenchmarkStateFileScale writes a state file with 1M inventory numbers and
// 100k accounts, starts a server from it and reports the start time, the
// process's peak RSS during the load and its RSS after, the heap per loaded
// object, and the latency of an account search over HTTP. Linux only (it
// reads /proc/self). Run it once:
//
//	go test -run '^$' -bench StateFileScale -benchtime 1x .
func BenchmarkStateFileScale(b *testing.B) {
	for range b.N {
		path := writeScaleState(b, scaleNumbers, scaleAccounts)
		runtime.GC()
		debug.FreeOSMemory()
		var before runtime.MemStats
		runtime.ReadMemStats(&before)
		resetPeakRSS(b)

		start := time.Now()
		srv, err := fakealianza.New(fakealianza.Options{HTTPAddr: "127.0.0.1:0", SFTPAddr: "off", StateFile: path})
		if err != nil {
			b.Fatal(err)
		}
		if err := srv.Start(context.Background()); err != nil {
			b.Fatal(err)
		}
		took := time.Since(start)
		peak := procStatusKB(b, "VmHWM")
		runtime.GC()
		var after runtime.MemStats
		runtime.ReadMemStats(&after)
		b.ReportMetric(took.Seconds(), "start-s")
		b.ReportMetric(float64(peak)/1024, "peak-rss-MB")
		b.ReportMetric(float64(procStatusKB(b, "VmRSS"))/1024, "rss-MB")
		b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/(scaleNumbers+scaleAccounts), "heap-B/object")

		p50, worst := searchLatency(b, srv)
		b.ReportMetric(ms(p50), "search-p50-ms")
		b.ReportMetric(ms(worst), "search-max-ms")
		// The server writes its state back on Close: not part of the figures.
		if err := srv.Store().Reset(); err != nil {
			b.Fatal(err)
		}
		if err := srv.Close(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkStateHeapPerObject reports the heap one inventory number and one
// account take once loaded, each kind apart: the live heap a server started
// from a state file with 1M numbers only (then 100k accounts only, then
// both, as BenchmarkStateFileScale loads them) adds,
// less what one started from the seed alone adds, over the count. Run it
// once:
//
//	go test -run '^$' -bench StateHeapPerObject -benchtime 1x .
func BenchmarkStateHeapPerObject(b *testing.B) {
	for _, c := range []struct {
		name              string
		numbers, accounts int
		unit              string
	}{
		{"numbers", scaleNumbers, 0, "heap-B/number"},
		{"accounts", 0, scaleAccounts, "heap-B/account"},
		{"both", scaleNumbers, scaleAccounts, "heap-B/object"},
	} {
		b.Run(c.name, func(b *testing.B) {
			for range b.N {
				base := loadedHeap(b, writeScaleState(b, 0, 0))
				with := loadedHeap(b, writeScaleState(b, c.numbers, c.accounts))
				b.ReportMetric(float64(with-base)/float64(c.numbers+c.accounts), c.unit)
				b.ReportMetric(float64(base)/(1<<20), "seed-heap-MB")
			}
		})
	}
}

// loadedHeap starts a server from a state file and gives the live heap it
// adds, measured after a collection with the server still up.
func loadedHeap(b *testing.B, path string) int64 {
	b.Helper()
	debug.FreeOSMemory() // a collection, after what the previous case left
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	srv, err := fakealianza.New(fakealianza.Options{HTTPAddr: "127.0.0.1:0", SFTPAddr: "off", StateFile: path})
	if err != nil {
		b.Fatal(err)
	}
	if err := srv.Start(context.Background()); err != nil {
		b.Fatal(err)
	}
	runtime.GC()
	runtime.GC() // what the load's own goroutines held a moment longer
	runtime.ReadMemStats(&after)
	// The server writes its state back on Close: not part of the figures.
	if err := srv.Store().Reset(); err != nil {
		b.Fatal(err)
	}
	if err := srv.Close(); err != nil {
		b.Fatal(err)
	}
	return int64(after.HeapAlloc) - int64(before.HeapAlloc)
}

// writeScaleState writes the default seed plus the given numbers of
// accounts and inventory numbers as a state file and gives its path.
func writeScaleState(b *testing.B, numbers, accounts int) string {
	b.Helper()
	seed := fatest.New(b, noSFTP)
	st := seed.Store().Snapshot()
	for i := range accounts {
		st.Accounts = append(st.Accounts, store.Account{
			ID: fmt.Sprintf("scaleAcct%013d", i), PartitionID: fatest.AlphaPartition,
			AccountNumber: fmt.Sprintf("SCALE-%07d", i), AccountName: fmt.Sprintf("Scale Account %07d", i),
			AccountType: "ADVANCED",
		})
	}
	for i := range numbers {
		st.TelephoneNumbers = append(st.TelephoneNumbers, store.NumberRecord{
			PartitionID: fatest.AlphaPartition, PhoneNumber: strconv.Itoa(12120000000 + i)})
	}
	path := filepath.Join(b.TempDir(), "state.json")
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	w := bufio.NewWriter(f)
	if err := json.NewEncoder(w).Encode(st); err != nil {
		b.Fatal(err)
	}
	if err := w.Flush(); err != nil {
		b.Fatal(err)
	}
	if err := f.Close(); err != nil {
		b.Fatal(err)
	}
	return path
}

// searchLatency times 20 account searches over HTTP, one at a time.
func searchLatency(b *testing.B, srv *fakealianza.Server) (p50, worst time.Duration) {
	b.Helper()
	tok, err := srv.Auth().Login(fatest.AdminUser, fatest.Password)
	if err != nil {
		b.Fatal(err)
	}
	client := perfClient()
	defer client.CloseIdleConnections()
	url := srv.URL() + "/v2/partition/" + fatest.AlphaPartition + "/account/search?q="
	var lat []time.Duration
	for i := range 20 {
		t0 := time.Now()
		body, code := send(client, http.MethodGet, url+fmt.Sprintf("scale-%05d", i*17), nil, tok.AuthToken)
		lat = append(lat, time.Since(t0))
		if code != http.StatusOK || !strings.Contains(string(body), "SCALE-") {
			b.Fatalf("search %d: %d %.200s", i, code, body)
		}
	}
	slices.Sort(lat)
	return lat[len(lat)/2], lat[len(lat)-1]
}

// resetPeakRSS restarts the kernel's peak RSS count of this process.
func resetPeakRSS(b *testing.B) {
	b.Helper()
	if err := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0); err != nil {
		b.Logf("peak RSS not reset (%v): it includes writing the state", err)
	}
}

// procStatusKB reads one "Name: N kB" line of /proc/self/status.
func procStatusKB(b *testing.B, name string) int {
	b.Helper()
	raw, err := os.ReadFile("/proc/self/status")
	if err != nil {
		b.Fatal(err)
	}
	for line := range strings.SplitSeq(string(raw), "\n") {
		if v, ok := strings.CutPrefix(line, name+":"); ok {
			n, err := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")))
			if err != nil {
				b.Fatal(err)
			}
			return n
		}
	}
	b.Fatalf("no %s in /proc/self/status", name)
	return 0
}
