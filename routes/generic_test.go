package routes_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	yaml "go.yaml.in/yaml/v4"

	"github.com/fakealianza/fakealianza/authfake"
	"github.com/fakealianza/fakealianza/fatest"
	"github.com/fakealianza/fakealianza/openapi"
	"github.com/fakealianza/fakealianza/routes"
)

// genericOperations are the operationIds of generic.yaml: the operations the
// generic engine serves.
func genericOperations(t *testing.T) map[string]bool {
	t.Helper()
	var doc struct {
		Paths map[string]map[string]struct {
			OperationID string `yaml:"operationId"`
		} `yaml:"paths"`
	}
	if err := yaml.Unmarshal(openapi.EmbeddedGeneric(), &doc); err != nil {
		t.Fatal(err)
	}
	out := map[string]bool{}
	for _, item := range doc.Paths {
		for _, op := range item {
			// Operations with rules of their own (management users, voice
			// products) are hand-built though generated from the vendor's spec.
			if _, hand := authfake.OperationPermissions[op.OperationID]; !hand {
				out[op.OperationID] = true
			}
		}
	}
	return out
}

// walker builds valid requests from the spec: known parents from the seed,
// generic parents created on the way, everything else from the schemas.
type walker struct {
	t       *testing.T
	srv     *fatest.Server
	spec    *openapi.Spec
	token   string
	created map[string]string // concrete collection path -> an id created there
}

var seedIDs = map[string]string{
	"partitionId": fatest.AlphaPartition, "accountId": "fakeAcct00000000000001", "userId": "fakeUser00000000000001",
	// the seed's voice products on the Acme account (hand-built, not created on the way)
	"businessLineId": "5f0c7a52-3a8e-4c1e-9b1d-6a1f2e3d4c01", "huntGroupId": "5f0c7a52-3a8e-4c1e-9b1d-6a1f2e3d4c02",
	"lineId": "5f0c7a52-3a8e-4c1e-9b1d-6a1f2e3d4c03",
}

func newWalker(t *testing.T) *walker {
	srv := fatest.New(t)
	return &walker{t: t, srv: srv, spec: srv.Spec(), token: srv.Admin(t), created: map[string]string{}}
}

// call sends one request with the token, logging in again once when the
// token is gone (an operation may have logged it out).
func (w *walker) call(method, path string, body any, headers ...string) *fatest.Resp {
	r := w.srv.Call(w.t, method, path, body, append(headers, "X-AUTH-TOKEN: "+w.token)...)
	if r.Status == http.StatusUnauthorized {
		w.token = w.srv.Admin(w.t)
		r = w.srv.Call(w.t, method, path, body, append(headers, "X-AUTH-TOKEN: "+w.token)...)
	}
	return r
}

func (w *walker) op(method, path string) *openapi.Operation {
	for _, op := range w.spec.Operations() {
		if op.Method == method && op.Path == path {
			return op
		}
	}
	return nil
}

// path fills a template's parameters.
func (w *walker) path(op *openapi.Operation) string {
	segs := strings.Split(op.Path, "/")
	out := make([]string, len(segs))
	for i, s := range segs {
		if !strings.HasPrefix(s, "{") {
			out[i] = s
			continue
		}
		name := strings.Trim(s, "{}")
		if v, ok := seedIDs[name]; ok {
			out[i] = v
			continue
		}
		collection := strings.Join(segs[:i], "/")
		if post := w.op(http.MethodPost, collection); post != nil {
			if id := w.create(post, strings.Join(out[:i], "/"), name); id != "" {
				out[i] = id
				continue
			}
		}
		out[i] = url.PathEscape(paramValue(op, name))
	}
	return strings.Join(out, "/")
}

// create makes an object in a concrete collection (once) and returns its id.
func (w *walker) create(post *openapi.Operation, collection, idName string) string {
	if id, ok := w.created[collection]; ok {
		return id
	}
	w.created[collection] = ""
	r := w.send(post, collection)
	if r.Status/100 != 2 {
		return ""
	}
	// The answer is the item, or its bare id; an item with no id is named
	// by a field of its own (a FROM number by its fromWildcard).
	var m map[string]any
	var bare string
	switch {
	case json.Unmarshal(r.Body, &bare) == nil:
		w.created[collection] = bare
	case json.Unmarshal(r.Body, &m) == nil:
		for _, k := range []string{"id", idName, routes.NaturalKeys["{"+idName+"}"]} {
			if id, ok := m[k].(string); ok && id != "" {
				w.created[collection] = id
				break
			}
		}
	}
	return w.created[collection]
}

// send calls an operation at a concrete path with its required query
// parameters and a body built from its schema.
func (w *walker) send(op *openapi.Operation, path string) *fatest.Resp {
	q := url.Values{}
	for _, p := range append(append(openapi3.Parameters{}, op.Route().PathItem.Parameters...), op.Route().Operation.Parameters...) {
		if p.Value.In == "query" && p.Value.Required {
			q.Set(p.Value.Name, fmt.Sprint(openapi.Zero(p.Value.Schema)))
		}
	}
	if len(q) > 0 {
		path += "?" + q.Encode()
	}
	body, ct := requestBody(op)
	if ref, ok := refBodies[op.ID]; ok {
		// the body names an item the walk makes in a sibling collection
		base := path[:strings.LastIndexByte(strings.SplitN(path, "?", 2)[0], '/')]
		post := w.op(http.MethodPost, op.Path[:strings.LastIndexByte(op.Path, '/')]+"/"+ref.collection)
		body, _ = json.Marshal(map[string]any{ref.field: w.create(post, base+"/"+ref.collection, ref.param)})
	}
	var headers []string
	if ct != "" {
		headers = append(headers, "Content-Type: "+ct)
	}
	return w.call(op.Method, path, body, headers...)
}

// refBodies are bodies that must name an existing item: the field, the
// sibling collection the walk makes it in, and that collection's item
// parameter.
var refBodies = map[string]struct{ field, collection, param string }{
	"updateFromNumber": {"fromWildcard", "fromnumber", "fromNumber"},
}

func paramValue(op *openapi.Operation, name string) string {
	for _, p := range append(append(openapi3.Parameters{}, op.Route().PathItem.Parameters...), op.Route().Operation.Parameters...) {
		if p.Value.Name == name && p.Value.In == "path" {
			if v := fmt.Sprint(openapi.Zero(p.Value.Schema)); v != "" {
				return v
			}
		}
	}
	return "1"
}

// ruleBodies are bodies for operations whose rules ask more than their
// schema (a management user needs a username, unique): n makes them unique.
var ruleBodies = map[string]func(n int) any{
	"createManagementUser": func(n int) any { return map[string]any{"username": fmt.Sprintf("walk%d@example.com", n)} },
	"updateManagementUser": func(n int) any { return map[string]any{"username": fmt.Sprintf("walked%d@example.com", n)} },
	// items named by a value of theirs: unique and not empty
	"createFromNumber": func(n int) any { return map[string]any{"fromWildcard": fmt.Sprintf("1801555%04d", n)} },
	"createCallerId":   func(n int) any { return map[string]any{"customCallerIdNumber": fmt.Sprintf("1801556%04d", n)} },
}

var ruleBodyCount int

// requestBody is a body the operation's schema accepts and its media type.
func requestBody(op *openapi.Operation) ([]byte, string) {
	if f, ok := ruleBodies[op.ID]; ok {
		ruleBodyCount++
		b, _ := json.Marshal(f(ruleBodyCount))
		return b, "application/json"
	}
	rb := op.Route().Operation.RequestBody
	if rb == nil || rb.Value == nil {
		return nil, ""
	}
	if mt := rb.Value.Content.Get("application/json"); mt != nil {
		b, _ := json.Marshal(openapi.Zero(mt.Schema))
		return b, "application/json"
	}
	if mt := rb.Value.Content.Get("multipart/form-data"); mt != nil {
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		if s := mt.Schema; s != nil && s.Value != nil {
			for name, p := range s.Value.Properties {
				if p.Value != nil && p.Value.Format == "binary" {
					fw, _ := mw.CreateFormFile(name, "a.txt")
					fw.Write([]byte("x"))
					continue
				}
				v := openapi.Zero(p)
				if b, err := json.Marshal(v); err == nil && (p.Value == nil || !p.Value.Type.Is(openapi3.TypeString)) {
					mw.WriteField(name, string(b))
				} else {
					mw.WriteField(name, fmt.Sprint(v))
				}
			}
		}
		mw.Close()
		return buf.Bytes(), mw.FormDataContentType()
	}
	for ct := range rb.Value.Content {
		return []byte("x"), ct
	}
	return nil, ""
}

// Every operation of the vendor's spec answers a valid request, and every
// answer is one the spec describes (fatest validates each response): none
// is 404 ResourceNotFound, and every generic operation succeeds.
func TestEveryVendorOperationAnswers(t *testing.T) {
	w := newWalker(t)
	generic := genericOperations(t)
	ops := slices.Clone(w.spec.Operations())
	// Deletes last, the deepest first, so they do not take others' parents.
	slices.SortStableFunc(ops, func(a, b *openapi.Operation) int {
		da, db := a.Method == http.MethodDelete || a.ID == "logOut", b.Method == http.MethodDelete || b.ID == "logOut"
		switch {
		case da && !db:
			return 1
		case db && !da:
			return -1
		case da && db:
			return len(b.Path) - len(a.Path)
		}
		return 0
	})
	answered, succeeded := 0, 0
	for _, op := range ops {
		if op.IsAdmin() {
			continue
		}
		r := w.send(op, w.path(op))
		answered++
		if r.Status == http.StatusNotFound && bytes.Contains(r.Body, []byte("ResourceNotFound")) {
			t.Errorf("%s %s (%s): 404 ResourceNotFound", op.Method, op.Path, op.ID)
			continue
		}
		switch {
		case r.Status/100 == 2:
			succeeded++
		case generic[op.ID]:
			t.Errorf("%s %s (%s): %d %s", op.Method, op.Path, op.ID, r.Status, r.Body)
		}
	}
	if len(generic) == 0 || answered < len(generic) {
		t.Fatalf("walked %d operations, %d generic", answered, len(generic))
	}
	t.Logf("%d operations answered (none ResourceNotFound), %d with 2xx; %d generic", answered, succeeded, len(generic))
}

// Every generic resource with a create, a read, a write and a delete makes
// the round trip: create -> read -> update -> read -> delete -> 404.
func TestGenericResourcesRoundTrip(t *testing.T) {
	w := newWalker(t)
	generic := genericOperations(t)
	trips, checked := 0, 0
	for _, post := range w.spec.Operations() {
		if post.Method != http.MethodPost || !generic[post.ID] {
			continue
		}
		var item string
		for _, op := range w.spec.Operations() {
			if op.Method == http.MethodGet && generic[op.ID] && strings.HasPrefix(op.Path, post.Path+"/{") &&
				!strings.Contains(op.Path[len(post.Path)+1:], "/") && !seedParam(op.Path) {
				item = op.Path
			}
		}
		del := w.op(http.MethodDelete, item)
		put := w.op(http.MethodPut, item)
		if put == nil {
			put = w.op(http.MethodPatch, item)
		}
		if item == "" || del == nil || put == nil || !generic[put.ID] || !generic[del.ID] {
			continue
		}
		name := strings.Trim(item[strings.LastIndexByte(item, '/')+1:], "{}")
		t.Run(post.ID, func(t *testing.T) {
			collection := w.path(post)
			r := w.send(post, collection)
			if r.Status/100 != 2 {
				t.Fatalf("create: %d %s", r.Status, r.Body)
			}
			m := r.Map(t)
			id, _ := m["id"].(string)
			if id == "" {
				id, _ = m[name].(string)
			}
			if id == "" {
				t.Fatalf("create answered no id: %s", r.Body)
			}
			at := collection + "/" + url.PathEscape(id)
			get := w.op(http.MethodGet, item)
			if r := w.send(get, at); r.Status != http.StatusOK {
				t.Fatalf("read: %d %s", r.Status, r.Body)
			}
			field := plainField(put, get)
			body, ct := requestBody(put)
			if field != "" {
				var m map[string]any
				if err := json.Unmarshal(body, &m); err != nil {
					t.Fatal(err)
				}
				m[field] = "round-trip"
				b, err := json.Marshal(m)
				if err != nil {
					t.Fatal(err)
				}
				body = b
			}
			if r := w.call(put.Method, at, body, "Content-Type: "+ct); r.Status/100 != 2 {
				t.Fatalf("update: %d %s", r.Status, r.Body)
			}
			r = w.send(get, at)
			if r.Status != http.StatusOK {
				t.Fatalf("read after update: %d %s", r.Status, r.Body)
			}
			if field != "" {
				if got := r.Map(t)[field]; got != "round-trip" {
					t.Fatalf("read after update: %s is %v, want round-trip", field, got)
				}
				checked++
			}
			if r := w.send(del, at); r.Status/100 != 2 {
				t.Fatalf("delete: %d %s", r.Status, r.Body)
			}
			r = w.send(get, at)
			if status, msgs, data := r.Envelope(t); status != http.StatusNotFound || len(msgs) != 1 || msgs[0] != "EntityNotFound" {
				t.Fatalf("read after delete: %d %s", r.Status, r.Body)
			} else if d, ok := data.(map[string]any); !ok || d["id"] != id || d["type"] == "" {
				t.Fatalf("EntityNotFound data %v, want {type, id: %s}", data, id)
			}
		})
		trips++
	}
	// 15 before business and specialty lines left the generic engine; 14
	// since hunt groups' forward configurations are made; 13 since account
	// media left it (TestAccountMedia makes their trip).
	if trips < 13 || checked < trips/2 {
		t.Fatalf("only %d resources made the round trip, %d with a field checked", trips, checked)
	}
	t.Logf("%d generic resources made the round trip (%d with an updated field read back)", trips, checked)
}

// plainField is a free-text field the write sets and the read answers (no
// enum, format, pattern or short bound), or "".
func plainField(write, read *openapi.Operation) string {
	req := write.Route().Operation.RequestBody
	if req == nil || req.Value == nil || req.Value.Content.Get("application/json") == nil {
		return ""
	}
	in := req.Value.Content.Get("application/json").Schema
	out := read.Route().Operation.Responses.Value("200")
	if in == nil || in.Value == nil || out == nil || out.Value == nil || out.Value.Content.Get("application/json") == nil {
		return ""
	}
	outSchema := out.Value.Content.Get("application/json").Schema
	if outSchema == nil || outSchema.Value == nil {
		return ""
	}
	names := make([]string, 0, len(in.Value.Properties))
	for name := range in.Value.Properties {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		p := in.Value.Properties[name].Value
		if p == nil || !p.Type.Is(openapi3.TypeString) || len(p.Enum) > 0 || p.Format != "" || p.Pattern != "" ||
			(p.MaxLength != nil && *p.MaxLength < 10) || name == "id" || strings.HasSuffix(name, "Id") {
			continue
		}
		if outSchema.Value.Properties[name] != nil {
			return name
		}
	}
	return ""
}

// seedParam: the item is named by a hand-built object's id.
func seedParam(path string) bool {
	_, ok := seedIDs[strings.Trim(path[strings.LastIndexByte(path, '/')+1:], "{}")]
	return ok
}

// A generic object goes with its parent: deleting the account removes the
// call parking spots under it.
func TestGenericObjectsGoWithTheirAccount(t *testing.T) {
	w := newWalker(t)
	acct := w.call(http.MethodPost, "/v2/partition/"+fatest.AlphaPartition+"/account",
		map[string]any{"accountName": "Generic Parent", "accountType": "ADVANCED", "accountNumber": "GEN-1"})
	if acct.Status != http.StatusOK {
		t.Fatalf("create account: %d %s", acct.Status, acct.Body)
	}
	aid, _ := acct.Map(t)["id"].(string)
	post := w.op(http.MethodPost, "/v2/partition/{partitionId}/account/{accountId}/callpark")
	if post == nil {
		t.Fatal("no callpark create in the spec")
	}
	collection := "/v2/partition/" + fatest.AlphaPartition + "/account/" + aid + "/callpark"
	r := w.send(post, collection)
	if r.Status/100 != 2 {
		t.Fatalf("create call parking spot: %d %s", r.Status, r.Body)
	}
	id, _ := r.Map(t)["id"].(string)
	if r := w.call(http.MethodGet, collection+"/"+id, nil); r.Status != http.StatusOK {
		t.Fatalf("read: %d %s", r.Status, r.Body)
	}
	if r := w.call(http.MethodDelete, "/v2/partition/"+fatest.AlphaPartition+"/account/"+aid, nil); r.Status/100 != 2 {
		t.Fatalf("delete account: %d %s", r.Status, r.Body)
	}
	if n := len(w.srv.Store().Snapshot().Generic); n != 0 {
		t.Fatalf("%d generic objects outlive their account", n)
	}
	r = w.call(http.MethodGet, collection+"/"+id, nil)
	if status, msgs, _ := r.Envelope(t); status != http.StatusNotFound || msgs[0] != "EntityNotFound" {
		t.Fatalf("read under a deleted account: %d %s", r.Status, r.Body)
	}
}

// Searches and lists filter the stored items; an export or bulk operation
// is a job with the usual lifecycle.
func TestGenericListsFilterAndJobsRun(t *testing.T) {
	w := newWalker(t)
	a := "/v2/partition/" + fatest.AlphaPartition + "/account/fakeAcct00000000000001"
	for _, name := range []string{"Front Desk", "Back Office", "Front Porch"} {
		r := w.call(http.MethodPost, a+"/callpark", map[string]any{
			"name": name, "accountId": "fakeAcct00000000000001", "partitionId": fatest.AlphaPartition,
		})
		if r.Status/100 != 2 {
			t.Fatalf("create %s: %d %s", name, r.Status, r.Body)
		}
		if m := r.Map(t); m["name"] != name || len(m["id"].(string)) != 22 {
			t.Fatalf("created %v, want the name and a 22-character id", m)
		}
	}
	cases := []struct {
		query string
		want  []string
	}{
		{"", []string{"Front Desk", "Back Office", "Front Porch"}},
		{"?name=front", []string{"Front Desk", "Front Porch"}},
		{"?q=OFFICE", []string{"Back Office"}},
		{"?name=nothing", nil},
	}
	for _, c := range cases {
		var got []struct{ Name string }
		w.call(http.MethodGet, a+"/callpark"+c.query, nil).Decode(t, &got)
		var names []string
		for _, g := range got {
			names = append(names, g.Name)
		}
		if !slices.Equal(names, c.want) {
			t.Errorf("list %q: %v, want %v", c.query, names, c.want)
		}
	}

	// A generic operation answering a Job starts one (the device inventory
	// export is still generic).
	r := w.call(http.MethodPost, "/v2/partition/"+fatest.AlphaPartition+"/deviceinventory/export", nil)
	if r.Status != http.StatusOK {
		t.Fatalf("device inventory export: %d %s", r.Status, r.Body)
	}
	job := r.Map(t)
	id, _ := job["id"].(string)
	if len(id) != 36 || job["status"] == nil {
		t.Fatalf("job %v", job)
	}
	if r := w.call(http.MethodGet, "/v2/job/"+id, nil); r.Status != http.StatusOK || r.Map(t)["id"] != id {
		t.Fatalf("job by id: %d %s", r.Status, r.Body)
	}
}

// Generic objects are part of the state: a snapshot carries them back after
// a reset, and a partition reset removes them.
func TestGenericObjectsInTheState(t *testing.T) {
	w := newWalker(t)
	lines := "/v2/partition/" + fatest.AlphaPartition + "/account/fakeAcct00000000000001/callpark"
	r := w.call(http.MethodPost, lines, map[string]any{
		"name": "Kept", "accountId": "fakeAcct00000000000001", "partitionId": fatest.AlphaPartition,
	})
	if r.Status/100 != 2 {
		t.Fatalf("create: %d %s", r.Status, r.Body)
	}
	at := lines + "/" + r.Map(t)["id"].(string)
	state := w.srv.Call(t, http.MethodGet, "/__admin/state", nil)
	if state.Status != http.StatusOK || !bytes.Contains(state.Body, []byte(`"Kept"`)) {
		t.Fatalf("state: %d, the call parking spot missing", state.Status)
	}
	if r := w.srv.Call(t, http.MethodPost, "/__admin/partitions/"+fatest.AlphaPartition+"/reset", nil); r.Status != http.StatusNoContent {
		t.Fatalf("partition reset: %d %s", r.Status, r.Body)
	}
	w.token = w.srv.Admin(t)
	if r := w.call(http.MethodGet, at, nil); r.Status != http.StatusNotFound {
		t.Fatalf("after the partition's reset: %d %s", r.Status, r.Body)
	}
	if r := w.srv.Call(t, http.MethodPut, "/__admin/state", state.Body); r.Status != http.StatusNoContent {
		t.Fatalf("put state: %d %s", r.Status, r.Body)
	}
	w.token = w.srv.Admin(t)
	if r := w.call(http.MethodGet, at, nil); r.Status != http.StatusOK || r.Map(t)["name"] != "Kept" {
		t.Fatalf("after the state came back: %d %s", r.Status, r.Body)
	}
}

// Items Alianza names by a value of theirs (a trunk's custom FROM numbers
// and caller ids) are created, listed and deleted by that value; media added
// on the deprecated path are media_2's, read on either path.
func TestGenericNaturalKeysAndSharedMedia(t *testing.T) {
	w := newWalker(t)
	a := "/v2/partition/" + fatest.AlphaPartition + "/account/fakeAcct00000000000001"
	for _, c := range []struct{ collection, field, key string }{
		{a + "/siptrunk_2/cid/fromnumber", "fromWildcard", "1801555XXXX"},
		{a + "/siptrunk_2/cid/callerid", "customCallerIdNumber", "18015550100"},
	} {
		listed := func() []string {
			var items []map[string]any
			w.call(http.MethodGet, c.collection, nil).Decode(t, &items)
			var keys []string
			for _, it := range items {
				keys = append(keys, fmt.Sprint(it[c.field]))
			}
			return keys
		}
		r := w.call(http.MethodPost, c.collection, map[string]any{c.field: c.key})
		if r.Status != http.StatusCreated || r.Map(t)[c.field] != c.key || r.Map(t)["accountId"] != "fakeAcct00000000000001" {
			t.Fatalf("create %s: %d %s", c.key, r.Status, r.Body)
		}
		for _, bad := range []struct {
			body any
			code string
		}{
			{map[string]any{c.field: c.key}, "Duplicate"},
			{map[string]any{c.field: " "}, "InvalidValueForField:" + c.field},
			{map[string]any{c.field: "1/2"}, "InvalidValueForField:" + c.field},
		} {
			r := w.call(http.MethodPost, c.collection, bad.body)
			if status, msgs, _ := r.Envelope(t); status != http.StatusBadRequest || !strings.HasPrefix(msgs[0], bad.code) {
				t.Errorf("create %v: %d %s, want 400 %s", bad.body, r.Status, r.Body, bad.code)
			}
		}
		if got := listed(); !slices.Equal(got, []string{c.key}) {
			t.Errorf("listed %v, want [%s]", got, c.key)
		}
		if r := w.call(http.MethodDelete, c.collection+"/"+c.key, nil); r.Status != http.StatusNoContent {
			t.Fatalf("delete %s: %d %s", c.key, r.Status, r.Body)
		}
		if got := listed(); len(got) != 0 {
			t.Errorf("listed after the delete %v", got)
		}
		// The vendor declares no 404 here: removing what is gone is done.
		if r := w.call(http.MethodDelete, c.collection+"/"+c.key, nil); r.Status != http.StatusNoContent {
			t.Errorf("second delete: %d %s", r.Status, r.Body)
		}
	}

	// Media: a media_2 upload reads on the legacy path, a legacy add (its
	// answer the bare id) on media_2; an id no one made is 404 on both.
	upload := w.send(w.op(http.MethodPost, "/v2/partition/{partitionId}/account/{accountId}/media_2"), a+"/media_2")
	id2, _ := upload.Map(t)["id"].(string)
	var id1 string
	add := w.send(w.op(http.MethodPost, "/v2/partition/{partitionId}/account/{accountId}/media"), a+"/media")
	add.Decode(t, &id1)
	if id1 == "" || id2 == "" {
		t.Fatalf("media ids %q (add) %q (media_2: %d %s)", id1, id2, upload.Status, upload.Body)
	}
	for _, c := range []struct {
		path string
		want int
	}{
		{a + "/media/" + id2, http.StatusOK}, {a + "/media_2/" + id2, http.StatusOK},
		{a + "/media/" + id1, http.StatusOK}, {a + "/media_2/" + id1, http.StatusOK},
		{a + "/media/" + "5f0c7a52-3a8e-4c1e-9b1d-6a1f2e3d4cff", http.StatusNotFound},
	} {
		if r := w.call(http.MethodGet, c.path+"?mediaType=IvrPrompt", nil); r.Status != c.want {
			t.Errorf("GET %s: %d %s, want %d", c.path, r.Status, r.Body, c.want)
		}
	}
}

// A custom FROM number maps to one of the account's custom caller ids; null
// unmaps it, and a caller id removed leaves no mapping to it.
func TestCallerIDMappings(t *testing.T) {
	w := newWalker(t)
	cid := "/v2/partition/" + fatest.AlphaPartition + "/account/fakeAcct00000000000001/siptrunk_2/cid"
	for _, c := range []struct{ coll, field, value string }{
		{"fromnumber", "fromWildcard", "1801555XXXX"}, {"fromnumber", "fromWildcard", "18015550199"},
		{"callerid", "customCallerIdNumber", "18015550100"},
	} {
		if r := w.call(http.MethodPost, cid+"/"+c.coll, map[string]any{c.field: c.value}); r.Status != http.StatusCreated {
			t.Fatalf("create %s: %d %s", c.value, r.Status, r.Body)
		}
	}
	mapped := func() map[string]any {
		var list []map[string]any
		w.call(http.MethodGet, cid+"/mapping", nil).Decode(t, &list)
		out := map[string]any{}
		for _, m := range list {
			if m["isCustom"] != true {
				t.Errorf("mapping %v not custom", m)
			}
			out[m["fromWildcard"].(string)] = m["customCallerIdNumber"]
		}
		return out
	}
	steps := []struct {
		name   string
		body   map[string]any
		status int
		code   string
		want   map[string]any // the mappings after
	}{
		{"map", map[string]any{"fromWildcard": "1801555XXXX", "customCallerIdNumber": "18015550100"}, 200, "",
			map[string]any{"1801555XXXX": "18015550100", "18015550199": nil}},
		{"an unknown caller id", map[string]any{"fromWildcard": "18015550199", "customCallerIdNumber": "18015550101"}, 400,
			"InvalidValueForField:customCallerIdNumber", map[string]any{"1801555XXXX": "18015550100", "18015550199": nil}},
		{"an unknown FROM number", map[string]any{"fromWildcard": "18015550198", "customCallerIdNumber": "18015550100"}, 400,
			"InvalidValueForField:fromWildcard", map[string]any{"1801555XXXX": "18015550100", "18015550199": nil}},
		{"map another", map[string]any{"fromWildcard": "18015550199", "customCallerIdNumber": "18015550100"}, 200, "",
			map[string]any{"1801555XXXX": "18015550100", "18015550199": "18015550100"}},
		{"null unmaps", map[string]any{"fromWildcard": "18015550199", "customCallerIdNumber": nil}, 200, "",
			map[string]any{"1801555XXXX": "18015550100", "18015550199": nil}},
	}
	for _, s := range steps {
		r := w.call(http.MethodPut, cid+"/mapping", s.body)
		if r.Status != s.status {
			t.Fatalf("%s: %d %s", s.name, r.Status, r.Body)
		}
		if s.code != "" {
			if _, msgs, _ := r.Envelope(t); msgs[0] != s.code {
				t.Errorf("%s: %s, want %s", s.name, r.Body, s.code)
			}
		} else if m := r.Map(t); m["fromWildcard"] != s.body["fromWildcard"] || m["customCallerIdNumber"] != s.body["customCallerIdNumber"] {
			t.Errorf("%s: answered %v", s.name, m)
		}
		if got := mapped(); !reflect.DeepEqual(got, s.want) {
			t.Errorf("%s: mappings %v, want %v", s.name, got, s.want)
		}
	}
	if r := w.call(http.MethodDelete, cid+"/callerid/18015550100", nil); r.Status != http.StatusNoContent {
		t.Fatalf("delete caller id: %d %s", r.Status, r.Body)
	}
	if got, want := mapped(), map[string]any{"1801555XXXX": nil, "18015550199": nil}; !reflect.DeepEqual(got, want) {
		t.Errorf("after the caller id went: mappings %v, want %v", got, want)
	}
}
