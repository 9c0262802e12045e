// Package authfake is Alianza's login layer: management users log in with
// POST /v2/authorize and get an opaque token that lives 8 hours from its last
// use (sliding) and at most MaxLife from its issue; every other call carries
// it in X-AUTH-TOKEN. It also decides partition scope and permissions.
// Tokens live here, in memory; users and passwords live in the store.
package authfake

import (
	"crypto/rand"
	"encoding/base64"
	"net/http"
	"sync"
	"time"

	"github.com/fakealianza/fakealianza/store"
)

// Defaults for token lifetimes.
const (
	DefaultIdleTimeout = 8 * time.Hour
	DefaultMaxLife     = 24 * time.Hour
)

// expiredRetention is how long an expired token is still recognised (and
// answered with ExpiredAuthToken) before it is forgotten.
const expiredRetention = 24 * time.Hour

// Config sets token lifetimes.
type Config struct {
	IdleTimeout time.Duration // sliding: since last use (default 8h)
	MaxLife     time.Duration // absolute: since login (default 24h)
}

// Auth issues and checks tokens.
type Auth struct {
	store *store.Store
	cfg   Config

	mu     sync.Mutex
	tokens map[string]*session
	logins int
}

type session struct {
	userID   string
	created  time.Time
	lastUsed time.Time
}

// Principal is who a valid token speaks for.
type Principal struct {
	Token string
	// User is the user without its permissions (Permissions nil): Allows
	// reads the one level a request needs from the store.
	User store.ManagementUser
	// Partitions is the user's partition and its sub-partitions: the scope.
	Partitions map[string]bool
}

// New makes the login layer over a store.
func New(st *store.Store, cfg Config) *Auth {
	if cfg.IdleTimeout <= 0 {
		cfg.IdleTimeout = DefaultIdleTimeout
	}
	if cfg.MaxLife <= 0 {
		cfg.MaxLife = DefaultMaxLife
	}
	return &Auth{store: st, cfg: cfg, tokens: map[string]*session{}}
}

// Config returns the lifetimes in force.
func (a *Auth) Config() Config { return a.cfg }

// Failure is an authentication failure. Missing is the header-less case,
// which Alianza answers with {"message":"Unauthorized"} instead of the
// envelope.
type Failure struct {
	Missing bool
	Err     *store.Error
}

func (f *Failure) Error() string {
	if f.Missing {
		return "401 Unauthorized (no token)"
	}
	return f.Err.Error()
}

var (
	errUnknownToken = &store.Error{Status: http.StatusUnauthorized, Code: ""}
	errExpiredToken = &store.Error{Status: http.StatusUnauthorized, Code: "ExpiredAuthToken"}
)

// newToken is 32 URL-safe random characters, as observed on the wire.
func newToken() string {
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		panic("authfake: no randomness: " + err.Error())
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// Login checks credentials and issues a new token; a user may hold several.
func (a *Auth) Login(username, password string) (LoginToken, error) {
	u, err := a.store.Authenticate(username, password)
	if err != nil {
		return LoginToken{}, err
	}
	return a.issue(u)
}

func (a *Auth) issue(u store.ManagementUser) (LoginToken, error) {
	now := a.store.Clock().Now()
	tok := newToken()
	a.mu.Lock()
	a.tokens[tok] = &session{userID: u.ID, created: now, lastUsed: now}
	a.logins++
	if a.logins%256 == 0 {
		a.sweepLocked(now)
	}
	a.mu.Unlock()
	return a.view(tok, u)
}

// sweepLocked forgets tokens long expired, so memory stays bounded.
func (a *Auth) sweepLocked(now time.Time) {
	for tok, s := range a.tokens {
		if exp := a.expiry(s); now.Sub(exp) > expiredRetention {
			delete(a.tokens, tok)
		}
	}
}

func (a *Auth) expiry(s *session) time.Time {
	idle := s.lastUsed.Add(a.cfg.IdleTimeout)
	abs := s.created.Add(a.cfg.MaxLife)
	if abs.Before(idle) {
		return abs
	}
	return idle
}

// ChangePassword checks the current password, sets the new one (which must
// keep the rules, else 400 FailedToUpdate) and logs the user in.
func (a *Auth) ChangePassword(username, password, newPassword string) (LoginToken, error) {
	u, err := a.store.ChangeManagementPassword(username, password, newPassword)
	if err != nil {
		return LoginToken{}, err
	}
	return a.issue(u)
}

// Check resolves a token to its principal and counts the use (sliding
// expiry). The failures are Alianza's three 401 shapes.
func (a *Auth) Check(token string) (*Principal, error) {
	if token == "" {
		return nil, &Failure{Missing: true}
	}
	now := a.store.Clock().Now()
	a.mu.Lock()
	s, ok := a.tokens[token]
	if !ok {
		a.mu.Unlock()
		return nil, &Failure{Err: errUnknownToken}
	}
	if !now.Before(a.expiry(s)) {
		a.mu.Unlock()
		return nil, &Failure{Err: errExpiredToken}
	}
	s.lastUsed = now
	userID := s.userID
	a.mu.Unlock()

	u, scope, err := a.store.ManagementUserScope(userID)
	if err != nil { // the user is gone (reset, restore): the token means nothing now
		return nil, &Failure{Err: errUnknownToken}
	}
	return &Principal{Token: token, User: u, Partitions: scope}, nil
}

// Allows reports whether the principal's user, as the store holds it now,
// has the grants an operation of permission type permType needs for method.
func (a *Auth) Allows(p *Principal, permType, method string) bool {
	if permType == TokenOnly {
		return true
	}
	return levelReaches(a.store.ManagementUserLevel(p.User.ID, permType), method)
}

// Logout kills a token at once.
func (a *Auth) Logout(token string) {
	a.mu.Lock()
	delete(a.tokens, token)
	a.mu.Unlock()
}

// Forget drops every token (after a reset or a state load).
func (a *Auth) Forget() {
	a.mu.Lock()
	a.tokens = map[string]*session{}
	a.mu.Unlock()
}

// Tokens is how many tokens are remembered (live or recently expired).
func (a *Auth) Tokens() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return len(a.tokens)
}

// UserInfo is the LoginTokenX of a valid token.
func (a *Auth) UserInfo(p *Principal) (LoginToken, error) {
	u, err := a.store.ManagementUserByID(p.User.ID)
	if err != nil {
		return LoginToken{}, &Failure{Err: errUnknownToken}
	}
	return a.view(p.Token, u)
}
