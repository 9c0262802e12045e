// Package openapi holds fakealianza's own description of the Alianza API
// (alianza.yaml, hand-written, and generic.yaml, generated from the vendor's
// spec; both embedded), loads it at start, validates requests against it,
// and validates responses for tests and strict mode.
package openapi

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/routers"
	yaml "go.yaml.in/yaml/v4"
)

//go:embed alianza.yaml
var embedded []byte

// generic.yaml is generated from the vendor's spec (go generate; see
// internal/vendorgen): the operations no hand-written rule serves.
// generic-ops.json lists its operations (path, method, operationId, tags,
// public) so a start need not decode it.
//
//go:generate go run ./internal/vendorgen/cmd/vendorgen
//go:embed generic.yaml
var generic []byte

//go:embed generic-ops.json
var genericIndex []byte

// Embedded returns the project's hand-written spec as shipped in the binary.
func Embedded() []byte { return embedded }

// EmbeddedGeneric returns the generated part of the shipped spec: the
// vendor's operations that alianza.yaml does not define.
func EmbeddedGeneric() []byte { return generic }

// Spec is a loaded OpenAPI document and its operations.
type Spec struct {
	// Doc is the main document. For the shipped spec (Load) it is
	// alianza.yaml alone: the generated operations come from a second
	// document, decoded when first needed (Complete).
	Doc  *openapi3.T
	docs [][]byte // the source documents, the main one first
	ops  []*Operation
	byID map[string]*Operation

	matcherOnce sync.Once
	matcher     *Matcher

	// The shipped spec's deferred part (nil: none).
	rest         func() (*openapi3.T, error)
	completeOnce sync.Once
	full         *openapi3.T
	completeErr  error

	rawOnce sync.Once
	raw     []byte
	rawErr  error
}

// Operation is one method on one path of the spec.
type Operation struct {
	ID     string
	Method string
	Path   string // the spec's template, e.g. /v2/partition/{partitionId}/account
	Public bool   // security: [] (no X-AUTH-TOKEN needed)
	tags   []string
	route  atomic.Pointer[routers.Route]
	// checked is route without security requirements (checkRoute).
	checked atomic.Pointer[routers.Route]
	spec    *Spec
	// declared are the statuses the operation lists (0: a default answer),
	// worked out at the first Declares.
	declaredOnce sync.Once
	declared     map[int]bool
}

// Declares reports whether the operation's spec lists status among its
// answers, or a default answer that covers it.
func (o *Operation) Declares(status int) bool {
	o.declaredOnce.Do(func() {
		o.declared = map[int]bool{}
		if r := o.Route(); r.Operation != nil && r.Operation.Responses != nil {
			for code := range r.Operation.Responses.Map() {
				if code == "default" {
					o.declared[0] = true
				} else if n, err := strconv.Atoi(code); err == nil {
					o.declared[n] = true
				}
			}
		}
	})
	return o.declared[status] || o.declared[0]
}

// IndexEntry is one operation of generic-ops.json.
type IndexEntry struct {
	Path        string   `json:"path"`
	Method      string   `json:"method"`
	OperationID string   `json:"operationId"`
	Tags        []string `json:"tags,omitempty"`
	Public      bool     `json:"public,omitempty"`
}

// Load reads the shipped spec: alianza.yaml, and the operations of
// generic.yaml that it lacks. Neither is validated at run time, which would
// be most of a start: tests validate them (TestShippedSpecIsValid). Only
// alianza.yaml is decoded now; generic.yaml is decoded by Complete, which
// the first use of a generated operation's details calls.
func Load() (*Spec, error) {
	var idx []IndexEntry
	if err := json.Unmarshal(genericIndex, &idx); err != nil {
		return nil, fmt.Errorf("openapi: generic-ops.json: %w", err)
	}
	s, err := load(false, idx, embedded)
	if err != nil {
		return nil, err
	}
	s.docs = [][]byte{embedded, generic}
	s.rest = func() (*openapi3.T, error) {
		d, err := decodeAll([][]byte{embedded, generic})
		if err != nil {
			return nil, err
		}
		if err := d.resolve(); err != nil {
			return nil, err
		}
		return d.doc, nil
	}
	return s, nil
}

// Parse parses and validates spec documents (a user's spec is always
// validated). The first is the main document; each later one adds the path
// operations and component schemas the earlier ones lack. It fails when the
// result is not valid OpenAPI 3, or when an operation lacks an operationId
// (routes are bound to handlers by operationId).
func Parse(docs ...[]byte) (*Spec, error) { return load(true, nil, docs...) }

// load decodes docs, and adds the operations of more (those the documents
// lack) without their details.
func load(validate bool, more []IndexEntry, docs ...[]byte) (*Spec, error) {
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
	order := openapi3.NewPaths()
	for path := range doc.Paths.Map() {
		order.Set(path, &openapi3.PathItem{})
	}
	pending := map[string][]IndexEntry{}
	for _, e := range more {
		if item := doc.Paths.Value(e.Path); item != nil && item.GetOperation(e.Method) != nil {
			continue
		}
		order.Set(e.Path, &openapi3.PathItem{})
		pending[e.Path] = append(pending[e.Path], e)
	}
	for _, path := range order.InMatchingOrder() {
		var list []*Operation
		if item := doc.Paths.Value(path); item != nil {
			for method, op := range item.Operations() {
				public := op.Security != nil && len(*op.Security) == 0
				o := &Operation{ID: op.OperationID, Method: method, Path: path, Public: public, tags: op.Tags, spec: s}
				o.route.Store(&routers.Route{Spec: doc, Path: path, PathItem: item, Method: method, Operation: op})
				list = append(list, o)
			}
		}
		for _, e := range pending[path] {
			list = append(list, &Operation{ID: e.OperationID, Method: e.Method, Path: path, Public: e.Public, tags: e.Tags, spec: s})
		}
		sort.Slice(list, func(i, j int) bool { return list[i].Method < list[j].Method })
		for _, o := range list {
			if o.ID == "" {
				return nil, fmt.Errorf("openapi: %s %s has no operationId", o.Method, path)
			}
			if _, dup := s.byID[o.ID]; dup {
				return nil, fmt.Errorf("openapi: operationId %s used twice", o.ID)
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

// Complete decodes the deferred part of the shipped spec, once; later
// calls return at once. The server calls it in the background when it is
// ready, so the first request to a generated operation seldom waits.
func (s *Spec) Complete() error {
	if s.rest == nil {
		return nil
	}
	s.completeOnce.Do(func() {
		full, err := s.rest()
		if err != nil {
			s.completeErr = fmt.Errorf("openapi: the generated part of the spec: %w", err)
			return
		}
		s.full = full
		for _, o := range s.ops {
			if o.route.Load() != nil {
				continue
			}
			item := full.Paths.Value(o.Path)
			op := item.GetOperation(o.Method)
			if op == nil {
				s.completeErr = fmt.Errorf("openapi: %s %s is in generic-ops.json but not in generic.yaml", o.Method, o.Path)
				return
			}
			o.route.Store(&routers.Route{Spec: full, Path: o.Path, PathItem: item, Method: o.Method, Operation: op})
		}
	})
	return s.completeErr
}

// Route is the operation's kin-openapi route: its parameters, body and
// responses. For a generated operation of the shipped spec the first call
// waits for Complete.
func (o *Operation) Route() *routers.Route {
	if r := o.route.Load(); r != nil {
		return r
	}
	if err := o.spec.Complete(); err != nil || o.route.Load() == nil {
		// Tests hold the shipped spec complete; an operation without details
		// answers as one that declares nothing.
		return &routers.Route{Spec: o.spec.Doc, Path: o.Path, PathItem: &openapi3.PathItem{}, Method: o.Method,
			Operation: &openapi3.Operation{OperationID: o.ID, Responses: openapi3.NewResponses()}}
	}
	return o.route.Load()
}

// checkRoute is the route request validation uses: Route with the
// operation's security requirements left out. The emulator checks tokens
// itself; kin-openapi's check, whose authentication function accepts
// everything, would only read the request body once more.
func (o *Operation) checkRoute() *routers.Route {
	if r := o.checked.Load(); r != nil {
		return r
	}
	r := o.Route()
	if r.Operation == nil {
		return r
	}
	op := *r.Operation
	op.Security = &openapi3.SecurityRequirements{}
	checked := *r
	checked.Operation = &op
	if o.route.Load() == r { // the operation's own route, not a stand-in: keep
		o.checked.Store(&checked)
	}
	return &checked
}

// Raw is the spec as one YAML document: the main document as written when
// it is the only one, else the merged document.
func (s *Spec) Raw() ([]byte, error) {
	if len(s.docs) == 1 {
		return s.docs[0], nil
	}
	s.rawOnce.Do(func() {
		doc := s.Doc
		if s.rest != nil {
			if s.rawErr = s.Complete(); s.rawErr != nil {
				return
			}
			doc = s.full
		}
		s.raw, s.rawErr = yaml.Marshal(doc)
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
func (o *Operation) Tags() []string { return o.tags }

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
