package store

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
)

func trunkIn(name, user string) SipTrunk {
	return SipTrunk{TrunkName: name, SipUsername: user, SipPassword: "secret1", ConcurrentCalls: 2}
}

// A device line and a trunk share one SIP username namespace, both ways.
func TestSipUsernameSharedWithDeviceLines(t *testing.T) {
	s := newTree(t)
	a, _ := s.CreateAccount("p1", advanced("SP-1"), tester)
	u, err := s.CreateEndUser("p1", a.ID, EndUser{Username: "jo@example.com", FirstName: "Joe", LastName: "Smith", Extension: "2001"}, tester)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateDevice("p1", a.ID, Device{DeviceTypeID: "SPA112", DeviceName: "ata", UserID: u.ID, LineNumber: 1, SipUsername: "shared-name-1"}, tester); err != nil {
		t.Fatal(err)
	}
	_, err = s.CreateSipTrunk("p1", a.ID, trunkIn("T", "SHARED-NAME-1"), tester)
	wantCode(t, err, 400, "SipUsernameInUse")
	if _, err := s.CreateSipTrunk("p1", a.ID, trunkIn("T", "trunk-name-1"), tester); err != nil {
		t.Fatal(err)
	}
	_, err = s.CreateDevice("p1", a.ID, Device{DeviceTypeID: "SPA112", DeviceName: "ata", UserID: u.ID, LineNumber: 2, SipUsername: "trunk-name-1"}, tester)
	wantCode(t, err, 400, "SipUsernameInUse")
}

// Deleting an account takes its trunks, groups and messages with it and
// frees the trunks' SIP usernames.
func TestDeleteAccountDropsTrunksAndMessages(t *testing.T) {
	s := newTree(t)
	a, _ := s.CreateAccount("p1", advanced("SP-1"), tester)
	u, _ := s.CreateEndUser("p1", a.ID, EndUser{Username: "jo@example.com", LastName: "Smith", Extension: "2001"}, tester)
	if _, err := s.CreateSipTrunk("p1", a.ID, trunkIn("T", "trunk-name-1"), tester); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateSipTrunkGroup("p1", a.ID, SipTrunkGroup{Name: "G"}, tester); err != nil {
		t.Fatal(err)
	}
	if _, err := s.StageVoicemailMessage(u.VoicemailBoxID, StagedMessage{FromName: "x"}); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteAccount("p1", a.ID, tester); err != nil {
		t.Fatal(err)
	}
	snap := s.Snapshot()
	if len(snap.SipTrunks)+len(snap.SipTrunkGroups)+len(snap.VoicemailMessages) != 0 {
		t.Fatalf("left behind: %d trunks, %d groups, %d messages", len(snap.SipTrunks), len(snap.SipTrunkGroups), len(snap.VoicemailMessages))
	}
	b, _ := s.CreateAccount("p1", advanced("SP-2"), tester)
	if _, err := s.CreateSipTrunk("p1", b.ID, trunkIn("T", "trunk-name-1"), tester); err != nil {
		t.Fatalf("sip username not freed: %v", err)
	}
	if err := s.Restore(snap); err != nil {
		t.Fatalf("snapshot after cascade does not load: %v", err)
	}
}

// Everything this part of the store keeps survives a snapshot and restore;
// a job that had not finished comes back FAILED.
func TestTrunkTreeSnapshotRestore(t *testing.T) {
	s := newTree(t)
	a, _ := s.CreateAccount("p1", advanced("SP-1"), tester)
	u, _ := s.CreateEndUser("p1", a.ID, EndUser{Username: "jo@example.com", LastName: "Smith", Extension: "2001"}, tester)
	g, err := s.CreateSipTrunkGroup("p1", a.ID, SipTrunkGroup{Name: "G"}, tester)
	if err != nil {
		t.Fatal(err)
	}
	in := trunkIn("T", "trunk-name-1")
	in.SipTrunkGroupID = g.ID
	tr, err := s.CreateSipTrunk("p1", a.ID, in, tester)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.SetSipTrunkForward("p1", a.ID, tr.ID, SipTrunkForwardRules{ForwardOnFailure: []SipTrunkForwardReference{{ReferenceType: "BUSY"}}}, tester); err != nil {
		t.Fatal(err)
	}
	m1, _ := s.StageVoicemailMessage(u.VoicemailBoxID, StagedMessage{FromName: "first"})
	m2, _ := s.StageVoicemailMessage(u.VoicemailBoxID, StagedMessage{FromName: "second", Read: true})
	if err := s.SetVoicemailPin("p1", a.ID, u.VoicemailBoxID, "1234", tester); err != nil {
		t.Fatal(err)
	}
	done, _ := startReport(s, "p1", "u1", ReportAccount, 0, 0)
	if err := s.SetLifecycleMode(KindJob, LifecycleMode{Mode: ModeManual}); err != nil {
		t.Fatal(err)
	}
	pending, _ := startReport(s, "p1", "u1", ReportAccount, 0, 0)

	snap := s.Snapshot()
	if err := s.Restore(snap); err != nil {
		t.Fatal(err)
	}
	again := s.Snapshot()
	if !reflect.DeepEqual(again.SipTrunks, snap.SipTrunks) || !reflect.DeepEqual(again.VoicemailMessages, snap.VoicemailMessages) {
		t.Fatalf("round trip changed trunks or messages:\n%v\n%v\n%v\n%v", snap.SipTrunks, again.SipTrunks, snap.VoicemailMessages, again.VoicemailMessages)
	}
	got, _ := s.SipTrunk("p1", a.ID, tr.ID)
	if got.SipTrunkGroupID != g.ID || got.SipProxyServer != DefaultSipTrunkProxyServer {
		t.Fatalf("trunk after restore: %+v", got)
	}
	if f, _ := s.SipTrunkForward("p1", a.ID, tr.ID); len(f.ForwardOnFailure) != 1 {
		t.Fatalf("forward rules after restore: %+v", f)
	}
	msgs, _ := s.VoicemailMessages("p1", a.ID, u.VoicemailBoxID)
	if len(msgs) != 2 || msgs[0].ID != m2.ID || msgs[1].ID != m1.ID {
		t.Fatalf("messages after restore: %+v", msgs)
	}
	box, _ := s.VoicemailBox("p1", a.ID, u.VoicemailBoxID)
	if box.TotalVoicemails != 2 || box.TotalUnreadVoicemails != 1 {
		t.Fatalf("totals after restore: %d/%d", box.TotalVoicemails, box.TotalUnreadVoicemails)
	}
	if len(again.VoicemailPins) != 1 {
		t.Fatalf("pins: %v", again.VoicemailPins)
	}
	if out, err := s.JobOutput(done.ID, nil); err != nil || !strings.HasPrefix(out, "id,accountNumber") {
		t.Fatalf("done job output after restore: %q %v", out, err)
	}
	j, _ := s.Job(pending.ID, nil)
	if j.Status != JobFailed || len(j.Errors) != 1 || j.Errors[0].Error != "JobInterrupted" {
		t.Fatalf("pending job after restore: %+v", j)
	}
}

// A partition reset of another partition leaves a pending job going; a
// fixture job that had not finished loads FAILED.
func TestJobsSurvivePartitionEdits(t *testing.T) {
	s := newTree(t)
	if err := s.SetLifecycleMode(KindJob, LifecycleMode{Mode: ModeManual}); err != nil {
		t.Fatal(err)
	}
	j, _ := startReport(s, "p1", "u1", ReportAccount, 0, 0)
	if err := s.ResetPartition("p2"); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if _, err := s.AdvanceLifecycle(KindJob, j.ID); err != nil {
			t.Fatal(err)
		}
	}
	if out, err := s.JobOutput(j.ID, nil); err != nil || !strings.HasPrefix(out, "id,") {
		t.Fatalf("job after a reset elsewhere: %q %v", out, err)
	}

	// every list of this part of the store goes with its partition
	a, _ := s.CreateAccount("p1", advanced("SP-1"), tester)
	u, _ := s.CreateEndUser("p1", a.ID, EndUser{Username: "jo@example.com", LastName: "Smith", Extension: "2001"}, tester)
	g, _ := s.CreateSipTrunkGroup("p1", a.ID, SipTrunkGroup{Name: "G"}, tester)
	in := trunkIn("T", "trunk-name-1")
	in.SipTrunkGroupID = g.ID
	if _, err := s.CreateSipTrunk("p1", a.ID, in, tester); err != nil {
		t.Fatal(err)
	}
	if _, err := s.StageVoicemailMessage(u.VoicemailBoxID, StagedMessage{}); err != nil {
		t.Fatal(err)
	}
	if err := s.SetVoicemailPin("p1", a.ID, u.VoicemailBoxID, "1234", tester); err != nil {
		t.Fatal(err)
	}
	if err := s.ResetPartition("p1"); err != nil {
		t.Fatalf("partition reset: %v", err)
	}
	if snap := s.Snapshot(); len(snap.SipTrunks)+len(snap.SipTrunkGroups)+len(snap.VoicemailMessages)+len(snap.VoicemailPins)+len(snap.Jobs) != 0 {
		t.Fatalf("left after the reset: %+v", snap)
	}

	st := treeState()
	st.Jobs = []JobRecord{{Job: Job{ID: "j1", Status: JobPending}, PartitionID: "p1"}}
	s2, err := New(st, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := s2.Job("j1", nil); got.Status != JobFailed || got.Errors[0].Error != "JobInterrupted" {
		t.Fatalf("fixture job: %+v", got)
	}
}

func TestLoadRejectsBrokenTrunkTree(t *testing.T) {
	base := func() State {
		st := treeState()
		st.Accounts = []Account{{ID: "a1", PartitionID: "p1", AccountNumber: "SP-100", AccountName: "Acme", AccountType: "ADVANCED"}}
		st.VoicemailBoxes = []VoicemailBox{{ID: "b1", PartitionID: "p1", AccountID: "a1", Type: "Normal"}}
		st.SipTrunks = []SipTrunk{{ID: "t1", PartitionID: "p1", AccountID: "a1", TrunkName: "T", SipUsername: "trunk-one", SipPassword: "secret", ConcurrentCalls: 1}}
		return st
	}
	if _, err := New(base(), nil); err != nil {
		t.Fatalf("good seed: %v", err)
	}
	cases := map[string]func(*State){
		"trunk in unknown account": func(s *State) { s.SipTrunks[0].AccountID = "nope" },
		"trunk breaks a rule":      func(s *State) { s.SipTrunks[0].SipPassword = "x" },
		"duplicate sip username": func(s *State) {
			s.SipTrunks = append(s.SipTrunks, SipTrunk{ID: "t2", PartitionID: "p1", AccountID: "a1", TrunkName: "U", SipUsername: "TRUNK-ONE", SipPassword: "secret", ConcurrentCalls: 1})
		},
		"message in unknown box": func(s *State) { s.VoicemailMessages = []VoicemailMessage{{ID: "m", VoicemailBoxID: "nope"}} },
		"bad message": func(s *State) {
			s.VoicemailMessages = []VoicemailMessage{{ID: "m", VoicemailBoxID: "b1", MessageType: "SMS"}}
		},
		"bad pin": func(s *State) { s.VoicemailPins = []VoicemailPin{{VoicemailBoxID: "b1", Pin: "12"}} },
		"job in unknown partition": func(s *State) {
			s.Jobs = []JobRecord{{Job: Job{ID: "j", Status: JobDone}, PartitionID: "nope"}}
		},
		"job with bad status":  func(s *State) { s.Jobs = []JobRecord{{Job: Job{ID: "j", Status: "LOST"}, PartitionID: "p1"}} },
		"unknown setting type": func(s *State) { s.PartitionSettings = []PartitionSetting{{PartitionID: "p1", Type: "Nope"}} },
		"group lists members": func(s *State) {
			s.SipTrunkGroups = []SipTrunkGroup{{ID: "g", Name: "G", PartitionID: "p1", AccountID: "a1", SipTrunksIDs: []string{"t1"}}}
		},
	}
	for name, edit := range cases {
		st := base()
		edit(&st)
		if _, err := New(st, nil); err == nil {
			t.Errorf("%s: loaded", name)
		}
	}
}

// A partition setting from fixtures changes the proxy trunks report.
func TestProxySettingFromFixtures(t *testing.T) {
	st := treeState()
	st.PartitionSettings = []PartitionSetting{{PartitionID: "p1", Type: SettingSipTrunkProxyServer, Value: "sip.example.net:5065"}}
	s, err := New(st, nil)
	if err != nil {
		t.Fatal(err)
	}
	a, _ := s.CreateAccount("p1", advanced("SP-1"), tester)
	tr, err := s.CreateSipTrunk("p1", a.ID, trunkIn("T", "trunk-name-1"), tester)
	if err != nil || tr.SipProxyServer != "sip.example.net:5065" {
		t.Fatalf("proxy %q %v", tr.SipProxyServer, err)
	}
	if len(tr.CallingPlans) != 1 || tr.CallingPlans[0].ReferenceType != "SIP_TRUNK" || tr.CallingPlans[0].ReferenceID != tr.ID {
		t.Fatalf("default calling plan: %+v", tr.CallingPlans)
	}
}

// The store keeps at most MaxJobs jobs: the oldest finished ones go first,
// unfinished ones stay.
func TestJobsAreBounded(t *testing.T) {
	s := newTree(t)
	if err := s.SetLifecycleMode(KindJob, LifecycleMode{Mode: ModeManual}); err != nil {
		t.Fatal(err)
	}
	pending, _ := startReport(s, "p1", "u1", ReportAccount, 0, 0)
	if err := s.SetLifecycleMode(KindJob, LifecycleMode{Mode: ModeImmediate}); err != nil {
		t.Fatal(err)
	}
	first, _ := startReport(s, "p1", "u1", ReportAccount, 0, 0)
	var last Job
	for i := 0; i < MaxJobs; i++ {
		last, _ = startReport(s, "p1", "u1", ReportAccount, 0, 0)
	}
	if n := len(s.Snapshot().Jobs); n != MaxJobs {
		t.Fatalf("%d jobs kept, want %d", n, MaxJobs)
	}
	if _, err := s.Job(first.ID, nil); err == nil {
		t.Fatal("the oldest finished job is still there")
	}
	for _, id := range []string{pending.ID, last.ID} {
		if _, err := s.Job(id, nil); err != nil {
			t.Fatalf("job %s dropped: %v", id, err)
		}
	}
}

func BenchmarkCreateSipTrunk(b *testing.B) {
	s := newTree(b)
	a, _ := s.CreateAccount("p1", advanced("SP-1"), tester)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := s.CreateSipTrunk("p1", a.ID, trunkIn(fmt.Sprintf("T%d", i), fmt.Sprintf("trunk-%08d", i)), tester); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkUserReportJob builds the user CSV of a partition with 1,000 users.
func BenchmarkUserReportJob(b *testing.B) {
	s := newTree(b)
	for i := 0; i < 10; i++ {
		a, _ := s.CreateAccount("p1", advanced(fmt.Sprintf("SP-%d", i)), tester)
		for j := 0; j < 100; j++ {
			if _, err := s.CreateEndUser("p1", a.ID, EndUser{Username: fmt.Sprintf("u%d-%d@example.com", i, j), LastName: "Smith", Extension: fmt.Sprint(2000 + j)}, tester); err != nil {
				b.Fatal(err)
			}
		}
	}
	now := s.Clock().Now()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		j, err := startReport(s, "p1", "u1", ReportUser, int(now.Month()), now.Year())
		if err != nil || j.Status != JobDone {
			b.Fatalf("%v %+v", err, j)
		}
	}
}

func BenchmarkVoicemailWAV(b *testing.B) {
	for i := 0; i < b.N; i++ {
		_ = VoicemailWAV(5)
	}
}

// A state written by hand (or by an older emulator) may leave out the lists
// the server always sends; read back, they are [] and never null.
func TestLoadedStateSendsListsAsEmpty(t *testing.T) {
	st := treeState()
	st.Accounts = []Account{{ID: "a1", PartitionID: "p1", AccountNumber: "SP-100", AccountName: "Acme", AccountType: "ADVANCED"}}
	st.SipTrunkGroups = []SipTrunkGroup{{ID: "g1", Name: "G", PartitionID: "p1", AccountID: "a1"}}
	st.Jobs = []JobRecord{{ID: "j1", Job: Job{ID: "j1", Status: JobDone}, PartitionID: "p1", Output: "a,b\n"}}
	st.RateCenters = []RateCenterRecord{{RateCenter: RateCenter{Prefix: "1801555", Name: "SALT LAKE CITY", State: "UT", Country: "USA"}}}
	s, err := New(st, nil)
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	for _, c := range []struct {
		name, want string
		read       func() (any, error)
	}{
		{"group", `"sipTrunksIds":[]`, func() (any, error) { return s.SipTrunkGroup("p1", "a1", "g1") }},
		{"groups", `"sipTrunksIds":[]`, func() (any, error) { return s.SipTrunkGroups("p1", "a1") }},
		{"job", `"errors":[]`, func() (any, error) { return s.Job("j1", nil) }},
		{"rate center", `"zips":[]`, func() (any, error) { return s.RateCenterOf("p1", "18015550100") }},
	} {
		v, err := c.read()
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if !strings.Contains(string(b), c.want) || strings.Contains(string(b), "null") {
			t.Errorf("%s: %s, want %s and no null", c.name, b, c.want)
		}
	}
}

// startReport starts a report job as the routes do: the report checked,
// then started.
func startReport(s *Store, partitionID, userID, kind string, month, year int) (Job, error) {
	e, err := s.ReportExport(partitionID, kind, month, year, false)
	if err != nil {
		return Job{}, err
	}
	return s.StartExport(e, userID)
}
