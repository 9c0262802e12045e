// Command fakealianza runs the Alianza emulator.
//
//	fakealianza [serve] [flags]   run the server (default)
//	fakealianza healthcheck       exit 0 when the server answers ready, else 1
//	fakealianza version           print the version
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
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "serve":
		return serve(args, getenv, stdout, stderr)
	case "healthcheck":
		return healthcheck(args, getenv, stderr)
	case "version":
		fmt.Fprintln(stdout, "fakealianza", version())
		return 0
	case "help":
		usage(stdout)
		return 0
	default:
		fmt.Fprintf(stderr, "fakealianza: unknown command %q\n", cmd)
		usage(stderr)
		return 2
	}
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: fakealianza [serve|healthcheck|version] [flags]")
	fmt.Fprintln(w, "run 'fakealianza serve --help' for the flags and their environment variables")
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
	sftpAddr  string
	fixtures  string
	seed      uint64
	logFormat string
	logLevel  string
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
		{"http-addr", "FAKEALIANZA_HTTP_ADDR", "REST API listen address (port 0 picks a free port)", ":8080", str(&c.httpAddr)},
		{"sftp-addr", "FAKEALIANZA_SFTP_ADDR", "SFTP datafeed listen address (port 0 picks a free port; off: no SFTP)", ":10022", str(&c.sftpAddr)},
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
		{"scenario", "FAKEALIANZA_SCENARIO", "scenarios to start, comma-separated (GET /__admin/scenarios lists them)", "", func(v string) error {
			c.scenarios = nil
			for _, n := range strings.Split(v, ",") {
				if n = strings.TrimSpace(n); n != "" {
					c.scenarios = append(c.scenarios, n)
				}
			}
			return nil
		}},
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

// parse applies defaults, then environment variables, then flags.
func parse(name string, args []string, getenv func(string) string, stderr io.Writer) (*config, error) {
	c := &config{}
	opts := options(c)
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
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
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: fakealianza %s [flags]\n\nflags (each also set by its environment variable; the flag wins):\n", name)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected arguments: %v", fs.Args())
	}
	return c, nil
}

func newLogger(c *config, w io.Writer) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(c.logLevel))
	ho := &slog.HandlerOptions{Level: level}
	if c.logFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, ho))
	}
	return slog.New(slog.NewTextHandler(w, ho))
}

func serve(args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	c, err := parse("serve", args, getenv, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintln(stderr, "fakealianza:", err)
		return 2
	}
	log := newLogger(c, stderr)
	// A start allocates a few tens of MB that are garbage at once (the spec's
	// parse); collecting during it only slows it. Normal collection resumes
	// once the server is up.
	gc := debug.SetGCPercent(-1)
	srv, err := fakealianza.New(fakealianza.Options{
		HTTPAddr: c.httpAddr, SFTPAddr: c.sftpAddr, FixturesDir: c.fixtures, Seed: c.seed, Logger: log,
		SFTPHostKeyFile: c.sftpHostKey, SFTPAllowDelete: c.sftpAllowDelete,
		CDRLag: c.cdrLag, CDRRetention: c.cdrRetention, CDRPlainCSV: c.cdrPlainCSV, CDRNoGenerate: !c.cdrGenerate,
		TokenIdleTimeout: c.tokenIdle, TokenMaxLife: c.tokenMax, TNCooldownDays: c.tnCooldownDays,
		AccountHistorySize: c.historySize,
		JournalSize:        c.journalSize, Scenarios: c.scenarios, ScenariosDir: c.scenariosDir,
		AdminKey: c.adminKey, StateFile: c.stateFile, Lifecycle: c.lifecycle,
	})
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err = srv.Start(ctx)
	debug.SetGCPercent(gc)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	if a := srv.SFTPAddr(); a != "" {
		fp, _ := srv.SFTPHostKey()
		fmt.Fprintf(stdout, "listening http=%s sftp=%s\n", srv.Addr(), a)
		fmt.Fprintf(stdout, "sftp host key %s\n", fp)
	} else {
		fmt.Fprintf(stdout, "listening http=%s\n", srv.Addr())
	}
	<-ctx.Done()
	stop()
	log.Info("shutting down")
	if err := srv.Close(); err != nil {
		log.Error("shutdown", "err", err)
		return 1
	}
	return 0
}

// healthcheck asks a running server whether it is ready. It reads the same
// --http-addr / FAKEALIANZA_HTTP_ADDR as serve, so in a container it needs
// no arguments.
func healthcheck(args []string, getenv func(string) string, stderr io.Writer) int {
	c, err := parse("healthcheck", args, getenv, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintln(stderr, "fakealianza:", err)
		return 2
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
