package routes

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/fakealianza/fakealianza/authfake"
	"github.com/fakealianza/fakealianza/fixtures"
	"github.com/fakealianza/fakealianza/openapi"
	"github.com/fakealianza/fakealianza/store"
)

// A POST under a partition, guarded by the Account permission, served by a
// test handler through the real router.
const widgetPath = `  /v2/partition/{partitionId}/widget:
    parameters:
      - $ref: '#/components/parameters/partitionId'
    post:
      operationId: createWidget
      responses:
        '201': {description: made}
        '400': {$ref: '#/components/responses/Error'}
        '401': {$ref: '#/components/responses/Unauthorized'}
        '403': {$ref: '#/components/responses/Error'}
`

func TestPermissionsByVerb(t *testing.T) {
	spec, err := openapi.Parse([]byte(strings.Replace(string(openapi.Embedded()), "paths:\n", "paths:\n"+widgetPath, 1)),
		openapi.EmbeddedGeneric())
	if err != nil {
		t.Fatal(err)
	}
	seed, err := fixtures.Default()
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.New(seed, nil)
	if err != nil {
		t.Fatal(err)
	}
	auth := authfake.New(st, authfake.Config{})
	d := Deps{Spec: spec, Store: st, Auth: auth}
	made := 0
	widget := map[string]Handler{"createWidget": func(*Request) (Response, error) { made++; return NoContent(http.StatusCreated), nil }}

	if _, err := build(d, widget); err == nil || !strings.Contains(err.Error(), "createWidget") {
		t.Fatalf("a secured operation without a permission row was accepted: %v", err)
	}
	authfake.OperationPermissions["createWidget"] = "Account"
	defer delete(authfake.OperationPermissions, "createWidget")
	rt, err := build(d, widget)
	if err != nil {
		t.Fatal(err)
	}
	post := func(user string) (int, string) {
		tok, err := auth.Login(user, "fakealianza")
		if err != nil {
			t.Fatal(err)
		}
		r := httptest.NewRequest(http.MethodPost, "/v2/partition/fakePartitionAlpha0001/widget", nil)
		r.Header.Set("X-AUTH-TOKEN", tok.AuthToken)
		w := httptest.NewRecorder()
		rt.ServeHTTP(w, r.WithContext(context.Background()))
		return w.Code, w.Body.String()
	}
	if code, body := post("reader@example.com"); code != http.StatusForbidden || body != `{"status":403,"messages":["InsufficientPermissions"]}` {
		t.Errorf("read-only user POST: %d %s", code, body)
	}
	if made != 0 {
		t.Fatal("the handler ran for a refused caller")
	}
	if code, body := post("admin@example.com"); code != http.StatusCreated {
		t.Errorf("admin POST: %d %s", code, body)
	}

	// /v2/ref/permissions answers from the same table.
	tok, err := auth.Login("admin@example.com", "fakealianza")
	if err != nil {
		t.Fatal(err)
	}
	r := httptest.NewRequest(http.MethodGet, "/v2/ref/permissions", nil)
	r.Header.Set("X-AUTH-TOKEN", tok.AuthToken)
	w := httptest.NewRecorder()
	rt.ServeHTTP(w, r)
	var rows []authfake.TypeDefault
	if err := json.Unmarshal(w.Body.Bytes(), &rows); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, row := range rows {
		if row.Type == "Account" {
			found = true
			if levelOf(row.MaxAccessType) < levelOf("CREATE") {
				t.Errorf("Account max %s, want at least CREATE", row.MaxAccessType)
			}
		}
	}
	if !found {
		t.Errorf("Account missing from %s", bytes.TrimSpace(w.Body.Bytes()))
	}
}

func levelOf(l string) int {
	return map[string]int{"READ": 1, "EDIT": 2, "CREATE": 3, "DELETE": 4}[l]
}
