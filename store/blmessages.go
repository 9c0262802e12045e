package store

import "strings"

// Messages of a business-line voicemail box: marked read or unread, or
// deleted, one at a time or in bulk. The box is one of the business-line
// voicemail-box collection (its messages are generic objects at
// {box}/message/{id}, with a read flag) or an account's own box (its
// messages are the voicemail messages).

// Bulk actions on business-line voicemail messages (BulkVoicemailAction).
const (
	MessagesDelete     = "DELETE"
	MessagesMarkRead   = "MARK_AS_READ"
	MessagesMarkUnread = "MARK_AS_UNREAD"
)

// businessLineMessages joins a box's path and a message id.
const businessLineMessages = "/message/"

// BusinessLineMessagesAction applies one action to messages of a
// business-line box. Every id must be one of the box's (404 EntityNotFound
// for the first that is not) or nothing changes; no id is 400
// MessageIdsRequired.
func (s *Store) BusinessLineMessagesAction(partitionID, accountID, boxPath, action string, ids []string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, err := s.genericBox(partitionID, accountID, boxPath)
	if err != nil {
		return err
	}
	switch action {
	case MessagesDelete, MessagesMarkRead, MessagesMarkUnread:
	default:
		return invalidField("actionType")
	}
	if len(ids) == 0 {
		return Invalid("MessageIdsRequired")
	}
	for _, id := range ids {
		if !s.boxHolds(b, boxPath, id) {
			return NotFound("VoicemailMessage", id)
		}
	}
	if action == MessagesDelete {
		if b != nil {
			s.dropMessages(b, ids)
			return nil
		}
		for _, id := range ids {
			s.dropGeneric(boxPath + businessLineMessages + id)
		}
		return nil
	}
	for _, id := range ids {
		s.setMessageRead(b, boxPath, id, action == MessagesMarkRead)
	}
	return nil
}

// SetBusinessLineMessageRead marks one message of a business-line box read
// or unread (set-read-status).
func (s *Store) SetBusinessLineMessageRead(partitionID, accountID, boxPath, id string, read bool) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, err := s.genericBox(partitionID, accountID, boxPath)
	if err != nil {
		return err
	}
	if !s.boxHolds(b, boxPath, id) {
		return NotFound("VoicemailMessage", id)
	}
	s.setMessageRead(b, boxPath, id, read)
	return nil
}

// boxHolds reports whether a message is the box's: an account's own box b,
// else the generic box at boxPath. Lock held.
func (s *Store) boxHolds(b *VoicemailBox, boxPath, id string) bool {
	if b != nil {
		m, ok := s.vmMessages[id]
		return ok && m.VoicemailBoxID == b.ID
	}
	_, ok := s.generic[boxPath+businessLineMessages+id]
	return ok && !strings.Contains(id, "/")
}

// setMessageRead sets a message's read flag. Lock held.
func (s *Store) setMessageRead(b *VoicemailBox, boxPath, id string, read bool) {
	if b != nil {
		s.vmMessages[id].Read = read
		return
	}
	s.generic[boxPath+businessLineMessages+id].Body["read"] = read
}
