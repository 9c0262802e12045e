package store

import (
	"bytes"
	"compress/gzip"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

var feedNow = time.Date(2026, 3, 4, 15, 30, 0, 0, time.UTC)

func feedStore(t testing.TB, cfg FeedConfig) *Store {
	t.Helper()
	c := &Clock{wall: func() time.Time { return feedNow }}
	s, err := New(feedSeed(), c)
	if err != nil {
		t.Fatal(err)
	}
	s.ConfigureFeed(cfg)
	return s
}

// feedSeed is two partitions and their subscribers. Alpha: acct1 (plan
// Business on the account: unlimited local, free inside the partition) with
// Ann (18015550101, her own plan Standard) and Bob (18015550102, the
// account's plan) and the SIP trunk PBX (18015550108, the account's plan);
// acct2 (no plan) with Cy (13035550103). Not subscribers:
// 18015550104 (on acct1, routed to nobody), 18015550105 (routed to Ann but
// STAGED), 18015550106 (in inventory), acctOff's 18015550107 (account
// SUSPENDED). Bravo: acct3 with Di (13035550150).
func feedSeed() State {
	on := func(pid, tn, acct, user, status string) NumberRecord {
		n := NumberRecord{PartitionID: pid, PhoneNumber: tn, OnAccount: &AccountNumber{AccountID: acct, OperationalStatus: status}}
		if user != "" {
			n.OnAccount.ReferenceType, n.OnAccount.ReferenceID = "END_USER", user
		}
		return n
	}
	plan := func(prod, ref, refType string) []CallingPlan {
		return []CallingPlan{{ID: "inst" + ref, ReferenceID: ref, ReferenceType: refType, CallingPlanProductID: prod}}
	}
	return State{
		Partitions: []Partition{
			{ID: "pAlpha", Name: "Alpha", CustomerServiceNumber: "18015550100", BillingCode: "ALPHA-BC"},
			{ID: "pBravo", Name: "Bravo", CustomerServiceNumber: "13035550100"},
		},
		CallingPlanProducts: []CallingPlanProduct{
			{ID: "planStd", PartitionID: "pAlpha", Name: "Standard", PlanMinutes: 1000},
			{ID: "planBiz", PartitionID: "pAlpha", Name: "Business", PlanMinutes: 5000, AllowUnlimitedLocal: true, RateIntraPartitionAsFree: true},
			{ID: "planHome", PartitionID: "pBravo", Name: "Home", PlanMinutes: 500},
		},
		Accounts: []Account{
			{ID: "acct1", PartitionID: "pAlpha", AccountNumber: "A-1001", AccountName: "Acme", AccountType: "ADVANCED",
				BillingCycleDay: 5, TimeZone: "US/Mountain", CallingPlans: plan("planBiz", "acct1", "ACCOUNT")},
			{ID: "acct2", PartitionID: "pAlpha", AccountNumber: "A-1002", AccountName: "Cy Home", AccountType: "SIMPLE",
				BillingCycleDay: 12, TimeZone: "US/Central"},
			{ID: "acctOff", PartitionID: "pAlpha", AccountNumber: "A-1003", AccountName: "Gone Inc", AccountType: "SIMPLE",
				Status: "SUSPENDED", TimeZone: "US/Mountain"},
			{ID: "acct3", PartitionID: "pBravo", AccountNumber: "B-3001", AccountName: "Di Home", AccountType: "SIMPLE",
				BillingCycleDay: 28, TimeZone: "US/Mountain", CallingPlans: plan("planHome", "acct3", "ACCOUNT")},
		},
		EndUsers: []EndUser{
			{ID: "uAnn", PartitionID: "pAlpha", AccountID: "acct1", FirstName: "Ann", LastName: "Owner", Extension: "2001",
				CallingPlans: plan("planStd", "uAnn", "END_USER")},
			{ID: "uBob", PartitionID: "pAlpha", AccountID: "acct1", FirstName: "Bob", LastName: "Tech", Extension: "2002"},
			{ID: "uCy", PartitionID: "pAlpha", AccountID: "acct2", FirstName: "Cyd", LastName: "Rivera"},
			{ID: "uGone", PartitionID: "pAlpha", AccountID: "acctOff", LastName: "Gone"},
			{ID: "uDi", PartitionID: "pBravo", AccountID: "acct3", FirstName: "Dia", LastName: "Lane"},
		},
		TelephoneNumbers: []NumberRecord{
			on("pAlpha", "18015550101", "acct1", "uAnn", "ACTIVE"),
			on("pAlpha", "18015550102", "acct1", "uBob", "ACTIVE"),
			on("pAlpha", "13035550103", "acct2", "uCy", "ACTIVE"),
			on("pAlpha", "18015550104", "acct1", "", "ACTIVE"),
			on("pAlpha", "18015550105", "acct1", "uAnn", "STAGED"),
			{PartitionID: "pAlpha", PhoneNumber: "18015550106"},
			on("pAlpha", "18015550107", "acctOff", "uGone", "ACTIVE"),
			on("pBravo", "13035550150", "acct3", "uDi", "ACTIVE"),
			{PartitionID: "pAlpha", PhoneNumber: "18015550108", OnAccount: &AccountNumber{AccountID: "acct1", ReferenceType: "SIP_TRUNK", ReferenceID: "tPbx"}},
		},
		SipTrunks: []SipTrunk{{ID: "tPbx", PartitionID: "pAlpha", AccountID: "acct1", TrunkName: "PBX", SipUsername: "acme-pbx",
			SipPassword: "secret42", ConcurrentCalls: 4}},
		DatafeedLogins: []DatafeedLogin{{PartitionID: "pAlpha", Username: "datafeed", Password: "fakealianza"}},
	}
}

func gunzip(t testing.TB, b []byte) []byte {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func fileBytes(t testing.TB, s *Store, pid string) map[string][]byte {
	t.Helper()
	files, err := s.FeedFiles(pid)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]byte{}
	for _, f := range files {
		_, data, err := s.FeedFileData(pid, f.Path)
		if err != nil {
			t.Fatal(err)
		}
		out[f.Path] = data
	}
	return out
}

func wantCode(t *testing.T, err error, status int, code string) {
	t.Helper()
	var se *Error
	if !errors.As(err, &se) || se.Status != status || se.Code != code {
		t.Fatalf("got %v, want %d %s", err, status, code)
	}
}

func TestFeedLayoutAndWindow(t *testing.T) {
	s := feedStore(t, FeedConfig{Seed: 1})
	files, err := s.FeedFiles("pAlpha")
	if err != nil {
		t.Fatal(err)
	}
	// 15:30 with a 5m lag: 14:00 is the newest closed hour; 72h back from
	// 15:30 the oldest kept hour is 2026-03-01T16:00: 71 files.
	if len(files) != 71 {
		t.Fatalf("%d files, want 71", len(files))
	}
	if got := files[0].Path; got != "/cdr/2026/03/01/cdr_pAlpha_20260301T1600Z.csv.gz" {
		t.Errorf("first %s", got)
	}
	last := files[len(files)-1]
	if last.Path != "/cdr/2026/03/04/cdr_pAlpha_20260304T1400Z.csv.gz" || !last.ModTime.Equal(time.Date(2026, 3, 4, 15, 5, 0, 0, time.UTC)) {
		t.Errorf("last %+v", last)
	}
	// The 15:00 file appears at 16:05, not a millisecond before.
	s.clock.Set(time.Date(2026, 3, 4, 16, 4, 59, 999e6, time.UTC))
	s.clock.Freeze(true)
	files, _ = s.FeedFiles("pAlpha")
	if strings.Contains(files[len(files)-1].Path, "T1500Z") {
		t.Fatal("15:00 published before 16:05")
	}
	s.clock.Advance(time.Millisecond)
	files, _ = s.FeedFiles("pAlpha")
	if !strings.Contains(files[len(files)-1].Path, "T1500Z") {
		t.Fatal("15:00 not published at 16:05")
	}
	// Retention: the oldest file goes once 72h have passed since its hour began.
	if !strings.Contains(files[0].Path, "20260301T1700Z") {
		t.Fatalf("after 72h the 16:00 file should be gone: first is %s", files[0].Path)
	}
	if _, err := s.FeedFiles("nope"); err == nil {
		t.Fatal("unknown partition listed")
	}
}

func TestFeedDeterministicAndSeedSensitive(t *testing.T) {
	a := fileBytes(t, feedStore(t, FeedConfig{Seed: 42}), "pAlpha")
	b := fileBytes(t, feedStore(t, FeedConfig{Seed: 42}), "pAlpha")
	c := fileBytes(t, feedStore(t, FeedConfig{Seed: 43}), "pAlpha")
	if len(a) != 71 {
		t.Fatalf("%d files", len(a))
	}
	differ := 0
	for p, data := range a {
		if !bytes.Equal(gunzip(t, data), gunzip(t, b[p])) || !bytes.Equal(data, b[p]) {
			t.Fatalf("%s differs between two stores with the same seed and clock", p)
		}
		if !bytes.Equal(gunzip(t, data), gunzip(t, c[p])) {
			differ++
		}
	}
	if differ < 36 {
		t.Fatalf("only %d of 71 files change with the seed", differ)
	}
}

func TestFeedCSVFormat(t *testing.T) {
	s := feedStore(t, FeedConfig{Seed: 7})
	stamp := regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$`)
	rows := 0
	for p, data := range fileBytes(t, s, "pAlpha") {
		text := gunzip(t, data)
		if n := bytes.Count(text, []byte("\n")); n != bytes.Count(text, []byte("\r\n")) || n == 0 {
			t.Fatalf("%s: line ends are not CRLF", p)
		}
		recs, err := csv.NewReader(bytes.NewReader(text)).ReadAll()
		if err != nil {
			t.Fatalf("%s: not RFC 4180: %v", p, err)
		}
		if !slices.Equal(recs[0], CDRColumns()) {
			t.Fatalf("%s header %v", p, recs[0])
		}
		for _, r := range recs[1:] {
			rows++
			for _, i := range []int{2, 4, 5} { // startTime, endTime, createdDate
				if !stamp.MatchString(r[i]) {
					t.Fatalf("%s: %s %q", p, recs[0][i], r[i])
				}
			}
			if r[3] != "" && !stamp.MatchString(r[3]) {
				t.Fatalf("connectTime %q", r[3])
			}
		}
	}
	if rows < 300 {
		t.Fatalf("only %d calls in 72 hours", rows)
	}
}

func TestFeedHeaderOnlyAndPlainCSV(t *testing.T) {
	s := feedStore(t, FeedConfig{Seed: 1, NoGenerate: true, PlainCSV: true})
	files := fileBytes(t, s, "pBravo")
	want := strings.Join(CDRColumns(), ",") + "\r\n"
	for p, data := range files {
		if !strings.HasSuffix(p, ".csv") || string(data) != want {
			t.Fatalf("%s: %q", p, data)
		}
	}
	if l := s.DatafeedLayout(); l.Compression != "none" || strings.HasSuffix(l.PathPattern, ".gz") || l.Generate {
		t.Fatalf("layout %+v", l)
	}
}

// TestGeneratedCallsAreConsistent checks every generated record's fields
// against each other and against the subscriber it is billed to.
func TestGeneratedCallsAreConsistent(t *testing.T) {
	s := feedStore(t, FeedConfig{Seed: 3})
	type who struct{ acct, accountNumber, user, refType, name, plan, planName, tz string }
	subs := map[string]who{
		"18015550101": {"acct1", "A-1001", "uAnn", "END_USER", "Ann Owner", "planStd", "Standard", "US/Mountain"},
		"18015550102": {"acct1", "A-1001", "uBob", "END_USER", "Bob Tech", "planBiz", "Business", "US/Mountain"},
		"18015550108": {"acct1", "A-1001", "tPbx", "SIP_TRUNK", "PBX", "planBiz", "Business", "US/Mountain"},
		"13035550103": {"acct2", "A-1002", "uCy", "END_USER", "Cyd Rivera", "", "", "US/Central"},
		"13035550150": {"acct3", "B-3001", "uDi", "END_USER", "Dia Lane", "planHome", "Home", "US/Mountain"},
	}
	cycle := map[string]int32{"acct1": 5, "acct2": 12, "acct3": 28}
	flags, rateTypes := map[string]int{}, map[string]int{}
	sessions := map[string][]CallDetailRecord{}
	for _, pid := range []string{"pAlpha", "pBravo"} {
		files, err := s.visibleFiles(pid)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			for _, r := range f.records {
				flags[r.CallFlagType]++
				rateTypes[r.RateType]++
				sessions[r.SessionID] = append(sessions[r.SessionID], r)
				answered := r.CallFlagType == FlagAnswered || r.CallFlagType == FlagVoicemail || r.CallFlagType == FlagForwarded
				if (r.ConnectTime != nil) != answered {
					t.Fatalf("%s: connectTime %v with flag %s", r.ID, r.ConnectTime, r.CallFlagType)
				}
				if r.StartTime.Before(f.info.Hour) || !r.EndTime.Before(f.info.Hour.Add(time.Hour)) || r.EndTime.Before(r.StartTime.Time) {
					t.Fatalf("%s: %v..%v outside hour %v", r.ID, r.StartTime, r.EndTime, f.info.Hour)
				}
				actual, billed := *r.ActualCallLengthSeconds, *r.BillCallLengthSeconds
				if billed%60 != 0 || billed < actual || billed-actual >= 60 || (actual == 0) != (billed == 0) || !answered && actual != 0 {
					t.Fatalf("%s: actual %d billed %d", r.ID, actual, billed)
				}
				if want := math.Round(*r.RatePerMinute*float64(billed)/60*1e4) / 1e4; *r.Cost != want {
					t.Fatalf("%s: cost %v, want %v", r.ID, *r.Cost, want)
				}
				if *r.InPlan != (*r.RatePerMinute == 0) {
					t.Fatalf("%s: inPlan %v at %v a minute", r.ID, *r.InPlan, *r.RatePerMinute)
				}
				local, far := r.OrigNumber, r.TermNumber
				switch r.CallType {
				case CallOutbound:
					if r.LegType != LegOrigination || r.DialedNumber == "" || r.OrigCallCategory != CategoryOnNet || r.RateLocalFromNumber != local {
						t.Fatalf("%s: outbound %s %q %s", r.ID, r.LegType, r.DialedNumber, r.OrigCallCategory)
					}
					if r.CallFlagType == FlagForwarded || r.CallFlagType == FlagVoicemail {
						t.Fatalf("%s: outbound %s", r.ID, r.CallFlagType)
					}
				case CallInbound:
					local, far = far, local
					wantRate := "Free"
					if subs[local].refType == "SIP_TRUNK" {
						wantRate = "SipTrunkInbound"
						if r.CallFlagType == FlagVoicemail {
							t.Fatalf("%s: voicemail on a trunk", r.ID)
						}
					}
					if r.LegType != LegTermination || r.TermCallCategory != CategoryOnNet || r.RateType != wantRate || *r.RatePerMinute != 0 {
						t.Fatalf("%s: inbound %s %s", r.ID, r.LegType, r.RateType)
					}
				default:
					t.Fatalf("%s: callType %q", r.ID, r.CallType)
				}
				if (r.CallFlagType == FlagForwarded) != (r.ForwardingNumber != "") {
					t.Fatalf("%s: %s with forwardingNumber %q", r.ID, r.CallFlagType, r.ForwardingNumber)
				}
				w, ok := subs[local]
				if !ok || r.AcctID != w.acct || r.AccountNumber != w.accountNumber || r.ReferenceID != w.user || r.ReferenceType != w.refType ||
					r.ReferenceName != w.name || r.CallingPlanProductID != w.plan || r.CallingPlanProductName != w.planName ||
					r.AccountTimeZone != w.tz || r.AccountBillableNumber != local || r.AccountID != "" ||
					r.AccountBillingCycleDay == nil || *r.AccountBillingCycleDay != cycle[w.acct] {
					t.Fatalf("%s: local %s billed as %s/%s/%s/%s", r.ID, local, r.AcctID, r.ReferenceID, r.CallingPlanProductID, r.AccountTimeZone)
				}
				if len(r.AcctID) == 0 || r.PartitionID != pid || len(r.ID) != 36 {
					t.Fatalf("%s: partition %s", r.ID, r.PartitionID)
				}
				if _, on := subs[far]; on != (r.OrigCallCategory == CategoryOnNet && r.TermCallCategory == CategoryOnNet) {
					t.Fatalf("%s: far end %s on-net %v", r.ID, far, on)
				}
				if _, held := s.numbers[far]; held && !slices.Contains([]string{"18015550101", "18015550102", "18015550108", "13035550103"}, far) {
					t.Fatalf("%s: off-net party %s is a platform number", r.ID, far)
				}
				if r.CallType == CallOutbound {
					wantRate := map[string]string{"uAnn": "OnPlanMinutes", "uBob": "OnPlanMinutes", "tPbx": "OnPlanMinutes", "uCy": "OffPlanRated", "uDi": "OnPlanMinutes"}[w.user]
					biz := w.plan == "planBiz"
					switch {
					case strings.HasPrefix(far, "1800"):
						wantRate = "TollFree"
					case strings.HasPrefix(far, "011"):
						wantRate = "OffPlanRated"
					case biz && r.TermCallCategory == CategoryOnNet:
						wantRate = "IntraPartitionFree"
					case biz && r.TermState == "UT":
						wantRate = "Local"
					}
					if r.RateType != wantRate {
						t.Fatalf("%s: %s calling %s rated %s, want %s", r.ID, w.user, far, r.RateType, wantRate)
					}
				}
				if r.CallFlagType == FlagBusy && r.DisconnectType != "Busy" {
					t.Fatalf("%s: busy with %s", r.ID, r.DisconnectType)
				}
			}
		}
	}
	for _, f := range []string{FlagAnswered, FlagMissed, FlagVoicemail, FlagBusy, FlagForwarded} {
		if flags[f] == 0 {
			t.Errorf("no %s call in 144 files: %v", f, flags)
		}
	}
	for _, rt := range []string{"Free", "SipTrunkInbound", "OnPlanMinutes", "Local", "IntraPartitionFree", "OffPlanRated", "TollFree"} {
		if rateTypes[rt] == 0 {
			t.Errorf("no %s call in 144 files: %v", rt, rateTypes)
		}
	}
	if flags[FlagAnswered] < flags[FlagMissed] {
		t.Errorf("mix %v: answered calls should dominate", flags)
	}
	// An on-net call has both legs: the caller's Origination and the callee's
	// Termination, same session, times and numbers.
	onNet := 0
	for sid, legs := range sessions {
		if legs[0].OrigCallCategory != CategoryOnNet || legs[0].TermCallCategory != CategoryOnNet {
			if len(legs) != 1 {
				t.Fatalf("session %s: %d legs of an off-net call", sid, len(legs))
			}
			continue
		}
		onNet++
		if len(legs) != 2 {
			t.Fatalf("session %s: %d legs of an on-net call", sid, len(legs))
		}
		out, in := legs[0], legs[1]
		if out.CallType == CallInbound {
			out, in = in, out
		}
		if out.CallType != CallOutbound || in.CallType != CallInbound || out.ID == in.ID || out.OrigNumber != in.OrigNumber ||
			out.TermNumber != in.TermNumber || !out.StartTime.Equal(in.StartTime.Time) || !out.EndTime.Equal(in.EndTime.Time) ||
			*out.BillCallLengthSeconds != *in.BillCallLengthSeconds || out.AccountBillableNumber != out.OrigNumber ||
			in.AccountBillableNumber != in.TermNumber {
			t.Fatalf("session %s: legs %+v / %+v", sid, out, in)
		}
	}
	if onNet < 10 {
		t.Fatalf("only %d on-net calls", onNet)
	}
}

func stagedRecord(pid, acct string, start time.Time) CallDetailRecord {
	return CallDetailRecord{PartitionID: pid, AcctID: acct, StartTime: At(start), EndTime: At(start.Add(time.Minute)),
		CallType: CallOutbound, LegType: LegOrigination, CallFlagType: FlagAnswered, Cost: new(0.5),
		ActualCallLengthSeconds: new(int64(60)), OrigNumber: "18015550101", TermNumber: "13125550199", DialedNumber: "13125550199"}
}

func TestStageCDRs(t *testing.T) {
	s := feedStore(t, FeedConfig{Seed: 1, NoGenerate: true})
	h := time.Date(2026, 3, 4, 10, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		recs   []CallDetailRecord
		status int
		code   string
	}{
		{nil, 400, "RecordsRequired"},
		{[]CallDetailRecord{{StartTime: At(h)}}, 400, "PartitionIdRequired"},
		{[]CallDetailRecord{{PartitionID: "nope", StartTime: At(h)}}, 404, "EntityNotFound"},
		{[]CallDetailRecord{{PartitionID: "pAlpha"}}, 400, "StartTimeRequired"},
		{[]CallDetailRecord{{PartitionID: "pAlpha", StartTime: At(h), EndTime: At(h.Add(-time.Second))}}, 400, "InvalidValueForField:endTime"},
		{[]CallDetailRecord{{PartitionID: "pAlpha", StartTime: At(h.Add(-80 * time.Hour))}}, 400, "CdrOutsideRetention"},
		{[]CallDetailRecord{{ID: "x", PartitionID: "pAlpha", StartTime: At(h)}, {ID: "x", PartitionID: "pAlpha", StartTime: At(h)}}, 400, "DuplicateCdrId"},
	} {
		_, err := s.StageCDRs(tc.recs)
		wantCode(t, err, tc.status, tc.code)
	}
	got, err := s.StageCDRs([]CallDetailRecord{stagedRecord("pAlpha", "acct1", h.Add(90*time.Second))})
	if err != nil {
		t.Fatal(err)
	}
	if len(got[0].ID) != 36 {
		t.Fatalf("id %q", got[0].ID)
	}
	files := fileBytes(t, s, "pAlpha")
	data := files["/cdr/2026/03/04/cdr_pAlpha_20260304T1000Z.csv.gz"]
	rows, _ := csv.NewReader(bytes.NewReader(gunzip(t, data))).ReadAll()
	if len(rows) != 2 || rows[1][0] != got[0].ID || rows[1][2] != "2026-03-04T10:01:30.000Z" {
		t.Fatalf("rows %v", rows)
	}
	// Published: the file is fixed, later staging for its hour is refused.
	_, err = s.StageCDRs([]CallDetailRecord{stagedRecord("pAlpha", "acct1", h.Add(time.Minute))})
	wantCode(t, err, http.StatusConflict, "CdrFileAlreadyPublished")
	// The current (open) hour takes records; they appear once it closes.
	if _, err := s.StageCDRs([]CallDetailRecord{stagedRecord("pAlpha", "acct1", feedNow)}); err != nil {
		t.Fatal(err)
	}
	s.clock.Advance(time.Hour)
	after := fileBytes(t, s, "pAlpha")
	if !bytes.Equal(after["/cdr/2026/03/04/cdr_pAlpha_20260304T1000Z.csv.gz"], data) {
		t.Fatal("a published file changed")
	}
	rows, _ = csv.NewReader(bytes.NewReader(gunzip(t, after["/cdr/2026/03/04/cdr_pAlpha_20260304T1500Z.csv.gz"]))).ReadAll()
	if len(rows) != 2 {
		t.Fatalf("open-hour record: %v", rows)
	}
}

func TestFillCDRs(t *testing.T) {
	s := feedStore(t, FeedConfig{Seed: 1, NoGenerate: true})
	from := time.Date(2026, 3, 4, 8, 20, 0, 0, time.UTC)
	fills, err := s.FillCDRs("pBravo", from, from.Add(2*time.Hour), 5)
	if err != nil {
		t.Fatal(err)
	}
	if len(fills) != 3 || !fills[0].Hour.Equal(time.Date(2026, 3, 4, 8, 0, 0, 0, time.UTC)) {
		t.Fatalf("fills %+v", fills)
	}
	files, _ := s.FeedFiles("pBravo")
	for _, f := range files {
		want := 0
		if h := f.Hour.Hour(); f.Hour.Day() == 4 && h >= 8 && h <= 10 {
			want = 5
		}
		if f.Records != want {
			t.Fatalf("%s: %d records, want %d", f.Path, f.Records, want)
		}
	}
	_, err = s.FillCDRs("pBravo", from, from.Add(time.Hour), 1)
	wantCode(t, err, http.StatusConflict, "CdrFileAlreadyPublished")
	_, err = s.FillCDRs("pBravo", feedNow, feedNow.Add(800*time.Hour), 1)
	wantCode(t, err, 400, "InvalidValueForField:to")
	_, err = s.FillCDRs("pBravo", feedNow, feedNow.Add(-time.Hour), 1)
	wantCode(t, err, 400, "InvalidValueForField:to")
	_, err = s.FillCDRs("pBravo", feedNow.Add(-100*time.Hour), feedNow, 1)
	wantCode(t, err, 400, "CdrOutsideRetention")
	_, err = s.FillCDRs("nope", feedNow, feedNow.Add(time.Hour), 1)
	wantCode(t, err, 404, "EntityNotFound")
}

func TestDatafeedLogins(t *testing.T) {
	s := feedStore(t, FeedConfig{Seed: 9})
	if pid, ok := s.AuthenticateDatafeed("datafeed", "fakealianza"); !ok || pid != "pAlpha" {
		t.Fatalf("fixture login: %q %v", pid, ok)
	}
	for _, bad := range [][2]string{{"datafeed", "wrong"}, {"datafeed", ""}, {"nobody", "fakealianza"}, {"pAlpha", "fakealianza"}} {
		if _, ok := s.AuthenticateDatafeed(bad[0], bad[1]); ok {
			t.Errorf("%v accepted", bad)
		}
	}
	// A partition without a login of its own answers to its derived one.
	logins := s.DatafeedLogins()
	if len(logins) != 2 || logins[1].PartitionID != "pBravo" || logins[1].Username != "pBravo" || len(logins[1].Password) != 16 {
		t.Fatalf("logins %+v", logins)
	}
	if pid, ok := s.AuthenticateDatafeed("pBravo", logins[1].Password); !ok || pid != "pBravo" {
		t.Fatal("derived login refused")
	}
	if other := feedStore(t, FeedConfig{Seed: 10}).DatafeedLogins()[1].Password; other == logins[1].Password {
		t.Fatal("derived password ignores the seed")
	}
	wantCode(t, s.SetDatafeedLogin(DatafeedLogin{PartitionID: "pBravo", Username: "datafeed", Password: "x"}), 400, "DuplicateUsername")
	wantCode(t, s.SetDatafeedLogin(DatafeedLogin{PartitionID: "nope", Username: "u", Password: "x"}), 404, "EntityNotFound")
	wantCode(t, s.SetDatafeedLogin(DatafeedLogin{PartitionID: "pBravo", Password: "x"}), 400, "UsernameRequired")
	wantCode(t, s.SetDatafeedLogin(DatafeedLogin{PartitionID: "pBravo", Username: "u"}), 400, "PasswordRequired")
	if err := s.SetDatafeedLogin(DatafeedLogin{PartitionID: "pBravo", Username: "bravo", Password: "secret"}); err != nil {
		t.Fatal(err)
	}
	if _, ok := s.AuthenticateDatafeed("pBravo", logins[1].Password); ok {
		t.Fatal("the derived login still works after a login was set")
	}
	if pid, ok := s.AuthenticateDatafeed("bravo", "secret"); !ok || pid != "pBravo" {
		t.Fatal("new login refused")
	}

	// Snapshot and restore carry the logins and staged records; partitions
	// never carry a login.
	if _, err := s.StageCDRs([]CallDetailRecord{stagedRecord("pAlpha", "a", feedNow)}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.FillCDRs("pAlpha", feedNow, feedNow.Add(30*time.Minute), 2); err != nil {
		t.Fatal(err)
	}
	snap := s.Snapshot()
	if len(snap.DatafeedLogins) != 2 || len(snap.CDRs) != 1 || len(snap.CDRFills) != 1 {
		t.Fatalf("snapshot %+v", snap)
	}
	pj, _ := json.Marshal(snap.Partitions)
	if strings.Contains(string(pj), "secret") || strings.Contains(string(pj), "username") {
		t.Fatalf("partition JSON carries a login: %s", pj)
	}
	fresh := feedStore(t, FeedConfig{Seed: 9})
	if err := fresh.Restore(snap); err != nil {
		t.Fatal(err)
	}
	again := fresh.Snapshot()
	a, _ := json.Marshal(snap)
	b, _ := json.Marshal(again)
	if !bytes.Equal(a, b) {
		t.Fatalf("round trip:\n%s\n%s", a, b)
	}
	if pid, ok := fresh.AuthenticateDatafeed("bravo", "secret"); !ok || pid != "pBravo" {
		t.Fatal("restored login refused")
	}
}

func TestLoadRejectsBrokenFeedSeeds(t *testing.T) {
	p := []Partition{{ID: "p", Name: "P"}, {ID: "q", Name: "Q"}}
	start := At(feedNow)
	for name, st := range map[string]State{
		"login without password": {Partitions: p, DatafeedLogins: []DatafeedLogin{{PartitionID: "p", Username: "u"}}},
		"login of unknown":       {Partitions: p, DatafeedLogins: []DatafeedLogin{{PartitionID: "x", Username: "u", Password: "x"}}},
		"two logins":             {Partitions: p, DatafeedLogins: []DatafeedLogin{{PartitionID: "p", Username: "u", Password: "x"}, {PartitionID: "p", Username: "v", Password: "x"}}},
		"shared username":        {Partitions: p, DatafeedLogins: []DatafeedLogin{{PartitionID: "p", Username: "u", Password: "x"}, {PartitionID: "q", Username: "u", Password: "x"}}},
		"cdr without id":         {Partitions: p, CDRs: []CallDetailRecord{{PartitionID: "p", StartTime: start}}},
		"cdr of unknown":         {Partitions: p, CDRs: []CallDetailRecord{{ID: "a", PartitionID: "x", StartTime: start}}},
		"duplicate cdr":          {Partitions: p, CDRs: []CallDetailRecord{{ID: "a", PartitionID: "p", StartTime: start}, {ID: "a", PartitionID: "p", StartTime: start}}},
		"fill of unknown":        {Partitions: p, CDRFills: []CDRFill{{PartitionID: "x"}}},
	} {
		if _, err := New(st, nil); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestSearchCDRs(t *testing.T) {
	s := feedStore(t, FeedConfig{Seed: 1, NoGenerate: true})
	day := time.Date(2026, 3, 3, 0, 0, 0, 0, time.UTC)
	var recs []CallDetailRecord
	for i := range 30 {
		r := stagedRecord("pAlpha", "acct1", day.Add(time.Duration(i)*time.Hour+time.Duration(i)*time.Second))
		r.ID = "00000000-0000-4000-8000-0000000000" + string(rune('a'+i/10)) + string(rune('0'+i%10))
		r.Cost = new(float64(i%7) / 10)
		r.ActualCallLengthSeconds = new(int64(100 - i))
		if i%3 == 0 {
			r.CallType, r.LegType, r.CallFlagType = CallInbound, LegTermination, FlagMissed
			r.OrigNumber, r.TermNumber, r.DialedNumber = "12125550150", "18015550101", ""
			r.OrigCallCategory, r.TermCallCategory = CategoryOffNet, CategoryOnNet
		}
		recs = append(recs, r)
	}
	other := stagedRecord("pAlpha", "acct2", day.Add(time.Hour))
	if _, err := s.StageCDRs(append(recs, other)); err != nil {
		t.Fatal(err)
	}
	search := func(q string) CDRPage {
		t.Helper()
		v, _ := url.ParseQuery(q)
		cq, err := ParseCDRQuery(v)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		p, err := s.SearchCDRs("pAlpha", "acct1", cq)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	all := search("startDate=2026-03-03&endDate=2026-03-04&maxResult=100")
	if all.TotalRecords != 30 || len(all.Results) != 30 {
		t.Fatalf("total %d", all.TotalRecords)
	}
	if !all.Results[0].StartTime.After(all.Results[29].StartTime.Time) {
		t.Fatal("default order is not DATE DESC")
	}
	page := search("startDate=2026-03-03&endDate=2026-03-04&sortOrder=ASC&firstResultIndex=20&maxResult=7")
	if page.TotalRecords != 30 || len(page.Results) != 7 || page.Results[0].ID != recs[20].ID {
		t.Fatalf("page %d %d", page.TotalRecords, len(page.Results))
	}
	if p := search("startDate=2026-03-03&endDate=2026-03-04&firstResultIndex=40"); p.TotalRecords != 30 || len(p.Results) != 0 {
		t.Fatal("page past the end")
	}
	if p := search("startDate=2026-03-03&endDate=2026-03-03"); p.TotalRecords != 24 || len(p.Results) != 20 {
		t.Fatalf("one day, default page: %d %d", p.TotalRecords, len(p.Results))
	}
	if p := search("startDate=2026-03-03&startTime=10:00&endDate=2026-03-03&endTime=11:59:59"); p.TotalRecords != 2 {
		t.Fatalf("time window %d", p.TotalRecords)
	}
	if p := search("startDate=2026-03-03&endDate=2026-03-04&callType=INBOUND"); p.TotalRecords != 10 {
		t.Fatalf("callType %d", p.TotalRecords)
	}
	if p := search("startDate=2026-03-03&endDate=2026-03-04&callType=INBOUND&callType=OUTBOUND"); p.TotalRecords != 30 {
		t.Fatalf("two callTypes %d", p.TotalRecords)
	}
	if p := search("startDate=2026-03-03&endDate=2026-03-04&callFlagType=MISSED"); p.TotalRecords != 10 {
		t.Fatalf("callFlagType %d", p.TotalRecords)
	}
	if p := search("startDate=2026-03-03&endDate=2026-03-04&callCategory=OffNet"); p.TotalRecords != 10 {
		t.Fatalf("callCategory %d", p.TotalRecords)
	}
	if p := search("startDate=2026-03-03&endDate=2026-03-04&origNumber=212555"); p.TotalRecords != 10 {
		t.Fatalf("origNumber %d", p.TotalRecords)
	}
	if p := search("startDate=2026-03-03&endDate=2026-03-04&termNumber=(312)%20555-0199"); p.TotalRecords != 20 {
		t.Fatalf("termNumber %d", p.TotalRecords)
	}
	if p := search("startDate=2026-03-03&endDate=2026-03-04&dialedNumber=3125550199"); p.TotalRecords != 20 {
		t.Fatalf("dialedNumber %d", p.TotalRecords)
	}
	minCost := search("startDate=2026-03-03&endDate=2026-03-04&minCost=0.5&sort=COST&sortOrder=ASC")
	if minCost.TotalRecords != 8 || *minCost.Results[0].Cost != 0.5 || *minCost.Results[7].Cost != 0.6 {
		t.Fatalf("minCost %d", minCost.TotalRecords)
	}
	byLen := search("startDate=2026-03-03&endDate=2026-03-04&sort=CALL_LENGTH&sortOrder=ASC&maxResult=1")
	if *byLen.Results[0].ActualCallLengthSeconds != 71 {
		t.Fatalf("CALL_LENGTH %d", *byLen.Results[0].ActualCallLengthSeconds)
	}
	if p, _ := s.SearchCDRs("pAlpha", "acct2", CDRQuery{To: feedNow, Max: 20}); p.TotalRecords != 1 {
		t.Fatalf("other account %d", p.TotalRecords)
	}
	if _, err := s.SearchCDRs("nope", "acct1", CDRQuery{}); err == nil {
		t.Fatal("unknown partition searched")
	}
	for q, code := range map[string]string{
		"endDate=2026-03-03":                                    "StartDateRequired",
		"startDate=2026-03-03":                                  "EndDateRequired",
		"startDate=03/03/2026&endDate=2026-03-03":               "InvalidValueForField:startDate",
		"startDate=2026-03-04&endDate=2026-03-02":               "InvalidValueForField:endDate",
		"startDate=2026-03-03&endDate=2026-03-03&startTime=25h": "InvalidValueForField:startTime",
		"startDate=2026-03-03&endDate=2026-03-03&endTime=x":     "InvalidValueForField:endTime",
		"startDate=2026-03-03&endDate=2026-03-03&minCost=x":     "InvalidValueForField:minCost",
		"startDate=2026-03-03&endDate=2026-03-03&maxResult=-1":  "InvalidValueForField:maxResult",
	} {
		v, _ := url.ParseQuery(q)
		_, err := ParseCDRQuery(v)
		wantCode(t, err, 400, code)
	}
}

// Generated calls take their on-net party from the partition's subscribers
// and carry the owner's account and reference; a call between two of them
// gives one record per leg.
func TestGeneratedCallsUseTheSubscribers(t *testing.T) {
	p := &Partition{ID: "pX", Name: "X", CustomerServiceNumber: "13035550100"}
	subs := []subscriber{
		{Number: "13035550111", AcctID: "acctA", AccountNumber: "1001", ReferenceID: "userA", ReferenceType: "END_USER", ReferenceName: "Ann", TimeZone: "US/Mountain", rc: rateCenterOf("303")},
		{Number: "13035550122", AcctID: "acctB", AccountNumber: "1002", ReferenceID: "trunkB", ReferenceType: "SIP_TRUNK", ReferenceName: "Trunk", rc: rateCenterOf("303")},
	}
	recs := generateHour(1, p, subs, cdrGeo{}, feedNow.Truncate(time.Hour), 40)
	sessions := map[string]bool{}
	for _, r := range recs {
		sessions[r.SessionID] = true
		local := r.OrigNumber
		if r.CallType == CallInbound {
			local = r.TermNumber
		}
		i := slices.IndexFunc(subs, func(s subscriber) bool { return s.Number == local })
		if i < 0 || r.AcctID != subs[i].AcctID || r.ReferenceID != subs[i].ReferenceID || r.ReferenceType != subs[i].ReferenceType ||
			r.AccountNumber != subs[i].AccountNumber || r.AccountBillableNumber != local {
			t.Fatalf("call %s: local %s, account %s, reference %s", r.ID, local, r.AcctID, r.ReferenceID)
		}
		if r.OrigNumber == r.TermNumber {
			t.Fatalf("call %s: %s calls itself", r.ID, r.OrigNumber)
		}
	}
	if len(sessions) != 40 || len(recs) <= 40 {
		t.Fatalf("%d calls in %d records", len(sessions), len(recs))
	}
	if generateHour(1, p, nil, cdrGeo{}, feedNow, -1) != nil {
		t.Fatal("calls without subscribers")
	}
}

// The subscribers are the active numbers of active accounts routed to an
// end user or a SIP trunk, by number, with the plan of the user or trunk or
// else of the account.
func TestSubscribersFromTheAccountTree(t *testing.T) {
	s := feedStore(t, FeedConfig{Seed: 1})
	s.mu.RLock()
	subs := s.subscribersLocked(s.partitions["pAlpha"])
	s.mu.RUnlock()
	var got []string
	for _, sub := range subs {
		got = append(got, sub.Number+" "+sub.AcctID+" "+sub.ReferenceID+" "+sub.PlanID+" "+sub.rc.state+" "+sub.rc.abbr())
	}
	want := []string{"13035550103 acct2 uCy  CO DENVER", "18015550101 acct1 uAnn planStd UT SALTLAKECI",
		"18015550102 acct1 uBob planBiz UT SALTLAKECI", "18015550108 acct1 tPbx planBiz UT SALTLAKECI"}
	if !slices.Equal(got, want) {
		t.Fatalf("subscribers\n%q\nwant\n%q", got, want)
	}
	if subs[1].BillingCycleDay != 5 || subs[1].TimeZone != "US/Mountain" || subs[1].ReferenceName != "Ann Owner" || subs[1].PlanName != "Standard" {
		t.Fatalf("Ann %+v", subs[1])
	}
	// A rate center of the store names the number's place.
	s2, err := New(func() State {
		st := feedSeed()
		st.RateCenters = []RateCenterRecord{{RateCenter: RateCenter{Prefix: "1801555", Name: "SALT LAKE CITY", AbbrName: "SLC", Msa: "Salt Lake City, UT", State: "UT"}}}
		return st
	}(), &Clock{wall: func() time.Time { return feedNow }})
	if err != nil {
		t.Fatal(err)
	}
	s2.mu.RLock()
	rc := s2.subscribersLocked(s2.partitions["pAlpha"])[1].rc
	s2.mu.RUnlock()
	if rc.city != "Salt Lake City" || rc.abbr() != "SLC" || rc.state != "UT" {
		t.Fatalf("rate center %+v", rc)
	}
}

// A partition without subscribers gets header-only files, generation on.
func TestNoSubscribersHeaderOnly(t *testing.T) {
	st := feedSeed()
	st.Partitions = append(st.Partitions, Partition{ID: "pEmpty", Name: "Empty"})
	s, err := New(st, &Clock{wall: func() time.Time { return feedNow }})
	if err != nil {
		t.Fatal(err)
	}
	files, err := s.FeedFiles("pEmpty")
	if err != nil || len(files) != 71 {
		t.Fatalf("%d files, %v", len(files), err)
	}
	for _, f := range files {
		if f.Records != 0 {
			t.Fatalf("%s: %d records", f.Path, f.Records)
		}
	}
}

// A published file never changes: a number routed after publication shows
// up in later hours only, and the state that made a file can rebuild it.
func TestStateChangesReachLaterHoursOnly(t *testing.T) {
	c := &Clock{wall: func() time.Time { return feedNow }}
	s, err := New(feedSeed(), c)
	if err != nil {
		t.Fatal(err)
	}
	s.ConfigureFeed(FeedConfig{Seed: 5})
	before := fileBytes(t, s, "pAlpha")
	if _, err := s.PatchAccountNumber("pAlpha", "acct1", "18015550104", map[string]any{"referenceType": "END_USER", "referenceId": "uBob"}, Actor{}); err != nil {
		t.Fatal(err)
	}
	next := feedNow.Truncate(time.Hour)
	if _, err := s.FillCDRs("pAlpha", next, next.Add(2*time.Hour), 200); err != nil {
		t.Fatal(err)
	}
	c.Advance(3 * time.Hour)
	after := fileBytes(t, s, "pAlpha")
	newPaths := 0
	for p, data := range after {
		old, ok := before[p]
		if ok && !bytes.Equal(old, data) {
			t.Fatalf("%s changed after publication", p)
		}
		if ok {
			if bytes.Contains(gunzip(t, old), []byte("18015550104")) {
				t.Fatalf("%s: the new subscriber is in a file published before it existed", p)
			}
			continue
		}
		newPaths++
		if strings.Contains(p, "T15") || strings.Contains(p, "T16") {
			if !bytes.Contains(gunzip(t, data), []byte(",18015550104,")) {
				t.Fatalf("%s: 200 calls and the new subscriber in none", p)
			}
		}
	}
	if newPaths != 3 {
		t.Fatalf("%d new files", newPaths)
	}
}

// cdrsearch of an account returns exactly the account's records of the
// generated files, in the same order; an account outside the partition is
// a 404.
func TestSearchAgreesWithGeneratedFiles(t *testing.T) {
	s := feedStore(t, FeedConfig{Seed: 11})
	for _, acct := range []string{"acct1", "acct2"} {
		var want []CallDetailRecord
		for _, data := range fileBytes(t, s, "pAlpha") {
			rows, err := csv.NewReader(bytes.NewReader(gunzip(t, data))).ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			for _, row := range rows[1:] {
				rec := recordFromRow(t, rows[0], row)
				if rec.AcctID == acct {
					want = append(want, rec)
				}
			}
		}
		sortByStart(want)
		page, err := s.SearchCDRs("pAlpha", acct, CDRQuery{From: feedNow.Add(-96 * time.Hour), To: feedNow, Sort: "DATE", Ascending: true, Max: 100000})
		if err != nil {
			t.Fatal(err)
		}
		if len(want) < 50 || page.TotalRecords != int64(len(want)) {
			t.Fatalf("%s: search %d, files %d", acct, page.TotalRecords, len(want))
		}
		for i := range want {
			a, _ := json.Marshal(want[i])
			b, _ := json.Marshal(page.Results[i])
			if !bytes.Equal(a, b) {
				t.Fatalf("%s record %d:\nfile   %s\nsearch %s", acct, i, a, b)
			}
		}
	}
	_, err := s.SearchCDRs("pAlpha", "nope", CDRQuery{To: feedNow, Max: 20})
	wantCode(t, err, 404, "EntityNotFound")
	if se := err.(*Error); se.Data.(EntityRef) != (EntityRef{Type: "Account", ID: "nope"}) {
		t.Fatalf("data %#v", se.Data)
	}
	_, err = s.SearchCDRs("pAlpha", "acct3", CDRQuery{To: feedNow, Max: 20})
	wantCode(t, err, 404, "EntityNotFound")
}

// recordFromRow reads a CSV row back into a record through its JSON names.
func recordFromRow(t *testing.T, header, row []string) CallDetailRecord {
	t.Helper()
	obj := map[string]json.RawMessage{}
	for i, cell := range row {
		if cell == "" {
			continue
		}
		switch header[i] {
		case "actualCallLengthSeconds", "billCallLengthSeconds", "ratePerMinute", "cost", "inPlan", "local",
			"accountBillingCycleDay", "meanOpinionScoreAverage", "sipCallIds", "meanOpinionScores", "correlationData", "applicationData":
			obj[header[i]] = json.RawMessage(cell)
		default:
			b, _ := json.Marshal(cell)
			obj[header[i]] = b
		}
	}
	b, _ := json.Marshal(obj)
	var rec CallDetailRecord
	if err := json.Unmarshal(b, &rec); err != nil {
		t.Fatal(err)
	}
	return rec
}

// The files depend on the state, not on the order it was given in nor on
// map order: reversed lists and a snapshot round trip give the same bytes.
func TestFeedIndependentOfStateOrder(t *testing.T) {
	clock := func() *Clock { return &Clock{wall: func() time.Time { return feedNow }} }
	build := func(st State) map[string][]byte {
		s, err := New(st, clock())
		if err != nil {
			t.Fatal(err)
		}
		s.ConfigureFeed(FeedConfig{Seed: 77})
		return fileBytes(t, s, "pAlpha")
	}
	want := build(feedSeed())
	st := feedSeed()
	slices.Reverse(st.Accounts)
	slices.Reverse(st.EndUsers)
	slices.Reverse(st.TelephoneNumbers)
	slices.Reverse(st.CallingPlanProducts)
	s, err := New(st, clock())
	if err != nil {
		t.Fatal(err)
	}
	for name, got := range map[string]map[string][]byte{"reversed": build(st), "snapshot": build(s.Snapshot())} {
		if len(got) != len(want) {
			t.Fatalf("%s: %d files", name, len(got))
		}
		for p, data := range want {
			if !bytes.Equal(data, got[p]) {
				t.Fatalf("%s: %s differs", name, p)
			}
		}
	}
}

// BenchmarkPublishDay measures building a day of files for a partition with
// 1,000 subscribers (the cost of the first listing after a quiet day).
func BenchmarkPublishDay(b *testing.B) {
	st := feedSeed()
	for i := range 1000 {
		acct := fmt.Sprintf("bench%04d", i)
		st.Accounts = append(st.Accounts, Account{ID: acct, PartitionID: "pAlpha", AccountNumber: "N-" + acct, AccountName: "Bench " + acct,
			AccountType: "SIMPLE", TimeZone: "US/Mountain"})
		st.EndUsers = append(st.EndUsers, EndUser{ID: "u" + acct, PartitionID: "pAlpha", AccountID: acct, LastName: "Bench"})
		st.TelephoneNumbers = append(st.TelephoneNumbers, NumberRecord{PartitionID: "pAlpha", PhoneNumber: fmt.Sprintf("1212555%04d", 2000+i),
			OnAccount: &AccountNumber{AccountID: acct, ReferenceType: "END_USER", ReferenceID: "u" + acct}})
	}
	s, err := New(st, &Clock{wall: func() time.Time { return feedNow }})
	if err != nil {
		b.Fatal(err)
	}
	s.ConfigureFeed(FeedConfig{Seed: 1, Retention: 25 * time.Hour})
	b.ResetTimer()
	for range b.N {
		s.ConfigureFeed(FeedConfig{Seed: 1, Retention: 25 * time.Hour}) // drops the files
		files, err := s.FeedFiles("pAlpha")
		if err != nil || len(files) != 24 {
			b.Fatalf("%d files, %v", len(files), err)
		}
	}
}

// A state whose numbers ring a SIP trunk loads and restores (routes are
// checked once trunks are loaded, not before).
func TestStateWithTrunkRoutedNumberRestores(t *testing.T) {
	s := feedStore(t, FeedConfig{Seed: 1})
	snap := s.Snapshot()
	if err := s.Restore(snap); err != nil {
		t.Fatal(err)
	}
	st := feedSeed()
	st.TelephoneNumbers[len(st.TelephoneNumbers)-1].OnAccount.ReferenceID = "noSuchTrunk"
	if _, err := New(st, nil); err == nil || !strings.Contains(err.Error(), "InvalidReferenceId") {
		t.Fatalf("a route to an unknown trunk loaded: %v", err)
	}
}
