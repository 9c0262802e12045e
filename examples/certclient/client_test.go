package main

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/fakealianza/fakealianza/certify"
	"github.com/fakealianza/fakealianza/fatest"
	"github.com/fakealianza/fakealianza/journal"
)

// TestRehearsalTellsTheClientsApart drives the well-behaved and the
// careless client through a rehearsal with every probe and checks that the
// reports tell them apart, probe by probe.
func TestRehearsalTellsTheClientsApart(t *testing.T) {
	cases := []struct {
		name      string
		careless  bool
		clientErr bool
		ready     bool
		behaviour map[string]string // probe -> behaviour
		flags     []string
	}{
		{
			name: "well-behaved", ready: true,
			behaviour: map[string]string{
				certify.ProbeExpiredToken: "logged-in-again-and-retried",
				certify.ProbeServerError:  "backed-off-and-retried",
				certify.ProbeUnavailable:  "backed-off-and-retried",
				certify.ProbeSlow:         "backed-off-and-retried",
				certify.ProbeValidation:   "corrected-and-re-sent",
				certify.ProbeVanished:     "re-read-the-object",
				certify.ProbeLateFile:     "fetched-late-file",
			},
		},
		{
			name: "careless", careless: true, clientErr: true, ready: false,
			behaviour: map[string]string{
				certify.ProbeExpiredToken: "kept-the-expired-token",
				certify.ProbeServerError:  "retried-without-backoff",
				certify.ProbeUnavailable:  "ignored-retry-after",
				certify.ProbeSlow:         "no-client-timeout",
				certify.ProbeValidation:   "re-sent-unchanged",
				certify.ProbeVanished:     "re-read-the-object",
				certify.ProbeLateFile:     "missed-late-file",
			},
			flags: []string{certify.FlagIgnoredRetryAfter, certify.FlagNoLogout},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := fatest.New(t)
			r := srv.Call(t, http.MethodPost, "/__admin/certification/start", map[string]any{
				"useCases":    []string{certify.UseCaseAccounts, certify.UseCaseUsers, certify.UseCaseCDR},
				"partitionId": fatest.AlphaPartition, "probes": []string{"all"}, "seed": 3,
				"retryAfterSeconds": 1, "slowDelay": "2s", "lateFileDelay": "1s",
			})
			if r.Status != http.StatusCreated {
				t.Fatalf("start: %d %s", r.Status, r.Body)
			}
			_, pub := srv.SFTPHostKey()
			cfg := config{
				BaseURL: srv.URL(), Username: fatest.AdminUser, Password: fatest.Password, PartitionID: fatest.AlphaPartition,
				SFTPAddr: srv.SFTPAddr(), SFTPUser: "datafeed", SFTPPassword: "fakealianza", SFTPHostKey: pub,
				Careless: tc.careless, Timeout: time.Second, Backoff: 300 * time.Millisecond, PollEvery: 1100 * time.Millisecond,
			}
			var log strings.Builder
			cfg.Log = &log
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			err := newClient(cfg).run(ctx)
			if (err != nil) != tc.clientErr {
				t.Fatalf("client error %v, want one: %v\n%s", err, tc.clientErr, log.String())
			}

			r = srv.Call(t, http.MethodPost, "/__admin/certification/stop", nil)
			if r.Status != http.StatusOK {
				t.Fatalf("stop: %d %s", r.Status, r.Body)
			}
			var rep certify.Report
			r.Decode(t, &rep)
			if rep.Ready != tc.ready || rep.Session.Running || rep.Session.Exchanges == 0 || rep.Session.Dropped != 0 {
				t.Errorf("ready %v running %v exchanges %d dropped %d; problems %v", rep.Ready, rep.Session.Running,
					rep.Session.Exchanges, rep.Session.Dropped, rep.Problems)
			}
			if len(rep.Probes) != len(tc.behaviour) {
				t.Fatalf("probes %+v", rep.Probes)
			}
			for _, p := range rep.Probes {
				if p.Behaviour != tc.behaviour[p.Name] {
					t.Errorf("probe %s: %s (%s: %s), want %s", p.Name, p.Verdict, p.Behaviour, p.Detail, tc.behaviour[p.Name])
				}
				wantVerdict := certify.NotHandled
				if strings.HasPrefix(p.Behaviour, "re-read") || !tc.careless {
					wantVerdict = certify.Handled
				}
				if p.Verdict != wantVerdict || len(p.Evidence) == 0 {
					t.Errorf("probe %s: verdict %s evidence %v, want %s", p.Name, p.Verdict, p.Evidence, wantVerdict)
				}
			}
			var codes []string
			for _, f := range rep.Flags {
				codes = append(codes, f.Code)
			}
			if strings.Join(codes, ",") != strings.Join(tc.flags, ",") {
				t.Errorf("flags %v, want %v", rep.Flags, tc.flags)
			}
			for _, u := range rep.UseCases {
				if u.Claimed && !u.Exercised && !(tc.careless && u.Name == certify.UseCaseCDR) {
					t.Errorf("use case %s claimed but not exercised: %+v", u.Name, u)
				}
			}
			if t.Failed() {
				t.Logf("client log:\n%s", log.String())
			}
			checkExports(t, srv, rep)
		})
	}
}

// checkExports reads the Markdown report, a transcript and a HAR of the
// session: the probes' evidence is there, and no token left the server.
func checkExports(t *testing.T, srv *fatest.Server, rep certify.Report) {
	md := srv.Call(t, http.MethodGet, "/__admin/certification/report?format=markdown", nil)
	want := "READY for review"
	if !rep.Ready {
		want = "NOT READY"
	}
	if md.Status != http.StatusOK || !strings.Contains(string(md.Body), want) || !strings.Contains(string(md.Body), "| expired-token") &&
		!strings.Contains(string(md.Body), "Expired token") {
		t.Errorf("markdown: %d %s", md.Status, md.Body)
	}
	tr := srv.Call(t, http.MethodGet, "/__admin/certification/transcript?useCase="+certify.UseCaseAccounts, nil)
	body := string(tr.Body)
	if tr.Status != http.StatusOK || !strings.Contains(body, "POST /v2/partition/"+fatest.AlphaPartition+"/account HTTP/1.1\r\n") ||
		!strings.Contains(body, "HTTP/1.1 200 OK\r\n") || !strings.Contains(body, "X-Auth-Token: "+journal.Redacted) {
		t.Errorf("transcript: %d %.2000s", tr.Status, body)
	}
	auth := srv.Call(t, http.MethodGet, "/__admin/certification/transcript?useCase="+certify.UseCaseAuth, nil)
	if strings.Contains(string(auth.Body), fatest.Password) || !strings.Contains(string(auth.Body), `"authToken":"`+journal.Redacted+`"`) {
		t.Errorf("login transcript not redacted: %.2000s", auth.Body)
	}
	h := srv.Call(t, http.MethodGet, "/__admin/certification/har", nil)
	var har journal.HAR
	if err := json.Unmarshal(h.Body, &har); err != nil {
		t.Fatal(err)
	}
	probed := 0
	for _, e := range har.Log.Entries {
		if strings.Contains(e.Comment, "certification probe") {
			probed++
		}
		if !strings.HasPrefix(e.Comment, "exchange ") {
			t.Fatalf("HAR entry comment %q", e.Comment)
		}
	}
	if len(har.Log.Entries) == 0 || probed < 5 {
		t.Errorf("HAR: %d entries, %d probed", len(har.Log.Entries), probed)
	}
}
