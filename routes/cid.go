package routes

import (
	"strings"

	"github.com/fakealianza/fakealianza/store"
)

// A SIP trunk's caller-id mappings (siptrunk_2/cid/mapping): the generic
// engine keeps the custom FROM numbers and caller ids; these two rules map
// one to the other (store/cid.go).

// genericRules are generic operations with a rule of their own, served in
// place of the engine's plan after its parents are checked.
var genericRules = map[string]func(a *api, p *genericPlan, r *Request) (Response, error){
	"updateFromNumber":     (*api).putCallerIDMapping,
	"listCallerIdMappings": (*api).listCallerIDMappings,
}

// putCallerIDMapping maps a FROM number to a caller id, or unmaps it when
// customCallerIdNumber is null (or not given).
func (a *api) putCallerIDMapping(p *genericPlan, r *Request) (Response, error) {
	var in struct {
		FromWildcard         string `json:"fromWildcard"`
		CustomCallerIDNumber string `json:"customCallerIdNumber"`
	}
	if err := decode(r, &in); err != nil {
		return Response{}, err
	}
	o, err := a.deps.Store.SetCallerIDMapping(cidBase(r.URL.Path), in.FromWildcard, in.CustomCallerIDNumber)
	if err != nil {
		return Response{}, err
	}
	return p.answer(mappingOf(o)), nil
}

// listCallerIDMappings lists the account's custom FROM numbers with the
// caller id each is mapped to.
func (a *api) listCallerIDMappings(p *genericPlan, r *Request) (Response, error) {
	objs := a.deps.Store.GenericList(cidBase(r.URL.Path) + "/fromnumber")
	for i := range objs {
		objs[i].Body = mappingOf(objs[i])
	}
	return p.list(r, objs), nil
}

// cidBase is the …/siptrunk_2/cid of a path under it.
func cidBase(path string) string {
	return path[:strings.LastIndex(path, "/cid/")+len("/cid")]
}

// mappingOf is a FROM number as a mapping: custom, with its caller id.
func mappingOf(o store.GenericObject) map[string]any {
	o.Body["isCustom"] = true
	return o.Body
}
