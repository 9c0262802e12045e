package routes_test

import (
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"sort"
	"strings"
	"testing"

	yaml "go.yaml.in/yaml/v4"

	"github.com/fakealianza/fakealianza/fatest"
	"github.com/fakealianza/fakealianza/internal/vendorspec"
	"github.com/fakealianza/fakealianza/openapi"
)

// vendorDoc is the part of the vendor's spec these tests read.
type vendorDoc struct {
	Paths      map[string]map[string]yaml.Node `yaml:"paths"`
	Components struct {
		Schemas map[string]struct {
			Required []string `yaml:"required"`
		} `yaml:"schemas"`
	} `yaml:"components"`
}

// readVendor reads the vendor's spec in ../shared. It skips the test where
// the file is absent (a user's machine) and fails it there when CI is set.
func readVendor(t *testing.T) vendorDoc {
	t.Helper()
	doc, ok := tryReadVendor(t)
	if !ok {
		t.Skip("vendor spec not found (set FAKEALIANZA_VENDOR_SPEC): not checked")
	}
	return doc
}

// tryReadVendor is readVendor for tests that go on without the vendor's
// spec: ok is false where it is absent (and CI is not set).
func tryReadVendor(t *testing.T) (doc vendorDoc, ok bool) {
	t.Helper()
	p := vendorspec.Path()
	raw, err := os.ReadFile(p)
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("CI: the vendor spec is required: %v", err)
		}
		t.Logf("vendor spec not found at %s: %v", p, err)
		return doc, false
	}
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		t.Fatalf("parse vendor spec %s: %v", p, err)
	}
	return doc, true
}

// vendorOperations lists the methods of every path of the vendor's spec.
func vendorOperations(t *testing.T) map[string][]string {
	t.Helper()
	doc := readVendor(t)
	ops := map[string][]string{}
	for path, item := range doc.Paths {
		for m := range item {
			switch m {
			case "get", "put", "post", "delete", "patch":
				ops[path] = append(ops[path], strings.ToUpper(m))
			}
		}
	}
	if len(ops) < 100 {
		t.Fatalf("only %d vendor paths read", len(ops))
	}
	return ops
}

var paramSeg = regexp.MustCompile(`\{[^}/]+\}`)

// shape is a template with its parameter names left out.
func shape(path string) string { return paramSeg.ReplaceAllString(path, "{}") }

// concrete fills a template's parameters with values no literal segment has.
func concrete(path string) string {
	return paramSeg.ReplaceAllStringFunc(path, func(p string) string { return "v" + strings.Trim(p, "{}") + "9" })
}

// literalPaths are the vendor paths a parameter route could capture: at some
// segment they have a literal where another vendor path of the same length,
// equal up to there, has a parameter.
func literalPaths(paths []string) []string {
	var out []string
	for _, a := range paths {
		as := strings.Split(a, "/")
	search:
		for _, b := range paths {
			bs := strings.Split(b, "/")
			if a == b || len(as) != len(bs) {
				continue
			}
			for i := range as {
				aParam, bParam := paramSeg.MatchString(as[i]), paramSeg.MatchString(bs[i])
				switch {
				case !aParam && bParam:
					out = append(out, a)
					break search
				case aParam && bParam, as[i] == bs[i]:
					continue
				default:
					continue search
				}
			}
		}
	}
	sort.Strings(out)
	return out
}

// TestVendorPathsAreNeverCaptured walks every operation of the vendor's spec:
// its URL matches its own template (never a parameter route of another), a
// served operation reaches its own operation, and a vendor operation the
// emulator does not serve yet answers 404 ResourceNotFound.
func TestVendorPathsAreNeverCaptured(t *testing.T) {
	ops := vendorOperations(t)
	spec, err := openapi.Load()
	if err != nil {
		t.Fatal(err)
	}
	m := spec.Matcher()
	paths := make([]string, 0, len(ops))
	for p := range ops {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	literal := literalPaths(paths)
	if len(literal) < 13 {
		t.Fatalf("only %d vendor literal paths derived: %v", len(literal), literal)
	}
	t.Logf("%d vendor paths, %d of them literal paths a parameter route could capture", len(paths), len(literal))
	isLiteral := map[string]bool{}
	for _, p := range literal {
		isLiteral[p] = true
	}

	srv := fatest.New(t)
	tok := srv.Admin(t)
	served, unserved := 0, 0
	for _, path := range paths {
		for _, method := range ops[path] {
			url := concrete(strings.ReplaceAll(path, "{partitionId}", fatest.AlphaPartition))
			req := httptest.NewRequest(method, url, nil)
			if got := m.Template(req); shape(got) != shape(path) {
				t.Errorf("%s %s: matched template %q", method, path, got)
				continue
			}
			op, _, ok := m.Match(req)
			if ok {
				served++
				if shape(op.Path) != shape(path) || op.Method != method {
					t.Errorf("%s %s: served by %s %s", method, path, op.Method, op.Path)
				}
				continue
			}
			unserved++
			if !isLiteral[path] && unserved%10 != 0 {
				continue // every literal path, and a sample of the rest, over HTTP
			}
			r := srv.Call(t, method, url, nil, fatest.Auth(tok))
			if _, msgs, _ := r.Envelope(t); r.Status != http.StatusNotFound || len(msgs) != 1 || msgs[0] != "ResourceNotFound" {
				t.Errorf("%s %s (unserved): %d %s, want 404 ResourceNotFound", method, url, r.Status, r.Body)
			}
		}
	}
	if served == 0 {
		t.Fatalf("served %d, unserved %d: the walk reached no served operation", served, unserved)
	}
	t.Logf("%d vendor operations served, %d answered ResourceNotFound", served, unserved)
}
