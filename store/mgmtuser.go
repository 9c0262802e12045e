package store

import (
	"crypto/subtle"
	"maps"
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
}

// clone copies a user as deepCopy would (empty permissions come back nil),
// without going through JSON: the auth check reads one per request.
func (u *ManagementUser) clone() ManagementUser {
	out := *u
	out.Permissions = nil
	if len(u.Permissions) > 0 {
		out.Permissions = maps.Clone(u.Permissions)
	}
	return out
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
	return u.clone(), nil
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
	return u.clone(), nil
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
	return u.clone(), nil
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
