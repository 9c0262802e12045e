package main

import (
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fakealianza/fakealianza/certify"
)

// The tiny clients of the CLI test: shell and curl, reading the variables
// certify sets.
const (
	tinyLogin = `login() { curl -sf -X POST "$ALIANZA_BASE_URL/v2/authorize" -H 'Content-Type: application/json' ` +
		`-d "{\"username\":\"$ALIANZA_USERNAME\",\"password\":\"$ALIANZA_PASSWORD\"}" | sed 's/.*"authToken":"\([^"]*\)".*/\1/'; }
tok=$(login)
accounts() { curl -s -o /dev/null -w '%{http_code}' "$ALIANZA_BASE_URL/v2/partition/$ALIANZA_PARTITION_ID/account" -H "X-AUTH-TOKEN: $tok"; }
`
	tinyLogout = `curl -sf -o /dev/null -X PUT "$ALIANZA_BASE_URL/v2/authorize/logout" -H "X-AUTH-TOKEN: $tok"
`
	// on a 401 it logs in again and retries
	tinyGood = tinyLogin + `code=$(accounts); if [ "$code" = 401 ]; then tok=$(login); code=$(accounts); fi
[ "$code" = 200 ] || exit 1
` + tinyLogout
	// on a 401 it tries again with the same token
	tinyCareless = tinyLogin + `code=$(accounts); [ "$code" = 200 ] || code=$(accounts)
[ "$code" = 200 ] || exit 1
` + tinyLogout
)

func TestCertifyExitCodesFollowTheReport(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	if _, err := exec.LookPath("curl"); err != nil {
		t.Skip("the tiny clients need curl")
	}
	bin := buildBinary(t)
	cases := []struct {
		name   string
		args   []string
		script string
		code   int
		ready  bool
		reason string // in the report's problems
	}{
		{"claims met", []string{"--use-cases", "account-lifecycle"}, tinyGood, certifyReady, true, ""},
		{"claimed use case not exercised", []string{"--use-cases", "account-lifecycle,voicemail"}, tinyGood, certifyNotReady, false, "use case voicemail claimed but not exercised"},
		{"probe handled", []string{"--use-cases", "account-lifecycle", "--probes", "expired-token"}, tinyGood, certifyReady, true, ""},
		{"probe not handled", []string{"--use-cases", "account-lifecycle", "--probes", "expired-token"}, tinyCareless, certifyNotReady, false, "probe expired-token not-handled"},
		{"probe not exercised", []string{"--probes", "late-file"}, tinyGood, certifyNotReady, false, "probe late-file not-exercised"},
		{"clean report, failing command", nil, "exit 7", certifyCommandBad, true, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			script := filepath.Join(dir, "client.sh")
			if err := os.WriteFile(script, []byte(tc.script), 0o644); err != nil {
				t.Fatal(err)
			}
			out := filepath.Join(dir, "report")
			cmd := exec.Command(bin, append([]string{"certify", "--run", "sh " + script, "--out", out}, tc.args...)...)
			cmd.Env = os.Environ()
			b, err := cmd.CombinedOutput()
			var ee *exec.ExitError
			code := 0
			if errors.As(err, &ee) {
				code = ee.ExitCode()
			} else if err != nil {
				t.Fatal(err)
			}
			if code != tc.code {
				t.Fatalf("exit %d, want %d\n%s", code, tc.code, b)
			}
			raw, err := os.ReadFile(filepath.Join(out, "report.json"))
			if err != nil {
				t.Fatal(err)
			}
			var rep certify.Report
			if err := json.Unmarshal(raw, &rep); err != nil {
				t.Fatal(err)
			}
			if rep.Ready != tc.ready || (tc.reason != "" && !strings.Contains(strings.Join(rep.Problems, "\n"), tc.reason)) {
				t.Fatalf("ready %v problems %q, want %v with %q", rep.Ready, rep.Problems, tc.ready, tc.reason)
			}
			for _, f := range []string{"report.md", "exchanges/all.har"} {
				if _, err := os.Stat(filepath.Join(out, f)); err != nil {
					t.Error(err)
				}
			}
			if tc.script != "exit 7" {
				tr, err := os.ReadFile(filepath.Join(out, "exchanges", "account-lifecycle.txt"))
				if err != nil || !strings.Contains(string(tr), "GET /v2/partition/") {
					t.Errorf("transcript: %v %.500s", err, tr)
				}
			}
		})
	}
}

func TestCertifyFlags(t *testing.T) {
	var cc certifyConfig
	for _, o := range cc.options() {
		if want := "FAKEALIANZA_CERTIFY_" + strings.ToUpper(strings.ReplaceAll(o.name, "-", "_")); o.env != want {
			t.Errorf("--%s: env %s, want %s", o.name, o.env, want)
		}
	}
	var stderr strings.Builder
	if code := run([]string{"certify"}, env(nil), &stderr, &stderr); code != certifyUsage || !strings.Contains(stderr.String(), "--run is required") {
		t.Errorf("no --run: exit %d %q", code, stderr.String())
	}
	if code := run([]string{"certify", "--run", "true", "--probes", "nosuch", "--out", t.TempDir()}, env(nil), &stderr, &stderr); code != certifyUsage {
		t.Errorf("unknown probe: exit %d", code)
	}
	stderr.Reset()
	if code := run([]string{"certify", "--run", "true", "--partition", "nosuch", "--out", t.TempDir()}, env(nil), &stderr, &stderr); code != certifyUsage ||
		!strings.Contains(stderr.String(), `no management user in partition "nosuch"`) {
		t.Errorf("unknown partition: exit %d %q", code, stderr.String())
	}
	c, err := parse("certify", []string{"--run", "make test", "--use-cases", "porting, voicemail", "--probes", "all"},
		env(map[string]string{"FAKEALIANZA_CERTIFY_OUT": "/tmp/x", "FAKEALIANZA_CERTIFY_RETRY_AFTER": "5"}), &stderr, cc.options()...)
	if err != nil || c == nil || cc.run != "make test" || cc.out != "/tmp/x" || cc.retryAfter != 5 ||
		strings.Join(cc.useCases, "|") != "porting|voicemail" || strings.Join(cc.probes, "|") != "all" {
		t.Errorf("parsed %+v %v", cc, err)
	}
}
