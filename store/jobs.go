package store

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Job is an asynchronous export (the Job schema): PENDING -> IN_PROGRESS ->
// DONE (or FAILED), moved by the lifecycle engine (kind "job"). The CSV is
// built from the live state when the job reaches DONE. A job ends FAILED
// when the job lifecycle's outcome is reject, or when FailJob says so.
type Job struct {
	ID          string     `json:"id"`
	Name        string     `json:"name,omitempty"`
	UserID      string     `json:"userId,omitempty"`
	Status      string     `json:"status"`
	Errors      []JobError `json:"errors"`
	InputKey    string     `json:"inputKey,omitempty"`
	OutputKey   string     `json:"outputKey,omitempty"`
	Start       string     `json:"start,omitempty"`
	LastUpdated string     `json:"lastUpdated,omitempty"`
}

// JobError is one problem a job met.
type JobError struct {
	Error      string `json:"error,omitempty"`
	LineNumber int    `json:"lineNumber,omitempty"`
	Column     string `json:"column,omitempty"`
	Input      string `json:"input,omitempty"`
}

// out is the job as a client reads it: errors is [] until one is met.
func (r *JobRecord) out() Job {
	j := deepCopy(r.Job)
	j.Errors = orEmpty(j.Errors)
	return j
}

// Job statuses.
const (
	JobPending    = "PENDING"
	JobInProgress = "IN_PROGRESS"
	JobDone       = "DONE"
	JobFailed     = "FAILED"
)

// JobRecord is a job as State keeps it: the job, whose partition it is, and
// its output once done.
type JobRecord struct {
	ID          string `json:"id"` // the job's id, for the state editors
	Job         Job    `json:"job"`
	PartitionID string `json:"partitionId"`
	Output      string `json:"output,omitempty"`
}

type jobRecord struct {
	JobRecord
	produce CSVProducer // nil once run, or after a restore
}

// CSVProducer builds a job's CSV rows, header row first. It runs with the
// store's lock held, so it must use the store's lock-held helpers (never a
// public Store method, which would deadlock). An error fails the job.
type CSVProducer func(s *Store) ([][]string, error)

func init() { registerStepper(KindJob, (*Store).stepJob) }

// stepJob moves a job one step: PENDING -> IN_PROGRESS -> DONE, building the
// output on the way into DONE. Lock held.
func (s *Store) stepJob(id string) bool {
	r, ok := s.jobs[id]
	if !ok {
		return false
	}
	r.Job.LastUpdated = s.now()
	switch r.Job.Status {
	case JobPending:
		r.Job.Status = JobInProgress
		return true
	case JobInProgress:
		if s.life.modes[KindJob].Outcome == OutcomeReject {
			s.failJob(r, "JobFailed") // the job lifecycle's reject outcome (QA)
			return false
		}
		s.finishJob(r)
	}
	return false
}

func (s *Store) finishJob(r *jobRecord) {
	if r.produce == nil {
		s.failJob(r, "JobOutputUnavailable")
		return
	}
	rows, err := r.produce(s)
	r.produce = nil
	var rowErrs rowErrors
	if errors.As(err, &rowErrs) {
		// rows the job could not apply: it is done, with them in errors
		r.Job.Errors = append(r.Job.Errors, rowErrs...)
		err = nil
	}
	if err != nil {
		s.failJob(r, err.Error())
		return
	}
	out, err := encodeCSV(rows)
	if err != nil {
		s.failJob(r, "JobOutputUnavailable")
		return
	}
	r.Output = out
	r.Job.Status = JobDone
	r.Job.OutputKey = r.Job.ID + ".csv"
}

// rowErrors are the rows of an input a job could not apply: a producer
// returns them with its rows, and the job ends DONE with them in errors.
type rowErrors []JobError

func (e rowErrors) Error() string { return strconv.Itoa(len(e)) + " rows failed" }

// encodeCSV writes rows as CSV text.
func encodeCSV(rows [][]string) (string, error) {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	if err := w.WriteAll(rows); err != nil {
		return "", err
	}
	return buf.String(), nil
}

func (s *Store) failJob(r *jobRecord, msg string) {
	r.Job.Status = JobFailed
	r.Job.Errors = append(r.Job.Errors, JobError{Error: msg})
	r.Job.LastUpdated = s.now()
	r.produce = nil
	s.lifecycleStop(r.Job.ID)
}

// StartJob creates a job in a partition for a user; produce builds its CSV
// when the job is done. The export endpoints (reports here, the CDR CSV of
// the datafeed) answer 202 with the returned job.
func (s *Store) StartJob(partitionID, userID, name string, produce CSVProducer) (Job, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.partitions[partitionID]; !ok {
		return Job{}, NotFound("Partition", partitionID)
	}
	return s.startJob(partitionID, userID, name, produce), nil
}

// startJob is StartJob with the lock held.
func (s *Store) startJob(partitionID, userID, name string, produce CSVProducer) Job {
	now := s.now()
	id := NewUUID()
	r := &jobRecord{JobRecord: JobRecord{
		ID:          id,
		Job:         Job{ID: id, Name: name, UserID: userID, Status: JobPending, Start: now, LastUpdated: now},
		PartitionID: partitionID,
	}, produce: produce}
	s.jobs[r.Job.ID] = r
	s.jobOrder = append(s.jobOrder, r.Job.ID)
	s.lifecycleStart(KindJob, r.Job.ID)
	s.trimJobs()
	return r.out()
}

// MaxJobs bounds how many jobs the store keeps: past it, the oldest finished
// jobs (and their output) are forgotten. Unfinished jobs are never dropped.
const MaxJobs = 1000

// trimJobs forgets the oldest finished jobs beyond MaxJobs. Lock held.
func (s *Store) trimJobs() {
	excess := len(s.jobs) - MaxJobs
	if excess <= 0 {
		return
	}
	keep := s.jobOrder[:0]
	for _, id := range s.jobOrder {
		if st := s.jobs[id].Job.Status; excess > 0 && (st == JobDone || st == JobFailed) {
			delete(s.jobs, id)
			excess--
			continue
		}
		keep = append(keep, id)
	}
	s.jobOrder = keep
}

// job finds a job visible to a caller scoped to partitions. Lock held.
func (s *Store) job(id string, partitions map[string]bool) (*jobRecord, error) {
	r, ok := s.jobs[id]
	if !ok || (partitions != nil && !partitions[r.PartitionID]) {
		return nil, NotFound("Job", id)
	}
	return r, nil
}

// Job reads a job; the read may move it on (lifecycle reads or duration
// mode). partitions limits what the caller may see (nil: all).
func (s *Store) Job(id string, partitions map[string]bool) (Job, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, err := s.job(id, partitions)
	if err != nil {
		return Job{}, err
	}
	s.lifecycleRead(id)
	return r.out(), nil
}

// JobOutput returns a finished job's CSV. A job not yet DONE answers 404
// JobOutputNotReady; a FAILED one 400 JobFailed.
func (s *Store) JobOutput(id string, partitions map[string]bool) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, err := s.job(id, partitions)
	if err != nil {
		return "", err
	}
	s.lifecycleRun(id, false)
	switch r.Job.Status {
	case JobDone:
		return r.Output, nil
	case JobFailed:
		return "", InvalidWith("JobFailed", Detail{"errors": r.Job.Errors})
	}
	return "", &Error{Status: 404, Code: "JobOutputNotReady", Data: EntityRef{Type: "Job", ID: id}}
}

// FailJob makes a job that has not finished fail now with a message
// (admin API, fault rules). A job already DONE or FAILED answers 400
// JobAlreadyFinished.
func (s *Store) FailJob(id, msg string) (Job, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, err := s.job(id, nil)
	if err != nil {
		return Job{}, err
	}
	if r.Job.Status == JobDone || r.Job.Status == JobFailed {
		return Job{}, Invalid("JobAlreadyFinished")
	}
	if msg == "" {
		msg = "JobFailed"
	}
	s.failJob(r, msg)
	return r.out(), nil
}

// loadJobs checks and indexes the jobs of a state. Unfinished jobs load as
// they were; resumeJobs decides whether they can go on. Store being built.
func (s *Store) loadJobs(st State) error {
	for i := range st.Jobs {
		r := st.Jobs[i]
		if r.ID == "" {
			r.ID = r.Job.ID
		}
		if r.Job.ID == "" || r.ID != r.Job.ID {
			return fmt.Errorf("job %d: id is required (and must be the job's)", i)
		}
		if _, ok := s.partitions[r.PartitionID]; !ok {
			return fmt.Errorf("job %s: unknown partition %q", r.Job.ID, r.PartitionID)
		}
		if !oneOf(r.Job.Status, []string{JobPending, JobInProgress, JobDone, JobFailed}) || r.Job.Status == "" {
			return fmt.Errorf("job %s: bad status %q", r.Job.ID, r.Job.Status)
		}
		if _, dup := s.jobs[r.Job.ID]; dup {
			return fmt.Errorf("job %s: duplicate id", r.Job.ID)
		}
		s.jobs[r.Job.ID] = &jobRecord{JobRecord: r}
		s.jobOrder = append(s.jobOrder, r.Job.ID)
	}
	slices.SortStableFunc(s.jobOrder, func(a, b string) int { return strings.Compare(s.jobs[a].Job.Start, s.jobs[b].Job.Start) })
	s.trimJobs()
	return nil
}

// resumeJobs runs after the store took over a new state: an unfinished job
// that existed before and is still tracked (a partition edit elsewhere)
// keeps its producer and goes on; any other unfinished job cannot (its
// producer is code, not state) and ends FAILED with JobInterrupted. Lock held.
func (s *Store) resumeJobs(old map[string]*jobRecord) {
	for _, id := range s.jobOrder {
		r := s.jobs[id]
		if r.Job.Status != JobPending && r.Job.Status != JobInProgress {
			continue
		}
		if o := old[id]; o != nil && o.produce != nil && s.life.tracked[id] != nil {
			r.produce = o.produce
			continue
		}
		s.failJob(r, "JobInterrupted")
	}
}

// csvRows turns objects into CSV rows: a header row of the given JSON field
// names, then one row per object with each field's value (strings as they
// are, lists joined with "|", other values as JSON, absent fields empty).
func csvRows[T any](fields []string, objs []T) ([][]string, error) {
	rows := [][]string{fields}
	for _, o := range objs {
		b, err := json.Marshal(o)
		if err != nil {
			return nil, err
		}
		var m map[string]json.RawMessage
		if err := json.Unmarshal(b, &m); err != nil {
			return nil, err
		}
		row := make([]string, len(fields))
		for i, f := range fields {
			row[i] = csvValue(m[f])
		}
		rows = append(rows, row)
	}
	return rows, nil
}

func csvValue(raw json.RawMessage) string {
	if len(raw) == 0 || string(raw) == "null" {
		return ""
	}
	switch raw[0] {
	case '"':
		var s string
		if json.Unmarshal(raw, &s) == nil {
			return s
		}
	case '[':
		var items []json.RawMessage
		if json.Unmarshal(raw, &items) == nil {
			parts := make([]string, len(items))
			for i, it := range items {
				parts[i] = csvValue(it)
			}
			return strings.Join(parts, "|")
		}
	}
	return string(raw)
}
