package fakealianza_test

import (
	"bufio"
	"fmt"
	"io"
	"net/http"
	"os"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fakealianza/fakealianza/fatest"
)

// BenchmarkSoak drives b.N mixed requests (reads, writes, lists, misses)
// from 8 clients and reports the server's p99 latency and the process's
// memory. It is a benchmark, not a test: run it with a large count, e.g.
//
//	go test -run '^$' -bench Soak -benchtime 1000000x
func BenchmarkSoak(b *testing.B) {
	srv := fatest.New(b, noSFTP)
	tok := srv.Admin(b)
	acct := srv.URL() + "/v2/partition/" + fatest.AlphaPartition + "/account/fakeAcct00000000000001"
	type call struct{ method, url, body string }
	calls := []call{
		{http.MethodGet, acct, ""},
		{http.MethodPatch, acct, `{"accountName":"Soak %d"}`},
		{http.MethodGet, srv.URL() + "/v2/partition/" + fatest.AlphaPartition + "/account?maxResult=20", ""},
		{http.MethodGet, acct + "/accounthistorysearch", ""},
		{http.MethodGet, srv.URL() + "/v2/nowhere", ""},
	}
	const workers = 8
	lat := make([][]time.Duration, workers)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: workers}, Timeout: 30 * time.Second}
	var wg sync.WaitGroup
	var failed sync.Once
	b.ResetTimer()
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < b.N; i += workers {
				c := calls[i%len(calls)]
				body := c.body
				if strings.Contains(body, "%d") {
					body = fmt.Sprintf(body, i%3) // three names: some PATCHes change nothing
				}
				req, err := http.NewRequest(c.method, c.url, strings.NewReader(body))
				if err != nil {
					failed.Do(func() { b.Error(err) })
					return
				}
				req.Header.Set("X-Auth-Token", tok)
				req.Header.Set("Content-Type", "application/json")
				start := time.Now()
				resp, err := client.Do(req)
				if err != nil {
					failed.Do(func() { b.Error(err) })
					return
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				lat[w] = append(lat[w], time.Since(start))
				if resp.StatusCode >= 500 {
					failed.Do(func() { b.Errorf("%s %s: %d", c.method, c.url, resp.StatusCode) })
				}
			}
		}()
	}
	wg.Wait()
	b.StopTimer()
	all := slices.Concat(lat...)
	slices.Sort(all)
	if len(all) > 0 {
		b.ReportMetric(float64(all[len(all)*99/100].Microseconds())/1000, "p99-ms")
	}
	reportMemory(b)
}

// BenchmarkStateExport loads a state of about 64 MiB, then exports it b.N
// times, three clients at once, and reports the process's memory, its peak
// counted from the first export (Linux): the exports should add little
// over the state itself.
func BenchmarkStateExport(b *testing.B) {
	srv := fatest.New(b, noSFTP)
	size := len(bigState(b, srv, 64))
	b.SetBytes(int64(size))
	// The peak counts from here: the exports, not the building of the state.
	debug.FreeOSMemory()
	_ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0)
	b.ResetTimer()
	for range b.N {
		var wg sync.WaitGroup
		for range 3 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				resp, err := srv.RawClient.Get(srv.URL() + "/__admin/state")
				if err != nil {
					b.Error(err)
					return
				}
				defer resp.Body.Close()
				if n, err := io.Copy(io.Discard, resp.Body); err != nil || n != int64(size) {
					b.Errorf("export: %d bytes, %v", n, err)
				}
			}()
		}
		wg.Wait()
	}
	b.StopTimer()
	b.ReportMetric(float64(size)/(1<<20), "state-MB")
	reportMemory(b)
}

// reportMemory reports the process's resident memory now and at its peak
// (Linux; nothing elsewhere).
func reportMemory(b *testing.B) {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		name, rest, _ := strings.Cut(sc.Text(), ":")
		unit := map[string]string{"VmRSS": "rss-MB", "VmHWM": "peak-rss-MB"}[name]
		if unit == "" {
			continue
		}
		kb, err := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(rest), " kB"))
		if err == nil {
			b.ReportMetric(float64(kb)/1024, unit)
		}
	}
}
