package routes_test

import (
	"net/http"
	"testing"

	"github.com/fakealianza/fakealianza/fatest"
)

// TestVendorConstraints drives constraints the project's spec carries over
// from the vendor's (openapi's conformance test compares them all): each
// value breaks one of them and is refused with Alianza's code for the field.
func TestVendorConstraints(t *testing.T) {
	srv := fatest.New(t)
	c := login(t, srv, fatest.AdminUser)
	A := alphaP + "/account/fakeAcct00000000000001"
	for _, r := range []struct {
		name, method, path string
		body               map[string]any
		code               string
	}{
		{"account user firstName minLength 3", http.MethodPost, A + "/accountuser",
			map[string]any{"username": "mo@acme.example.com", "firstName": "Mo", "lastName": "Boss"}, "InvalidFirstName"},
		{"account user username minLength 3", http.MethodPost, A + "/accountuser",
			map[string]any{"username": "mo", "firstName": "Moses", "lastName": "Boss"}, "InvalidUsername"},
		{"account name minLength 3", http.MethodPost, alphaP + "/account",
			map[string]any{"accountNumber": "CON-1", "accountName": "AB", "accountType": "ADVANCED"}, "InvalidValueForField:accountName"},
		{"routePlanId format uuid", http.MethodPut, A, map[string]any{"accountNumber": "ACME-1001", "accountName": "Acme Plumbing",
			"accountType": "ADVANCED", "routePlanId": "not-a-uuid"}, "InvalidValueForField:routePlanId"},
		{"end user lastName minLength 3", http.MethodPost, A + "/user",
			map[string]any{"firstName": "Ann", "lastName": "Li", "extension": "2901"}, "InvalidLastName"},
		{"end user emailAddress minLength 3", http.MethodPost, A + "/user",
			map[string]any{"firstName": "Ann", "lastName": "Lee", "extension": "2902", "emailAddress": "a@"}, "InvalidEmailAddress"},
		{"CSR firstName minLength 1", http.MethodPut, alphaP + "/account/e911/prevalidate",
			map[string]any{"customerServiceRecord": map[string]any{"firstName": ""}}, "InvalidValueForField:firstName"},
		{"PATCH holds names to the same bounds (a store rule)", http.MethodPatch, A + "/user/fakeUser00000000000001",
			map[string]any{"firstName": "Mo"}, "InvalidFirstName"},
	} {
		t.Run(r.name, func(t *testing.T) {
			caller{t: t, srv: srv, tok: c.tok}.fails(r.method, r.path, r.body, http.StatusBadRequest, r.code)
		})
	}
	// the same fields at their bounds pass
	c.create(A+"/accountuser", map[string]any{"username": "moe@acme.example.com", "firstName": "Moe", "lastName": "Bos"}, http.StatusOK)
	c.create(A+"/user", map[string]any{"firstName": "Ann", "lastName": "Lee", "extension": "2903"}, http.StatusOK)
}
