package routes_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/fakealianza/fakealianza/fatest"
)

func TestHeadOnHealthAndReady(t *testing.T) {
	srv := fatest.New(t)
	for _, path := range []string{"/__admin/health", "/__admin/ready"} {
		get := srv.Call(t, http.MethodGet, path, nil)
		head := srv.Call(t, http.MethodHead, path, nil)
		if head.Status != http.StatusOK || head.Status != get.Status || len(head.Body) != 0 {
			t.Errorf("HEAD %s: %d %q (GET: %d)", path, head.Status, head.Body, get.Status)
		}
		if head.Header.Get("Content-Type") != get.Header.Get("Content-Type") {
			t.Errorf("HEAD %s: Content-Type %q, GET's %q", path, head.Header.Get("Content-Type"), get.Header.Get("Content-Type"))
		}
	}
	// HEAD elsewhere is still unknown, as on Alianza.
	if r := srv.CallRaw(t, http.MethodHead, "/__admin/clock", nil); r.Status != http.StatusNotFound {
		t.Errorf("HEAD /__admin/clock: %d", r.Status)
	}
}

func TestAdminBodiesWithoutContentTypeAreJSON(t *testing.T) {
	srv := fatest.New(t)
	tests := []struct {
		name   string
		header string
		want   int
	}{
		{"no Content-Type", "Content-Type:", http.StatusOK},
		{"curl -d's form type", "Content-Type: application/x-www-form-urlencoded", http.StatusOK},
		{"JSON", "Content-Type: application/json", http.StatusOK},
		{"another type", "Content-Type: text/csv", http.StatusBadRequest},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := srv.Call(t, http.MethodPost, "/__admin/clock", `{"advance":"1h"}`, tc.header)
			if r.Status != tc.want {
				t.Fatalf("%d %s", r.Status, r.Body)
			}
		})
	}
	// /v2 keeps Alianza's rules: no Content-Type is not JSON there.
	r := srv.Call(t, http.MethodPost, "/v2/authorize", `{"username":"`+fatest.AdminUser+`","password":"`+fatest.Password+`"}`, "Content-Type:")
	if r.Status == http.StatusCreated {
		t.Errorf("/v2/authorize without Content-Type: %d", r.Status)
	}
}

func TestResetPutsTheClockBack(t *testing.T) {
	srv := fatest.New(t)
	if r := srv.Call(t, http.MethodPost, "/__admin/clock", `{"set":"2030-06-01T00:00:00Z","freeze":true}`); r.Status != http.StatusOK {
		t.Fatalf("clock: %d %s", r.Status, r.Body)
	}
	if r := srv.Call(t, http.MethodPost, "/__admin/reset", nil); r.Status != http.StatusNoContent {
		t.Fatalf("reset: %d %s", r.Status, r.Body)
	}
	var c struct {
		Now    time.Time `json:"now"`
		Frozen bool      `json:"frozen"`
	}
	srv.Call(t, http.MethodGet, "/__admin/clock", nil).Decode(t, &c)
	if c.Frozen || c.Now.Sub(time.Now()).Abs() > time.Minute {
		t.Fatalf("clock after reset: %+v (wall %v)", c, time.Now().UTC())
	}
}
