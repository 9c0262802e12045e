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
	"crypto/tls"
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
	"github.com/fakealianza/fakealianza/certify"
	"github.com/fakealianza/fakealianza/fixtures"
	"github.com/fakealianza/fakealianza/journal"
	"github.com/fakealianza/fakealianza/openapi"
	"github.com/fakealianza/fakealianza/routes"
	"github.com/fakealianza/fakealianza/scenarios"
	"github.com/fakealianza/fakealianza/sftpfake"
	"github.com/fakealianza/fakealianza/store"
	"github.com/fakealianza/fakealianza/ui"
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
	// HTTPSAddr is the HTTPS listener's address (HTTP/2 and HTTP/1.1, the
	// same API as HTTPAddr); ":0" picks a free port. Empty or "off": no
	// HTTPS listener.
	HTTPSAddr string
	// TLSCertFile and TLSKeyFile are the HTTPS certificate (PEM, the chain
	// after the leaf) and its key. Empty: a local CA and a leaf certificate
	// are made at start, the CA's key derived from Seed (the same CA on
	// every start with the same seed; CACertPEM and GET /__admin/ca.pem
	// give it).
	TLSCertFile, TLSKeyFile string
	// TLSHosts are names and IP addresses the generated certificate covers
	// besides DefaultTLSHosts.
	TLSHosts []string
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

	// AccountHistorySize is how many records each account's history keeps,
	// the oldest dropped first (default 1000, at most 10000).
	AccountHistorySize int

	// ---- qa toolkit ----
	// JournalSize is how many exchanges the request journal keeps (default 1000).
	JournalSize int
	// Scenarios are started at start-up, in order (built-in names or files of ScenariosDir).
	Scenarios []string
	// ScenariosDir is a folder of the user's scenario files (*.json, *.yaml).
	ScenariosDir string
	// AdminKey, when set, must come in X-Fakealianza-Admin-Key on /__admin calls
	// (health, ready, the spec and job-input uploads excepted).
	AdminKey string
	// StateFile is loaded at start when it exists and written on Close
	// (atomically: a temporary file renamed over it).
	StateFile string
	// Lifecycle sets modes per kind at start (kinds not named stay immediate).
	Lifecycle map[string]store.LifecycleMode
	// HangTimeout bounds a "hang" connection fault (default 2 minutes).
	HangTimeout time.Duration
	// ReadTimeout bounds reading a whole request, headers and body
	// (default 60s): a body trickling in slower is cut off.
	ReadTimeout time.Duration
	// WriteTimeout bounds writing a response (default 60s); a delay fault
	// extends it by its delay, and a hang fault is bounded by HangTimeout.
	WriteTimeout time.Duration
	// IdleTimeout closes a keep-alive connection left idle this long
	// (default 2 minutes).
	IdleTimeout time.Duration
}

// MaxHeaderBytes bounds a request's line and headers (64 KiB), so no
// request URL or header the journal keeps is larger.
const MaxHeaderBytes = 64 << 10

// HTTP timeouts when Options leaves them unset.
const (
	DefaultReadTimeout  = 60 * time.Second
	DefaultWriteTimeout = 60 * time.Second
	DefaultIdleTimeout  = 2 * time.Minute
)

// Server is one running emulator.
type Server struct {
	opts    Options
	log     *slog.Logger
	spec    *openapi.Spec
	store   *store.Store
	auth    *authfake.Auth
	handler http.Handler
	sftp    *sftpfake.Server // nil when SFTPAddr is "off"
	tls     *tlsIdentity     // nil when HTTPSAddr is off
	journal *journal.Journal
	faults  *scenarios.Engine
	runner  *scenarios.Runner
	certify *certify.Certifier
	closing chan struct{}

	hookMu    sync.Mutex
	onReset   []func(partitionID string)
	sftpLogin func(partitionID string) (*routes.AdminSFTPLogin, error)

	mu       sync.Mutex
	httpLn   net.Listener
	httpSrv  *http.Server
	httpsLn  net.Listener
	httpsSrv *http.Server
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
	if opts.HTTPSAddr == "off" {
		opts.HTTPSAddr = ""
	}
	if opts.ShutdownTimeout <= 0 {
		opts.ShutdownTimeout = 5 * time.Second
	}
	if opts.JournalSize < 0 || opts.JournalSize > journal.MaxSize {
		return nil, fmt.Errorf("fakealianza: journal size %d out of range 1 to %d", opts.JournalSize, journal.MaxSize)
	}
	if opts.ReadTimeout <= 0 {
		opts.ReadTimeout = DefaultReadTimeout
	}
	if opts.WriteTimeout <= 0 {
		opts.WriteTimeout = DefaultWriteTimeout
	}
	if opts.IdleTimeout <= 0 {
		opts.IdleTimeout = DefaultIdleTimeout
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	// The spec is the slowest part of a start: parse it (and build its
	// router) while everything that does not need it is built on this
	// goroutine. The embedded one is parsed once per process.
	type parsed struct {
		spec *openapi.Spec
		err  error
	}
	specDone := make(chan parsed, 1)
	go func() {
		if opts.Spec == nil {
			spec, err := embeddedSpec()
			specDone <- parsed{spec, err}
			return
		}
		spec, err := parseSpec(opts.Spec)
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
			BaseURL: s.URL, Version: Version, CAPEM: s.CACertPEM, Reset: s.runResetHooks, SFTPLogin: s.runSFTPLogin,
			Closing: s.closing, Certify: s.certify,
		}})
	if err != nil {
		s.runner.StopAll()
		return nil, fmt.Errorf("fakealianza: %w", err)
	}
	front := routes.Front{
		Journal: s.journal, Faults: s.faults, Clock: st.Clock(), Spec: spec, Logger: log,
		Closing: s.closing, HangTimeout: opts.HangTimeout, Certify: s.certify,
		AdminKey: opts.AdminKey, ReadTimeout: opts.ReadTimeout, WriteTimeout: opts.WriteTimeout,
	}.Wrap(router)
	// The QA dashboard reads the admin API through the router, as any
	// client would.
	if s.handler, err = ui.Mount(router, front, log); err != nil {
		s.runner.StopAll()
		return nil, fmt.Errorf("fakealianza: %w", err)
	}
	return s, nil
}

// parseSpec loads a spec document and builds its request matcher.
func parseSpec(raw []byte) (*openapi.Spec, error) {
	spec, err := openapi.Parse(raw)
	if err == nil {
		spec.Matcher()
	}
	return spec, err
}

// embeddedSpec is the embedded spec, parsed at the first start of the
// process and shared by every later server (a test suite starts hundreds):
// a loaded Spec is only read, by many requests at once already.
var embeddedSpec = sync.OnceValues(func() (*openapi.Spec, error) {
	spec, err := openapi.Load()
	if err == nil {
		spec.Matcher()
	}
	return spec, err
})

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
	if opts.AccountHistorySize < 0 {
		return nil, fmt.Errorf("fakealianza: account history size %d is negative", opts.AccountHistorySize)
	}
	if err := st.SetHistoryLimit(opts.AccountHistorySize); err != nil {
		return nil, fmt.Errorf("fakealianza: %w", err)
	}
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
	if opts.HTTPSAddr != "" {
		if s.tls, err = loadTLS(opts.TLSCertFile, opts.TLSKeyFile, opts.Seed, opts.TLSHosts, time.Now()); err != nil {
			return nil, fmt.Errorf("fakealianza: %w", err)
		}
	}
	s.faults = scenarios.NewEngine(opts.Seed)
	s.certify = certify.New(opts.Seed)
	s.faults.SetProber(s.certify)
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
	var httpsLn net.Listener
	if s.tls != nil {
		if httpsLn, err = lc.Listen(ctx, "tcp", s.opts.HTTPSAddr); err != nil {
			_ = ln.Close()
			return fmt.Errorf("fakealianza: listen https %s: %w", s.opts.HTTPSAddr, err)
		}
	}
	if s.sftp != nil {
		if err := s.sftp.Start(ctx); err != nil {
			_ = ln.Close()
			if httpsLn != nil {
				_ = httpsLn.Close()
			}
			return fmt.Errorf("fakealianza: %w", err)
		}
	}
	s.httpLn, s.httpsLn = ln, httpsLn
	s.httpSrv = s.newHTTPServer(nil)
	s.serveErr = make(chan error, 2)
	go s.serve(s.httpSrv, ln)
	if httpsLn != nil {
		s.httpsSrv = s.newHTTPServer(&tls.Config{Certificates: []tls.Certificate{s.tls.cert}, MinVersion: tls.VersionTLS12})
		go s.serve(s.httpsSrv, tls.NewListener(httpsLn, s.httpsSrv.TLSConfig))
	}
	s.ready.Store(true)
	attrs := []any{"http", s.Addr()}
	if httpsLn != nil {
		attrs = append(attrs, "https", s.HTTPSAddr())
	}
	if s.sftp != nil {
		attrs = append(attrs, "sftp", s.SFTPAddr(), "sftpHostKey", s.sftp.Fingerprint())
	}
	s.log.Info("listening", attrs...)
	if s.opts.AdminKey == "" && !isLoopback(ln.Addr()) {
		s.log.Warn("the /__admin API is open to the network: set --admin-key (FAKEALIANZA_ADMIN_KEY) to protect it")
	}
	return nil
}

// newHTTPServer is one listener's server over the whole API; with a TLS
// config it speaks HTTP/2 and HTTP/1.1.
func (s *Server) newHTTPServer(tc *tls.Config) *http.Server {
	hs := &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: min(10*time.Second, s.opts.ReadTimeout),
		MaxHeaderBytes:    MaxHeaderBytes,
		ReadTimeout:       s.opts.ReadTimeout,
		WriteTimeout:      s.opts.WriteTimeout,
		IdleTimeout:       s.opts.IdleTimeout,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
		TLSConfig:         tc,
	}
	if tc != nil {
		hs.Protocols = new(http.Protocols)
		hs.Protocols.SetHTTP1(true)
		hs.Protocols.SetHTTP2(true)
		tc.NextProtos = []string{"h2", "http/1.1"}
	}
	return hs
}

func (s *Server) serve(hs *http.Server, ln net.Listener) {
	err := hs.Serve(ln)
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	s.serveErr <- err
}

// HTTPSAddr is the HTTPS listener's address as host:port, like Addr. Empty
// before Start or when HTTPS is off.
func (s *Server) HTTPSAddr() string {
	if s.httpsLn == nil {
		return ""
	}
	return displayAddr(s.httpsLn.Addr())
}

// HTTPSURL is the HTTPS base URL, e.g. https://127.0.0.1:8443 (empty when
// HTTPS is off).
func (s *Server) HTTPSURL() string {
	if a := s.HTTPSAddr(); a != "" {
		return "https://" + a
	}
	return ""
}

// CACertPEM is the local CA that signed the HTTPS certificate, PEM-encoded,
// for a client's trust store. Nil when HTTPS is off or the certificate came
// from TLSCertFile.
func (s *Server) CACertPEM() []byte {
	if s.tls == nil {
		return nil
	}
	return s.tls.caPEM
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

// Spec is the loaded OpenAPI document; every server of the process that
// runs the embedded one shares it, so treat it as read-only.
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
	var err error
	for _, hs := range []*http.Server{s.httpSrv, s.httpsSrv} {
		if hs == nil {
			continue
		}
		if serr := hs.Shutdown(ctx); serr != nil {
			s.log.Warn("shutdown timed out; closing connections", "err", serr)
			if cerr := hs.Close(); cerr != nil && err == nil {
				err = cerr
			}
		}
		if serr := <-s.serveErr; serr != nil && err == nil {
			err = serr
		}
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
