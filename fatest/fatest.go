// Package fatest starts fakealianza in-process for tests, on a real loopback
// listener, with a client that checks every response against the project's
// OpenAPI document: a response the spec does not describe fails the test.
//
// Every helper that can fail takes the testing.TB it reports to, so a call
// inside t.Run fails that subtest, not the test that started the server:
//
//	srv := fatest.New(t)
//	t.Run("login", func(t *testing.T) {
//		tok := srv.Admin(t)
//		r := srv.Call(t, http.MethodGet, "/v2/partition/"+fatest.AlphaPartition, nil, fatest.Auth(tok))
//		...
//	})
package fatest

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pkg/sftp"
	"golang.org/x/crypto/ssh"

	"github.com/fakealianza/fakealianza"
	"github.com/fakealianza/fakealianza/openapi"
)

// Server is a started emulator; it closes when the test that made it ends.
type Server struct {
	*fakealianza.Server
	// Client validates every response against the spec; a mismatch is
	// reported to the test given to New (Call reports to its own t).
	Client *http.Client
	// RawClient does not validate (for fault injection and wire-level tests).
	RawClient *http.Client
}

var (
	validatorOnce sync.Once
	validator     *openapi.ResponseValidator
	validatorErr  error
)

func sharedValidator() (*openapi.ResponseValidator, error) {
	validatorOnce.Do(func() {
		validator, validatorErr = openapi.NewResponseValidator(openapi.Embedded(), openapi.EmbeddedGeneric())
	})
	return validator, validatorErr
}

// New starts a server and closes it when t ends. It sets HTTPAddr to
// 127.0.0.1:0 (a free loopback port) and ShutdownTimeout to 2s; the SFTP
// datafeed listens on 127.0.0.1 at a free port (Options' default), HTTPS is
// off. edit may change any option before the start. New fails t when the
// server does not build or start.
func New(t testing.TB, edit ...func(*fakealianza.Options)) *Server {
	t.Helper()
	opts := fakealianza.Options{HTTPAddr: "127.0.0.1:0", ShutdownTimeout: 2 * time.Second}
	for _, e := range edit {
		e(&opts)
	}
	srv, err := fakealianza.New(opts)
	if err != nil {
		t.Fatalf("fatest: new server: %v", err)
	}
	if err := srv.Start(context.Background()); err != nil {
		t.Fatalf("fatest: start: %v", err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	v, err := sharedValidator()
	if err != nil {
		t.Fatalf("fatest: response validator: %v", err)
	}
	// The clients have a pool of their own: when the test ends, its idle
	// connections close before the server does. Among them may be one the
	// transport dialled for a request that another connection then served;
	// the server sees it as new, not idle, and its shutdown would wait the
	// whole ShutdownTimeout for a request that never comes.
	pool := http.DefaultTransport.(*http.Transport).Clone()
	t.Cleanup(pool.CloseIdleConnections) // cleanups run last first: before srv.Close
	raw := &http.Client{Timeout: 30 * time.Second, Transport: pool}
	checked := &http.Client{Timeout: 30 * time.Second, Transport: &validating{t: t, v: v, next: pool}}
	return &Server{Server: srv, Client: checked, RawClient: raw}
}

// validating is a RoundTripper that validates each response and reports a
// mismatch as an error of the request's test (see withT), else of t.
type validating struct {
	t    testing.TB
	v    *openapi.ResponseValidator
	next http.RoundTripper
}

type testKey struct{}

// withT makes the validating client report this request's mismatch to t.
func withT(req *http.Request, t testing.TB) *http.Request {
	return req.WithContext(context.WithValue(req.Context(), testKey{}, t))
}

func (rt *validating) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := rt.next.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	if verr := rt.v.Validate(req, resp.StatusCode, resp.Header, body); verr != nil {
		t := rt.t
		if rt, ok := req.Context().Value(testKey{}).(testing.TB); ok {
			t = rt
		}
		t.Errorf("response does not match the spec: %v\nbody: %s", verr, truncate(body))
	}
	return resp, nil
}

func truncate(b []byte) string {
	if len(b) > 2000 {
		return string(b[:2000]) + "..."
	}
	return string(b)
}

// Resp is a finished exchange.
type Resp struct {
	Status int
	Header http.Header
	Body   []byte
}

// Decode unmarshals the body into v; it fails t (Fatal) when the body is not
// JSON of v's shape.
func (r *Resp) Decode(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("decode %d body %q: %v", r.Status, truncate(r.Body), err)
	}
}

// Map decodes a JSON object body; it fails t when the body is not one.
func (r *Resp) Map(t testing.TB) map[string]any {
	t.Helper()
	var m map[string]any
	r.Decode(t, &m)
	return m
}

// Envelope decodes Alianza's error envelope {status, messages, data}; it
// fails t when the body is not JSON.
func (r *Resp) Envelope(t testing.TB) (status int, messages []string, data any) {
	t.Helper()
	var env struct {
		Status   int      `json:"status"`
		Messages []string `json:"messages"`
		Data     any      `json:"data"`
	}
	r.Decode(t, &env)
	return env.Status, env.Messages, env.Data
}

// Call is one request over the validating client: a method, a path
// (relative to the server's http URL), an optional body (a string or []byte
// is sent as is, anything else as JSON) and headers as "Name: value"
// strings. A body gets Content-Type: application/json unless a header says
// otherwise; "Name:" with no value removes that header. Call fails t (Fatal)
// when the request cannot be made, and reports a response the spec does not
// describe as an error of t; it never checks the status.
func (s *Server) Call(t testing.TB, method, path string, body any, headers ...string) *Resp {
	t.Helper()
	return s.do(t, s.Client, method, path, body, headers...)
}

// CallRaw is Call without response validation (faults, wire-level tests).
func (s *Server) CallRaw(t testing.TB, method, path string, body any, headers ...string) *Resp {
	t.Helper()
	return s.do(t, s.RawClient, method, path, body, headers...)
}

func (s *Server) do(t testing.TB, c *http.Client, method, path string, body any, headers ...string) *Resp {
	t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			t.Fatalf("fatest: encode body: %v", err)
		}
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, s.URL()+path, rd)
	if err != nil {
		t.Fatalf("fatest: %v", err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for _, h := range headers {
		k, v, _ := strings.Cut(h, ":")
		if k, v = strings.TrimSpace(k), strings.TrimSpace(v); v == "" {
			req.Header.Del(k) // "Content-Type:" sends none
			continue
		}
		req.Header.Set(k, v)
	}
	resp, err := c.Do(withT(req, t))
	if err != nil {
		t.Fatalf("fatest: %s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("fatest: read body: %v", err)
	}
	return &Resp{Status: resp.StatusCode, Header: resp.Header, Body: b}
}

// Default logins of the embedded fixtures.
const (
	AdminUser      = "admin@example.com"       // partition fakePartitionAlpha0001, full rights
	ReaderUser     = "reader@example.com"      // READ on every management permission type
	EditorUser     = "editor@example.com"      // EDIT on every management permission type
	CreatorUser    = "creator@example.com"     // CREATE on every management permission type
	BravoAdminUser = "admin@bravo.example.com" // partition fakePartitionBravo0002
	Password       = "fakealianza"
	AlphaPartition = "fakePartitionAlpha0001"
	BravoPartition = "fakePartitionBravo0002"
)

// Login logs a management user in (POST /v2/authorize) and returns the
// token; it fails t unless the login answers 201.
func (s *Server) Login(t testing.TB, username, password string) string {
	t.Helper()
	r := s.Call(t, http.MethodPost, "/v2/authorize", map[string]string{"username": username, "password": password})
	if r.Status != http.StatusCreated {
		t.Fatalf("login %s: %d %s", username, r.Status, r.Body)
	}
	var tok struct {
		AuthToken string `json:"authToken"`
	}
	r.Decode(t, &tok)
	return tok.AuthToken
}

// Admin logs in as AdminUser (partition AlphaPartition, every permission)
// and returns the token; it fails t unless the login answers 201.
func (s *Server) Admin(t testing.TB) string { return s.Login(t, AdminUser, Password) }

// Auth is the X-AUTH-TOKEN header line for a token, for Call's headers.
func Auth(token string) string { return "X-AUTH-TOKEN: " + token }

// SFTP logs in to the server's SFTP datafeed with the Go client, checking
// the host key (fixed to the server's); it returns the login's error (a
// refused password is a result to assert, not a failure) and fails t only
// when the server has no host key. The session closes when t ends.
func (s *Server) SFTP(t testing.TB, user, password string) (*sftp.Client, error) {
	t.Helper()
	_, pub := s.SFTPHostKey()
	hostKey, _, _, _, err := ssh.ParseAuthorizedKey([]byte(pub))
	if err != nil {
		t.Fatal(err)
	}
	conn, err := ssh.Dial("tcp", s.SFTPAddr(), &ssh.ClientConfig{
		User: user, Auth: []ssh.AuthMethod{ssh.Password(password)},
		HostKeyCallback: ssh.FixedHostKey(hostKey), Timeout: 10 * time.Second,
	})
	if err != nil {
		return nil, err
	}
	c, err := sftp.NewClient(conn)
	if err != nil {
		conn.Close()
		return nil, err
	}
	t.Cleanup(func() { c.Close(); conn.Close() })
	return c, nil
}
