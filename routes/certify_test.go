package routes_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/fakealianza/fakealianza"
	"github.com/fakealianza/fakealianza/certify"
	"github.com/fakealianza/fakealianza/fatest"
)

func TestCertificationAdminErrors(t *testing.T) {
	srv := fatest.New(t)
	cases := []struct {
		method, path string
		body         any
		status       int
		code         string
	}{
		{http.MethodGet, "/__admin/certification/report", nil, 404, "EntityNotFound"},
		{http.MethodGet, "/__admin/certification/har", nil, 404, "EntityNotFound"},
		{http.MethodPost, "/__admin/certification/stop", nil, 409, "CertificationNotRunning"},
		{http.MethodPost, "/__admin/certification/start", map[string]any{"probes": []string{"flood"}}, 400, ""},
		{http.MethodPost, "/__admin/certification/start", map[string]any{"slowDelay": "2h"}, 400, "InvalidValueForField:slowDelay"},
		{http.MethodPost, "/__admin/certification/start", map[string]any{"bogus": true}, 400, ""},
		{http.MethodPost, "/__admin/certification/start", map[string]any{"useCases": []string{"voicemail"}}, 201, ""},
		{http.MethodPost, "/__admin/certification/start", nil, 409, "CertificationRunning"},
		{http.MethodGet, "/__admin/certification/transcript?useCase=billing", nil, 400, ""},
		{http.MethodGet, "/__admin/certification/report?format=markdown", nil, 200, ""},
		{http.MethodPost, "/__admin/certification/stop", nil, 200, ""},
	}
	for _, c := range cases {
		r := srv.Call(t, c.method, c.path, c.body)
		if r.Status != c.status {
			t.Fatalf("%s %s: %d %s, want %d", c.method, c.path, r.Status, r.Body, c.status)
		}
		if c.code != "" {
			if _, msgs, _ := r.Envelope(t); len(msgs) != 1 || msgs[0] != c.code {
				t.Fatalf("%s %s: %v, want %s", c.method, c.path, msgs, c.code)
			}
		}
	}
}

// TestCertificationKeepsWhatTheRingDrops: the journal ring holds 5, the
// session all 30 exchanges, through a reset of the state; admin calls are
// not recorded.
func TestCertificationKeepsWhatTheRingDrops(t *testing.T) {
	srv := fatest.New(t, func(o *fakealianza.Options) { o.JournalSize = 5 })
	if r := srv.Call(t, http.MethodPost, "/__admin/certification/start", map[string]any{"partitionId": fatest.AlphaPartition}); r.Status != 201 {
		t.Fatalf("start: %d %s", r.Status, r.Body)
	}
	tok := srv.Admin(t)
	for i := range 29 {
		if i == 10 {
			srv.Call(t, http.MethodPost, "/__admin/reset", nil)
			tok = srv.Admin(t)
		}
		srv.Call(t, http.MethodGet, "/v2/partition/"+fatest.AlphaPartition, nil, fatest.Auth(tok))
	}
	srv.Call(t, http.MethodGet, "/v2/partition/"+fatest.BravoPartition, nil) // another partition: not recorded
	if n := srv.Journal().Len(); n != 5 {
		t.Fatalf("journal holds %d", n)
	}
	var rep certify.Report
	srv.Call(t, http.MethodGet, "/__admin/certification/report", nil).Decode(t, &rep)
	if rep.Session.Exchanges != 31 || !rep.Session.Running {
		t.Fatalf("session: %+v", rep.Session)
	}
	tr := srv.Call(t, http.MethodGet, "/__admin/certification/transcript?useCase=authentication", nil)
	if strings.Count(string(tr.Body), "POST /v2/authorize HTTP/1.1") != 2 || strings.Contains(string(tr.Body), tok) {
		t.Fatalf("transcript: %s", tr.Body)
	}
}
