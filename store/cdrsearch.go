package store

import (
	"cmp"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// CDRQuery is a cdrsearch: which records of an account, in which order,
// which page. Start times fall in [From, To).
type CDRQuery struct {
	From, To       time.Time
	CallTypes      []string
	CallFlagTypes  []string
	CallCategories []string
	OrigNumber     string
	TermNumber     string
	DialedNumber   string
	MinCost        *float64
	Sort           string // DATE (default), COST or CALL_LENGTH
	Ascending      bool   // sortOrder ASC; the default is DESC
	First          int
	Max            int
}

// CDRPage is one page of a search: the count of every match, and the page.
type CDRPage struct {
	TotalRecords int64              `json:"totalRecords"`
	Results      []CallDetailRecord `json:"results"`
}

// ParseCDRQuery reads cdrsearch's query parameters. startDate and endDate
// (yyyy-MM-dd, UTC) bound the days, both included; startTime and endTime
// (HH:mm or HH:mm:ss) narrow the first and the last day. Phone-number
// filters match on digits contained in the number.
func ParseCDRQuery(q url.Values) (CDRQuery, error) {
	var out CDRQuery
	day := func(name string) (time.Time, error) {
		v := q.Get(name)
		if v == "" {
			return time.Time{}, Invalid(upper(name) + "Required")
		}
		t, err := time.Parse(time.DateOnly, v)
		if err != nil {
			return time.Time{}, Invalid("InvalidValueForField:" + name)
		}
		return t, nil
	}
	clock := func(name string) (time.Duration, bool, time.Duration, error) {
		v := q.Get(name)
		if v == "" {
			return 0, false, 0, nil
		}
		for _, layout := range []struct {
			l    string
			step time.Duration
		}{{"15:04:05", time.Second}, {"15:04", time.Minute}} {
			if t, err := time.Parse(layout.l, v); err == nil {
				return time.Duration(t.Hour())*time.Hour + time.Duration(t.Minute())*time.Minute +
					time.Duration(t.Second())*time.Second, true, layout.step, nil
			}
		}
		return 0, false, 0, Invalid("InvalidValueForField:" + name)
	}
	start, err := day("startDate")
	if err != nil {
		return out, err
	}
	end, err := day("endDate")
	if err != nil {
		return out, err
	}
	st, ok, _, err := clock("startTime")
	if err != nil {
		return out, err
	}
	out.From = start
	if ok {
		out.From = start.Add(st)
	}
	et, ok, step, err := clock("endTime")
	if err != nil {
		return out, err
	}
	out.To = end.Add(24 * time.Hour)
	if ok {
		out.To = end.Add(et + step)
	}
	if out.To.Before(out.From) {
		return out, Invalid("InvalidValueForField:endDate")
	}
	out.CallTypes, out.CallFlagTypes, out.CallCategories = q["callType"], q["callFlagType"], q["callCategory"]
	out.OrigNumber, out.TermNumber, out.DialedNumber = digits(q.Get("origNumber")), digits(q.Get("termNumber")), digits(q.Get("dialedNumber"))
	if v := q.Get("minCost"); v != "" {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return out, Invalid("InvalidValueForField:minCost")
		}
		out.MinCost = &f
	}
	out.Sort = cmp.Or(q.Get("sort"), "DATE")
	out.Ascending = q.Get("sortOrder") == "ASC"
	out.Max = 20
	for name, dst := range map[string]*int{"firstResultIndex": &out.First, "maxResult": &out.Max} {
		if v := q.Get(name); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 {
				return out, Invalid("InvalidValueForField:" + name)
			}
			*dst = n
		}
	}
	return out, nil
}

func upper(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func digits(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, s)
}

func (q *CDRQuery) matches(r *CallDetailRecord) bool {
	if r.StartTime == nil || r.StartTime.Before(q.From) || !r.StartTime.Before(q.To) {
		return false
	}
	if len(q.CallTypes) > 0 && !slices.Contains(q.CallTypes, r.CallType) {
		return false
	}
	if len(q.CallFlagTypes) > 0 && !slices.Contains(q.CallFlagTypes, r.CallFlagType) {
		return false
	}
	if len(q.CallCategories) > 0 && !slices.Contains(q.CallCategories, r.OrigCallCategory) &&
		!slices.Contains(q.CallCategories, r.TermCallCategory) {
		return false
	}
	if q.OrigNumber != "" && !strings.Contains(r.OrigNumber, q.OrigNumber) ||
		q.TermNumber != "" && !strings.Contains(r.TermNumber, q.TermNumber) ||
		q.DialedNumber != "" && !strings.Contains(r.DialedNumber, q.DialedNumber) {
		return false
	}
	if q.MinCost != nil && (r.Cost == nil || *r.Cost < *q.MinCost) {
		return false
	}
	return true
}

func deref[T cmp.Ordered](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

// SearchCDRs answers cdrsearch for one account of a partition: the records of
// the partition's published files whose acctId (or accountId) is the
// account, filtered, sorted (ties by id) and paged. The files are the one
// source: what the search returns is what the feed holds. An account that
// is not in the partition is a 404 (after the partition's own 404).
func (s *Store) SearchCDRs(partitionID, accountID string, q CDRQuery) (CDRPage, error) {
	s.mu.RLock()
	_, err := s.account(partitionID, accountID)
	s.mu.RUnlock()
	if err != nil {
		return CDRPage{}, err
	}
	files, err := s.visibleFiles(partitionID)
	if err != nil {
		return CDRPage{}, err
	}
	s.mu.RLock()
	var hits []*CallDetailRecord
	for _, f := range files {
		for i := range f.records {
			r := &f.records[i]
			if (r.AcctID == accountID || r.AccountID == accountID) && q.matches(r) {
				hits = append(hits, r)
			}
		}
	}
	key := func(r *CallDetailRecord) float64 {
		switch q.Sort {
		case "COST":
			return deref(r.Cost)
		case "CALL_LENGTH":
			return float64(deref(r.ActualCallLengthSeconds))
		}
		return float64(r.StartTime.UnixMilli())
	}
	slices.SortStableFunc(hits, func(a, b *CallDetailRecord) int {
		c := cmp.Compare(key(a), key(b))
		if !q.Ascending {
			c = -c
		}
		if c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	page := CDRPage{TotalRecords: int64(len(hits)), Results: []CallDetailRecord{}}
	lo := min(q.First, len(hits))
	hi := min(lo+q.Max, len(hits))
	for _, r := range hits[lo:hi] {
		page.Results = append(page.Results, *r)
	}
	s.mu.RUnlock()
	page.Results = deepCopy(page.Results)
	return page, nil
}
