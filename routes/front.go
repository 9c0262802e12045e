package routes

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/fakealianza/fakealianza/certify"
	"github.com/fakealianza/fakealianza/journal"
	"github.com/fakealianza/fakealianza/openapi"
	"github.com/fakealianza/fakealianza/scenarios"
	"github.com/fakealianza/fakealianza/store"
)

// Front is what stands before the router on the request walk: the journal
// records the exchange, then the fault layer may delay it, answer it or
// break the connection, then the router serves it. Requests to /__admin/
// are neither journalled nor faulted, so the control API always answers.
type Front struct {
	Journal *journal.Journal
	Faults  *scenarios.Engine
	Clock   *store.Clock
	Spec    *openapi.Spec
	Logger  *slog.Logger
	// Closing is closed when the server shuts down: delays and hung
	// connections end then.
	Closing <-chan struct{}
	// HangTimeout bounds a hang fault (default 2 minutes).
	HangTimeout time.Duration
	// Certify records the exchanges of a certification session (nil: none).
	// Its probes answer through Faults (scenarios.Engine.SetProber).
	Certify *certify.Certifier
	// AdminKey, when set, must come in X-Fakealianza-Admin-Key with an
	// X-Fakealianza-Fault header: faults are the admin's to inject.
	AdminKey string
	// ReadTimeout and WriteTimeout are the HTTP server's: a delay fault
	// pushes the connection's deadlines back by its delay so the delayed
	// answer still goes out (zero: deadlines left alone).
	ReadTimeout, WriteTimeout time.Duration
}

// Wrap puts the journal and the fault layer in front of next.
func (f Front) Wrap(next http.Handler) http.Handler {
	if f.HangTimeout <= 0 {
		f.HangTimeout = 2 * time.Minute
	}
	if f.Logger == nil {
		f.Logger = slog.Default()
	}
	return &front{Front: f, matcher: f.Spec.Matcher(), next: next}
}

type front struct {
	Front
	matcher *openapi.Matcher
	next    http.Handler
}

// exchange is what the layers learn about one request.
type exchange struct {
	in    scenarios.Input
	fault string
}

var partitionInPath = regexp.MustCompile(`^/v2/partition/([^/]+)`)

// inspect learns the request's operation; the match travels with the
// request (withMatch) so the router does not match it again.
func (f *front) inspect(r *http.Request) (*http.Request, *exchange) {
	x := &exchange{in: scenarios.Input{Method: r.Method, Path: r.URL.Path, Header: r.Header}}
	op, vars, ok := f.matcher.Match(r)
	r = withMatch(r, op, vars, ok)
	if ok {
		x.in.OperationID, x.in.PathTemplate = op.ID, op.Path
		x.in.PartitionID, x.in.AccountID = vars["partitionId"], vars["accountId"]
	}
	if x.in.PartitionID == "" {
		if m := partitionInPath.FindStringSubmatch(r.URL.Path); m != nil {
			x.in.PartitionID = m[1]
		}
	}
	return r, x
}

func (f *front) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, "/__admin/") {
		f.next.ServeHTTP(w, r)
		return
	}
	r, x := f.inspect(r)
	start := time.Now()
	at := f.Clock.Now()
	reqBody := peekBody(r)
	rec := &recorder{ResponseWriter: w}
	defer func() {
		// Record even when the handler below aborts (connection faults).
		e := journal.Entry{
			Time: at, Method: r.Method, Path: r.URL.Path, Query: journal.RedactQuery(r.URL.RawQuery),
			OperationID: x.in.OperationID, PartitionID: x.in.PartitionID,
			Status: rec.status, DurationMs: float64(time.Since(start).Microseconds()) / 1000,
			Fault:    x.fault,
			Request:  journal.NewMessage(r.Header, reqBody),
			Response: journal.NewMessage(nil, rec.body.Bytes()),
		}
		e.Response.Headers = rec.header
		f.Journal.Add(e)
		// A certification session keeps its own copy, apart from the ring.
		f.Certify.Record(certify.Exchange{Entry: e, PathTemplate: x.in.PathTemplate, Start: start,
			Token: r.Header.Get("X-Auth-Token"), Response: rec.body.Bytes()})
	}()
	f.fault(rec, r, x)
}

// peekBody reads up to the router's body limit and leaves r.Body whole.
// A body read to its end travels as a peekedBody, whose bytes the router
// takes (readBody) instead of reading them a second time.
func peekBody(r *http.Request) []byte {
	if r.Body == nil || r.Body == http.NoBody {
		return nil
	}
	b, err := readUpTo(r.Body, MaxBodyBytes, r.ContentLength)
	if err == nil && len(b) <= MaxBodyBytes {
		r.Body = &peekedBody{rd: bytes.NewReader(b), Closer: r.Body, whole: b}
		return b
	}
	r.Body = struct {
		io.Reader
		io.Closer
	}{io.MultiReader(bytes.NewReader(b), r.Body), r.Body}
	return b
}

// peekedBody is a request body the front read whole.
type peekedBody struct {
	rd *bytes.Reader
	io.Closer
	whole []byte
}

func (b *peekedBody) Read(p []byte) (int, error) { return b.rd.Read(p) }

// unread is the whole body when nobody has read from it yet.
func (b *peekedBody) unread() ([]byte, bool) {
	return b.whole, b.rd.Len() == len(b.whole)
}

// readUpTo reads r to its end or to limit+1 bytes, whichever comes first,
// into a buffer sized for a body of sizeHint bytes (-1: unknown).
func readUpTo(r io.Reader, limit, sizeHint int64) ([]byte, error) {
	n := int64(512)
	if sizeHint >= 0 && sizeHint <= limit {
		n = sizeHint + 1 // room to see the end without growing
	}
	b := make([]byte, 0, n)
	lr := io.LimitReader(r, limit+1)
	for {
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
		}
		m, err := lr.Read(b[len(b):cap(b)])
		b = b[:len(b)+m]
		if err == io.EOF {
			return b, nil
		}
		if err != nil {
			return b, err
		}
	}
}

// recorder remembers the status, headers and the first journal.MaxBody+1
// bytes of the response on their way out.
type recorder struct {
	http.ResponseWriter
	status int
	header map[string][]string // redacted (journal.RedactHeader)
	body   bytes.Buffer
}

func (w *recorder) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
		w.header = journal.RedactHeader(w.ResponseWriter.Header())
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *recorder) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.WriteHeader(http.StatusOK)
	}
	if room := journal.MaxBody + 1 - w.body.Len(); room > 0 {
		w.body.Write(b[:min(room, len(b))])
	}
	return w.ResponseWriter.Write(b)
}

func (w *recorder) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// fault applies the X-Fakealianza-Fault header or the first firing rule.
func (f *front) fault(w http.ResponseWriter, r *http.Request, x *exchange) {
	var d *scenarios.Decision
	if hv := r.Header.Get(scenarios.HeaderName); hv != "" {
		if !adminKeyOK(r, f.AdminKey) {
			x.fault = "header:refused"
			renderError(w, errAdminKeyRequired)
			return
		}
		var err error
		if d, err = f.Faults.DecideHeader(hv); err != nil {
			renderError(w, store.InvalidWith("InvalidFaultHeader", store.Detail{"error": err.Error()}))
			return
		}
		x.fault = "header:" + d.Action.Summary()
	} else if d = f.Faults.Decide(&x.in, f.Clock.Now()); d != nil {
		x.fault = d.RuleID + ":" + d.Action.Summary()
	}
	if d == nil {
		f.next.ServeHTTP(w, r)
		return
	}
	if d.Delay > 0 {
		x.fault += fmt.Sprintf(",delayed=%s", d.Delay)
		f.extendDeadlines(w, d.Delay)
		if !scenarios.Wait(r.Context(), d.Delay, f.Closing) {
			return
		}
	}
	a := &d.Action
	switch {
	case a.Connection != "":
		f.breakConnection(w, r, d)
	case a.Body != nil:
		resp := Response{Status: a.Status, Raw: []byte(*a.Body), ContentType: a.ContentType, Header: http.Header{}}
		if resp.Status == 0 {
			resp.Status = http.StatusOK
		}
		if resp.ContentType == "" {
			resp.ContentType = "application/json"
		}
		retryAfter(resp.Header, a)
		render(w, resp)
	case a.Status != 0:
		retryAfter(w.Header(), a)
		renderError(w, faultError(r, a))
	default:
		f.next.ServeHTTP(w, r)
	}
}

func retryAfter(h http.Header, a *scenarios.Action) {
	switch {
	case a.RetryAfter != "":
		h.Set("Retry-After", a.RetryAfter)
	case a.Status == http.StatusTooManyRequests:
		h.Set("Retry-After", "1")
	}
}

// faultError is the envelope a status fault answers with: the rule's
// message (or the status's usual one) and data. A 401 with message
// "Unauthorized" is the gateway's {"message":"Unauthorized"}; a 404
// ResourceNotFound without data carries the request like a real one.
func faultError(r *http.Request, a *scenarios.Action) error {
	code := scenarios.DefaultMessage(a.Status)
	if a.Message != nil {
		code = *a.Message
	}
	if a.Status == http.StatusUnauthorized && code == "Unauthorized" && a.Data == nil {
		return &gatewayError{}
	}
	e := &store.Error{Status: a.Status, Code: code}
	switch {
	case a.Data != nil:
		e.Data = a.Data
	case a.Status == http.StatusNotFound && code == "ResourceNotFound":
		e.Data = resourceNotFound(r).Data
	}
	return e
}

// breakConnection takes the TCP connection from the HTTP server and
// misbehaves on it.
func (f *front) breakConnection(w http.ResponseWriter, r *http.Request, d *scenarios.Decision) {
	var truncated []byte
	if d.Action.Connection == scenarios.ConnTruncated {
		truncated = f.truncatedResponse(r)
	}
	if r.ProtoMajor == 2 {
		// HTTP/2 has no connection of its own per request: the stream is
		// reset (RST_STREAM) instead, which clients see as a broken
		// response; a hang first keeps the stream silent.
		if d.Action.Connection == scenarios.ConnHang {
			f.hang(r.Context(), nil)
		}
		panic(http.ErrAbortHandler)
	}
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		f.Logger.Warn("connection fault needs a hijackable connection", "err", err)
		renderError(w, store.Errorf(http.StatusInternalServerError, "InternalServerError"))
		return
	}
	defer conn.Close()
	// The server's read and write deadlines stay on a hijacked connection;
	// a hang is bounded by HangTimeout instead.
	_ = conn.SetDeadline(time.Time{})
	switch d.Action.Connection {
	case scenarios.ConnReset:
		if tc, ok := conn.(*net.TCPConn); ok {
			_ = tc.SetLinger(0) // close sends RST
		}
	case scenarios.ConnEmpty:
	case scenarios.ConnMalformed:
		_, _ = io.WriteString(conn, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"+
			"Transfer-Encoding: chunked\r\n\r\nzz\r\n{\"partial\r\n")
	case scenarios.ConnGarbage:
		_, _ = conn.Write(d.Garbage)
	case scenarios.ConnHang:
		f.hang(r.Context(), conn)
	case scenarios.ConnTruncated:
		_, _ = conn.Write(truncated)
	}
}

// extendDeadlines gives a delayed request its full read and write time
// after the delay.
func (f *front) extendDeadlines(w http.ResponseWriter, delay time.Duration) {
	rc := http.NewResponseController(w)
	now := time.Now()
	if f.ReadTimeout > 0 {
		_ = rc.SetReadDeadline(now.Add(delay + f.ReadTimeout))
	}
	if f.WriteTimeout > 0 {
		_ = rc.SetWriteDeadline(now.Add(delay + f.WriteTimeout))
	}
}

// hang holds the connection silently until the client closes it, the
// server shuts down or HangTimeout passes.
func (f *front) hang(ctx context.Context, conn net.Conn) {
	gone := make(chan struct{})
	if conn != nil { // nil: an HTTP/2 stream, whose end ctx reports
		go func() {
			_, _ = io.Copy(io.Discard, conn)
			close(gone)
		}()
	}
	t := time.NewTimer(f.HangTimeout)
	defer t.Stop()
	select {
	case <-gone:
	case <-ctx.Done():
	case <-f.Closing:
	case <-t.C:
	}
}

// truncatedResponse runs the real handler and returns its response on the
// wire with the body cut in half (Content-Length still promising it whole).
func (f *front) truncatedResponse(r *http.Request) []byte {
	buf := &bufferWriter{header: http.Header{}}
	f.next.ServeHTTP(buf, r)
	if buf.status == 0 {
		buf.status = http.StatusOK
	}
	body := buf.body.Bytes()
	promised := len(body)
	if promised < 2 {
		promised = len(body) + 64
	}
	buf.header.Set("Content-Length", strconv.Itoa(promised))
	buf.header.Del("Transfer-Encoding")
	var out bytes.Buffer
	fmt.Fprintf(&out, "HTTP/1.1 %d %s\r\n", buf.status, http.StatusText(buf.status))
	_ = buf.header.Write(&out)
	out.WriteString("\r\n")
	out.Write(body[:len(body)/2])
	return out.Bytes()
}

// bufferWriter is a ResponseWriter that keeps everything in memory.
type bufferWriter struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (b *bufferWriter) Header() http.Header { return b.header }

func (b *bufferWriter) WriteHeader(code int) {
	if b.status == 0 {
		b.status = code
	}
}

func (b *bufferWriter) Write(p []byte) (int, error) {
	if b.status == 0 {
		b.status = http.StatusOK
	}
	return b.body.Write(p)
}

// gatewayError is the 401 that answers without Alianza's envelope:
// {"message":"Unauthorized"} (renderError writes it).
type gatewayError struct{}

func (*gatewayError) Error() string { return "401 Unauthorized (gateway)" }
