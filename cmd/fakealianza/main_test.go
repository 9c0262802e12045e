package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
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
	if c.httpAddr != "127.0.0.1:8080" || c.sftpAddr != "127.0.0.1:10022" || c.logFormat != "text" || c.logLevel != "info" || c.seed != 1 {
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
	caOut := filepath.Join(t.TempDir(), "ca.pem")
	go func() {
		done <- run([]string{"serve", "--http-addr", "127.0.0.1:0", "--https-addr", "127.0.0.1:0", "--sftp-addr", "127.0.0.1:0", "--seed", "3", "--scenario", "slow-api"},
			env(map[string]string{"FAKEALIANZA_TLS_CA_OUT": caOut}), pw, io.Discard)
		pw.Close()
	}()
	sc := bufio.NewScanner(pr)
	var lines []string
	for sc.Scan() {
		lines = append(lines, sc.Text())
		if strings.HasPrefix(sc.Text(), "  scenarios ") || len(lines) > 20 {
			break
		}
	}
	m := regexp.MustCompile(`^listening http=(127\.0\.0\.1:\d+) https=(127\.0\.0\.1:\d+) sftp=(127\.0\.0\.1:\d+)$`).FindStringSubmatch(lines[0])
	if len(lines) < 2 || m == nil || !regexp.MustCompile(`^sftp host key SHA256:\S+$`).MatchString(lines[1]) {
		t.Fatalf("start lines %q", lines)
	}
	// The banner names what was bound, the logins and the admin URLs.
	banner := strings.Join(lines[2:], "\n") + "\n"
	for _, want := range []string{
		"fakealianza dev is ready",
		"REST API   http://" + m[1] + "/v2\n",
		"HTTPS      https://" + m[2] + "/v2 (HTTP/2; trust the CA at http://" + m[1] + "/__admin/ca.pem)\n",
		"SFTP       sftp://" + m[3] + "\n",
		"login      admin@example.com / fakealianza (partition fakePartitionAlpha0001)",
		"datafeed   datafeed / fakealianza (partition fakePartitionAlpha0001)",
		"admin API  http://" + m[1] + "/__admin/\n",
		"spec       http://" + m[1] + "/__admin/openapi.yaml\n",
		"scenarios  slow-api\n",
	} {
		if !strings.Contains(banner, want) {
			t.Errorf("banner lacks %q:\n%s", want, banner)
		}
	}
	for _, u := range []string{"http://" + m[1] + "/__admin/ready"} {
		if resp, err := http.Get(u); err != nil || resp.StatusCode != 200 {
			t.Errorf("%s: %v", u, err)
		} else {
			resp.Body.Close()
		}
	}
	if pem, err := os.ReadFile(caOut); err != nil || !strings.HasPrefix(string(pem), "-----BEGIN CERTIFICATE-----") {
		t.Errorf("--tls-ca-out: %q %v", pem, err)
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
	for _, args := range [][]string{{"--help"}, {"-h"}, {"help"}, {"serve", "--help"}, {"healthcheck", "-help"}} {
		var out, errw bytes.Buffer
		if code := run(args, env(nil), &out, &errw); code != 0 || errw.Len() != 0 {
			t.Fatalf("%v: exit %d, stderr %q", args, code, errw.String())
		}
		help := out.String()
		for _, cmd := range []string{"serve", "healthcheck", "version"} {
			if !strings.Contains(help, "fakealianza "+cmd) {
				t.Errorf("%v: --help lacks the command %s", args, cmd)
			}
		}
		for _, o := range options(&config{}) {
			def := o.def
			if def == "" {
				def = "none"
			}
			want := "--" + o.name + " " + flagType(o) + "\n        " + o.usage + "\n        default: " + def + "; env: " + o.env + "\n"
			if !strings.Contains(help, want) {
				t.Errorf("%v: --help lacks %q", args, want)
			}
		}
	}
	types := map[string]string{"http-addr": "string", "seed": "int", "cdr-lag": "duration", "cdr-plain-csv": "bool", "scenario": "list", "tn-cooldown-days": "int"}
	for _, o := range options(&config{}) {
		if want, ok := types[o.name]; ok && flagType(o) != want {
			t.Errorf("--%s: type %s, want %s", o.name, flagType(o), want)
		}
	}
}

func TestVersionAndExitCodes(t *testing.T) {
	tests := []struct {
		args    []string
		env     map[string]string
		code    int
		stdout  string // prefix
		stderrs string // substring of the one stderr line
	}{
		{[]string{"version"}, nil, 0, "fakealianza ", ""},
		{[]string{"--version"}, nil, 0, "fakealianza ", ""},
		{[]string{"bogus"}, nil, 2, "", `unknown command "bogus"`},
		{[]string{"--bogus"}, nil, 2, "", "flag provided but not defined: -bogus"},
		{[]string{"serve", "--seed", "x"}, nil, 2, "", `invalid value "x" for flag -seed`},
		{[]string{"healthcheck", "--nope"}, nil, 2, "", "-nope"},
		{[]string{"serve", "extra"}, nil, 2, "", "unexpected arguments"},
		{nil, map[string]string{"FAKEALIANZA_LOG_FORMAT": "xml"}, 2, "", "FAKEALIANZA_LOG_FORMAT"},
	}
	for _, tc := range tests {
		var out, errw bytes.Buffer
		code := run(tc.args, env(tc.env), &out, &errw)
		if code != tc.code || !strings.HasPrefix(out.String(), tc.stdout) || !strings.Contains(errw.String(), tc.stderrs) {
			t.Errorf("%v: exit %d, stdout %q, stderr %q", tc.args, code, out.String(), errw.String())
		}
		if tc.code == 2 && strings.Count(errw.String(), "\n") != 1 {
			t.Errorf("%v: want one line on stderr, got %q", tc.args, errw.String())
		}
		if tc.code == 0 && errw.Len() != 0 {
			t.Errorf("%v: stderr %q", tc.args, errw.String())
		}
	}
}

func TestDefaultsListenOnLoopback(t *testing.T) {
	c, err := parse("serve", nil, env(nil), nil)
	if err != nil {
		t.Fatal(err)
	}
	for name, addr := range map[string]string{"http": c.httpAddr, "https": c.httpsAddr, "sftp": c.sftpAddr} {
		if host, _, err := net.SplitHostPort(addr); err != nil || host != "127.0.0.1" {
			t.Errorf("%s default %q: want 127.0.0.1", name, addr)
		}
	}
}

func TestJSONLogsDurationsInMilliseconds(t *testing.T) {
	var buf bytes.Buffer
	log := newLogger(&config{logFormat: "json", logLevel: "info"}, &buf)
	log.Info("x", "wait", 1500*time.Microsecond)
	var m map[string]any
	if err := json.Unmarshal(buf.Bytes(), &m); err != nil {
		t.Fatal(err)
	}
	if m["wait_ms"] != 1.5 || m["wait"] != nil {
		t.Fatalf("%s", buf.Bytes())
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
	cmd := exec.Command(bin, append([]string{"serve", "--http-addr", "127.0.0.1:0", "--https-addr", "127.0.0.1:0", "--sftp-addr", "127.0.0.1:0"}, args...)...)
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
		m := regexp.MustCompile(`http=(127\.0\.0\.1:\d+) https=127\.0\.0\.1:\d+ sftp=127\.0\.0\.1:\d+$`).FindStringSubmatch(l)
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

// TestReleaseImageMatchesTheDockerfile keeps release.Dockerfile (GoReleaser's
// image, from built binaries) and the Dockerfile's run stage alike: same
// base, user, environment, ports, HEALTHCHECK and entry point.
func TestReleaseImageMatchesTheDockerfile(t *testing.T) {
	runStage := func(name string) []string {
		b, err := os.ReadFile(filepath.Join("..", "..", name))
		if err != nil {
			t.Fatal(err)
		}
		s := string(b)
		if i := strings.LastIndex(s, "\nFROM "); i >= 0 {
			s = s[i+1:]
		}
		var out []string
		for _, l := range strings.Split(s, "\n") {
			if l == "" || strings.HasPrefix(l, "#") || strings.HasPrefix(l, "COPY ") || strings.HasPrefix(l, "ARG ") {
				continue
			}
			out = append(out, l)
		}
		return out
	}
	a, b := runStage("Dockerfile"), runStage("release.Dockerfile")
	if strings.Join(a, "\n") != strings.Join(b, "\n") {
		t.Fatalf("run stages differ:\nDockerfile:\n%s\n\nrelease.Dockerfile:\n%s", strings.Join(a, "\n"), strings.Join(b, "\n"))
	}
	for _, want := range []string{"HEALTHCHECK ", "--start-interval=", "ENTRYPOINT "} {
		if !strings.Contains(strings.Join(a, "\n"), want) {
			t.Errorf("Dockerfile lacks %q", want)
		}
	}
}

// TestConfigurationDocListsEveryFlag keeps docs/configuration.md's table in
// step with the flags.
func TestConfigurationDocListsEveryFlag(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", "docs", "configuration.md"))
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	for _, o := range options(&config{}) {
		if !strings.Contains(doc, "`--"+o.name+"`") || !strings.Contains(doc, "`"+o.env+"`") {
			t.Errorf("docs/configuration.md lacks --%s or %s", o.name, o.env)
		}
	}
}

// TestSizeFlagsRefuseOutOfRange: a size beyond its bound stops the start
// with a message naming the flag and the range, before anything is built.
func TestSizeFlagsRefuseOutOfRange(t *testing.T) {
	cases := []struct {
		args []string
		env  map[string]string
		want string
	}{
		{[]string{"--journal-size", "99999999999"}, nil, "from 1 to 10000"},
		{[]string{"--journal-size", "10001"}, nil, "from 1 to 10000"},
		{nil, map[string]string{"FAKEALIANZA_JOURNAL_SIZE": "1000000"}, "FAKEALIANZA_JOURNAL_SIZE"},
		{[]string{"--tn-cooldown-days", "9999999"}, nil, "from 0 to 3650"},
		{[]string{"--cdr-retention", "1000000h"}, nil, "over the limit of 2160h"},
		{[]string{"--cdr-lag", "48h"}, nil, "over the limit of 24h"},
		{[]string{"--account-history-size", "0"}, nil, "from 1 to 10000"},
		{nil, map[string]string{"FAKEALIANZA_ACCOUNT_HISTORY_SIZE": "1e9"}, "FAKEALIANZA_ACCOUNT_HISTORY_SIZE"},
	}
	for _, c := range cases {
		var stderr bytes.Buffer
		code := run(append([]string{"serve", "--http-addr", "127.0.0.1:0", "--sftp-addr", "off"}, c.args...), env(c.env), io.Discard, &stderr)
		if code != 2 || !strings.Contains(stderr.String(), c.want) {
			t.Errorf("%v %v: exit %d, %q; want 2 and %q", c.args, c.env, code, stderr.String(), c.want)
		}
	}
	if c, err := parse("serve", []string{"--journal-size", "10000"}, env(nil), io.Discard); err != nil || c.journalSize != 10000 {
		t.Errorf("the largest journal refused: %v", err)
	}
	c, err := parse("serve", nil, env(map[string]string{"FAKEALIANZA_ACCOUNT_HISTORY_SIZE": "50"}), io.Discard)
	if err != nil || c.historySize != 50 {
		t.Errorf("account history size from env: %d %v", c.historySize, err)
	}
	if c, err := parse("serve", nil, env(nil), io.Discard); err != nil || c.historySize != 1000 {
		t.Errorf("account history size default: %d %v", c.historySize, err)
	}
}
