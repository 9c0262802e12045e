package journal

import (
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"time"
)

func TestRingKeepsTheNewest(t *testing.T) {
	j := New(3)
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range 5 {
		j.Add(Entry{Method: "GET", Path: fmt.Sprintf("/v2/%d", i), Status: 200 + i, Time: base.Add(time.Duration(i) * time.Minute)})
	}
	got := j.Find(Filter{})
	if len(got) != 3 || j.Len() != 3 || j.Cap() != 3 {
		t.Fatalf("len %d", len(got))
	}
	for i, e := range got {
		if want := fmt.Sprintf("/v2/%d", i+2); e.Path != want || e.ID != int64(i+3) {
			t.Errorf("entry %d: %s id %d, want %s", i, e.Path, e.ID, want)
		}
	}
	if n := j.Count(Filter{Status: 203}); n != 1 {
		t.Errorf("count by status: %d", n)
	}
	if n := j.Count(Filter{Since: base.Add(3 * time.Minute)}); n != 2 {
		t.Errorf("count since: %d", n)
	}
	if n := j.Count(Filter{Method: "post"}); n != 0 {
		t.Errorf("count by method: %d", n)
	}
	if n := j.Count(Filter{PathMatch: func(p string) bool { return p == "/v2/4" }}); n != 1 {
		t.Errorf("count by path: %d", n)
	}
	j.Clear()
	if j.Len() != 0 || len(j.Find(Filter{})) != 0 {
		t.Error("clear")
	}
	j.Add(Entry{Path: "/after"})
	if got := j.Find(Filter{}); len(got) != 1 || got[0].ID != 6 {
		t.Errorf("after clear: %+v", got)
	}
	if New(0).Cap() != DefaultSize {
		t.Error("default size")
	}
}

func TestRedaction(t *testing.T) {
	h := http.Header{"X-Auth-Token": {"secret-token"}, "Content-Type": {"application/json"}, "x-fakealianza-admin-key": {"k"}}
	body := `{"username":"a@b.c","password":"hunter2","nested":{"sipPassword":"s1","voicemailPin":"1234","pin":"9"},` +
		`"list":[{"changePassword":"x","authToken":"t"}],"name":"ok","mustChangePassword":false}`
	m := NewMessage(h, []byte(body))
	for _, secret := range []string{"hunter2", "s1", "1234", `"9"`, `"x"`, `"t"`} {
		if strings.Contains(m.Body, secret) {
			t.Errorf("secret %s kept: %s", secret, m.Body)
		}
	}
	if m.Headers["X-Fakealianza-Admin-Key"][0] != Redacted {
		t.Errorf("admin key kept: %v", m.Headers)
	}
	var back map[string]any
	if err := json.Unmarshal([]byte(m.Body), &back); err != nil {
		t.Fatal(err)
	}
	if back["username"] != "a@b.c" || back["name"] != "ok" || back["password"] != Redacted || back["mustChangePassword"] != false {
		t.Errorf("redacted body: %v", back)
	}
	if m.Headers["Content-Type"][0] != "application/json" || m.Headers["X-Auth-Token"][0] != Redacted {
		t.Errorf("headers: %v", m.Headers)
	}
	// A body that is not JSON and mentions a password is dropped whole.
	if m := NewMessage(nil, []byte("user=a&password=b")); m.Body != Redacted {
		t.Errorf("form body: %q", m.Body)
	}
	if m := NewMessage(nil, []byte("plain text")); m.Body != "plain text" {
		t.Errorf("plain body: %q", m.Body)
	}
	// Bodies that skip the parse come back byte for byte; a key that spells
	// a secret only through escapes is still found.
	for body, want := range map[string]string{
		`{"accountName":"Acme",  "n":1}`:        `{"accountName":"Acme",  "n":1}`,
		`{"pass\u0077ord":"hunter2","n":1}`:     `{"n":1,"password":"` + Redacted + `"}`,
		`{"sipPASSWORD":"hunter2"}`:             `{"sipPASSWORD":"` + Redacted + `"}`,
		`{"name":"a\"b","voicemailPin":"1234"}`: `{"name":"a\"b","voicemailPin":"` + Redacted + `"}`,
		`{"name":"quoted \" only","count":2}`:   `{"name":"quoted \" only","count":2}`,
	} {
		if m := NewMessage(nil, []byte(body)); m.Body != want {
			t.Errorf("body %s: journal keeps %s, want %s", body, m.Body, want)
		}
	}
	if q := RedactQuery("a=1&password=p&authToken=t"); strings.Contains(q, "=p") || strings.Contains(q, "=t&") || !strings.Contains(q, "a=1") {
		t.Errorf("query: %s", q)
	}
	big := NewMessage(nil, []byte(strings.Repeat("a", MaxBody+10)))
	if len(big.Body) != MaxBody || !big.BodyTruncated {
		t.Errorf("truncation: %d %v", len(big.Body), big.BodyTruncated)
	}
}

func TestHAR(t *testing.T) {
	e := Entry{
		Time: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), Method: "POST", Path: "/v2/authorize", Query: "a=1",
		Status: 201, DurationMs: 1.5, Fault: "f1:status=500",
		Request:  Message{Headers: map[string][]string{"Content-Type": {"application/json"}}, Body: `{"password":"[REDACTED]"}`},
		Response: Message{Headers: map[string][]string{"Content-Type": {"application/json"}}, Body: `{}`},
	}
	h := ToHAR([]Entry{e}, "http://127.0.0.1:1", "test")
	if h.Log.Version != "1.2" || len(h.Log.Entries) != 1 {
		t.Fatalf("%+v", h)
	}
	he := h.Log.Entries[0]
	if he.Request.URL != "http://127.0.0.1:1/v2/authorize?a=1" || he.Request.PostData == nil ||
		he.Response.Status != 201 || he.Response.StatusText != "Created" || he.Response.Content.Text != "{}" ||
		he.Request.QueryString[0].Name != "a" || he.Comment == "" || he.StartedDateTime != "2026-01-01T00:00:00Z" {
		t.Errorf("%+v", he)
	}
	b, err := json.Marshal(ToHAR(nil, "", "x"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"entries":[]`) {
		t.Errorf("empty HAR: %s", b)
	}
}

// TestMemoryBoundedUnder100kRequests sends 100,000 exchanges through a
// default-size journal, every hundredth with bodies far larger than MaxBody;
// the heap afterwards stays under what a full ring of capped bodies holds.
func TestMemoryBoundedUnder100kRequests(t *testing.T) {
	j := New(DefaultSize)
	small := []byte(`{"accountName":"acme","password":"p","extension":"1001"}`)
	big := []byte(`{"name":"` + strings.Repeat("x", 4*MaxBody) + `"}`)
	h := http.Header{"Content-Type": {"application/json"}, "X-Auth-Token": {"t"}}
	heap := func() uint64 {
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.HeapAlloc
	}
	before := heap()
	n := 100_000
	if raceEnabled {
		n = 5_000 // the race detector makes each request ~50x slower; the bound is the same
	}
	for i := range n {
		body := small
		if i%100 == 0 {
			body = big
		}
		j.Add(Entry{Method: "POST", Path: "/v2/x", Status: 200, Request: NewMessage(h, body), Response: NewMessage(h, body)})
	}
	grown := int64(heap()) - int64(before)
	limit := int64(DefaultSize) * (2*MaxBody + 4096) // two capped bodies and headers per entry
	t.Logf("heap grew %d KiB for 100k requests (bound %d KiB)", grown>>10, limit>>10)
	if grown > limit {
		t.Errorf("journal heap grew %d bytes, over the bound %d", grown, limit)
	}
	if j.Len() != DefaultSize {
		t.Errorf("len %d", j.Len())
	}
	// Fill the whole ring with big bodies: still bounded.
	for range DefaultSize {
		j.Add(Entry{Request: NewMessage(h, big), Response: NewMessage(h, big)})
	}
	if grown := int64(heap()) - int64(before); grown > limit {
		t.Errorf("a ring of big bodies grew the heap %d bytes, over %d", grown, limit)
	}
}

func BenchmarkJournalAdd(b *testing.B) {
	j := New(DefaultSize)
	h := http.Header{"Content-Type": {"application/json"}, "X-Auth-Token": {"t"}}
	body := []byte(`{"accountName":"a","password":"p","extension":"1001"}`)
	b.ReportAllocs()
	for b.Loop() {
		j.Add(Entry{Method: "POST", Path: "/v2/x", Status: 201, Request: NewMessage(h, body), Response: NewMessage(h, body)})
	}
}

func TestAddedWakesWaitersAndAfterIDReadsTheNew(t *testing.T) {
	j := New(4)
	j.Add(Entry{Path: "/old"})
	woken := j.Added()
	select {
	case <-woken:
		t.Fatal("woken before an add")
	default:
	}
	j.Add(Entry{Path: "/new"})
	select {
	case <-woken:
	case <-time.After(5 * time.Second):
		t.Fatal("not woken by an add")
	}
	got, seq := j.Poll(Filter{AfterID: 1})
	if len(got) != 1 || got[0].Path != "/new" || got[0].ID != 2 || seq != 2 {
		t.Fatalf("after id 1: %+v, newest %d", got, seq)
	}
	if n := j.Count(Filter{AfterID: 2}); n != 0 {
		t.Errorf("after the newest: %d", n)
	}
	if j.Added() == woken {
		t.Error("a fired channel was handed out again")
	}
}

func TestRedactHeader(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   http.Header
		want map[string][]string
	}{
		{"empty", http.Header{}, nil},
		{"secret replaced whole", http.Header{"X-Auth-Token": {"t1", "t2"}, "Accept": {"a", "b"}},
			map[string][]string{"X-Auth-Token": {Redacted}, "Accept": {"a", "b"}}},
		{"key made canonical, secret found", http.Header{"cookie": {"c=1"}, "x-trace": {"1"}},
			map[string][]string{"Cookie": {Redacted}, "X-Trace": {"1"}}},
		{"no values stays nil", http.Header{"X-Empty": {}}, map[string][]string{"X-Empty": nil}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := RedactHeader(tc.in)
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("RedactHeader(%v) = %#v, want %#v", tc.in, got, tc.want)
			}
			// The copy shares nothing with the original: appending to one
			// value list leaves its neighbours alone.
			for k := range got {
				got[k] = append(got[k], "extra")
			}
			for k, vs := range tc.in {
				for _, v := range vs {
					if v == "extra" {
						t.Fatalf("original %s changed: %v", k, vs)
					}
				}
			}
			for k, vs := range got {
				if n := len(vs); n == 0 || vs[n-1] != "extra" || (n > 1 && vs[n-2] == "extra") {
					t.Fatalf("%s after append: %v", k, vs)
				}
			}
		})
	}
}
