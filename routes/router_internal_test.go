package routes

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/fakealianza/fakealianza/openapi"
)

func TestPanicBecomes500AndServerGoesOn(t *testing.T) {
	spec, err := openapi.Load()
	if err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	rt, err := New(Deps{Spec: spec, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	rt.handlers["adminHealth"] = func(*Request) (Response, error) { panic("boom") }

	w := httptest.NewRecorder()
	rt.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/__admin/health", nil))
	if w.Code != http.StatusInternalServerError {
		t.Fatalf("status %d, want 500", w.Code)
	}
	var env Envelope
	if err := json.Unmarshal(w.Body.Bytes(), &env); err != nil || env.Status != 500 || len(env.Messages) != 1 || env.Messages[0] != "InternalServerError" {
		t.Fatalf("body %s (%v)", w.Body, err)
	}
	if !strings.Contains(logs.String(), "boom") {
		t.Errorf("panic not logged: %s", logs.String())
	}
	w = httptest.NewRecorder()
	rt.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/__admin/ready", nil))
	if w.Code != http.StatusOK {
		t.Fatalf("after a panic: status %d", w.Code)
	}
}

func TestRenderOmitsNilData(t *testing.T) {
	w := httptest.NewRecorder()
	render(w, JSON(400, Envelope{Status: 400, Messages: []string{"AccountNameRequired"}}))
	if got, want := w.Body.String(), `{"status":400,"messages":["AccountNameRequired"]}`; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
	if ct := w.Header().Get("Content-Type"); ct != "application/json" {
		t.Errorf("content type %q", ct)
	}
}

func TestOversizedBodyIsRejected(t *testing.T) {
	spec, err := openapi.Load()
	if err != nil {
		t.Fatal(err)
	}
	rt, err := New(Deps{Spec: spec})
	if err != nil {
		t.Fatal(err)
	}
	big := bytes.Repeat([]byte("x"), MaxBodyBytes+1)
	w := httptest.NewRecorder()
	rt.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/__admin/health", bytes.NewReader(big)))
	if w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), "RequestBodyTooLarge") {
		t.Fatalf("status %d body %s", w.Code, w.Body)
	}
}

func TestDropNulls(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{`{"a":null,"b":1}`, `{"b":1}`},
		{`{"z":1,"a":null,"m":{"y":[1,2.50,"x"],"b":null},"c":true}`, `{"z":1,"m":{"y":[1,2.50,"x"]},"c":true}`},
		{"{\"s\":\"<&>\\u00e9\\n\",\"n\":null}", "{\"s\":\"<&>é\\n\"}"},
		{`{"e":{},"l":[],"f":false,"zero":0,"blank":"","n":null}`, `{"e":{},"l":[],"f":false,"zero":0,"blank":""}`},
		{`{"a":{"b":null,"c":[{"d":null,"e":"x"}]}}`, `{"a":{"c":[{"e":"x"}]}}`},
		{`{"n":12345678901234567890,"s":"<nullish>","z":null}`, `{"n":12345678901234567890,"s":"<nullish>"}`},
		{`{"a": [ null , {"b" : null} ] }`, `{"a":[null,{}]}`},
		{`[null,{"a":null}]`, `[null,{}]`},
		{`{"a":"null"}`, `{"a":"null"}`},
		{`{"a":null`, `{"a":null`},
		{`not json null`, `not json null`},
		{`{"a":1} {"b":null}`, `{"a":1} {"b":null}`},
	} {
		got, changed := dropNulls([]byte(c.in))
		if string(got) != c.want || changed != (c.in != c.want) {
			t.Errorf("dropNulls(%s) = %s (changed %v), want %s", c.in, got, changed, c.want)
		}
	}
}

// The renderer leaves out null members only (Jackson's NON_NULL), keys in
// their order.
func TestRenderLeavesOutNullOnly(t *testing.T) {
	w := httptest.NewRecorder()
	render(w, OK(struct {
		Z     []string       `json:"z"`
		Nil   []string       `json:"nil"`
		Empty []string       `json:"empty"`
		Ptr   *int           `json:"ptr"`
		Inner map[string]any `json:"inner"`
		Blank string         `json:"blank"`
		No    bool           `json:"no"`
	}{Z: []string{"a"}, Empty: []string{}, Inner: map[string]any{"x": nil, "y": 0}}))
	if got, want := w.Body.String(), `{"z":["a"],"empty":[],"inner":{"y":0},"blank":"","no":false}`; got != want {
		t.Fatalf("rendered %s, want %s", got, want)
	}
}
