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
	yaml "go.yaml.in/yaml/v4"
)

//go:embed alianza.yaml
var embedded []byte

// generic.yaml is generated from the vendor's spec (go generate; see
// internal/vendorgen): the operations no hand-written rule serves.
//
//go:generate go run ./internal/vendorgen/cmd/vendorgen
//go:embed generic.yaml
var generic []byte

// Embedded returns the project's hand-written spec as shipped in the binary.
func Embedded() []byte { return embedded }

// EmbeddedGeneric returns the generated part of the shipped spec: the
// vendor's operations that alianza.yaml does not define.
func EmbeddedGeneric() []byte { return generic }

// Spec is a loaded OpenAPI document and its operations.
type Spec struct {
	Doc  *openapi3.T
	docs [][]byte // the source documents, the main one first
	ops  []*Operation
	byID map[string]*Operation

	matcherOnce sync.Once
	matcher     *Matcher
	rawOnce     sync.Once
	raw         []byte
	rawErr      error
}

// Operation is one method on one path of the spec.
type Operation struct {
	ID     string
	Method string
	Path   string // the spec's template, e.g. /v2/partition/{partitionId}/account
	Public bool   // security: [] (no X-AUTH-TOKEN needed)
	Route  *routers.Route
}

// Load reads the shipped spec: alianza.yaml with the operations and schemas
// of generic.yaml that it lacks. It is not validated at run time, which
// would be most of a start: tests validate it (TestShippedSpecIsValid).
func Load() (*Spec, error) { return load(false, embedded, generic) }

// Parse parses and validates spec documents (a user's spec is always
// validated). The first is the main document; each later one adds the path
// operations and component schemas the earlier ones lack. It fails when the
// result is not valid OpenAPI 3, or when an operation lacks an operationId
// (routes are bound to handlers by operationId).
func Parse(docs ...[]byte) (*Spec, error) { return load(true, docs...) }

func load(validate bool, docs ...[]byte) (*Spec, error) {
	if len(docs) == 0 {
		return nil, fmt.Errorf("openapi: no document")
	}
	d, err := decodeAll(docs)
	if err != nil {
		return nil, err
	}
	doc := d.doc
	s := &Spec{Doc: doc, docs: docs, byID: map[string]*Operation{}}
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
	if err == nil && validate {
		err = d.validate()
	}
	<-built
	if err != nil {
		// Report what kin-openapi's own loader says of a lone document.
		if len(docs) == 1 {
			if _, slow := loadOne(docs[0]); slow != nil {
				return nil, slow
			}
		}
		return nil, fmt.Errorf("openapi: invalid spec: %w", err)
	}
	return s, nil
}

// Raw is the spec as one YAML document: the main document as written when
// it is the only one, else the merged document.
func (s *Spec) Raw() ([]byte, error) {
	if len(s.docs) == 1 {
		return s.docs[0], nil
	}
	s.rawOnce.Do(func() {
		s.raw, s.rawErr = yaml.Marshal(s.Doc)
	})
	return s.raw, s.rawErr
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
