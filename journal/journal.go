// Package journal keeps the last requests the server answered, with their
// responses, in a ring of fixed size. Secrets (tokens, passwords, PINs) are
// redacted before an exchange is stored, and bodies are cut at MaxBody, so
// the journal's memory stays bounded however long the server runs.
package journal

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"
	"time"
)

// DefaultSize is the ring's capacity when none is given.
const DefaultSize = 1000

// MaxSize bounds the ring's capacity: every entry may hold two bodies of
// MaxBody bytes.
const MaxSize = 10_000

// MaxBody is how much of each body is kept.
const MaxBody = 16 << 10

// Redacted replaces every secret.
const Redacted = "[REDACTED]"

// Entry is one exchange.
type Entry struct {
	ID          int64     `json:"id"`
	Time        time.Time `json:"time"`
	Method      string    `json:"method"`
	Path        string    `json:"path"`
	Query       string    `json:"query,omitempty"`
	OperationID string    `json:"operationId,omitempty"`
	PartitionID string    `json:"partitionId,omitempty"`
	Status      int       `json:"status"`
	DurationMs  float64   `json:"durationMs"`
	Fault       string    `json:"fault,omitempty"`
	Request     Message   `json:"request"`
	Response    Message   `json:"response"`
}

// Message is one side of an exchange.
type Message struct {
	Headers       map[string][]string `json:"headers,omitempty"`
	Body          string              `json:"body,omitempty"`
	BodyTruncated bool                `json:"bodyTruncated,omitempty"`
}

// Journal is the ring. Safe for concurrent use.
type Journal struct {
	mu   sync.RWMutex
	ring []Entry
	next int // where the next entry goes
	full bool
	seq  int64
	// wake is closed at the next Add (nil until someone waits).
	wake chan struct{}
}

// New returns a journal keeping the last size exchanges (size <= 0:
// DefaultSize; over MaxSize: MaxSize).
func New(size int) *Journal {
	if size <= 0 {
		size = DefaultSize
	}
	size = min(size, MaxSize)
	return &Journal{ring: make([]Entry, size)}
}

// Cap is the ring's capacity.
func (j *Journal) Cap() int { return len(j.ring) }

// Add stores an exchange (already redacted by NewMessage), giving it an id.
func (j *Journal) Add(e Entry) {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.seq++
	e.ID = j.seq
	j.ring[j.next] = e
	j.next++
	if j.next == len(j.ring) {
		j.next, j.full = 0, true
	}
	if j.wake != nil {
		close(j.wake)
		j.wake = nil
	}
}

// Added returns a channel closed when the next exchange is added: a live
// tail waits on it, then reads what is new with Filter.AfterID.
func (j *Journal) Added() <-chan struct{} {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.wake == nil {
		j.wake = make(chan struct{})
	}
	return j.wake
}

// Len is how many exchanges are held.
func (j *Journal) Len() int {
	j.mu.RLock()
	defer j.mu.RUnlock()
	if j.full {
		return len(j.ring)
	}
	return j.next
}

// Clear forgets every exchange (ids go on counting).
func (j *Journal) Clear() {
	j.mu.Lock()
	defer j.mu.Unlock()
	clear(j.ring)
	j.next, j.full = 0, false
}

// Filter selects exchanges; zero fields match everything.
type Filter struct {
	Method      string
	PathMatch   func(string) bool
	Status      int
	PartitionID string
	OperationID string
	Since       time.Time
	// AfterID keeps only exchanges added after the one with this id.
	AfterID int64
}

func (f *Filter) keep(e *Entry) bool {
	switch {
	case f.Method != "" && !strings.EqualFold(f.Method, e.Method),
		f.Status != 0 && f.Status != e.Status,
		f.PartitionID != "" && f.PartitionID != e.PartitionID,
		f.OperationID != "" && f.OperationID != e.OperationID,
		!f.Since.IsZero() && e.Time.Before(f.Since),
		e.ID <= f.AfterID,
		f.PathMatch != nil && !f.PathMatch(e.Path):
		return false
	}
	return true
}

// Find returns the matching exchanges, oldest first. The filter runs on a
// copy of the ring taken under the lock, so a slow filter never holds up
// the requests being recorded.
func (j *Journal) Find(f Filter) []Entry {
	out, _ := j.Poll(f)
	return out
}

// Poll is Find and the id of the newest exchange ever added, read at once: a
// live tail asks next for what came after that id (Filter.AfterID).
func (j *Journal) Poll(f Filter) ([]Entry, int64) {
	all, seq := j.snapshot()
	var out []Entry
	for _, e := range all {
		if f.keep(&e) {
			out = append(out, e)
		}
	}
	return out, seq
}

// Count is len(Find(f)).
func (j *Journal) Count(f Filter) int {
	n := 0
	for _, e := range j.all() {
		if f.keep(&e) {
			n++
		}
	}
	return n
}

// all copies the held exchanges, oldest first (entries share their
// strings and header maps, which are never changed once added).
func (j *Journal) all() []Entry {
	out, _ := j.snapshot()
	return out
}

// snapshot is all and the newest id, under one lock.
func (j *Journal) snapshot() ([]Entry, int64) {
	j.mu.RLock()
	defer j.mu.RUnlock()
	out := make([]Entry, 0, len(j.ring))
	j.each(func(e *Entry) { out = append(out, *e) })
	return out, j.seq
}

func (j *Journal) each(fn func(*Entry)) {
	if j.full {
		for i := j.next; i < len(j.ring); i++ {
			fn(&j.ring[i])
		}
	}
	for i := 0; i < j.next; i++ {
		fn(&j.ring[i])
	}
}

// secretHeaders are replaced whole.
var secretHeaders = map[string]bool{
	"X-Auth-Token": true, "Authorization": true, "Cookie": true, "Set-Cookie": true,
	"Proxy-Authorization": true, "X-Fakealianza-Admin-Key": true,
}

// isSecretField reports whether a JSON field holds a secret: tokens,
// passwords of every kind (password, changePassword, sipPassword, ...) and
// PINs (pin, voicemailPin, ...).
func isSecretField(name string) bool {
	l := strings.ToLower(name)
	return l == "authtoken" || l == "pin" || strings.Contains(l, "password") ||
		strings.HasSuffix(name, "Pin") || strings.HasSuffix(l, "token")
}

// NewMessage makes a redacted, size-bounded copy of headers and body.
func NewMessage(h http.Header, body []byte) Message {
	m := Message{Headers: RedactHeader(h)}
	if len(body) == 0 {
		return m
	}
	if len(body) > MaxBody {
		// Cut first so a huge body costs no more than a small one; a cut
		// JSON document no longer parses, so redactBody drops it whole
		// when it mentions a secret.
		body, m.BodyTruncated = body[:MaxBody], true
	}
	m.Body = string(redactBody(body))
	return m
}

// RedactHeader copies h with canonical keys and the values of secret
// headers replaced, in one pass and with one backing array for all values
// (nil when h is empty).
func RedactHeader(h http.Header) map[string][]string {
	if len(h) == 0 {
		return nil
	}
	n := 0
	for _, vs := range h {
		n += max(len(vs), 1)
	}
	all := make([]string, 0, n)
	out := make(map[string][]string, len(h))
	for k, vs := range h {
		ck := http.CanonicalHeaderKey(k)
		switch {
		case secretHeaders[ck]:
			vs = []string{Redacted}
		case len(vs) == 0:
			out[ck] = nil
			continue
		}
		start := len(all)
		all = append(all, vs...)
		out[ck] = all[start:len(all):len(all)]
	}
	return out
}

// redactBody replaces secret fields of a JSON body. A body that is not JSON
// but mentions a secret-looking word is dropped whole: better a lost body
// than a leaked password.
func redactBody(body []byte) []byte {
	// Every secret field name (isSecretField) holds one of the secret
	// words, so a body that mentions none, and escapes nothing that could
	// spell one, is kept as it is without being parsed.
	if !bytes.ContainsRune(body, '\\') && !mentionsSecret(body) {
		return body
	}
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		if mentionsSecret(body) {
			return []byte(Redacted)
		}
		return body
	}
	if !redactValue(v) {
		return body
	}
	out, err := json.Marshal(v)
	if err != nil {
		return []byte(Redacted)
	}
	return out
}

// mentionsSecret reports whether a body holds a secret-looking word, in any
// case.
func mentionsSecret(body []byte) bool {
	l := bytes.ToLower(body)
	return bytes.Contains(l, []byte("password")) || bytes.Contains(l, []byte("token")) ||
		bytes.Contains(l, []byte("pin"))
}

// redactValue blanks secret fields in place and reports whether it did.
func redactValue(v any) bool {
	changed := false
	switch t := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(t))
		for k := range t {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if isSecretField(k) {
				// The whole value goes, whatever its type (a password sent
				// as a list or an object is still a password); only a flag
				// such as mustChangePassword, or a null, stays readable.
				switch t[k].(type) {
				case bool, nil:
				default:
					t[k] = Redacted
					changed = true
				}
				continue
			}
			changed = redactValue(t[k]) || changed
		}
	case []any:
		for _, e := range t {
			changed = redactValue(e) || changed
		}
	}
	return changed
}

// RedactQuery blanks the values of secret-looking query parameters.
func RedactQuery(q string) string {
	if q == "" {
		return q
	}
	vals, err := url.ParseQuery(q)
	if err != nil {
		return q
	}
	changed := false
	for k := range vals {
		if isSecretField(k) {
			vals[k] = []string{Redacted}
			changed = true
		}
	}
	if !changed {
		return q
	}
	return vals.Encode()
}
