// Package openapi holds fakealianza's own description of the Alianza API
// (alianza.yaml, embedded), loads and checks it once at start, validates
// requests against it, and validates responses for tests and strict mode.
package openapi

import (
	_ "embed"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/routers"
)

//go:embed alianza.yaml
var embedded []byte

// Embedded returns the project's spec as shipped in the binary.
func Embedded() []byte { return embedded }

// Spec is a loaded, validated OpenAPI document and its operations.
type Spec struct {
	Doc  *openapi3.T
	Raw  []byte
	ops  []*Operation
	byID map[string]*Operation

	matcherOnce sync.Once
	matcher     *Matcher
}

// Operation is one method on one path of the spec.
type Operation struct {
	ID     string
	Method string
	Path   string // the spec's template, e.g. /v2/partition/{partitionId}/account
	Public bool   // security: [] (no X-AUTH-TOKEN needed)
	Route  *routers.Route
}

// Load parses and validates the embedded spec.
func Load() (*Spec, error) { return Parse(embedded) }

// Parse parses and validates a spec document. It fails when the document is
// not valid OpenAPI 3, or when an operation lacks an operationId (routes are
// bound to handlers by operationId).
func Parse(raw []byte) (*Spec, error) {
	d, err := decode(raw)
	if err != nil {
		return nil, err
	}
	doc := d.doc
	s := &Spec{Doc: doc, Raw: raw, byID: map[string]*Operation{}}
	// Most specific paths first (literal segments before parameters), then by
	// method, so routers built from this list match the way Alianza's does.
	for _, path := range doc.Paths.InMatchingOrder() {
		item := doc.Paths.Value(path)
		ops := item.Operations()
		methods := make([]string, 0, len(ops))
		for m := range ops {
			methods = append(methods, m)
		}
		sort.Strings(methods)
		for _, method := range methods {
			op := ops[method]
			if op.OperationID == "" {
				return nil, fmt.Errorf("openapi: %s %s has no operationId", method, path)
			}
			if _, dup := s.byID[op.OperationID]; dup {
				return nil, fmt.Errorf("openapi: operationId %s used twice", op.OperationID)
			}
			public := false
			if op.Security != nil && len(*op.Security) == 0 {
				public = true
			}
			o := &Operation{
				ID: op.OperationID, Method: method, Path: path, Public: public,
				Route: &routers.Route{Spec: doc, Path: path, PathItem: item, Method: method, Operation: op},
			}
			s.ops = append(s.ops, o)
			s.byID[o.ID] = o
		}
	}
	// The matcher reads only paths, methods and ids: build it on the other
	// core while references resolve and the document is validated.
	built := make(chan struct{})
	go func() {
		s.Matcher()
		close(built)
	}()
	err = d.resolve()
	if err == nil {
		err = d.validate()
	}
	<-built
	if err != nil {
		// Report what kin-openapi's own loader says of the document.
		if _, slow := loadOne(raw); slow != nil {
			return nil, slow
		}
		return nil, fmt.Errorf("openapi: invalid spec: %w", err)
	}
	return s, nil
}

// Operations lists every operation, most specific paths first.
func (s *Spec) Operations() []*Operation { return s.ops }

// Operation finds an operation by its operationId.
func (s *Spec) Operation(id string) (*Operation, bool) {
	o, ok := s.byID[id]
	return o, ok
}

// Tags returns the operation's tags.
func (o *Operation) Tags() []string { return o.Route.Operation.Tags }

// IsAdmin reports whether the operation belongs to the /__admin API.
func (o *Operation) IsAdmin() bool { return strings.HasPrefix(o.Path, "/__admin") }

// MethodAllowsBody reports whether requests of this method carry a body.
func MethodAllowsBody(method string) bool {
	switch method {
	case http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete:
		return true
	}
	return false
}
