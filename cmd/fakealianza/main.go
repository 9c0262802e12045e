// Command fakealianza runs the Alianza emulator.
//
//	fakealianza [serve] [flags]   run the server (default)
//	fakealianza healthcheck       exit 0 when the server answers ready, else 1
//	fakealianza version           print the version
//	fakealianza certify --run CMD run CMD against a fresh server in a
//	                              certification rehearsal and write its report
//
// Every flag has a FAKEALIANZA_* environment variable; a flag given on the
// command line wins over the variable.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime/debug"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/fakealianza/fakealianza"
	"github.com/fakealianza/fakealianza/journal"
	"github.com/fakealianza/fakealianza/store"
)

func main() {
	os.Exit(run(os.Args[1:], os.Getenv, os.Stdout, os.Stderr))
}

// run is main without the process: testable, and exits by returning a code.
func run(args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	cmd := "serve"
	if len(args) > 0 {
		switch args[0] {
		case "--version", "-version":
			cmd, args = "version", args[1:]
		case "--help", "-help", "-h":
			cmd, args = "help", args[1:]
		default:
			if !strings.HasPrefix(args[0], "-") {
				cmd, args = args[0], args[1:]
			}
		}
	}
	switch cmd {
	case "serve":
		return serve(args, getenv, stdout, stderr)
	case "healthcheck":
		return healthcheck(args, getenv, stdout, stderr)
	case "certify":
		return certifyCmd(args, getenv, stdout, stderr)
	case "version":
		fmt.Fprintln(stdout, "fakealianza", version())
		return 0
	case "help":
		usage(stdout)
		return 0
	default:
		fmt.Fprintf(stderr, "fakealianza: unknown command %q (fakealianza --help lists the commands)\n", cmd)
		return 2
	}
}

// usage is --help: the commands, then every flag with its type, default
// and environment variable.
func usage(w io.Writer) {
	fmt.Fprintf(w, `fakealianza %s: an emulator of the Alianza Cloud Voice Platform (REST API and SFTP CDR datafeed)

usage:
  fakealianza serve [flags]          run the server (the default: "fakealianza [flags]" is the same)
  fakealianza healthcheck [flags]    exit 0 when the server at --http-addr answers ready, else 1
  fakealianza certify --run CMD      run CMD against a fresh server in a certification rehearsal
                                     ('fakealianza certify --help' lists its own flags)
  fakealianza version                print the version (also --version)
  fakealianza help                   print this help (also --help)

flags (serve and healthcheck); each is also read from its environment variable, and the flag wins:
`, version())
	printFlags(w, options(&config{}))
}

// printFlags lists flags with their type, default and environment variable.
func printFlags(w io.Writer, opts []option) {
	for _, o := range opts {
		def := o.def
		if def == "" {
			def = "none"
		}
		fmt.Fprintf(w, "  --%s %s\n        %s\n        default: %s; env: %s\n", o.name, flagType(o), o.usage, def, o.env)
	}
}

// listFlags take comma-separated lists.
var listFlags = map[string]bool{"scenario": true, "tls-hosts": true}

// flagType names a flag's value type for --help, read from its default.
func flagType(o option) string {
	switch {
	case booleanFlags[o.name]:
		return "bool"
	case listFlags[o.name]:
		return "list"
	}
	if _, err := strconv.ParseUint(o.def, 10, 64); err == nil {
		return "int"
	}
	if _, err := time.ParseDuration(o.def); err == nil && o.def != "0" {
		return "duration"
	}
	return "string"
}

func version() string {
	if fakealianza.Version != "dev" {
		return fakealianza.Version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}

// config is everything the flags set.
type config struct {
	httpAddr  string
	httpsAddr string
	sftpAddr  string
	// ---- https ----
	tlsCert, tlsKey, tlsCAOut string
	tlsHosts                  []string
	fixtures                  string
	seed                      uint64
	logFormat                 string
	logLevel                  string
	// ---- datafeed ----
	sftpHostKey     string
	sftpAllowDelete bool
	cdrLag          time.Duration
	cdrRetention    time.Duration
	cdrPlainCSV     bool
	cdrGenerate     bool
	tokenIdle       time.Duration
	tokenMax        time.Duration
	// ---- telephone numbers ----
	tnCooldownDays int
	historySize    int
	// ---- qa toolkit ----
	journalSize  int
	scenarios    []string
	scenariosDir string
	adminKey     string
	stateFile    string
	lifecycle    map[string]store.LifecycleMode
}

// option is one flag and its environment variable.
type option struct {
	name, env, usage string
	def              string
	set              func(string) error
}

// booleanFlags may be given alone on the command line, meaning true.
var booleanFlags = map[string]bool{"sftp-allow-delete": true, "cdr-plain-csv": true, "cdr-generate": true}

func options(c *config) []option {
	str := func(p *string) func(string) error { return func(v string) error { *p = v; return nil } }
	boolean := func(p *bool) func(string) error {
		return func(v string) error {
			b, err := strconv.ParseBool(v)
			if err != nil {
				return fmt.Errorf("want true or false, got %q", v)
			}
			*p = b
			return nil
		}
	}
	return []option{
		{"http-addr", "FAKEALIANZA_HTTP_ADDR", "REST API listen address (port 0 picks a free port; :8080 listens on every interface)", "127.0.0.1:8080", str(&c.httpAddr)},
		{"https-addr", "FAKEALIANZA_HTTPS_ADDR", "HTTPS listen address, HTTP/2 and HTTP/1.1 (port 0 picks a free port; off: no HTTPS)", "127.0.0.1:8443", str(&c.httpsAddr)},
		{"tls-cert", "FAKEALIANZA_TLS_CERT", "HTTPS certificate file (PEM); empty makes a local CA and certificate", "", str(&c.tlsCert)},
		{"tls-key", "FAKEALIANZA_TLS_KEY", "HTTPS private key file (PEM), with --tls-cert", "", str(&c.tlsKey)},
		{"tls-hosts", "FAKEALIANZA_TLS_HOSTS", "more names and IPs for the generated certificate, comma-separated", "", list(&c.tlsHosts)},
		{"tls-ca-out", "FAKEALIANZA_TLS_CA_OUT", "write the local CA certificate (PEM) to this file at start", "", str(&c.tlsCAOut)},
		{"sftp-addr", "FAKEALIANZA_SFTP_ADDR", "SFTP datafeed listen address (port 0 picks a free port; off: no SFTP)", "127.0.0.1:10022", str(&c.sftpAddr)},
		{"fixtures", "FAKEALIANZA_FIXTURES", "folder of *.json fixtures replacing the embedded seed", "", str(&c.fixtures)},
		{"seed", "FAKEALIANZA_SEED", "seed for everything generated", "1", func(v string) error {
			n, err := strconv.ParseUint(v, 10, 64)
			if err != nil {
				return fmt.Errorf("not a non-negative integer: %q", v)
			}
			c.seed = n
			return nil
		}},
		{"token-idle-timeout", "FAKEALIANZA_TOKEN_IDLE_TIMEOUT", "a token expires this long after its last use", "8h", duration(&c.tokenIdle)},
		{"token-max-life", "FAKEALIANZA_TOKEN_MAX_LIFE", "a token expires this long after login, however busy", "24h", duration(&c.tokenMax)},
		{"log-format", "FAKEALIANZA_LOG_FORMAT", "log format: text or json", "text", func(v string) error {
			if v != "text" && v != "json" {
				return fmt.Errorf("want text or json, got %q", v)
			}
			c.logFormat = v
			return nil
		}},
		{"log-level", "FAKEALIANZA_LOG_LEVEL", "log level: debug, info, warn or error", "info", func(v string) error {
			var l slog.Level
			if err := l.UnmarshalText([]byte(v)); err != nil {
				return fmt.Errorf("want debug, info, warn or error, got %q", v)
			}
			c.logLevel = v
			return nil
		}},
		// ---- datafeed ----
		{"sftp-host-key", "FAKEALIANZA_SFTP_HOST_KEY", "SFTP host key file (PEM or OpenSSH private key); empty derives a stable key from the seed", "", str(&c.sftpHostKey)},
		{"sftp-allow-delete", "FAKEALIANZA_SFTP_ALLOW_DELETE", "let datafeed logins delete files", "false", boolean(&c.sftpAllowDelete)},
		{"cdr-lag", "FAKEALIANZA_CDR_LAG", "wait after an hour closes before its CDR file appears (at most 24h)", "5m", durationUpTo(&c.cdrLag, maxCDRLag)},
		{"cdr-retention", "FAKEALIANZA_CDR_RETENTION", "how long a CDR file stays after its hour began (at most 2160h, 90 days)", "72h", durationUpTo(&c.cdrRetention, maxCDRRetention)},
		{"cdr-plain-csv", "FAKEALIANZA_CDR_PLAIN_CSV", "write CDR files as .csv instead of .csv.gz", "false", boolean(&c.cdrPlainCSV)},
		{"cdr-generate", "FAKEALIANZA_CDR_GENERATE", "fill every hour with generated calls (false: staged and admin-generated calls only)", "true", boolean(&c.cdrGenerate)},
		// ---- qa toolkit ----
		{"journal-size", "FAKEALIANZA_JOURNAL_SIZE", fmt.Sprintf("how many requests the journal keeps (1 to %d)", journal.MaxSize), "1000",
			whole(&c.journalSize, 1, journal.MaxSize)},
		{"scenario", "FAKEALIANZA_SCENARIO", "scenarios to start, comma-separated (GET /__admin/scenarios lists them)", "", list(&c.scenarios)},
		{"scenarios-dir", "FAKEALIANZA_SCENARIOS_DIR", "folder of your own scenario files (*.yaml, *.json)", "", str(&c.scenariosDir)},
		{"admin-key", "FAKEALIANZA_ADMIN_KEY", "key required in X-Fakealianza-Admin-Key on /__admin calls (empty: none)", "", str(&c.adminKey)},
		{"state-file", "FAKEALIANZA_STATE_FILE", "state loaded at start when present, saved on clean shutdown", "", str(&c.stateFile)},
		{"lifecycle", "FAKEALIANZA_LIFECYCLE", "lifecycle modes per kind, e.g. port=manual,activation=reads:2", "", func(v string) error {
			m, err := parseLifecycle(v)
			if err != nil {
				return err
			}
			c.lifecycle = m
			return nil
		}},
		{"account-history-size", "FAKEALIANZA_ACCOUNT_HISTORY_SIZE", fmt.Sprintf("records each account's history keeps, oldest dropped first (1 to %d)", store.MaxHistoryLimit),
			strconv.Itoa(store.DefaultHistoryLimit), whole(&c.historySize, 1, store.MaxHistoryLimit)},
		// ---- telephone numbers ----
		{"tn-cooldown-days", "FAKEALIANZA_TN_COOLDOWN_DAYS", fmt.Sprintf("days a number stays in COOLDOWN after leaving an account (0: each partition's tnDeleteCooldownDays; at most %d)", maxCooldownDays), "0",
			whole(&c.tnCooldownDays, 0, maxCooldownDays)},
	}
}

// list reads a comma-separated list, blanks dropped.
func list(p *[]string) func(string) error {
	return func(v string) error {
		*p = nil
		for _, n := range strings.Split(v, ",") {
			if n = strings.TrimSpace(n); n != "" {
				*p = append(*p, n)
			}
		}
		return nil
	}
}

func duration(p *time.Duration) func(string) error { return durationUpTo(p, 0) }

// Bounds of the flags that size what the server holds or walks: a value
// beyond them is refused at start instead of exhausting memory later.
const (
	maxCooldownDays = 3650
	maxCDRLag       = 24 * time.Hour
	maxCDRRetention = 90 * 24 * time.Hour
)

// durationUpTo reads a positive duration, at most limit (0: no limit).
func durationUpTo(p *time.Duration, limit time.Duration) func(string) error {
	return func(v string) error {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			return fmt.Errorf("want a positive duration such as 8h or 90m, got %q", v)
		}
		if limit > 0 && d > limit {
			return fmt.Errorf("%s is over the limit of %s", v, limit)
		}
		*p = d
		return nil
	}
}

// whole reads a whole number in [lo, hi].
func whole(p *int, lo, hi int) func(string) error {
	return func(v string) error {
		n, err := strconv.Atoi(v)
		if err != nil || n < lo || n > hi {
			return fmt.Errorf("want a whole number from %d to %d, got %q", lo, hi, v)
		}
		*p = n
		return nil
	}
}

// parseLifecycle reads kind=mode pairs: "port=manual,activation=reads:2,job=duration:30s".
func parseLifecycle(v string) (map[string]store.LifecycleMode, error) {
	out := map[string]store.LifecycleMode{}
	for _, part := range strings.Split(v, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		kind, mode, ok := strings.Cut(part, "=")
		if !ok {
			return nil, fmt.Errorf("want kind=mode, got %q", part)
		}
		m, err := store.ParseLifecycleMode(mode)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", kind, err)
		}
		out[strings.TrimSpace(kind)] = m
	}
	return out, nil
}

// parse applies defaults, then environment variables, then flags; extra
// options (a subcommand's own) come after the server's. The writer is
// unused (kept so callers need not change): parse reports through its error.
func parse(name string, args []string, getenv func(string) string, _ io.Writer, extra ...option) (*config, error) {
	c := &config{}
	opts := append(options(c), extra...)
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard) // errors are reported in one line by the caller, --help by usage
	for _, o := range opts {
		if err := o.set(o.def); err != nil {
			return nil, fmt.Errorf("default of --%s: %w", o.name, err)
		}
		if v := getenv(o.env); v != "" {
			if err := o.set(v); err != nil {
				return nil, fmt.Errorf("%s: %w", o.env, err)
			}
		}
		o := o
		if booleanFlags[o.name] {
			fs.BoolFunc(o.name, fmt.Sprintf("%s (env %s, default %q)", o.usage, o.env, o.def), o.set)
			continue
		}
		fs.Func(o.name, fmt.Sprintf("%s (env %s, default %q)", o.usage, o.env, o.def), o.set)
	}
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected arguments: %v", fs.Args())
	}
	return c, nil
}

// parseOrExit parses a command's flags; on --help it prints the usage to
// stdout (exit 0), on a bad flag or value one line to stderr (exit 2).
func parseOrExit(name string, args []string, getenv func(string) string, stdout, stderr io.Writer, extra ...option) (*config, int) {
	c, err := parse(name, args, getenv, nil, extra...)
	if errors.Is(err, flag.ErrHelp) {
		usage(stdout)
		if len(extra) > 0 {
			fmt.Fprintf(stdout, "\nflags of %s only:\n", name)
			printFlags(stdout, extra)
		}
		return nil, 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "fakealianza %s: %v (fakealianza %s --help lists the flags)\n", name, err, name)
		return nil, 2
	}
	return c, 0
}

func newLogger(c *config, w io.Writer) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(c.logLevel))
	ho := &slog.HandlerOptions{Level: level}
	if c.logFormat == "json" {
		// Durations go out as milliseconds under a key that says so.
		ho.ReplaceAttr = func(_ []string, a slog.Attr) slog.Attr {
			if a.Value.Kind() == slog.KindDuration {
				return slog.Float64(a.Key+"_ms", float64(a.Value.Duration().Microseconds())/1000)
			}
			return a
		}
		return slog.New(slog.NewJSONHandler(w, ho))
	}
	return slog.New(slog.NewTextHandler(w, ho))
}

// serverOptions are the server's options as the flags set them.
func serverOptions(c *config, log *slog.Logger) fakealianza.Options {
	return fakealianza.Options{
		HTTPAddr: c.httpAddr, HTTPSAddr: c.httpsAddr, TLSCertFile: c.tlsCert, TLSKeyFile: c.tlsKey, TLSHosts: c.tlsHosts,
		SFTPAddr: c.sftpAddr, FixturesDir: c.fixtures, Seed: c.seed, Logger: log,
		SFTPHostKeyFile: c.sftpHostKey, SFTPAllowDelete: c.sftpAllowDelete,
		CDRLag: c.cdrLag, CDRRetention: c.cdrRetention, CDRPlainCSV: c.cdrPlainCSV, CDRNoGenerate: !c.cdrGenerate,
		TokenIdleTimeout: c.tokenIdle, TokenMaxLife: c.tokenMax, TNCooldownDays: c.tnCooldownDays,
		AccountHistorySize: c.historySize,
		JournalSize:        c.journalSize, Scenarios: c.scenarios, ScenariosDir: c.scenariosDir,
		AdminKey: c.adminKey, StateFile: c.stateFile, Lifecycle: c.lifecycle,
	}
}

func serve(args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	c, code := parseOrExit("serve", args, getenv, stdout, stderr)
	if c == nil {
		return code
	}
	log := newLogger(c, stderr)
	// A start allocates a few tens of MB that are garbage at once (the spec's
	// parse); collecting during it only slows it. Normal collection resumes
	// once the server is up.
	gc := debug.SetGCPercent(-1)
	srv, err := fakealianza.New(serverOptions(c, log))
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	if c.tlsCAOut != "" {
		pem := srv.CACertPEM()
		if pem == nil {
			fmt.Fprintln(stderr, "fakealianza: --tls-ca-out: no local CA (HTTPS is off or runs on --tls-cert)")
			return 1
		}
		if err := os.WriteFile(c.tlsCAOut, pem, 0o644); err != nil {
			fmt.Fprintln(stderr, "fakealianza: --tls-ca-out:", err)
			return 1
		}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err = srv.Start(ctx)
	debug.SetGCPercent(gc)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	line := "listening http=" + srv.Addr()
	if a := srv.HTTPSAddr(); a != "" {
		line += " https=" + a
	}
	if a := srv.SFTPAddr(); a != "" {
		line += " sftp=" + a
	}
	fmt.Fprintln(stdout, line)
	if fp, _ := srv.SFTPHostKey(); fp != "" {
		fmt.Fprintf(stdout, "sftp host key %s\n", fp)
	}
	banner(stdout, srv, c.scenarios)
	<-ctx.Done()
	stop()
	log.Info("shutting down")
	if err := srv.Close(); err != nil {
		log.Error("shutdown", "err", err)
		return 1
	}
	return 0
}

// banner tells a person what is running and where, from what the server
// bound (the first lines above are for scripts: "listening ..." and the
// host key).
func banner(w io.Writer, srv *fakealianza.Server, scenarios []string) {
	row := func(k, v string) { fmt.Fprintf(w, "  %-10s %s\n", k, v) }
	fmt.Fprintf(w, "fakealianza %s is ready\n", version())
	row("REST API", srv.URL()+"/v2")
	if u := srv.HTTPSURL(); u != "" {
		if srv.CACertPEM() != nil {
			row("HTTPS", u+"/v2 (HTTP/2; trust the CA at "+srv.URL()+"/__admin/ca.pem)")
		} else {
			row("HTTPS", u+"/v2 (HTTP/2)")
		}
	}
	st := srv.Store()
	if users := st.Snapshot().ManagementUsers; len(users) > 0 {
		u := users[0]
		row("login", fmt.Sprintf("%s / %s (partition %s): POST /v2/authorize", u.Username, u.Password, u.PartitionID))
	}
	if a := srv.SFTPAddr(); a != "" {
		row("SFTP", "sftp://"+a)
		if logins := st.DatafeedLogins(); len(logins) > 0 {
			l := logins[0]
			row("datafeed", fmt.Sprintf("%s / %s (partition %s)", l.Username, l.Password, l.PartitionID))
		}
	}
	row("admin API", srv.URL()+"/__admin/")
	row("spec", srv.URL()+"/__admin/openapi.yaml")
	if len(scenarios) == 0 {
		row("scenarios", "none")
	} else {
		row("scenarios", strings.Join(scenarios, ", "))
	}
}

// healthcheck asks a running server whether it is ready. It reads the same
// --http-addr / FAKEALIANZA_HTTP_ADDR as serve, so in a container it needs
// no arguments.
func healthcheck(args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	c, code := parseOrExit("healthcheck", args, getenv, stdout, stderr)
	if c == nil {
		return code
	}
	host, port, err := net.SplitHostPort(c.httpAddr)
	if err != nil {
		fmt.Fprintln(stderr, "fakealianza: bad --http-addr:", err)
		return 1
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "127.0.0.1"
	}
	client := &http.Client{Timeout: 3 * time.Second}
	resp, err := client.Get("http://" + net.JoinHostPort(host, port) + "/__admin/ready")
	if err != nil {
		fmt.Fprintln(stderr, "fakealianza: not ready:", err)
		return 1
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		fmt.Fprintln(stderr, "fakealianza: not ready: status", resp.StatusCode)
		return 1
	}
	return 0
}
