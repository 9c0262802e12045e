// Package fakealianza is a local, stateful emulator of the Alianza Cloud Voice
// Platform: its REST API (/v2) and its SFTP CDR datafeed. The
// binary in cmd/fakealianza is a thin shell over this package, so Go users can
// start the same server inside their own tests:
//
//	srv, err := fakealianza.New(fakealianza.Options{HTTPAddr: "127.0.0.1:0"})
//	...
//	err = srv.Start(ctx)
//	defer srv.Close()
//	resp, err := http.Get(srv.URL() + "/__admin/ready")
package fakealianza

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/fakealianza/fakealianza/authfake"
	"github.com/fakealianza/fakealianza/fixtures"
	"github.com/fakealianza/fakealianza/journal"
	"github.com/fakealianza/fakealianza/openapi"
	"github.com/fakealianza/fakealianza/routes"
	"github.com/fakealianza/fakealianza/scenarios"
	"github.com/fakealianza/fakealianza/sftpfake"
	"github.com/fakealianza/fakealianza/store"
)

// Version is set at build time with -ldflags "-X github.com/fakealianza/fakealianza.Version=...".
var Version = "dev"

// Options configures a server. The zero value listens on 127.0.0.1 at a free
// port with the embedded fixtures.
type Options struct {
	// HTTPAddr is the REST API's listen address; ":0" or "127.0.0.1:0" picks a free port.
	HTTPAddr string
	// SFTPAddr is the SFTP datafeed's listen address; ":0" picks a free port,
	// "off" runs no SFTP server. Empty: 127.0.0.1 at a free port.
	SFTPAddr string
	// SFTPHostKeyFile is the SFTP host key (PEM or OpenSSH private key);
	// empty derives a stable key from Seed.
	SFTPHostKeyFile string
	// SFTPAllowDelete lets datafeed logins remove files.
	SFTPAllowDelete bool
	// CDRLag is the wait after an hour closes before its CDR file appears
	// (default 5m).
	CDRLag time.Duration
	// CDRRetention is how long a CDR file stays after its hour began
	// (default 72h).
	CDRRetention time.Duration
	// CDRPlainCSV writes .csv files instead of .csv.gz.
	CDRPlainCSV bool
	// CDRNoGenerate leaves only staged and explicitly generated calls in the
	// CDR files (no calls of their own).
	CDRNoGenerate bool
	// FixturesDir replaces the embedded seed with the *.json files of a folder.
	FixturesDir string
	// Seed drives everything generated (kept for deterministic generation).
	Seed uint64
	// Logger receives structured logs; nil discards them.
	Logger *slog.Logger
	// ShutdownTimeout bounds Close's wait for in-flight requests (default 5s).
	ShutdownTimeout time.Duration
	// Spec replaces the embedded OpenAPI document (tests of the start-up checks).
	Spec []byte
	// TokenIdleTimeout is how long a token lives after its last use (default 8h).
	TokenIdleTimeout time.Duration
	// TokenMaxLife caps a token's life from login, however busy (default 24h).
	TokenMaxLife time.Duration
	// TNCooldownDays overrides every partition's tnDeleteCooldownDays: how
	// many days of server time a number spends in COOLDOWN after leaving an
	// account (0: each partition's own setting).
	TNCooldownDays int

	// ---- qa toolkit ----
	// JournalSize is how many exchanges the request journal keeps (default 1000).
	JournalSize int
	// Scenarios are started at start-up, in order (built-in names or files of ScenariosDir).
	Scenarios []string
	// ScenariosDir is a folder of the user's scenario files (*.json, *.yaml).
	ScenariosDir string
	// AdminKey, when set, must come in X-Fakealianza-Admin-Key on /__admin calls
	// (health, ready and the spec excepted).
	AdminKey string
	// StateFile is loaded at start when it exists and written on Close
	// (atomically: a temporary file renamed over it).
	StateFile string
	// Lifecycle sets modes per kind at start (kinds not named stay immediate).
	Lifecycle map[string]store.LifecycleMode
	// HangTimeout bounds a "hang" connection fault (default 2 minutes).
	HangTimeout time.Duration
}

// Server is one running emulator.
type Server struct {
	opts    Options
	log     *slog.Logger
	spec    *openapi.Spec
	store   *store.Store
	auth    *authfake.Auth
	handler http.Handler
	sftp    *sftpfake.Server // nil when SFTPAddr is "off"
	journal *journal.Journal
	faults  *scenarios.Engine
	runner  *scenarios.Runner
	closing chan struct{}

	hookMu    sync.Mutex
	onReset   []func(partitionID string)
	sftpLogin func(partitionID string) (*routes.AdminSFTPLogin, error)

	mu       sync.Mutex
	httpLn   net.Listener
	httpSrv  *http.Server
	serveErr chan error
	ready    atomic.Bool
	closed   bool
}

// New loads the spec and the fixtures and builds the server; it does not
// listen yet. It fails with a clear message when the spec is invalid, when
// the spec and the handlers disagree, or when fixtures do not load.
func New(opts Options) (*Server, error) {
	if opts.HTTPAddr == "" {
		opts.HTTPAddr = "127.0.0.1:0"
	}
	if opts.ShutdownTimeout <= 0 {
		opts.ShutdownTimeout = 5 * time.Second
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	// The spec is the slowest part of a start: parse it (and build its
	// router) while everything that does not need it is built on this
	// goroutine.
	type parsed struct {
		spec *openapi.Spec
		err  error
	}
	specDone := make(chan parsed, 1)
	go func() {
		load := openapi.Load
		if opts.Spec != nil {
			load = func() (*openapi.Spec, error) { return openapi.Parse(opts.Spec) }
		}
		spec, err := load()
		if err == nil {
			spec.Matcher()
		}
		specDone <- parsed{spec, err}
	}()
	s, err := build(opts, log)
	p := <-specDone
	if err == nil && p.err != nil {
		s.runner.StopAll()
	}
	if p.err != nil {
		return nil, fmt.Errorf("fakealianza: %w", p.err)
	}
	if err != nil {
		return nil, err
	}
	spec := p.spec
	s.spec = spec
	st, auth := s.store, s.auth
	router, err := routes.New(routes.Deps{Spec: spec, Store: st, Auth: auth, Logger: log, Ready: s.ready.Load, SFTP: s.sftpInfo,
		QA: routes.QA{
			Journal: s.journal, Faults: s.faults, Scenarios: s.runner, StartScenarios: opts.Scenarios, AdminKey: opts.AdminKey,
			BaseURL: s.URL, Version: Version, Reset: s.runResetHooks, SFTPLogin: s.runSFTPLogin,
		}})
	if err != nil {
		s.runner.StopAll()
		return nil, fmt.Errorf("fakealianza: %w", err)
	}
	s.handler = routes.Front{
		Journal: s.journal, Faults: s.faults, Clock: st.Clock(), Spec: spec, Logger: log,
		Closing: s.closing, HangTimeout: opts.HangTimeout,
	}.Wrap(router)
	return s, nil
}

// build makes the server's parts that do not depend on the spec: the store
// and its fixtures, tokens, faults and scenarios, the journal and the SFTP
// datafeed.
func build(opts Options, log *slog.Logger) (*Server, error) {
	seed, err := loadFixtures(opts.FixturesDir)
	var st *store.Store
	if err == nil {
		st, err = store.New(seed, store.NewClock())
		if err != nil {
			err = fmt.Errorf("fixtures: %w", err)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("fakealianza: %w", err)
	}
	st.ConfigureFeed(store.FeedConfig{
		Seed: opts.Seed, Lag: opts.CDRLag, Retention: opts.CDRRetention,
		PlainCSV: opts.CDRPlainCSV, NoGenerate: opts.CDRNoGenerate,
	})
	st.SetNumberCooldownDays(opts.TNCooldownDays)
	auth := authfake.New(st, authfake.Config{IdleTimeout: opts.TokenIdleTimeout, MaxLife: opts.TokenMaxLife})
	s := &Server{opts: opts, log: log, store: st, auth: auth, closing: make(chan struct{})}
	// Tokens live outside the store: a full reset or state load drops them
	// all. A partition reset leaves them; a token whose user is gone no
	// longer passes its check.
	s.OnReset(func(partitionID string) {
		if partitionID == "" {
			auth.Forget()
		}
	})
	if err := s.loadStateFile(); err != nil {
		return nil, fmt.Errorf("fakealianza: %w", err)
	}
	for kind, m := range opts.Lifecycle {
		if err := st.SetLifecycleMode(kind, m); err != nil {
			return nil, fmt.Errorf("fakealianza: lifecycle %s: %w", kind, err)
		}
	}
	s.faults = scenarios.NewEngine(opts.Seed)
	if opts.SFTPAddr != "off" {
		feed := &faultyFeed{Store: st, faults: s.faults, closing: s.closing}
		s.sftp, err = sftpfake.New(feed, sftpfake.Options{
			Addr: opts.SFTPAddr, HostKeyFile: opts.SFTPHostKeyFile, Seed: opts.Seed,
			AllowDelete: opts.SFTPAllowDelete, Logger: log, ShutdownTimeout: opts.ShutdownTimeout,
			WrapConn: feed.wrapConn,
		})
		if err != nil {
			return nil, fmt.Errorf("fakealianza: %w", err)
		}
	}
	s.journal = journal.New(opts.JournalSize)
	if s.runner, err = scenarios.NewRunner(s.faults, st, opts.ScenariosDir); err != nil {
		return nil, fmt.Errorf("fakealianza: %w", err)
	}
	for _, name := range opts.Scenarios {
		if _, err := s.runner.Start(name); err != nil {
			s.runner.StopAll()
			return nil, fmt.Errorf("fakealianza: %w", err)
		}
	}
	return s, nil
}

func loadFixtures(dir string) (store.State, error) {
	if dir == "" {
		return fixtures.Default()
	}
	return fixtures.LoadDir(dir)
}

// Start opens the listeners and serves until Close. ctx bounds only the
// start itself.
func (s *Server) Start(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return errors.New("fakealianza: server closed")
	}
	if s.httpLn != nil {
		return errors.New("fakealianza: already started")
	}
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", s.opts.HTTPAddr)
	if err != nil {
		return fmt.Errorf("fakealianza: listen http %s: %w", s.opts.HTTPAddr, err)
	}
	s.httpLn = ln
	s.httpSrv = &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
	if s.sftp != nil {
		if err := s.sftp.Start(ctx); err != nil {
			_ = ln.Close()
			s.httpLn = nil
			return fmt.Errorf("fakealianza: %w", err)
		}
	}
	s.serveErr = make(chan error, 1)
	go func() {
		err := s.httpSrv.Serve(ln)
		if errors.Is(err, http.ErrServerClosed) {
			err = nil
		}
		s.serveErr <- err
	}()
	s.ready.Store(true)
	if s.sftp != nil {
		s.log.Info("listening", "http", s.Addr(), "sftp", s.SFTPAddr(), "sftpHostKey", s.sftp.Fingerprint())
	} else {
		s.log.Info("listening", "http", s.Addr())
	}
	if s.opts.AdminKey == "" && !isLoopback(ln.Addr()) {
		s.log.Warn("the /__admin API is open to the network: set --admin-key (FAKEALIANZA_ADMIN_KEY) to protect it")
	}
	return nil
}

// SFTPAddr is the SFTP datafeed's address as host:port, like Addr. Empty
// before Start or when the datafeed is off.
func (s *Server) SFTPAddr() string {
	if s.sftp == nil || s.sftp.Addr() == nil {
		return ""
	}
	return displayAddr(s.sftp.Addr())
}

// SFTPHostKey is the SFTP host key's SHA256 fingerprint and its public key in
// known_hosts form (empty when the datafeed is off).
func (s *Server) SFTPHostKey() (fingerprint, publicKey string) {
	if s.sftp == nil {
		return "", ""
	}
	return s.sftp.Fingerprint(), s.sftp.PublicKey()
}

func (s *Server) sftpInfo() routes.SFTPInfo {
	fp, pk := s.SFTPHostKey()
	return routes.SFTPInfo{Addr: s.SFTPAddr(), Fingerprint: fp, PublicKey: pk, AllowDelete: s.opts.SFTPAllowDelete}
}

// Addr is the REST API's address as host:port, with an unspecified host shown
// as 127.0.0.1 (reachable from this machine). Empty before Start.
func (s *Server) Addr() string {
	if s.httpLn == nil {
		return ""
	}
	return displayAddr(s.httpLn.Addr())
}

// URL is the REST API's base URL, e.g. http://127.0.0.1:8080.
func (s *Server) URL() string {
	if a := s.Addr(); a != "" {
		return "http://" + a
	}
	return ""
}

// Handler is the whole API as an http.Handler, for in-process use without a
// listener (httptest.NewServer(srv.Handler()) works too).
func (s *Server) Handler() http.Handler { return s.handler }

// Store is the emulator's state.
func (s *Server) Store() *store.Store { return s.store }

// Clock is the server time every expiry follows.
func (s *Server) Clock() *store.Clock { return s.store.Clock() }

// Auth is the login layer (tokens, permissions).
func (s *Server) Auth() *authfake.Auth { return s.auth }

// Spec is the loaded OpenAPI document.
func (s *Server) Spec() *openapi.Spec { return s.spec }

// Close stops the listeners: in-flight requests get ShutdownTimeout to
// finish, then connections are cut. Close is safe to call more than once.
func (s *Server) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	s.ready.Store(false)
	close(s.closing)
	if s.httpSrv == nil || s.httpLn == nil {
		return s.saveStateFile()
	}
	var sftpErr error
	if s.sftp != nil {
		sftpErr = s.sftp.Close()
	}
	ctx, cancel := context.WithTimeout(context.Background(), s.opts.ShutdownTimeout)
	defer cancel()
	err := s.httpSrv.Shutdown(ctx)
	if err != nil {
		s.log.Warn("shutdown timed out; closing connections", "err", err)
		err = s.httpSrv.Close()
	}
	if serr := <-s.serveErr; serr != nil && err == nil {
		err = serr
	}
	if err == nil {
		err = sftpErr
	}
	if serr := s.saveStateFile(); serr != nil && err == nil {
		err = serr
	}
	return err
}

func displayAddr(a net.Addr) string {
	tcp, ok := a.(*net.TCPAddr)
	if !ok {
		return a.String()
	}
	host := tcp.IP.String()
	if tcp.IP == nil || tcp.IP.IsUnspecified() {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, fmt.Sprint(tcp.Port))
}
