package fakealianza_test

import (
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

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
