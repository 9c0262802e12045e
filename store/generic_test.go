package store

import (
	"maps"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// Removing what lies under a path removes exactly the generic objects under
// it, nested ones included, and nothing else (not an account whose id
// starts with the same letters); lists and the path tree stay consistent,
// also after a state round trip.
func TestDropGenericUnder(t *testing.T) {
	const acct = "/v2/partition/P/account/"
	obj := func(coll, id string) GenericObject {
		path := acct + coll
		if id != "" {
			path += "/" + id
		}
		return GenericObject{Path: path, Collection: acct + coll, ID: id, PartitionID: "P", Body: map[string]any{"n": id}}
	}
	all := []GenericObject{
		obj("A/callpark", "1"), obj("A/callpark", "2"), obj("A/callpark/1/sub", "3"),
		obj("A/callpark/1/settings", ""), obj("A/user/U/thing", "4"), obj("AB/callpark", "5"), obj("B/callpark", "6"),
	}
	cases := []struct {
		prefix string
		gone   []string // ids (or the singleton's collection) removed
	}{
		{acct + "A/", []string{"1", "2", "3", "A/callpark/1/settings", "4"}},
		{acct + "A/callpark/1/", []string{"3", "A/callpark/1/settings"}},
		{acct + "A/user/U/", []string{"4"}},
		{acct + "A/callpark/", []string{"1", "2", "3", "A/callpark/1/settings"}},
		{acct + "C/", nil},
		{acct + "A/callpark/2/", nil},
	}
	for _, c := range cases {
		t.Run(strings.TrimPrefix(c.prefix, acct), func(t *testing.T) {
			s, err := New(State{Generic: all}, nil)
			if err != nil {
				t.Fatal(err)
			}
			s.mu.Lock()
			s.dropGenericUnder(c.prefix)
			s.mu.Unlock()
			var want []string
			for _, o := range all {
				key := o.ID
				if key == "" {
					key = strings.TrimPrefix(o.Collection, acct)
				}
				if !slices.Contains(c.gone, key) {
					want = append(want, o.Path)
				}
			}
			slices.Sort(want)
			checkGenericBook(t, s, want)
			// The same after the state goes out and comes back.
			back, err := New(s.Snapshot(), nil)
			if err != nil {
				t.Fatal(err)
			}
			checkGenericBook(t, back, want)
			// A path removed can be written again, and listed once.
			if _, err := back.GenericPut(all[0]); err != nil {
				t.Fatal(err)
			}
			got := back.GenericList(all[0].Collection)
			if n := len(slices.DeleteFunc(got, func(o GenericObject) bool { return o.Path != all[0].Path })); n != 1 {
				t.Errorf("after a write again: listed %d times", n)
			}
		})
	}
}

// checkGenericBook: the objects are want (sorted paths), every object with
// an id is listed once in its collection and lists hold nothing else, and
// the path tree holds exactly the objects' paths, no empty segments.
func checkGenericBook(t *testing.T, s *Store, want []string) {
	t.Helper()
	s.mu.RLock()
	defer s.mu.RUnlock()
	got := slices.Sorted(maps.Keys(s.generic))
	if !slices.Equal(got, want) {
		t.Errorf("objects %v, want %v", got, want)
	}
	listed := 0
	for coll, paths := range s.genericLists {
		for _, p := range paths {
			if o := s.generic[p]; o == nil || o.Collection != coll {
				t.Errorf("list %s holds %s, not one of its objects", coll, p)
			}
		}
		listed += len(paths)
	}
	ids := 0
	for _, o := range s.generic {
		if o.ID != "" {
			ids++
		}
	}
	if listed != ids {
		t.Errorf("%d paths listed, %d objects with an id", listed, ids)
	}
	var inTree []string
	var walk func(n *pathNode, path string)
	walk = func(n *pathNode, path string) {
		if n.obj {
			inTree = append(inTree, path)
		}
		if !n.obj && len(n.kids) == 0 && path != "" {
			t.Errorf("empty segment left at %s", path)
		}
		for seg, k := range n.kids {
			walk(k, path+"/"+seg)
		}
	}
	walk(&s.genericTree, "")
	slices.Sort(inTree)
	if !slices.Equal(inTree, want) {
		t.Errorf("path tree %v, want %v", inTree, want)
	}
}

// Removing one account's generic objects costs the same however many other
// accounts hold objects (the path tree; a scan of the book grew with it).
func BenchmarkDropGenericUnder(b *testing.B) {
	for _, others := range []int{1000, 100000} {
		b.Run(strconv.Itoa(others), func(b *testing.B) {
			objs := make([]GenericObject, 0, others+5)
			for i := range others {
				coll := "/v2/partition/P/account/other" + strconv.Itoa(i/5) + "/callpark"
				objs = append(objs, GenericObject{Path: coll + "/" + strconv.Itoa(i), Collection: coll, ID: strconv.Itoa(i)})
			}
			s, err := New(State{Generic: objs}, nil)
			if err != nil {
				b.Fatal(err)
			}
			coll := "/v2/partition/P/account/gone/callpark"
			b.ResetTimer()
			for range b.N {
				s.mu.Lock()
				for i := range 5 {
					if _, err := s.genericPut(GenericObject{Path: coll + "/" + strconv.Itoa(i), Collection: coll, ID: strconv.Itoa(i)}); err != nil {
						b.Fatal(err)
					}
				}
				s.dropGenericUnder("/v2/partition/P/account/gone/")
				s.mu.Unlock()
			}
		})
	}
}

// The files the store keeps count together against maxFileBytes: an upload
// that would pass it is refused, a state loaded back counts its files, and
// removing a file makes room again.
func TestStoredFilesAreBounded(t *testing.T) {
	defer func(n int) { maxFileBytes = n }(maxFileBytes)
	maxFileBytes = 100
	s, err := New(feedSeed(), NewClock())
	if err != nil {
		t.Fatal(err)
	}
	first, err := s.UploadAccountMedia("pAlpha", "acct1", make([]byte, 60))
	if err != nil {
		t.Fatalf("first file: %v", err)
	}
	full := func(what string, err error) {
		t.Helper()
		if e, ok := err.(*Error); !ok || e.Status != 400 || e.Code != "FileStorageFull" {
			t.Fatalf("%s: %v, want 400 FileStorageFull", what, err)
		}
	}
	_, err = s.UploadAccountMedia("pAlpha", "acct2", make([]byte, 41))
	full("a second file over the bound", err)
	// A state loaded back (sizes come back as JSON numbers) still counts.
	if err := s.Restore(s.Snapshot()); err != nil {
		t.Fatal(err)
	}
	_, err = s.UploadAccountMedia("pAlpha", "acct1", make([]byte, 41))
	full("after a state load", err)
	if _, err := s.UploadAccountMedia("pAlpha", "acct1", make([]byte, 40)); err != nil {
		t.Fatalf("a file that fits: %v", err)
	}
	if err := s.DeleteAccountMedia("pAlpha", "acct1", first.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.UploadAccountMedia("pAlpha", "acct2", make([]byte, 60)); err != nil {
		t.Fatalf("after a delete: %v", err)
	}
}

// A stored file goes with its owner: a greeting's audio, once its account is
// deleted, is neither in the state nor counted against maxFileBytes.
func TestGreetingGoesWithItsAccount(t *testing.T) {
	s, err := New(feedSeed(), NewClock())
	if err != nil {
		t.Fatal(err)
	}
	box, err := s.CreateVoicemailBox("pAlpha", "acct1", VoicemailBox{Name: "Front desk"}, tester)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.UploadGreeting(MediaRef{PartitionID: "pAlpha", AccountID: "acct1", BoxID: box.ID, GreetingType: "STANDARD"}, []byte("RIFF....")); err != nil {
		t.Fatal(err)
	}
	under := func() (n int) {
		for p := range s.generic {
			if strings.Contains(p, "/account/acct1/") {
				n++
			}
		}
		return n
	}
	if under() != 1 {
		t.Fatalf("%d objects under the account after the upload, want the greeting", under())
	}
	if err := s.DeleteAccount("pAlpha", "acct1", tester); err != nil {
		t.Fatal(err)
	}
	if n := under(); n != 0 {
		t.Fatalf("%d objects left under the deleted account", n)
	}
}
