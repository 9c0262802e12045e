package openapi

import (
	_ "embed"
	"net/http"
	"slices"
	"strings"
	"sync"

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
// The routes are grouped by how many slashes their path has (a parameter
// never spans one), and a route is tried only when the request's path has
// its literal segments: a request goes to the routes that could match it, in
// the same order, so the first match is the one a single router would find.
// A route's regular expression is compiled when a request first reaches it:
// compiling them all took most of the matcher's making (30 ms of a cold
// start), and most paths are never asked for in a run.
type Matcher struct {
	routes map[int][]*candidate             // slashes in the path -> its routes, in order
	byPath map[string]map[string]*Operation // path template -> method -> op
}

// candidate is one route with the literal segments its path must have.
type candidate struct {
	path     string
	methods  map[string]*Operation
	literals []literal
	once     sync.Once
	route    *mux.Route // made by the first request that reaches it
}

// match reports whether r matches the route, making it the first time.
func (c *candidate) match(r *http.Request, match *mux.RouteMatch) bool {
	c.once.Do(func() {
		methods := c.methods
		c.route = mux.NewRouter().SkipClean(true).Path(c.path).Name(c.path).
			MatcherFunc(func(req *http.Request, _ *mux.RouteMatch) bool { return methods[req.Method] != nil })
	})
	return c.route.Match(r, match)
}

// literal is a path segment that is no parameter: segs[at] must be text.
type literal struct {
	at   int
	text string
}

// Matcher is the spec's matcher, built once and shared (it is read-only).
func (s *Spec) Matcher() *Matcher {
	s.matcherOnce.Do(func() { s.matcher = s.NewMatcher() })
	return s.matcher
}

// NewMatcher builds a matcher over every operation of the spec and every
// path of the vendor's.
func (s *Spec) NewMatcher() *Matcher {
	m := &Matcher{routes: map[int][]*candidate{}, byPath: map[string]map[string]*Operation{}}
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
		c := &candidate{path: p, methods: m.byPath[p]}
		segs := strings.Split(p, "/")
		for i, seg := range segs {
			if !isParam(seg) {
				c.literals = append(c.literals, literal{i, seg})
			}
		}
		m.routes[len(segs)-1] = append(m.routes[len(segs)-1], c)
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
// as its path and its literal segments (mux matches the decoded path, as
// split here).
func (m *Matcher) route(r *http.Request) (mux.RouteMatch, bool) {
	segs := strings.Split(r.URL.Path, "/")
	for _, c := range m.routes[len(segs)-1] {
		if !c.fits(segs) {
			continue
		}
		var match mux.RouteMatch
		if c.match(r, &match) {
			return match, true
		}
	}
	return mux.RouteMatch{}, false
}

// fits reports whether a path split at its slashes has c's literal segments.
func (c *candidate) fits(segs []string) bool {
	for _, l := range c.literals {
		if segs[l.at] != l.text {
			return false
		}
	}
	return true
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
