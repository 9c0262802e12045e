package openapi

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

const testSpec = `openapi: 3.0.3
info: {title: t, version: '1'}
paths:
  /v2/partition/{partitionId}/thing:
    parameters:
      - {name: partitionId, in: path, required: true, schema: {type: string}}
    post:
      operationId: createThing
      parameters:
        - {name: accountIdType, in: query, schema: {type: string, enum: [Id, AccountNumber]}}
        - {name: month, in: query, required: true, schema: {type: integer}}
      requestBody:
        required: true
        content:
          application/json:
            schema: {$ref: '#/components/schemas/Thing'}
      responses:
        '200': {description: ok}
components:
  schemas:
    Thing:
      type: object
      required: [accountName]
      properties:
        accountName: {type: string, minLength: 3}
        timeZone: {type: string, enum: [US/Eastern, US/Central]}
        lines:
          type: array
          items:
            type: object
            properties:
              macAddress: {type: string, pattern: '^[0-9A-Fa-f]{12}$'}
`

func TestValidateRequestMessageCodes(t *testing.T) {
	spec, err := Parse([]byte(testSpec))
	if err != nil {
		t.Fatal(err)
	}
	m := spec.NewMatcher()
	cases := []struct {
		name, query, body, want string
	}{
		{"valid", "month=3", `{"accountName":"Acme"}`, ""},
		{"missing required field", "month=3", `{"timeZone":"US/Eastern"}`, "AccountNameRequired"},
		{"enum violation", "month=3", `{"accountName":"Acme","timeZone":"Mars/Base"}`, "InvalidValueForField:timeZone"},
		{"too short", "month=3", `{"accountName":"A"}`, "InvalidValueForField:accountName"},
		{"nested pattern", "month=3", `{"accountName":"Acme","lines":[{"macAddress":"zz"}]}`, "InvalidValueForField:macAddress"},
		{"wrong type", "month=3", `{"accountName":42}`, "InvalidValueForField:accountName"},
		{"malformed json", "month=3", `{"accountName":`, "InvalidRequestBody"},
		{"missing body", "month=3", ``, "RequestBodyRequired"},
		{"missing query param", "", `{"accountName":"Acme"}`, "MonthRequired"},
		{"bad query enum", "month=3&accountIdType=Nope", `{"accountName":"Acme"}`, "InvalidValueForField:accountIdType"},
		{"bad query type", "month=march", `{"accountName":"Acme"}`, "InvalidValueForField:month"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodPost, "/v2/partition/p1/thing?"+c.query, strings.NewReader(c.body))
			if c.body != "" {
				r.Header.Set("Content-Type", "application/json")
			} else {
				r.Body = http.NoBody
			}
			op, vars, ok := m.Match(r)
			if !ok || op.ID != "createThing" || vars["partitionId"] != "p1" {
				t.Fatalf("match: %v %v %v", op, vars, ok)
			}
			f := spec.ValidateRequest(context.Background(), r, op, vars)
			got := ""
			if f != nil {
				got = f.Code
				if f.Status != http.StatusBadRequest {
					t.Errorf("status %d, want 400", f.Status)
				}
			}
			if got != c.want {
				t.Errorf("code %q, want %q (detail: %v)", got, c.want, f)
			}
		})
	}
}

func TestMatcherDoesNotCleanPaths(t *testing.T) {
	spec, err := Parse([]byte(testSpec))
	if err != nil {
		t.Fatal(err)
	}
	m := spec.NewMatcher()
	for _, p := range []string{"/v2/partition//thing", "/v2/partition/p1/thing/", "/v2/partition/p1/../p1/thing"} {
		r := httptest.NewRequest(http.MethodPost, p, nil)
		if op, _, ok := m.Match(r); ok {
			t.Errorf("%s matched %s", p, op.ID)
		}
	}
	if _, _, ok := m.Match(httptest.NewRequest(http.MethodGet, "/v2/partition/p1/thing", nil)); ok {
		t.Error("GET matched an operation that only has POST")
	}
}

func TestParseRejectsBadSpecs(t *testing.T) {
	cases := map[string]string{
		"not yaml":        "::: not a spec",
		"no operationId":  strings.Replace(testSpec, "operationId: createThing", "summary: x", 1),
		"dangling ref":    strings.Replace(testSpec, "#/components/schemas/Thing", "#/components/schemas/Nope", 1),
		"bad schema type": strings.Replace(testSpec, "type: integer", "type: whole-number", 1),
	}
	for name, doc := range cases {
		if _, err := Parse([]byte(doc)); err == nil {
			t.Errorf("%s: Parse accepted it", name)
		}
	}
}

func TestEmbeddedSpecLoads(t *testing.T) {
	s, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Operations()) == 0 {
		t.Fatal("no operations")
	}
	if _, err := NewResponseValidator(Embedded()); err != nil {
		t.Fatal(err)
	}
}

func TestResponseValidatorIsStrict(t *testing.T) {
	v, err := NewResponseValidator(Embedded())
	if err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest(http.MethodGet, "/__admin/health", nil)
	h := http.Header{"Content-Type": {"application/json"}}
	if err := v.Validate(req, 200, h, []byte(`{"status":"ok"}`)); err != nil {
		t.Errorf("valid response rejected: %v", err)
	}
	for name, c := range map[string]struct {
		status int
		body   string
	}{
		"undeclared field":  {200, `{"status":"ok","extra":1}`},
		"undeclared status": {201, `{"status":"ok"}`},
		"bad enum":          {200, `{"status":"fine"}`},
	} {
		if err := v.Validate(req, c.status, h, []byte(c.body)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	unknown := httptest.NewRequest(http.MethodGet, "/v2/nowhere", nil)
	if err := v.Validate(unknown, 200, h, []byte(`{}`)); err == nil {
		t.Error("a 200 on an unknown path was accepted")
	}
	if err := v.Validate(unknown, 404, h, []byte(`{"status":404,"messages":["ResourceNotFound"]}`)); err != nil {
		t.Errorf("404 on unknown path rejected: %v", err)
	}
}

// A request whose method the most specific matching path lacks goes on to
// the next path that matches: PUT .../account/search is an update of the
// account whose id is "search", GET is the search, POST is nothing.
func TestMatcherFallsThroughOnMethod(t *testing.T) {
	spec, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	m := spec.NewMatcher()
	cases := []struct {
		method, want string
	}{
		{http.MethodGet, "accountSearch"},
		{http.MethodPut, "updateAccount"},
		{http.MethodDelete, "deleteAccount"},
		{http.MethodPost, ""},
		{http.MethodHead, ""},
	}
	for _, c := range cases {
		op, vars, ok := m.Match(httptest.NewRequest(c.method, "/v2/partition/p1/account/search", nil))
		switch {
		case c.want == "" && ok:
			t.Errorf("%s matched %s", c.method, op.ID)
		case c.want != "" && (!ok || op.ID != c.want):
			t.Errorf("%s: matched %v %v, want %s", c.method, ok, op, c.want)
		case c.want == "updateAccount" && vars["accountId"] != "search":
			t.Errorf("%s: vars %v", c.method, vars)
		}
	}
}

// Subtypes (allOf a base and fields of their own) validate strictly: a
// subtype's own fields pass, another subtype's fields and stray ones fail.
func TestResponseValidatorClosesSubtypes(t *testing.T) {
	v, err := NewResponseValidator(Embedded(), EmbeddedGeneric())
	if err != nil {
		t.Fatal(err)
	}
	h := http.Header{"Content-Type": {"application/json"}}
	handling := httptest.NewRequest(http.MethodGet, "/v2/partition/P/account/A/business-line/L/call-handling", nil)
	graph := httptest.NewRequest(http.MethodGet, "/v2/ces/deviceGraph/M", nil)
	ch := func(busy, timeout string) string {
		return `{"activeCallHandling":"RING_LINE","busyFailoverAction":` + busy +
			`,"unregisteredFailoverAction":{"@type":"BusyRingFailoverAction"},"ringTimeoutConfiguration":` + timeout + `}`
	}
	const unlimited, busy = `{"@type":"UnlimitedRingTimeoutConfiguration"}`, `{"@type":"BusyRingFailoverAction"}`
	for _, c := range []struct {
		name string
		req  *http.Request
		body string
		ok   bool
	}{
		{"plain subtypes", handling, ch(busy, unlimited), true},
		{"a subtype's own fields", handling, ch(`{"@type":"ForwardRingFailoverAction","forwardToPhoneNumber":"18015550100"}`,
			`{"@type":"LimitedRingTimeoutConfiguration","timeoutSeconds":20,"noAnswerAction":{"@type":"VoicemailRingFailoverAction"}}`), true},
		{"another subtype's field", handling, ch(`{"@type":"BusyRingFailoverAction","forwardToPhoneNumber":"18015550100"}`, unlimited), false},
		{"a stray field in a subtype", handling, ch(busy, `{"@type":"UnlimitedRingTimeoutConfiguration","timeoutSeconds":20}`), false},
		{"a subtype's required field missing", handling, ch(busy, `{"@type":"LimitedRingTimeoutConfiguration"}`), false},
		{"no discriminator", handling, ch(`{}`, unlimited), false},
		{"oneOf of allOfs", graph, `{"macAddress":"00AABBCCDDEE","telephoneNumbers":["18015550100"]}`, true},
		{"fields of both", graph, `{"telephoneNumbers":[],"tnas":[]}`, false},
		{"a stray field", graph, `{"telephoneNumbers":[],"extra":1}`, false},
	} {
		err := v.Validate(c.req, 200, h, []byte(c.body))
		if (err == nil) != c.ok {
			t.Errorf("%s: accepted %v, want %v (%v)", c.name, err == nil, c.ok, err)
		}
	}
}
