package openapi

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	yaml "go.yaml.in/yaml/v4"
)

// Reading a spec: go.yaml.in/yaml builds each document's node tree and
// kin-openapi decodes it, the documents on goroutines of their own; then
// the later documents' operations and schemas join the first, references
// resolve, and (for a user's spec) the whole is validated. A test holds the
// result to kin-openapi's own loader.

// decodeAll reads several documents at once and adds to the first what the
// later ones hold and it lacks: path operations (by path and method) and
// component schemas (by name). References are left unresolved, so a later
// document may use the first one's schemas.
func decodeAll(docs [][]byte) (*openapi3.T, error) {
	out := make([]*openapi3.T, len(docs))
	errs := make([]error, len(docs))
	var wg sync.WaitGroup
	for i, raw := range docs {
		wg.Go(func() { out[i], errs[i] = decodePlain(raw) })
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	for _, more := range out[1:] {
		merge(out[0], more)
	}
	return out[0], nil
}

// decodePlain decodes a document without resolving its references.
func decodePlain(raw []byte) (*openapi3.T, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(raw, &root); err != nil {
		return nil, fmt.Errorf("openapi: parse spec: %w", err)
	}
	if err := prepare(&root); err != nil {
		return nil, fmt.Errorf("openapi: parse spec: %w", err)
	}
	doc := &openapi3.T{}
	if err := root.Decode(doc); err != nil {
		return nil, fmt.Errorf("openapi: parse spec: %w", err)
	}
	for path, item := range doc.Paths.Map() {
		if item.Ref != "" {
			// A path item that is a reference changes its operations when
			// resolved; the server reads operations before that.
			return nil, fmt.Errorf("openapi: path %s: path item references are not supported", path)
		}
	}
	return doc, nil
}

// resolve resolves a decoded document's references.
func resolve(doc *openapi3.T) error { return openapi3.NewLoader().ResolveRefsIn(doc, nil) }

// validate checks a resolved document.
func validate(doc *openapi3.T) error { return doc.Validate(context.Background()) }

// merge adds to doc the operations and schemas of more that doc lacks.
func merge(doc, more *openapi3.T) {
	if doc.Paths == nil {
		doc.Paths = openapi3.NewPaths()
	}
	for path, item := range more.Paths.Map() {
		have := doc.Paths.Value(path)
		if have == nil {
			doc.Paths.Set(path, item)
			continue
		}
		for method, op := range item.Operations() {
			if have.GetOperation(method) == nil {
				have.SetOperation(method, op)
			}
		}
	}
	if more.Components == nil {
		return
	}
	if doc.Components == nil {
		doc.Components = &openapi3.Components{}
	}
	if doc.Components.Schemas == nil {
		doc.Components.Schemas = openapi3.Schemas{}
	}
	for name, s := range more.Components.Schemas {
		if _, ok := doc.Components.Schemas[name]; !ok {
			doc.Components.Schemas[name] = s
		}
	}
}

// loadOne is kin-openapi's own load and validation of a document.
func loadOne(raw []byte) (*openapi3.T, error) {
	doc, err := openapi3.NewLoader().LoadFromData(raw)
	if err != nil {
		return nil, fmt.Errorf("openapi: parse spec: %w", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		return nil, fmt.Errorf("openapi: invalid spec: %w", err)
	}
	return doc, nil
}

// prepare does to the tree what kin-openapi does before it decodes one:
// mapping keys are read as the text they were written in, timestamps as
// strings, and infinities and NaN are refused.
func prepare(n *yaml.Node) error {
	switch n.Kind {
	case yaml.ScalarNode:
		switch n.Tag {
		case "!!timestamp":
			n.Tag = "!!str"
		case "!!float":
			if f, err := strconv.ParseFloat(strings.TrimPrefix(n.Value, "+"), 64); err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
				return fmt.Errorf("line %d: %q is not a finite number", n.Line, n.Value)
			}
		}
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			if k.Kind != yaml.ScalarNode || k.Tag == "!!null" {
				return fmt.Errorf("line %d: a mapping key must be a string", k.Line)
			}
			k.Tag = "!!str"
		}
	case yaml.AliasNode:
		if n.Alias != nil {
			return prepare(n.Alias)
		}
	}
	for _, c := range n.Content {
		if err := prepare(c); err != nil {
			return err
		}
	}
	return nil
}
