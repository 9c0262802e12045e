package openapi

import (
	"encoding/json"
	"strings"
	"testing"
)

// The two-half load must give exactly the document a one-piece load gives.
func TestSplitLoadEqualsOnePiece(t *testing.T) {
	a, b, ok := splitPaths(embedded)
	if !ok {
		t.Fatal("the embedded spec is not split: its start loses the second core")
	}
	if len(a) >= len(embedded) || len(b) >= len(embedded) {
		t.Fatalf("halves of %d and %d bytes from %d", len(a), len(b), len(embedded))
	}
	// A YAML anchor under paths: used across the cut would make a half fail
	// and the start fall back to one piece: keep shared enums in components.
	if _, err := loadOne(a); err != nil {
		t.Fatalf("first half: %v", err)
	}
	if _, err := loadOne(b); err != nil {
		t.Fatalf("second half: %v", err)
	}
	split, err := loadDoc(embedded)
	if err != nil {
		t.Fatal(err)
	}
	whole, err := loadOne(embedded)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := split.Paths.Len(), whole.Paths.Len(); got != want {
		t.Fatalf("%d paths, want %d", got, want)
	}
	for path, item := range whole.Paths.Map() {
		other := split.Paths.Value(path)
		if other == nil {
			t.Errorf("%s missing", path)
			continue
		}
		wj, _ := json.Marshal(item)
		sj, _ := json.Marshal(other)
		if string(wj) != string(sj) {
			t.Errorf("%s differs", path)
		}
	}
	cj, _ := json.Marshal(split.Components)
	wj, _ := json.Marshal(whole.Components)
	if string(cj) != string(wj) {
		t.Error("components differ")
	}
}

func TestSplitLoadReportsErrorsOfTheWholeDocument(t *testing.T) {
	broken := strings.Replace(string(embedded), "#/components/schemas/LoginTokenX", "#/components/schemas/Nope", 1)
	if _, err := Parse([]byte(broken)); err == nil || !strings.Contains(err.Error(), "Nope") {
		t.Fatalf("error %v, want it to name the dangling ref", err)
	}
	if _, _, ok := splitPaths([]byte(testSpec)); ok {
		t.Error("a spec with a single path was split")
	}
}

func BenchmarkParseEmbedded(b *testing.B) {
	for b.Loop() {
		if _, err := Parse(embedded); err != nil {
			b.Fatal(err)
		}
	}
}
