package routes

import (
	"bytes"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"sort"
	"strconv"
	"time"

	"github.com/fakealianza/fakealianza/certify"
	"github.com/fakealianza/fakealianza/journal"
	"github.com/fakealianza/fakealianza/openapi"
	"github.com/fakealianza/fakealianza/scenarios"
	"github.com/fakealianza/fakealianza/store"
)

// AdminKeyHeader carries the admin key when one is configured.
const AdminKeyHeader = "X-Fakealianza-Admin-Key"

// QA is the toolkit behind the /__admin API.
type QA struct {
	Journal   *journal.Journal
	Faults    *scenarios.Engine
	Scenarios *scenarios.Runner
	// StartScenarios were started with the server; a full reset starts
	// them again (fresh counters) after the fixtures are back.
	StartScenarios []string
	// AdminKey, when set, must come in X-Fakealianza-Admin-Key on every
	// /__admin call except health, ready and the spec.
	AdminKey string
	// BaseURL is the server's own URL (absolute URLs in HAR exports).
	BaseURL func() string
	// Version names the server in HAR exports.
	Version string
	// Reset runs after the store was reset or replaced: partitionID names
	// the one partition reset, "" means everything. Tokens and other state
	// kept outside the store are dropped there.
	Reset func(partitionID string)
	// CAPEM is the local CA of the HTTPS listener (nil or empty: none).
	CAPEM func() []byte
	// SFTPLogin makes the datafeed login of a new partition (nil: no datafeed).
	SFTPLogin func(partitionID string) (*AdminSFTPLogin, error)
	// Closing is closed when the server shuts down: live journal streams
	// end then.
	Closing <-chan struct{}
	// Certify runs certification rehearsals (nil: a certifier nothing
	// records into).
	Certify *certify.Certifier
}

// AdminSFTPLogin is a datafeed login handed out with a new partition.
type AdminSFTPLogin struct {
	Address  string `json:"address,omitempty"`
	Username string `json:"username"`
	Password string `json:"password"`
}

func (q *QA) defaults(st *store.Store) error {
	if q.Journal == nil {
		q.Journal = journal.New(0)
	}
	if q.Faults == nil {
		q.Faults = scenarios.NewEngine(1)
	}
	if q.Scenarios == nil {
		r, err := scenarios.NewRunner(q.Faults, st, "")
		if err != nil {
			return err
		}
		q.Scenarios = r
	}
	if q.Certify == nil {
		q.Certify = certify.New(0)
	}
	if q.BaseURL == nil {
		q.BaseURL = func() string { return "" }
	}
	if q.Reset == nil {
		q.Reset = func(string) {}
	}
	return nil
}

// guard checks the admin key on protected admin operations.
func (q *QA) guard(r *http.Request, op *openapi.Operation) error {
	if q.AdminKey == "" || !op.IsAdmin() {
		return nil
	}
	switch op.ID {
	case "adminHealth", "adminHealthHead", "adminReady", "adminReadyHead", "adminOpenAPI", "adminCACert",
		"adminPutJobInput": // an upload URL: its key is its credential
		return nil
	}
	if !adminKeyOK(r, q.AdminKey) {
		return errAdminKeyRequired
	}
	return nil
}

var errAdminKeyRequired = store.Errorf(http.StatusUnauthorized, "AdminKeyRequired")

// adminKeyOK reports whether the request carries the admin key (any
// request does when none is set).
func adminKeyOK(r *http.Request, key string) bool {
	return key == "" || subtle.ConstantTimeCompare([]byte(r.Header.Get(AdminKeyHeader)), []byte(key)) == 1
}

// decodeStrict reads a JSON body into v, refusing unknown fields; an empty
// body leaves v as it is.
func decodeStrict(body []byte, v any, code string) error {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return store.InvalidWith(code, store.Detail{"error": err.Error()})
	}
	return nil
}

type adminCount struct {
	Count int `json:"count"`
}

type adminClock struct {
	Now    time.Time `json:"now"`
	Frozen bool      `json:"frozen"`
}

type adminPartitionCreated struct {
	PartitionID string          `json:"partitionId"`
	Name        string          `json:"name"`
	Username    string          `json:"username"`
	Password    string          `json:"password"`
	SFTP        *AdminSFTPLogin `json:"sftp,omitempty"`
}

func (a *api) qaRoutes() map[string]Handler {
	q := &a.deps.QA
	st := a.deps.Store
	return map[string]Handler{
		// ---- faults ----
		"adminListFaults": func(*Request) (Response, error) { return OK(nonNil(q.Faults.List())), nil },
		"adminAddFault": func(r *Request) (Response, error) {
			var rule scenarios.Rule
			if err := decodeStrict(r.Body, &rule, "InvalidFaultRule"); err != nil {
				return Response{}, err
			}
			rule.Scenario = ""
			added, err := q.Faults.Add(rule)
			if err != nil {
				return Response{}, store.InvalidWith("InvalidFaultRule", store.Detail{"error": err.Error()})
			}
			return JSON(http.StatusCreated, added), nil
		},
		"adminClearFaults": func(*Request) (Response, error) {
			q.Scenarios.StopAll()
			q.Faults.Clear()
			return NoContent(http.StatusNoContent), nil
		},
		"adminDeleteFault": func(r *Request) (Response, error) {
			if !q.Faults.Delete(r.Vars["ruleId"]) {
				return Response{}, store.NotFound("FaultRule", r.Vars["ruleId"])
			}
			return NoContent(http.StatusNoContent), nil
		},

		// ---- scenarios ----
		"adminListScenarios": func(*Request) (Response, error) {
			l, err := q.Scenarios.List()
			if err != nil {
				// A broken file in the user's scenarios folder: a clear 422
				// naming it (a 500 comes only from a fault rule).
				return Response{}, &store.Error{Status: http.StatusUnprocessableEntity, Code: "InvalidScenarioFile", Data: store.Detail{"error": err.Error()}}
			}
			return OK(l), nil
		},
		"adminStartScenario": func(r *Request) (Response, error) {
			sc, err := q.Scenarios.Start(r.Vars["name"])
			if errors.Is(err, scenarios.ErrUnknown) {
				return Response{}, store.NotFound("Scenario", r.Vars["name"])
			}
			if err != nil {
				return Response{}, store.InvalidWith("InvalidScenario", store.Detail{"error": err.Error()})
			}
			return OK(sc), nil
		},
		"adminStopScenario": func(r *Request) (Response, error) {
			if _, err := q.Scenarios.Get(r.Vars["name"]); err != nil {
				return Response{}, store.NotFound("Scenario", r.Vars["name"])
			}
			q.Scenarios.Stop(r.Vars["name"])
			sc, err := q.Scenarios.Get(r.Vars["name"])
			return OK(sc), err
		},

		// ---- journal ----
		"adminListRequests": func(r *Request) (Response, error) {
			v := r.URL.Query()
			jf, err := queryFilter(v).filter()
			if err != nil {
				return Response{}, err
			}
			out := q.Journal.Find(jf)
			if n, _ := strconv.Atoi(v.Get("limit")); n > 0 && n < len(out) {
				out = out[len(out)-n:]
			}
			return OK(nonNil(out)), nil
		},
		"adminClearRequests": func(*Request) (Response, error) {
			q.Journal.Clear()
			return NoContent(http.StatusNoContent), nil
		},
		"adminCountRequests": func(r *Request) (Response, error) {
			var f requestFilter
			if err := decodeStrict(r.Body, &f, "InvalidRequestFilter"); err != nil {
				return Response{}, err
			}
			jf, err := f.filter()
			if err != nil {
				return Response{}, err
			}
			return OK(adminCount{q.Journal.Count(jf)}), nil
		},
		"adminExportHar": func(*Request) (Response, error) {
			return OK(journal.ToHAR(q.Journal.Find(journal.Filter{}), q.BaseURL(), q.Version)), nil
		},

		// ---- state ----
		"adminReset": func(*Request) (Response, error) {
			q.Scenarios.StopAll()
			q.Faults.Clear()
			st.Clock().Reset()
			if err := st.Reset(); err != nil {
				return Response{}, err
			}
			for _, name := range q.StartScenarios {
				if _, err := q.Scenarios.Start(name); err != nil {
					return Response{}, store.InvalidWith("InvalidScenario", store.Detail{"error": err.Error()})
				}
			}
			q.Reset("")
			return NoContent(http.StatusNoContent), nil
		},
		"adminResetPartition": func(r *Request) (Response, error) {
			pid := r.Vars["partitionId"]
			if err := st.ResetPartition(pid); err != nil {
				return Response{}, err
			}
			q.Reset(pid)
			return NoContent(http.StatusNoContent), nil
		},
		"adminCreatePartition": func(r *Request) (Response, error) {
			var in struct {
				Name string `json:"name"`
			}
			if err := decodeStrict(r.Body, &in, "InvalidRequestBody"); err != nil {
				return Response{}, err
			}
			p, u, err := st.CreatePartition(in.Name)
			if err != nil {
				return Response{}, err
			}
			out := adminPartitionCreated{PartitionID: p.ID, Name: p.Name, Username: u.Username, Password: u.Password}
			if q.SFTPLogin != nil {
				if out.SFTP, err = q.SFTPLogin(p.ID); err != nil {
					return Response{}, err
				}
			}
			return JSON(http.StatusCreated, out), nil
		},
		"adminGetState": func(*Request) (Response, error) { return stateExport(st) },
		"adminPutState": func(r *Request) (Response, error) {
			var s store.State
			if err := decodeStrict(r.Body, &s, "InvalidState"); err != nil {
				return Response{}, err
			}
			if err := store.CheckWhole(&s); err != nil {
				return Response{}, store.InvalidWith("InvalidState", store.Detail{"error": err.Error()})
			}
			if err := st.RestoreOwned(s); err != nil {
				return Response{}, store.InvalidWith("InvalidState", store.Detail{"error": err.Error()})
			}
			q.Reset("")
			return NoContent(http.StatusNoContent), nil
		},

		// ---- clock ----
		"adminGetClock": func(*Request) (Response, error) {
			return OK(adminClock{st.Clock().Now(), st.Clock().Frozen()}), nil
		},
		"adminSetClock": func(r *Request) (Response, error) {
			var in struct {
				Advance *string    `json:"advance"`
				Set     *time.Time `json:"set"`
				Freeze  *bool      `json:"freeze"`
			}
			if err := decodeStrict(r.Body, &in, "InvalidClockRequest"); err != nil {
				return Response{}, err
			}
			if in.Advance == nil && in.Set == nil && in.Freeze == nil {
				return Response{}, store.Invalid("InvalidClockRequest")
			}
			var adv time.Duration
			if in.Advance != nil {
				d, err := time.ParseDuration(*in.Advance)
				if err != nil {
					return Response{}, store.InvalidWith("InvalidValueForField:advance", store.Detail{"error": err.Error()})
				}
				adv = d
			}
			c := st.Clock()
			if err := c.CheckMove(in.Set, adv); err != nil {
				return Response{}, err
			}
			// Freeze first, so {"set":..., "freeze":true} stops at the set time.
			if in.Freeze != nil && *in.Freeze {
				c.Freeze(true)
			}
			if in.Set != nil {
				c.Set(*in.Set)
			}
			c.Advance(adv)
			if in.Freeze != nil && !*in.Freeze {
				c.Freeze(false)
			}
			return OK(adminClock{c.Now(), c.Frozen()}), nil
		},

		// ---- lifecycle ----
		"adminGetLifecycle": func(*Request) (Response, error) { return OK(st.LifecycleModes()), nil },
		"adminSetLifecycle": func(r *Request) (Response, error) {
			var in map[string]json.RawMessage
			if err := decodeStrict(r.Body, &in, "InvalidLifecycleMode"); err != nil {
				return Response{}, err
			}
			modes, err := ParseLifecycleModes(in)
			if err != nil {
				return Response{}, err
			}
			known := st.LifecycleModes()
			kinds := make([]string, 0, len(modes))
			for k := range modes {
				if _, ok := known[k]; !ok {
					return Response{}, store.NotFound("LifecycleKind", k)
				}
				kinds = append(kinds, k)
			}
			sort.Strings(kinds)
			for _, k := range kinds {
				if err := st.SetLifecycleMode(k, modes[k]); err != nil {
					return Response{}, err
				}
			}
			return OK(st.LifecycleModes()), nil
		},
		"adminAdvanceLifecycle": func(r *Request) (Response, error) { return lifecycleStep(r, st.AdvanceLifecycle) },
	}
}

// lifecycleStep moves the objects of the path's kind named by the body
// ({"id":...}, or none: every pending one) and answers the ids that moved.
func lifecycleStep(r *Request, step func(kind, id string) ([]string, error)) (Response, error) {
	var in struct {
		ID string `json:"id"`
	}
	if err := decodeStrict(r.Body, &in, "InvalidRequestBody"); err != nil {
		return Response{}, err
	}
	ids, err := step(r.Vars["kind"], in.ID)
	if err != nil {
		return Response{}, err
	}
	return OK(struct {
		Advanced []string `json:"advanced"`
	}{nonNil(ids)}), nil
}

// ParseLifecycleModes reads modes per kind, each either in flag form
// ("reads:2") or as an object ({"mode":"reads","reads":2}).
func ParseLifecycleModes(in map[string]json.RawMessage) (map[string]store.LifecycleMode, error) {
	out := make(map[string]store.LifecycleMode, len(in))
	for kind, raw := range in {
		var s string
		var m store.LifecycleMode
		var err error
		if json.Unmarshal(raw, &s) == nil {
			m, err = store.ParseLifecycleMode(s)
		} else {
			err = json.Unmarshal(raw, &m)
		}
		if err != nil {
			return nil, store.InvalidWith("InvalidLifecycleMode", store.Detail{"error": kind + ": " + err.Error()})
		}
		out[kind] = m
	}
	return out, nil
}

// requestFilter is the journal filter as the admin API spells it.
type requestFilter struct {
	Method      string     `json:"method"`
	Path        string     `json:"path"`
	Status      int        `json:"status"`
	PartitionID string     `json:"partitionId"`
	OperationID string     `json:"operationId"`
	Since       *time.Time `json:"since"`
}

func (f requestFilter) filter() (journal.Filter, error) {
	if len(f.Path) > scenarios.MaxGlob {
		return journal.Filter{}, store.InvalidWith("InvalidValueForField:path", store.Detail{"error": fmt.Sprintf("longer than %d bytes", scenarios.MaxGlob)})
	}
	out := journal.Filter{Method: f.Method, Status: f.Status, PartitionID: f.PartitionID, OperationID: f.OperationID}
	if f.Since != nil {
		out.Since = *f.Since
	}
	if f.Path != "" {
		glob := f.Path
		out.PathMatch = func(p string) bool { return scenarios.MatchPath(glob, p) }
	}
	return out, nil
}

// nonNil makes an empty list encode as [] rather than null.
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// stateExport answers GET /__admin/state: the state is written to a
// temporary file under the store's read lock (a local, fast write), then
// sent from the file with no lock held, however slowly the client reads.
// Memory stays flat whatever the state's size.
func stateExport(st *store.Store) (Response, error) {
	f, err := os.CreateTemp("", "fakealianza-export-*.json")
	if err != nil {
		// No writable temporary folder: write to the client itself, the
		// read lock held as long as it reads.
		slog.Warn("state export without a temporary file: writes wait on the client", "err", err)
		return Response{Status: http.StatusOK, ContentType: "application/json", Stream: func(w http.ResponseWriter) error { return st.WriteState(w) }}, nil
	}
	cleanup := func() {
		f.Close()
		os.Remove(f.Name())
	}
	if err := st.WriteState(f); err != nil {
		cleanup()
		return Response{}, fmt.Errorf("state export: %w", err)
	}
	size, err := f.Seek(0, io.SeekCurrent)
	if err == nil {
		_, err = f.Seek(0, io.SeekStart)
	}
	if err != nil {
		cleanup()
		return Response{}, fmt.Errorf("state export: %w", err)
	}
	return Response{
		Status: http.StatusOK, ContentType: "application/json",
		Header: http.Header{"Content-Length": {strconv.FormatInt(size, 10)}},
		Stream: func(w http.ResponseWriter) error {
			defer cleanup()
			_, err := io.Copy(w, f)
			return err
		},
	}, nil
}
