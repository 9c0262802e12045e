package routes_test

import (
	"encoding/csv"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/fakealianza/fakealianza/fatest"
	"github.com/fakealianza/fakealianza/store"
)

const pAlpha = "/v2/partition/" + fatest.AlphaPartition

func (h *h6) summary(kind string) (newCount, total float64) {
	h.t.Helper()
	r := h.call(http.MethodGet, pAlpha+"/report/"+kind, nil)
	h.want(r, http.StatusOK, "")
	m := r.Map(h.t)
	return m["newCount"].(float64), m["totalCount"].(float64)
}

// job starts a CSV report and returns its job.
func (h *h6) job(path string) map[string]any {
	h.t.Helper()
	r := h.call(http.MethodGet, pAlpha+"/report/"+path, nil)
	h.want(r, http.StatusAccepted, "")
	return r.Map(h.t)
}

// output fetches a finished job's CSV, parsed.
func (h *h6) output(id string) [][]string {
	h.t.Helper()
	r := h.call(http.MethodGet, "/v2/job/"+id+"/output", nil)
	h.want(r, http.StatusOK, "")
	if ct := r.Header.Get("Content-Type"); ct != "text/csv" {
		h.t.Errorf("content type %q", ct)
	}
	rows, err := csv.NewReader(strings.NewReader(string(r.Body))).ReadAll()
	if err != nil {
		h.t.Fatalf("output is not CSV: %v\n%s", err, r.Body)
	}
	return rows
}

func column(rows [][]string, name string) []string {
	i := slices.Index(rows[0], name)
	var out []string
	for _, r := range rows[1:] {
		out = append(out, r[i])
	}
	slices.Sort(out)
	return out
}

func thisMonth(clock *store.Clock) string {
	now := clock.Now()
	return fmt.Sprintf("?month=%d&year=%d", int(now.Month()), now.Year())
}

// TestProvisioningFlowReports scripts a provisioning run and checks that
// the summary counts and the CSV exports agree with the state.
func TestProvisioningFlowReports(t *testing.T) {
	h := newH6(t)
	// the default fixtures hold accounts and users of their own: they count
	// in totals (never as new) and in exports
	_, fixtureUsers := h.summary("user")
	_, fixtureDevices := h.summary("device")
	_, fixtureTrunks := h.summary("sip")
	_, fixtureNumbers := h.summary("tn")
	fixtureAccounts := len(h.srv.Store().Snapshot().Accounts) - 1
	b := h.account("H6-2")
	users := []store.EndUser{
		h.user(h.acct, "ann@example.com", "2001"), h.user(h.acct, "bob@example.com", "2002"),
		h.user(b, "cy@example.com", "2001"),
	}
	t1 := h.trunk(h.acct, "PBX one", "pbxone001")
	t2 := h.trunk(b, "PBX two", "pbxtwo001")
	tn := h.numberOnTrunk(h.acct, t1["id"].(string))

	if n, tot := h.summary("user"); n != 3 || tot != 3+fixtureUsers {
		t.Fatalf("user summary %v/%v, want 3/%v", n, tot, 3+fixtureUsers)
	}
	if n, tot := h.summary("sip"); n != 2 || tot != 2+fixtureTrunks {
		t.Fatalf("sip summary %v/%v, want 2/%v", n, tot, 2+fixtureTrunks)
	}
	if n, tot := h.summary("device"); n != 0 || tot != fixtureDevices {
		t.Fatalf("device summary %v/%v", n, tot)
	}
	if n, tot := h.summary("tn"); n != 1 || tot != 1+fixtureNumbers {
		t.Fatalf("tn summary %v/%v, want 1/%v", n, tot, 1+fixtureNumbers)
	}
	if n, tot := h.summary("vfax"); n != 0 || tot != 0 {
		t.Fatalf("vfax summary %v/%v: nothing of that kind exists", n, tot)
	}

	month := thisMonth(h.srv.Clock())
	j := h.job("sip/csv_2" + month)
	if j["status"] != "DONE" || j["userId"] != "fakeAdminAlpha00000001" || !strings.Contains(j["name"].(string), "sip") {
		t.Fatalf("job (immediate mode): %v", j)
	}
	rows := h.output(j["id"].(string))
	if rows[0][0] != "id" || slices.Contains(rows[0], "sipPassword") || strings.Contains(fmt.Sprint(rows), "s3cret!") {
		t.Fatalf("sip header %v (no passwords may leave)", rows[0])
	}
	if got := column(rows, "id"); len(got) != 2+int(fixtureTrunks) || !slices.Contains(got, t1["id"].(string)) || !slices.Contains(got, t2["id"].(string)) {
		t.Fatalf("sip rows %v", got)
	}
	if got := column(rows, "sipProxyServer"); got[0] != store.DefaultSipTrunkProxyServer {
		t.Fatalf("sipProxyServer column %v", got)
	}

	rows = h.output(h.job("user/csv_3" + month)["id"].(string))
	got := column(rows, "username")
	if len(got) != 3+int(fixtureUsers) {
		t.Fatalf("user rows %v", got)
	}
	for _, u := range users {
		if !slices.Contains(got, u.Username) {
			t.Fatalf("user %s missing from %v", u.Username, got)
		}
	}
	if i := slices.Index(rows[0], "voicemailBoxId"); rows[1][i] == "" {
		t.Fatalf("voicemailBoxId column %v", rows)
	}
	rows = h.output(h.job("account/csv_3")["id"].(string))
	if got := column(rows, "accountNumber"); len(got) != 2+fixtureAccounts || !slices.Contains(got, "H6-1") || !slices.Contains(got, "H6-2") {
		t.Fatalf("account rows %v", got)
	}
	i, n := slices.Index(rows[0], "endUserCount"), slices.Index(rows[0], "accountNumber")
	for _, r := range rows[1:] {
		if (r[n] == "H6-1" && r[i] != "2") || (r[n] == "H6-2" && r[i] != "1") {
			t.Fatalf("endUserCount of %s: %s", r[n], r[i])
		}
	}
	if rows := h.output(h.job("device/csv_3")["id"].(string)); len(rows) != 1+int(fixtureDevices) || slices.Contains(rows[0], "sipPassword") {
		t.Fatalf("device rows %v", rows)
	}
	rows = h.output(h.job("tn/csv_2" + month)["id"].(string))
	if got := column(rows, "phoneNumber"); len(got) != 1+int(fixtureNumbers) || !slices.Contains(got, tn) {
		t.Fatalf("tn rows %v", rows)
	}
	for _, r := range rows[1:] {
		if r[0] == tn && (r[slices.Index(rows[0], "referenceType")] != "SIP_TRUNK" || r[slices.Index(rows[0], "referenceId")] != t1["id"]) {
			t.Fatalf("tn row %v", r)
		}
	}
	for _, p := range []string{"vfax/csv_2" + month, "portout/csv_2" + month} {
		if rows := h.output(h.job(p)["id"].(string)); len(rows) != 1 || len(rows[0]) < 3 {
			t.Fatalf("%s: want a header row only, got %v", p, rows)
		}
	}
	// The seed's business line and specialty line on the Acme account.
	for p, name := range map[string]string{"businesslines/csv_2" + month: "Front Desk", "specialtylines/csv_2" + month: "Elevator Phone"} {
		rows := h.output(h.job(p)["id"].(string))
		if got := column(rows, "name"); !slices.Equal(got, []string{name}) || slices.Contains(rows[0], "sipPassword") {
			t.Fatalf("%s rows %v", p, rows)
		}
	}

	rows = h.output(h.job("user-products/csv_2")["id"].(string))
	if i := slices.Index(rows[0], "userProductPlan"); i < 0 || len(rows) != 4+int(fixtureUsers) {
		t.Fatalf("user-products rows %v", rows)
	}
	if rows := h.output(h.job("emergencynotificationcompliance/csv_2")["id"].(string)); len(rows) != 1 {
		t.Fatalf("emergency notification rows %v", rows)
	}

	// a change shows in the next count and the next export
	h.want(h.call(http.MethodDelete, h.acctBase(b)+"/siptrunk_2/"+t2["id"].(string), nil), http.StatusNoContent, "")
	h.want(h.call(http.MethodDelete, h.base+"/user/"+users[0].ID, nil), http.StatusNoContent, "")
	if n, tot := h.summary("sip"); n != 1 || tot != 1+fixtureTrunks {
		t.Fatalf("sip summary after delete %v/%v", n, tot)
	}
	if n, tot := h.summary("user"); n != 2 || tot != 2+fixtureUsers {
		t.Fatalf("user summary after delete %v/%v", n, tot)
	}
	rows = h.output(h.job("sip/csv_2" + month)["id"].(string))
	if got := column(rows, "id"); len(got) != 1+int(fixtureTrunks) || slices.Contains(got, t2["id"].(string)) {
		t.Fatalf("sip rows after delete %v", got)
	}

	// the end user change report lists this run's creates and the delete
	today := h.srv.Clock().Now().Format(time.DateOnly)
	rows = h.output(h.job("accounthistory/enduserchanges_2?startDate=" + today + "&endDate=" + today)["id"].(string))
	if got := column(rows, "action"); fmt.Sprint(got) != "[CREATE CREATE CREATE DELETE]" {
		t.Fatalf("end user changes %v", rows)
	}
	if got := column(rows, "referenceId"); !slices.Contains(got, users[2].ID) {
		t.Fatalf("end user changes ids %v", got)
	}
	for q, code := range map[string]string{
		"?startDate=2026-13-01&endDate=2026-12-01": "InvalidValueForField:startDate",
		"?startDate=2026-02-01&endDate=2026-01-31": "InvalidValueForField:endDate",
		"?startDate=2026-02-01&endDate=soon":       "InvalidValueForField:endDate",
		"?endDate=2026-02-01":                      "StartDateRequired",
		"?startDate=2026-02-01":                    "EndDateRequired",
	} {
		h.want(h.call(http.MethodGet, pAlpha+"/report/accounthistory/enduserchanges_2"+q, nil), http.StatusBadRequest, code)
	}

	// next month, nothing is new; last month's report predates everything
	h.srv.Clock().Advance(40 * 24 * time.Hour)
	h.tok = h.srv.Admin(t) // the old token expired meanwhile
	if n, tot := h.summary("user"); n != 0 || tot != 2+fixtureUsers {
		t.Fatalf("user summary next month %v/%v", n, tot)
	}
	rows = h.output(h.job("user/csv_3" + month)["id"].(string))
	if len(rows) != 3+int(fixtureUsers) {
		t.Fatalf("this month's report a month later: %v", rows)
	}
	h.srv.Clock().Advance(-80 * 24 * time.Hour)
	h.tok = h.srv.Admin(t)
	now := h.srv.Clock().Now()
	rows = h.output(h.job(fmt.Sprintf("user/csv_3?month=%d&year=%d", int(now.Month()), now.Year()))["id"].(string))
	if len(rows) != 1+int(fixtureUsers) {
		t.Fatalf("a month before the users existed: %v", rows)
	}
}

func TestReportMonthYear(t *testing.T) {
	h := newH6(t)
	now := h.srv.Clock().Now()
	next := now.AddDate(0, 1, 0)
	for _, q := range []string{"?month=13&year=2024", "?month=0&year=2024", "?month=5&year=1999",
		fmt.Sprintf("?month=1&year=%d", now.Year()+1), fmt.Sprintf("?month=%d&year=%d", int(next.Month()), next.Year())} {
		for _, p := range []string{"tn/csv_2", "sip/csv_2", "user/csv_3", "portout/csv_2"} {
			h.want(h.call(http.MethodGet, pAlpha+"/report/"+p+q, nil), http.StatusPreconditionFailed, "InvalidMonthOrYear")
		}
	}
	h.want(h.call(http.MethodGet, pAlpha+"/report/sip/csv_2?year=2024", nil), http.StatusBadRequest, "MonthRequired")
	h.want(h.call(http.MethodGet, pAlpha+"/report/sip/csv_2?month=2", nil), http.StatusBadRequest, "YearRequired")
	h.want(h.call(http.MethodGet, pAlpha+"/report/sip/csv_2?month=x&year=2024", nil), http.StatusBadRequest, "InvalidValueForField:month")
	h.want(h.call(http.MethodGet, pAlpha+"/report/sip/csv_2?month=1&year=2024", nil), http.StatusAccepted, "")
}

func TestJobLifecycleAndFailure(t *testing.T) {
	h := newH6(t)
	st := h.srv.Store()
	if err := st.SetLifecycleMode(store.KindJob, store.LifecycleMode{Mode: store.ModeReads, Reads: 1}); err != nil {
		t.Fatal(err)
	}
	j := h.job("account/csv_3")
	id := j["id"].(string)
	if j["status"] != "PENDING" || len(id) != 36 {
		t.Fatalf("new job: %v", j)
	}
	h.want(h.call(http.MethodGet, "/v2/job/"+id+"/output", nil), http.StatusNotFound, "JobOutputNotReady")
	h.want(h.call(http.MethodGet, "/v2/job/"+id+"/output-url", nil), http.StatusNotFound, "JobOutputNotReady")
	for _, want := range []string{"IN_PROGRESS", "DONE", "DONE"} {
		r := h.call(http.MethodGet, "/v2/job/"+id, nil)
		h.want(r, http.StatusOK, "")
		if m := r.Map(t); m["status"] != want {
			t.Fatalf("status %v, want %s", m["status"], want)
		}
	}
	// the CSV reflects the state when the job finished, not when it started
	h.account("LATE-1")
	rows := h.output(id)
	if got := column(rows, "accountNumber"); !slices.Contains(got, "H6-1") || slices.Contains(got, "LATE-1") {
		t.Fatalf("rows %v", got)
	}
	r := h.call(http.MethodGet, "/v2/job/"+id+"/output-url", nil)
	h.want(r, http.StatusOK, "")
	if u := r.Map(t)["url"].(string); u != h.srv.URL()+"/v2/job/"+id+"/output" {
		t.Fatalf("url %q", u)
	}
	h.want(h.srv.Call(t, http.MethodPost, "/__admin/jobs/"+id+"/fail", nil), http.StatusBadRequest, "JobAlreadyFinished")

	// FAILED through the admin API
	id2 := h.job("device/csv_3")["id"].(string)
	r = h.srv.Call(t, http.MethodPost, "/__admin/jobs/"+id2+"/fail", map[string]any{"error": "ExportBackendDown"})
	h.want(r, http.StatusOK, "")
	if m := r.Map(t); m["status"] != "FAILED" || fmt.Sprint(m["errors"]) != "[map[error:ExportBackendDown]]" {
		t.Fatalf("failed job: %v", m)
	}
	if m := h.call(http.MethodGet, "/v2/job/"+id2, nil).Map(t); m["status"] != "FAILED" {
		t.Fatalf("a read moved a failed job: %v", m)
	}
	h.want(h.call(http.MethodGet, "/v2/job/"+id2+"/output", nil), http.StatusBadRequest, "JobFailed")
	h.want(h.srv.Call(t, http.MethodPost, "/__admin/jobs/nope/fail", nil), http.StatusNotFound, "EntityNotFound")

	// the reject outcome (admin lifecycle API, scenarios) makes jobs fail
	h.want(h.srv.Call(t, http.MethodPut, "/__admin/lifecycle", map[string]any{"job": "reads:1+reject"}), http.StatusOK, "")
	id4 := h.job("account/csv_3")["id"].(string)
	for _, want := range []string{"IN_PROGRESS", "FAILED"} {
		if m := h.call(http.MethodGet, "/v2/job/"+id4, nil).Map(t); m["status"] != want {
			t.Fatalf("rejecting job: %v, want %s", m, want)
		}
	}
	h.want(h.call(http.MethodGet, "/v2/job/"+id4+"/output", nil), http.StatusBadRequest, "JobFailed")

	// duration mode: steps follow server time
	if err := st.SetLifecycleMode(store.KindJob, store.LifecycleMode{Mode: store.ModeDuration, After: time.Minute}); err != nil {
		t.Fatal(err)
	}
	id3 := h.job("account/csv_3")["id"].(string)
	if m := h.call(http.MethodGet, "/v2/job/"+id3, nil).Map(t); m["status"] != "PENDING" {
		t.Fatalf("duration job before time: %v", m)
	}
	h.srv.Clock().Advance(2 * time.Minute)
	if m := h.call(http.MethodGet, "/v2/job/"+id3, nil).Map(t); m["status"] != "DONE" {
		t.Fatalf("duration job after time: %v", m)
	}

	// jobs are scoped to their partition; unknown jobs are not found
	bravo := h.srv.Login(t, fatest.BravoAdminUser, fatest.Password)
	h.want(h.srv.Call(t, http.MethodGet, "/v2/job/"+id, nil, fatest.Auth(bravo)), http.StatusNotFound, "EntityNotFound")
	h.want(h.srv.Call(t, http.MethodGet, "/v2/job/"+id+"/output", nil, fatest.Auth(bravo)), http.StatusNotFound, "EntityNotFound")
	h.want(h.call(http.MethodGet, "/v2/job/nope", nil), http.StatusNotFound, "EntityNotFound")
	// reports need the Reports permission; the reader may read them
	reader := h.srv.Login(t, fatest.ReaderUser, fatest.Password)
	h.want(h.srv.Call(t, http.MethodGet, pAlpha+"/report/sip", nil, fatest.Auth(reader)), http.StatusOK, "")
	h.want(h.srv.Call(t, http.MethodGet, pAlpha+"/report/sip", nil, fatest.Auth(bravo)), http.StatusBadRequest, "NotPermitted")
}

func TestPartitionSettingsAndReference(t *testing.T) {
	h := newH6(t)
	r := h.call(http.MethodGet, pAlpha+"/setting", nil)
	h.want(r, http.StatusOK, "")
	m := r.Map(t)
	proxy, _ := m["SipTrunkProxyServer"].(map[string]any)
	if len(m) != 14 || proxy["value"] != store.DefaultSipTrunkProxyServer || proxy["partitionId"] != fatest.AlphaPartition || proxy["type"] != "SipTrunkProxyServer" {
		t.Fatalf("settings: %v", m)
	}
	h.want(h.call(http.MethodGet, "/v2/partition/nope/setting", nil), http.StatusBadRequest, "NotPermitted")

	r = h.call(http.MethodGet, "/v2/ref/timezones", nil)
	h.want(r, http.StatusOK, "")
	var tz map[string][]string
	r.Decode(t, &tz)
	if len(tz["timezones"]) != 15 || tz["timezones"][0] != "US/Samoa" {
		t.Fatalf("timezones: %v", tz)
	}
	r = h.call(http.MethodGet, "/v2/ref/language", nil)
	h.want(r, http.StatusOK, "")
	if !strings.Contains(string(r.Body), `"id":"fr-CA"`) {
		t.Fatalf("languages: %s", r.Body)
	}
	reader := h.srv.Login(t, fatest.ReaderUser, fatest.Password)
	h.want(h.srv.Call(t, http.MethodGet, "/v2/ref/language", nil, fatest.Auth(reader)), http.StatusOK, "")
	if r := h.srv.Call(t, http.MethodGet, "/v2/ref/timezones", nil); r.Status != http.StatusUnauthorized {
		t.Fatalf("no token: %d", r.Status)
	}
}

// cdrsearch/csv_2 exports what cdrsearch finds, in the datafeed's CSV form.
func TestCdrSearchCSVExport(t *testing.T) {
	srv := frozenServer(t)
	h := &h6{t: t, srv: srv, tok: srv.Admin(t)}
	h.acct = h.account("CDR-1")
	h.base = h.acctBase(h.acct)
	recs := []map[string]any{
		{"partitionId": alpha, "acctId": h.acct, "startTime": "2026-03-03T10:00:00Z", "callType": "OUTBOUND", "callFlagType": "ANSWERED", "termNumber": "13125550150"},
		{"partitionId": alpha, "acctId": h.acct, "startTime": "2026-03-03T11:00:00Z", "callType": "INBOUND", "callFlagType": "MISSED"},
		{"partitionId": alpha, "acctId": "someoneElse", "startTime": "2026-03-03T11:30:00Z", "callType": "INBOUND"},
	}
	h.want(srv.Call(t, http.MethodPost, "/__admin/cdrs", map[string]any{"records": recs}), http.StatusCreated, "")
	q := "/cdrsearch/csv_2?startDate=2026-03-03&endDate=2026-03-03"
	j := h.call(http.MethodGet, h.base+q, nil)
	h.want(j, http.StatusAccepted, "")
	rows := h.output(j.Map(t)["id"].(string))
	if !slices.Equal(rows[0], store.CDRColumns()) || len(rows) != 3 {
		t.Fatalf("export: %v", rows)
	}
	if got := column(rows, "callType"); fmt.Sprint(got) != "[INBOUND OUTBOUND]" {
		t.Fatalf("callType column %v", got)
	}
	for query, n := range map[string]int{q + "&callType=OUTBOUND": 1, q + "&maxResult=1": 1,
		"/cdrsearch/csv_2?startDate=2026-03-04&endDate=2026-03-04": 0} {
		j := h.call(http.MethodGet, h.base+query, nil)
		h.want(j, http.StatusAccepted, "")
		if rows := h.output(j.Map(t)["id"].(string)); len(rows) != 1+n {
			t.Fatalf("%s: %v", query, rows)
		}
	}
	h.want(h.call(http.MethodGet, h.acctBase("nope")+q, nil), http.StatusNotFound, "EntityNotFound")
	h.want(h.call(http.MethodGet, h.base+"/cdrsearch/csv_2?startDate=2026-3-3&endDate=2026-03-03", nil), http.StatusBadRequest, "InvalidValueForField:startDate")
	h.want(h.call(http.MethodGet, h.base+"/cdrsearch/csv_2?endDate=2026-03-03", nil), http.StatusBadRequest, "StartDateRequired")
}
