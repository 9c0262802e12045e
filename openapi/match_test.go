package openapi

import (
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/gorilla/mux"
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

// TestSplitRoutersMatchOneRouter: the matcher, grouped by slash count and
// filtered by literal segments, finds for every known path (filled in, with a
// slash too many or too few, an empty segment, a literal changed) the route
// one router over all paths in the same order finds.
func TestSplitRoutersMatchOneRouter(t *testing.T) {
	spec, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	m := spec.NewMatcher()
	paths := make([]string, 0, len(m.byPath))
	for p := range m.byPath {
		paths = append(paths, p)
	}
	slices.SortFunc(paths, comparePaths)
	one := mux.NewRouter().SkipClean(true)
	for _, p := range paths {
		methods := m.byPath[p]
		one.Path(p).Name(p).MatcherFunc(func(req *http.Request, _ *mux.RouteMatch) bool {
			return methods[req.Method] != nil
		})
	}
	fill := regexp.MustCompile(`\{[^}]+\}`)
	type probe struct{ method, url, want string }
	var probes []probe
	for _, p := range paths {
		url := fill.ReplaceAllString(p, "x1")
		for _, u := range []string{url, url + "/", url + "/extra", strings.Replace(url, "/", "//", 2), strings.TrimSuffix(url, "/x1"),
			strings.Replace(url, "/v2/", "/V2/", 1), strings.Replace(url, "/x1/", "/x1/zz/", 1)} {
			for method := range m.byPath[p] {
				r := httptest.NewRequest(method, "http://127.0.0.1"+u, nil)
				r.URL.Path = u
				want := ""
				var match mux.RouteMatch
				if one.Match(r, &match) && match.Route != nil {
					want = match.Route.GetName()
				}
				probes = append(probes, probe{method, u, want})
			}
		}
	}
	// Routes are made by the first request that reaches them: four
	// goroutines ask the fresh matcher at once (under -race), each in
	// another order.
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := range probes {
				pr := probes[(i*(2*g+1))%len(probes)]
				r := httptest.NewRequest(pr.method, "http://127.0.0.1/", nil)
				r.URL.Path = pr.url
				if got := m.Template(r); got != pr.want {
					t.Errorf("%s %s: split matcher %q, one router %q", pr.method, pr.url, got, pr.want)
				}
			}
		})
	}
	wg.Wait()
	checked := len(probes)
	if checked < len(paths)*7 {
		t.Fatalf("checked %d requests over %d paths", checked, len(paths))
	}
}
