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
// response field fails validation. Subtypes (allOf a base and more fields)
// are merged first, and a base with oneOf/anyOf subtypes is left open, its
// subtypes closed: each allOf part closed alone would refuse the other's
// fields, so no subtype with fields of its own could pass.
func NewResponseValidator(docs ...[]byte) (*ResponseValidator, error) {
	s, err := Parse(docs...)
	if err != nil {
		return nil, err
	}
	var schemas []*openapi3.SchemaRef
	for _, ref := range s.Doc.Components.Schemas {
		schemas = append(schemas, ref)
	}
	for _, op := range s.ops {
		for _, resp := range op.Route().Operation.Responses.Map() {
			if resp.Value == nil {
				continue
			}
			for _, mt := range resp.Value.Content {
				schemas = append(schemas, mt.Schema)
			}
		}
	}
	for _, pass := range []func(*openapi3.Schema){mergeAllOf, closeObject} {
		seen := map[*openapi3.Schema]bool{}
		for _, ref := range schemas {
			eachSchema(ref, seen, pass)
		}
	}
	return &ResponseValidator{spec: s, matcher: s.NewMatcher()}, nil
}

// eachSchema calls visit on every schema reachable from ref once, the ones
// a schema holds before it.
func eachSchema(ref *openapi3.SchemaRef, seen map[*openapi3.Schema]bool, visit func(*openapi3.Schema)) {
	if ref == nil || ref.Value == nil || seen[ref.Value] {
		return
	}
	sc := ref.Value
	seen[sc] = true
	for _, p := range sc.Properties {
		eachSchema(p, seen, visit)
	}
	eachSchema(sc.Items, seen, visit)
	eachSchema(sc.AdditionalProperties.Schema, seen, visit)
	for _, l := range []openapi3.SchemaRefs{sc.OneOf, sc.AnyOf, sc.AllOf} {
		for _, p := range l {
			eachSchema(p, seen, visit)
		}
	}
	visit(sc)
}

// closeObject refuses properties an object schema does not name, unless it
// says otherwise or is a base whose subtypes (closed themselves) decide.
func closeObject(sc *openapi3.Schema) {
	if len(sc.Properties) > 0 && sc.AdditionalProperties.Has == nil && sc.AdditionalProperties.Schema == nil &&
		len(sc.OneOf) == 0 && len(sc.AnyOf) == 0 {
		no := false
		sc.AdditionalProperties.Has = &no
	}
}

// mergeAllOf rewrites, in the validator's copy, a schema that is an allOf
// of parts into one schema holding the parts' properties and required
// fields (a part that is itself an allOf is merged first, by eachSchema's
// order), its discriminator narrowed to its own literal. A part's own
// oneOf/anyOf is dropped only when it lists the schema being merged (a
// base naming its subtypes); an allOf with any other part is left as it is.
func mergeAllOf(sc *openapi3.Schema) {
	if len(sc.AllOf) == 0 {
		return
	}
	for _, p := range sc.AllOf {
		if p.Value == nil || len(p.Value.AllOf) > 0 ||
			(len(p.Value.OneOf)+len(p.Value.AnyOf) > 0 && !names(p.Value, sc)) {
			return
		}
	}
	props := openapi3.Schemas{}
	required := []string{}
	var tag, literal string
	for _, p := range sc.AllOf {
		for k, v := range p.Value.Properties {
			props[k] = v
		}
		required = append(required, p.Value.Required...)
		if sc.Type == nil {
			sc.Type = p.Value.Type
		}
		if d := p.Value.Discriminator; d != nil && names(p.Value, sc) {
			tag, literal = d.PropertyName, subtypeName(p.Value, sc)
		}
	}
	for k, v := range sc.Properties {
		props[k] = v
	}
	// The subtype's tag is its own literal: the validator does not follow a
	// discriminator of an anyOf, so a value must not pass as a sibling.
	if p := props[tag]; p != nil && p.Value != nil && inEnum(p.Value.Enum, literal) {
		one := *p.Value
		one.Enum = []any{literal}
		props[tag] = &openapi3.SchemaRef{Value: &one}
	}
	sc.Properties, sc.Required, sc.AllOf = props, append(required, sc.Required...), nil
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
