package openapi

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
)

// ResponseValidator checks responses against a strict reading of the spec:
// the status must be declared, the body must match its schema, and objects
// must not carry properties the spec does not name. Tests run every response
// through it.
type ResponseValidator struct {
	spec    *Spec
	matcher *Matcher
}

func init() {
	// PEM (GET /__admin/ca.pem) is text; validate it as text/plain is.
	openapi3filter.RegisterBodyDecoder("application/x-pem-file", openapi3filter.PlainBodyDecoder)
}

var responseOptions = &openapi3filter.Options{
	AuthenticationFunc:    openapi3filter.NoopAuthenticationFunc,
	IncludeResponseStatus: true,
	SkipSettingDefaults:   true,
}

// NewResponseValidator loads its own copy of the raw spec and closes every
// object schema that leaves additionalProperties open, so an undeclared
// response field fails validation.
func NewResponseValidator(docs ...[]byte) (*ResponseValidator, error) {
	s, err := Parse(docs...)
	if err != nil {
		return nil, err
	}
	seen := map[*openapi3.Schema]bool{}
	for _, ref := range s.Doc.Components.Schemas {
		closeObjects(ref, seen)
	}
	for _, op := range s.ops {
		for _, resp := range op.Route().Operation.Responses.Map() {
			if resp.Value == nil {
				continue
			}
			for _, mt := range resp.Value.Content {
				closeObjects(mt.Schema, seen)
			}
		}
	}
	return &ResponseValidator{spec: s, matcher: s.NewMatcher()}, nil
}

func closeObjects(ref *openapi3.SchemaRef, seen map[*openapi3.Schema]bool) {
	if ref == nil || ref.Value == nil || seen[ref.Value] {
		return
	}
	sc := ref.Value
	seen[sc] = true
	if len(sc.Properties) > 0 && sc.AdditionalProperties.Has == nil && sc.AdditionalProperties.Schema == nil {
		no := false
		sc.AdditionalProperties.Has = &no
	}
	for _, p := range sc.Properties {
		closeObjects(p, seen)
	}
	closeObjects(sc.Items, seen)
	closeObjects(sc.AdditionalProperties.Schema, seen)
	for _, l := range []openapi3.SchemaRefs{sc.OneOf, sc.AnyOf, sc.AllOf} {
		for _, s := range l {
			closeObjects(s, seen)
		}
	}
}

// Validate checks one exchange. A request that matches no operation is
// accepted only when the response is the 404 ResourceNotFound envelope.
func (v *ResponseValidator) Validate(req *http.Request, status int, header http.Header, body []byte) error {
	op, vars, ok := v.matcher.Match(req)
	if !ok {
		if status == http.StatusNotFound && bytes.Contains(body, []byte(`"ResourceNotFound"`)) {
			return nil
		}
		return fmt.Errorf("%s %s matches no operation of the spec but answered %d", req.Method, req.URL.Path, status)
	}
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{
			Request: req, PathParams: vars, Route: op.Route(), Options: responseOptions,
		},
		Status:  status,
		Header:  header,
		Body:    io.NopCloser(bytes.NewReader(body)),
		Options: responseOptions,
	}
	if err := openapi3filter.ValidateResponse(context.Background(), in); err != nil {
		return fmt.Errorf("%s %s (%s) -> %d: %w", req.Method, req.URL.Path, op.ID, status, err)
	}
	return nil
}
