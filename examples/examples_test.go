// Package examples holds small, complete clients of fakealianza in other
// languages; this test runs each of them against a live emulator.
package examples_test

import (
	"context"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/fakealianza/fakealianza"
	"github.com/fakealianza/fakealianza/fatest"
)

func TestExampleClients(t *testing.T) {
	tests := []struct {
		name, runtime, script string
	}{
		{"python", "python3", filepath.Join("python", "quickstart.py")},
		{"node", "node", filepath.Join("node", "quickstart.mjs")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			bin, err := exec.LookPath(tc.runtime)
			if err != nil {
				t.Skipf("%s is not installed (.ci/run installs it)", tc.runtime)
			}
			if _, err := exec.LookPath("sftp"); err != nil {
				t.Skip("OpenSSH sftp is not installed (.ci/run installs it)")
			}
			srv := fatest.New(t, func(o *fakealianza.Options) { o.SFTPAddr = "127.0.0.1:0" })
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			cmd := exec.CommandContext(ctx, bin, tc.script)
			cmd.Env = append(os.Environ(), "FAKEALIANZA_URL="+srv.URL(), "FAKEALIANZA_SFTP="+srv.SFTPAddr(), "HOME="+t.TempDir())
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("%s %s: %v\n%s", tc.runtime, tc.script, err, out)
			}
			for _, want := range []string{
				"logged in as admin@example.com",
				"token refused (401",
				"logging in again",
				"routed to END_USER",
				"_" + fatest.AlphaPartition + "_",
				" records; columns: id,partitionId,",
			} {
				if !strings.Contains(string(out), want) {
					t.Errorf("output lacks %q:\n%s", want, out)
				}
			}
			// What the client made is in the emulator's state.
			tok := srv.Admin(t)
			r := srv.Call(t, http.MethodGet, "/v2/partition/"+fatest.AlphaPartition+"/account/search?q="+map[string]string{"python": "PY-", "node": "NODE-"}[tc.name], nil, fatest.Auth(tok))
			var hits []map[string]any
			r.Decode(t, &hits)
			if r.Status != http.StatusOK || len(hits) != 1 {
				t.Fatalf("the example's account: %d %s", r.Status, r.Body)
			}
		})
	}
}
