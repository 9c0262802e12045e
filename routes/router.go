// Package routes is fakealianza's HTTP face: it binds every operation of the
// project's spec to a handler, walks each request through validation and
// auth, and renders results and errors in Alianza's wire format.
package routes

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"runtime/debug"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/fakealianza/fakealianza/authfake"
	"github.com/fakealianza/fakealianza/openapi"
	"github.com/fakealianza/fakealianza/store"
)

// MaxBodyBytes bounds every request body but a whole state's.
const MaxBodyBytes = 1 << 20

// maxDrain is how much of an over-limit body is read and thrown away after
// the RequestBodyTooLarge answer, so the client, still sending, reads the
// answer instead of a TCP reset.
const maxDrain = 64 << 20

// bodyLimit is the largest body an operation takes: a whole state
// (PUT /__admin/state) may be as large as any GET /__admin/state returns.
func bodyLimit(op *openapi.Operation) int64 {
	if op.ID == "adminPutState" {
		return store.MaxStateBytes
	}
	return MaxBodyBytes
}

var errBodyTooLarge = store.Invalid("RequestBodyTooLarge")

// Deps is what the router needs from the server that owns it.
type Deps struct {
	Spec   *openapi.Spec
	Store  *store.Store
	Auth   *authfake.Auth
	Logger *slog.Logger
	// Ready reports whether the server has finished starting.
	Ready func() bool
	// SFTP describes the running SFTP datafeed (nil: none).
	SFTP func() SFTPInfo

	// The QA toolkit (the /__admin API). Nil parts get empty defaults.
	QA QA
}

// Request is what a handler sees: the HTTP request, the operation it
// matched, its path parameters and its (already validated) body.
type Request struct {
	*http.Request
	Op   *openapi.Operation
	Vars map[string]string
	Body []byte
	// Principal is the caller of a secured operation (nil on public ones).
	Principal *authfake.Principal
}

// Handler serves one operation.
type Handler func(*Request) (Response, error)

// Router is the http.Handler for the whole API.
type Router struct {
	deps     Deps
	log      *slog.Logger
	matcher  *openapi.Matcher
	handlers map[string]Handler
	perms    map[string]string // operationId -> permission type
	// warm decodes the spec's deferred part in the background at the first
	// /v2 request, so a start does not and later generic requests need not
	// wait for it.
	warm sync.Once
}

type api struct {
	deps Deps

	// The generic engine's plans, worked out at the first generic request
	// (they read the spec's schemas, which a start does not decode).
	plansOnce sync.Once
	plans     map[string]*genericPlan
}

// New builds the router. It fails when the spec declares an operation that
// nothing serves, or a handler serves an operation the spec lacks: the spec
// and the server cannot drift apart.
func New(d Deps) (*Router, error) { return build(d, nil) }

// build is New with extra handlers (tests bind operations of a test spec).
func build(d Deps, testOps map[string]Handler) (*Router, error) {
	if d.Logger == nil {
		d.Logger = slog.Default()
	}
	if d.Ready == nil {
		d.Ready = func() bool { return true }
	}
	if err := d.QA.defaults(d.Store); err != nil {
		return nil, err
	}
	a := &api{deps: d}
	handlers := map[string]Handler{}
	for _, part := range []map[string]Handler{
		a.adminRoutes(),
		a.datafeedRoutes(),
		a.authRoutes(),
		a.partitionRoutes(),
		a.sipTrunkRoutes(),
		a.voicemailRoutes(),
		a.reportRoutes(),
		a.exportRoutes(),
		a.rpcRoutes(),
		a.mediaRoutes(),
		a.accountRoutes(),
		a.endUserRoutes(),
		a.deviceRoutes(),
		a.callingPlanRoutes(),
		a.numberRoutes(),
		a.managementUserRoutes(),
		a.voiceRoutes(),
		a.qaRoutes(),
		a.adminViewRoutes(),
		a.certifyRoutes(),
		testOps,
	} {
		for id, h := range part {
			if _, dup := handlers[id]; dup {
				return nil, fmt.Errorf("routes: operation %s served twice", id)
			}
			handlers[id] = h
		}
	}
	// Every operation of the spec without a hand-written handler is served
	// by the generic engine; the /__admin API has no generic operations.
	handBuilt := map[string]bool{}
	for id := range handlers {
		handBuilt[id] = true
	}
	var missing, extra, unguarded []string
	perms := map[string]string{}
	for _, op := range d.Spec.Operations() {
		if !handBuilt[op.ID] && !op.IsAdmin() {
			handlers[op.ID] = a.generic(op.ID, handBuilt)
			perms[op.ID] = authfake.PermissionFor(op.ID, op.Tags())
			continue
		}
		if _, ok := handlers[op.ID]; !ok {
			missing = append(missing, op.ID)
		}
		perm, ok := authfake.Permission(op.ID)
		if !op.Public && !ok {
			unguarded = append(unguarded, op.ID)
		}
		perms[op.ID] = perm
	}
	for id := range handlers {
		if _, ok := d.Spec.Operation(id); !ok {
			extra = append(extra, id)
		}
	}
	sort.Strings(missing)
	sort.Strings(extra)
	if len(missing) > 0 {
		return nil, fmt.Errorf("routes: the spec declares operations nothing serves: %s", strings.Join(missing, ", "))
	}
	if len(unguarded) > 0 {
		sort.Strings(unguarded)
		return nil, fmt.Errorf("routes: secured operations missing from authfake.OperationPermissions: %s", strings.Join(unguarded, ", "))
	}
	if len(extra) > 0 {
		return nil, fmt.Errorf("routes: handlers for operations the spec lacks: %s", strings.Join(extra, ", "))
	}
	return &Router{deps: d, log: d.Logger, matcher: d.Spec.Matcher(), handlers: handlers, perms: perms}, nil
}

// statusWriter remembers whether and what the handler wrote.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// ServeHTTP walks one request: match -> auth (token, partition scope,
// permission) -> read body (JSON nulls dropped) -> spec validation ->
// handler -> render. A panic becomes a 500 envelope and the server goes on.
func (rt *Router) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	sw := &statusWriter{ResponseWriter: w}
	var opID string
	defer func() {
		if p := recover(); p != nil {
			if p == http.ErrAbortHandler {
				panic(p)
			}
			rt.log.Error("handler panic", "method", r.Method, "path", r.URL.Path, "op", opID,
				"panic", fmt.Sprint(p), "stack", string(debug.Stack()))
			if sw.status == 0 {
				renderError(sw, errors.New("panic"))
			}
		}
		rt.log.Debug("request", "method", r.Method, "path", r.URL.Path, "op", opID,
			"status", sw.status, "duration_ms", float64(time.Since(start).Microseconds())/1000)
	}()

	op, vars, ok := rt.match(r)
	if !ok {
		renderError(sw, resourceNotFound(r))
		return
	}
	opID = op.ID
	if !op.IsAdmin() {
		rt.warm.Do(func() {
			go func() {
				if err := rt.deps.Spec.Complete(); err != nil {
					rt.log.Error("spec", "err", err)
				}
			}()
		})
	}
	if err := rt.deps.QA.guard(r, op); err != nil {
		renderError(sw, err)
		return
	}
	// Alianza's gateway checks the token, the partition scope and the
	// permission before any controller reads the body.
	var principal *authfake.Principal
	if !op.Public {
		p, err := rt.authorize(r, op, vars)
		if err != nil {
			renderAuthError(sw, err)
			return
		}
		principal = p
	}
	limit := bodyLimit(op)
	body, err := readBody(r, limit)
	if err == errBodyTooLarge {
		// Answer, then read what the client is still sending (bounded), so
		// the connection closes cleanly after the answer.
		w.Header().Set("Connection", "close")
		renderErrorFor(sw, op, err)
		_ = http.NewResponseController(w).Flush()
		_, _ = io.Copy(io.Discard, io.LimitReader(r.Body, maxDrain))
		return
	}
	if err != nil {
		renderErrorFor(sw, op, err)
		return
	}
	if op.IsAdmin() && len(body) > 0 {
		// The admin API takes JSON only: a body sent without saying so
		// (or as curl -d's form default) is read as JSON.
		switch r.Header.Get("Content-Type") {
		case "", "application/x-www-form-urlencoded":
			r.Header.Set("Content-Type", "application/json")
		}
	}
	validate := rt.deps.Spec.ValidateRequest
	if limit > MaxBodyBytes {
		// A state load is checked by its handler, whole and strictly.
		validate = rt.deps.Spec.ValidateRequestNoBody
	} else if stripped, changed := dropNulls(body); changed {
		body = stripped
		r.Body = io.NopCloser(bytes.NewReader(body))
		r.ContentLength = int64(len(body))
	}
	if f := validate(r.Context(), r, op, vars); f != nil {
		rt.log.Debug("request rejected by spec", "op", op.ID, "code", f.Code, "detail", f.Detail)
		renderErrorFor(sw, op, f)
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	req := &Request{Request: r, Op: op, Vars: vars, Body: body, Principal: principal}
	resp, err := rt.handlers[op.ID](req)
	if err != nil {
		var se *store.Error
		if !errors.As(err, &se) {
			rt.log.Error("handler error", "op", op.ID, "err", err)
		} else if se.Status/100 == 4 && !op.Declares(se.Status) {
			// An answer stays within the statuses its operation declares:
			// where the spec lists no 404 (or 412, ...) for an operation,
			// that refusal is a 400 with the same code and data.
			e := *se
			e.Status = http.StatusBadRequest
			err = &e
		}
		renderErrorFor(sw, op, err)
		return
	}
	render(sw, resp)
}

// matched is a request's operation, found once per request.
type matched struct {
	op   *openapi.Operation
	vars map[string]string
	ok   bool
}

type matchKey struct{}

// withMatch carries a match with the request to the layers below.
func withMatch(r *http.Request, op *openapi.Operation, vars map[string]string, ok bool) *http.Request {
	return r.WithContext(context.WithValue(r.Context(), matchKey{}, matched{op, vars, ok}))
}

// match reuses the match a layer above made, or matches now.
func (rt *Router) match(r *http.Request) (*openapi.Operation, map[string]string, bool) {
	if m, found := r.Context().Value(matchKey{}).(matched); found {
		return m.op, m.vars, m.ok
	}
	return rt.matcher.Match(r)
}

// authorize checks the token, the partition scope and the permission, in
// that order.
func (rt *Router) authorize(r *http.Request, op *openapi.Operation, vars map[string]string) (*authfake.Principal, error) {
	p, err := rt.deps.Auth.Check(r.Header.Get("X-Auth-Token"))
	if err != nil {
		return nil, err
	}
	if pid, ok := vars["partitionId"]; ok && !p.Partitions[pid] {
		return nil, authfake.ErrNotPermitted
	}
	if !rt.deps.Auth.Allows(p, rt.perms[op.ID], op.Method) {
		return nil, authfake.ErrForbidden
	}
	return p, nil
}

// readBody buffers the body, at most limit bytes (errBodyTooLarge beyond),
// and leaves r.Body re-readable.
func readBody(r *http.Request, limit int64) ([]byte, error) {
	if r.Body == nil || r.Body == http.NoBody {
		return nil, nil
	}
	if r.ContentLength > limit {
		return nil, errBodyTooLarge
	}
	b, whole := []byte(nil), false
	if pb, ok := r.Body.(*peekedBody); ok {
		b, whole = pb.unread()
	}
	if !whole {
		var err error
		if b, err = readUpTo(r.Body, limit, r.ContentLength); err != nil {
			return nil, store.Invalid("InvalidRequestBody")
		}
	}
	if int64(len(b)) > limit {
		return nil, errBodyTooLarge
	}
	// A JSON body is UTF-8: a Java parser refuses bytes that are not, where
	// Go's would store them as U+FFFD. A file (a multipart upload, an octet
	// stream, audio) is bytes.
	if !fileBody(r.Header.Get("Content-Type")) && !utf8.Valid(b) {
		return nil, errInvalidBody
	}
	r.Body = io.NopCloser(bytes.NewReader(b))
	if len(b) == 0 {
		r.Body = http.NoBody
	}
	return b, nil
}

// fileBody reports whether a request's media type carries a file rather
// than JSON.
func fileBody(contentType string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	return err == nil && (strings.HasPrefix(mt, "multipart/") || strings.HasPrefix(mt, "audio/") ||
		mt == "application/octet-stream")
}

// resourceNotFound is Alianza's answer to a path it does not serve.
func resourceNotFound(r *http.Request) *store.Error {
	return &store.Error{Status: http.StatusNotFound, Code: "ResourceNotFound", Data: unmatchedRequest{
		Method: r.Method, ContentType: r.Header.Get("Content-Type"), URL: r.URL.Path,
	}}
}

// unmatchedRequest is the data of ResourceNotFound, keys in Alianza's order.
type unmatchedRequest struct {
	Method      string `json:"method"`
	ContentType string `json:"content-type"`
	URL         string `json:"url"`
}
