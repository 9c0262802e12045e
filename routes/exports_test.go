package routes_test

import (
	"encoding/csv"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/fakealianza/fakealianza/fatest"
)

// csvBody parses a synchronous export's answer: 200, text/csv.
func (h *h6) csvBody(path string) [][]string {
	h.t.Helper()
	r := h.call(http.MethodGet, path, nil)
	h.want(r, http.StatusOK, "")
	if ct := r.Header.Get("Content-Type"); ct != "text/csv" {
		h.t.Fatalf("%s: content type %q", path, ct)
	}
	rows, err := csv.NewReader(strings.NewReader(string(r.Body))).ReadAll()
	if err != nil || len(rows) == 0 {
		h.t.Fatalf("%s: not CSV (%v): %s", path, err, r.Body)
	}
	return rows
}

// jobCSV starts an asynchronous export (202 with a Job) and returns its output.
func (h *h6) jobCSV(path string) [][]string {
	h.t.Helper()
	r := h.call(http.MethodGet, path, nil)
	h.want(r, http.StatusAccepted, "")
	j := r.Map(h.t)
	if j["status"] != "DONE" || j["userId"] != "fakeAdminAlpha00000001" {
		h.t.Fatalf("%s: job %v", path, j)
	}
	return h.output(j["id"].(string))
}

// TestLegacyExportsMatchNewest: every legacy, synchronous or older
// asynchronous variant of an export answers the same rows as the newest
// variant, over a state with objects of every kind the exports list.
func TestLegacyExportsMatchNewest(t *testing.T) {
	srv := frozenServer(t)
	h := &h6{t: t, srv: srv, tok: srv.Admin(t)}
	h.acct = h.account("EX-1")
	h.base = h.acctBase(h.acct)
	user := h.user(h.acct, "exporter@example.com", "2001")
	trunk := h.trunk(h.acct, "Export PBX", "exportpbx1")["id"].(string)
	tn := h.numberOnTrunk(h.acct, trunk)
	month := thisMonth(srv.Clock())
	today := srv.Clock().Now().Format("2006-01-02")
	acme := pAlpha + "/account/fakeAcct00000000000001"
	cdrQuery := "?startDate=2026-03-01&endDate=2026-03-04&sortOrder=ASC"

	for _, c := range []struct {
		legacy, newest string
		async          bool   // the legacy variant answers a Job
		column, holds  string // a cell the rows must hold (the state is in them)
	}{
		{legacy: "/report/account/csv", newest: "/report/account/csv_3", column: "id", holds: h.acct},
		{legacy: "/report/account/csv_2", newest: "/report/account/csv_3", async: true, column: "id", holds: h.acct},
		{legacy: "/report/device/csv", newest: "/report/device/csv_3", column: "accountId", holds: "fakeAcct00000000000001"},
		{legacy: "/report/device/csv_2", newest: "/report/device/csv_3", async: true, column: "accountId", holds: "fakeAcct00000000000001"},
		{legacy: "/report/user/csv" + month, newest: "/report/user/csv_3" + month, column: "id", holds: user.ID},
		{legacy: "/report/user/csv_2" + month, newest: "/report/user/csv_3" + month, async: true, column: "id", holds: user.ID},
		{legacy: "/report/sip/csv" + month, newest: "/report/sip/csv_2" + month, column: "id", holds: trunk},
		{legacy: "/report/sip/csv", newest: "/report/sip/csv_2" + month, column: "id", holds: trunk},
		{legacy: "/report/vfax/csv", newest: "/report/vfax/csv_2" + month},
		{legacy: "/report/tn/csv" + month, newest: "/report/tn/csv_2" + month, column: "phoneNumber", holds: tn},
		{legacy: "/report/portout/csv" + month, newest: "/report/portout/csv_2" + month},
		{legacy: "/report/accounthistory/enduserchanges?startDate=" + today + "&endDate=" + today,
			newest: "/report/accounthistory/enduserchanges_2?startDate=" + today + "&endDate=" + today, column: "referenceId", holds: user.ID},
		{legacy: "/account/fakeAcct00000000000001/cdrsearch/csv" + cdrQuery,
			newest: "/account/fakeAcct00000000000001/cdrsearch/csv_2" + cdrQuery, column: "acctId", holds: "fakeAcct00000000000001"},
		{legacy: "/telephonenumber/export_2", newest: "/telephonenumber/export", async: true, column: "phoneNumber", holds: tn},
	} {
		t.Run(c.legacy, func(t *testing.T) {
			h.t = t
			var got, want [][]string
			if c.async {
				got = h.jobCSV(pAlpha + c.legacy)
			} else {
				got = h.csvBody(pAlpha + c.legacy)
			}
			if strings.Contains(c.newest, "/telephonenumber/export") {
				want = h.csvBody(pAlpha + c.newest)
			} else {
				want = h.jobCSV(pAlpha + c.newest)
			}
			if !slices.EqualFunc(got, want, slices.Equal) {
				t.Fatalf("rows differ:\n%s %v\n%s %v", c.legacy, got, c.newest, want)
			}
			if c.column != "" && !slices.Contains(column(got, c.column), c.holds) {
				t.Fatalf("%s: column %s %v lacks %s", c.legacy, c.column, column(got, c.column), c.holds)
			}
		})
	}
	h.t = t
	if rows := h.csvBody(acme + "/cdrsearch/csv" + cdrQuery + "&maxResult=3"); len(rows) != 4 {
		t.Fatalf("cdrsearch/csv with maxResult=3: %d rows", len(rows)-1)
	}

	// errors: the month checks, a partition or an account that is not there
	for _, c := range []struct {
		path, code string
		status     int
	}{
		// the legacy variants declare no 412: a bad month is a 400 there
		{pAlpha + "/report/tn/csv?month=13&year=2025", "InvalidMonthOrYear", http.StatusBadRequest},
		{pAlpha + "/report/user/csv_2?month=4&year=2026", "InvalidMonthOrYear", http.StatusBadRequest},
		{pAlpha + "/report/sip/csv?month=0&year=2025", "InvalidMonthOrYear", http.StatusBadRequest},
		{pAlpha + "/report/accounthistory/enduserchanges?startDate=2026-02-01&endDate=2026-01-01", "InvalidValueForField:endDate", http.StatusBadRequest},
		{pAlpha + "/telephonenumber/exportstatussearch?startDate=March", "InvalidValueForField:startDate", http.StatusBadRequest},
		{pAlpha + "/account/nope/cdrsearch/csv" + cdrQuery, "EntityNotFound", http.StatusNotFound},
	} {
		h.want(h.call(http.MethodGet, c.path, nil), c.status, c.code)
	}
}

// TestNumberExports: the inventory export lists exactly the partition's
// numbers, and follows a change; the status search exports list exactly
// the events statussearch finds.
func TestNumberExports(t *testing.T) {
	h := newH6(t)
	inventory := func() []string {
		var list []map[string]any
		h.call(http.MethodGet, pAlpha+"/telephonenumber", nil).Decode(t, &list)
		var out []string
		for _, n := range list {
			out = append(out, n["phoneNumber"].(string))
		}
		slices.Sort(out)
		return out
	}
	exported := func() []string { return column(h.csvBody(pAlpha+"/telephonenumber/export"), "phoneNumber") }
	if got, want := exported(), inventory(); len(want) == 0 || !slices.Equal(got, want) {
		t.Fatalf("export %v, inventory %v", got, want)
	}
	const added = "18015559876"
	h.want(h.call(http.MethodPost, pAlpha+"/telephonenumber", map[string]any{"phoneNumber": added}), http.StatusCreated, "")
	if got := exported(); !slices.Contains(got, added) || !slices.Equal(got, inventory()) {
		t.Fatalf("after an add: %v", got)
	}
	h.want(h.call(http.MethodDelete, pAlpha+"/telephonenumber/"+added, nil), http.StatusNoContent, "")
	if got := exported(); slices.Contains(got, added) {
		t.Fatalf("after a delete: %v", got)
	}

	trunk := h.trunk(h.acct, "Status PBX", "statuspbx1")["id"].(string)
	tn := h.numberOnTrunk(h.acct, trunk)
	rows := h.csvBody(pAlpha + "/telephonenumber/export")
	for _, r := range rows[1:] {
		if r[0] == tn && r[slices.Index(rows[0], "accountId")] != h.acct {
			t.Fatalf("the activated number's row %v", r)
		}
	}
	searched := func(query string) []string {
		var page struct {
			Results []struct {
				ID string `json:"id"`
			} `json:"results"`
		}
		h.call(http.MethodGet, pAlpha+"/telephonenumber/statussearch?maxResult=1000&"+query, nil).Decode(t, &page)
		var out []string
		for _, e := range page.Results {
			out = append(out, e.ID)
		}
		slices.Sort(out)
		return out
	}
	for _, c := range []struct {
		query, search string // search: the statussearch question with the same answer
		want          int    // how many events (-1: at least one)
	}{
		{query: "telephoneNumber=" + tn, search: "telephoneNumber=" + tn, want: 1},
		{query: "telephoneNumber=" + tn + "&eventType=ACTIVATION", search: "telephoneNumber=" + tn + "&eventType=ACTIVATION", want: 1},
		{query: "telephoneNumber=" + tn + "&eventType=DISCONNECT&eventType=PORT_REQUEST", want: 0},
		{query: "accountId=" + h.acct + "&statusType=COMPLETED", search: "accountId=" + h.acct + "&statusType=COMPLETED", want: 1},
		{query: "accountId=" + h.acct + "&statusType=PENDING", want: 0},
		{query: "", search: "", want: -1},
	} {
		t.Run(c.query, func(t *testing.T) {
			h.t = t
			sync := column(h.csvBody(pAlpha+"/telephonenumber/exportstatussearch?"+c.query), "id")
			async := column(h.jobCSV(pAlpha+"/telephonenumber/exportstatussearch_2?"+c.query), "id")
			if !slices.Equal(sync, async) {
				t.Fatalf("sync %v, async %v", sync, async)
			}
			if c.want >= 0 && len(sync) != c.want || c.want < 0 && len(sync) == 0 {
				t.Fatalf("%d events %v, want %d", len(sync), sync, c.want)
			}
			if c.want != 0 && !slices.Equal(sync, searched(c.search)) {
				t.Fatalf("export %v, statussearch %v", sync, searched(c.search))
			}
		})
	}
	h.t = t
	h.want(h.call(http.MethodGet, "/v2/partition/"+fatest.AlphaPartition+"x/telephonenumber/export", nil), http.StatusBadRequest, "NotPermitted")
}

// TestNumberImports: a number import adds exactly the numbers of its file
// that POST P/telephonenumber would take, now (bulkimport) or when its job
// is done (bulkimport_2, over a job input); the inventory export then lists
// them.
func TestNumberImports(t *testing.T) {
	h := newH6(t)
	c := caller{t: t, srv: h.srv, tok: h.tok}
	body, ct := multipartFile(t, "file", "numbers.csv", []byte("18015557001\n18015557002\n\n18015550100\n1801555\n"))
	r := h.srv.Call(t, http.MethodPost, pAlpha+"/telephonenumber/bulkimport", body, fatest.Auth(h.tok), "Content-Type: "+ct)
	var added []string
	if r.Status != http.StatusOK {
		t.Fatalf("bulkimport: %d %s", r.Status, r.Body)
	}
	r.Decode(t, &added)
	// 18015550100 is already in the inventory; 1801555 is no number
	if !slices.Equal(added, []string{"18015557001", "18015557002"}) {
		t.Fatalf("added %v", added)
	}
	inv := column(h.csvBody(pAlpha+"/telephonenumber/export"), "phoneNumber")
	for _, tn := range added {
		if !slices.Contains(inv, tn) {
			t.Fatalf("%s not in the inventory export", tn)
		}
	}

	up := c.do(http.MethodPost, "/v2/job/input", nil, http.StatusOK).Map(t)
	u, _ := url.Parse(up["url"].(string))
	file := "phoneNumber,functionType\n18015557003,ELS\n18015557001,ELS\n18005557004,TollFree\n18015557005,Bogus\n"
	if r := h.srv.Call(t, http.MethodPut, u.Path, []byte(file), "Content-Type: text/csv"); r.Status != http.StatusNoContent {
		t.Fatalf("upload: %d %s", r.Status, r.Body)
	}
	job := c.do(http.MethodPost, pAlpha+"/telephonenumber/bulkimport_2", map[string]any{"key": up["key"]}, http.StatusAccepted).Map(t)
	if job["status"] != "DONE" || fmt.Sprint(job["errors"]) != "[map[column:phoneNumber error:TelephoneNumberAlreadyExists input:18015557001 lineNumber:3] "+
		"map[column:functionType error:InvalidValueForField:functionType input:Bogus lineNumber:5]]" {
		t.Fatalf("import job %v", job)
	}
	rows := h.output(job["id"].(string))
	if fmt.Sprint(rows) != "[[lineNumber phoneNumber result] [2 18015557003 ADDED] [3 18015557001 TelephoneNumberAlreadyExists] [4 18005557004 ADDED] [5 18015557005 InvalidValueForField:functionType]]" {
		t.Fatalf("import output %v", rows)
	}
	if v := c.do(http.MethodGet, pAlpha+"/telephonenumber/18005557004", nil, http.StatusOK).Map(t); v["functionType"] != "TollFree" || v["isInInventory"] != true {
		t.Fatalf("imported toll-free number %v", v)
	}
	c.fails(http.MethodPost, pAlpha+"/telephonenumber/bulkimport_2", nil, http.StatusBadRequest, "KeyRequired")
}

// TestObjectCSVs: a device's lines and a partition's management users, as
// CSV, are exactly what the state holds.
func TestObjectCSVs(t *testing.T) {
	h := newH6(t)
	c := caller{t: t, srv: h.srv, tok: h.tok}
	u := h.user(h.acct, "ata@example.com", "2001")
	for _, line := range []int{2, 1} {
		c.create(h.base+"/deviceline", map[string]any{"deviceTypeId": "SPA112", "deviceName": "Fax ATA",
			"macAddress": "C8D7190CAFE0", "lineNumber": line, "userId": u.ID}, http.StatusCreated)
	}
	rows := h.csvBody(h.base + "/device/C8D7190CAFE0/csv")
	if got := column(rows, "lineNumber"); fmt.Sprint(got) != "[1 2]" || rows[1][slices.Index(rows[0], "lineNumber")] != "1" ||
		slices.Contains(rows[0], "sipPassword") {
		t.Fatalf("device lines %v", rows)
	}
	if got := column(rows, "macAddress"); fmt.Sprint(got) != "[C8D7190CAFE0 C8D7190CAFE0]" {
		t.Fatalf("device lines' MACs %v", got)
	}
	c.fails(http.MethodGet, h.base+"/device/C8D7190CAFE9/csv", nil, http.StatusNotFound, "EntityNotFound")

	var users []map[string]any
	c.do(http.MethodGet, pAlpha+"/managementuser", nil, http.StatusOK).Decode(t, &users)
	rows = h.csvBody(pAlpha + "/managementuser/usergroups")
	var want []string
	for _, u := range users {
		want = append(want, u["username"].(string))
	}
	slices.Sort(want)
	if got := column(rows, "username"); len(want) == 0 || !slices.Equal(got, want) || slices.Contains(rows[0], "password") ||
		strings.Contains(string(c.do(http.MethodGet, pAlpha+"/managementuser/usergroups", nil, http.StatusOK).Body), fatest.Password) {
		t.Fatalf("management users %v, want %v", rows, want)
	}
}
