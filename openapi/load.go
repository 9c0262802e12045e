package openapi

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	yaml "go.yaml.in/yaml/v4"

	"github.com/fakealianza/fakealianza/openapi/internal/blockyaml"
)

// Reading the spec is most of a server's start, so a document written the
// way ours is (block YAML, see internal/blockyaml) takes a fast path: our own
// parser builds the node tree, kin-openapi decodes its components and slices
// of its paths on all cores at once, then resolves references and validates
// the whole as usual. Any other document, and any document the fast path
// cannot finish, is loaded by kin-openapi's own loader, whose error is the
// one reported. A test holds both paths to the same document.

// decoded is a document whose references are not yet resolved.
type decoded struct {
	doc  *openapi3.T
	fast bool
}

// decode reads raw, on the fast path when it can.
func decode(raw []byte) (*decoded, error) {
	if doc, err := decodeFast(raw); err == nil {
		return &decoded{doc: doc, fast: true}, nil
	}
	doc, err := loadOne(raw)
	if err != nil {
		return nil, err
	}
	return &decoded{doc: doc}, nil
}

// decodeAll reads several documents at once and adds to the first what the
// later ones hold and it lacks: path operations (by path and method) and
// component schemas (by name). References resolve after the merge, so a
// later document may use the first one's schemas.
func decodeAll(docs [][]byte) (*decoded, error) {
	if len(docs) == 1 {
		return decode(docs[0])
	}
	out := make([]*openapi3.T, len(docs))
	errs := make([]error, len(docs))
	var wg sync.WaitGroup
	for i, raw := range docs {
		wg.Go(func() { out[i], errs[i] = decodeUnresolved(raw) })
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	main := out[0]
	for _, more := range out[1:] {
		merge(main, more)
	}
	return &decoded{doc: main, fast: true}, nil
}

// decodeUnresolved decodes a document without resolving its references.
func decodeUnresolved(raw []byte) (*openapi3.T, error) {
	if doc, err := decodeFast(raw); err == nil {
		return doc, nil
	}
	return decodePlain(raw)
}

// decodePlain decodes a document with go.yaml.in/yaml and kin-openapi alone.
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
	return doc, nil
}

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

// resolve resolves references (loadOne already did, the fast path has not).
func (d *decoded) resolve() error {
	if !d.fast {
		return nil
	}
	return openapi3.NewLoader().ResolveRefsIn(d.doc, nil)
}

// validate checks the resolved document (loadOne already did). The fast
// path runs kin-openapi's Validate on two documents at once: one with every
// part but half of the paths, and one with the other half, the security
// schemes, and the first half's paths as empty items, so that two templates
// that match the same URLs are still found across the halves. (An
// operationId used in both halves is what Parse looks for itself.)
func (d *decoded) validate() error {
	if !d.fast {
		return nil
	}
	doc := d.doc
	paths := doc.Paths.InMatchingOrder()
	if len(paths) < 2 || doc.Components == nil || len(doc.Paths.Extensions) > 0 {
		return doc.Validate(context.Background())
	}
	a, b := openapi3.NewPaths(), openapi3.NewPaths()
	for i, path := range paths {
		if i%2 == 0 {
			a.Set(path, doc.Paths.Value(path))
			b.Set(path, &openapi3.PathItem{})
		} else {
			b.Set(path, doc.Paths.Value(path))
		}
	}
	first := *doc
	first.Paths = a
	second := &openapi3.T{
		OpenAPI: doc.OpenAPI, Info: doc.Info, Security: doc.Security, Paths: b,
		Components: &openapi3.Components{SecuritySchemes: doc.Components.SecuritySchemes},
	}
	var secondErr error
	done := make(chan struct{})
	go func() {
		secondErr = second.Validate(context.Background())
		close(done)
	}()
	err := first.Validate(context.Background())
	<-done
	return errors.Join(err, secondErr)
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

var errNotFast = errors.New("openapi: not for the fast path")

// decodeFast reads the document with blockyaml and decodes it in parts on
// every core: the components, slices of the paths, and the rest. A document
// laid out in the usual way (top-level keys at column 0, "paths:" and
// "components:" holding blocks) is cut into parts by its lines, and each
// part is parsed and decoded on its own goroutine; any other is parsed whole
// first, then decoded in the same parts.
func decodeFast(raw []byte) (*openapi3.T, error) {
	if parts, ok := splitLines(raw); ok {
		if doc, err := decodeParts(parts); err == nil {
			return doc, nil
		}
	}
	return decodeWhole(raw)
}

// decodeWhole parses the document whole, then decodes it in parts.
func decodeWhole(raw []byte) (*openapi3.T, error) {
	root, err := blockyaml.Parse(raw)
	if err != nil {
		return nil, err
	}
	parts, err := splitTree(root.Content[0])
	if err != nil {
		return nil, err
	}
	return decodeParts(parts)
}

// part is one piece of the document to decode: top-level entries other than
// paths and components (a header), the components, or some path entries.
type part struct {
	kind partKind
	node func() (*yaml.Node, error) // the mapping of the part's entries
}

type partKind int

const (
	headerPart partKind = iota
	componentsPart
	pathsPart
)

// decodeParts decodes every part on its own goroutine and puts the document
// together.
func decodeParts(parts []part) (*openapi3.T, error) {
	type result struct {
		node  *yaml.Node
		paths openapi3.Paths
		comps *openapi3.Components
		err   error
	}
	results := make([]result, len(parts))
	var wg sync.WaitGroup
	for i, p := range parts {
		wg.Go(func() {
			r := &results[i]
			if r.node, r.err = p.node(); r.err != nil {
				return
			}
			if r.err = prepare(r.node); r.err != nil {
				return
			}
			switch p.kind {
			case componentsPart:
				r.comps = &openapi3.Components{}
				r.err = r.comps.UnmarshalYAML(r.node)
			case pathsPart:
				r.err = r.paths.UnmarshalYAML(r.node)
			}
		})
	}
	wg.Wait()
	shell := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Line: 1, Column: 1}
	doc := &openapi3.T{}
	var paths *openapi3.Paths
	seen := map[string]bool{}
	for i, r := range results {
		if r.err != nil {
			return nil, r.err
		}
		switch parts[i].kind {
		case headerPart:
			for k := 0; k < len(r.node.Content); k += 2 {
				key := r.node.Content[k].Value
				if seen[key] || key == "paths" || key == "components" {
					return nil, errNotFast
				}
				seen[key] = true
			}
			shell.Content = append(shell.Content, r.node.Content...)
		case componentsPart:
			if doc.Components != nil {
				return nil, errNotFast
			}
			doc.Components = r.comps
		case pathsPart:
			if paths == nil {
				paths = &results[i].paths
				continue
			}
			for path, item := range r.paths.Map() {
				if paths.Value(path) != nil {
					return nil, errNotFast
				}
				paths.Set(path, item)
			}
			if len(r.paths.Extensions) > 0 {
				return nil, errNotFast
			}
		}
	}
	if paths == nil || doc.Components == nil {
		return nil, errNotFast
	}
	for _, item := range paths.Map() {
		if item.Ref != "" {
			// A path item that is a reference changes its operations when
			// resolved; the server reads operations before that.
			return nil, errNotFast
		}
	}
	components := doc.Components
	if err := doc.UnmarshalYAML(shell); err != nil {
		return nil, err
	}
	doc.Paths, doc.Components = paths, components
	return doc, nil
}

// splitLines cuts a document into parts by its lines. Each part's lines are
// parsed on their own (with blockyaml.ParseAt, keeping their line numbers),
// so an alias to an anchor in another part fails that part, and the caller
// parses the document whole instead.
func splitLines(raw []byte) ([]part, bool) {
	lines := bytes.SplitAfter(raw, []byte("\n"))
	if n := len(lines); n > 0 && len(lines[n-1]) == 0 {
		lines = lines[:n-1]
	}
	// Top-level keys: the lines at column 0 that are not blank or comments.
	type section struct {
		key        string
		start, end int  // lines [start, end)
		block      bool // nothing after the key's colon
	}
	var sections []section
	for i, l := range lines {
		if len(l) == 0 || l[0] == ' ' || l[0] == '#' || l[0] == '\n' {
			continue
		}
		k := bytes.IndexByte(l, ':')
		if k <= 0 || l[0] == '-' || l[0] == '\t' || l[0] == '\'' || l[0] == '"' || (k+1 < len(l) && l[k+1] != ' ' && l[k+1] != '\n') {
			return nil, false
		}
		rest := bytes.TrimSpace(l[k+1:])
		sections = append(sections, section{key: string(l[:k]), start: i, block: len(rest) == 0 || rest[0] == '#'})
		if n := len(sections); n > 1 {
			sections[n-2].end = i
		}
	}
	if len(sections) == 0 {
		return nil, false
	}
	sections[0].start = 0
	sections[len(sections)-1].end = len(lines)
	join := func(from, to int) []byte { return bytes.Join(lines[from:to], nil) }
	parse := func(from, to int, inner bool) func() (*yaml.Node, error) {
		return func() (*yaml.Node, error) {
			root, err := blockyaml.ParseAt(join(from, to), from+1)
			if err != nil {
				return nil, err
			}
			n := root.Content[0]
			if n.Kind != yaml.MappingNode {
				return nil, errNotFast
			}
			if inner {
				// "components:" and its block: the block.
				if len(n.Content) != 2 || n.Content[1].Kind != yaml.MappingNode {
					return nil, errNotFast
				}
				n = n.Content[1]
			}
			return n, nil
		}
	}
	size := max(200, len(lines)/8)
	var parts []part
	header := -1 // start of the header run being gathered
	for i, s := range sections {
		special := s.block && (s.key == "paths" || s.key == "components")
		if !special {
			if header < 0 {
				header = s.start
			}
			if i+1 == len(sections) || sections[i+1].block && (sections[i+1].key == "paths" || sections[i+1].key == "components") {
				parts = append(parts, part{kind: headerPart, node: parse(header, s.end, false)})
				header = -1
			}
			continue
		}
		if s.key == "components" {
			parts = append(parts, part{kind: componentsPart, node: parse(s.start, s.end, true)})
			continue
		}
		// Path entries: the lines at the indentation of the first one.
		indent, first := -1, -1
		for j := s.start + 1; j < s.end; j++ {
			t := bytes.TrimLeft(lines[j], " ")
			if len(t) == 0 || t[0] == '\n' || t[0] == '#' {
				continue
			}
			indent, first = len(lines[j])-len(t), j
			break
		}
		if first < 0 || indent == 0 {
			return nil, false
		}
		from := first
		for j := first + 1; j <= s.end; j++ {
			entry := j < s.end && len(lines[j]) > indent && lines[j][indent] != ' ' && lines[j][indent] != '#' &&
				lines[j][indent] != '\n' && bytes.Count(lines[j][:indent], []byte(" ")) == indent
			if j == s.end || entry && j-from >= size {
				parts = append(parts, part{kind: pathsPart, node: parse(from, j, false)})
				from = j
			}
		}
	}
	return parts, true
}

// splitTree cuts a document parsed whole into the same parts.
func splitTree(top *yaml.Node) ([]part, error) {
	if top.Kind != yaml.MappingNode {
		return nil, errNotFast
	}
	shell := *top
	shell.Content = nil
	var paths, components *yaml.Node
	for i := 0; i+1 < len(top.Content); i += 2 {
		switch k, v := top.Content[i], top.Content[i+1]; k.Value {
		case "paths":
			paths = v
		case "components":
			components = v
		default:
			shell.Content = append(shell.Content, k, v)
		}
	}
	if paths == nil || paths.Kind != yaml.MappingNode || components == nil || components.Kind != yaml.MappingNode {
		return nil, errNotFast
	}
	node := func(n *yaml.Node) func() (*yaml.Node, error) {
		return func() (*yaml.Node, error) { return n, nil }
	}
	parts := []part{{kind: headerPart, node: node(&shell)}, {kind: componentsPart, node: node(components)}}
	for _, c := range pathChunks(paths, lines(components)) {
		parts = append(parts, part{kind: pathsPart, node: node(c)})
	}
	return parts, nil
}

// lines is how many lines a block node spans, as a measure of its work.
func lines(n *yaml.Node) int {
	last := n
	for len(last.Content) > 0 {
		last = last.Content[len(last.Content)-1]
	}
	return last.Line - n.Line + 1
}

// pathChunks cuts the paths mapping into slices of about the size of the
// components, so that no piece holds the others up for long.
func pathChunks(paths *yaml.Node, size int) []*yaml.Node {
	size = max(size, 200)
	var chunks []*yaml.Node
	for i := 0; i < len(paths.Content); {
		c := *paths
		start := paths.Content[i].Line
		j := i
		for j < len(paths.Content) && (j == i || paths.Content[j].Line-start < size) {
			j += 2
		}
		c.Content = paths.Content[i:j]
		c.Line, c.Column = paths.Content[i].Line, paths.Content[i].Column
		chunks = append(chunks, &c)
		i = j
	}
	if len(chunks) == 0 {
		c := *paths
		chunks = append(chunks, &c)
	}
	return chunks
}

// prepare does to the tree what kin-openapi does before it decodes one:
// mapping keys are read as the text they were written in, timestamps as
// strings, and infinities and NaN are refused. (Tags and aliases blockyaml
// does not produce need nothing.)
func prepare(n *yaml.Node) error {
	switch n.Kind {
	case yaml.ScalarNode:
		switch n.Tag {
		case "!!timestamp":
			n.Tag = "!!str"
		case "!!float":
			if f, err := strconv.ParseFloat(strings.TrimPrefix(n.Value, "+"), 64); err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
				return errNotFast
			}
		}
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			if k.Kind != yaml.ScalarNode || k.Tag == "!!null" {
				return errNotFast
			}
			k.Tag = "!!str"
		}
	}
	for _, c := range n.Content {
		if err := prepare(c); err != nil {
			return err
		}
	}
	return nil
}
