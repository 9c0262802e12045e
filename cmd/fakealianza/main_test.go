package main

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/fakealianza/fakealianza"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestEveryFlagHasItsEnvVar(t *testing.T) {
	c := &config{}
	for _, o := range options(c) {
		want := "FAKEALIANZA_" + strings.ToUpper(strings.ReplaceAll(o.name, "-", "_"))
		if o.env != want {
			t.Errorf("--%s: env %s, want %s", o.name, o.env, want)
		}
	}
}

func TestFlagWinsOverEnv(t *testing.T) {
	var stderr bytes.Buffer
	e := env(map[string]string{
		"FAKEALIANZA_HTTP_ADDR": "127.0.0.1:9999", "FAKEALIANZA_SEED": "7",
		"FAKEALIANZA_LOG_FORMAT": "json", "FAKEALIANZA_FIXTURES": "/envdir",
	})
	c, err := parse("serve", []string{"--http-addr", "127.0.0.1:1234"}, e, &stderr)
	if err != nil {
		t.Fatal(err)
	}
	if c.httpAddr != "127.0.0.1:1234" || c.seed != 7 || c.logFormat != "json" || c.fixtures != "/envdir" {
		t.Fatalf("%+v", c)
	}
	c, err = parse("serve", nil, env(nil), &stderr)
	if err != nil {
		t.Fatal(err)
	}
	if c.httpAddr != ":8080" || c.sftpAddr != ":10022" || c.logFormat != "text" || c.logLevel != "info" || c.seed != 1 {
		t.Fatalf("defaults: %+v", c)
	}
	for _, bad := range []map[string]string{{"FAKEALIANZA_SEED": "x"}, {"FAKEALIANZA_LOG_FORMAT": "xml"}, {"FAKEALIANZA_LOG_LEVEL": "loud"}} {
		if _, err := parse("serve", nil, env(bad), &stderr); err == nil {
			t.Errorf("%v accepted", bad)
		}
	}
	if _, err := parse("serve", []string{"--seed", "-1"}, env(nil), &stderr); err == nil {
		t.Error("negative seed accepted")
	}
}

func TestDatafeedFlags(t *testing.T) {
	var stderr bytes.Buffer
	c, err := parse("serve", nil, env(nil), &stderr)
	if err != nil {
		t.Fatal(err)
	}
	if c.sftpAllowDelete || c.cdrPlainCSV || !c.cdrGenerate || c.cdrLag != 5*time.Minute || c.cdrRetention != 72*time.Hour || c.sftpHostKey != "" {
		t.Fatalf("defaults: %+v", c)
	}
	c, err = parse("serve", []string{"--sftp-allow-delete", "--cdr-plain-csv", "--cdr-generate=false", "--cdr-lag", "1m",
		"--sftp-host-key", "/keys/host"}, env(map[string]string{"FAKEALIANZA_CDR_RETENTION": "24h", "FAKEALIANZA_CDR_LAG": "9m"}), &stderr)
	if err != nil {
		t.Fatal(err)
	}
	if !c.sftpAllowDelete || !c.cdrPlainCSV || c.cdrGenerate || c.cdrLag != time.Minute || c.cdrRetention != 24*time.Hour || c.sftpHostKey != "/keys/host" {
		t.Fatalf("set: %+v", c)
	}
	for _, bad := range []map[string]string{{"FAKEALIANZA_CDR_LAG": "soon"}, {"FAKEALIANZA_CDR_RETENTION": "-1h"}, {"FAKEALIANZA_SFTP_ALLOW_DELETE": "maybe"}} {
		if _, err := parse("serve", nil, env(bad), &stderr); err == nil {
			t.Errorf("%v accepted", bad)
		}
	}
}

func TestTNCooldownDaysFlag(t *testing.T) {
	var stderr bytes.Buffer
	c, err := parse("serve", nil, env(nil), &stderr)
	if err != nil || c.tnCooldownDays != 0 {
		t.Fatalf("default: %d %v", c.tnCooldownDays, err)
	}
	if c, err = parse("serve", nil, env(map[string]string{"FAKEALIANZA_TN_COOLDOWN_DAYS": "7"}), &stderr); err != nil || c.tnCooldownDays != 7 {
		t.Fatalf("env: %d %v", c.tnCooldownDays, err)
	}
	if c, err = parse("serve", []string{"--tn-cooldown-days", "2"}, env(map[string]string{"FAKEALIANZA_TN_COOLDOWN_DAYS": "7"}), &stderr); err != nil || c.tnCooldownDays != 2 {
		t.Fatalf("flag: %d %v", c.tnCooldownDays, err)
	}
	for _, bad := range []string{"-1", "soon"} {
		if _, err := parse("serve", nil, env(map[string]string{"FAKEALIANZA_TN_COOLDOWN_DAYS": bad}), &stderr); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestServePrintsSFTPAddressAndHostKey(t *testing.T) {
	pr, pw := io.Pipe()
	done := make(chan int, 1)
	go func() {
		done <- run([]string{"serve", "--http-addr", "127.0.0.1:0", "--sftp-addr", "127.0.0.1:0", "--seed", "3"}, env(nil), pw, io.Discard)
		pw.Close()
	}()
	sc := bufio.NewScanner(pr)
	var lines []string
	for len(lines) < 2 && sc.Scan() {
		lines = append(lines, sc.Text())
	}
	if len(lines) < 2 || !regexp.MustCompile(`^listening http=127\.0\.0\.1:\d+ sftp=127\.0\.0\.1:\d+$`).MatchString(lines[0]) ||
		!regexp.MustCompile(`^sftp host key SHA256:\S+$`).MatchString(lines[1]) {
		t.Fatalf("start lines %q", lines)
	}
	syscall.Kill(os.Getpid(), syscall.SIGINT)
	go io.Copy(io.Discard, pr)
	select {
	case code := <-done:
		if code != 0 {
			t.Fatalf("exit %d", code)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not stop on SIGINT")
	}
}

func TestHelpListsFlagsAndEnvVars(t *testing.T) {
	var out, errw bytes.Buffer
	if code := run([]string{"serve", "--help"}, env(nil), &out, &errw); code != 0 {
		t.Fatalf("exit %d", code)
	}
	for _, o := range options(&config{}) {
		if !strings.Contains(errw.String(), "-"+o.name) || !strings.Contains(errw.String(), o.env) {
			t.Errorf("--help lacks %s / %s", o.name, o.env)
		}
	}
	if code := run([]string{"bogus"}, env(nil), &out, &errw); code != 2 {
		t.Errorf("unknown command: exit %d", code)
	}
	out.Reset()
	if code := run([]string{"version"}, env(nil), &out, &errw); code != 0 || !strings.HasPrefix(out.String(), "fakealianza ") {
		t.Errorf("version: %d %q", code, out.String())
	}
}

func TestHealthcheck(t *testing.T) {
	srv, err := fakealianza.New(fakealianza.Options{HTTPAddr: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	var errw bytes.Buffer
	if code := run([]string{"healthcheck", "--http-addr", srv.Addr()}, env(nil), io.Discard, &errw); code != 0 {
		t.Fatalf("ready server: exit %d (%s)", code, errw.String())
	}
	if code := run([]string{"healthcheck"}, env(map[string]string{"FAKEALIANZA_HTTP_ADDR": srv.Addr()}), io.Discard, &errw); code != 0 {
		t.Fatalf("address from env: exit %d", code)
	}
	addr := srv.Addr()
	srv.Close()
	if code := run([]string{"healthcheck", "--http-addr", addr}, env(nil), io.Discard, &errw); code != 1 {
		t.Fatalf("stopped server: exit %d", code)
	}
}

// dockerBuildArgs reads the go build command from the Dockerfile so the test
// builds the binary exactly as the image does.
func dockerBuildArgs(t testing.TB) (envs, args []string) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^RUN ((?:[A-Z_]+=\S+ )*)go build (.*) -o \S+ (\./cmd/fakealianza)$`).FindSubmatch(b)
	if m == nil {
		t.Fatal("Dockerfile has no 'RUN ... go build ... -o ... ./cmd/fakealianza' line")
	}
	envs = strings.Fields(string(m[1]))
	flags := string(m[2])
	flags = strings.ReplaceAll(flags, "${VERSION}", "test")
	ld := regexp.MustCompile(`-ldflags="([^"]*)"`)
	if lm := ld.FindStringSubmatch(flags); lm != nil {
		args = append(args, "-ldflags="+lm[1])
		flags = ld.ReplaceAllString(flags, "")
	}
	args = append(args, strings.Fields(flags)...)
	return envs, args
}

var (
	binOnce sync.Once
	binPath string
	binErr  error
)

// buildBinary builds cmd/fakealianza the way the Dockerfile does, once.
func buildBinary(t testing.TB) string {
	t.Helper()
	envs, args := dockerBuildArgs(t)
	binOnce.Do(func() {
		dir, err := os.MkdirTemp("", "fakealianza-bin")
		if err != nil {
			binErr = err
			return
		}
		binPath = filepath.Join(dir, "fakealianza")
		cmd := exec.Command("go", append(append([]string{"build"}, args...), "-o", binPath, ".")...)
		cmd.Env = append(os.Environ(), envs...)
		out, err := cmd.CombinedOutput()
		if err != nil {
			binErr = err
			t.Logf("%s", out)
		}
	})
	if binErr != nil {
		t.Fatalf("build: %v", binErr)
	}
	return binPath
}

// startBinary runs the binary on a free port and returns the process and the
// address it printed.
func startBinary(t testing.TB, bin string, args ...string) (*exec.Cmd, string) {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"serve", "--http-addr", "127.0.0.1:0", "--sftp-addr", "127.0.0.1:0"}, args...)...)
	cmd.Stderr = io.Discard
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if strings.HasPrefix(sc.Text(), "listening ") {
				line <- sc.Text()
			}
		}
	}()
	select {
	case l := <-line:
		m := regexp.MustCompile(`http=(127\.0\.0\.1:\d+) sftp=127\.0\.0\.1:\d+$`).FindStringSubmatch(l)
		if m == nil {
			t.Fatalf("listening line %q", l)
		}
		return cmd, m[1]
	case <-time.After(10 * time.Second):
		cmd.Process.Kill()
		t.Fatal("no listening line within 10s")
	}
	return nil, ""
}

func TestBinaryAsTheImageBuildsIt(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := buildBinary(t)
	out, err := exec.Command(bin, "version").Output()
	if err != nil || strings.TrimSpace(string(out)) != "fakealianza test" {
		t.Fatalf("version: %q %v", out, err)
	}
	cmd, addr := startBinary(t, bin)
	defer cmd.Process.Kill()

	if err := exec.Command(bin, "healthcheck", "--http-addr", addr).Run(); err != nil {
		t.Fatalf("healthcheck: %v", err)
	}
	resp, err := http.Get("http://" + addr + "/v2/no/such/path")
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 404 || !strings.Contains(string(body), `"messages":["ResourceNotFound"]`) {
		t.Fatalf("unknown path: %d %s", resp.StatusCode, body)
	}

	// Graceful shutdown on SIGTERM, bounded.
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("exit after SIGTERM: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("did not stop within 10s of SIGTERM")
	}
	if err := exec.Command(bin, "healthcheck", "--http-addr", addr).Run(); err == nil {
		t.Fatal("healthcheck passes against a stopped server")
	}
}

// BenchmarkProcessStartup measures a cold start of the real binary: exec
// until /__admin/ready answers 200.
func BenchmarkProcessStartup(b *testing.B) {
	bin := buildBinary(b)
	for b.Loop() {
		cmd, addr := startBinary(b, bin)
		for i := 0; ; i++ {
			resp, err := http.Get("http://" + addr + "/__admin/ready")
			if err == nil {
				resp.Body.Close()
				if resp.StatusCode == 200 {
					break
				}
			}
			if i > 1000 {
				b.Fatal("never ready")
			}
		}
		cmd.Process.Signal(syscall.SIGTERM)
		cmd.Wait()
	}
}

func TestQAFlags(t *testing.T) {
	var stderr bytes.Buffer
	e := env(map[string]string{
		"FAKEALIANZA_LIFECYCLE": "port=manual, activation=reads:2", "FAKEALIANZA_JOURNAL_SIZE": "50",
		"FAKEALIANZA_ADMIN_KEY": "k", "FAKEALIANZA_STATE_FILE": "/tmp/s.json", "FAKEALIANZA_SCENARIOS_DIR": "/sc",
	})
	c, err := parse("serve", []string{"--scenario", "flaky-500s, slow-api", "--journal-size", "7"}, e, &stderr)
	if err != nil {
		t.Fatal(err)
	}
	if c.journalSize != 7 || c.adminKey != "k" || c.stateFile != "/tmp/s.json" || c.scenariosDir != "/sc" ||
		len(c.scenarios) != 2 || c.scenarios[1] != "slow-api" {
		t.Errorf("config: %+v", c)
	}
	if c.lifecycle["port"].Mode != "manual" || c.lifecycle["activation"].Reads != 2 {
		t.Errorf("lifecycle: %v", c.lifecycle)
	}
	for _, bad := range [][]string{{"--lifecycle", "port"}, {"--lifecycle", "port=sometimes"}, {"--journal-size", "0"}} {
		if _, err := parse("serve", bad, env(nil), &stderr); err == nil {
			t.Errorf("%v accepted", bad)
		}
	}
}
