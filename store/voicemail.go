package store

import "slices"

// VoicemailBox is a voicemail box of an account (VoicemailBoxX). Every new
// end user gets one; the voicemail endpoints themselves live elsewhere.
type VoicemailBox struct {
	ID                          string                      `json:"id"`
	Name                        string                      `json:"name,omitempty"`
	PartitionID                 string                      `json:"partitionId"`
	AccountID                   string                      `json:"accountId"`
	VoicemailToEmailAddresses   []string                    `json:"voicemailToEmailAddresses,omitempty"`
	VoicemailToEmailEnabled     bool                        `json:"voicemailToEmailEnabled"`
	VoicemailKeepAfterEmail     bool                        `json:"voicemailKeepAfterEmail"`
	ReferencedBy                []VoicemailReference        `json:"referencedBy"`
	Locale                      string                      `json:"locale,omitempty"`
	TotalVoicemails             int                         `json:"totalVoicemails"`
	TotalUnreadVoicemails       int                         `json:"totalUnreadVoicemails"`
	Type                        string                      `json:"type,omitempty"`
	SubIDs                      []string                    `json:"subIds"`
	ParentID                    string                      `json:"parentId,omitempty"`
	DtmfOption                  string                      `json:"dtmfOption,omitempty"`
	PinLockedOut                bool                        `json:"pinLockedOut"`
	MessageTranscriptionEnabled bool                        `json:"messageTranscriptionEnabled"`
	Greetings                   map[string]VoicemailMessage `json:"greetings,omitempty"`
}

// VoicemailReference names an object that uses a box (VoicemailReferencedByX).
type VoicemailReference struct {
	Type string `json:"type,omitempty"`
	ID   string `json:"id,omitempty"`
}

// VoicemailMessage is a message or greeting in a box (VoicemailMessageX).
type VoicemailMessage struct {
	ID                  string `json:"id"`
	CreatedDate         string `json:"createdDate,omitempty"`
	FromName            string `json:"fromName,omitempty"`
	FromNumber          string `json:"fromNumber,omitempty"`
	LengthInPages       int    `json:"lengthInPages"`
	LengthInSeconds     int    `json:"lengthInSeconds"`
	Read                bool   `json:"read"`
	SizeInBytes         int64  `json:"sizeInBytes"`
	MessageType         string `json:"messageType,omitempty"`
	VoicemailBoxID      string `json:"voicemailBoxId,omitempty"`
	AccountID           string `json:"accountId,omitempty"`
	PartitionID         string `json:"partitionId,omitempty"`
	ToPhoneNumber       string `json:"toPhoneNumber,omitempty"`
	TranscriptionStatus string `json:"transcriptionStatus,omitempty"`
	TranscriptionInfo   string `json:"transcriptionInfo,omitempty"`
	TranscriptionText   string `json:"transcriptionText,omitempty"`
	StorageID           string `json:"storageId,omitempty"`
	AudioFileAndType    string `json:"audioFileAndType,omitempty"`
}

// newVoicemailBox makes and stores the box a new end user gets. Lock held.
func (s *Store) newVoicemailBox(a *Account, u *EndUser) *VoicemailBox {
	b := &VoicemailBox{
		ID: NewID(), Name: displayName(u.FirstName, u.LastName), PartitionID: a.PartitionID,
		AccountID: a.ID, ReferencedBy: []VoicemailReference{{Type: "EndUser", ID: u.ID}},
		Locale: u.LanguageTag, Type: "Normal",
	}
	if u.EmailAddress != "" {
		b.VoicemailToEmailAddresses = []string{u.EmailAddress}
	}
	s.insertVoicemailBox(b)
	return b
}

// insertVoicemailBox stores a box and lists it under its account. Lock held.
func (s *Store) insertVoicemailBox(b *VoicemailBox) {
	s.vmBoxes[b.ID] = b
	if kids := s.kids[b.AccountID]; kids != nil && !slices.Contains(kids.boxes, b.ID) {
		kids.boxes = append(kids.boxes, b.ID)
	}
}

// boxOwnedBy reports whether a box was made for (is referenced by) a user.
func boxOwnedBy(b *VoicemailBox, userID string) bool {
	return slices.ContainsFunc(b.ReferencedBy, func(r VoicemailReference) bool { return r.Type == "EndUser" && r.ID == userID })
}

// removeVoicemailBox deletes a box (and its greetings' audio) and clears
// every end user's reference to it, so no user points at a box that is
// gone. Lock held.
func (s *Store) removeVoicemailBox(b *VoicemailBox) {
	s.dropForwardRefs(b.AccountID, "VOICEMAIL", b.ID)
	s.dropGreetings(b)
	if kids := s.kids[b.AccountID]; kids != nil {
		kids.boxes = slices.DeleteFunc(kids.boxes, func(id string) bool { return id == b.ID })
		for _, id := range kids.users {
			if u := s.endUsers[id]; u.VoicemailBoxID == b.ID {
				u.VoicemailBoxID = ""
			}
		}
	}
	delete(s.vmBoxes, b.ID)
}
