package routes_test

import (
	"bytes"
	"compress/gzip"
	"encoding/csv"
	"maps"
	"net/http"
	"os"
	"slices"
	"testing"
	"time"

	"go.yaml.in/yaml/v4"

	"github.com/fakealianza/fakealianza"
	"github.com/fakealianza/fakealianza/fatest"
	"github.com/fakealianza/fakealianza/internal/vendorspec"
	"github.com/fakealianza/fakealianza/openapi"
	"github.com/fakealianza/fakealianza/store"
)

var frozenAt = time.Date(2026, 3, 4, 15, 30, 0, 0, time.UTC)

func frozenServer(t *testing.T, edit ...func(*fakealianza.Options)) *fatest.Server {
	srv := fatest.New(t, edit...)
	srv.Clock().Set(frozenAt)
	srv.Clock().Freeze(true)
	return srv
}

func wantError(t *testing.T, r *fatest.Resp, status int, code string) {
	t.Helper()
	st, msgs, _ := r.Envelope(t)
	if r.Status != status || st != status || len(msgs) != 1 || msgs[0] != code {
		t.Fatalf("got %d %s, want %d %s", r.Status, r.Body, status, code)
	}
}

// schemaPropertyOrder lists a schema's properties in document order.
func schemaPropertyOrder(t *testing.T, raw []byte, schema string) []string {
	t.Helper()
	var doc yaml.Node
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	find := func(n *yaml.Node, key string) *yaml.Node {
		for i := 0; n != nil && i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == key {
				return n.Content[i+1]
			}
		}
		return nil
	}
	props := find(find(find(find(doc.Content[0], "components"), "schemas"), schema), "properties")
	if props == nil {
		t.Fatalf("schema %s not found", schema)
	}
	var out []string
	for i := 0; i < len(props.Content); i += 2 {
		out = append(out, props.Content[i].Value)
	}
	return out
}

// The CSV header is CallDetailRecord's fields in the spec's order, ours and
// the vendor's.
func TestCDRColumnsFollowTheSpecOrder(t *testing.T) {
	cols := store.CDRColumns()
	if ours := schemaPropertyOrder(t, openapi.Embedded(), "CallDetailRecord"); !slices.Equal(ours, cols) {
		t.Fatalf("our spec's order\n%v\nCSV columns\n%v", ours, cols)
	}
	vendorPath := vendorspec.Path()
	raw, err := os.ReadFile(vendorPath)
	if err != nil && os.Getenv("CI") != "" {
		t.Fatalf("vendor spec not found at %s, and CI is set: it must be there", vendorPath)
	}
	if err != nil {
		t.Skipf("vendor spec not found at %s: vendor order not checked", vendorPath)
	}
	if v := schemaPropertyOrder(t, raw, "CallDetailRecord"); !slices.Equal(v, cols) {
		t.Fatalf("vendor order\n%v\nCSV columns\n%v", v, cols)
	}
}

func TestAdminDatafeedLayoutAndLogins(t *testing.T) {
	srv := frozenServer(t)
	r := srv.Call(t, http.MethodGet, "/__admin/datafeed", nil)
	var layout struct {
		SFTPAddress        string   `json:"sftpAddress"`
		HostKeyFingerprint string   `json:"hostKeyFingerprint"`
		Compression        string   `json:"compression"`
		LagSeconds         int      `json:"lagSeconds"`
		RetentionHours     int      `json:"retentionHours"`
		Columns            []string `json:"columns"`
		Logins             []store.DatafeedLogin
	}
	r.Decode(t, &layout)
	if r.Status != 200 || layout.SFTPAddress != srv.SFTPAddr() || layout.Compression != "gzip" || layout.LagSeconds != 300 ||
		layout.RetentionHours != 72 || !slices.Equal(layout.Columns, store.CDRColumns()) {
		t.Fatalf("layout %d %s", r.Status, r.Body)
	}
	if fp, _ := srv.SFTPHostKey(); layout.HostKeyFingerprint != fp || fp == "" {
		t.Fatalf("fingerprint %q vs %q", layout.HostKeyFingerprint, fp)
	}
	want := []store.DatafeedLogin{
		{PartitionID: "fakePartitionAlpha0001", Username: "datafeed", Password: "fakealianza"},
		{PartitionID: "fakePartitionBravo0002", Username: "datafeed-bravo", Password: "fakealianza-bravo"},
	}
	if !slices.Equal(layout.Logins, want) {
		t.Fatalf("logins %+v", layout.Logins)
	}

	r = srv.Call(t, http.MethodPut, "/__admin/datafeed/logins/fakePartitionBravo0002", map[string]string{"username": "bravo2", "password": "pw"})
	if r.Status != 200 || r.Map(t)["username"] != "bravo2" {
		t.Fatalf("set login %d %s", r.Status, r.Body)
	}
	if pid, ok := srv.Store().AuthenticateDatafeed("bravo2", "pw"); !ok || pid != "fakePartitionBravo0002" {
		t.Fatal("new login not in force")
	}
	wantError(t, srv.Call(t, http.MethodPut, "/__admin/datafeed/logins/fakePartitionBravo0002", map[string]string{"username": "datafeed", "password": "pw"}), 400, "DuplicateUsername")
	wantError(t, srv.Call(t, http.MethodPut, "/__admin/datafeed/logins/fakePartitionBravo0002", map[string]string{"password": "pw"}), 400, "UsernameRequired")
	wantError(t, srv.Call(t, http.MethodPut, "/__admin/datafeed/logins/nope", map[string]string{"username": "u", "password": "pw"}), 404, "EntityNotFound")
}

const alpha = "fakePartitionAlpha0001"

func TestAdminStageAndCdrSearch(t *testing.T) {
	srv := frozenServer(t, func(o *fakealianza.Options) { o.CDRNoGenerate = true })
	tok := fatest.Auth(srv.Admin(t))
	const acctOne, acctTwo = "fakeAcct00000000000001", "fakeAcct00000000000002"
	base := "/v2/partition/" + alpha + "/account/" + acctOne + "/cdrsearch"
	recs := []map[string]any{
		{"partitionId": alpha, "acctId": acctOne, "startTime": "2026-03-03T10:00:00Z", "endTime": "2026-03-03T10:00:00Z",
			"actualCallLengthSeconds": 0, "billCallLengthSeconds": 0, "cost": 0, "callType": "OUTBOUND", "legType": "Origination",
			"callFlagType": "ANSWERED", "termNumber": "13125550150", "dialedNumber": "13125550150", "origNumber": "18015550101"},
		{"partitionId": alpha, "acctId": acctOne, "startTime": "2026-03-03T11:00:00.250Z", "endTime": "2026-03-03T20:00:00Z",
			"connectTime": "2026-03-03T11:00:05Z", "actualCallLengthSeconds": 32395, "billCallLengthSeconds": 32400,
			"ratePerMinute": 0.15, "cost": 81, "callType": "OUTBOUND", "legType": "Origination", "serviceType": "INTERNATIONAL",
			"termNumber": "011442079460123", "callFlagType": "ANSWERED", "sipCallIds": []string{"a@x", "b@x"}},
		{"partitionId": alpha, "acctId": acctOne, "startTime": "2026-03-03T12:00:00Z", "callType": "INBOUND",
			"legType": "Termination", "callFlagType": "MISSED", "disconnectType": "NoAnswer", "origNumber": "12125550170"},
		{"partitionId": alpha, "acctId": acctTwo, "startTime": "2026-03-03T12:30:00Z", "callType": "INBOUND"},
	}
	r := srv.Call(t, http.MethodPost, "/__admin/cdrs", map[string]any{"records": recs})
	if r.Status != 201 {
		t.Fatalf("stage %d %s", r.Status, r.Body)
	}
	var staged struct{ Records []store.CallDetailRecord }
	r.Decode(t, &staged)
	if len(staged.Records) != 4 || staged.Records[1].StartTime.String() != "2026-03-03T11:00:00.250Z" {
		t.Fatalf("staged %s", r.Body)
	}

	var page store.CDRPage
	r = srv.Call(t, http.MethodGet, base+"?startDate=2026-03-03&endDate=2026-03-03", nil, tok)
	r.Decode(t, &page)
	if r.Status != 200 || page.TotalRecords != 3 || page.Results[0].ID != staged.Records[2].ID {
		t.Fatalf("search %d %s", r.Status, r.Body)
	}
	// Null fields are left out: the missed call has no connectTime.
	if m := r.Map(t)["results"].([]any)[0].(map[string]any); m["connectTime"] != nil || m["cost"] != nil {
		t.Fatalf("absent fields present: %v", m)
	}
	for q, n := range map[string]int64{
		"&callType=INBOUND":                    1,
		"&callType=INBOUND&callType=OUTBOUND":  3,
		"&callFlagType=ANSWERED":               2,
		"&minCost=1":                           1,
		"&termNumber=3125550150":               1,
		"&origNumber=212":                      1,
		"&dialedNumber=13125550150":            1,
		"&startTime=11:00&endTime=11:30":       1,
		"&maxResult=1&firstResultIndex=2":      3,
		"&sort=CALL_LENGTH&sortOrder=DESC":     3,
		"&callCategory=OffNet":                 0,
		"&sort=COST&sortOrder=ASC&maxResult=0": 3,
	} {
		r := srv.Call(t, http.MethodGet, base+"?startDate=2026-03-03&endDate=2026-03-03"+q, nil, tok)
		var p store.CDRPage
		r.Decode(t, &p)
		if r.Status != 200 || p.TotalRecords != n {
			t.Errorf("%s: %d %s", q, r.Status, r.Body)
		}
	}
	r = srv.Call(t, http.MethodGet, base+"?startDate=2026-03-03&endDate=2026-03-03&sort=COST&sortOrder=DESC&maxResult=1", nil, tok)
	r.Decode(t, &page)
	if len(page.Results) != 1 || *page.Results[0].Cost != 81 {
		t.Fatalf("COST DESC %s", r.Body)
	}

	wantError(t, srv.Call(t, http.MethodGet, base+"?endDate=2026-03-03", nil, tok), 400, "StartDateRequired")
	wantError(t, srv.Call(t, http.MethodGet, base+"?startDate=2026-03-03", nil, tok), 400, "EndDateRequired")
	wantError(t, srv.Call(t, http.MethodGet, base+"?startDate=3/3/2026&endDate=2026-03-03", nil, tok), 400, "InvalidValueForField:startDate")
	wantError(t, srv.Call(t, http.MethodGet, base+"?startDate=2026-03-03&endDate=2026-03-03&callType=SIDEWAYS", nil, tok), 400, "InvalidValueForField:callType")
	wantError(t, srv.Call(t, http.MethodGet, base+"?startDate=2026-03-03&endDate=2026-03-03&maxResult=-1", nil, tok), 400, "InvalidValueForField:maxResult")
	wantError(t, srv.Call(t, http.MethodGet, base+"?startDate=2026-03-03&endDate=2026-03-03&startTime=noon", nil, tok), 400, "InvalidValueForField:startTime")
	// An account that is not in the partition is not found.
	wantNotFound := func(acct string) {
		t.Helper()
		r := srv.Call(t, http.MethodGet, "/v2/partition/"+alpha+"/account/"+acct+"/cdrsearch?startDate=2026-03-03&endDate=2026-03-03", nil, tok)
		wantError(t, r, 404, "EntityNotFound")
		if d := r.Map(t)["data"].(map[string]any); d["type"] != "Account" || d["id"] != acct {
			t.Fatalf("data %v", d)
		}
	}
	wantNotFound("noSuchAccount")
	// The token layer guards the search like any Alianza operation.
	wantError(t, srv.Call(t, http.MethodGet, "/v2/partition/nope/account/a/cdrsearch?startDate=2026-03-03&endDate=2026-03-03", nil, tok), 400, "NotPermitted")
	bravoTok := fatest.Auth(srv.Login(t, fatest.BravoAdminUser, fatest.Password))
	wantError(t, srv.Call(t, http.MethodGet, base+"?startDate=2026-03-03&endDate=2026-03-03", nil, bravoTok), 400, "NotPermitted")
	if r := srv.Call(t, http.MethodGet, base+"?startDate=2026-03-03&endDate=2026-03-03", nil); r.Status != 401 {
		t.Fatalf("no token: %d %s", r.Status, r.Body)
	}
	readerTok := fatest.Auth(srv.Login(t, fatest.ReaderUser, fatest.Password))
	if r := srv.Call(t, http.MethodGet, base+"?startDate=2026-03-03&endDate=2026-03-03", nil, readerTok); r.Status != 200 {
		t.Fatalf("reader: %d %s", r.Status, r.Body)
	}

	// The hour is published now: staging into it is refused, the file is fixed.
	wantError(t, srv.Call(t, http.MethodPost, "/__admin/cdrs", map[string]any{"records": recs[:1]}), 409, "CdrFileAlreadyPublished")
	wantError(t, srv.Call(t, http.MethodPost, "/__admin/cdrs", map[string]any{"records": []any{}}), 400, "InvalidValueForField:records")
	wantError(t, srv.Call(t, http.MethodPost, "/__admin/cdrs", map[string]any{"records": []any{map[string]any{"startTime": "2026-03-04T15:00:00Z"}}}), 400, "PartitionIdRequired")
	wantError(t, srv.Call(t, http.MethodPost, "/__admin/cdrs", map[string]any{"records": []any{map[string]any{"partitionId": alpha, "callType": "UP"}}}), 400, "InvalidValueForField:callType")
}

func TestAdminGenerateCdrs(t *testing.T) {
	srv := frozenServer(t, func(o *fakealianza.Options) { o.CDRNoGenerate = true })
	r := srv.Call(t, http.MethodPost, "/__admin/cdrs/generate", map[string]any{
		"partitionId": alpha, "from": "2026-03-04T08:00:00Z", "to": "2026-03-04T10:00:00Z", "callsPerHour": 4,
	})
	if r.Status != 200 {
		t.Fatalf("generate %d %s", r.Status, r.Body)
	}
	var fills struct {
		Hours []string `json:"hours"`
	}
	r.Decode(t, &fills)
	if !slices.Equal(fills.Hours, []string{"2026-03-04T08:00:00.000Z", "2026-03-04T09:00:00.000Z"}) {
		t.Fatalf("hours %v", fills.Hours)
	}
	// 4 calls an hour; a call between two subscribers has a record per leg.
	header, rows := feedRows(t, srv, alpha)
	sessions := map[string]bool{}
	for _, row := range rows {
		sessions[row[slices.Index(header, "sessionId")]] = true
	}
	if len(sessions) != 8 || len(rows) < 8 {
		t.Fatalf("%d calls in %d records, want 8 calls (generation is off outside the fill)", len(sessions), len(rows))
	}
	wantError(t, srv.Call(t, http.MethodPost, "/__admin/cdrs/generate", map[string]any{
		"partitionId": alpha, "from": "2026-03-04T08:00:00Z", "to": "2026-03-04T09:00:00Z"}), 409, "CdrFileAlreadyPublished")
	wantError(t, srv.Call(t, http.MethodPost, "/__admin/cdrs/generate", map[string]any{
		"partitionId": "nope", "from": "2026-03-04T08:00:00Z", "to": "2026-03-04T09:00:00Z"}), 404, "EntityNotFound")
	wantError(t, srv.Call(t, http.MethodPost, "/__admin/cdrs/generate", map[string]any{
		"partitionId": alpha, "from": "2026-03-04T16:00:00Z"}), 400, "ToRequired")
	wantError(t, srv.Call(t, http.MethodPost, "/__admin/cdrs/generate", map[string]any{
		"partitionId": alpha, "from": "2026-03-04T16:00:00Z", "to": "2026-03-04T17:00:00Z", "callsPerHour": 10001}), 400, "InvalidValueForField:callsPerHour")
	wantError(t, srv.Call(t, http.MethodPost, "/__admin/cdrs/generate", map[string]any{
		"partitionId": alpha, "from": "2026-03-04T16:00:00Z", "to": "2026-03-01T17:00:00Z"}), 400, "InvalidValueForField:to")
}

// cdrsearch/csv_2 of an account with generated calls exports exactly the
// account's rows of the files, cell for cell, in the files' order.
func TestCdrExportMatchesGeneratedFiles(t *testing.T) {
	srv := frozenServer(t)
	tok := fatest.Auth(srv.Admin(t))
	const acct = "fakeAcct00000000000001"
	var want [][]string
	header, rows := feedRows(t, srv, alpha)
	for _, row := range rows {
		if row[slices.Index(header, "acctId")] == acct {
			want = append(want, row)
		}
	}
	r := srv.Call(t, http.MethodGet, "/v2/partition/"+alpha+"/account/"+acct+"/cdrsearch/csv_2?startDate=2026-03-01&endDate=2026-03-04&sortOrder=ASC", nil, tok)
	if r.Status != http.StatusAccepted {
		t.Fatalf("csv_2 %d %s", r.Status, r.Body)
	}
	out := srv.Call(t, http.MethodGet, "/v2/job/"+r.Map(t)["id"].(string)+"/output", nil, tok)
	if out.Status != 200 {
		t.Fatalf("output %d %s", out.Status, out.Body)
	}
	got, err := csv.NewReader(bytes.NewReader(out.Body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got[0], store.CDRColumns()) || len(want) < 50 || len(got)-1 != len(want) {
		t.Fatalf("%d rows exported, %d in the files", len(got)-1, len(want))
	}
	for i := range want {
		if !slices.Equal(want[i], got[i+1]) {
			t.Fatalf("row %d:\nfile   %v\nexport %v", i, want[i], got[i+1])
		}
	}
}

// feedRows reads every visible file of a partition, in path order: the
// header and the rows after it.
func feedRows(t *testing.T, srv *fatest.Server, partitionID string) (header []string, rows [][]string) {
	t.Helper()
	files, err := srv.Store().FeedFiles(partitionID)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		_, data, err := srv.Store().FeedFileData(partitionID, f.Path)
		if err != nil {
			t.Fatal(err)
		}
		zr, err := gzip.NewReader(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		recs, err := csv.NewReader(zr).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		header = recs[0]
		rows = append(rows, recs[1:]...)
	}
	return header, rows
}

// Routing a number to a SIP trunk through the API makes the trunk a party
// of the calls of the hours published afterwards.
func TestNumberRoutedToTrunkTakesCalls(t *testing.T) {
	srv := frozenServer(t, func(o *fakealianza.Options) { o.CDRNoGenerate = true })
	tok := fatest.Auth(srv.Admin(t))
	const acct, trunk, tn = "fakeAcct00000000000001", "fakeTrunk0000000000001", "18015550103"
	acctBase := "/v2/partition/" + alpha + "/account/" + acct
	r := srv.Call(t, http.MethodPatch, acctBase+"/telephonenumber/"+tn, map[string]any{"referenceType": "SIP_TRUNK", "referenceId": trunk}, tok)
	if r.Status != 200 {
		t.Fatalf("route %d %s", r.Status, r.Body)
	}
	r = srv.Call(t, http.MethodPost, "/__admin/cdrs/generate", map[string]any{
		"partitionId": alpha, "from": "2026-03-04T12:00:00Z", "to": "2026-03-04T13:00:00Z", "callsPerHour": 200})
	if r.Status != 200 {
		t.Fatalf("generate %d %s", r.Status, r.Body)
	}
	var page store.CDRPage
	r = srv.Call(t, http.MethodGet, acctBase+"/cdrsearch?startDate=2026-03-04&endDate=2026-03-04&maxResult=1000", nil, tok)
	r.Decode(t, &page)
	if r.Status != 200 || page.TotalRecords < 50 {
		t.Fatalf("search %d: %d records", r.Status, page.TotalRecords)
	}
	trunkLegs := 0
	for _, rec := range page.Results {
		if rec.ReferenceType != "SIP_TRUNK" {
			continue
		}
		trunkLegs++
		local := rec.OrigNumber
		if rec.CallType == store.CallInbound {
			local = rec.TermNumber
			if rec.RateType != "SipTrunkInbound" {
				t.Fatalf("trunk inbound leg rated %s", rec.RateType)
			}
		}
		if rec.ReferenceID != trunk || rec.ReferenceName != "Acme PBX" || local != tn || rec.AccountBillableNumber != tn ||
			rec.CallingPlanProductID != "fakePlanAlphaBusiness1" || rec.AcctID != acct {
			t.Fatalf("trunk leg %+v", rec)
		}
	}
	if trunkLegs == 0 {
		t.Fatal("no call of the trunk in 200")
	}
}

// The account's customField and the partition's billing code reach every
// record of the account, in the SFTP files and in cdrsearch alike.
func TestCdrsCarryCustomFieldAndBillingCode(t *testing.T) {
	srv := frozenServer(t, func(o *fakealianza.Options) { o.CDRNoGenerate = true })
	tok := fatest.Auth(srv.Admin(t))
	const acct = "fakeAcct00000000000001"
	acctBase := "/v2/partition/" + alpha + "/account/" + acct
	if r := srv.Call(t, http.MethodPatch, acctBase, map[string]any{"customField": "CRM-4711"}, tok); r.Status != 200 {
		t.Fatalf("patch account %d %s", r.Status, r.Body)
	}
	if err := srv.Store().Overlay([]byte(`{"partitions":[{"id":"` + alpha + `","billingCode":"BILL-ALPHA"}]}`)); err != nil {
		t.Fatal(err)
	}
	r := srv.Call(t, http.MethodPost, "/__admin/cdrs/generate", map[string]any{
		"partitionId": alpha, "from": "2026-03-04T12:00:00Z", "to": "2026-03-04T13:00:00Z", "callsPerHour": 50})
	if r.Status != 200 {
		t.Fatalf("generate %d %s", r.Status, r.Body)
	}
	header, rows := feedRows(t, srv, alpha)
	acctCol, cfCol, bcCol := slices.Index(header, "acctId"), slices.Index(header, "accountCustomField"), slices.Index(header, "partitionBillingCode")
	if cfCol < 0 || bcCol < 0 {
		t.Fatalf("header lacks the columns: %v", header)
	}
	inFiles := 0
	for _, row := range rows {
		if row[bcCol] != "BILL-ALPHA" {
			t.Fatalf("file row without the billing code: %v", row)
		}
		if row[acctCol] == acct {
			inFiles++
			if row[cfCol] != "CRM-4711" {
				t.Fatalf("file row of %s with customField %q", acct, row[cfCol])
			}
		}
	}
	var page store.CDRPage
	r = srv.Call(t, http.MethodGet, acctBase+"/cdrsearch?startDate=2026-03-04&endDate=2026-03-04&maxResult=1000", nil, tok)
	r.Decode(t, &page)
	if r.Status != 200 || page.TotalRecords == 0 || int(page.TotalRecords) != inFiles {
		t.Fatalf("search %d: %d records, %d in the files", r.Status, page.TotalRecords, inFiles)
	}
	for _, rec := range page.Results {
		if rec.AccountCustomField != "CRM-4711" || rec.PartitionBillingCode != "BILL-ALPHA" {
			t.Fatalf("cdrsearch record %+v", rec)
		}
	}
}

// Numbers routed to a specialty line and to a business line make them
// parties of the generated calls: the specialty line as SPECIALTY_LINE with
// its own calling plan, the business line billed to the account; the SFTP
// files and cdrsearch carry the same legs.
func TestVoiceSubscribersTakeCalls(t *testing.T) {
	srv := frozenServer(t, func(o *fakealianza.Options) { o.CDRNoGenerate = true })
	tok := fatest.Auth(srv.Admin(t))
	const acct = "fakeAcct00000000000001"
	const slTN, blTN = "18015550103", "18015550102"
	acctBase := "/v2/partition/" + alpha + "/account/" + acct
	for tn, ref := range map[string][2]string{slTN: {"SPECIALTY_LINE", seedSpecialtyLn}, blTN: {"BUSINESS_LINE", seedBusinessLn}} {
		if r := srv.Call(t, http.MethodPut, acctBase+"/telephonenumber/"+tn+"/destination", map[string]any{"referenceType": ref[0], "referenceId": ref[1]}, tok); r.Status != 200 {
			t.Fatalf("route %s: %d %s", tn, r.Status, r.Body)
		}
	}
	if r := srv.Call(t, http.MethodPost, "/__admin/cdrs/generate", map[string]any{
		"partitionId": alpha, "from": "2026-03-04T12:00:00Z", "to": "2026-03-04T13:00:00Z", "callsPerHour": 200}); r.Status != 200 {
		t.Fatalf("generate %d %s", r.Status, r.Body)
	}
	var page store.CDRPage
	r := srv.Call(t, http.MethodGet, acctBase+"/cdrsearch?startDate=2026-03-04&endDate=2026-03-04&maxResult=1000", nil, tok)
	r.Decode(t, &page)
	if r.Status != 200 || page.TotalRecords == 0 {
		t.Fatalf("search %d: %d records", r.Status, page.TotalRecords)
	}
	inSearch := map[string]int{}
	for _, rec := range page.Results {
		switch rec.AccountBillableNumber {
		case slTN:
			if rec.ReferenceType != "SPECIALTY_LINE" || rec.ReferenceID != seedSpecialtyLn || rec.ReferenceName != "Elevator Phone" ||
				rec.CallingPlanProductID != seedPlan {
				t.Fatalf("specialty-line leg %+v", rec)
			}
		case blTN:
			if rec.ReferenceType != "ACCOUNT" || rec.ReferenceID != acct || rec.ReferenceName != "Acme Plumbing" {
				t.Fatalf("business-line leg %+v", rec)
			}
		default:
			continue
		}
		inSearch[rec.AccountBillableNumber]++
	}
	if inSearch[slTN] == 0 || inSearch[blTN] == 0 {
		t.Fatalf("legs of the new subscribers in 200 calls: %v", inSearch)
	}
	header, rows := feedRows(t, srv, alpha)
	billCol, refCol := slices.Index(header, "accountBillableNumber"), slices.Index(header, "referenceType")
	inFiles := map[string]int{}
	for _, row := range rows {
		if n := row[billCol]; n == slTN || n == blTN {
			inFiles[n]++
			if want := map[string]string{slTN: "SPECIALTY_LINE", blTN: "ACCOUNT"}[n]; row[refCol] != want {
				t.Fatalf("file row of %s with referenceType %s", n, row[refCol])
			}
		}
	}
	if !maps.Equal(inFiles, inSearch) {
		t.Fatalf("legs in the files %v, in cdrsearch %v", inFiles, inSearch)
	}
}
