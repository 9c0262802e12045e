package ui

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
)

// What the pages read from the admin API, in the API's own field names.

type apiInfo struct {
	Version   string `json:"version"`
	Listeners struct {
		HTTP string `json:"http"`
		SFTP string `json:"sftp"`
	} `json:"listeners"`
}

type apiClock struct {
	Now    time.Time `json:"now"`
	Frozen bool      `json:"frozen"`
}

type apiRule struct {
	ID          string         `json:"id"`
	Description string         `json:"description"`
	Match       map[string]any `json:"match"`
	Action      map[string]any `json:"action"`
	Probability *float64       `json:"probability"`
	Times       int            `json:"times"`
	After       int            `json:"after"`
	Matches     int            `json:"matches"`
	Hits        int            `json:"hits"`
	Retired     bool           `json:"retired"`
	Scenario    string         `json:"scenario"`
}

type apiScenario struct {
	Name        string            `json:"name"`
	Description string            `json:"description"`
	Lifecycle   map[string]string `json:"lifecycle"`
	Faults      []json.RawMessage `json:"faults"`
	Builtin     bool              `json:"builtin"`
	Active      bool              `json:"active"`
}

type apiEntry struct {
	ID          int64     `json:"id"`
	Time        time.Time `json:"time"`
	Method      string    `json:"method"`
	Path        string    `json:"path"`
	Query       string    `json:"query"`
	PartitionID string    `json:"partitionId"`
	OperationID string    `json:"operationId"`
	Status      int       `json:"status"`
	Fault       string    `json:"fault"`
}

type apiMode struct {
	Mode    string `json:"mode"`
	Reads   int    `json:"reads"`
	After   string `json:"after"`
	Outcome string `json:"outcome"`
}

// Flag is the mode in the form --lifecycle and PUT /__admin/lifecycle take.
func (m apiMode) Flag() string {
	out := m.Mode
	switch m.Mode {
	case "reads":
		out += ":" + strconv.Itoa(m.Reads)
	case "duration":
		out += ":" + m.After
	}
	if m.Outcome != "" {
		out += "+" + m.Outcome
	}
	return out
}

type apiPending struct {
	Kind             string    `json:"kind"`
	ID               string    `json:"id"`
	PartitionID      string    `json:"partitionId"`
	AccountID        string    `json:"accountId"`
	Status           string    `json:"status"`
	TelephoneNumbers []string  `json:"telephoneNumbers"`
	Since            time.Time `json:"since"`
	Reads            int       `json:"reads"`
	Rejectable       bool      `json:"rejectable"`
}

type apiLogin struct {
	PartitionID string `json:"partitionId"`
	Username    string `json:"username"`
	Password    string `json:"password"`
}

type apiDatafeed struct {
	SFTPAddress        string     `json:"sftpAddress"`
	HostKeyFingerprint string     `json:"hostKeyFingerprint"`
	PathPattern        string     `json:"pathPattern"`
	Compression        string     `json:"compression"`
	LagSeconds         int64      `json:"lagSeconds"`
	RetentionHours     int64      `json:"retentionHours"`
	Generate           bool       `json:"generate"`
	Logins             []apiLogin `json:"logins"`
}

type apiFile struct {
	PartitionID string    `json:"partitionId"`
	Path        string    `json:"path"`
	Day         string    `json:"day"`
	Hour        time.Time `json:"hour"`
	Size        int64     `json:"size"`
	Records     int       `json:"records"`
}

// ---- overview ----

type overview struct {
	Info       apiInfo
	Clock      apiClock
	Users      []object
	Feed       apiDatafeed
	Partitions []partitionCounts
	Scenarios  []apiScenario
	Rules      []apiRule
	Errors     []apiEntry
}

type partitionCounts struct {
	object
	Counts []count
}

type count struct {
	Kind string
	N    int
}

// recentErrors is how many failed exchanges the overview shows.
const recentErrors = 10

func loadOverview(c *client, _ url.Values) (any, error) {
	var o overview
	var raw map[string]json.RawMessage
	var scenarios []apiScenario
	var entries []apiEntry
	for path, out := range map[string]any{
		"/__admin/info": &o.Info, "/__admin/clock": &o.Clock, "/__admin/datafeed": &o.Feed,
		"/__admin/scenarios": &scenarios, "/__admin/faults": &o.Rules, "/__admin/state": &raw,
		"/__admin/requests?limit=500": &entries,
	} {
		if err := c.get(path, out); err != nil {
			return nil, err
		}
	}
	st := newState(raw)
	o.Users = st.kinds["managementUsers"]
	for _, p := range st.kinds["partitions"] {
		pc := partitionCounts{object: p}
		for _, k := range st.order {
			if k == "partitions" {
				continue
			}
			n := 0
			for _, obj := range st.kinds[k] {
				if obj.PartitionID == p.ID {
					n++
				}
			}
			if n > 0 {
				pc.Counts = append(pc.Counts, count{k, n})
			}
		}
		o.Partitions = append(o.Partitions, pc)
	}
	for _, s := range scenarios {
		if s.Active {
			o.Scenarios = append(o.Scenarios, s)
		}
	}
	for i := len(entries) - 1; i >= 0 && len(o.Errors) < recentErrors; i-- {
		if e := entries[i]; e.Status >= 400 || e.Status == 0 {
			o.Errors = append(o.Errors, e)
		}
	}
	return o, nil
}

// ---- state explorer ----

type explorer struct {
	Partitions []object
	Partition  *object
	Accounts   []object
	Account    *object
	// Groups are the partition's objects outside accounts, or the
	// account's objects, by kind.
	Groups  []group
	Query   string
	Results []object
	// More says how many search results were left out.
	More int
}

type group struct {
	Kind  string
	Items []object
	More  int
}

// maxListed bounds each list the explorer renders.
const maxListed = 200

func loadExplorer(c *client, q url.Values) (any, error) {
	var raw map[string]json.RawMessage
	if err := c.get("/__admin/state", &raw); err != nil {
		return nil, err
	}
	st := newState(raw)
	e := explorer{Partitions: st.kinds["partitions"], Query: strings.TrimSpace(q.Get("q"))}
	pid, aid := q.Get("partition"), q.Get("account")
	for i := range e.Partitions {
		if e.Partitions[i].ID == pid {
			e.Partition = &e.Partitions[i]
		}
	}
	if e.Query != "" {
		for _, o := range st.search(e.Query, pid) {
			if len(e.Results) == maxListed {
				e.More++
				continue
			}
			e.Results = append(e.Results, o)
		}
	}
	if e.Partition == nil {
		return e, nil
	}
	for _, a := range st.kinds["accounts"] {
		if a.PartitionID == pid {
			e.Accounts = append(e.Accounts, a)
			if a.ID == aid {
				acct := a
				e.Account = &acct
			}
		}
	}
	for _, k := range st.order {
		if k == "partitions" || k == "accounts" {
			continue
		}
		g := group{Kind: k}
		for _, o := range st.kinds[k] {
			mine := o.PartitionID == pid && o.AccountID == ""
			if e.Account != nil {
				mine = o.AccountID == e.Account.ID && (o.PartitionID == pid || o.PartitionID == "")
			}
			if !mine {
				continue
			}
			if len(g.Items) == maxListed {
				g.More++
				continue
			}
			g.Items = append(g.Items, o)
		}
		if len(g.Items) > 0 {
			e.Groups = append(e.Groups, g)
		}
	}
	return e, nil
}

// ---- journal ----

type journalPage struct {
	Method, Status, Path, PartitionID, OperationID string
	Capacity                                       int
}

func loadJournal(c *client, q url.Values) (any, error) {
	// The rows come live from /__admin/requests/stream; the page asks the
	// API only whether the key is right.
	var clock apiClock
	if err := c.get("/__admin/clock", &clock); err != nil {
		return nil, err
	}
	return journalPage{Method: q.Get("method"), Status: q.Get("status"), Path: q.Get("path"),
		PartitionID: q.Get("partitionId"), OperationID: q.Get("operationId")}, nil
}

// ---- faults and scenarios ----

type faultsPage struct {
	Rules     []apiRule
	Scenarios []apiScenario
}

func loadFaults(c *client, _ url.Values) (any, error) {
	var p faultsPage
	if err := c.get("/__admin/faults", &p.Rules); err != nil {
		return nil, err
	}
	if err := c.get("/__admin/scenarios", &p.Scenarios); err != nil {
		return nil, err
	}
	return p, nil
}

// ---- clock and lifecycles ----

type clockPage struct {
	Clock   apiClock
	Modes   []kindMode
	Pending []apiPending
}

type kindMode struct {
	Kind string
	Mode apiMode
	N    int // pending objects of the kind
}

func loadClock(c *client, _ url.Values) (any, error) {
	var p clockPage
	modes := map[string]apiMode{}
	for path, out := range map[string]any{
		"/__admin/clock": &p.Clock, "/__admin/lifecycle": &modes, "/__admin/lifecycle/pending": &p.Pending,
	} {
		if err := c.get(path, out); err != nil {
			return nil, err
		}
	}
	for k, m := range modes {
		km := kindMode{Kind: k, Mode: m}
		for _, o := range p.Pending {
			if o.Kind == k {
				km.N++
			}
		}
		p.Modes = append(p.Modes, km)
	}
	sort.Slice(p.Modes, func(i, j int) bool { return p.Modes[i].Kind < p.Modes[j].Kind })
	return p, nil
}

// ---- datafeed ----

type datafeedPage struct {
	Feed      apiDatafeed
	Partition string
	Days      []day
	Clock     apiClock
}

type day struct {
	Day     string
	Files   []apiFile
	Records int
}

func loadDatafeed(c *client, q url.Values) (any, error) {
	var p datafeedPage
	if err := c.get("/__admin/datafeed", &p.Feed); err != nil {
		return nil, err
	}
	if err := c.get("/__admin/clock", &p.Clock); err != nil {
		return nil, err
	}
	p.Partition = q.Get("partition")
	if p.Partition == "" && len(p.Feed.Logins) > 0 {
		p.Partition = p.Feed.Logins[0].PartitionID
	}
	if p.Partition == "" {
		return p, nil
	}
	var files []apiFile
	if err := c.get("/__admin/datafeed/files?partitionId="+url.QueryEscape(p.Partition), &files); err != nil {
		return nil, err
	}
	// Newest day first, each day's files by hour.
	for i := len(files) - 1; i >= 0; i-- {
		f := files[i]
		if len(p.Days) == 0 || p.Days[len(p.Days)-1].Day != f.Day {
			p.Days = append(p.Days, day{Day: f.Day})
		}
		d := &p.Days[len(p.Days)-1]
		d.Files = append([]apiFile{f}, d.Files...)
		d.Records += f.Records
	}
	return p, nil
}

// ---- state ----

type statePage struct {
	Partitions []object
}

func loadState(c *client, _ url.Values) (any, error) {
	var raw map[string]json.RawMessage
	if err := c.get("/__admin/state", &raw); err != nil {
		return nil, err
	}
	return statePage{Partitions: newState(raw).kinds["partitions"]}, nil
}

// ---- certification rehearsal ----

// The use cases a session can claim and the probes it can run, as POST
// /__admin/certification/start takes them (a test holds them to the
// certify package's lists).
var (
	certUseCases = []string{"account-lifecycle", "end-users", "device-lines", "numbers-activation", "porting",
		"sip-trunks", "voicemail", "cdr-retrieval", "reports-jobs"}
	certProbes = []string{"expired-token", "server-error", "unavailable", "slow", "validation", "vanished", "late-file"}
)

type apiCertSession struct {
	ID            string    `json:"id"`
	Running       bool      `json:"running"`
	PartitionID   string    `json:"partitionId"`
	UseCases      []string  `json:"useCases"`
	Probes        []string  `json:"probes"`
	Seed          uint64    `json:"seed"`
	StartedAt     time.Time `json:"startedAt"`
	StoppedAt     time.Time `json:"stoppedAt"`
	Exchanges     int       `json:"exchanges"`
	Stripped      int       `json:"stripped"`
	Dropped       int       `json:"dropped"`
	RecordedBytes int64     `json:"recordedBytes"`
	MaxBytes      int64     `json:"maxBytes"`
}

type apiCertReport struct {
	Session  apiCertSession `json:"session"`
	Ready    bool           `json:"ready"`
	Problems []string       `json:"problems"`
	UseCases []struct {
		Name       string `json:"name"`
		Title      string `json:"title"`
		Claimed    bool   `json:"claimed"`
		Exercised  bool   `json:"exercised"`
		Exchanges  int    `json:"exchanges"`
		Operations []struct {
			OperationID string         `json:"operationId"`
			Method      string         `json:"method"`
			Path        string         `json:"path"`
			Calls       int            `json:"calls"`
			Statuses    map[string]int `json:"statuses"`
		} `json:"operations"`
	} `json:"useCases"`
	Probes []struct {
		Name      string  `json:"name"`
		Title     string  `json:"title"`
		Order     int     `json:"order"`
		Verdict   string  `json:"verdict"`
		Behaviour string  `json:"behaviour"`
		Detail    string  `json:"detail"`
		Evidence  []int64 `json:"evidence"`
	} `json:"probes"`
	Flags []struct {
		Code     string  `json:"code"`
		Detail   string  `json:"detail"`
		Evidence []int64 `json:"evidence"`
	} `json:"flags"`
}

type certPage struct {
	// Report is the running or last session's; nil before the first.
	Report     *apiCertReport
	Partitions []object
	UseCases   []string
	Probes     []string
}

func loadCertification(c *client, _ url.Values) (any, error) {
	p := certPage{UseCases: certUseCases, Probes: certProbes}
	var rep apiCertReport
	var ae *apiError
	switch err := c.get("/__admin/certification/report", &rep); {
	case errors.As(err, &ae) && ae.Status == http.StatusNotFound: // no session yet
	case err != nil:
		return nil, err
	default:
		p.Report = &rep
	}
	if p.Report != nil && p.Report.Session.Running {
		return p, nil // the start form is not shown
	}
	var raw map[string]json.RawMessage
	if err := c.get("/__admin/state", &raw); err != nil {
		return nil, err
	}
	p.Partitions = newState(raw).kinds["partitions"]
	return p, nil
}
