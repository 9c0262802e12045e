package routes_test

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/fakealianza/fakealianza/fatest"
)

// TestSwaps: the per-user device swap moves the device and frees the old
// MAC; the calling plan swaps replace the plans of an account or an end
// user with one of the new product.
func TestSwaps(t *testing.T) {
	srv := fatest.New(t)
	c := login(t, srv, fatest.AdminUser)
	A := alphaP + "/account/fakeAcct00000000000001"
	u := c.create(A+"/user", map[string]any{"lastName": "Swapper", "extension": "2600"}, http.StatusOK)["id"].(string)
	other := c.create(A+"/user", map[string]any{"lastName": "Other", "extension": "2601"}, http.StatusOK)["id"].(string)
	line := c.create(A+"/user/"+u+"/device", map[string]any{"deviceTypeId": "VVX400", "deviceName": "Desk", "macAddress": "0004F2C0FFEE", "lineNumber": 1}, http.StatusCreated)["id"].(string)
	S := A + "/user/" + u + "/device/" + line + "/swap"

	for _, c2 := range []struct {
		name, path string
		body       map[string]any
		code       string
	}{
		{"a MAC in use", S, map[string]any{"macAddress": "c8d71903a0b1", "deviceTypeId": "VVX400", "deviceName": "x"}, "DuplicateMACAddress"},
		{"a bad MAC", S, map[string]any{"macAddress": "nope", "deviceTypeId": "VVX400", "deviceName": "x"}, "InvalidMacAddress"},
		// the per-user swap declares no 404: what is not there is a 400
		{"an unknown device type", S, map[string]any{"macAddress": "0004F2C0FFEF", "deviceTypeId": "NOPE", "deviceName": "x"}, "EntityNotFound"},
		{"another user's line", A + "/user/" + other + "/device/" + line + "/swap", map[string]any{"macAddress": "0004F2C0FFEF", "deviceTypeId": "VVX400", "deviceName": "x"}, "EntityNotFound"},
	} {
		t.Run(c2.name, func(t *testing.T) {
			c := login(t, srv, fatest.AdminUser)
			c.fails(http.MethodPost, c2.path, c2.body, http.StatusBadRequest, c2.code)
		})
	}
	sw := c.do(http.MethodPost, S, map[string]any{"macAddress": "0004F2C0FFEF", "deviceTypeId": "VVX500", "deviceName": "New desk"}, http.StatusOK).Map(t)
	if sw["id"] != line || sw["macAddress"] != "0004F2C0FFEF" || sw["deviceTypeId"] != "VVX500" || sw["userId"] != u {
		t.Fatalf("swap: %v", sw)
	}
	if got := c.do(http.MethodGet, A+"/deviceline/"+line, nil, http.StatusOK).Map(t); got["macAddress"] != "0004F2C0FFEF" {
		t.Fatalf("stored line after the swap: %v", got)
	}
	c.fails(http.MethodGet, A+"/device/0004F2C0FFEE", nil, http.StatusNotFound, "EntityNotFound")
	// the old MAC is free again
	c.create(A+"/deviceline", map[string]any{"deviceTypeId": "VVX400", "deviceName": "Reuse", "macAddress": "0004F2C0FFEE", "lineNumber": 1, "userId": other}, http.StatusCreated)

	plans := func(query string) []map[string]any {
		var list []map[string]any
		c.do(http.MethodGet, A+"/callingplan?"+query, nil, http.StatusOK).Decode(t, &list)
		return list
	}
	for _, c2 := range []struct {
		name, path, query, refType, refID string
	}{
		{"account", A + "/callingplanswap", "referenceType=ACCOUNT", "ACCOUNT", "fakeAcct00000000000001"},
		{"end user", A + "/user/" + u + "/callingplanswap", "referenceType=END_USER&referenceId=" + u, "END_USER", u},
	} {
		t.Run(c2.name, func(t *testing.T) {
			c := login(t, srv, fatest.AdminUser)
			if before := plans(c2.query); len(before) == 0 || before[0]["callingPlanProductId"] == "fakePlanAlphaUnlimitd1" {
				t.Fatalf("plans before %v", before)
			}
			var got []map[string]any
			c.do(http.MethodPost, c2.path, map[string]any{"swapCallingPlanProductId": "fakePlanAlphaUnlimitd1", "newMinutesUsed": 10}, http.StatusOK).Decode(t, &got)
			after := plans(c2.query)
			if len(got) != 1 || len(after) != 1 || after[0]["id"] != got[0]["id"] ||
				got[0]["callingPlanProductId"] != "fakePlanAlphaUnlimitd1" || got[0]["referenceType"] != c2.refType ||
				got[0]["referenceId"] != c2.refID || got[0]["secondsRemaining"] != float64((50000-10)*60) {
				t.Fatalf("swap answered %v, stored %v", got, after)
			}
			c.fails(http.MethodPost, c2.path, map[string]any{"newMinutesUsed": 1}, http.StatusBadRequest, "CallingPlanProductIdRequired")
			c.fails(http.MethodPost, c2.path, map[string]any{"swapCallingPlanProductId": "fakePlanAlphaUnlimitd1", "newMinutesUsed": -1}, http.StatusBadRequest, "InvalidValueForField:newMinutesUsed")
		})
	}
	// the account swap declares a 404; the end user's swap a 400 only
	c.fails(http.MethodPost, A+"/callingplanswap", map[string]any{"swapCallingPlanProductId": "nope"}, http.StatusNotFound, "EntityNotFound")
	c.fails(http.MethodPost, A+"/user/nobody/callingplanswap", map[string]any{"swapCallingPlanProductId": "fakePlanAlphaUnlimitd1"}, http.StatusBadRequest, "EntityNotFound")
	if list := plans("referenceType=END_USER&referenceId=" + other); len(list) != 1 || list[0]["callingPlanProductId"] == "fakePlanAlphaUnlimitd1" {
		t.Fatalf("another user's plans changed: %v", list)
	}
}

// multipartFile is a multipart/form-data body with one file part.
func multipartFile(t *testing.T, field, name string, data []byte) ([]byte, string) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	w, err := mw.CreateFormFile(field, name)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = w.Write(data)
	if err := mw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes(), mw.FormDataContentType()
}

// TestBulkStatusChange: the synchronous variant applies a file's rows now
// and lists the rows it could not apply; the job variant reads an uploaded
// input and applies it when the job is done, as the job lifecycle moves it.
func TestBulkStatusChange(t *testing.T) {
	srv := fatest.New(t)
	c := login(t, srv, fatest.AdminUser)
	for _, n := range []string{"BULK-1", "BULK-2"} {
		c.create(alphaP+"/account", map[string]any{"accountNumber": n, "accountName": "Bulk " + n, "accountType": "ADVANCED"}, http.StatusOK)
	}
	status := func(number string) string {
		var hits []map[string]any
		c.do(http.MethodGet, alphaP+"/account/search?q="+number, nil, http.StatusOK).Decode(t, &hits)
		if len(hits) != 1 {
			t.Fatalf("search %s: %v", number, hits)
		}
		return c.do(http.MethodGet, alphaP+"/account/"+hits[0]["id"].(string), nil, http.StatusOK).Map(t)["status"].(string)
	}
	if def := c.do(http.MethodGet, "/v2/ref/account/bulkstatuschange", nil, http.StatusOK); string(def.Body) != "accountNumber,status\n" ||
		def.Header.Get("Content-Type") != "text/csv" {
		t.Fatalf("definition %q", def.Body)
	}

	file := "accountNumber,status\nBULK-1,SUSPENDED\nBULK-2,DISABLED\nNOPE-9,ACTIVE\nBULK-1,BOGUS\n"
	body, ct := multipartFile(t, "file", "status.csv", []byte(file))
	r := srv.Call(t, http.MethodPost, alphaP+"/account/bulkstatuschange", body, fatest.Auth(c.tok), "Content-Type: "+ct)
	if r.Status != http.StatusOK {
		t.Fatalf("bulk: %d %s", r.Status, r.Body)
	}
	var errs []map[string]any
	r.Decode(t, &errs)
	want := `[map[column:accountNumber error:EntityNotFound input:NOPE-9 lineNumber:4] map[column:status error:InvalidValueForField:status input:BOGUS lineNumber:5]]`
	if fmt.Sprint(errs) != want {
		t.Fatalf("errors %v\nwant   %s", errs, want)
	}
	if s1, s2 := status("BULK-1"), status("BULK-2"); s1 != "SUSPENDED" || s2 != "DISABLED" {
		t.Fatalf("statuses after the file: %s %s", s1, s2)
	}
	body, ct = multipartFile(t, "file", "bad.csv", []byte("accountNumber\nBULK-1\n"))
	r = srv.Call(t, http.MethodPost, alphaP+"/account/bulkstatuschange", body, fatest.Auth(c.tok), "Content-Type: "+ct)
	if r.Status != http.StatusOK || !strings.Contains(string(r.Body), `"error":"ColumnRequired"`) || !strings.Contains(string(r.Body), `"column":"status"`) {
		t.Fatalf("file without a status column: %d %s", r.Status, r.Body)
	}

	// the job variant: an upload key, the file PUT to its URL, then the job
	up := c.do(http.MethodPost, "/v2/job/input", nil, http.StatusOK).Map(t)
	key, _ := up["key"].(string)
	u, err := url.Parse(up["url"].(string))
	if err != nil || key == "" || !strings.HasSuffix(u.Path, "/"+key) || u.Host != strings.TrimPrefix(srv.URL(), "http://") {
		t.Fatalf("upload %v", up)
	}
	// a key with nothing uploaded to it: the job fails
	early := c.do(http.MethodPost, alphaP+"/account/bulkstatuschange_2", map[string]any{"key": key}, http.StatusAccepted).Map(t)
	if early["status"] != "FAILED" || fmt.Sprint(early["errors"]) != "[map[error:JobInputMissing]]" {
		t.Fatalf("job over an empty upload: %v", early)
	}
	file2 := "accountNumber,status\nBULK-1,ACTIVE\nBULK-3,ACTIVE\n"
	if r := srv.Call(t, http.MethodPut, u.Path, []byte(file2), "Content-Type: text/csv"); r.Status != http.StatusNoContent {
		t.Fatalf("upload PUT: %d %s", r.Status, r.Body)
	}
	wantError(t, srv.Call(t, http.MethodPut, "/__admin/job-input/nope", []byte(file2), "Content-Type: text/csv"), http.StatusNotFound, "EntityNotFound")

	srv.Call(t, http.MethodPut, "/__admin/lifecycle", map[string]any{"job": "manual"})
	job := c.do(http.MethodPost, alphaP+"/account/bulkstatuschange_2", map[string]any{"key": key}, http.StatusAccepted).Map(t)
	id := job["id"].(string)
	if job["status"] != "PENDING" || job["inputKey"] != key || status("BULK-1") != "SUSPENDED" {
		t.Fatalf("a job not yet run changed nothing: %v", job)
	}
	if in := c.do(http.MethodGet, "/v2/job/"+id+"/input", nil, http.StatusOK); string(in.Body) != file2 {
		t.Fatalf("job input %q", in.Body)
	}
	for range 2 {
		srv.Call(t, http.MethodPost, "/__admin/lifecycle/job/advance", map[string]any{"id": id})
	}
	srv.Call(t, http.MethodPut, "/__admin/lifecycle", map[string]any{"job": "immediate"})
	done := c.do(http.MethodGet, "/v2/job/"+id, nil, http.StatusOK).Map(t)
	if done["status"] != "DONE" || fmt.Sprint(done["errors"]) != "[map[column:accountNumber error:EntityNotFound input:BULK-3 lineNumber:3]]" {
		t.Fatalf("done job %v", done)
	}
	if s1 := status("BULK-1"); s1 != "ACTIVE" {
		t.Fatalf("BULK-1 after the job: %s", s1)
	}
	out := c.do(http.MethodGet, "/v2/job/"+id+"/output", nil, http.StatusOK)
	rows, err := csv.NewReader(bytes.NewReader(out.Body)).ReadAll()
	if err != nil || len(rows) != 3 || rows[1][2] != "BULK-1" || rows[1][4] != "UPDATED" || rows[2][4] != "EntityNotFound" {
		t.Fatalf("job output %v (%v)", rows, err)
	}

	if j := c.do(http.MethodPost, alphaP+"/account/bulkstatuschange_2", map[string]any{"key": "nope"}, http.StatusAccepted).Map(t); j["status"] != "FAILED" ||
		fmt.Sprint(j["errors"]) != "[map[error:JobInputNotFound]]" {
		t.Fatalf("job over an unknown key: %v", j)
	}
	c.fails(http.MethodPost, alphaP+"/account/bulkstatuschange_2", map[string]any{}, http.StatusBadRequest, "KeyRequired")
	// a job without an input has none to give
	report := c.do(http.MethodGet, pAlpha+"/report/account/csv_3", nil, http.StatusAccepted).Map(t)["id"].(string)
	c.fails(http.MethodGet, "/v2/job/"+report+"/input", nil, http.StatusNotFound, "EntityNotFound")
}

// TestStateValidators: the verdicts follow the state: a Cymbus group name
// stored is no longer free, an account's product prevalidation needs the
// account, a business-line box's PIN status is its own.
func TestStateValidators(t *testing.T) {
	srv := fatest.New(t)
	c := login(t, srv, fatest.AdminUser)
	pre := "/v2/cymbus/account-group/prevalidate?groupName="
	c.do(http.MethodPost, pre+"Acme%20Group", nil, http.StatusOK)
	c.do(http.MethodPut, "/v2/cymbus/account-group", map[string]any{"id": "fakeAcct00000000000001", "accountName": "Acme",
		"groupName": "Acme Group", "partitionId": fatest.AlphaPartition}, http.StatusOK)
	for _, c2 := range []struct {
		name, code string
		status     int
	}{
		{"Acme%20Group", "DuplicateGroupName", http.StatusBadRequest},
		{"acme%20group", "DuplicateGroupName", http.StatusBadRequest},
		{"%20", "GroupNameRequired", http.StatusBadRequest},
		{"Other%20Group", "", http.StatusOK},
	} {
		if c2.code == "" {
			c.do(http.MethodPost, pre+c2.name, nil, c2.status)
			continue
		}
		c.fails(http.MethodPost, pre+c2.name, nil, c2.status, c2.code)
	}

	A := alphaP + "/account/fakeAcct00000000000001"
	c.do(http.MethodPost, A+"/product/prevalidate", nil, http.StatusOK)
	c.fails(http.MethodPost, alphaP+"/account/nope/product/prevalidate", nil, http.StatusNotFound, "EntityNotFound")

	// a box of the account (one a business line's call handling names), and
	// one of the business-line voicemail-box collection
	own := c.create(A+"/user", map[string]any{"lastName": "Pinned", "extension": "2900"}, http.StatusOK)["voicemailBoxId"].(string)
	bl := c.do(http.MethodPost, A+"/business-line/voicemail-box", map[string]any{"name": "Desk",
		"accountId": "fakeAcct00000000000001", "partitionId": fatest.AlphaPartition}, http.StatusOK).Map(t)["id"].(string)
	pin := func(box string) any {
		return c.do(http.MethodPost, A+"/business-line/voicemail-box/"+box+"/rpc/check-pin-status", nil, http.StatusOK).Map(t)["lockedOut"]
	}
	if got := pin(own); got != false {
		t.Fatalf("a fresh box: lockedOut %v", got)
	}
	srv.Call(t, http.MethodPost, "/__admin/voicemailbox/"+own+"/lock", nil)
	if got := pin(own); got != true {
		t.Fatalf("a locked box: lockedOut %v", got)
	}
	if got := pin(bl); got != false {
		t.Fatalf("a business-line box: lockedOut %v", got)
	}
	c.fails(http.MethodPost, A+"/business-line/voicemail-box/nope/rpc/check-pin-status", nil, http.StatusNotFound, "EntityNotFound")
}

// TestPortAssignmentSwap: the business lines on one MTA move to new
// hardware together, keeping their ports; the old MAC is free again.
func TestPortAssignmentSwap(t *testing.T) {
	srv := fatest.New(t)
	c := login(t, srv, fatest.AdminUser)
	A := alphaP + "/account/fakeAcct00000000000001"
	line := func(name string, port int) string {
		id := c.create(A+"/business-line", map[string]any{"name": name, "accountId": "fakeAcct00000000000001",
			"partitionId": fatest.AlphaPartition}, http.StatusOK)["id"].(string)
		c.do(http.MethodPost, A+"/business-line/"+id+"/port-assignment", map[string]any{"deviceTypeId": "SIP_8_Port_MTA",
			"macAddress": "0A0B0C0D0E01", "portNumber": port}, http.StatusOK)
		return id
	}
	one, two := line("Lobby", 1), line("Dock", 6)
	other := c.create(A+"/business-line", map[string]any{"name": "Office", "accountId": "fakeAcct00000000000001",
		"partitionId": fatest.AlphaPartition}, http.StatusOK)["id"].(string)
	c.do(http.MethodPost, A+"/business-line/"+other+"/port-assignment", map[string]any{"deviceTypeId": "SIP_4_Port_MTA",
		"macAddress": "0A0B0C0D0E09", "portNumber": 1}, http.StatusOK)
	// another account's line on the same MAC, another port: not this MTA's
	B := alphaP + "/account/fakeAcct00000000000002"
	elsewhere := c.create(B+"/business-line", map[string]any{"name": "Annex", "accountId": "fakeAcct00000000000002",
		"partitionId": fatest.AlphaPartition}, http.StatusOK)["id"].(string)
	c.do(http.MethodPost, B+"/business-line/"+elsewhere+"/port-assignment", map[string]any{"deviceTypeId": "SIP_8_Port_MTA",
		"macAddress": "0A0B0C0D0E01", "portNumber": 3}, http.StatusOK)
	swap := A + "/business-line/" + one + "/port-assignment/rpc/swap"
	for _, c2 := range []struct {
		name   string
		path   string
		body   map[string]any
		status int
		code   string
	}{
		{"another line's MAC", swap, map[string]any{"deviceTypeId": "SIP_8_Port_MTA", "macAddress": "0A0B0C0D0E09"}, 400, "DuplicateMACAddress"},
		{"a specialty line's MAC", swap, map[string]any{"deviceTypeId": "SIP_8_Port_MTA", "macAddress": "00:1A:2B:3C:4D:5E"}, 400, "DuplicateMACAddress"},
		{"a type without port 6", swap, map[string]any{"deviceTypeId": "SIP_4_Port_MTA", "macAddress": "0A0B0C0D0E02"}, 400, "InvalidValueForField:portNumber"},
		{"an unknown type", swap, map[string]any{"deviceTypeId": "NOPE", "macAddress": "0A0B0C0D0E02"}, 404, "EntityNotFound"},
		{"no MAC", swap, map[string]any{"deviceTypeId": "SIP_8_Port_MTA"}, 400, "MacAddressRequired"},
		{"a line without a port", A + "/business-line/5f0c7a52-3a8e-4c1e-9b1d-6a1f2e3d4c01/port-assignment/rpc/swap",
			map[string]any{"deviceTypeId": "SIP_8_Port_MTA", "macAddress": "0A0B0C0D0E02"}, 404, "EntityNotFound"},
	} {
		t.Run(c2.name, func(t *testing.T) {
			login(t, srv, fatest.AdminUser).fails(http.MethodPost, c2.path, c2.body, c2.status, c2.code)
		})
	}
	got := c.do(http.MethodPost, swap, map[string]any{"deviceTypeId": "SIP_24_Port_MTA", "macAddress": "0a:0b:0c:0d:0e:02"}, http.StatusOK).Map(t)
	if got["macAddress"] != "0A0B0C0D0E02" || got["deviceTypeId"] != "SIP_24_Port_MTA" || got["portNumber"] != float64(1) || got["businessLineId"] != one {
		t.Fatalf("swap answered %v", got)
	}
	for id, port := range map[string]float64{one: 1, two: 6} {
		pa := c.do(http.MethodGet, A+"/business-line/"+id+"/port-assignment", nil, http.StatusOK).Map(t)
		if pa["macAddress"] != "0A0B0C0D0E02" || pa["portNumber"] != port || pa["deviceTypeId"] != "SIP_24_Port_MTA" {
			t.Fatalf("line %s after the swap: %v", id, pa)
		}
	}
	if pa := c.do(http.MethodGet, A+"/business-line/"+other+"/port-assignment", nil, http.StatusOK).Map(t); pa["macAddress"] != "0A0B0C0D0E09" {
		t.Fatalf("a line on another MTA moved: %v", pa)
	}
	if pa := c.do(http.MethodGet, B+"/business-line/"+elsewhere+"/port-assignment", nil, http.StatusOK).Map(t); pa["macAddress"] != "0A0B0C0D0E01" {
		t.Fatalf("another account's line moved: %v", pa)
	}
	// the old MAC is free again
	c.do(http.MethodPut, A+"/business-line/"+other+"/port-assignment", map[string]any{"deviceTypeId": "SIP_4_Port_MTA",
		"macAddress": "0A0B0C0D0E01", "portNumber": 1}, http.StatusOK)
}
