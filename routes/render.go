package routes

import (
	"bytes"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"slices"
	"strings"

	"github.com/fakealianza/fakealianza/authfake"
	"github.com/fakealianza/fakealianza/openapi"
	"github.com/fakealianza/fakealianza/store"
)

// Response is what a handler returns; render writes it. Body is encoded as
// JSON unless Raw or Stream is set. A nil Body with no Raw nor Stream
// writes no body at all.
type Response struct {
	Status      int
	Body        any
	Raw         []byte
	ContentType string
	Header      http.Header
	// Stream, when set, writes the body itself after the header is sent (a
	// body too large to hold in memory, server-sent events); its error can
	// only cut the body short.
	Stream func(http.ResponseWriter) error
}

// JSON is a response with a JSON body.
func JSON(status int, body any) Response { return Response{Status: status, Body: body} }

// OK is a 200 with a JSON body.
func OK(body any) Response { return JSON(http.StatusOK, body) }

// NoContent is a response with a status and no body (204, or Alianza's bare 200s).
func NoContent(status int) Response { return Response{Status: status} }

// Envelope is Alianza's error body (PublicApiException). Data is left out
// when nil.
type Envelope struct {
	Status   int      `json:"status"`
	Messages []string `json:"messages"`
	Data     any      `json:"data,omitempty"`
}

// render writes a handler's result: the one place responses leave the
// server, and the one place null members are left out of them.
func render(w http.ResponseWriter, resp Response) {
	for k, vs := range resp.Header {
		for _, v := range vs {
			w.Header().Add(k, v)
		}
	}
	status := resp.Status
	if status == 0 {
		status = http.StatusOK
	}
	switch {
	case resp.Stream != nil:
		w.Header().Set("Content-Type", resp.ContentType)
		w.WriteHeader(status)
		if err := resp.Stream(w); err != nil {
			slog.Warn("response cut short", "err", err)
		}
	case resp.Raw != nil:
		ct := resp.ContentType
		if ct == "" {
			ct = "application/octet-stream"
		}
		w.Header().Set("Content-Type", ct)
		w.WriteHeader(status)
		_, _ = w.Write(resp.Raw)
	case resp.Body != nil:
		b, err := encodeJSON(resp.Body)
		if err != nil {
			slog.Error("encode response", "err", err)
			renderError(w, &store.Error{Status: http.StatusInternalServerError, Code: "InternalServerError"})
			return
		}
		// Jackson's NON_NULL: what the server holds as null is left out.
		b, _ = dropNulls(b)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = w.Write(b)
	default:
		w.WriteHeader(status)
	}
}

// renderError writes any error as the vendor envelope. Errors that carry no
// Alianza status are internal: 500 InternalServerError.
func renderError(w http.ResponseWriter, err error) {
	var se *store.Error
	var vf *openapi.Failure
	var gw *gatewayError
	env := Envelope{Status: http.StatusInternalServerError, Messages: []string{"InternalServerError"}}
	switch {
	case errors.As(err, &gw):
		render(w, JSON(http.StatusUnauthorized, struct {
			Message string `json:"message"`
		}{"Unauthorized"}))
		return
	case errors.As(err, &se):
		env = Envelope{Status: se.Status, Messages: []string{se.Code}, Data: se.Data}
	case errors.As(err, &vf):
		env = Envelope{Status: vf.Status, Messages: []string{vf.Code}}
	}
	render(w, JSON(env.Status, env))
}

// specialtyLineError is SpecialtyLineErrorResponse, the body every error of
// the specialty-line service has (the gateway's own refusals excepted).
type specialtyLineError struct {
	ErrorCode string `json:"errorCode"`
	Message   string `json:"message"`
	TraceID   string `json:"traceId"`
}

// renderErrorFor writes an error in the shape op's service uses: the
// specialty-line service's own body, else the vendor envelope.
func renderErrorFor(w http.ResponseWriter, op *openapi.Operation, err error) {
	if !slices.Contains(op.Tags(), "Specialty Line") {
		renderError(w, err)
		return
	}
	var se *store.Error
	var vf *openapi.Failure
	status, body := http.StatusInternalServerError, specialtyLineError{ErrorCode: "InternalServerError"}
	switch {
	case errors.As(err, &se):
		status, body = se.Status, specialtyLineError{ErrorCode: se.Code, Message: se.Message}
	case errors.As(err, &vf):
		status, body = vf.Status, specialtyLineError{ErrorCode: vf.Code}
	}
	if body.Message == "" {
		body.Message = body.ErrorCode
	}
	body.TraceID = strings.ReplaceAll(store.NewUUID(), "-", "")
	render(w, JSON(status, body))
}

// unauthorizedBody is the non-envelope 401 Alianza sends when no token came.
type unauthorizedBody struct {
	Message string `json:"message"`
}

// renderAuthError writes authentication failures: the header-less case in
// its own shape, the rest in the envelope.
func renderAuthError(w http.ResponseWriter, err error) {
	var f *authfake.Failure
	if errors.As(err, &f) {
		if f.Missing {
			render(w, JSON(http.StatusUnauthorized, unauthorizedBody{"Unauthorized"}))
			return
		}
		renderError(w, f.Err)
		return
	}
	renderError(w, err)
}

func encodeJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), nil
}

var errInvalidBody = store.Invalid("InvalidRequestBody")
