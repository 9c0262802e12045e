package fakealianza_test

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fakealianza/fakealianza/fatest"
	"github.com/fakealianza/fakealianza/store"
)

// The load of BenchmarkVsBare: requests per case and side, and the fixed
// rate of its paced case.
var (
	perfRequests = flag.Int("perf.n", 20000, "BenchmarkVsBare: requests per case and side")
	perfRate     = flag.Int("perf.rate", 2000, "BenchmarkVsBare: requests per second of the paced case")
	perfPaced    = flag.Duration("perf.paced", 3*time.Second, "BenchmarkVsBare: length of the paced case")
	perfScale    = flag.Int("perf.scale", 1, "BenchmarkVsBare: times the list's 1,000 and the search's 100,000 accounts (those cases send as many times fewer requests)")
)

// perfWorkers is the load's concurrency (connections and goroutines).
const perfWorkers = 16

// perfCase is one request the emulator answers; the bare handler answers the
// same request with a body of the same size.
type perfCase struct {
	name   string
	method string
	url    func(i int) string // the i-th request's URL
	body   func(i int) []byte // the i-th request's body (nil: none)
	status int                // the status every answer must have
}

// BenchmarkVsBare measures the emulator against a bare net/http handler that
// answers a fixed body of the same size, in the same process and run, over
// loopback, with the same client and 16 workers. Each case reports both
// sides' req/s, their ratio (emulator / bare) and the emulator's p50 and p99.
// The "paced" case sends GET one account at a fixed rate (-perf.rate) and
// reports p99 on both sides. Run it once, not b.N times:
//
//	go test -run '^$' -bench VsBare -benchtime 1x .
//
// -perf.scale 10 runs the list over 10,000 accounts and the search over
// 1,000,000 (the case names say the size), to compare with the 1x cases.
func BenchmarkVsBare(b *testing.B) {
	srv := fatest.New(b, noSFTP)
	tok := srv.Admin(b)
	alpha := srv.URL() + "/v2/partition/" + fatest.AlphaPartition
	scale := max(*perfScale, 1)
	fillAccounts(b, srv.Store(), fatest.AlphaPartition, 1000*scale)

	// The search's large server lives only while its case runs: its heap
	// would otherwise slow the other cases' garbage collection (both sides
	// alike, but the list at 10x most).
	search := func(b *testing.B) (perfCase, string) {
		big := fatest.New(b, noSFTP)
		fillAccounts(b, big.Store(), fatest.AlphaPartition, 100_000*scale)
		bigAlpha := big.URL() + "/v2/partition/" + fatest.AlphaPartition
		return perfCase{"", http.MethodGet, fixed(bigAlpha + "/account/search?q=perf-0004217"), nil, http.StatusOK}, big.Admin(b)
	}

	var created atomic.Int64
	cases := []struct {
		perfCase
		token string
		per   int // the case sends perf.n / per requests (slow cases fewer)
		// setup, when set, builds the case and its token inside its own run.
		setup func(*testing.B) (perfCase, string)
	}{
		{perfCase{"get-one", http.MethodGet, fixed(alpha + "/account/" + firstAccount(b, srv.Store())), nil, http.StatusOK}, tok, 1, nil},
		{perfCase{fmt.Sprintf("list-%d", 1000*scale), http.MethodGet, fixed(alpha + "/account"), nil, http.StatusOK}, tok, 20 * scale, nil},
		{perfCase{name: fmt.Sprintf("search-%dk", 100*scale)}, "", 10 * scale, search},
		{perfCase{"create-valid", http.MethodPost, fixed(alpha + "/account"), func(int) []byte {
			i := created.Add(1) // account numbers stay unique over warm-up and runs
			return fmt.Appendf(nil, `{"accountNumber":"NEW-%07d","accountName":"New %07d","accountType":"ADVANCED"}`, i, i)
		}, http.StatusOK}, tok, 2, nil},
		{perfCase{"create-invalid", http.MethodPost, fixed(alpha + "/account"), func(i int) []byte {
			return fmt.Appendf(nil, `{"accountNumber":"BAD-%07d","accountType":"ADVANCED"}`, i)
		}, http.StatusBadRequest}, tok, 1, nil},
	}
	b.ResetTimer()
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			pc, token := c.perfCase, c.token
			if c.setup != nil {
				pc, token = c.setup(b)
				pc.name = c.name
				b.ResetTimer()
			}
			for range b.N {
				emu, bare := compare(b, pc, token, *perfRequests/c.per)
				b.ReportMetric(emu.rate, "emu-req/s")
				b.ReportMetric(bare.rate, "bare-req/s")
				b.ReportMetric(emu.rate/bare.rate, "ratio")
				b.ReportMetric(ms(emu.p50), "p50-ms")
				b.ReportMetric(ms(emu.p99), "p99-ms")
				b.ReportMetric(ms(bare.p99), "bare-p99-ms")
			}
		})
	}
	b.Run("paced-get-one", func(b *testing.B) {
		for range b.N {
			c := cases[0].perfCase
			bare := startBare(b, c, tok)
			n := int(perfPaced.Seconds() * float64(*perfRate))
			emu := paced(b, c, tok, n, *perfRate)
			bar := paced(b, bare, "", n, *perfRate)
			b.ReportMetric(ms(emu.p50), "p50-ms")
			b.ReportMetric(ms(emu.p99), "p99-ms")
			b.ReportMetric(ms(bar.p99), "bare-p99-ms")
		}
	})
}

func fixed(s string) func(int) string { return func(int) string { return s } }

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// fillAccounts adds accounts PERF-0000000, PERF-0000001, ... to a partition
// through a state load until it holds n.
func fillAccounts(b *testing.B, st *store.Store, partition string, n int) {
	b.Helper()
	have, err := st.Accounts(partition)
	if err != nil {
		b.Fatal(err)
	}
	state := st.Snapshot()
	for i := range n - len(have) {
		state.Accounts = append(state.Accounts, store.Account{
			ID: fmt.Sprintf("perfAcct%014d", i), PartitionID: partition,
			AccountNumber: fmt.Sprintf("PERF-%07d", i), AccountName: fmt.Sprintf("Perf Account %07d", i),
			AccountType: "ADVANCED",
		})
	}
	if err := st.Restore(state); err != nil {
		b.Fatalf("load %d accounts: %v", n, err)
	}
}

func firstAccount(b *testing.B, st *store.Store) string {
	b.Helper()
	list, err := st.Accounts(fatest.AlphaPartition)
	if err != nil || len(list) == 0 {
		b.Fatalf("no account in %s: %v", fatest.AlphaPartition, err)
	}
	return list[0].ID
}

// perfResult is one side's throughput and latency.
type perfResult struct {
	rate     float64
	p50, p99 time.Duration
}

// compareRounds is how many turns each side takes in compare: the sides
// alternate so that a change in the machine's other load falls on both.
const compareRounds = 5

// compare drives the emulator and a bare handler answering the same size,
// n requests each in turns, and gives both results.
func compare(b *testing.B, c perfCase, token string, n int) (emu, bare perfResult) {
	b.Helper()
	bc := startBare(b, c, token)
	load(b, c, token, n/10) // warm up: connections, caches
	load(b, bc, "", n/10)
	var emuLat, bareLat []time.Duration
	var emuTook, bareTook time.Duration
	for range compareRounds {
		lat, took := load(b, c, token, n/compareRounds)
		emuLat, emuTook = append(emuLat, lat...), emuTook+took
		lat, took = load(b, bc, "", n/compareRounds)
		bareLat, bareTook = append(bareLat, lat...), bareTook+took
	}
	return summarise(emuLat, emuTook), summarise(bareLat, bareTook)
}

// startBare starts a bare handler that answers c's status and a body the
// size of the emulator's answer, and gives the case aimed at it.
func startBare(b *testing.B, c perfCase, token string) perfCase {
	b.Helper()
	client := perfClient()
	defer client.CloseIdleConnections()
	body, _ := send(client, c.method, c.url(-1), bodyOf(c, -1), token)
	if len(body) == 0 {
		b.Fatalf("%s: empty answer", c.name)
	}
	fixed := bytes.Repeat([]byte{' '}, len(body))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	hs := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(c.status)
		_, _ = w.Write(fixed)
	})}
	go func() { _ = hs.Serve(ln) }()
	b.Cleanup(func() { _ = hs.Close() })
	url := "http://" + ln.Addr().String() + "/"
	return perfCase{name: c.name + "-bare", method: c.method, url: func(int) string { return url },
		body: c.body, status: c.status}
}

func bodyOf(c perfCase, i int) []byte {
	if c.body == nil {
		return nil
	}
	return c.body(i)
}

func perfClient() *http.Client {
	return &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{
		MaxIdleConnsPerHost: perfWorkers, MaxConnsPerHost: perfWorkers, DisableCompression: true}}
}

// send makes one request and reads the whole answer.
func send(client *http.Client, method, url string, body []byte, token string) ([]byte, int) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		return nil, 0
	}
	if token != "" {
		req.Header.Set("X-Auth-Token", token)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, 0
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, 0
	}
	return out, resp.StatusCode
}

// load sends n requests from perfWorkers workers as fast as they are
// answered; every answer must have c's status.
func load(b *testing.B, c perfCase, token string, n int) ([]time.Duration, time.Duration) {
	b.Helper()
	var next atomic.Int64
	start := time.Now()
	lat := run(b, c, token, func() (int, bool) {
		i := int(next.Add(1)) - 1
		return i, i < n
	})
	return lat, time.Since(start)
}

// paced sends n requests at rate per second (an open loop: each request
// leaves at its scheduled time, or as soon as a worker is free after it).
func paced(b *testing.B, c perfCase, token string, n, rate int) perfResult {
	b.Helper()
	var next atomic.Int64
	start := time.Now()
	gap := time.Second / time.Duration(rate)
	lat := run(b, c, token, func() (int, bool) {
		i := int(next.Add(1)) - 1
		if i >= n {
			return i, false
		}
		time.Sleep(time.Until(start.Add(time.Duration(i) * gap)))
		return i, true
	})
	return summarise(lat, time.Since(start))
}

// run starts the workers; each asks take for its next request until it
// says stop, and records each request's latency.
func run(b *testing.B, c perfCase, token string, take func() (int, bool)) []time.Duration {
	client := perfClient()
	defer client.CloseIdleConnections()
	lat := make([][]time.Duration, perfWorkers)
	var wg sync.WaitGroup
	var first error
	var once sync.Once
	for w := range perfWorkers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i, ok := take()
				if !ok {
					return
				}
				t0 := time.Now()
				_, code := send(client, c.method, c.url(i), bodyOf(c, i), token)
				lat[w] = append(lat[w], time.Since(t0))
				if code != c.status {
					once.Do(func() { first = fmt.Errorf("%s request %d: status %d, want %d", c.name, i, code, c.status) })
					return
				}
			}
		}()
	}
	wg.Wait()
	if first != nil {
		b.Fatal(first)
	}
	return slices.Concat(lat...)
}

func summarise(lat []time.Duration, took time.Duration) perfResult {
	slices.Sort(lat)
	if len(lat) == 0 {
		return perfResult{}
	}
	return perfResult{rate: float64(len(lat)) / took.Seconds(),
		p50: lat[len(lat)/2], p99: lat[len(lat)*99/100]}
}
