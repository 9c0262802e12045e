package store

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"
)

// The CDR datafeed: one CSV file per partition per closed UTC hour, the way
// fakealianza lays it out (Alianza does not publish its layout):
//
//	/cdr/YYYY/MM/DD/cdr_<partitionId>_<YYYYMMDD>T<HH>00Z.csv.gz
//
// A file appears once its hour has closed plus Lag on the store clock and
// disappears Retention after its hour began. Its content is fixed the first
// time anyone can see it (an SFTP listing or read, a cdrsearch) and never
// changes after that: calls staged or generated later for that hour are
// refused.

// FeedConfig shapes the datafeed.
type FeedConfig struct {
	// Seed drives generated calls and derived logins.
	Seed uint64 `json:"seed"`
	// Lag is the wait after an hour closes before its file appears (default 5m).
	Lag time.Duration `json:"-"`
	// Retention is how long after its hour began a file stays (default 72h).
	Retention time.Duration `json:"-"`
	// PlainCSV writes .csv files instead of .csv.gz.
	PlainCSV bool `json:"plainCsv"`
	// NoGenerate leaves only staged calls and explicit fills in the files.
	NoGenerate bool `json:"noGenerate"`
}

// Feed defaults.
const (
	DefaultFeedLag       = 5 * time.Minute
	DefaultFeedRetention = 72 * time.Hour
	// maxFillHours bounds one generate call (a month).
	maxFillHours = 31 * 24
	// maxCallsPerHour bounds an explicit fill.
	maxCallsPerHour = 10000
)

func (c FeedConfig) withDefaults() FeedConfig {
	if c.Lag <= 0 {
		c.Lag = DefaultFeedLag
	}
	if c.Retention <= 0 {
		c.Retention = DefaultFeedRetention
	}
	return c
}

// DatafeedLogin is the SFTP login of one partition. It is not part of the
// partition object and never appears in REST partition responses.
type DatafeedLogin struct {
	PartitionID string `json:"partitionId"`
	Username    string `json:"username"`
	Password    string `json:"password"`
}

// CDRFill asks for generated calls in one partition-hour (Calls < 0: drawn).
type CDRFill struct {
	PartitionID string    `json:"partitionId"`
	Hour        Timestamp `json:"hour"`
	Calls       int       `json:"calls"`
}

// FeedFile describes one published file.
type FeedFile struct {
	PartitionID string    `json:"partitionId"`
	Path        string    `json:"path"`
	Hour        time.Time `json:"-"`
	Size        int64     `json:"size"`
	ModTime     time.Time `json:"-"`
	Records     int       `json:"records"`
}

type feedFile struct {
	info    FeedFile
	data    []byte
	records []CallDetailRecord
	deleted bool
}

type hourKey struct {
	partition string
	hour      int64 // unix seconds of the hour's start
}

type feedState struct {
	cfg    FeedConfig
	logins map[string]*DatafeedLogin // by partition id
	byUser map[string]string         // username -> partition id
	staged map[hourKey][]CallDetailRecord
	fills  map[hourKey]int
	files  map[hourKey]*feedFile
}

func newFeedState(cfg FeedConfig) feedState {
	return feedState{
		cfg:    cfg.withDefaults(),
		logins: map[string]*DatafeedLogin{},
		byUser: map[string]string{},
		staged: map[hourKey][]CallDetailRecord{},
		fills:  map[hourKey]int{},
		files:  map[hourKey]*feedFile{},
	}
}

// ConfigureFeed sets the datafeed's shape. Files published so far are
// dropped (they are rebuilt from the same seed and state when next seen).
func (s *Store) ConfigureFeed(cfg FeedConfig) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.feed.cfg = cfg.withDefaults()
	s.feed.files = map[hourKey]*feedFile{}
}

// FeedSettings returns the datafeed's shape.
func (s *Store) FeedSettings() FeedConfig {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.feed.cfg
}

func (f *feedState) loadLogins(logins []DatafeedLogin, partitions map[string]*Partition) error {
	for i, l := range logins {
		if l.PartitionID == "" || l.Username == "" || l.Password == "" {
			return fmt.Errorf("datafeed login %d: partitionId, username and password are required", i)
		}
		if _, ok := partitions[l.PartitionID]; !ok {
			return fmt.Errorf("datafeed login %s: unknown partition %q", l.Username, l.PartitionID)
		}
		if _, dup := f.logins[l.PartitionID]; dup {
			return fmt.Errorf("datafeed login %s: partition %s already has a login", l.Username, l.PartitionID)
		}
		if _, dup := f.byUser[l.Username]; dup {
			return fmt.Errorf("datafeed login %s: duplicate username", l.Username)
		}
		f.logins[l.PartitionID] = &l
		f.byUser[l.Username] = l.PartitionID
	}
	return nil
}

// derivedLogin is the login of a partition that has none of its own (one
// created at runtime): username = partition id, password derived from the
// seed, so it is stable across restarts with the same seed.
func (f *feedState) derivedLogin(partitionID string) DatafeedLogin {
	h := sha256.New()
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], f.cfg.Seed)
	h.Write(b[:])
	h.Write([]byte("datafeed-login\x00" + partitionID))
	return DatafeedLogin{PartitionID: partitionID, Username: partitionID, Password: hex.EncodeToString(h.Sum(nil))[:16]}
}

func (s *Store) loginOf(partitionID string) DatafeedLogin {
	if l, ok := s.feed.logins[partitionID]; ok {
		return *l
	}
	return s.feed.derivedLogin(partitionID)
}

// DatafeedLogins lists every partition's SFTP login, by partition id.
func (s *Store) DatafeedLogins() []DatafeedLogin {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.datafeedLoginsLocked()
}

func (s *Store) datafeedLoginsLocked() []DatafeedLogin {
	ids := make([]string, 0, len(s.partitions))
	for id := range s.partitions {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	out := make([]DatafeedLogin, 0, len(ids))
	for _, id := range ids {
		out = append(out, s.loginOf(id))
	}
	return out
}

// SetDatafeedLogin gives a partition its own SFTP login (replacing the one it
// had). The username must not belong to another partition.
func (s *Store) SetDatafeedLogin(l DatafeedLogin) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.partitions[l.PartitionID]; !ok {
		return NotFound("Partition", l.PartitionID)
	}
	if l.Username == "" {
		return Invalid("UsernameRequired")
	}
	if l.Password == "" {
		return Invalid("PasswordRequired")
	}
	if owner, ok := s.feed.byUser[l.Username]; ok && owner != l.PartitionID {
		return Invalid("DuplicateUsername")
	}
	for _, id := range s.sortedPartitionIDs() {
		if id != l.PartitionID && s.feed.logins[id] == nil && s.feed.derivedLogin(id).Username == l.Username {
			return Invalid("DuplicateUsername")
		}
	}
	if old, ok := s.feed.logins[l.PartitionID]; ok {
		delete(s.feed.byUser, old.Username)
	}
	s.feed.logins[l.PartitionID] = &l
	s.feed.byUser[l.Username] = l.PartitionID
	return nil
}

func (s *Store) sortedPartitionIDs() []string {
	ids := make([]string, 0, len(s.partitions))
	for id := range s.partitions {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

// AuthenticateDatafeed checks an SFTP login and returns its partition. The
// password comparison takes the same time whatever the mismatch.
func (s *Store) AuthenticateDatafeed(username, password string) (string, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	pid, ok := s.feed.byUser[username]
	if !ok {
		// A partition with no login of its own answers to its derived one.
		if _, exists := s.partitions[username]; !exists || s.feed.logins[username] != nil {
			subtle.ConstantTimeCompare([]byte(password), []byte(password))
			return "", false
		}
		pid = username
	}
	if _, exists := s.partitions[pid]; !exists {
		return "", false
	}
	want := s.loginOf(pid)
	if subtle.ConstantTimeCompare([]byte(want.Password), []byte(password)) != 1 {
		return "", false
	}
	return pid, true
}

func hourOf(t time.Time) time.Time { return t.UTC().Truncate(time.Hour) }

// window is the hours whose files are visible at now, [first, last]: an
// hour H shows once H+1h+Lag <= now, and while H+Retention > now.
func (f *feedState) window(now time.Time) (first, last time.Time) {
	last = hourOf(now.Add(-f.cfg.Lag - time.Hour))
	first = hourOf(now.Add(-f.cfg.Retention)).Add(time.Hour)
	return first, last
}

// FeedPath is the file name of a partition-hour.
func (f *feedState) path(partitionID string, hour time.Time) string {
	ext := ".csv.gz"
	if f.cfg.PlainCSV {
		ext = ".csv"
	}
	return fmt.Sprintf("/cdr/%s/cdr_%s_%sT%s00Z%s", hour.Format("2006/01/02"), partitionID,
		hour.Format("20060102"), hour.Format("15"), ext)
}

// publishedLocked reports whether every visible file of a partition exists.
func (s *Store) publishedLocked(partitionID string, first, last time.Time) bool {
	for h := first; !h.After(last); h = h.Add(time.Hour) {
		if _, ok := s.feed.files[hourKey{partitionID, h.Unix()}]; !ok {
			return false
		}
	}
	return true
}

// visibleFiles makes sure every visible file of a partition exists (building
// the missing ones from the seed and the current state) and returns them by
// hour. It takes the lock itself.
func (s *Store) visibleFiles(partitionID string) ([]*feedFile, error) {
	s.mu.RLock()
	if _, ok := s.partitions[partitionID]; !ok {
		s.mu.RUnlock()
		return nil, NotFound("Partition", partitionID)
	}
	first, last := s.feed.window(s.clock.Now())
	done := s.publishedLocked(partitionID, first, last)
	if done {
		out := s.collectLocked(partitionID, first, last)
		s.mu.RUnlock()
		return out, nil
	}
	s.mu.RUnlock()

	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.partitions[partitionID]
	if !ok {
		return nil, NotFound("Partition", partitionID)
	}
	first, last = s.feed.window(s.clock.Now())
	for k := range s.feed.files {
		if k.partition == partitionID && k.hour < first.Unix() {
			delete(s.feed.files, k)
		}
	}
	var subs []subscriber // read once for every file built now
	read := false
	for h := first; !h.After(last); h = h.Add(time.Hour) {
		k := hourKey{partitionID, h.Unix()}
		if _, ok := s.feed.files[k]; ok {
			continue
		}
		if !read {
			subs, read = s.subscribersLocked(p), true
		}
		f, err := s.buildFileLocked(p, subs, h)
		if err != nil {
			return nil, err
		}
		s.feed.files[k] = f
	}
	return s.collectLocked(partitionID, first, last), nil
}

func (s *Store) collectLocked(partitionID string, first, last time.Time) []*feedFile {
	var out []*feedFile
	for h := first; !h.After(last); h = h.Add(time.Hour) {
		if f, ok := s.feed.files[hourKey{partitionID, h.Unix()}]; ok {
			out = append(out, f)
		}
	}
	return out
}

// buildFileLocked writes one partition-hour's file: generated calls between
// the partition's subscribers and off-net parties (unless generation is off
// and no fill asks for them), then staged ones, by start.
func (s *Store) buildFileLocked(p *Partition, subs []subscriber, hour time.Time) (*feedFile, error) {
	k := hourKey{p.ID, hour.Unix()}
	var recs []CallDetailRecord
	geo := cdrGeo{taken: func(tn string) bool { return s.numbers[tn] != nil || s.serviceNumbers[tn] != "" }, place: s.numberRateCenter}
	if n, ok := s.feed.fills[k]; ok {
		recs = generateHour(s.feed.cfg.Seed, p, subs, geo, hour, n)
	} else if !s.feed.cfg.NoGenerate {
		recs = generateHour(s.feed.cfg.Seed, p, subs, geo, hour, -1)
	}
	recs = append(recs, deepCopy(s.feed.staged[k])...)
	sortByStart(recs)
	var csvBuf bytes.Buffer
	if err := WriteCDRCSV(&csvBuf, recs); err != nil {
		return nil, fmt.Errorf("store: datafeed csv: %w", err)
	}
	data := csvBuf.Bytes()
	if !s.feed.cfg.PlainCSV {
		var gz bytes.Buffer
		zw := gzip.NewWriter(&gz) // zero header: no name, no time, so bytes depend on content only
		if _, err := zw.Write(data); err != nil {
			return nil, fmt.Errorf("store: datafeed gzip: %w", err)
		}
		if err := zw.Close(); err != nil {
			return nil, fmt.Errorf("store: datafeed gzip: %w", err)
		}
		data = gz.Bytes()
	}
	info := FeedFile{
		PartitionID: p.ID, Path: s.feed.path(p.ID, hour), Hour: hour, Size: int64(len(data)),
		ModTime: hour.Add(time.Hour + s.feed.cfg.Lag), Records: len(recs),
	}
	return &feedFile{info: info, data: data, records: recs}, nil
}

// FeedFiles lists a partition's visible files, by path.
func (s *Store) FeedFiles(partitionID string) ([]FeedFile, error) {
	files, err := s.visibleFiles(partitionID)
	if err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]FeedFile, 0, len(files))
	for _, f := range files {
		if !f.deleted {
			out = append(out, f.info)
		}
	}
	return out, nil
}

// FeedFileData returns one visible file and its bytes (shared, read-only:
// published files never change).
func (s *Store) FeedFileData(partitionID, path string) (FeedFile, []byte, error) {
	files, err := s.visibleFiles(partitionID)
	if err != nil {
		return FeedFile{}, nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	for _, f := range files {
		if f.info.Path == path && !f.deleted {
			return f.info, f.data, nil
		}
	}
	return FeedFile{}, nil, NotFound("DatafeedFile", path)
}

// DeleteFeedFile hides a published file from the feed (a consumer cleaning
// up). Its records stay searchable through cdrsearch.
func (s *Store) DeleteFeedFile(partitionID, path string) error {
	files, err := s.visibleFiles(partitionID)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, f := range files {
		if f.info.Path == path && !f.deleted {
			f.deleted = true
			return nil
		}
	}
	return NotFound("DatafeedFile", path)
}

// publishedConflict is the 409 for a change to an hour whose file is out.
func publishedConflict(path string) *Error {
	return &Error{Status: http.StatusConflict, Code: "CdrFileAlreadyPublished", Data: map[string]string{"path": path}}
}

// StageCDRs adds exact records to the feed (QA staging). Each needs a known
// partitionId and a startTime; the record lands in the file of its start
// hour, which must not be published yet nor be older than the retention.
// A missing id gets a fresh UUID. All or nothing.
func (s *Store) StageCDRs(recs []CallDetailRecord) ([]CallDetailRecord, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(recs) == 0 {
		return nil, Invalid("RecordsRequired")
	}
	recs = deepCopy(recs)
	first, _ := s.feed.window(s.clock.Now())
	seen := map[string]bool{}
	for _, list := range s.feed.staged {
		for _, r := range list {
			seen[r.ID] = true
		}
	}
	for i := range recs {
		r := &recs[i]
		if r.PartitionID == "" {
			return nil, Invalid("PartitionIdRequired")
		}
		if _, ok := s.partitions[r.PartitionID]; !ok {
			return nil, NotFound("Partition", r.PartitionID)
		}
		if r.StartTime == nil {
			return nil, Invalid("StartTimeRequired")
		}
		if r.EndTime != nil && r.EndTime.Before(r.StartTime.Time) {
			return nil, Invalid("InvalidValueForField:endTime")
		}
		h := hourOf(r.StartTime.Time)
		if h.Before(first) {
			return nil, InvalidWith("CdrOutsideRetention", map[string]string{"startTime": r.StartTime.String()})
		}
		if f, ok := s.feed.files[hourKey{r.PartitionID, h.Unix()}]; ok {
			return nil, publishedConflict(f.info.Path)
		}
		if r.ID == "" {
			r.ID = NewUUID()
		}
		if seen[r.ID] {
			return nil, InvalidWith("DuplicateCdrId", map[string]string{"id": r.ID})
		}
		seen[r.ID] = true
	}
	for _, r := range recs {
		k := hourKey{r.PartitionID, hourOf(r.StartTime.Time).Unix()}
		s.feed.staged[k] = append(s.feed.staged[k], r)
	}
	return deepCopy(recs), nil
}

// FillCDRs asks for generated calls in every hour of [from, to) of a
// partition (calls < 0: the usual drawn number). The hours must not be
// published yet.
func (s *Store) FillCDRs(partitionID string, from, to time.Time, calls int) ([]CDRFill, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.partitions[partitionID]; !ok {
		return nil, NotFound("Partition", partitionID)
	}
	if calls > maxCallsPerHour {
		return nil, Invalid("InvalidValueForField:callsPerHour")
	}
	start := hourOf(from)
	end := hourOf(to)
	if !to.Equal(end) {
		end = end.Add(time.Hour)
	}
	n := int(end.Sub(start) / time.Hour)
	if n <= 0 {
		return nil, Invalid("InvalidValueForField:to")
	}
	if n > maxFillHours {
		return nil, InvalidWith("InvalidValueForField:to", map[string]int{"maxHours": maxFillHours})
	}
	first, _ := s.feed.window(s.clock.Now())
	if start.Before(first) {
		return nil, InvalidWith("CdrOutsideRetention", map[string]string{"from": start.Format(TimestampLayout)})
	}
	out := make([]CDRFill, 0, n)
	for h := start; h.Before(end); h = h.Add(time.Hour) {
		if f, ok := s.feed.files[hourKey{partitionID, h.Unix()}]; ok {
			return nil, publishedConflict(f.info.Path)
		}
		out = append(out, CDRFill{PartitionID: partitionID, Hour: Timestamp{h}, Calls: calls})
	}
	for _, f := range out {
		s.feed.fills[hourKey{partitionID, f.Hour.Unix()}] = calls
	}
	return out, nil
}

// FeedLayout describes the datafeed for users and the admin API.
type FeedLayout struct {
	PathPattern     string          `json:"pathPattern"`
	Compression     string          `json:"compression"`
	LagSeconds      int64           `json:"lagSeconds"`
	RetentionHours  int64           `json:"retentionHours"`
	Generate        bool            `json:"generate"`
	TimestampFormat string          `json:"timestampFormat"`
	Columns         []string        `json:"columns"`
	Logins          []DatafeedLogin `json:"logins"`
}

// DatafeedLayout describes the feed as it is configured now.
func (s *Store) DatafeedLayout() FeedLayout {
	s.mu.RLock()
	defer s.mu.RUnlock()
	c := s.feed.cfg
	l := FeedLayout{
		PathPattern:     "/cdr/YYYY/MM/DD/cdr_<partitionId>_<YYYYMMDD>T<HH>00Z.csv.gz",
		Compression:     "gzip",
		LagSeconds:      int64(c.Lag / time.Second),
		RetentionHours:  int64(c.Retention / time.Hour),
		Generate:        !c.NoGenerate,
		TimestampFormat: "ISO-8601 UTC with milliseconds, e.g. 2026-01-02T03:04:05.678Z",
		Columns:         CDRColumns(),
		Logins:          s.datafeedLoginsLocked(),
	}
	if c.PlainCSV {
		l.PathPattern = strings.TrimSuffix(l.PathPattern, ".gz")
		l.Compression = "none"
	}
	return l
}

// loadFeed reads the datafeed lists of a seed or snapshot into a store that
// is being built (no lock needed: nobody else sees it yet).
func (s *Store) loadFeed(st State) error {
	cfg := s.feed.cfg
	s.feed = newFeedState(cfg)
	if err := s.feed.loadLogins(st.DatafeedLogins, s.partitions); err != nil {
		return err
	}
	seen := map[string]bool{}
	for i, r := range st.CDRs {
		if r.ID == "" || r.StartTime == nil {
			return fmt.Errorf("cdr %d: id and startTime are required", i)
		}
		if _, ok := s.partitions[r.PartitionID]; !ok {
			return fmt.Errorf("cdr %s: unknown partition %q", r.ID, r.PartitionID)
		}
		if seen[r.ID] {
			return fmt.Errorf("cdr %s: duplicate id", r.ID)
		}
		seen[r.ID] = true
		k := hourKey{r.PartitionID, hourOf(r.StartTime.Time).Unix()}
		s.feed.staged[k] = append(s.feed.staged[k], r)
	}
	for i, f := range st.CDRFills {
		if _, ok := s.partitions[f.PartitionID]; !ok {
			return fmt.Errorf("cdr fill %d: unknown partition %q", i, f.PartitionID)
		}
		s.feed.fills[hourKey{f.PartitionID, hourOf(f.Hour.Time).Unix()}] = f.Calls
	}
	return nil
}

// snapshotFeed adds the datafeed lists to a snapshot: every partition's login
// (derived ones included), staged records and fills, in a stable order.
func (s *Store) snapshotFeed(st *State) {
	st.DatafeedLogins = s.datafeedLoginsLocked()
	for _, list := range s.feed.staged {
		st.CDRs = append(st.CDRs, list...)
	}
	slices.SortFunc(st.CDRs, func(a, b CallDetailRecord) int { return strings.Compare(a.ID, b.ID) })
	for k, n := range s.feed.fills {
		st.CDRFills = append(st.CDRFills, CDRFill{PartitionID: k.partition, Hour: Timestamp{time.Unix(k.hour, 0).UTC()}, Calls: n})
	}
	slices.SortFunc(st.CDRFills, func(a, b CDRFill) int {
		if c := strings.Compare(a.PartitionID, b.PartitionID); c != 0 {
			return c
		}
		return a.Hour.Compare(b.Hour.Time)
	})
}
