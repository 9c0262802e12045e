package store

import (
	"reflect"
	"regexp"
	"testing"
	"time"
)

func TestNewIDShape(t *testing.T) {
	re := regexp.MustCompile(`^[A-Za-z0-9_-]{22}$`)
	seen := map[string]bool{}
	for range 1000 {
		id := NewID()
		if !re.MatchString(id) {
			t.Fatalf("id %q is not 22 URL-safe base64 characters", id)
		}
		if seen[id] {
			t.Fatalf("duplicate id %q", id)
		}
		seen[id] = true
	}
	if u := NewUUID(); len(u) != 36 {
		t.Errorf("uuid %q", u)
	}
}

func TestClock(t *testing.T) {
	wall := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	c := &Clock{wall: func() time.Time { return wall }}
	if !c.Now().Equal(wall) {
		t.Fatalf("now %v", c.Now())
	}
	c.Advance(9 * time.Hour)
	if got := c.Now(); !got.Equal(wall.Add(9 * time.Hour)) {
		t.Fatalf("advance: %v", got)
	}
	c.Freeze(true)
	frozen := c.Now()
	wall = wall.Add(time.Hour)
	if !c.Now().Equal(frozen) || !c.Frozen() {
		t.Fatalf("frozen clock moved: %v vs %v", c.Now(), frozen)
	}
	c.Advance(time.Minute)
	if !c.Now().Equal(frozen.Add(time.Minute)) {
		t.Fatalf("advance while frozen: %v", c.Now())
	}
	c.Freeze(false)
	if !c.Now().Equal(frozen.Add(time.Minute)) {
		t.Fatalf("unfreeze jumped: %v", c.Now())
	}
	wall = wall.Add(time.Second)
	if !c.Now().Equal(frozen.Add(time.Minute + time.Second)) {
		t.Fatalf("unfrozen clock does not run: %v", c.Now())
	}
	target := time.Date(2030, 5, 1, 12, 0, 0, 0, time.UTC)
	c.Set(target)
	if !c.Now().Equal(target) {
		t.Fatalf("set: %v", c.Now())
	}
}

func seedState() State {
	return State{
		Partitions: []Partition{{ID: "p1", Name: "One"}, {ID: "p2", Name: "Two"}},
		ManagementUsers: []ManagementUser{
			{ID: "u1", Username: "a@example.com", Password: "pw", PartitionID: "p1"},
		},
	}
}

func TestLoadRejectsBrokenSeeds(t *testing.T) {
	cases := map[string]func(*State){
		"partition without name":    func(s *State) { s.Partitions[0].Name = "" },
		"duplicate partition":       func(s *State) { s.Partitions[1].ID = "p1" },
		"user in unknown partition": func(s *State) { s.ManagementUsers[0].PartitionID = "nope" },
		"duplicate username": func(s *State) {
			s.ManagementUsers = append(s.ManagementUsers, ManagementUser{ID: "u2", Username: "A@example.com", Password: "x", PartitionID: "p2"})
		},
	}
	for name, edit := range cases {
		st := seedState()
		edit(&st)
		if _, err := New(st, nil); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestSnapshotRestoreRoundTrip(t *testing.T) {
	s, err := New(seedState(), nil)
	if err != nil {
		t.Fatal(err)
	}
	snap := s.Snapshot()
	snap.Partitions[0].Name = "changed outside"
	if p, _ := s.Partition("p1"); p.Name != "One" {
		t.Fatal("snapshot shares memory with the store")
	}
	if err := s.Restore(snap); err != nil {
		t.Fatal(err)
	}
	if p, _ := s.Partition("p1"); p.Name != "changed outside" {
		t.Fatalf("restore: %v", p)
	}
	bad := snap
	bad.ManagementUsers = append(bad.ManagementUsers, ManagementUser{ID: "x", Username: "y", Password: "z", PartitionID: "missing"})
	if err := s.Restore(bad); err == nil {
		t.Fatal("restore accepted a broken state")
	}
	if p, _ := s.Partition("p1"); p.Name != "changed outside" {
		t.Fatal("failed restore changed state")
	}
	if err := s.Reset(); err != nil {
		t.Fatal(err)
	}
	if p, _ := s.Partition("p1"); p.Name != "One" {
		t.Fatalf("reset: %v", p)
	}
}

func TestAuthenticate(t *testing.T) {
	s, err := New(seedState(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if u, err := s.Authenticate("A@Example.com", "pw"); err != nil || u.ID != "u1" {
		t.Fatalf("login: %v %v", u, err)
	}
	for _, c := range [][2]string{{"a@example.com", "PW"}, {"nobody@example.com", "pw"}, {"", ""}} {
		_, err := s.Authenticate(c[0], c[1])
		if se, ok := err.(*Error); !ok || se.Status != 400 || se.Code != "LoginInvalid" {
			t.Errorf("%v: %v", c, err)
		}
	}
}

// TestTypedClonesMatchDeepCopy: the typed copies on hot reads give what the
// JSON deep copy gave (nil versus empty included) and share nothing.
func TestTypedClonesMatchDeepCopy(t *testing.T) {
	parts := []Partition{
		{ID: "p1", Name: "Nil lists"},
		{ID: "p2", Name: "Empty lists", SubPartitionIDs: []string{}, AllowedDeviceTypes: []string{}},
		{ID: "p3", Name: "Full", SubPartitionIDs: []string{"a", "b"}, AllowedDeviceTypes: []string{"x"},
			UseOwnCarrier: true, TempTnThreshold: 7, CustomerServiceNumber: "8015550100"},
	}
	for _, p := range parts {
		got, want := p.clone(), deepCopy(p)
		if !reflect.DeepEqual(got, want) {
			t.Errorf("partition %s: clone %#v, deep copy %#v", p.ID, got, want)
		}
		if len(p.SubPartitionIDs) > 0 {
			got.SubPartitionIDs[0] = "changed"
			if p.SubPartitionIDs[0] == "changed" {
				t.Errorf("partition %s: clone shares subPartitionIds", p.ID)
			}
		}
	}
	users := []ManagementUser{
		{ID: "u1", Username: "nil@example.com", Password: "pw"},
		{ID: "u2", Username: "empty@example.com", Permissions: map[string]string{}},
		{ID: "u3", Username: "full@example.com", Permissions: map[string]string{"Account": "DELETE"},
			MustChangePassword: true, FirstName: "F", LanguageTag: "en-US"},
		{ID: "u4", Username: "groups@example.com", Roles: []string{}, GroupIDs: []string{"g1", "g2"}},
		{ID: "u5", Username: "roles@example.com", Roles: []string{"ADMIN"}, GroupIDs: []string{}},
	}
	for _, u := range users {
		got, want := u.clone(), deepCopy(u)
		if !reflect.DeepEqual(got, want) {
			t.Errorf("user %s: clone %#v, deep copy %#v", u.ID, got, want)
		}
		if len(u.Permissions) > 0 {
			got.Permissions["Account"] = "NONE"
			if u.Permissions["Account"] == "NONE" {
				t.Errorf("user %s: clone shares permissions", u.ID)
			}
		}
		if len(u.GroupIDs) > 0 {
			got.GroupIDs[0] = "changed"
			if u.GroupIDs[0] == "changed" {
				t.Errorf("user %s: clone shares groupIds", u.ID)
			}
		}
	}
}

// ManagementUserLevel answers, for every permission type, what
// ManagementUserByID's Permissions hold, for users with and without
// security groups; ManagementUserScope hands out copies only.
func TestManagementUserLevelMatchesPermissions(t *testing.T) {
	s, err := New(State{
		Partitions: []Partition{{ID: "p", Name: "P", SubPartitionIDs: []string{"sub"}}, {ID: "sub", Name: "Sub"}},
		ManagementUsers: []ManagementUser{
			{ID: "plain", Username: "plain@example.com", Password: "pw1", PartitionID: "p", Permissions: map[string]string{"Account": "EDIT", "Device": "READ"}},
			{ID: "grouped", Username: "grouped@example.com", Password: "pw2", PartitionID: "p", Permissions: map[string]string{"Account": "DELETE"},
				GroupIDs: []string{"g1", "g2", "missing"}},
		},
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	group := func(perms ...[2]string) *GenericObject {
		var list []any
		for _, p := range perms {
			list = append(list, map[string]any{"type": p[0], "accessType": p[1]})
		}
		return &GenericObject{Body: map[string]any{"permissions": list}}
	}
	s.generic[securityGroupPath("p", "g1")] = group([2]string{"Account", "READ"}, [2]string{"PhoneNumber", "CREATE"})
	s.generic[securityGroupPath("p", "g2")] = group([2]string{"Account", "EDIT"}, [2]string{"PhoneNumber", "READ"})
	types := []string{"Account", "Device", "PhoneNumber", "Nothing"}
	for _, id := range []string{"plain", "grouped"} {
		u, err := s.ManagementUserByID(id)
		if err != nil {
			t.Fatal(err)
		}
		for _, typ := range types {
			if got, want := s.ManagementUserLevel(id, typ), u.Permissions[typ]; got != want {
				t.Errorf("%s %s: level %q, permissions say %q", id, typ, got, want)
			}
		}
		brief, scope, err := s.ManagementUserScope(id)
		if err != nil {
			t.Fatal(err)
		}
		if brief.Permissions != nil || brief.ID != id || !scope["p"] || !scope["sub"] || len(scope) != 2 {
			t.Errorf("%s: scope user %#v, partitions %v", id, brief, scope)
		}
		if len(brief.GroupIDs) > 0 {
			brief.GroupIDs[0] = "changed"
			if again, _, err := s.ManagementUserScope(id); err != nil || again.GroupIDs[0] == "changed" {
				t.Errorf("%s: ManagementUserScope shares groupIds (%v)", id, err)
			}
		}
	}
	if s.ManagementUserLevel("grouped", "Account") != "EDIT" || s.ManagementUserLevel("grouped", "PhoneNumber") != "CREATE" {
		t.Errorf("groups' highest level not taken")
	}
	if got := s.ManagementUserLevel("gone", "Account"); got != "" {
		t.Errorf("a missing user has level %q", got)
	}
	if _, _, err := s.ManagementUserScope("gone"); err == nil {
		t.Errorf("ManagementUserScope of a missing user: no error")
	}
}
