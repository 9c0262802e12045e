package store

import (
	"net/http"
	"time"
)

// PendingObject is an asynchronous object (activation, port, job) whose
// lifecycle still has steps to take.
type PendingObject struct {
	Kind             string    `json:"kind"`
	ID               string    `json:"id"`
	PartitionID      string    `json:"partitionId"`
	AccountID        string    `json:"accountId,omitempty"`
	Status           string    `json:"status"`
	TelephoneNumbers []string  `json:"telephoneNumbers,omitempty"`
	Since            time.Time `json:"since"`
	Reads            int       `json:"reads"`
	// Rejectable says whether RejectLifecycle can end it (ports and jobs).
	Rejectable bool `json:"rejectable"`
}

// PendingLifecycle lists every object still moving, by kind then id. Steps
// already due (duration mode) are taken first, so the list is current.
func (s *Store) PendingLifecycle() []PendingObject {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []PendingObject{}
	for _, kind := range []string{KindActivation, KindPort, KindJob} {
		s.lifecycleSweep(kind)
		for _, id := range s.trackedIDs(kind) {
			p := s.life.tracked[id]
			o := PendingObject{Kind: kind, ID: id, Since: p.since, Reads: p.reads, Rejectable: kind != KindActivation}
			if !s.describePending(&o) {
				continue
			}
			out = append(out, o)
		}
	}
	return out
}

// describePending fills what the object's own record says; false when the
// record is gone. Lock held.
func (s *Store) describePending(o *PendingObject) bool {
	switch o.Kind {
	case KindActivation:
		e, ok := s.events[o.ID]
		if !ok {
			return false
		}
		o.PartitionID, o.AccountID, o.Status = e.PartitionID, e.AccountID, e.ActivationStatusType
		if e.MainTelephoneNumber != "" {
			o.TelephoneNumbers = append([]string{e.MainTelephoneNumber}, e.SubTelephoneNumbers...)
		}
	case KindPort:
		p, ok := s.ports[o.ID]
		if !ok {
			return false
		}
		o.PartitionID, o.AccountID, o.TelephoneNumbers = p.PartitionID, p.AccountID, append([]string(nil), p.TelephoneNumbers...)
		o.Status = p.Status
		if e := s.portEvent(p); e != nil {
			o.Status = e.ActivationStatusType
		}
	case KindJob:
		r, ok := s.jobs[o.ID]
		if !ok {
			return false
		}
		o.PartitionID, o.Status = r.PartitionID, r.Job.Status
	default:
		return false
	}
	return true
}

// RejectLifecycle ends pending objects rejected now, whatever the mode: a
// port as refused by the losing carrier, a job FAILED (JobFailed). One
// object (id set) or every pending one of the kind. Activations have no
// rejected end (400 LifecycleRejectNotSupported).
func (s *Store) RejectLifecycle(kind, id string) ([]string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.life.modes[kind]; !ok {
		return nil, NotFound("LifecycleKind", kind)
	}
	if kind != KindPort && kind != KindJob {
		return nil, Errorf(http.StatusBadRequest, "LifecycleRejectNotSupported")
	}
	ids, err := s.lifecycleTargets(kind, id)
	if err != nil {
		return nil, err
	}
	for _, oid := range ids {
		switch kind {
		case KindPort:
			if p, ok := s.ports[oid]; ok {
				if e := s.portEvent(p); portOpen(e) {
					s.rejectPort(p, e)
				}
			}
		case KindJob:
			if r, ok := s.jobs[oid]; ok {
				s.failJob(r, "JobFailed")
			}
		}
		s.lifecycleStop(oid)
	}
	return ids, nil
}
