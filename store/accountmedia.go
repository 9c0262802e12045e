package store

import ()

// Account media: the IVR prompts and hold music an account uploads (media_2,
// and the deprecated media path that shares its collection), kept byte for
// byte, and the account's hold-music selection. A file lives in the state
// as a generic object at its media_2 path (base64, as greetings are), so a
// snapshot carries it and the account's removal or a partition reset takes
// it away. Each file is bounded by the largest request body.

// MediaFile is MediaX: an uploaded file's id and where to read it.
type MediaFile struct {
	ID  string `json:"id"`
	URL string `json:"url"`
}

// HoldMusic is HoldMusicX: the media an account plays to a caller on hold.
type HoldMusic struct {
	StorageID string `json:"storageId"`
	URL       string `json:"url"`
}

// accountMediaTemplate is the spec's path of one account media file.
const accountMediaTemplate = "/v2/partition/{partitionId}/account/{accountId}/media_2/{id}"

// accountMediaPath is where an account's media file lives (and is read).
func accountMediaPath(partitionID, accountID, id string) string {
	return "/v2/partition/" + partitionID + "/account/" + accountID + "/media_2/" + id
}

// UploadAccountMedia keeps a file the account uploaded and answers its new
// id. An empty file is 400 FileRequired; a missing account 404.
func (s *Store) UploadAccountMedia(partitionID, accountID string, file []byte) (MediaFile, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := s.account(partitionID, accountID); err != nil {
		return MediaFile{}, err
	}
	id := NewUUID()
	m := MediaFile{ID: id, URL: accountMediaPath(partitionID, accountID, id)}
	collection := m.URL[:len(m.URL)-len(id)-1]
	if err := s.putFile(GenericObject{Path: m.URL, Collection: collection, Template: accountMediaTemplate,
		ID: id, PartitionID: partitionID, Body: map[string]any{"id": id, "url": m.URL}}, file); err != nil {
		return MediaFile{}, err
	}
	return m, nil
}

// accountMedia checks that id names a media file of the account. Lock held.
func (s *Store) accountMedia(partitionID, accountID, id string) (*Account, *GenericObject, error) {
	a, err := s.account(partitionID, accountID)
	if err != nil {
		return nil, nil, err
	}
	o, ok := s.generic[accountMediaPath(partitionID, accountID, id)]
	if !ok {
		return nil, nil, NotFound("Media", id)
	}
	return a, o, nil
}

// AccountMedia returns the bytes of an account's media file (none for one
// a state names without its bytes).
func (s *Store) AccountMedia(partitionID, accountID, id string) ([]byte, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	_, o, err := s.accountMedia(partitionID, accountID, id)
	if err != nil {
		return nil, err
	}
	if b, ok := s.media(o.Path); ok {
		return b, nil
	}
	return []byte{}, nil // a state naming the file without its bytes
}

// DeleteAccountMedia removes an account's media file; a hold-music
// selection naming it goes with it.
func (s *Store) DeleteAccountMedia(partitionID, accountID, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, o, err := s.accountMedia(partitionID, accountID, id)
	if err != nil {
		return err
	}
	s.dropGeneric(o.Path)
	if a.HoldMusicMediaID == id {
		a.HoldMusicMediaID = ""
	}
	if a.CustomHoldMusicMediaID == id {
		a.CustomHoldMusicMediaID = ""
	}
	return nil
}

// holdMusicOf describes a hold-music media id (its url when it is the
// account's own file).
func (s *Store) holdMusicOf(a *Account, id string) HoldMusic {
	h := HoldMusic{StorageID: id}
	if path := accountMediaPath(a.PartitionID, a.ID, id); s.generic[path] != nil {
		h.URL = path
	}
	return h
}

// AccountHoldMusic answers the account's hold music (custom: its own
// uploaded selection); 404 when there is none.
func (s *Store) AccountHoldMusic(partitionID, accountID string, custom bool) (HoldMusic, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	a, err := s.account(partitionID, accountID)
	if err != nil {
		return HoldMusic{}, err
	}
	id := a.HoldMusicMediaID
	if custom {
		id = a.CustomHoldMusicMediaID
	}
	if id == "" {
		return HoldMusic{}, NotFound("HoldMusic", accountID)
	}
	return s.holdMusicOf(a, id), nil
}

// SetAccountHoldMusic makes one of the account's media files its hold
// music (holdMusicMediaId and customHoldMusicMediaId); an id that is not a
// media file of the account is 404 and changes nothing.
func (s *Store) SetAccountHoldMusic(partitionID, accountID, id string) (HoldMusic, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, _, err := s.accountMedia(partitionID, accountID, id)
	if err != nil {
		return HoldMusic{}, err
	}
	a.HoldMusicMediaID, a.CustomHoldMusicMediaID = id, id
	return s.holdMusicOf(a, id), nil
}

// ClearAccountHoldMusic removes the account's hold-music selection.
func (s *Store) ClearAccountHoldMusic(partitionID, accountID string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, err := s.account(partitionID, accountID)
	if err != nil {
		return err
	}
	a.HoldMusicMediaID, a.CustomHoldMusicMediaID = "", ""
	return nil
}
