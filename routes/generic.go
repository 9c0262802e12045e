package routes

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/fakealianza/fakealianza/openapi"
	"github.com/fakealianza/fakealianza/store"
)

// The generic resource engine: one handler, driven by the spec, for every
// operation no hand-written handler serves. What an operation does follows
// from its path template and method (see genericKind); objects live in the
// store's generic book (store/generic.go), stored as sent plus the defaults
// of their schema, and answers are shaped to the spec's success response.

type genericKind int

const (
	genCreate     genericKind = iota // POST on a collection
	genList                          // GET on a collection
	genGet                           // GET on an item
	genReplace                       // PUT on an item
	genMerge                         // PATCH on an item
	genDelete                        // DELETE on an item
	genOneGet                        // GET on a singleton (a path with no items)
	genOneReplace                    // PUT on a singleton
	genOneMerge                      // PATCH on a singleton
	genOneDelete                     // DELETE on a singleton
	genAction                        // any other operation: an RPC
)

// genericPlan is what the engine knows of one operation, worked out once
// when the router is built.
type genericPlan struct {
	op     *openapi.Operation
	kind   genericKind
	status int                 // the declared success status
	resp   *openapi3.SchemaRef // its JSON body (nil: none)
	// media is the success body's media type when it is not JSON ("" for JSON).
	media     string
	req       *openapi3.SchemaRef // the JSON request body (nil: none)
	creatable bool                // items come only from a POST on the collection
	uuidIDs   bool                // ids are UUIDs (else 22-char base64url)
	typeName  string              // the EntityNotFound type
	job       bool                // the answer is a Job (an async export or bulk operation)
	idField   string              // the field holding an item's id
	// keyField is the body field whose value names a created item, for
	// items with no id of their own (see naturalKeys); "" for the others.
	// duplicate is the code refusing a second item of the same key.
	keyField, duplicate string
	// declares404: the operation lists a 404 answer (a delete whose
	// operation lists none takes the removal of an absent item as done).
	declares404 bool
	// parents are the segment counts of the path prefixes naming generic
	// items that must exist (e.g. a business line under which this path is).
	parents []int
}

// genericPlans works out a plan for every operation that has no handler.
func genericPlans(spec *openapi.Spec, served map[string]bool) map[string]*genericPlan {
	byPath := map[string]map[string]*openapi.Operation{}
	for _, op := range spec.Operations() {
		if byPath[op.Path] == nil {
			byPath[op.Path] = map[string]*openapi.Operation{}
		}
		byPath[op.Path][op.Method] = op
	}
	// itemOf: a collection path's item template (a child whose last segment
	// is a parameter).
	itemOf := map[string]string{}
	for path := range byPath {
		if i := strings.LastIndexByte(path, '/'); i > 0 && isParam(path[i+1:]) {
			if _, ok := itemOf[path[:i]]; !ok || path < itemOf[path[:i]] {
				itemOf[path[:i]] = path
			}
		}
	}
	isGenericPost := func(path string) bool {
		op := byPath[path][http.MethodPost]
		return op != nil && !served[op.ID]
	}
	plans := map[string]*genericPlan{}
	for _, op := range spec.Operations() {
		if served[op.ID] || op.IsAdmin() {
			continue
		}
		p := &genericPlan{op: op}
		p.status, p.resp, p.media = successOf(op.Route().Operation)
		p.req = requestSchema(op.Route().Operation)
		p.declares404 = op.Declares(http.StatusNotFound)
		p.job = p.resp != nil && strings.HasSuffix(p.resp.Ref, "/Job")
		last := op.Path[strings.LastIndexByte(op.Path, '/')+1:]
		collection := op.Path
		if isParam(last) {
			collection = op.Path[:strings.LastIndexByte(op.Path, '/')]
			// Items named by a hand-built object's id (SSO settings of an
			// account, ...) exist with it: they are written, not created.
			p.creatable = isGenericPost(collection) && !handBuiltParents[last]
			p.kind = map[string]genericKind{
				http.MethodGet: genGet, http.MethodPut: genReplace, http.MethodPatch: genMerge,
				http.MethodDelete: genDelete,
			}[op.Method]
			if op.Method == http.MethodPost {
				p.kind = genAction
			}
		} else {
			_, hasItems := itemOf[op.Path]
			get := byPath[op.Path][http.MethodGet]
			listed := get != nil && isList(get)
			switch {
			case op.Method == http.MethodPost && (hasItems || listed) && !p.job:
				p.kind = genCreate
			case op.Method == http.MethodGet && (hasItems || listed):
				p.kind = genList
			case p.job || op.Method == http.MethodPost:
				p.kind = genAction
			case op.Method == http.MethodGet && p.resp != nil && !isList(op):
				p.kind = genOneGet
			case op.Method == http.MethodPut:
				p.kind = genOneReplace
			case op.Method == http.MethodPatch:
				p.kind = genOneMerge
			case op.Method == http.MethodDelete:
				p.kind = genOneDelete
			default:
				p.kind = genAction
			}
		}
		p.idField = idField(p.resp, itemOf[collection], op.Path)
		if item := itemOf[collection]; naturalKeys[lastSegment(item)] != "" {
			param := lastSegment(item)
			p.keyField, p.duplicate = naturalKeys[param], "Duplicate"+upperFirst(strings.Trim(param, "{}"))
		}
		p.uuidIDs = uuidIDs(collection, p.resp)
		p.typeName = typeName(p.resp, collection)
		segs := strings.Split(op.Path, "/")
		for n := 3; n < len(segs); n++ { // the last segment is the operation's own
			if isParam(segs[n-1]) && !handBuiltParents[segs[n-1]] && isGenericPost(strings.Join(segs[:n-1], "/")) {
				p.parents = append(p.parents, n)
			}
		}
		plans[op.ID] = p
	}
	return plans
}

// naturalKeys are the item parameters of objects Alianza names by a value
// they hold, not by an id, and that value's field: a SIP trunk's custom FROM
// number is deleted by the number (or wildcard) it was created with, a
// custom caller id by the caller id number.
var naturalKeys = map[string]string{"{fromNumber}": "fromWildcard", "{callerId}": "customCallerIdNumber"}

// handBuiltParents are the path parameters of hand-built objects (checked by
// the store's CheckParents, never as generic items).
var handBuiltParents = map[string]bool{"{partitionId}": true, "{accountId}": true, "{userId}": true}

// idField is the field of an item holding its id: id when the schema has
// one, else the item parameter's name when the schema has that field
// (brandId, ...), else id.
func idField(resp *openapi3.SchemaRef, itemTemplate, opPath string) string {
	s := flatValue(resp)
	if s == nil || s.Properties["id"] != nil {
		return "id"
	}
	for _, t := range []string{itemTemplate, opPath} {
		if last := t[strings.LastIndexByte(t, '/')+1:]; isParam(last) && s.Properties[strings.Trim(last, "{}")] != nil {
			return strings.Trim(last, "{}")
		}
	}
	return "id"
}

func isParam(seg string) bool { return strings.HasPrefix(seg, "{") && strings.HasSuffix(seg, "}") }

// isList reports whether an operation answers a list (an array or a page).
func isList(op *openapi.Operation) bool {
	_, resp, _ := successOf(op.Route().Operation)
	s := flatValue(resp)
	return s != nil && (s.Type.Is(openapi3.TypeArray) || s.Properties["results"] != nil)
}

func flatValue(ref *openapi3.SchemaRef) *openapi3.Schema {
	if ref == nil {
		return nil
	}
	return ref.Value
}

// successOf is the lowest declared 2xx status, its JSON schema, and its
// media type when the body is not JSON.
func successOf(op *openapi3.Operation) (int, *openapi3.SchemaRef, string) {
	codes := []int{}
	for code := range op.Responses.Map() {
		if c, err := strconv.Atoi(code); err == nil && c >= 200 && c < 300 {
			codes = append(codes, c)
		}
	}
	if len(codes) == 0 {
		return http.StatusOK, nil, ""
	}
	sort.Ints(codes)
	r := op.Responses.Value(strconv.Itoa(codes[0]))
	if r == nil || r.Value == nil || len(r.Value.Content) == 0 {
		return codes[0], nil, ""
	}
	if mt := r.Value.Content.Get("application/json"); mt != nil {
		return codes[0], mt.Schema, ""
	}
	for name, mt := range r.Value.Content {
		if name == "*/*" {
			name = ""
		}
		return codes[0], mt.Schema, name
	}
	return codes[0], nil, ""
}

func requestSchema(op *openapi3.Operation) *openapi3.SchemaRef {
	if op.RequestBody == nil || op.RequestBody.Value == nil {
		return nil
	}
	if mt := op.RequestBody.Value.Content.Get("application/json"); mt != nil {
		return mt.Schema
	}
	return nil
}

// newerObjects are the path segments of objects Alianza identifies by a
// 36-char UUID (ALIANZA.md: business lines, specialty lines and the other
// newer objects); the older ones use 22-char base64url ids.
var newerObjects = []string{"business-line", "specialty-line", "cymbus", "edge-node", "sso", "document",
	"brand-settings", "bulk-user-operation", "call-park", "media_2", "emergency-notification"}

func uuidIDs(collection string, resp *openapi3.SchemaRef) bool {
	if s := flatValue(resp); s != nil && s.Properties["id"] != nil && s.Properties["id"].Value != nil &&
		s.Properties["id"].Value.Format == "uuid" {
		return true
	}
	for _, w := range newerObjects {
		if strings.Contains(collection, w) {
			return true
		}
	}
	return false
}

// typeName is the type an EntityNotFound names: the response schema's name
// without the X of Alianza's view objects, else the collection's segment.
func typeName(resp *openapi3.SchemaRef, collection string) string {
	if resp != nil && resp.Ref != "" {
		return strings.TrimSuffix(resp.Ref[strings.LastIndexByte(resp.Ref, '/')+1:], "X")
	}
	return collection[strings.LastIndexByte(collection, '/')+1:]
}

// generic serves one operation of the engine; handBuilt are the operations
// with handlers of their own.
func (a *api) generic(id string, handBuilt map[string]bool) Handler {
	return func(r *Request) (Response, error) {
		a.plansOnce.Do(func() { a.plans = genericPlans(a.deps.Spec, handBuilt) })
		if rule := genericRules[id]; rule != nil {
			if err := a.genericParents(r, a.plans[id]); err != nil {
				return Response{}, err
			}
			return rule(a, a.plans[id], r)
		}
		return a.serveGeneric(a.plans[id], r)
	}
}

// serveGeneric serves one request of a generic operation.
func (a *api) serveGeneric(p *genericPlan, r *Request) (Response, error) {
	if err := a.genericParents(r, p); err != nil {
		return Response{}, err
	}
	path := r.URL.Path
	collection := path
	if i := strings.LastIndexByte(path, '/'); i > 0 && isParam(p.op.Path[strings.LastIndexByte(p.op.Path, '/')+1:]) {
		collection = path[:i]
	}
	st := a.deps.Store
	switch p.kind {
	case genCreate:
		body := requestObject(r.Body)
		id, err := p.newID(body)
		if err != nil {
			return Response{}, err
		}
		a.fillFromPath(p, r, body)
		a.fillFromPartition(p, r, body)
		o := store.GenericObject{
			Path: collection + "/" + id, Collection: collection, Template: p.op.Path + "/{id}", ID: id,
			PartitionID: r.Vars["partitionId"], Body: withDefaults(p.resp, body),
		}
		if p.keyField != "" {
			o, err = st.GenericAdd(o, store.Invalid(p.duplicate))
		} else {
			o, err = st.GenericPut(o)
		}
		if err != nil {
			return Response{}, err
		}
		if s := flatValue(p.resp); s != nil && s.Type.Is(openapi3.TypeString) && p.media == "" {
			return JSON(p.status, o.ID), nil // a create answering a bare string answers the new id
		}
		return p.answer(o.Body), nil
	case genList:
		objs := st.GenericList(collection)
		return p.list(r, objs), nil
	case genGet, genOneGet:
		o, ok := st.GenericGet(path)
		if !ok {
			if p.creatable {
				return Response{}, store.NotFound(p.typeName, lastSegment(path))
			}
			body := map[string]any{}
			if p.kind == genGet {
				body[p.idField] = lastSegment(path)
			}
			a.fillFromPath(p, r, body)
			return p.answer(withDefaults(p.resp, body)), nil
		}
		return p.answer(o.Body), nil
	case genReplace, genMerge, genOneReplace, genOneMerge:
		old, ok := st.GenericGet(path)
		if !ok && p.creatable {
			return Response{}, store.NotFound(p.typeName, lastSegment(path))
		}
		body := requestObject(r.Body)
		if p.kind == genMerge || p.kind == genOneMerge {
			merged := old.Body
			if merged == nil {
				merged = map[string]any{}
			}
			for k, v := range body {
				merged[k] = v
			}
			body = merged
		}
		id := ""
		if p.kind == genReplace || p.kind == genMerge {
			id = lastSegment(path)
			body[p.idField] = id
		}
		a.fillFromPath(p, r, body)
		o, err := st.GenericPut(store.GenericObject{
			Path: path, Collection: collection, Template: p.op.Path, ID: id,
			PartitionID: r.Vars["partitionId"], Body: withDefaults(p.resp, body),
		})
		if err != nil {
			return Response{}, err
		}
		return p.answer(o.Body), nil
	case genDelete, genOneDelete:
		old, found, err := st.GenericDelete(path)
		if err != nil {
			return Response{}, err
		}
		if !found && p.creatable && p.declares404 {
			return Response{}, store.NotFound(p.typeName, lastSegment(path))
		}
		return p.answer(old.Body), nil
	}
	return a.genericAction(p, r)
}

// genericAction answers an RPC: a job for exports and bulk operations, the
// stored items for searches and CSV lists, else the request shaped to the
// answer (a validation echoes what it was given).
func (a *api) genericAction(p *genericPlan, r *Request) (Response, error) {
	sibling := r.URL.Path[:strings.LastIndexByte(r.URL.Path, '/')]
	if p.job {
		pid := r.Vars["partitionId"]
		userID := ""
		if r.Principal != nil {
			userID = r.Principal.User.ID
			if pid == "" {
				pid = r.Principal.User.PartitionID
			}
		}
		objs := a.deps.Store.GenericList(sibling)
		job, err := a.deps.Store.StartJob(pid, userID, p.op.ID, func(*store.Store) ([][]string, error) {
			return csvRowsOf(objs), nil
		})
		if err != nil {
			return Response{}, err
		}
		return JSON(p.status, job), nil
	}
	if p.media == "text/csv" || (p.resp != nil && isList(p.op)) {
		return p.list(r, a.deps.Store.GenericList(sibling)), nil
	}
	return p.answer(requestObject(r.Body)), nil
}

// genericParents checks that the parents the path names exist: the
// hand-built partition, account and end user, and generic items.
func (a *api) genericParents(r *Request, p *genericPlan) error {
	if err := a.deps.Store.CheckParents(r.Vars["partitionId"], r.Vars["accountId"], r.Vars["userId"]); err != nil {
		return err
	}
	segs := strings.Split(r.URL.Path, "/")
	for _, n := range p.parents {
		if n > len(segs) {
			continue
		}
		if _, ok := a.deps.Store.GenericGet(strings.Join(segs[:n], "/")); !ok {
			return store.NotFound(typeName(nil, strings.Join(segs[:n-1], "/")), segs[n-1])
		}
	}
	return nil
}

// fillFromPath sets the object's fields the path names (partitionId,
// accountId, ...), where its schema has them and the body does not.
func (a *api) fillFromPath(p *genericPlan, r *Request, body map[string]any) {
	s := flatValue(p.resp)
	if s == nil {
		return
	}
	for k, v := range r.Vars {
		if s.Properties[k] != nil && body[k] == nil {
			body[k] = v
		}
	}
}

// fillFromPartition sets the fields of a new object that default from its
// partition (store.Partition.DefaultFor), where its schema has them and the
// request leaves them out, before the schema's own defaults: the path's
// partition, else the caller's.
func (a *api) fillFromPartition(p *genericPlan, r *Request, body map[string]any) {
	s := flatValue(p.resp)
	if s == nil {
		return
	}
	missing := func(k string) bool { return s.Properties[k] != nil && body[k] == nil }
	if !slices.ContainsFunc(store.PartitionDefaultFields, missing) {
		return
	}
	pid := r.Vars["partitionId"]
	if pid == "" && r.Principal != nil {
		pid = r.Principal.User.PartitionID
	}
	part, err := a.deps.Store.Partition(pid)
	if err != nil {
		return
	}
	accountType, _ := body["accountType"].(string)
	for _, k := range store.PartitionDefaultFields {
		if missing(k) {
			if v := part.DefaultFor(k, accountType); v != "" && v != int64(0) {
				body[k] = v
			}
		}
	}
}

// answer is the success response for a stored body.
func (p *genericPlan) answer(body map[string]any) Response {
	switch {
	case p.media != "":
		return Response{Status: p.status, Raw: []byte{}, ContentType: p.media}
	case p.resp == nil || p.status == http.StatusNoContent:
		return NoContent(p.status)
	}
	return JSON(p.status, openapi.Shape(p.resp, body))
}

// list answers a collection: an array, a page {totalRecords, results}, or
// CSV text, of the items whose fields match the query's filters.
func (p *genericPlan) list(r *Request, objs []store.GenericObject) Response {
	q := r.URL.Query()
	items := make([]map[string]any, 0, len(objs))
	for _, o := range objs {
		if matches(o.Body, q) {
			items = append(items, o.Body)
		}
	}
	if p.media != "" || p.resp == nil {
		return Response{Status: p.status, Raw: csvOf(items), ContentType: cmpOr(p.media, "text/csv")}
	}
	s := p.resp.Value
	if s.Properties["results"] != nil {
		first, _ := strconv.Atoi(q.Get("firstResultIndex"))
		max, err := strconv.Atoi(q.Get("maxResult"))
		if err != nil || max <= 0 {
			max = 20
		}
		total := len(items)
		first = min(max0(first), total)
		page := items[first:min(total, first+max)]
		return JSON(p.status, openapi.Shape(p.resp, map[string]any{"totalRecords": int64(total), "results": anyList(page)}))
	}
	if !s.Type.Is(openapi3.TypeArray) {
		return JSON(p.status, openapi.Shape(p.resp, map[string]any{}))
	}
	return JSON(p.status, openapi.Shape(p.resp, anyList(items)))
}

// matches: every query value that names a field of the object is a
// case-insensitive substring of that field; q (or searchString) matches any
// string field.
func matches(body map[string]any, q map[string][]string) bool {
	for k, vs := range q {
		if len(vs) == 0 || vs[0] == "" {
			continue
		}
		want := strings.ToLower(vs[0])
		if k == "q" || k == "searchString" {
			hit := false
			for _, v := range body {
				if s, ok := v.(string); ok && strings.Contains(strings.ToLower(s), want) {
					hit = true
					break
				}
			}
			if !hit {
				return false
			}
			continue
		}
		if v, ok := body[k].(string); ok && !strings.Contains(strings.ToLower(v), want) {
			return false
		}
	}
	return true
}

func anyList(items []map[string]any) []any {
	out := make([]any, len(items))
	for i, it := range items {
		out[i] = it
	}
	return out
}

// csvRowsOf is a header of every top-level field and one row per object.
func csvRowsOf(objs []store.GenericObject) [][]string {
	items := make([]map[string]any, len(objs))
	for i, o := range objs {
		items[i] = o.Body
	}
	keys := map[string]bool{}
	for _, it := range items {
		for k := range it {
			keys[k] = true
		}
	}
	header := make([]string, 0, len(keys))
	for k := range keys {
		header = append(header, k)
	}
	slices.Sort(header)
	rows := [][]string{header}
	for _, it := range items {
		row := make([]string, len(header))
		for i, k := range header {
			switch v := it[k].(type) {
			case nil:
			case string:
				row[i] = v
			default:
				b, _ := json.Marshal(v)
				row[i] = string(b)
			}
		}
		rows = append(rows, row)
	}
	return rows
}

func csvOf(items []map[string]any) []byte {
	objs := make([]store.GenericObject, len(items))
	for i, it := range items {
		objs[i].Body = it
	}
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	_ = w.WriteAll(csvRowsOf(objs))
	return b.Bytes()
}

// requestObject is the JSON object of a body, JSON nulls left out ("not
// given"); any other body is an empty object.
func requestObject(body []byte) map[string]any {
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil || m == nil {
		return map[string]any{}
	}
	for k, v := range m {
		if v == nil {
			delete(m, k)
		}
	}
	return m
}

// withDefaults adds to a body what its schema fills: defaults, and the
// plainest value of required fields that are missing.
func withDefaults(schema *openapi3.SchemaRef, body map[string]any) map[string]any {
	shaped, ok := openapi.Shape(schema, body).(map[string]any)
	if !ok {
		return body
	}
	for k, v := range shaped {
		if _, have := body[k]; !have {
			body[k] = v
		}
	}
	return body
}

// newID is the id of an item being created, set in its body: a new one,
// or the value of its natural key (which must name one path segment).
func (p *genericPlan) newID(body map[string]any) (string, error) {
	if p.keyField != "" {
		key, _ := body[p.keyField].(string)
		if strings.TrimSpace(key) == "" || strings.Contains(key, "/") {
			return "", store.Invalid("InvalidValueForField:" + p.keyField)
		}
		return key, nil
	}
	var id string
	if p.uuidIDs {
		id = store.NewUUID()
	} else {
		id = store.NewID()
	}
	body["id"] = id
	body[p.idField] = id
	return id, nil
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func lastSegment(path string) string { return path[strings.LastIndexByte(path, '/')+1:] }

func max0(n int) int { return max(n, 0) }

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
