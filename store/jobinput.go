package store

import (
	"slices"
	"sync"
)

// Job inputs: a client asks for an upload key (POST /v2/job/input), PUTs
// its file to the URL that came with it, then names the key to an import
// (bulkstatuschange_2). The files live in memory beside the state, not in
// it: a state load or reset (not a partition edit) forgets them, and past MaxJobInputs (or
// MaxJobInputBytes in all) the oldest are forgotten first.

// Bounds of the job inputs kept.
const (
	MaxJobInputs     = 256
	MaxJobInputBytes = 64 << 20
)

// jobInputs holds the uploaded files by key, with its own lock (an upload
// does not wait for the state's). The zero value is ready.
type jobInputs struct {
	mu    sync.Mutex
	files map[string][]byte // key -> file (nil: key issued, nothing uploaded yet)
	order []string          // keys, oldest first
	bytes int
}

// NewJobInputKey issues an upload key.
func (s *Store) NewJobInputKey() string {
	in := &s.inputs
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.files == nil {
		in.files = map[string][]byte{}
	}
	key := NewUUID()
	in.files[key] = nil
	in.order = append(in.order, key)
	in.trim()
	return key
}

// PutJobInput stores the file uploaded for a key (replacing an earlier
// one). A key never issued, or forgotten, is a 404.
func (s *Store) PutJobInput(key string, file []byte) error {
	in := &s.inputs
	in.mu.Lock()
	defer in.mu.Unlock()
	old, ok := in.files[key]
	if !ok {
		return NotFound("JobInput", key)
	}
	in.bytes += len(file) - len(old)
	in.files[key] = slices.Clone(file)
	in.trim()
	return nil
}

// jobInput returns the file uploaded for a key: 404 for a key never
// issued or forgotten, 400 JobInputMissing for one nothing was uploaded to.
func (s *Store) jobInput(key string) ([]byte, error) {
	in := &s.inputs
	in.mu.Lock()
	defer in.mu.Unlock()
	f, ok := in.files[key]
	if !ok {
		return nil, NotFound("JobInput", key)
	}
	if f == nil {
		return nil, InvalidWith("JobInputMissing", EntityRef{Type: "JobInput", ID: key})
	}
	return f, nil
}

// JobInput returns the file a job was started with.
func (s *Store) JobInput(jobID string, partitions map[string]bool) ([]byte, error) {
	s.mu.RLock()
	r, err := s.job(jobID, partitions)
	key := ""
	if err == nil {
		key = r.Job.InputKey
	}
	s.mu.RUnlock()
	if err != nil {
		return nil, err
	}
	if key == "" {
		return nil, NotFound("JobInput", jobID)
	}
	return s.jobInput(key)
}

// trim forgets the oldest files beyond the bounds. Lock held.
func (in *jobInputs) trim() {
	drop := 0
	for drop < len(in.order) && (len(in.order)-drop > MaxJobInputs || in.bytes > MaxJobInputBytes) {
		in.bytes -= len(in.files[in.order[drop]])
		delete(in.files, in.order[drop])
		drop++
	}
	in.order = slices.Delete(in.order, 0, drop)
}

// forget drops every file (a state load or reset).
func (in *jobInputs) forget() {
	in.mu.Lock()
	defer in.mu.Unlock()
	in.files, in.order, in.bytes = nil, nil, 0
}
