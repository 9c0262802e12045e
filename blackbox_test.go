package fakealianza_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/fakealianza/fakealianza/fatest"
	"github.com/fakealianza/fakealianza/openapi"
)

// blackBoxBudget is how many requests TestBlackBoxFuzz sends in all, shared
// out over the spec's operations in turn: the run's length stays the same
// as the spec grows. FAKEALIANZA_FUZZ_REQUESTS and FAKEALIANZA_FUZZ_SEED
// change the budget and the seed (a failure prints both).
const blackBoxBudget = 1200

// blackBoxSkip are operations whose purpose is to make later requests fail
// or to log the caller out: their answers would be the fuzz test's noise.
var blackBoxSkip = map[string]bool{
	"adminAddFault": true, "adminStartScenario": true, // 5xx on purpose
	"adminReset": true, "adminPutState": true, "adminSetClock": true, // tokens go or expire
	"changePassword":          true,
	"adminStartCertification": true, // its probes answer 5xx on purpose
	"adminStreamRequests":     true, // a live stream: 200, open until the client leaves
}

// TestBlackBoxFuzz sends mutated requests to every operation of the spec
// through a real listener: wrong types, huge and deep values, bytes that are
// not UTF-8, path tricks, wrong content types and truncated bodies. No
// answer may be a 5xx or take longer than the client's timeout, and every
// 4xx must be in one of Alianza's shapes.
func TestBlackBoxFuzz(t *testing.T) {
	seed, budget := uint64(15), blackBoxBudget
	if v := os.Getenv("FAKEALIANZA_FUZZ_SEED"); v != "" {
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			t.Fatalf("FAKEALIANZA_FUZZ_SEED: %v", err)
		}
		seed = n
	}
	if v := os.Getenv("FAKEALIANZA_FUZZ_REQUESTS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			t.Fatalf("FAKEALIANZA_FUZZ_REQUESTS: %q", v)
		}
		budget = n
	}
	if testing.Short() {
		budget /= 4
	}
	srv := fatest.New(t, noSFTP)
	// Any answer takes milliseconds; 5 s is a hang (or a body that costs
	// seconds of CPU, which is as bad).
	client := &http.Client{Timeout: 5 * time.Second}
	var ops []*openapi.Operation
	for _, op := range srv.Spec().Operations() {
		if !blackBoxSkip[op.ID] {
			ops = append(ops, op)
		}
	}
	sort.Slice(ops, func(i, j int) bool { return ops[i].ID < ops[j].ID })
	f := &fuzzer{rng: rand.New(rand.NewPCG(seed, seed^0xfa)), token: srv.Admin(t)}
	seen := map[int]int{}
	for i := range budget {
		op := ops[i%len(ops)]
		req, desc := f.request(srv.URL(), op)
		resp, err := client.Do(req)
		if err != nil {
			t.Fatalf("seed %d request %d: %s: %v", seed, i, desc, err)
		}
		body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		resp.Body.Close()
		if err != nil {
			t.Fatalf("seed %d request %d: %s: reading the answer: %v", seed, i, desc, err)
		}
		seen[resp.StatusCode/100]++
		if msg := checkShape(op, resp.StatusCode, body); msg != "" {
			t.Errorf("seed %d request %d: %s: %d %s: %s", seed, i, desc, resp.StatusCode, clip(body), msg)
		}
		if resp.StatusCode == http.StatusUnauthorized && req.Header.Get("X-Auth-Token") == f.token {
			f.token = srv.Admin(t) // a logout among the requests
		}
	}
	t.Logf("%d requests over %d operations: %d 2xx, %d 4xx", budget, len(ops), seen[2], seen[4])
	if seen[4] == 0 || seen[2] == 0 {
		t.Errorf("the mutations reach no handler or refuse nothing: %v", seen)
	}
}

// checkShape says what is wrong with an answer ("" when nothing is).
func checkShape(op *openapi.Operation, status int, body []byte) string {
	switch {
	case status >= 500:
		return "a server error"
	case status < 400:
		return ""
	}
	// The specialty-line service answers its own errors in
	// SpecialtyLineErrorResponse (its gateway's refusals excepted).
	var sl struct {
		ErrorCode string `json:"errorCode"`
		TraceID   string `json:"traceId"`
	}
	if slices.Contains(op.Tags(), "Specialty Line") && json.Unmarshal(body, &sl) == nil && sl.ErrorCode != "" && sl.TraceID != "" {
		return ""
	}
	var gateway struct {
		Message *string `json:"message"`
	}
	if status == http.StatusUnauthorized && json.Unmarshal(body, &gateway) == nil && gateway.Message != nil && *gateway.Message == "Unauthorized" {
		return ""
	}
	var env struct {
		Status   int      `json:"status"`
		Messages []string `json:"messages"`
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&env); err != nil {
		return "not Alianza's envelope: " + err.Error()
	}
	// An unknown token's 401 carries an empty message, as Alianza's does.
	if env.Status != status || len(env.Messages) == 0 || (env.Messages[0] == "" && status != http.StatusUnauthorized) {
		return "the envelope does not carry the status and a message"
	}
	return ""
}

func clip(b []byte) string {
	if len(b) > 300 {
		return string(b[:300]) + "..."
	}
	return string(b)
}

// fuzzer makes mutated requests from the spec, all drawn from one seeded
// source.
type fuzzer struct {
	rng   *rand.Rand
	token string
}

// known path values: ones that exist in the fixtures, so mutations reach
// the handlers and not only the 404s.
var knownPathValues = map[string]string{
	"partitionId": fatest.AlphaPartition,
	"accountId":   "fakeAcct00000000000001",
	"deviceId":    "fakeLine00000000000001",
}

// pathTricks are path parameter values that try to escape or confuse.
var pathTricks = []string{
	"..", "%2e%2e", "%2F", "a%2Fb", "%00", "%ff%fe", "%C3%28", "~", "*", "**", "%20", "null", "-1",
	"99999999999999999999999", fatest.BravoPartition, "%E2%80%AE", strings.Repeat("a", 4000),
}

func (f *fuzzer) request(base string, op *openapi.Operation) (*http.Request, string) {
	path := op.Path
	for {
		i := strings.IndexByte(path, '{')
		if i < 0 {
			break
		}
		j := strings.IndexByte(path[i:], '}') + i
		name := path[i+1 : j]
		v, ok := knownPathValues[name]
		if !ok || f.rng.IntN(4) == 0 {
			v = pathTricks[f.rng.IntN(len(pathTricks))]
		} else {
			v = url.PathEscape(v)
		}
		path = path[:i] + v + path[j+1:]
	}
	query := f.query(op.Route().Operation)
	var body []byte
	contentType := "application/json"
	what := "schema"
	if rb := op.Route().Operation.RequestBody; rb != nil && rb.Value != nil {
		var schema *openapi3.Schema
		if mt := rb.Value.Content.Get("application/json"); mt != nil && mt.Schema != nil {
			schema = mt.Schema.Value
		}
		body, what = f.body(schema)
		if f.rng.IntN(10) < 3 {
			contentType = f.oneOf("text/plain", "application/xml", "")
		}
	} else if f.rng.IntN(5) == 0 {
		body, what = []byte(`{"unexpected":"body"}`), "unexpected body"
	}
	target := base + path
	if query != "" {
		target += "?" + query
	}
	req, err := http.NewRequest(op.Method, target, bytes.NewReader(body))
	if err != nil {
		// A trick the client itself refuses: send the plain template.
		req, _ = http.NewRequest(op.Method, base+"/v2/x", nil)
	}
	if body == nil {
		req.Body, req.ContentLength = http.NoBody, 0
	}
	if contentType != "" && body != nil {
		req.Header.Set("Content-Type", contentType)
	}
	if f.rng.IntN(12) != 0 {
		req.Header.Set("X-Auth-Token", f.token)
	}
	return req, fmt.Sprintf("%s %s %s (%s, %d bytes, %s)", op.ID, op.Method, clipString(target), what, len(body), contentType)
}

func clipString(s string) string {
	if len(s) > 200 {
		return s[:200] + "..."
	}
	return s
}

// query fills the declared query parameters, some with wrong values.
func (f *fuzzer) query(op *openapi3.Operation) string {
	q := url.Values{}
	for _, p := range op.Parameters {
		if p.Value == nil || p.Value.In != "query" || f.rng.IntN(3) == 0 {
			continue
		}
		good := scalarFor(p.Value.Schema)
		v := f.oneOf("not-a-number", "-99999999999999999999", strings.Repeat("q", 3000), "\xff\xfe", good, good)
		q.Add(p.Value.Name, v)
	}
	return q.Encode()
}

func (f *fuzzer) oneOf(choices ...string) string { return choices[f.rng.IntN(len(choices))] }

// scalarFor is a plausible value of a parameter's schema.
func scalarFor(ref *openapi3.SchemaRef) string {
	if ref == nil || ref.Value == nil {
		return "x"
	}
	s := ref.Value
	if len(s.Enum) > 0 {
		return fmt.Sprint(s.Enum[0])
	}
	switch {
	case s.Type.Is("integer"), s.Type.Is("number"):
		return "1"
	case s.Type.Is("boolean"):
		return "true"
	}
	return "x"
}

// body builds a valid-looking body from the schema, then breaks it one way.
func (f *fuzzer) body(schema *openapi3.Schema) ([]byte, string) {
	v := f.sample(schema, 0)
	switch f.rng.IntN(9) {
	case 0: // a field of the wrong type
		if m, ok := v.(map[string]any); ok && len(m) > 0 {
			keys := make([]string, 0, len(m))
			for k := range m {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			k := keys[f.rng.IntN(len(keys))]
			m[k] = f.wrongValue()
			return mustJSON(v), "wrong type for " + k
		}
		return mustJSON(f.wrongValue()), "wrong top-level type"
	case 1: // huge string value
		return mustJSON(map[string]any{"accountName": strings.Repeat("h", 64<<10), "name": strings.Repeat("n", 64<<10)}), "huge values"
	case 2: // deep nesting
		depth := 5000 + f.rng.IntN(20000)
		return []byte(strings.Repeat("[", depth) + strings.Repeat("]", depth)), "deep nesting"
	case 3: // bytes that are not UTF-8
		b := mustJSON(v)
		if i := bytes.IndexByte(b, '"'); i >= 0 {
			b = append(b[:i+1:i+1], append([]byte{0xff, 0xfe, 0xc3}, b[i+1:]...)...)
		}
		return b, "bad UTF-8"
	case 4: // truncated
		b := mustJSON(v)
		return b[:f.rng.IntN(len(b))], "truncated"
	case 5:
		return []byte(""), "empty"
	case 6:
		return []byte("null"), "null"
	case 7: // every field null, unknown fields too
		return []byte(`{"id":null,"partitionId":null,"zzUnknown":{"a":[1,2,{"b":null}]},"status":null}`), "nulls and unknowns"
	}
	return mustJSON(v), "schema"
}

// wrongValue is a value of some type a field is unlikely to want.
func (f *fuzzer) wrongValue() any {
	switch f.rng.IntN(7) {
	case 0:
		return 12345678901234567890.0
	case 1:
		return true
	case 2:
		return []any{"a", 1, nil}
	case 3:
		return map[string]any{"nested": map[string]any{"deeper": []any{}}}
	case 4:
		return -1
	case 5:
		return "\u0000\u202e"
	}
	return 1e308
}

// sample is a value for the schema, bounded in depth.
func (f *fuzzer) sample(s *openapi3.Schema, depth int) any {
	if s == nil || depth > 4 {
		return map[string]any{}
	}
	if len(s.Enum) > 0 {
		return s.Enum[f.rng.IntN(len(s.Enum))]
	}
	for _, group := range [][]*openapi3.SchemaRef{s.AllOf, s.OneOf, s.AnyOf} {
		if len(group) > 0 && group[0].Value != nil {
			return f.sample(group[0].Value, depth+1)
		}
	}
	switch {
	case s.Type.Is("object") || len(s.Properties) > 0:
		m := map[string]any{}
		names := make([]string, 0, len(s.Properties))
		for name := range s.Properties {
			names = append(names, name)
		}
		sort.Strings(names)
		for _, name := range names {
			if p := s.Properties[name]; p.Value != nil && !p.Value.ReadOnly {
				m[name] = f.sample(p.Value, depth+1)
			}
		}
		return m
	case s.Type.Is("array"):
		if s.Items != nil && s.Items.Value != nil {
			return []any{f.sample(s.Items.Value, depth+1)}
		}
		return []any{}
	case s.Type.Is("integer"):
		return 1
	case s.Type.Is("number"):
		return 1.5
	case s.Type.Is("boolean"):
		return false
	case s.Format == "date-time":
		return "2026-03-04T15:30:00Z"
	}
	return "fuzz"
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}
