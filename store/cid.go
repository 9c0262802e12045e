package store

import "strings"

// A SIP trunk account's caller-id mapping (siptrunk_2/cid): custom FROM
// numbers (by fromWildcard) and custom caller ids (by customCallerIdNumber)
// are generic objects; a FROM number's mapping to a caller id is a field of
// its object (customCallerIdNumber), and removing a caller id removes the
// mappings to it.

// cidMapped is the field of a FROM number holding its caller id.
const cidMapped = "customCallerIdNumber"

// SetCallerIDMapping maps the FROM number fromWildcard of the cid area at
// base (…/siptrunk_2/cid) to the caller id callerID, or unmaps it when
// callerID is "". Both must be the account's: else 400
// InvalidValueForField on the field naming the missing one. It returns the
// FROM number.
func (s *Store) SetCallerIDMapping(base, fromWildcard, callerID string) (GenericObject, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.generic[base+"/fromnumber/"+fromWildcard]
	if !ok || strings.Contains(fromWildcard, "/") {
		return GenericObject{}, invalidField("fromWildcard")
	}
	if callerID == "" {
		delete(o.Body, cidMapped)
		return deepCopy(*o), nil
	}
	if _, ok := s.generic[base+"/callerid/"+callerID]; !ok || strings.Contains(callerID, "/") {
		return GenericObject{}, invalidField(cidMapped)
	}
	o.Body[cidMapped] = callerID
	return deepCopy(*o), nil
}

// unmapCallerID removes the mappings to the caller id at path, when path is
// one (…/cid/callerid/X). Lock held.
func (s *Store) unmapCallerID(path string) {
	base, id, ok := strings.Cut(path, "/cid/callerid/")
	if !ok || strings.Contains(id, "/") {
		return
	}
	for _, p := range s.genericLists[base+"/cid/fromnumber"] {
		if b := s.generic[p].Body; b[cidMapped] == id {
			delete(b, cidMapped)
		}
	}
}
