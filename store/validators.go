package store

import "strings"

// Validators whose verdict follows from the state.

// CymbusGroupNameFree answers cymbus/account-group/prevalidate: a group
// name is free unless a Cymbus account or partition group already holds it
// (names compare without case). A blank name is 400 GroupNameRequired; a
// name in use 400 DuplicateGroupName.
func (s *Store) CymbusGroupNameFree(groupName string) error {
	name := strings.TrimSpace(groupName)
	if name == "" {
		return Invalid("GroupNameRequired")
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	// the groups PUT stores: one object at each collection's path
	for _, path := range []string{"/v2/cymbus/account-group", "/v2/cymbus/partition-group"} {
		o, ok := s.generic[path]
		if !ok {
			continue
		}
		if held, _ := o.Body["groupName"].(string); strings.EqualFold(strings.TrimSpace(held), name) {
			return InvalidWith("DuplicateGroupName", Detail{"groupName": held})
		}
	}
	return nil
}

// ProductPrevalidate answers an account's product/prevalidate: the request
// names no product, so the verdict is the account's: there (200) or not
// (404 EntityNotFound).
func (s *Store) ProductPrevalidate(partitionID, accountID string) error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	_, err := s.account(partitionID, accountID)
	return err
}
