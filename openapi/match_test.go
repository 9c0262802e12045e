package openapi

import (
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"testing"
)

// TestVendorPathsList holds the embedded vendorpaths.txt to the vendor's
// spec: every operation, nothing else.
func TestVendorPathsList(t *testing.T) {
	vendor := loadVendor(t)
	var want []string
	for path, item := range vendor.Paths.Map() {
		for method := range item.Operations() {
			want = append(want, method+" "+path)
		}
	}
	sort.Strings(want)
	got := strings.Split(strings.TrimSuffix(vendorPaths, "\n"), "\n")
	if !slices.Equal(got, want) {
		t.Fatalf("vendorpaths.txt (%d lines) differs from the vendor spec (%d operations): regenerate it as sorted \"METHOD path\" lines", len(got), len(want))
	}
}

// TestComparePathsLiteralFirst: whatever order templates arrive in, a literal
// segment sorts before a parameter at the first place they differ.
func TestComparePathsLiteralFirst(t *testing.T) {
	want := []string{
		"/v2/partition/{p}/account/frequentlyaccessed",
		"/v2/partition/{p}/account/recentlyaccessed",
		"/v2/partition/{p}/account/{a}",
		"/v2/partition/{p}/account/{a}/telephonenumber/tn-requests",
		"/v2/partition/{p}/account/{a}/telephonenumber/{tn}",
		"/v2/partition/{p}/telephonenumber/export",
		"/v2/partition/{p}/telephonenumber/{tn}",
		"/v2/partition/{p}/{x}/export",
	}
	r := rand.New(rand.NewPCG(1, 2))
	for range 20 {
		got := slices.Clone(want)
		r.Shuffle(len(got), func(i, j int) { got[i], got[j] = got[j], got[i] })
		slices.SortFunc(got, comparePaths)
		if !slices.Equal(got, want) {
			t.Fatalf("sorted to %v", got)
		}
	}
}
