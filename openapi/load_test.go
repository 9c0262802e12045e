package openapi

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	yaml "go.yaml.in/yaml/v4"

	"github.com/fakealianza/fakealianza/openapi/internal/blockyaml"
)

// Both fast paths (parts cut by lines, parts cut from the whole tree) must
// give exactly the document kin-openapi's loader gives.
func TestFastLoadEqualsStandardLoad(t *testing.T) {
	want, err := loadOne(embedded)
	if err != nil {
		t.Fatal(err)
	}
	byLines := func() (*openapi3.T, error) {
		parts, ok := splitLines(embedded)
		if !ok {
			t.Fatal("the embedded spec is not cut by lines")
		}
		kinds := map[partKind]int{}
		for _, p := range parts {
			kinds[p.kind]++
		}
		if kinds[headerPart] != 1 || kinds[componentsPart] != 1 || kinds[pathsPart] < 4 {
			t.Fatalf("parts: %v", kinds)
		}
		return decodeParts(parts)
	}
	byTree := func() (*openapi3.T, error) { return decodeWhole(embedded) }
	for name, decode := range map[string]func() (*openapi3.T, error){"lines": byLines, "tree": byTree} {
		fast, err := decode()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		d := &decoded{doc: fast, fast: true}
		if err := d.resolve(); err != nil {
			t.Fatal(err)
		}
		if err := d.validate(); err != nil {
			t.Fatal(err)
		}
		if got, n := fast.Paths.Len(), want.Paths.Len(); got != n || n == 0 {
			t.Fatalf("%s: %d paths, want %d", name, got, n)
		}
		if reflect.DeepEqual(fast, want) {
			continue
		}
		// Say where.
		for path, item := range want.Paths.Map() {
			wj, _ := json.Marshal(item)
			gj, _ := json.Marshal(fast.Paths.Value(path))
			if string(wj) != string(gj) {
				t.Errorf("%s: path %s differs", name, path)
			}
		}
		cj, _ := json.Marshal(fast.Components)
		wj, _ := json.Marshal(want.Components)
		if string(cj) != string(wj) {
			t.Errorf("%s: components differ", name)
		}
		t.Fatalf("%s: the fast path's document differs from kin-openapi's", name)
	}
	d, err := decode(embedded)
	if err != nil || !d.fast {
		t.Fatalf("the embedded spec does not take the fast path: %v", err)
	}
}

// An alias to an anchor in another part fails that part; the document is
// then parsed whole and still decodes on the fast path.
func TestAnchorsAcrossPartsFallBackToTheWholeTree(t *testing.T) {
	src := strings.Replace(testSpec, "enum: [Id, AccountNumber]", "enum: &idTypes [Id, AccountNumber]", 1)
	src = strings.Replace(src, "enum: [US/Eastern, US/Central]", "enum: *idTypes", 1)
	if strings.Count(src, "idTypes") != 2 {
		t.Fatal("test spec changed")
	}
	parts, ok := splitLines([]byte(src))
	if !ok {
		t.Fatal("not cut by lines")
	}
	if _, err := decodeParts(parts); err == nil {
		t.Fatal("an alias across parts decoded by lines")
	}
	d, err := decode([]byte(src))
	if err != nil || !d.fast {
		t.Fatalf("fast %v: %v", d != nil && d.fast, err)
	}
}

// Each piece is decoded on its own goroutine; together the pieces must hold
// every path once and in order, whatever the piece size.
func TestPathChunksCoverEveryPath(t *testing.T) {
	root, err := blockyaml.Parse(embedded)
	if err != nil {
		t.Fatal(err)
	}
	var paths *yaml.Node
	top := root.Content[0]
	for i := 0; i+1 < len(top.Content); i += 2 {
		if top.Content[i].Value == "paths" {
			paths = top.Content[i+1]
		}
	}
	if paths == nil || len(paths.Content) < 20 {
		t.Fatal("no paths in the embedded spec")
	}
	for _, size := range []int{1, 200, 1500, 1 << 20} {
		var all []*yaml.Node
		chunks := pathChunks(paths, size)
		for _, c := range chunks {
			if len(c.Content) == 0 || len(c.Content)%2 != 0 {
				t.Fatalf("size %d: chunk of %d nodes", size, len(c.Content))
			}
			all = append(all, c.Content...)
		}
		if !reflect.DeepEqual(all, paths.Content) {
			t.Fatalf("size %d: %d chunks hold %d nodes, want the %d of paths in order", size, len(chunks), len(all), len(paths.Content))
		}
		if size == 1500 && len(chunks) < 2 {
			t.Fatalf("size %d: one chunk", size)
		}
	}
}

func TestParseReportsKinOpenAPIErrors(t *testing.T) {
	broken := strings.Replace(string(embedded), "#/components/schemas/LoginTokenX", "#/components/schemas/Nope", 1)
	if _, err := Parse([]byte(broken)); err == nil || !strings.Contains(err.Error(), "Nope") {
		t.Fatalf("error %v, want it to name the dangling ref", err)
	}
	invalid := strings.Replace(string(embedded), "openapi: 3.0.3", "openapi: ''", 1)
	if _, err := Parse([]byte(invalid)); err == nil {
		t.Fatal("a spec without a version loaded")
	}
}

// A document the fast path declines loads the usual way, to the same result.
func TestDocumentOffTheFastPathStillLoads(t *testing.T) {
	tagged := strings.Replace(testSpec, "openapi: 3.0.3", "openapi: !!str 3.0.3", 1)
	if tagged == testSpec {
		t.Fatal("test spec changed: no version line")
	}
	if _, err := decodeFast([]byte(tagged)); err == nil {
		t.Fatal("the fast path read a tag")
	}
	s, err := Parse([]byte(tagged))
	if err != nil {
		t.Fatal(err)
	}
	plain, err := Parse([]byte(testSpec))
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Operations()) != len(plain.Operations()) || len(s.Operations()) == 0 {
		t.Fatalf("%d operations, want %d", len(s.Operations()), len(plain.Operations()))
	}
}

func BenchmarkParseEmbedded(b *testing.B) {
	for b.Loop() {
		if _, err := Parse(embedded); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLoadStandard is kin-openapi's own load and validation of the
// embedded spec, for comparison with BenchmarkParseEmbedded.
func BenchmarkLoadStandard(b *testing.B) {
	for b.Loop() {
		if _, err := loadOne(embedded); err != nil {
			b.Fatal(err)
		}
	}
}

// The fast path validates in two halves; it must refuse what kin-openapi's
// whole validation refuses, wherever in the paths the fault is.
func TestHalvedValidationFindsWhatWholeValidationFinds(t *testing.T) {
	spec := func(fault func(i int) (path, op string)) string {
		var b strings.Builder
		b.WriteString("openapi: 3.0.3\ninfo: {title: t, version: '1'}\nsecurity:\n  - key: []\npaths:\n")
		for i := 0; i < 5; i++ {
			path, op := fault(i)
			if path == "" {
				path = fmt.Sprintf("/p%d/{id}", i)
			}
			param := path[strings.Index(path, "{")+1 : len(path)-1]
			fmt.Fprintf(&b, "  %s:\n    get:\n      operationId: op%d\n      parameters:\n        - {name: %s, in: path, required: true, schema: {type: string}}\n", path, i, param)
			b.WriteString(op)
			b.WriteString("      responses:\n        '200': {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/S'}}}}\n")
		}
		b.WriteString("components:\n  securitySchemes:\n    key: {type: apiKey, in: header, name: X-Key}\n  schemas:\n    S: {type: object, properties: {a: {type: string}}}\n")
		return b.String()
	}
	check := func(name, src string, valid bool) {
		t.Helper()
		_, slow := loadOne([]byte(src))
		if (slow == nil) != valid {
			t.Fatalf("%s: kin-openapi says %v", name, slow)
		}
		d, err := decode([]byte(src))
		if err != nil || !d.fast {
			t.Fatalf("%s: not on the fast path: %v", name, err)
		}
		err = d.resolve()
		if err == nil {
			err = d.validate()
		}
		if (err == nil) != valid {
			t.Errorf("%s: fast path says %v, kin-openapi %v", name, err, slow)
		}
	}
	check("valid", spec(func(int) (string, string) { return "", "" }), true)
	for k := 0; k < 5; k++ {
		check(fmt.Sprintf("bad schema type in path %d", k), spec(func(i int) (string, string) {
			if i == k {
				return "", "      requestBody: {content: {application/json: {schema: {type: strin}}}}\n"
			}
			return "", ""
		}), false)
		check(fmt.Sprintf("unknown security scheme in path %d", k), spec(func(i int) (string, string) {
			if i == k {
				return "", "      security: [{nope: []}]\n"
			}
			return "", ""
		}), false)
		for j := 0; j < 5; j++ {
			if j == k {
				continue
			}
			check(fmt.Sprintf("path %d's template is path %d's", j, k), spec(func(i int) (string, string) {
				if i == j {
					return fmt.Sprintf("/p%d/{other}", k), ""
				}
				return "", ""
			}), false)
		}
	}
}

// However a document is laid out, whichever way it loads gives kin-openapi's
// document.
func TestLayoutsLoadToTheLoadersDocument(t *testing.T) {
	tagsAfter := strings.Replace(testSpec, "info: {title: t, version: '1'}\n", "", 1) + "info: {title: t, version: '1'}\ntags: [{name: a}]\n"
	layouts := map[string]string{
		"as written":            testSpec,
		"header after the rest": tagsAfter,
		"leading comments":      "# a spec\n\n" + testSpec,
		"paths in flow style":   strings.Replace(testSpec, "paths:\n", "x-note: |\n  text\npaths:\n", 1),
		"no components":         "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get:\n      operationId: a\n      responses: {'200': {description: ok}}\n",
		"deeper path indent":    indentPaths(testSpec),
	}
	for name, src := range layouts {
		want, err := loadOne([]byte(src))
		if err != nil {
			t.Fatalf("%s: kin-openapi: %v", name, err)
		}
		s, err := Parse([]byte(src))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !reflect.DeepEqual(s.Doc, want) {
			gj, _ := json.Marshal(s.Doc)
			wj, _ := json.Marshal(want)
			t.Errorf("%s: documents differ:\n got %s\nwant %s", name, gj, wj)
		}
	}
}

// indentPaths indents the block under "paths:" by two more spaces.
func indentPaths(src string) string {
	lines := strings.SplitAfter(src, "\n")
	in := false
	for i, l := range lines {
		switch {
		case strings.HasPrefix(l, "paths:"):
			in = true
		case len(l) > 0 && l[0] != ' ':
			in = false
		case in && strings.TrimSpace(l) != "":
			lines[i] = "  " + l
		}
	}
	return strings.Join(lines, "")
}

// FuzzFastLoad: whenever the fast path takes a document, it must accept and
// refuse what kin-openapi's loader accepts and refuses, and give its document.
func FuzzFastLoad(f *testing.F) {
	f.Add(testSpec)
	f.Add(indentPaths(testSpec))
	f.Add("# c\n" + strings.Replace(testSpec, "info: {title: t, version: '1'}\n", "", 1) + "info: {title: t, version: '1'}\n")
	f.Add("openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get:\n      operationId: a\n      responses: {'200': {description: ok}}\n  /b/{x}:\n    parameters: [{name: x, in: path, required: true, schema: {type: string}}]\n    get: {operationId: b, responses: {'200': {description: ok}}}\ncomponents: {}\n")
	f.Fuzz(func(t *testing.T, src string) {
		d, err := decode([]byte(src))
		if err != nil || !d.fast {
			return
		}
		err = d.resolve()
		if err == nil {
			err = d.validate()
		}
		want, slow := loadOne([]byte(src))
		if (err == nil) != (slow == nil) {
			t.Fatalf("fast path says %v, kin-openapi says %v", err, slow)
		}
		if err == nil && !reflect.DeepEqual(d.doc, want) {
			gj, _ := json.Marshal(d.doc)
			wj, _ := json.Marshal(want)
			t.Fatalf("documents differ:\n got %s\nwant %s", gj, wj)
		}
	})
}

// Request validation leaves security to the emulator: its route has no
// security requirements, is made once per operation, and the operation's
// own route keeps its requirements.
func TestCheckRouteDropsSecurityOnly(t *testing.T) {
	s, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Complete(); err != nil {
		t.Fatal(err)
	}
	for _, op := range s.Operations() {
		r, c := op.Route(), op.checkRoute()
		if c.Operation == r.Operation || c.Operation.OperationID != r.Operation.OperationID || c.Operation.RequestBody != r.Operation.RequestBody {
			t.Fatalf("%s: checked route is not a copy of the route", op.ID)
		}
		if c.Operation.Security == nil || len(*c.Operation.Security) != 0 {
			t.Fatalf("%s: checked route keeps security %v", op.ID, c.Operation.Security)
		}
		if op.checkRoute() != c {
			t.Fatalf("%s: checked route made again", op.ID)
		}
		if !op.Public && r.Operation.Security != nil && len(*r.Operation.Security) == 0 {
			t.Fatalf("%s: the operation's own route lost its security", op.ID)
		}
	}
}
