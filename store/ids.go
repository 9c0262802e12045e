package store

import (
	"encoding/base64"

	"github.com/google/uuid"
)

// NewID makes an id the way Alianza does for most objects: a random UUID,
// base64url-encoded without padding (22 characters).
func NewID() string {
	u := uuid.New()
	return base64.RawURLEncoding.EncodeToString(u[:])
}

// NewUUID makes the 36-character id newer object kinds use (CDRs, jobs).
func NewUUID() string { return uuid.NewString() }
