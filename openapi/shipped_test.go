package openapi

import (
	"bytes"
	"github.com/getkin/kin-openapi/openapi3"
	"os"
	"slices"
	"testing"

	"github.com/fakealianza/fakealianza/openapi/internal/vendorgen"
)

// The shipped spec is not validated at run time (Load), so it is here:
// alianza.yaml with generic.yaml merged must be valid OpenAPI 3, and Load
// must give the same operations as the validated Parse.
func TestShippedSpecIsValid(t *testing.T) {
	checked, err := Parse(Embedded(), EmbeddedGeneric())
	if err != nil {
		t.Fatalf("the shipped spec is invalid: %v", err)
	}
	loaded, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	if err := loaded.Complete(); err != nil {
		t.Fatal(err)
	}
	if len(loaded.Operations()) != len(checked.Operations()) || len(loaded.Operations()) == 0 {
		t.Fatalf("Load has %d operations, Parse %d", len(loaded.Operations()), len(checked.Operations()))
	}
	for i, op := range checked.Operations() {
		got := loaded.Operations()[i]
		if got.ID != op.ID || got.Path != op.Path || got.Method != op.Method || got.Public != op.Public ||
			!slices.Equal(got.Tags(), op.Tags()) {
			t.Fatalf("operation %d: Load %s %s %s, Parse %s %s %s", i, got.Method, got.Path, got.ID, op.Method, op.Path, op.ID)
		}
		if got.Route().Operation.OperationID != op.ID {
			t.Fatalf("operation %s: Load's details are %s's", op.ID, got.Route().Operation.OperationID)
		}
	}
}

// generic.yaml is what vendorgen makes of the vendor's spec and alianza.yaml
// today: after alianza.yaml changes, run go generate ./openapi.
func TestGenericSpecIsUpToDate(t *testing.T) {
	vendor, err := os.ReadFile(vendorSpecPath())
	if err != nil {
		t.Skipf("vendor spec not found at %s: generic.yaml not checked", vendorSpecPath())
	}
	want, err := vendorgen.Generate(vendor, Embedded())
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(want, EmbeddedGeneric()) {
		t.Fatal("openapi/generic.yaml is stale: run go generate ./openapi")
	}
	idx, err := vendorgen.Index(want)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(idx, genericIndex) {
		t.Fatal("openapi/generic-ops.json is stale: run go generate ./openapi")
	}
}

// BenchmarkLoad is the shipped spec's start-time load (not validated).
func BenchmarkLoad(b *testing.B) {
	for b.Loop() {
		if _, err := Load(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLoadHandWrittenValidated is the start-time load before the
// generic part: alianza.yaml alone, validated.
func BenchmarkLoadHandWrittenValidated(b *testing.B) {
	for b.Loop() {
		if _, err := Parse(embedded); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLoadPlainYAML is what Load decodes at start (alianza.yaml, not
// validated) without blockyaml: go.yaml.in/yaml and kin-openapi alone.
func BenchmarkLoadPlainYAML(b *testing.B) {
	for b.Loop() {
		d, err := decodePlain(embedded)
		if err != nil {
			b.Fatal(err)
		}
		if err := openapi3.NewLoader().ResolveRefsIn(d, nil); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkComplete is the deferred part: both documents decoded, merged
// and resolved.
func BenchmarkComplete(b *testing.B) {
	for b.Loop() {
		s, err := Load()
		if err != nil {
			b.Fatal(err)
		}
		if err := s.Complete(); err != nil {
			b.Fatal(err)
		}
	}
}

// Both shipped documents are read by blockyaml (the fast path), the
// generated one because vendorgen writes it in blockyaml's subset.
func TestShippedDocumentsTakeTheFastPath(t *testing.T) {
	for name, raw := range map[string][]byte{"alianza.yaml": embedded, "generic.yaml": generic} {
		if _, err := decodeFast(raw); err != nil {
			t.Errorf("%s is not on the fast path: %v", name, err)
		}
	}
}
