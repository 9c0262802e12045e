package store

import (
	"crypto/subtle"
	"strings"
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
}

// Authenticate checks a username (case-insensitive) and password. Any
// mismatch is the same 400 LoginInvalid, whichever half was wrong.
func (s *Store) Authenticate(username, password string) (ManagementUser, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	id, ok := s.mgmtByName[strings.ToLower(username)]
	if !ok {
		return ManagementUser{}, Invalid("LoginInvalid")
	}
	u := s.mgmtUsers[id]
	if subtle.ConstantTimeCompare([]byte(u.Password), []byte(password)) != 1 {
		return ManagementUser{}, Invalid("LoginInvalid")
	}
	return deepCopy(*u), nil
}

// ManagementUserByID returns a copy of one management user.
func (s *Store) ManagementUserByID(id string) (ManagementUser, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	u, ok := s.mgmtUsers[id]
	if !ok {
		return ManagementUser{}, NotFound("ManagementUser", id)
	}
	return deepCopy(*u), nil
}
