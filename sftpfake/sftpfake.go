// Package sftpfake is fakealianza's SFTP datafeed: an SSH server that offers
// only the sftp subsystem, over a read-only, in-memory view of the store's
// published CDR files. Each login belongs to one partition and sees that
// partition's folder as its root; nothing outside it is reachable.
package sftpfake

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/gliderlabs/ssh"
	"github.com/pkg/sftp"
	gossh "golang.org/x/crypto/ssh"

	"github.com/fakealianza/fakealianza/store"
)

// Feed is what the server reads: logins and each partition's files.
// *store.Store is one.
type Feed interface {
	AuthenticateDatafeed(username, password string) (partitionID string, ok bool)
	FeedFiles(partitionID string) ([]store.FeedFile, error)
	FeedFileData(partitionID, path string) (store.FeedFile, []byte, error)
	DeleteFeedFile(partitionID, path string) error
}

// Options configures the server.
type Options struct {
	// Addr is the listen address; port 0 picks a free port.
	Addr string
	// HostKeyFile is a private key (PEM or OpenSSH format). Empty: a key
	// derived from Seed, the same on every start with the same seed.
	HostKeyFile string
	// Seed derives the host key when no file is given.
	Seed uint64
	// AllowDelete lets logins remove files (for consumers that clean up).
	AllowDelete bool
	// Logger receives connection logs (never passwords); nil discards them.
	Logger *slog.Logger
	// ShutdownTimeout bounds Close's wait for open sessions (default 2s).
	ShutdownTimeout time.Duration
	// IdleTimeout closes connections idle this long (default 10m).
	IdleTimeout time.Duration
	// MaxAuthTries caps password attempts per connection (default 3); the
	// connection is closed after the last one fails.
	MaxAuthTries int
	// AuthFailureDelay holds back the answer to a failed password, longer
	// with each failure on the connection: n times this for the n-th
	// (default 250ms, capped at 2s).
	AuthFailureDelay time.Duration
	// WrapConn, when set, wraps every accepted connection (fault injection:
	// a connection that breaks after N bytes); nil from it drops the
	// connection.
	WrapConn func(net.Conn) net.Conn
}

// Server is the SFTP datafeed.
type Server struct {
	feed   Feed
	opts   Options
	log    *slog.Logger
	signer gossh.Signer
	srv    *ssh.Server

	mu       sync.Mutex
	ln       net.Listener
	serveErr chan error
	closed   bool
}

type ctxKey struct{}

// refusal is what a client hears when it asks for a shell or a command.
const refusal = "This server offers only the sftp subsystem: connect with sftp, scp or curl sftp://.\r\n"

// New builds the server and its host key; it does not listen yet.
func New(feed Feed, opts Options) (*Server, error) {
	if opts.Addr == "" {
		opts.Addr = "127.0.0.1:0"
	}
	if opts.ShutdownTimeout <= 0 {
		opts.ShutdownTimeout = 2 * time.Second
	}
	if opts.IdleTimeout <= 0 {
		opts.IdleTimeout = 10 * time.Minute
	}
	if opts.MaxAuthTries <= 0 {
		opts.MaxAuthTries = DefaultMaxAuthTries
	}
	if opts.AuthFailureDelay <= 0 {
		opts.AuthFailureDelay = DefaultAuthFailureDelay
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	signer, err := hostKey(opts.HostKeyFile, opts.Seed)
	if err != nil {
		return nil, err
	}
	s := &Server{feed: feed, opts: opts, log: log, signer: signer}
	s.srv = &ssh.Server{
		IdleTimeout: opts.IdleTimeout,
		// Shells and commands are refused politely (a nil Handler would
		// crash the process on `ssh host cmd`).
		Handler: func(sess ssh.Session) {
			_, _ = io.WriteString(sess.Stderr(), refusal)
			_ = sess.Exit(1)
		},
		// A terminal is granted so an interactive `ssh` hears the refusal.
		PtyCallback: func(ssh.Context, ssh.Pty) bool { return true },
		// Only passwords: with no auth handler at all, gliderlabs lets
		// everyone in.
		PasswordHandler: func(ctx ssh.Context, password string) bool {
			pid, ok := feed.AuthenticateDatafeed(ctx.User(), password)
			if !ok {
				log.Info("sftp login refused", "user", ctx.User(), "remote", ctx.RemoteAddr().String())
				s.slowFailure(ctx)
				return false
			}
			ctx.SetValue(ctxKey{}, pid)
			log.Debug("sftp login", "user", ctx.User(), "partition", pid, "remote", ctx.RemoteAddr().String())
			return true
		},
		SubsystemHandlers: map[string]ssh.SubsystemHandler{"sftp": s.serveSFTP},
	}
	s.srv.ServerConfigCallback = func(ssh.Context) *gossh.ServerConfig {
		return &gossh.ServerConfig{MaxAuthTries: opts.MaxAuthTries}
	}
	if opts.WrapConn != nil {
		s.srv.ConnCallback = func(_ ssh.Context, c net.Conn) net.Conn { return opts.WrapConn(c) }
	}
	s.srv.AddHostKey(signer)
	return s, nil
}

// Password attempt limits when Options leaves them unset.
const (
	DefaultMaxAuthTries     = 3
	DefaultAuthFailureDelay = 250 * time.Millisecond
	maxAuthFailureDelay     = 2 * time.Second
)

type failuresKey struct{}

// slowFailure holds a failed password's answer back, longer with each
// failure on the connection (the connection's attempts come one by one).
func (s *Server) slowFailure(ctx ssh.Context) {
	n, _ := ctx.Value(failuresKey{}).(int)
	n++
	ctx.SetValue(failuresKey{}, n)
	t := time.NewTimer(min(time.Duration(n)*s.opts.AuthFailureDelay, maxAuthFailureDelay))
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}

// hostKey reads the key file, or derives an ed25519 key from the seed.
func hostKey(file string, seed uint64) (gossh.Signer, error) {
	if file != "" {
		pem, err := os.ReadFile(file)
		if err != nil {
			return nil, fmt.Errorf("sftpfake: host key: %w", err)
		}
		signer, err := gossh.ParsePrivateKey(pem)
		if err != nil {
			return nil, fmt.Errorf("sftpfake: host key %s: %w", file, err)
		}
		return signer, nil
	}
	h := sha256.New()
	h.Write([]byte("fakealianza sftp host key\x00"))
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], seed)
	h.Write(b[:])
	key := ed25519.NewKeyFromSeed(h.Sum(nil))
	return gossh.NewSignerFromKey(key)
}

// Fingerprint is the host key's SHA256 fingerprint, as OpenSSH prints it.
func (s *Server) Fingerprint() string { return gossh.FingerprintSHA256(s.signer.PublicKey()) }

// PublicKey is the host key in authorized_keys / known_hosts form.
func (s *Server) PublicKey() string {
	return strings.TrimSpace(string(gossh.MarshalAuthorizedKey(s.signer.PublicKey())))
}

// Start listens and serves in the background until Close.
func (s *Server) Start(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return errors.New("sftpfake: server closed")
	}
	if s.ln != nil {
		return errors.New("sftpfake: already started")
	}
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", s.opts.Addr)
	if err != nil {
		return fmt.Errorf("sftpfake: listen %s: %w", s.opts.Addr, err)
	}
	s.serveErr = make(chan error, 1)
	// Start returns once Serve accepts: gliderlabs' Shutdown closes only the
	// listeners Serve has begun to track, so a Close before that would leave
	// a Serve that accepts forever.
	sl := &startedListener{Listener: ln, started: make(chan struct{})}
	go func() {
		err := s.srv.Serve(sl)
		if errors.Is(err, ssh.ErrServerClosed) {
			err = nil
		}
		s.serveErr <- err
	}()
	select {
	case <-sl.started:
	case err := <-s.serveErr:
		_ = ln.Close()
		return fmt.Errorf("sftpfake: serve: %w", err)
	}
	s.ln = ln
	return nil
}

// startedListener tells when Serve first accepts.
type startedListener struct {
	net.Listener
	once    sync.Once
	started chan struct{}
}

func (l *startedListener) Accept() (net.Conn, error) {
	l.once.Do(func() { close(l.started) })
	return l.Listener.Accept()
}

// Addr is the listen address (empty before Start).
func (s *Server) Addr() net.Addr {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ln == nil {
		return nil
	}
	return s.ln.Addr()
}

// Close stops listening, gives open sessions ShutdownTimeout to end (idle
// sessions would otherwise be waited for forever), then cuts them.
func (s *Server) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	if s.ln == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), s.opts.ShutdownTimeout)
	defer cancel()
	err := s.srv.Shutdown(ctx)
	if err != nil {
		err = s.srv.Close()
		if errors.Is(err, ssh.ErrServerClosed) {
			err = nil
		}
	}
	if serr := <-s.serveErr; serr != nil && err == nil {
		err = serr
	}
	return err
}

// serveSFTP runs one sftp session confined to the login's partition.
func (s *Server) serveSFTP(sess ssh.Session) {
	pid, _ := sess.Context().Value(ctxKey{}).(string)
	if pid == "" {
		_ = sess.Exit(1)
		return
	}
	v := &view{feed: s.feed, partition: pid, allowDelete: s.opts.AllowDelete}
	rs := sftp.NewRequestServer(sess, sftp.Handlers{FileGet: v, FilePut: v, FileCmd: v, FileList: v})
	err := rs.Serve()
	if err != nil && !errors.Is(err, io.EOF) { // io.EOF is a normal end
		s.log.Debug("sftp session ended", "partition", pid, "err", err)
	}
	// The exit status goes out before the channel closes, or OpenSSH's scp
	// reports failure after a good copy.
	_ = sess.Exit(0)
	_ = rs.Close()
}
