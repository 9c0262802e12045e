package store

import (
	"crypto/subtle"
	"maps"
	"slices"
	"strings"
	"unicode"
)

// ManagementUser is an Admin Portal user who logs in to the API. Username is
// an email address; Password is kept in the clear because this is a test
// double whose fixtures publish it. Permissions maps a permission type
// (Account, PhoneNumber, ...) to an access level (NONE, READ, EDIT, CREATE,
// DELETE, ...).
type ManagementUser struct {
	ID                 string            `json:"id"`
	Username           string            `json:"username"`
	Password           string            `json:"password"`
	FirstName          string            `json:"firstName,omitempty"`
	LastName           string            `json:"lastName,omitempty"`
	EmailAddress       string            `json:"emailAddress,omitempty"`
	PartitionID        string            `json:"partitionId"`
	Permissions        map[string]string `json:"permissions,omitempty"`
	MustChangePassword bool              `json:"mustChangePassword"`
	LanguageTag        string            `json:"languageTag,omitempty"`
	// Roles and GroupIDs come from the API (ManagementUserX). A user with
	// security groups has the permissions they grant (see groupPermissions),
	// not the map above.
	Roles    []string `json:"roles,omitempty"`
	GroupIDs []string `json:"groupIds,omitempty"`
}

// DefaultManagementPassword is the password of a management user created
// through the API without one (the body's password field, which
// ManagementUserX does not describe, sets it); such a user must change it at
// the first login, as after an Admin Portal invitation.
const DefaultManagementPassword = "fakealianza"

// AccessLevelRank orders the access levels, lowest first. The *_MYUSER
// levels are end-user grants; for a management operation they fall short
// of the plain level above them. DENIED grants nothing.
var AccessLevelRank = map[string]int{
	"NONE": 0, "READ_MYUSER": 1, "READ": 2, "EDIT_MYUSER": 3, "EDIT": 4,
	"CREATE_MYUSER": 5, "CREATE": 6, "DELETE_MYUSER": 7, "DELETE": 8, "DENIED": -1,
}

// securityGroupPath is where the generic engine keeps a security group
// (SecurityRoleX) of a partition.
func securityGroupPath(partitionID, groupID string) string {
	return "/v2/partition/" + partitionID + "/security/" + groupID
}

// withGroupPermissions gives a user with security groups the permissions
// they grant: for each permission type, the highest accessType of its
// groups' permissions [{type, accessType}]. Groups that do not exist grant
// nothing. Lock held.
func (s *Store) withGroupPermissions(u ManagementUser) ManagementUser {
	if len(u.GroupIDs) == 0 {
		return u
	}
	perms := map[string]string{}
	s.groupGrants(&u, func(t, lvl string) {
		if cur, ok := perms[t]; !ok || AccessLevelRank[lvl] > AccessLevelRank[cur] {
			perms[t] = lvl
		}
	})
	u.Permissions = perms
	return u
}

// groupGrants calls grant with each {type, accessType} of the user's
// security groups' permissions. Lock held.
func (s *Store) groupGrants(u *ManagementUser, grant func(permType, level string)) {
	for _, gid := range u.GroupIDs {
		g, ok := s.generic[securityGroupPath(u.PartitionID, gid)]
		if !ok {
			continue
		}
		list, _ := g.Body["permissions"].([]any)
		for _, p := range list {
			m, _ := p.(map[string]any)
			t, _ := m["type"].(string)
			lvl, _ := m["accessType"].(string)
			if t != "" {
				grant(t, lvl)
			}
		}
	}
}

// ManagementUserLevel is a user's access level for one permission type, as
// ManagementUserByID's Permissions would hold it ("" when none or when the
// user is gone), read without copying the user.
func (s *Store) ManagementUserLevel(id, permType string) string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	u, ok := s.mgmtUsers[id]
	if !ok {
		return ""
	}
	if len(u.GroupIDs) == 0 {
		return u.Permissions[permType]
	}
	level, found := "", false
	s.groupGrants(u, func(t, lvl string) {
		if t == permType && (!found || AccessLevelRank[lvl] > AccessLevelRank[level]) {
			level, found = lvl, true
		}
	})
	return level
}

// ManagementUserScope returns a management user without its permissions
// (Permissions nil: ManagementUserLevel reads one) and the partitions its
// token reaches, its own and its sub-partitions: what the auth check of
// every request needs, read under one lock.
func (s *Store) ManagementUserScope(id string) (ManagementUser, map[string]bool, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	u, ok := s.mgmtUsers[id]
	if !ok {
		return ManagementUser{}, nil, NotFound("ManagementUser", id)
	}
	out := *u
	out.Permissions = nil
	out.Roles, out.GroupIDs = cloneList(u.Roles), cloneList(u.GroupIDs)
	scope := map[string]bool{u.PartitionID: true}
	if p, ok := s.partitions[u.PartitionID]; ok {
		for _, sub := range p.SubPartitionIDs {
			scope[sub] = true
		}
	}
	return out, scope, nil
}

// ManagementUsers lists a partition's management users by username.
func (s *Store) ManagementUsers(partitionID string) ([]ManagementUser, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if _, ok := s.partitions[partitionID]; !ok {
		return nil, NotFound("Partition", partitionID)
	}
	var out []ManagementUser
	for _, u := range s.managementUsersOf(partitionID) {
		out = append(out, s.withGroupPermissions(u.clone()))
	}
	return out, nil
}

// managementUsersOf are a partition's management users by username. Lock
// held.
func (s *Store) managementUsersOf(partitionID string) []*ManagementUser {
	var users []*ManagementUser
	for _, u := range s.mgmtUsers {
		if u.PartitionID == partitionID {
			users = append(users, u)
		}
	}
	slices.SortFunc(users, func(a, b *ManagementUser) int { return strings.Compare(a.Username, b.Username) })
	return users
}

// ManagementUserIn returns one management user of a partition.
func (s *Store) ManagementUserIn(partitionID, id string) (ManagementUser, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	u, err := s.mgmtUserIn(partitionID, id)
	if err != nil {
		return ManagementUser{}, err
	}
	return s.withGroupPermissions(u.clone()), nil
}

func (s *Store) mgmtUserIn(partitionID, id string) (*ManagementUser, error) {
	if _, ok := s.partitions[partitionID]; !ok {
		return nil, NotFound("Partition", partitionID)
	}
	u, ok := s.mgmtUsers[id]
	if !ok || u.PartitionID != partitionID {
		return nil, NotFound("ManagementUser", id)
	}
	return u, nil
}

// CreateManagementUser adds a management user to a partition: a new id, a
// username (an email address) no other user has (400 UsernameRequired,
// 400 DuplicateUsername), and the given password or
// DefaultManagementPassword with a change required at first login.
func (s *Store) CreateManagementUser(partitionID string, u ManagementUser) (ManagementUser, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.partitions[partitionID]; !ok {
		return ManagementUser{}, NotFound("Partition", partitionID)
	}
	if strings.TrimSpace(u.Username) == "" {
		return ManagementUser{}, Invalid("UsernameRequired")
	}
	key := strings.ToLower(u.Username)
	if _, dup := s.mgmtByName[key]; dup {
		return ManagementUser{}, Invalid("DuplicateUsername")
	}
	u.ID, u.PartitionID = NewID(), partitionID
	if u.Password == "" {
		u.Password, u.MustChangePassword = DefaultManagementPassword, true
	}
	if u.EmailAddress == "" {
		u.EmailAddress = u.Username
	}
	u = deepCopy(u)
	s.mgmtUsers[u.ID] = &u
	s.mgmtByName[key] = u.ID
	return s.withGroupPermissions(deepCopy(u)), nil
}

// UpdateManagementUser replaces a user's details (merge: only the fields
// the patch map names). The id, partition and password stay; a new
// username must be free.
func (s *Store) UpdateManagementUser(partitionID, id string, next ManagementUser, merge map[string]bool) (ManagementUser, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, err := s.mgmtUserIn(partitionID, id)
	if err != nil {
		return ManagementUser{}, err
	}
	out := *u
	set := func(field string) bool { return merge == nil || merge[field] }
	if set("username") {
		if strings.TrimSpace(next.Username) == "" {
			return ManagementUser{}, Invalid("UsernameRequired")
		}
		if other, dup := s.mgmtByName[strings.ToLower(next.Username)]; dup && other != id {
			return ManagementUser{}, Invalid("DuplicateUsername")
		}
		out.Username = next.Username
	}
	for field, apply := range map[string]func(){
		"firstName":          func() { out.FirstName = next.FirstName },
		"lastName":           func() { out.LastName = next.LastName },
		"emailAddress":       func() { out.EmailAddress = next.EmailAddress },
		"languageTag":        func() { out.LanguageTag = next.LanguageTag },
		"mustChangePassword": func() { out.MustChangePassword = next.MustChangePassword },
		"roles":              func() { out.Roles = next.Roles },
		"groupIds":           func() { out.GroupIDs = next.GroupIDs },
	} {
		if set(field) {
			apply()
		}
	}
	delete(s.mgmtByName, strings.ToLower(u.Username))
	out = deepCopy(out)
	*u = out
	s.mgmtByName[strings.ToLower(u.Username)] = id
	return s.withGroupPermissions(deepCopy(out)), nil
}

// DeleteManagementUser removes a user; its tokens stop working at once
// (authfake resolves every token to its user on each call).
func (s *Store) DeleteManagementUser(partitionID, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, err := s.mgmtUserIn(partitionID, id)
	if err != nil {
		return err
	}
	delete(s.mgmtByName, strings.ToLower(u.Username))
	delete(s.mgmtUsers, id)
	return nil
}

// clone copies a user as deepCopy would (empty permissions come back nil),
// without going through JSON: the auth check reads one per request.
func (u *ManagementUser) clone() ManagementUser {
	out := *u
	out.Permissions = nil
	if len(u.Permissions) > 0 {
		out.Permissions = maps.Clone(u.Permissions)
	}
	out.Roles, out.GroupIDs = cloneList(u.Roles), cloneList(u.GroupIDs)
	return out
}

// cloneList copies a list as deepCopy would (empty comes back nil).
func cloneList(l []string) []string {
	if len(l) == 0 {
		return nil
	}
	return slices.Clone(l)
}

// Authenticate checks a username (case-insensitive) and password. Any
// mismatch is the same 400 LoginInvalid, whichever half was wrong.
func (s *Store) Authenticate(username, password string) (ManagementUser, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	u, err := s.credentials(username, password)
	if err != nil {
		return ManagementUser{}, err
	}
	return s.withGroupPermissions(u.clone()), nil
}

// credentials finds the user a username and password belong to. Lock held.
func (s *Store) credentials(username, password string) (*ManagementUser, error) {
	id, ok := s.mgmtByName[strings.ToLower(username)]
	if !ok {
		return nil, Invalid("LoginInvalid")
	}
	u := s.mgmtUsers[id]
	if subtle.ConstantTimeCompare([]byte(u.Password), []byte(password)) != 1 {
		return nil, Invalid("LoginInvalid")
	}
	return u, nil
}

// ManagementUserByID returns a copy of one management user.
func (s *Store) ManagementUserByID(id string) (ManagementUser, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	u, ok := s.mgmtUsers[id]
	if !ok {
		return ManagementUser{}, NotFound("ManagementUser", id)
	}
	return s.withGroupPermissions(u.clone()), nil
}

// ChangeManagementPassword checks the current password and sets a new one.
// The new password must have at least 8 characters, a letter and a digit,
// and differ from the current one; otherwise 400 FailedToUpdate.
func (s *Store) ChangeManagementPassword(username, password, newPassword string) (ManagementUser, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, err := s.credentials(username, password)
	if err != nil {
		return ManagementUser{}, err
	}
	if !passwordAcceptable(newPassword) || newPassword == password {
		return ManagementUser{}, Invalid("FailedToUpdate")
	}
	u.Password = newPassword
	u.MustChangePassword = false
	return s.withGroupPermissions(u.clone()), nil
}

func passwordAcceptable(p string) bool {
	if len(p) < 8 || len(p) > 256 {
		return false
	}
	var letter, digit bool
	for _, r := range p {
		switch {
		case r >= '0' && r <= '9':
			digit = true
		case unicode.IsLetter(r):
			letter = true
		}
	}
	return letter && digit
}

// SearchManagementUsers pages through a partition's management users whose
// username, first or last name contains q (ignoring case), ordered by
// sortColumn (firstName, lastName or username; descending on request). It
// returns the number of matches and the page [first, first+limit).
func (s *Store) SearchManagementUsers(partitionID, q, sortColumn string, descending bool, first, limit int) (int, []ManagementUser, error) {
	all, err := s.ManagementUsers(partitionID)
	if err != nil {
		return 0, nil, err
	}
	q = strings.ToLower(q)
	hits := slices.DeleteFunc(all, func(u ManagementUser) bool {
		return !strings.Contains(strings.ToLower(u.Username), q) && !strings.Contains(strings.ToLower(u.FirstName), q) &&
			!strings.Contains(strings.ToLower(u.LastName), q)
	})
	key := func(u ManagementUser) string {
		switch sortColumn {
		case "firstName":
			return strings.ToLower(u.FirstName)
		case "lastName":
			return strings.ToLower(u.LastName)
		}
		return strings.ToLower(u.Username)
	}
	slices.SortStableFunc(hits, func(a, b ManagementUser) int {
		c := strings.Compare(key(a), key(b))
		if descending {
			return -c
		}
		return c
	})
	first = min(max(first, 0), len(hits))
	end := len(hits)
	if limit > 0 {
		end = min(end, first+limit)
	}
	return len(hits), hits[first:end], nil
}
