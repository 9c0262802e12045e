package openapi

import (
	_ "embed"
	"net/http"
	"slices"
	"strings"

	"github.com/gorilla/mux"
)

// vendorPaths lists every "METHOD path" of the vendor's spec, one a line
// (facts carried over by TestVendorPathsList). The matcher knows them all, so
// a vendor path the project does not serve yet is never captured by a
// parameter route of one it does serve.
//
//go:embed vendorpaths.txt
var vendorPaths string

// unserved marks a vendor operation the project's spec does not serve.
var unserved = &Operation{}

// Matcher finds the spec operation a request addresses. It is the server's
// router: one gorilla/mux route per path template, literal segments before
// parameters whatever order the spec lists them in, that matches only the
// methods served on that path (so a request whose method one path lacks goes
// on to the next path that matches). Besides the spec's own paths it knows
// every vendor path: a request that addresses a vendor operation the spec
// does not serve matches nothing. Paths are not cleaned, so an empty segment
// (/v2/partition//account) matches nothing, as on Alianza.
//
// The routes are split by how many slashes their path has (a parameter
// never spans one): a request is tried only against the routes that could
// match it, in the same order, so the first match is the one a single router
// would find.
type Matcher struct {
	routers map[int]*mux.Router              // slashes in the path -> its routes
	byPath  map[string]map[string]*Operation // path template -> method -> op
}

// Matcher is the spec's matcher, built once and shared (it is read-only).
func (s *Spec) Matcher() *Matcher {
	s.matcherOnce.Do(func() { s.matcher = s.NewMatcher() })
	return s.matcher
}

// NewMatcher builds a matcher over every operation of the spec and every
// path of the vendor's.
func (s *Spec) NewMatcher() *Matcher {
	m := &Matcher{routers: map[int]*mux.Router{}, byPath: map[string]map[string]*Operation{}}
	// Templates that differ only in parameter names are one route; the
	// spec's own template (and its parameter names) wins.
	template := map[string]string{} // shape -> template
	add := func(path, method string, op *Operation) {
		shape := pathShape(path)
		if t, ok := template[shape]; ok {
			path = t
		} else {
			template[shape] = path
			m.byPath[path] = map[string]*Operation{}
		}
		if m.byPath[path][method] == nil {
			m.byPath[path][method] = op
		}
	}
	for _, op := range s.ops {
		add(op.Path, op.Method, op)
	}
	for _, line := range strings.Split(vendorPaths, "\n") {
		if method, path, ok := strings.Cut(line, " "); ok {
			add(path, method, unserved)
		}
	}
	paths := make([]string, 0, len(m.byPath))
	for p := range m.byPath {
		paths = append(paths, p)
	}
	slices.SortFunc(paths, comparePaths)
	for _, p := range paths {
		methods := m.byPath[p]
		n := strings.Count(p, "/")
		if m.routers[n] == nil {
			m.routers[n] = mux.NewRouter().SkipClean(true)
		}
		m.routers[n].Path(p).Name(p).MatcherFunc(func(req *http.Request, _ *mux.RouteMatch) bool {
			return methods[req.Method] != nil
		})
	}
	return m
}

// Match returns the operation and its path parameters; ok is false when no
// path of the spec serves the request's method at its URL (a vendor
// operation the spec does not serve included).
func (m *Matcher) Match(r *http.Request) (op *Operation, vars map[string]string, ok bool) {
	match, found := m.route(r)
	if !found {
		return nil, nil, false
	}
	op = m.byPath[match.Route.GetName()][r.Method]
	if op == nil || op == unserved {
		return nil, nil, false
	}
	return op, match.Vars, true
}

// Template is the path template a request's URL and method address, served
// or not ("" when no known path matches).
func (m *Matcher) Template(r *http.Request) string {
	match, found := m.route(r)
	if !found {
		return ""
	}
	return match.Route.GetName()
}

// route finds the first route matching r among those with as many slashes
// as its path (mux matches the decoded path, as counted here).
func (m *Matcher) route(r *http.Request) (mux.RouteMatch, bool) {
	var match mux.RouteMatch
	router := m.routers[strings.Count(r.URL.Path, "/")]
	if router == nil || !router.Match(r, &match) || match.Route == nil {
		return match, false
	}
	return match, true
}

func isParam(seg string) bool { return strings.HasPrefix(seg, "{") && strings.HasSuffix(seg, "}") }

// pathShape is a template with its parameter names left out.
func pathShape(path string) string {
	segs := strings.Split(path, "/")
	for i, s := range segs {
		if isParam(s) {
			segs[i] = "{}"
		}
	}
	return strings.Join(segs, "/")
}

// comparePaths orders templates for matching: at the first segment where
// one has a literal and the other a parameter, the literal comes first, so
// /telephonenumber/export is tried before /telephonenumber/{tn}.
func comparePaths(a, b string) int {
	as, bs := strings.Split(a, "/"), strings.Split(b, "/")
	for i := 0; i < len(as) && i < len(bs); i++ {
		ap, bp := isParam(as[i]), isParam(bs[i])
		switch {
		case ap && bp:
			continue
		case bp:
			return -1
		case ap:
			return 1
		}
		if c := strings.Compare(as[i], bs[i]); c != 0 {
			return c
		}
	}
	if c := len(as) - len(bs); c != 0 {
		return c
	}
	return strings.Compare(a, b)
}
