package store

import (
	"path"
	"strings"
)

// A port's letter of authorization (the deprecated LOA operations): the
// file uploaded for a hand-built port, kept byte for byte with its name's
// extension, media type and upload time, and read back whole or as its
// metadata. The file lives in the state as an object at the port's loa
// path (base64, as greetings are), so a snapshot carries it and the
// account's removal or a partition reset takes it away; the port says
// loaSaved. A second upload replaces the first.

// LOA is LOAX: a letter of authorization's metadata (Data is left out of
// the metadata answer).
type LOA struct {
	ID          string `json:"id"`
	Extension   string `json:"extension"`
	Date        int64  `json:"date"`
	ContentType string `json:"contentType"`
}

// loaTemplate is the spec's path of a port's LOA.
const loaTemplate = "/v2/partition/{partitionId}/account/{accountId}/port/{portId}/loa"

func loaPath(p *Port) string {
	return "/v2/partition/" + p.PartitionID + "/account/" + p.AccountID + "/port/" + p.ID + "/loa"
}

// UploadLOA keeps a port's letter of authorization (its file name gives the
// extension) and marks the port loaSaved. An empty file is 400
// FileRequired; an unknown port 404.
func (s *Store) UploadLOA(partitionID, accountID, portID, fileName, contentType string, file []byte) (LOA, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, p, err := s.accountPort(partitionID, accountID, portID)
	if err != nil {
		return LOA{}, err
	}
	l := LOA{ID: NewID(), Extension: strings.TrimPrefix(path.Ext(fileName), "."),
		Date: s.clock.Now().UnixMilli(), ContentType: contentType}
	at := loaPath(p)
	if err := s.putFile(GenericObject{Path: at, Collection: at, Template: loaTemplate, PartitionID: p.PartitionID,
		Body: map[string]any{"id": l.ID, "extension": l.Extension, "date": l.Date, "contentType": l.ContentType}}, file); err != nil {
		return LOA{}, err
	}
	p.LoaSaved = true
	return l, nil
}

// portLOA finds a port's LOA. Lock held.
func (s *Store) portLOA(partitionID, accountID, portID string) (*GenericObject, error) {
	_, p, err := s.accountPort(partitionID, accountID, portID)
	if err != nil {
		return nil, err
	}
	o, ok := s.generic[loaPath(p)]
	if !ok {
		return nil, NotFound("LOA", portID)
	}
	return o, nil
}

// LOAFile returns a port's LOA file (404 when none was uploaded).
func (s *Store) LOAFile(partitionID, accountID, portID string) ([]byte, error) {
	s.mu.Lock() // accountPort takes a port's due steps
	defer s.mu.Unlock()
	o, err := s.portLOA(partitionID, accountID, portID)
	if err != nil {
		return nil, err
	}
	if b, ok := s.media(o.Path); ok {
		return b, nil
	}
	return []byte{}, nil // a state naming the file without its bytes
}

// LOAMetadata returns a port's LOA without its bytes.
func (s *Store) LOAMetadata(partitionID, accountID, portID string) (LOA, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, err := s.portLOA(partitionID, accountID, portID)
	if err != nil {
		return LOA{}, err
	}
	l := LOA{}
	l.ID, _ = o.Body["id"].(string)
	l.Extension, _ = o.Body["extension"].(string)
	l.ContentType, _ = o.Body["contentType"].(string)
	date, _ := o.Body["date"].(float64) // stored objects hold JSON numbers
	l.Date = int64(date)
	return l, nil
}
