package fakealianza_test

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fakealianza/fakealianza"
	"github.com/fakealianza/fakealianza/fatest"
)

func noSFTP(o *fakealianza.Options) { o.SFTPAddr = "off" }

// TestManyDoubleStarsDoNotStall: a fault rule with many ** and long request
// paths from a client without a token neither stall the server nor hold up
// the admin API, and the journal's path filter answers too.
func TestManyDoubleStarsDoNotStall(t *testing.T) {
	srv := fatest.New(t, noSFTP)
	glob := "/" + strings.Repeat("**/", 12) + "z"
	if r := srv.Call(http.MethodPost, "/__admin/faults", `{"match":{"path":"`+glob+`"},"action":{"status":503}}`); r.Status != 201 {
		t.Fatalf("add rule: %d %s", r.Status, r.Body)
	}
	long := "/v2/" + strings.Repeat("a/", 12000)
	cases := []struct {
		path string
		want int
	}{
		{long + "b", 404}, // no match: the rule is tried all the way
		{long + "z", 503}, // the rule fires
	}
	var wg sync.WaitGroup
	got := make([]int, len(cases))
	for i, c := range cases {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got[i] = rawStatus(srv, http.MethodGet, c.path)
		}()
	}
	// The admin API answers meanwhile.
	if r := srv.Call(http.MethodGet, "/__admin/faults", nil); r.Status != 200 {
		t.Errorf("list faults: %d", r.Status)
	}
	wg.Wait()
	for i, c := range cases {
		if got[i] != c.want {
			t.Errorf("GET <%d bytes>: %d, want %d", len(c.path), got[i], c.want)
		}
	}
	r := srv.Call(http.MethodGet, "/__admin/requests?path="+glob, nil)
	var entries []struct{ Status int }
	r.Decode(t, &entries)
	if r.Status != 200 || len(entries) != 1 || entries[0].Status != 503 {
		t.Errorf("journal filtered by %s: %d, %+v", glob, r.Status, entries)
	}
	if r := srv.Call(http.MethodGet, "/__admin/requests?path=/"+strings.Repeat("*", 2000), nil); r.Status != 400 {
		t.Errorf("over-long journal glob: %d %s", r.Status, r.Body)
	}
	if r := srv.Call(http.MethodDelete, "/__admin/faults", nil); r.Status != 204 {
		t.Errorf("clear faults: %d %s", r.Status, r.Body)
	}
}

// rawStatus sends a request without a body and returns the status, or -1
// when the exchange failed (safe to call from any goroutine).
func rawStatus(srv *fatest.Server, method, path string) int {
	req, err := http.NewRequest(method, srv.URL()+path, nil)
	if err != nil {
		return -1
	}
	resp, err := srv.RawClient.Do(req)
	if err != nil {
		return -1
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode
}

// TestHTTPTimeouts: a body trickling in and an idle keep-alive connection
// are let go; delay and hang faults still work past the timeouts.
func TestHTTPTimeouts(t *testing.T) {
	const short = 300 * time.Millisecond
	srv := fatest.New(t, noSFTP, func(o *fakealianza.Options) {
		o.ReadTimeout, o.WriteTimeout, o.IdleTimeout = short, short, short
	})
	dial := func(t *testing.T) net.Conn {
		t.Helper()
		c, err := net.Dial("tcp", srv.Addr())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		return c
	}
	// outcome reads until the server answers, closes or wait passes.
	outcome := func(t *testing.T, c net.Conn, wait time.Duration) (data []byte, err error) {
		t.Helper()
		if err := c.SetReadDeadline(time.Now().Add(wait)); err != nil {
			t.Fatal(err)
		}
		return io.ReadAll(c)
	}
	isTimeout := func(err error) bool {
		var ne net.Error
		return errors.As(err, &ne) && ne.Timeout()
	}

	t.Run("slow body", func(t *testing.T) {
		c := dial(t)
		fmt.Fprintf(c, "POST /v2/authorize HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{")
		if _, err := outcome(t, c, 10*time.Second); isTimeout(err) {
			t.Error("a body that never completes holds the connection")
		}
	})
	t.Run("idle keep-alive", func(t *testing.T) {
		c := dial(t)
		fmt.Fprintf(c, "GET /__admin/health HTTP/1.1\r\nHost: x\r\n\r\n")
		br := bufio.NewReader(c)
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if err := c.SetReadDeadline(time.Now().Add(10 * time.Second)); err != nil {
			t.Fatal(err)
		}
		if _, err := br.ReadByte(); err != io.EOF {
			t.Errorf("idle connection not closed by the server: %v", err)
		}
	})
	t.Run("delay longer than the write timeout", func(t *testing.T) {
		req, err := http.NewRequest(http.MethodGet, srv.URL()+"/v2/nothing-here", nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("X-Fakealianza-Fault", "delay=1s")
		resp, err := srv.RawClient.Do(req)
		if err != nil {
			t.Fatalf("delayed request: %v", err)
		}
		resp.Body.Close()
		if resp.StatusCode != 404 {
			t.Errorf("delayed request: %d", resp.StatusCode)
		}
	})
	t.Run("hang longer than the read timeout", func(t *testing.T) {
		c := dial(t)
		fmt.Fprintf(c, "GET /v2/x HTTP/1.1\r\nHost: x\r\nX-Fakealianza-Fault: connection=hang\r\n\r\n")
		data, err := outcome(t, c, 4*short)
		if !isTimeout(err) || len(data) > 0 {
			t.Errorf("hang ended early: %q, %v", data, err)
		}
	})
}

// TestOverLimitBodyGetsTheEnvelope: a client sending a body over the limit
// (as curl does: the whole body, then the answer) reads the 400
// RequestBodyTooLarge envelope, not a TCP reset.
func TestOverLimitBodyGetsTheEnvelope(t *testing.T) {
	srv := fatest.New(t, noSFTP)
	body := strings.Repeat("x", 8<<20)
	cases := []struct{ name, head string }{
		{"content-length", fmt.Sprintf("Content-Length: %d\r\n", len(body))},
		{"chunked", "Transfer-Encoding: chunked\r\n"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			conn, err := net.Dial("tcp", srv.Addr())
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			if err := conn.SetDeadline(time.Now().Add(20 * time.Second)); err != nil {
				t.Fatal(err)
			}
			// The answer comes while the body is still going out: read it
			// meanwhile, as the kernel would buffer it.
			answer := make(chan []byte, 1)
			go func() {
				b, _ := io.ReadAll(conn)
				answer <- b
			}()
			var werr error
			write := func(s string) {
				if werr == nil {
					_, werr = io.WriteString(conn, s)
				}
			}
			write(fmt.Sprintf("POST /v2/authorize HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n%s\r\n", c.head))
			if c.head[0] == 'T' {
				for i := 0; i < len(body); i += 64 << 10 {
					write(fmt.Sprintf("%x\r\n%s\r\n", 64<<10, body[i:i+64<<10]))
				}
				write("0\r\n\r\n")
			} else {
				write(body)
			}
			if werr != nil {
				t.Fatalf("sending the body: %v", werr)
			}
			resp, err := http.ReadResponse(bufio.NewReader(bytes.NewReader(<-answer)), nil)
			if err != nil {
				t.Fatalf("no answer: %v", err)
			}
			b, err := io.ReadAll(resp.Body)
			if err != nil {
				t.Fatalf("answer cut: %v", err)
			}
			if resp.StatusCode != 400 || !strings.Contains(string(b), `"messages":["RequestBodyTooLarge"]`) {
				t.Errorf("%d %s", resp.StatusCode, b)
			}
		})
	}
}

func TestJournalSizeOutOfRangeRefused(t *testing.T) {
	for _, n := range []int{-1, 100_001, 99_999_999_999} {
		if _, err := fakealianza.New(fakealianza.Options{JournalSize: n, SFTPAddr: "off"}); err == nil || !strings.Contains(err.Error(), "journal size") {
			t.Errorf("JournalSize %d: %v", n, err)
		}
	}
}

// TestAccountHistoryOnlyRealChangesAndCapped: a PATCH that changes nothing
// leaves no record; an account's history keeps the newest
// AccountHistorySize records.
func TestAccountHistoryOnlyRealChangesAndCapped(t *testing.T) {
	const limit = 5
	srv := fatest.New(t, noSFTP, func(o *fakealianza.Options) { o.AccountHistorySize = limit })
	tok := srv.Admin(t)
	acct := "/v2/partition/" + fatest.AlphaPartition + "/account/fakeAcct00000000000001"
	history := func() (total int64, newest string) {
		t.Helper()
		r := srv.Call(http.MethodGet, acct+"/accounthistorysearch?maxResult=100", nil, fatest.Auth(tok))
		var page struct {
			TotalRecords int64
			Results      []struct{ NewValue string }
		}
		r.Decode(t, &page)
		if r.Status != 200 {
			t.Fatalf("history: %d %s", r.Status, r.Body)
		}
		if len(page.Results) > 0 {
			newest = page.Results[0].NewValue
		}
		return page.TotalRecords, newest
	}
	patch := func(name string) {
		t.Helper()
		if r := srv.Call(http.MethodPatch, acct, map[string]string{"accountName": name}, fatest.Auth(tok)); r.Status != 200 {
			t.Fatalf("patch: %d %s", r.Status, r.Body)
		}
	}
	patch("Renamed 0")
	before, _ := history()
	for range 20 {
		patch("Renamed 0")
	}
	if n, _ := history(); n != before {
		t.Errorf("20 identical PATCHes: %d records, want %d", n, before)
	}
	for i := 1; i <= 12; i++ {
		patch(fmt.Sprintf("Renamed %d", i))
	}
	n, newest := history()
	if n != limit || !strings.Contains(newest, `"Renamed 12"`) {
		t.Errorf("after 12 changes: %d records (want %d), newest %s", n, limit, newest)
	}
}
