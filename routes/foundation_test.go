package routes_test

import (
	"net/http"
	"testing"

	"github.com/fakealianza/fakealianza/fatest"
	"github.com/fakealianza/fakealianza/openapi"
)

func TestAdminHealthReadyAndSpec(t *testing.T) {
	srv := fatest.New(t)
	if r := srv.Call(t, http.MethodGet, "/__admin/health", nil); r.Status != 200 || r.Map(t)["status"] != "ok" {
		t.Fatalf("health: %d %s", r.Status, r.Body)
	}
	if r := srv.Call(t, http.MethodGet, "/__admin/ready", nil); r.Status != 200 || r.Map(t)["status"] != "ready" {
		t.Fatalf("ready: %d %s", r.Status, r.Body)
	}
	r := srv.Call(t, http.MethodGet, "/__admin/openapi.yaml", nil)
	if r.Status != 200 || r.Header.Get("Content-Type") != "application/yaml" {
		t.Fatalf("openapi.yaml: %d %s", r.Status, r.Header.Get("Content-Type"))
	}
	if _, err := openapi.Parse(r.Body); err != nil {
		t.Fatalf("served spec does not parse: %v", err)
	}
}

func TestUnknownRouteIsResourceNotFound(t *testing.T) {
	srv := fatest.New(t)
	cases := []struct{ method, path, ct string }{
		{http.MethodGet, "/v2/nothing/here", ""},
		{http.MethodPost, "/v2/partition//account", "application/json"},
		{http.MethodDelete, "/__admin/health", ""},
	}
	for _, c := range cases {
		var hdr []string
		if c.ct != "" {
			hdr = append(hdr, "Content-Type: "+c.ct)
		}
		r := srv.Call(t, c.method, c.path, nil, hdr...)
		status, msgs, data := r.Envelope(t)
		if r.Status != 404 || status != 404 || len(msgs) != 1 || msgs[0] != "ResourceNotFound" {
			t.Errorf("%s %s: %d %s", c.method, c.path, r.Status, r.Body)
			continue
		}
		d, _ := data.(map[string]any)
		if d["method"] != c.method || d["url"] != c.path || d["content-type"] != c.ct {
			t.Errorf("%s %s: data %v", c.method, c.path, data)
		}
	}
}
