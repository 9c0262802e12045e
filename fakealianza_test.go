package fakealianza_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/fakealianza/fakealianza"
	"github.com/fakealianza/fakealianza/openapi"
)

func TestLibraryFace(t *testing.T) {
	srv, err := fakealianza.New(fakealianza.Options{HTTPAddr: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	if srv.URL() != "" {
		t.Fatalf("URL before Start: %q", srv.URL())
	}
	if err := srv.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(srv.URL(), "http://127.0.0.1:") || strings.HasSuffix(srv.URL(), ":0") {
		t.Fatalf("URL %q", srv.URL())
	}
	if err := srv.Start(context.Background()); err == nil {
		t.Error("second Start accepted")
	}
	resp, err := http.Get(srv.URL() + "/__admin/ready")
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("ready: %d", resp.StatusCode)
	}
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}
	if err := srv.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if _, err := http.Get(srv.URL() + "/__admin/ready"); err == nil {
		t.Error("server still answers after Close")
	}
}

func TestHandlerWorksWithoutListener(t *testing.T) {
	srv, err := fakealianza.New(fakealianza.Options{})
	if err != nil {
		t.Fatal(err)
	}
	rec := &recorder{header: http.Header{}}
	req, _ := http.NewRequest(http.MethodGet, "/v2/unknown", nil)
	srv.Handler().ServeHTTP(rec, req)
	if rec.status != 404 || !strings.Contains(rec.body.String(), "ResourceNotFound") {
		t.Fatalf("%d %s", rec.status, rec.body.String())
	}
}

type recorder struct {
	header http.Header
	status int
	body   strings.Builder
}

func (r *recorder) Header() http.Header         { return r.header }
func (r *recorder) WriteHeader(s int)           { r.status = s }
func (r *recorder) Write(b []byte) (int, error) { return r.body.Write(b) }

func TestStartFailsClearly(t *testing.T) {
	spec := string(openapi.Embedded())
	cases := map[string]struct {
		opts fakealianza.Options
		want string
	}{
		"invalid spec": {fakealianza.Options{Spec: []byte("openapi: 3.0.3\ninfo: {}\npaths: {}\n")}, "invalid spec"},
		// Every /v2 operation has the generic engine; an admin one needs a handler.
		"admin operation nothing serves": {fakealianza.Options{Spec: []byte(strings.Replace(spec, "paths:\n",
			"paths:\n  /__admin/unserved:\n    get:\n      operationId: unservedThing\n      responses: {'200': {description: x}}\n", 1))},
			"unservedThing"},
		"missing fixtures": {fakealianza.Options{FixturesDir: "/nonexistent/fixtures"}, "fixtures"},
		// The spec and the rest are built at once; the spec's error comes first.
		"invalid spec and missing fixtures": {fakealianza.Options{Spec: []byte("openapi: 3.0.3\ninfo: {}\npaths: {}\n"),
			FixturesDir: "/nonexistent/fixtures"}, "invalid spec"},
		"unknown scenario": {fakealianza.Options{Scenarios: []string{"no-such-scenario"}}, "no-such-scenario"},
	}
	for name, c := range cases {
		_, err := fakealianza.New(c.opts)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want it to mention %q", name, err, c.want)
		}
	}
	srv, err := fakealianza.New(fakealianza.Options{HTTPAddr: "256.0.0.1:99999"})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(context.Background()); err == nil {
		t.Error("Start on an impossible address succeeded")
	}
}

// BenchmarkStartup measures New + Start until /__admin/ready answers: the
// in-process part of a cold start ("cold": the embedded spec parsed as a
// first start parses it, then the fixtures and the listener), and a later
// start in the same process, which reuses the parsed embedded spec.
func BenchmarkStartup(b *testing.B) {
	for _, c := range []struct {
		name  string
		parse bool
	}{{"cold", true}, {"again", false}} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				if c.parse {
					spec, err := openapi.Load()
					if err != nil {
						b.Fatal(err)
					}
					spec.Matcher()
				}
				srv, err := fakealianza.New(fakealianza.Options{HTTPAddr: "127.0.0.1:0"})
				if err != nil {
					b.Fatal(err)
				}
				if err := srv.Start(context.Background()); err != nil {
					b.Fatal(err)
				}
				resp, err := http.Get(srv.URL() + "/__admin/ready")
				if err != nil || resp.StatusCode != 200 {
					b.Fatalf("ready: %v", err)
				}
				resp.Body.Close()
				srv.Close()
			}
		})
	}
}
