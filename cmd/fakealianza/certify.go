package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/fakealianza/fakealianza"
	"github.com/fakealianza/fakealianza/certify"
	"github.com/fakealianza/fakealianza/scenarios"
	"github.com/fakealianza/fakealianza/store"
)

// Exit codes of `fakealianza certify`.
const (
	certifyReady      = 0 // every claimed use case exercised, every probe handled, the command passed
	certifyNotReady   = 1 // the report found a problem (the files are written)
	certifyUsage      = 2 // bad flags
	certifyCommandBad = 3 // the report is clean but the test command failed
	certifyBroken     = 4 // the server or the files could not be made
)

// certifyConfig is what the certify flags set beside the server's.
type certifyConfig struct {
	run, out, partition     string
	useCases, probes        []string
	retryAfter              int
	slowDelay, lateFileWait time.Duration
}

func (cc *certifyConfig) options() []option {
	list := func(p *[]string) func(string) error {
		return func(v string) error {
			*p = nil
			for _, s := range strings.Split(v, ",") {
				if s = strings.TrimSpace(s); s != "" {
					*p = append(*p, s)
				}
			}
			return nil
		}
	}
	str := func(p *string) func(string) error { return func(v string) error { *p = v; return nil } }
	return []option{
		{"run", "FAKEALIANZA_CERTIFY_RUN", "the test command to rehearse, run with sh -c (required)", "", str(&cc.run)},
		{"out", "FAKEALIANZA_CERTIFY_OUT", "folder the report files are written to", "certification", str(&cc.out)},
		{"use-cases", "FAKEALIANZA_CERTIFY_USE_CASES", "use cases the integration claims, comma-separated (" + strings.Join(certify.UseCaseNames(), ", ") + ")", "", list(&cc.useCases)},
		{"probes", "FAKEALIANZA_CERTIFY_PROBES", "error-handling probes, comma-separated, or all (" + strings.Join(certify.ProbeNames(), ", ") + ")", "", list(&cc.probes)},
		{"partition", "FAKEALIANZA_CERTIFY_PARTITION", "partition the command works in (empty: the fixtures' best-privileged management user's)", "", str(&cc.partition)},
		{"retry-after", "FAKEALIANZA_CERTIFY_RETRY_AFTER", "Retry-After seconds of the 503 probe", "2", func(v string) error {
			_, err := fmt.Sscanf(v, "%d", &cc.retryAfter)
			if err != nil || cc.retryAfter < 1 || cc.retryAfter > 60 {
				return fmt.Errorf("want 1-60 seconds, got %q", v)
			}
			return nil
		}},
		{"slow-delay", "FAKEALIANZA_CERTIFY_SLOW_DELAY", "how long the slow probe holds its answer", "35s", duration(&cc.slowDelay)},
		{"late-file-delay", "FAKEALIANZA_CERTIFY_LATE_FILE_DELAY", "how long the late-file probe hides the datafeed files", "3s", duration(&cc.lateFileWait)},
	}
}

// certifyCmd starts a server and a certification session, runs the test
// command against it with the login in ALIANZA_* variables, writes the
// report files and exits with what the report says.
func certifyCmd(args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	var cc certifyConfig
	c, code := parseOrExit("certify", args, getenv, stdout, stderr, cc.options()...)
	if c == nil {
		return code
	}
	if cc.run == "" {
		fmt.Fprintln(stderr, "fakealianza certify: --run is required (the test command to rehearse)")
		return certifyUsage
	}
	session := certify.Config{
		UseCases: cc.useCases, Probes: cc.probes, RetryAfterSeconds: cc.retryAfter,
		SlowDelay: scenarios.Duration(cc.slowDelay), LateFileDelay: scenarios.Duration(cc.lateFileWait),
	}
	if err := session.Validate(c.seed); err != nil {
		fmt.Fprintln(stderr, "fakealianza certify:", err)
		return certifyUsage
	}
	// The serve defaults would clash with a server already running in CI.
	if c.httpAddr == "127.0.0.1:8080" || c.httpAddr == ":8080" {
		c.httpAddr = "127.0.0.1:0"
	}
	if c.sftpAddr == "127.0.0.1:10022" || c.sftpAddr == ":10022" {
		c.sftpAddr = "127.0.0.1:0"
	}
	log := newLogger(c, stderr)
	srv, err := fakealianza.New(serverOptions(c, log))
	if err != nil {
		fmt.Fprintln(stderr, err)
		return certifyBroken
	}
	user, err := certifyLogin(srv.Store(), cc.partition)
	if err != nil {
		fmt.Fprintln(stderr, "fakealianza certify:", err)
		return certifyUsage
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := srv.Start(ctx); err != nil {
		fmt.Fprintln(stderr, err)
		return certifyBroken
	}
	defer srv.Close()
	env, partition := certifyEnv(srv, user), user.PartitionID
	session.PartitionID = partition
	st, err := srv.Certifier().Start(session)
	if err != nil {
		fmt.Fprintln(stderr, "fakealianza certify:", err)
		return certifyUsage
	}
	fmt.Fprintf(stdout, "certification %s: %s, partition %s, probes %s\n", st.ID, srv.URL(), partition, strings.Join(st.Probes, ","))
	cmd := exec.CommandContext(ctx, "sh", "-c", cc.run)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdout, cmd.Stderr = stdout, stderr
	runErr := cmd.Run()
	if _, err := srv.Certifier().Stop(); err != nil {
		fmt.Fprintln(stderr, "fakealianza certify:", err)
		return certifyBroken
	}
	rep, err := srv.Certifier().Report()
	if err == nil {
		err = writeCertification(cc.out, srv, rep)
	}
	if err != nil {
		fmt.Fprintln(stderr, "fakealianza certify:", err)
		return certifyBroken
	}
	switch {
	case !rep.Ready:
		fmt.Fprintf(stdout, "certification NOT READY (report in %s):\n", cc.out)
		for _, p := range rep.Problems {
			fmt.Fprintln(stdout, "  -", p)
		}
		return certifyNotReady
	case runErr != nil:
		fmt.Fprintf(stdout, "certification: the report is clean but the command failed: %v (report in %s)\n", runErr, cc.out)
		return certifyCommandBad
	}
	fmt.Fprintf(stdout, "certification READY for review (report in %s)\n", cc.out)
	return certifyReady
}

// certifyLogin picks the login the command uses: the management user of
// the partition (or of any partition) with the most create/edit/delete
// rights.
func certifyLogin(st *store.Store, partition string) (*store.ManagementUser, error) {
	var best *store.ManagementUser
	score := -1
	users := st.Snapshot().ManagementUsers
	for i := range users {
		u := &users[i]
		if partition != "" && u.PartitionID != partition {
			continue
		}
		n := 0
		for _, v := range u.Permissions {
			if v == "CREATE" || v == "EDIT" || v == "DELETE" {
				n++
			}
		}
		if n > score {
			best, score = u, n
		}
	}
	if best == nil {
		return nil, fmt.Errorf("no management user in partition %q", partition)
	}
	return best, nil
}

// certifyEnv is the ALIANZA_* variables for the command: the server, the
// login and its partition's datafeed login.
func certifyEnv(srv *fakealianza.Server, best *store.ManagementUser) []string {
	env := []string{
		"ALIANZA_BASE_URL=" + srv.URL(), "ALIANZA_USERNAME=" + best.Username, "ALIANZA_PASSWORD=" + best.Password,
		"ALIANZA_PARTITION_ID=" + best.PartitionID,
	}
	if addr := srv.SFTPAddr(); addr != "" {
		_, pub := srv.SFTPHostKey()
		env = append(env, "ALIANZA_SFTP_ADDR="+addr, "ALIANZA_SFTP_HOST_KEY="+strings.TrimSpace(pub))
		for _, l := range srv.Store().DatafeedLogins() {
			if l.PartitionID == best.PartitionID {
				env = append(env, "ALIANZA_SFTP_USERNAME="+l.Username, "ALIANZA_SFTP_PASSWORD="+l.Password)
				break
			}
		}
	}
	return env
}

// writeCertification writes report.json, report.md and, per use case with
// exchanges, exchanges/<use case>.txt (HTTP/1.1 transcripts) and
// exchanges/<use case>.har, plus exchanges/all.har.
func writeCertification(dir string, srv *fakealianza.Server, rep *certify.Report) error {
	if err := os.MkdirAll(filepath.Join(dir, "exchanges"), 0o755); err != nil {
		return fmt.Errorf("report folder: %w", err)
	}
	j, err := json.MarshalIndent(rep, "", "  ")
	if err != nil {
		return err
	}
	var md strings.Builder
	if err := rep.Markdown(&md); err != nil {
		return err
	}
	files := map[string][]byte{"report.json": append(j, '\n'), "report.md": []byte(md.String())}
	c := srv.Certifier()
	ucs, err := c.UseCasesRecorded()
	if err != nil {
		return err
	}
	for _, uc := range append(ucs, "") {
		name := uc
		if uc == "" {
			name = "all"
		}
		if uc != "" {
			var tr strings.Builder
			if err := c.Transcript(&tr, uc, certify.Host(srv.URL())); err != nil {
				return err
			}
			files[filepath.Join("exchanges", name+".txt")] = []byte(tr.String())
		}
		h, err := c.HAR(uc, srv.URL(), version())
		if err != nil {
			return err
		}
		hb, err := json.MarshalIndent(h, "", "  ")
		if err != nil {
			return err
		}
		files[filepath.Join("exchanges", name+".har")] = hb
	}
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			return fmt.Errorf("report: %w", err)
		}
	}
	return nil
}
