package store

import (
	"encoding/binary"
	"math"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
)

// Voicemail boxes beyond the ones made for end users, their PINs, and the
// messages in them. Box totals are derived from the messages on every read,
// so totalVoicemails and totalUnreadVoicemails cannot drift.

var boxTypes = []string{"Normal", "Sub", "Primary", "BUSINESS_LINE"}

// boxOut is the caller's copy of a box with its derived fields. Lock held.
func (s *Store) boxOut(b *VoicemailBox) VoicemailBox {
	out := deepCopy(*b)
	out.TotalVoicemails, out.TotalUnreadVoicemails = 0, 0
	for _, id := range s.vmByBox[b.ID] {
		out.TotalVoicemails++
		if !s.vmMessages[id].Read {
			out.TotalUnreadVoicemails++
		}
	}
	out.SubIDs = []string{}
	if out.ReferencedBy == nil {
		out.ReferencedBy = []VoicemailReference{}
	}
	for _, id := range s.kids[b.AccountID].boxes {
		if s.vmBoxes[id].ParentID == b.ID {
			out.SubIDs = append(out.SubIDs, id)
		}
	}
	return out
}

func (s *Store) box(partitionID, accountID, id string) (*Account, *VoicemailBox, error) {
	a, err := s.account(partitionID, accountID)
	if err != nil {
		return nil, nil, err
	}
	b, ok := s.vmBoxes[id]
	if !ok || b.AccountID != a.ID {
		return nil, nil, NotFound("VoicemailBox", id)
	}
	return a, b, nil
}

// validateBox checks a box's type, parent and e-mail addresses. Lock held.
func (s *Store) validateBox(b *VoicemailBox) error {
	if !oneOf(b.Type, boxTypes) {
		return invalidField("type")
	}
	if b.ParentID != "" {
		p, ok := s.vmBoxes[b.ParentID]
		if !ok || p.AccountID != b.AccountID {
			return NotFound("VoicemailBox", b.ParentID)
		}
		if p.ID == b.ID || p.ParentID != "" {
			return invalidField("parentId")
		}
	}
	for _, e := range b.VoicemailToEmailAddresses {
		if !validEmail(e) {
			return invalidField("voicemailToEmailAddresses")
		}
	}
	if b.VoicemailToEmailEnabled && len(b.VoicemailToEmailAddresses) == 0 {
		return Invalid("VoicemailToEmailAddressRequired")
	}
	return nil
}

// VoicemailBoxes lists an account's boxes in creation order, with live
// totals; a parentId keeps only that box's sub-boxes.
func (s *Store) VoicemailBoxes(partitionID, accountID, parentID string) ([]VoicemailBox, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	a, err := s.account(partitionID, accountID)
	if err != nil {
		return nil, err
	}
	out := []VoicemailBox{}
	for _, id := range s.kids[a.ID].boxes {
		if b := s.vmBoxes[id]; parentID == "" || b.ParentID == parentID {
			out = append(out, s.boxOut(b))
		}
	}
	return out, nil
}

// VoicemailBox returns one box of an account, with live totals.
func (s *Store) VoicemailBox(partitionID, accountID, id string) (VoicemailBox, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	_, b, err := s.box(partitionID, accountID, id)
	if err != nil {
		return VoicemailBox{}, err
	}
	return s.boxOut(b), nil
}

// CreateVoicemailBox adds a box to an account (type Normal unless given).
func (s *Store) CreateVoicemailBox(partitionID, accountID string, in VoicemailBox, by Actor) (VoicemailBox, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, err := s.account(partitionID, accountID)
	if err != nil {
		return VoicemailBox{}, err
	}
	b := deepCopy(in)
	b.ID, b.PartitionID, b.AccountID = NewID(), a.PartitionID, a.ID
	b.ReferencedBy, b.PinLockedOut, b.Greetings = nil, false, nil
	if b.Type == "" {
		b.Type = "Normal"
		if b.ParentID != "" {
			b.Type = "Sub"
		}
	}
	if b.Locale == "" {
		b.Locale = a.LanguageTag
	}
	if err := s.validateBox(&b); err != nil {
		return VoicemailBox{}, err
	}
	s.insertVoicemailBox(&b)
	out := s.boxOut(&b)
	s.logHistory(a, by, "CREATE", "VOICEMAIL", "VoicemailBox", b.ID, b.Name, nil, &out)
	return out, nil
}

// UpdateVoicemailBox replaces a box (PUT); server-owned fields stay.
func (s *Store) UpdateVoicemailBox(partitionID, accountID, id string, in VoicemailBox, by Actor) (VoicemailBox, error) {
	return s.changeVoicemailBox(partitionID, accountID, id, &in, nil, by)
}

// PatchVoicemailBox merges the given keys into a box (PATCH).
func (s *Store) PatchVoicemailBox(partitionID, accountID, id string, patch map[string]any, by Actor) (VoicemailBox, error) {
	return s.changeVoicemailBox(partitionID, accountID, id, nil, patch, by)
}

func (s *Store) changeVoicemailBox(partitionID, accountID, id string, in *VoicemailBox, patch map[string]any, by Actor) (VoicemailBox, error) {
	find := func() (*Account, *VoicemailBox, error) { return s.box(partitionID, accountID, id) }
	return change(s, find, in, patch, func(a *Account, old *VoicemailBox, b VoicemailBox) (VoicemailBox, error) {
		return s.replaceBox(a, old, b, by)
	})
}

func (s *Store) replaceBox(a *Account, old *VoicemailBox, b VoicemailBox, by Actor) (VoicemailBox, error) {
	b.ID, b.PartitionID, b.AccountID = old.ID, old.PartitionID, old.AccountID
	b.ReferencedBy, b.PinLockedOut, b.Greetings = old.ReferencedBy, old.PinLockedOut, old.Greetings
	if b.Type == "" {
		b.Type = old.Type
	}
	if err := s.validateBox(&b); err != nil {
		return VoicemailBox{}, err
	}
	before := s.boxOut(old)
	*old = b
	out := s.boxOut(old)
	s.logHistory(a, by, "UPDATE", "VOICEMAIL", "VoicemailBox", b.ID, b.Name, &before, &out)
	return out, nil
}

// DeleteVoicemailBox removes a box, its messages and PIN; users that used it
// lose the reference and sub-boxes lose their parent.
func (s *Store) DeleteVoicemailBox(partitionID, accountID, id string, by Actor) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, b, err := s.box(partitionID, accountID, id)
	if err != nil {
		return err
	}
	before := s.boxOut(b)
	for _, sub := range before.SubIDs {
		s.vmBoxes[sub].ParentID = ""
	}
	s.dropBoxMessages(b.ID)
	s.removeVoicemailBox(b)
	s.logHistory(a, by, "DELETE", "VOICEMAIL", "VoicemailBox", b.ID, b.Name, &before, nil)
	return nil
}

func (s *Store) dropBoxMessages(boxID string) {
	for _, m := range s.vmByBox[boxID] {
		delete(s.vmMessages, m)
	}
	delete(s.vmByBox, boxID)
	delete(s.vmPins, boxID)
}

// validPin is 4 to 10 digits.
func validPin(p string) bool {
	if len(p) < 4 || len(p) > 10 {
		return false
	}
	return strings.Trim(p, "0123456789") == ""
}

// SetVoicemailPin sets a box's PIN (PUT .../pin) and clears a lock-out.
func (s *Store) SetVoicemailPin(partitionID, accountID, id, pin string, by Actor) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, b, err := s.box(partitionID, accountID, id)
	if err != nil {
		return err
	}
	if pin == "" {
		return Invalid("PinRequired")
	}
	if !validPin(pin) {
		return Invalid("InvalidPin")
	}
	s.vmPins[b.ID] = pin
	b.PinLockedOut = false
	s.logHistory(a, by, "UPDATE", "VOICEMAIL", "VoicemailBox", b.ID, b.Name, nil, nil)
	return nil
}

// UnlockVoicemailBox clears a box's PIN lock-out; resetPin also forgets the PIN.
func (s *Store) UnlockVoicemailBox(partitionID, accountID, id string, resetPin bool, by Actor) (VoicemailBox, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, b, err := s.box(partitionID, accountID, id)
	if err != nil {
		return VoicemailBox{}, err
	}
	b.PinLockedOut = false
	if resetPin {
		delete(s.vmPins, b.ID)
	}
	s.logHistory(a, by, "UPDATE", "VOICEMAIL", "VoicemailBox", b.ID, b.Name, nil, nil)
	return s.boxOut(b), nil
}

// LockVoicemailBox marks a box's PIN as locked out (admin API: what too many
// wrong PIN entries would do).
func (s *Store) LockVoicemailBox(id string) (VoicemailBox, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, ok := s.vmBoxes[id]
	if !ok {
		return VoicemailBox{}, NotFound("VoicemailBox", id)
	}
	b.PinLockedOut = true
	return s.boxOut(b), nil
}

// ---- messages ----

// insertMessage stores a message at its box's end. Lock held.
func (s *Store) insertMessage(m *VoicemailMessage) {
	s.vmMessages[m.ID] = m
	s.vmByBox[m.VoicemailBoxID] = append(s.vmByBox[m.VoicemailBoxID], m.ID)
}

func (s *Store) message(partitionID, accountID, boxID, id string) (*Account, *VoicemailMessage, error) {
	a, b, err := s.box(partitionID, accountID, boxID)
	if err != nil {
		return nil, nil, err
	}
	m, ok := s.vmMessages[id]
	if !ok || m.VoicemailBoxID != b.ID {
		return nil, nil, NotFound("VoicemailMessage", id)
	}
	return a, m, nil
}

// messagesOf lists a box's messages, newest first (createdDate, then the
// later staged). Lock held.
func (s *Store) messagesOf(boxID string) []VoicemailMessage {
	ids := s.vmByBox[boxID]
	out := make([]VoicemailMessage, 0, len(ids))
	for i := len(ids) - 1; i >= 0; i-- {
		out = append(out, *s.vmMessages[ids[i]])
	}
	slices.SortStableFunc(out, func(a, b VoicemailMessage) int { return strings.Compare(b.CreatedDate, a.CreatedDate) })
	return out
}

// VoicemailMessages lists a box's messages, newest first.
func (s *Store) VoicemailMessages(partitionID, accountID, boxID string) ([]VoicemailMessage, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	_, b, err := s.box(partitionID, accountID, boxID)
	if err != nil {
		return nil, err
	}
	return s.messagesOf(b.ID), nil
}

// UserVoicemail lists the messages of an end user's box (GET A/user/{id}/voicemail).
func (s *Store) UserVoicemail(partitionID, accountID, userID string) ([]VoicemailMessage, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	a, err := s.account(partitionID, accountID)
	if err != nil {
		return nil, err
	}
	u, ok := s.endUsers[userID]
	if !ok || u.AccountID != a.ID {
		return nil, NotFound("EndUser", userID)
	}
	out := []VoicemailMessage{}
	if u.VoicemailBoxID != "" {
		out = s.messagesOf(u.VoicemailBoxID)
	}
	return out, nil
}

// VoicemailMessage returns one message.
func (s *Store) VoicemailMessage(partitionID, accountID, boxID, id string) (VoicemailMessage, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	_, m, err := s.message(partitionID, accountID, boxID, id)
	if err != nil {
		return VoicemailMessage{}, err
	}
	return *m, nil
}

// UpdateVoicemailMessage changes what a client may change on a message: its
// read flag (PUT). Everything else is the server's.
func (s *Store) UpdateVoicemailMessage(partitionID, accountID, boxID, id string, in VoicemailMessage) (VoicemailMessage, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, m, err := s.message(partitionID, accountID, boxID, id)
	if err != nil {
		return VoicemailMessage{}, err
	}
	m.Read = in.Read
	return *m, nil
}

// DeleteVoicemailMessages deletes messages of a box; every id must be one
// of the box's, or nothing is deleted.
func (s *Store) DeleteVoicemailMessages(partitionID, accountID, boxID string, ids []string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, b, err := s.box(partitionID, accountID, boxID)
	if err != nil {
		return err
	}
	if len(ids) == 0 {
		return Invalid("MessageIdsRequired")
	}
	for _, id := range ids {
		if m, ok := s.vmMessages[id]; !ok || m.VoicemailBoxID != b.ID {
			return NotFound("VoicemailMessage", id)
		}
	}
	s.dropMessages(b, ids)
	return nil
}

// dropMessages deletes messages of a box, all checked to be its. Lock held.
func (s *Store) dropMessages(b *VoicemailBox, ids []string) {
	for _, id := range ids {
		delete(s.vmMessages, id)
	}
	s.vmByBox[b.ID] = slices.DeleteFunc(s.vmByBox[b.ID], func(id string) bool { return slices.Contains(ids, id) })
}

// VoicemailContent returns a message's audio (a WAV file) and marks it read,
// as listening to a message does.
func (s *Store) VoicemailContent(partitionID, accountID, boxID, id string) ([]byte, error) {
	return s.VoicemailAudio(partitionID, accountID, boxID, id, "wav")
}

// VoicemailAudio is VoicemailContent in a format: wav, or mp3.
func (s *Store) VoicemailAudio(partitionID, accountID, boxID, id, format string) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, m, err := s.message(partitionID, accountID, boxID, id)
	if err != nil {
		return nil, err
	}
	m.Read = true
	if format == "mp3" {
		return VoicemailMP3(m.LengthInSeconds), nil
	}
	return VoicemailWAV(m.LengthInSeconds), nil
}

// StagedMessage is what the admin API or a fixture gives to put a message
// in a box.
type StagedMessage struct {
	FromName          string `json:"fromName,omitempty"`
	FromNumber        string `json:"fromNumber,omitempty"`
	ToPhoneNumber     string `json:"toPhoneNumber,omitempty"`
	LengthInSeconds   int    `json:"lengthInSeconds,omitempty"`
	LengthInPages     int    `json:"lengthInPages,omitempty"`
	MessageType       string `json:"messageType,omitempty"`
	Read              bool   `json:"read,omitempty"`
	CreatedDate       string `json:"createdDate,omitempty"`
	TranscriptionText string `json:"transcriptionText,omitempty"`
}

// StageVoicemailMessage puts a message in a box (admin API), as if a caller
// had left it.
func (s *Store) StageVoicemailMessage(boxID string, in StagedMessage) (VoicemailMessage, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, ok := s.vmBoxes[boxID]
	if !ok {
		return VoicemailMessage{}, NotFound("VoicemailBox", boxID)
	}
	m := VoicemailMessage{
		ID: NewID(), CreatedDate: in.CreatedDate, FromName: in.FromName, FromNumber: in.FromNumber,
		LengthInSeconds: in.LengthInSeconds, LengthInPages: in.LengthInPages, Read: in.Read,
		MessageType: in.MessageType, VoicemailBoxID: b.ID, ToPhoneNumber: in.ToPhoneNumber,
		TranscriptionText: in.TranscriptionText,
	}
	if err := s.fillMessage(&m, b); err != nil {
		return VoicemailMessage{}, err
	}
	s.insertMessage(&m)
	return m, nil
}

// fillMessage checks a staged or loaded message and fills the server's
// fields. Lock held.
func (s *Store) fillMessage(m *VoicemailMessage, b *VoicemailBox) error {
	if m.MessageType == "" {
		m.MessageType = "VOICE"
	}
	if !oneOf(m.MessageType, []string{"FAX", "VOICE"}) {
		return invalidField("messageType")
	}
	if m.LengthInSeconds < 0 || m.LengthInSeconds > maxMessageSeconds {
		return invalidField("lengthInSeconds")
	}
	if m.LengthInSeconds == 0 && m.MessageType == "VOICE" {
		m.LengthInSeconds = 1
	}
	if m.CreatedDate == "" {
		m.CreatedDate = s.now()
	} else if t, err := time.Parse(time.RFC3339, m.CreatedDate); err != nil {
		return invalidField("createdDate")
	} else {
		m.CreatedDate = t.UTC().Format(timeLayout) // one form, so dates sort as text
	}
	if m.TranscriptionText != "" && m.TranscriptionStatus == "" {
		m.TranscriptionStatus = "SUCCESS"
	}
	m.AccountID, m.PartitionID = b.AccountID, b.PartitionID
	if m.StorageID == "" {
		// derived from the message id, so fixtures load the same every time
		m.StorageID = uuid.NewSHA1(uuid.NameSpaceURL, []byte("fakealianza:voicemail:"+m.ID)).String()
	}
	m.SizeInBytes = int64(wavSize(m.LengthInSeconds))
	m.AudioFileAndType = m.StorageID + ".wav"
	return nil
}

// ---- audio ----

const (
	wavRate           = 8000 // samples per second, 16-bit mono: telephone quality
	maxMessageSeconds = 600
	maxWAVSeconds     = 5 // content is capped: a small file stands for any length
)

func wavSize(seconds int) int {
	return 44 + 2*wavRate*min(max(seconds, 1), maxWAVSeconds)
}

// VoicemailWAV builds a small valid WAV file (PCM, 8 kHz, 16-bit, mono): a
// quiet 440 Hz tone of the message's length, at most five seconds.
func VoicemailWAV(seconds int) []byte {
	n := wavRate * min(max(seconds, 1), maxWAVSeconds)
	le := binary.LittleEndian
	b := make([]byte, 0, 44+2*n)
	b = append(b, "RIFF"...)
	b = le.AppendUint32(b, uint32(36+2*n))
	b = append(b, "WAVEfmt "...)
	b = le.AppendUint32(b, 16)        // fmt chunk size
	b = le.AppendUint16(b, 1)         // PCM
	b = le.AppendUint16(b, 1)         // mono
	b = le.AppendUint32(b, wavRate)   // sample rate
	b = le.AppendUint32(b, wavRate*2) // byte rate
	b = le.AppendUint16(b, 2)         // block align
	b = le.AppendUint16(b, 16)        // bits per sample
	b = append(b, "data"...)
	b = le.AppendUint32(b, uint32(2*n))
	return append(b, tone()[:2*n]...)
}

// tone is the longest message audio's samples, computed once.
var tone = sync.OnceValue(func() []byte {
	n := wavRate * maxWAVSeconds
	b := make([]byte, 0, 2*n)
	for i := 0; i < n; i++ {
		v := int16(2000 * math.Sin(2*math.Pi*440*float64(i)/wavRate))
		b = binary.LittleEndian.AppendUint16(b, uint16(v))
	}
	return b
})
