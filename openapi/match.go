package openapi

import (
	"net/http"

	"github.com/gorilla/mux"
)

// Matcher finds the spec operation a request addresses. It is the server's
// router: one gorilla/mux route per spec path, most specific first, that
// matches only the methods the spec serves on that path (so a request whose
// method one path lacks goes on to the next path that matches). Paths are not
// cleaned, so an empty segment (/v2/partition//account) matches nothing, as
// on Alianza.
type Matcher struct {
	router *mux.Router
	byPath map[string]map[string]*Operation // path template -> method -> op
}

// Matcher is the spec's matcher, built once and shared (it is read-only).
func (s *Spec) Matcher() *Matcher {
	s.matcherOnce.Do(func() { s.matcher = s.NewMatcher() })
	return s.matcher
}

// NewMatcher builds a matcher over every operation of the spec.
func (s *Spec) NewMatcher() *Matcher {
	r := mux.NewRouter().SkipClean(true)
	m := &Matcher{router: r, byPath: map[string]map[string]*Operation{}}
	for _, op := range s.ops {
		methods := m.byPath[op.Path]
		if methods == nil {
			methods = map[string]*Operation{}
			m.byPath[op.Path] = methods
			r.Path(op.Path).Name(op.Path).MatcherFunc(func(req *http.Request, _ *mux.RouteMatch) bool {
				return methods[req.Method] != nil
			})
		}
		methods[op.Method] = op
	}
	return m
}

// Match returns the operation and its path parameters; ok is false when no
// path of the spec serves the request's method at its URL.
func (m *Matcher) Match(r *http.Request) (op *Operation, vars map[string]string, ok bool) {
	var match mux.RouteMatch
	if !m.router.Match(r, &match) || match.Route == nil {
		return nil, nil, false
	}
	op = m.byPath[match.Route.GetName()][r.Method]
	if op == nil {
		return nil, nil, false
	}
	return op, match.Vars, true
}
