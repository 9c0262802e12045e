package store

import (
	"fmt"
	"slices"
	"strings"
)

// The groups of an account that the generic engine stores (call groups,
// paging groups, pickup groups, call parking spots) with their references
// checked here: call-group members are end users (type USER) or device
// lines (type DEVICE) of the account; paging and pickup groups name call
// groups of the account; a call group they name cannot be deleted; a
// parking spot's number is unique in the account; an IVR's component
// mappings join its own components and its USER components ring users of
// the account. Deleting an end user or a device line takes it out of the
// call groups and IVRs.

// accountCollection splits an account-level generic path
// (/v2/partition/P/account/A/<collection>[/<id>]) into its parts.
func accountCollection(path string) (partitionID, accountID, collection string, ok bool) {
	parts := strings.Split(strings.TrimPrefix(path, "/"), "/")
	if len(parts) < 6 || parts[0] != "v2" || parts[1] != "partition" || parts[3] != "account" {
		return "", "", "", false
	}
	return parts[2], parts[4], parts[5], true
}

func groupsPath(partitionID, accountID, collection string) string {
	return "/v2/partition/" + partitionID + "/account/" + accountID + "/" + collection
}

// stringList reads a JSON array of strings out of a generic body.
func stringList(v any) ([]string, bool) {
	l, ok := v.([]any)
	if !ok {
		if v == nil {
			return nil, true
		}
		return nil, false
	}
	out := make([]string, 0, len(l))
	for _, x := range l {
		s, ok := x.(string)
		if !ok {
			return nil, false
		}
		out = append(out, s)
	}
	return out, true
}

// checkGroupRefs checks the references of an account group about to be
// stored. Lock held.
func (s *Store) checkGroupRefs(o *GenericObject) error {
	pid, aid, coll, ok := accountCollection(o.Path)
	if !ok || o.ID == "" || strings.Count(strings.TrimPrefix(o.Path, groupsPath(pid, aid, coll)), "/") != 1 {
		return nil
	}
	switch coll {
	case "group":
		members, ok := stringList(o.Body["memberIds"])
		if !ok {
			return invalidField("memberIds")
		}
		kind, _ := o.Body["type"].(string)
		for _, id := range members {
			u, isUser := s.endUsers[id]
			d, isDevice := s.devices[id]
			switch {
			case kind != "DEVICE" && isUser && u.AccountID == aid:
			case kind != "USER" && isDevice && d.AccountID == aid:
			default:
				return InvalidWith("InvalidMemberId", EntityRef{Type: map[bool]string{true: "DeviceLine", false: "EndUser"}[kind == "DEVICE"], ID: id})
			}
		}
	case "grouppaging", "grouppickup":
		groups, ok := stringList(o.Body["groupIds"])
		if !ok {
			return invalidField("groupIds")
		}
		for _, id := range groups {
			if _, ok := s.generic[groupsPath(pid, aid, "group")+"/"+id]; !ok {
				return InvalidWith("InvalidGroupId", EntityRef{Type: "CallGroup", ID: id})
			}
		}
	case "ivr":
		// The mappings join components of the same IVR.
		comps, _ := o.Body["ivrComponents"].([]any)
		have := map[string]bool{}
		for _, c := range comps {
			m, ok := c.(map[string]any)
			if !ok {
				continue
			}
			if id, ok := m["id"].(string); ok {
				have[id] = true
			}
			if uid, ok := m["userId"].(string); ok && m["type"] == "USER" {
				if u, ok := s.endUsers[uid]; !ok || u.AccountID != aid {
					return InvalidWith("InvalidMemberId", EntityRef{Type: "EndUser", ID: uid})
				}
			}
		}
		maps, _ := o.Body["ivrComponentMappings"].([]any)
		for _, m := range maps {
			mm, _ := m.(map[string]any)
			for _, end := range []string{"fromIvrComponentId", "toIvrComponentId"} {
				if id, _ := mm[end].(string); !have[id] {
					return InvalidWith("InvalidValueForField:ivrComponentMappings", EntityRef{Type: "IVRComponent", ID: id})
				}
			}
		}
	case "callpark":
		spot, _ := o.Body["spotNumber"].(string)
		if spot == "" {
			return nil
		}
		for _, p := range s.genericLists[groupsPath(pid, aid, "callpark")] {
			if other := s.generic[p]; p != o.Path && other.Body["spotNumber"] == spot {
				return InvalidWith("DuplicateSpotNumber", EntityRef{Type: "CallParkingSpot", ID: other.ID})
			}
		}
	}
	return nil
}

// groupInUse refuses deleting a call group that a paging or pickup group
// names. Lock held.
func (s *Store) groupInUse(path string) error {
	pid, aid, coll, ok := accountCollection(path)
	o := s.generic[path]
	if !ok || coll != "group" || o == nil || o.ID == "" {
		return nil
	}
	for _, c := range []string{"grouppaging", "grouppickup"} {
		for _, p := range s.genericLists[groupsPath(pid, aid, c)] {
			ids, _ := stringList(s.generic[p].Body["groupIds"])
			if slices.Contains(ids, o.ID) {
				kind := map[string]string{"grouppaging": "PagingGroup", "grouppickup": "PickupGroup"}[c]
				return InvalidWith("CallGroupInUse", EntityRef{Type: kind, ID: s.generic[p].ID})
			}
		}
	}
	return nil
}

// dropGroupMember takes a deleted end user or device line out of its
// account's call groups and IVRs. Lock held.
func (s *Store) dropGroupMember(partitionID, accountID, memberID string) {
	for _, p := range s.genericLists[groupsPath(partitionID, accountID, "group")] {
		o := s.generic[p]
		ids, ok := stringList(o.Body["memberIds"])
		if !ok || !slices.Contains(ids, memberID) {
			continue
		}
		kept := []any{}
		for _, id := range ids {
			if id != memberID {
				kept = append(kept, id)
			}
		}
		o.Body["memberIds"] = kept
	}
	// An IVR's USER component that rang it rings no one now.
	for _, p := range s.genericLists[groupsPath(partitionID, accountID, "ivr")] {
		comps, _ := s.generic[p].Body["ivrComponents"].([]any)
		for _, c := range comps {
			if m, ok := c.(map[string]any); ok && m["userId"] == memberID {
				delete(m, "userId")
			}
		}
	}
}

// checkLoadedGroups applies checkGroupRefs to every loaded generic object,
// so a state whose groups name what is gone does not load.
func (s *Store) checkLoadedGroups() error {
	for _, path := range sortedKeys(s.generic) {
		if err := s.checkGroupRefs(s.generic[path]); err != nil {
			return fmt.Errorf("generic object %s: %w", path, err)
		}
	}
	return nil
}
