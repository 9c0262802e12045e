package openapi

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// The project's own decode (documents decoded apart, merged, then
// resolved) must give exactly the document kin-openapi's loader gives.
func TestDecodeEqualsStandardLoad(t *testing.T) {
	want, err := loadOne(embedded)
	if err != nil {
		t.Fatal(err)
	}
	s, err := Parse(embedded)
	if err != nil {
		t.Fatal(err)
	}
	if got, n := s.Doc.Paths.Len(), want.Paths.Len(); got != n || n == 0 {
		t.Fatalf("%d paths, want %d", got, n)
	}
	if !reflect.DeepEqual(s.Doc, want) {
		for path, item := range want.Paths.Map() {
			wj, _ := json.Marshal(item)
			gj, _ := json.Marshal(s.Doc.Paths.Value(path))
			if string(wj) != string(gj) {
				t.Errorf("path %s differs", path)
			}
		}
		t.Fatal("the decoded document differs from kin-openapi's")
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

// However a document is laid out, it loads to kin-openapi's document.
func TestLayoutsLoadToTheLoadersDocument(t *testing.T) {
	tagsAfter := strings.Replace(testSpec, "info: {title: t, version: '1'}\n", "", 1) + "info: {title: t, version: '1'}\ntags: [{name: a}]\n"
	layouts := map[string]string{
		"as written":            testSpec,
		"header after the rest": tagsAfter,
		"leading comments":      "# a spec\n\n" + testSpec,
		"a tag":                 strings.Replace(testSpec, "openapi: 3.0.3", "openapi: !!str 3.0.3", 1),
		"an anchor":             strings.Replace(testSpec, "enum: [Id, AccountNumber]", "enum: &idTypes [Id, AccountNumber]", 1),
		"no components":         "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get:\n      operationId: a\n      responses: {'200': {description: ok}}\n",
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

// A later document adds only what the first lacks: its operations on a
// path the first has keep the first's, and a schema both name is the
// first's.
func TestMergeKeepsTheFirstDocument(t *testing.T) {
	second := "openapi: 3.0.3\ninfo: {title: g, version: '1'}\npaths:\n" +
		"  /v2/extra:\n    get:\n      operationId: extraThing\n      responses: {'200': {description: ok}}\n" +
		"components:\n  schemas:\n    Extra: {type: object, properties: {a: {type: string}}}\n"
	s, err := Parse([]byte(testSpec), []byte(second))
	if err != nil {
		t.Fatal(err)
	}
	one, err := Parse([]byte(testSpec))
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := s.Operation("extraThing"); !ok || len(s.Operations()) != len(one.Operations())+1 {
		t.Fatalf("%d operations, want %d and extraThing", len(s.Operations()), len(one.Operations())+1)
	}
	if s.Doc.Components.Schemas["Extra"] == nil {
		t.Fatal("the second document's schema is missing")
	}
	dup := strings.Replace(second, "/v2/extra:\n    get:", "/v2/partition/{partitionId}/thing:\n    post:", 1)
	dup = strings.Replace(dup, "Extra:", "Thing:", 1)
	s, err = Parse([]byte(testSpec), []byte(dup))
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := s.Operation("extraThing"); ok {
		t.Fatal("the second document replaced an operation of the first")
	}
	if s.Doc.Components.Schemas["Thing"].Value.Properties["a"] != nil {
		t.Fatal("the second document replaced a schema of the first")
	}
}
