package openapi

import (
	"net/http"

	"github.com/gorilla/mux"
)

// Matcher finds the spec operation a request addresses. It is the server's
// router: one gorilla/mux route per spec operation, most specific first.
// Paths are not cleaned, so an empty segment (/v2/partition//account) matches
// nothing, as on Alianza.
type Matcher struct {
	router *mux.Router
	byName map[string]*Operation
}

// Matcher is the spec's matcher, built once and shared (it is read-only).
func (s *Spec) Matcher() *Matcher {
	s.matcherOnce.Do(func() { s.matcher = s.NewMatcher() })
	return s.matcher
}

// NewMatcher builds a matcher over every operation of the spec.
func (s *Spec) NewMatcher() *Matcher {
	r := mux.NewRouter().SkipClean(true)
	m := &Matcher{router: r, byName: make(map[string]*Operation, len(s.ops))}
	for _, op := range s.ops {
		r.Path(op.Path).Methods(op.Method).Name(op.ID)
		m.byName[op.ID] = op
	}
	return m
}

// Match returns the operation and its path parameters. methodMismatch tells
// a known path with an unserved method from an unknown path.
func (m *Matcher) Match(r *http.Request) (op *Operation, vars map[string]string, ok bool) {
	var match mux.RouteMatch
	if !m.router.Match(r, &match) || match.Route == nil {
		return nil, nil, false
	}
	op = m.byName[match.Route.GetName()]
	if op == nil {
		return nil, nil, false
	}
	return op, match.Vars, true
}
