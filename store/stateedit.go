package store

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
)

// The QA toolkit edits the state generically, on its JSON form: a map from
// list name ("partitions", "managementUsers", ...) to lists of objects. So
// partition resets and overlays cover every list State holds, including
// lists added after this code was written, without knowing their types.
// Objects belong to a partition by "partitionId", partitions by "id".

type rawObject = map[string]json.RawMessage

// rawState is State's JSON form: lists of objects are decoded, anything else
// (a list of plain ids, say) is kept opaque and passes through untouched.
type rawState struct {
	lists map[string][]rawObject
	other map[string]json.RawMessage
}

func toRaw(st State) (rawState, error) {
	b, err := json.Marshal(st)
	if err != nil {
		return rawState{}, err
	}
	return parseRaw(b)
}

func parseRaw(b []byte) (rawState, error) {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(b, &top); err != nil {
		return rawState{}, fmt.Errorf("state is not a JSON object: %w", err)
	}
	raw := rawState{lists: map[string][]rawObject{}, other: map[string]json.RawMessage{}}
	for k, v := range top {
		var objs []rawObject
		if json.Unmarshal(v, &objs) == nil {
			raw.lists[k] = objs
		} else {
			raw.other[k] = v
		}
	}
	return raw, nil
}

func (raw rawState) state() (State, error) {
	top := make(map[string]any, len(raw.lists)+len(raw.other))
	for k, v := range raw.other {
		top[k] = v
	}
	for k, v := range raw.lists {
		top[k] = v
	}
	b, err := json.Marshal(top)
	if err != nil {
		return State{}, err
	}
	var st State
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&st); err != nil {
		return State{}, err
	}
	return st, nil
}

// ids collects every object id in the state.
func (raw rawState) ids() map[string]bool {
	out := map[string]bool{}
	for _, list := range raw.lists {
		for _, o := range list {
			if id := field(o, "id"); id != "" {
				out[id] = true
			}
		}
	}
	return out
}

// field reads a string field of an object ("" when absent or not a string).
func field(o rawObject, name string) string {
	var v string
	if b, ok := o[name]; ok {
		_ = json.Unmarshal(b, &v)
	}
	return v
}

func inPartition(list string, o rawObject, pid string) bool {
	if list == "partitions" {
		return field(o, "id") == pid
	}
	return field(o, "partitionId") == pid
}

// edit applies f to the state's JSON form and loads the result, all under
// one lock. When the result does not load, nothing changes. Lifecycle
// tracking survives for objects that still exist.
func (s *Store) edit(f func(raw rawState) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	raw, err := toRaw(s.snapshotLocked())
	if err != nil {
		return err
	}
	if err := f(raw); err != nil {
		return err
	}
	st, err := raw.state()
	if err != nil {
		return InvalidWith("InvalidState", Detail{"error": err.Error()})
	}
	fresh, err := s.build(st, s.feed.cfg)
	if err != nil {
		return InvalidWith("InvalidState", Detail{"error": err.Error()})
	}
	ids := raw.ids()
	s.adopt(fresh, func(id string) bool { return ids[id] })
	return nil
}

// ResetPartition puts one partition back to the seed: every object of the
// partition goes, then the seed's objects of that partition come back. Other
// partitions are untouched, so parallel CI jobs can share one server. A
// partition that is neither in the state nor in the seed is 404.
func (s *Store) ResetPartition(pid string) error {
	seed, err := toRaw(s.seed)
	if err != nil {
		return err
	}
	return s.edit(func(raw rawState) error {
		found := false
		for list, objs := range raw.lists {
			kept := objs[:0]
			for _, o := range objs {
				if inPartition(list, o, pid) {
					found = true
					continue
				}
				kept = append(kept, o)
			}
			raw.lists[list] = kept
		}
		for list, objs := range seed.lists {
			for _, o := range objs {
				if inPartition(list, o, pid) {
					found = true
					raw.lists[list] = append(raw.lists[list], o)
				}
			}
		}
		if !found {
			return NotFound("Partition", pid)
		}
		return nil
	})
}

// Overlay merges objects into the state: an object whose "id" exists in the
// same list has its fields replaced one by one (fields it does not name
// stay); any other object is added. overlay is a JSON object of lists, in
// State's shape.
func (s *Store) Overlay(overlay json.RawMessage) error {
	add, err := parseRaw(overlay)
	if err != nil || len(add.other) > 0 {
		return InvalidWith("InvalidState", Detail{"error": "want an object of lists of objects"})
	}
	return s.edit(func(raw rawState) error {
		for list, objs := range add.lists {
			for _, o := range objs {
				overlayObject(raw, list, o)
			}
		}
		return nil
	})
}

func overlayObject(raw rawState, list string, o rawObject) {
	if id := field(o, "id"); id != "" {
		for _, have := range raw.lists[list] {
			if field(have, "id") == id {
				for k, v := range o {
					have[k] = v
				}
				return
			}
		}
	}
	raw.lists[list] = append(raw.lists[list], o)
}

// AdminPermissions is the permission set of a partition's full
// administrator (every permission type at DELETE, the highest level).
var AdminPermissions = map[string]string{
	"Account": "DELETE", "AccountHistory": "DELETE", "AccountCallHistory": "DELETE",
	"AccountBulkStatuses": "DELETE", "IpWhitelist": "DELETE", "PhoneNumber": "DELETE",
	"PhoneNumberServiceActivation": "DELETE", "PhoneNumberInventory": "DELETE", "Product": "DELETE",
	"ProductCallingPlan": "DELETE", "ProductGroups": "DELETE", "ProductUsers": "DELETE",
	"Reports": "DELETE", "RoutePlan": "DELETE", "SipCredentials": "DELETE", "ANY_MANAGEMENT_USER": "DELETE",
}

// CreatePartition adds a fresh, empty partition with one administrator whose
// username and password are generated. It returns both (the user with its
// password, so the caller can hand out the login).
func (s *Store) CreatePartition(name string) (Partition, ManagementUser, error) {
	pid := NewID()
	if name == "" {
		name = "QA " + pid[:8]
	}
	tag := strings.ToLower(strings.NewReplacer("-", "", "_", "").Replace(NewID()))[:10]
	u := ManagementUser{
		ID: NewID(), Username: "qa-" + tag + "@example.com", Password: NewID()[:16],
		FirstName: "QA", LastName: "Admin", EmailAddress: "qa-" + tag + "@example.com",
		PartitionID: pid, Permissions: AdminPermissions, LanguageTag: "en-US",
	}
	err := s.edit(func(raw rawState) error {
		for _, v := range []struct {
			list string
			obj  any
		}{{"partitions", Partition{ID: pid, Name: name}}, {"managementUsers", u}} {
			b, err := json.Marshal(v.obj)
			if err != nil {
				return err
			}
			var o rawObject
			if err := json.Unmarshal(b, &o); err != nil {
				return err
			}
			raw.lists[v.list] = append(raw.lists[v.list], o)
		}
		return nil
	})
	if err != nil {
		return Partition{}, ManagementUser{}, err
	}
	p, err := s.Partition(pid)
	return p, deepCopy(u), err
}
