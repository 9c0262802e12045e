package authfake

import (
	"net/http"
	"testing"
	"time"

	"github.com/fakealianza/fakealianza/store"
)

func testStore(t *testing.T) *store.Store {
	t.Helper()
	s, err := store.New(store.State{
		Partitions: []store.Partition{{ID: "p1", Name: "One", SubPartitionIDs: []string{"p2"}}, {ID: "p2", Name: "Two"}},
		ManagementUsers: []store.ManagementUser{{ID: "u1", Username: "a@example.com", Password: "pw", PartitionID: "p1",
			Permissions: map[string]string{"Account": "EDIT", "Reports": "READ_MYUSER", "PhoneNumber": "DENIED"}}},
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestAllowedFollowsTheLevelOrder(t *testing.T) {
	u := store.ManagementUser{Permissions: map[string]string{"Account": "EDIT", "Reports": "READ_MYUSER", "PhoneNumber": "DENIED"}}
	OperationPermissions["t.account"] = "Account"
	OperationPermissions["t.reports"] = "Reports"
	OperationPermissions["t.phone"] = "PhoneNumber"
	OperationPermissions["t.inventory"] = "PhoneNumberInventory"
	defer func() {
		for _, k := range []string{"t.account", "t.reports", "t.phone", "t.inventory"} {
			delete(OperationPermissions, k)
		}
	}()
	cases := []struct {
		op, method string
		want       bool
	}{
		{"t.account", http.MethodGet, true},
		{"t.account", http.MethodPut, true},
		{"t.account", http.MethodPatch, true},
		{"t.account", http.MethodPost, false},
		{"t.account", http.MethodDelete, false},
		{"t.reports", http.MethodGet, false}, // READ_MYUSER < READ
		{"t.phone", http.MethodGet, false},   // DENIED
		{"t.inventory", http.MethodGet, false},
		{"t.unlisted", http.MethodGet, false},
		{"logOut", http.MethodPut, true}, // token only
	}
	for _, c := range cases {
		if got := Allowed(u, c.op, c.method); got != c.want {
			t.Errorf("%s %s: %v, want %v", c.method, c.op, got, c.want)
		}
	}
}

func TestScopeIncludesSubPartitions(t *testing.T) {
	a := New(testStore(t), Config{})
	tok, err := a.Login("a@example.com", "pw")
	if err != nil {
		t.Fatal(err)
	}
	p, err := a.Check(tok.AuthToken)
	if err != nil {
		t.Fatal(err)
	}
	if !p.Partitions["p1"] || !p.Partitions["p2"] || len(p.Partitions) != 2 {
		t.Fatalf("scope %v", p.Partitions)
	}
	if tok.PartitionName != "One" || len(tok.SubPartitionIDs) != 1 {
		t.Errorf("%+v", tok)
	}
}

func TestForgottenUserKillsToken(t *testing.T) {
	s := testStore(t)
	a := New(s, Config{})
	tok, err := a.Login("a@example.com", "pw")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Restore(store.State{Partitions: []store.Partition{{ID: "p1", Name: "One"}}}); err != nil {
		t.Fatal(err)
	}
	_, err = a.Check(tok.AuthToken)
	f, ok := err.(*Failure)
	if !ok || f.Missing || f.Err.Code != "" || f.Err.Status != 401 {
		t.Fatalf("token of a removed user: %v", err)
	}
}

func TestExpiredTokensAreForgottenEventually(t *testing.T) {
	s := testStore(t)
	a := New(s, Config{IdleTimeout: time.Hour})
	for range 255 {
		a.Login("a@example.com", "pw")
	}
	s.Clock().Advance(time.Hour + expiredRetention + time.Second)
	a.Login("a@example.com", "pw") // the 256th login sweeps
	if n := a.Tokens(); n != 1 {
		t.Fatalf("%d tokens remembered, want 1", n)
	}
}
