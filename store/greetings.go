package store

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"strings"
)

// Voicemail greetings: the audio a box plays, one per greeting type,
// uploaded and read back as the bytes that were sent. The audio lives in
// the state as an object at the greeting's own media path (base64), so a
// snapshot carries it and the account's removal or a partition reset takes
// it away. A hand-built box also lists its greetings (greetings{type}) and
// that list decides which exist: audio it no longer names is never served.

// MediaRef names a stored greeting: the box's partition, account and id,
// the greeting type, and the media path and its spec template (a
// hand-built box's greetings live at greetingPath whatever Path says).
type MediaRef struct {
	PartitionID, AccountID, BoxID, GreetingType string
	Path, Template                              string
}

// greetingNotFound is the 404 of a greeting type a box has not recorded.
func greetingNotFound(greetingType string) *Error { return NotFound("Greeting", greetingType) }

// putFile stores a file (a greeting's audio, an account's media, a port's
// LOA) in o, a generic object whose path the file's owner gives: its bytes
// in base64 and its size beside o's own fields, filed under its path so it
// goes with its owner. An empty file is 400 FileRequired; one that would
// take the stored files over maxFileBytes 400 FileStorageFull. Lock held.
func (s *Store) putFile(o GenericObject, file []byte) error {
	if len(file) == 0 {
		return Invalid("FileRequired")
	}
	if err := s.roomForFile(o.Path, len(file)); err != nil {
		return err
	}
	if o.Body == nil {
		o.Body = map[string]any{}
	}
	o.Body["sizeInBytes"], o.Body["data"] = len(file), base64.StdEncoding.EncodeToString(file)
	_, err := s.genericPut(o)
	return err
}

// putMedia stores audio at a media path. Lock held.
func (s *Store) putMedia(ref MediaRef, audio []byte) error {
	return s.putFile(GenericObject{Path: ref.Path, Collection: ref.Path, Template: ref.Template, PartitionID: ref.PartitionID}, audio)
}

// maxFileBytes bounds the files the store keeps (greetings, account media,
// LOAs) together, so that a state holding them (base64 makes them a third
// larger) stays well within MaxStateBytes and loads again.
var maxFileBytes = 64 << 20 // a variable so that a test can lower it

// roomForFile refuses a file of n bytes that would take the stored files
// over maxFileBytes (400 FileStorageFull); the file at path, which the new
// one replaces, does not count. It reads every generic object: uploads are
// rare. Every file goes through putFile and so through genericPut's JSON
// copy: its size is a float64. Lock held.
func (s *Store) roomForFile(path string, n int) error {
	total := n
	for p, o := range s.generic {
		if p == path || o.Body["data"] == nil {
			continue
		}
		if n, ok := o.Body["sizeInBytes"].(float64); ok {
			total += int(n)
		}
	}
	if total > maxFileBytes {
		return Invalid("FileStorageFull")
	}
	return nil
}

// media reads the audio at a media path. Lock held.
func (s *Store) media(path string) ([]byte, bool) {
	o, ok := s.generic[path]
	if !ok {
		return nil, false
	}
	data, _ := o.Body["data"].(string)
	b, err := base64.StdEncoding.DecodeString(data)
	return b, err == nil
}

// UploadGreeting records a greeting of a hand-built box: its audio, and the
// box's greetings entry (a new id, the size, the length when the audio is
// WAV). An empty file is 400 FileRequired.
func (s *Store) UploadGreeting(ref MediaRef, audio []byte) (VoicemailMessage, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, b, err := s.box(ref.PartitionID, ref.AccountID, ref.BoxID)
	if err != nil {
		return VoicemailMessage{}, err
	}
	ref.Path = greetingPath(b, ref.GreetingType)
	if err := s.putMedia(ref, audio); err != nil {
		return VoicemailMessage{}, err
	}
	g := VoicemailMessage{
		ID: NewID(), CreatedDate: s.now(), MessageType: "VOICE", SizeInBytes: int64(len(audio)),
		LengthInSeconds: wavSeconds(audio), VoicemailBoxID: b.ID, AccountID: b.AccountID,
		PartitionID: b.PartitionID, StorageID: NewUUID(),
	}
	g.AudioFileAndType = g.StorageID + audioExt(audio)
	if b.Greetings == nil {
		b.Greetings = map[string]VoicemailMessage{}
	}
	b.Greetings[ref.GreetingType] = g
	return g, nil
}

// Greeting returns the audio of a hand-built box's greeting. A greeting the
// box lists whose audio the state lacks (a fixture names it) plays a tone
// of its length.
func (s *Store) Greeting(ref MediaRef) ([]byte, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	_, b, err := s.box(ref.PartitionID, ref.AccountID, ref.BoxID)
	if err != nil {
		return nil, err
	}
	ref.Path = greetingPath(b, ref.GreetingType)
	g, ok := b.Greetings[ref.GreetingType]
	if !ok {
		return nil, greetingNotFound(ref.GreetingType)
	}
	if audio, ok := s.media(ref.Path); ok {
		return audio, nil
	}
	return VoicemailWAV(g.LengthInSeconds), nil
}

// DeleteGreeting removes a hand-built box's greeting and its audio.
func (s *Store) DeleteGreeting(ref MediaRef) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, b, err := s.box(ref.PartitionID, ref.AccountID, ref.BoxID)
	if err != nil {
		return err
	}
	ref.Path = greetingPath(b, ref.GreetingType)
	if _, ok := b.Greetings[ref.GreetingType]; !ok {
		return greetingNotFound(ref.GreetingType)
	}
	delete(b.Greetings, ref.GreetingType)
	if len(b.Greetings) == 0 {
		b.Greetings = nil
	}
	s.dropGeneric(ref.Path)
	return nil
}

// greetingPath is where a hand-built box's greeting audio lives: the
// greeting's media path.
func greetingPath(b *VoicemailBox, greetingType string) string {
	return "/v2/partition/" + b.PartitionID + "/account/" + b.AccountID + "/voicemailbox/" + b.ID +
		"/greetings/" + greetingType + "/media"
}

// dropGreetings removes the audio of a box's greetings (the box is going).
// Lock held.
func (s *Store) dropGreetings(b *VoicemailBox) {
	for t := range b.Greetings {
		s.dropGeneric(greetingPath(b, t))
	}
}

// genericBox checks a business-line voicemail box under its account: a
// generic object at boxPath (made by the business-line voicemail-box
// collection), or an account's own box of that id (a business line's call
// handling names those). It returns the account's box, nil for a generic
// one. Lock held.
func (s *Store) genericBox(partitionID, accountID, boxPath string) (*VoicemailBox, error) {
	id := boxPath[strings.LastIndexByte(boxPath, '/')+1:]
	if _, err := s.account(partitionID, accountID); err != nil {
		return nil, err
	}
	if _, ok := s.generic[boxPath]; ok {
		return nil, nil
	}
	if b, ok := s.vmBoxes[id]; ok && b.AccountID == accountID {
		return b, nil
	}
	return nil, NotFound("VoicemailBox", id)
}

// boxPathOf is the path of the box a greeting's media path is under.
func boxPathOf(ref MediaRef) string {
	return ref.Path[:strings.Index(ref.Path, "/greetings/")]
}

// UploadBusinessLineGreeting stores a business-line box's greeting audio.
func (s *Store) UploadBusinessLineGreeting(ref MediaRef, audio []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := s.genericBox(ref.PartitionID, ref.AccountID, boxPathOf(ref)); err != nil {
		return err
	}
	return s.putMedia(ref, audio)
}

// BusinessLineGreeting returns a business-line box's greeting audio.
func (s *Store) BusinessLineGreeting(ref MediaRef) ([]byte, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if _, err := s.genericBox(ref.PartitionID, ref.AccountID, boxPathOf(ref)); err != nil {
		return nil, err
	}
	audio, ok := s.media(ref.Path)
	if !ok {
		return nil, greetingNotFound(ref.GreetingType)
	}
	return audio, nil
}

// DeleteBusinessLineGreeting removes a business-line box's greeting.
func (s *Store) DeleteBusinessLineGreeting(ref MediaRef) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := s.genericBox(ref.PartitionID, ref.AccountID, boxPathOf(ref)); err != nil {
		return err
	}
	if _, ok := s.generic[ref.Path]; !ok {
		return greetingNotFound(ref.GreetingType)
	}
	s.dropGeneric(ref.Path)
	return nil
}

// BusinessLineMessageAudio returns the audio of a business-line box's
// message (a WAV tone of its length): a generic message at msgPath, or a
// message of the account's own box (marked read, as content is).
func (s *Store) BusinessLineMessageAudio(partitionID, accountID, boxPath, msgPath string) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, err := s.genericBox(partitionID, accountID, boxPath)
	if err != nil {
		return nil, err
	}
	msgID := msgPath[strings.LastIndexByte(msgPath, '/')+1:]
	if b != nil {
		_, m, err := s.message(partitionID, accountID, b.ID, msgID)
		if err != nil {
			return nil, err
		}
		m.Read = true
		return VoicemailWAV(m.LengthInSeconds), nil
	}
	m, ok := s.generic[msgPath]
	if !ok {
		return nil, NotFound("VoicemailMessage", msgID)
	}
	seconds, _ := m.Body["lengthInSeconds"].(float64)
	return VoicemailWAV(int(seconds)), nil
}

// PinStatus is PinStatusResponse.
type PinStatus struct {
	LockedOut bool `json:"lockedOut"`
}

// BusinessLinePinStatus answers a business-line box's check-pin-status:
// whether its PIN is locked out (an account's own box: pinLockedOut; a
// generic one: the pinLockedOut its body holds, false when none).
func (s *Store) BusinessLinePinStatus(partitionID, accountID, boxPath string) (PinStatus, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	b, err := s.genericBox(partitionID, accountID, boxPath)
	if err != nil {
		return PinStatus{}, err
	}
	if b != nil {
		return PinStatus{LockedOut: b.PinLockedOut}, nil
	}
	locked, _ := s.generic[boxPath].Body["pinLockedOut"].(bool)
	return PinStatus{LockedOut: locked}, nil
}

// ResetBusinessLinePin answers a business-line box's reset-pin: the box's
// PIN is no longer locked out (an account's own box: pinLockedOut cleared,
// as unlockVoicemailBox does; a generic one: its body's pinLockedOut false).
// The PIN itself stays.
func (s *Store) ResetBusinessLinePin(partitionID, accountID, boxPath string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, err := s.genericBox(partitionID, accountID, boxPath)
	if err != nil {
		return err
	}
	if b != nil {
		b.PinLockedOut = false
		return nil
	}
	if o := s.generic[boxPath]; o.Body["pinLockedOut"] != nil {
		o.Body["pinLockedOut"] = false
	}
	return nil
}

// wavSeconds is a WAV file's length in whole seconds (0 when it is not a
// PCM WAV file the header describes).
func wavSeconds(b []byte) int {
	if len(b) < 44 || string(b[:4]) != "RIFF" || string(b[8:12]) != "WAVE" {
		return 0
	}
	rate := binary.LittleEndian.Uint32(b[28:32]) // bytes per second
	if rate == 0 {
		return 0
	}
	return int(binary.LittleEndian.Uint32(b[40:44]) / rate)
}

// audioExt names an audio file's type by its first bytes.
func audioExt(b []byte) string {
	switch {
	case len(b) >= 12 && string(b[:4]) == "RIFF" && string(b[8:12]) == "WAVE":
		return ".wav"
	case len(b) >= 3 && (string(b[:3]) == "ID3" || b[0] == 0xFF && b[1]&0xE0 == 0xE0):
		return ".mp3"
	}
	return ".bin"
}

// mp3Frame is one silent MPEG-1 Layer III frame: 32 kbit/s, 32 kHz, mono
// (144 bytes, 1152 samples: 36 ms), all side information zero.
var mp3Frame = append([]byte{0xFF, 0xFB, 0x18, 0xC0}, make([]byte, 140)...)

// VoicemailMP3 builds a small valid MP3 stream of a message's length, at
// most five seconds (as VoicemailWAV): silent frames.
func VoicemailMP3(seconds int) []byte {
	frames := (min(max(seconds, 1), maxWAVSeconds)*1000 + 35) / 36
	return bytes.Repeat(mp3Frame, frames)
}
