package store

import (
	"encoding/json"
	"errors"
	"net/http"
	"testing"
)

func twoPartitions(t *testing.T) *Store {
	t.Helper()
	seed := State{
		Partitions: []Partition{{ID: "pA", Name: "Alpha"}, {ID: "pB", Name: "Bravo"}},
		ManagementUsers: []ManagementUser{
			{ID: "uA", Username: "a@example.com", Password: "x", PartitionID: "pA"},
			{ID: "uB", Username: "b@example.com", Password: "x", PartitionID: "pB"},
		},
	}
	st, err := New(seed, NewClock())
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func TestResetPartitionLeavesTheOthers(t *testing.T) {
	st := twoPartitions(t)
	// Change both partitions, and add a user to A.
	if err := st.Overlay(json.RawMessage(`{"partitions":[{"id":"pA","name":"Changed A"},{"id":"pB","name":"Changed B"}],
		"managementUsers":[{"id":"uA2","username":"a2@example.com","password":"y","partitionId":"pA"}]}`)); err != nil {
		t.Fatal(err)
	}
	if p, _ := st.Partition("pA"); p.Name != "Changed A" || p.Status != "ACTIVE" {
		t.Fatalf("overlay kept other fields? %+v", p)
	}
	if err := st.ResetPartition("pA"); err != nil {
		t.Fatal(err)
	}
	if p, _ := st.Partition("pA"); p.Name != "Alpha" {
		t.Errorf("pA not reset: %+v", p)
	}
	if p, _ := st.Partition("pB"); p.Name != "Changed B" {
		t.Errorf("pB touched: %+v", p)
	}
	if _, err := st.ManagementUserByID("uA2"); err == nil {
		t.Error("user added to pA survived its reset")
	}
	if _, err := st.ManagementUserByID("uA"); err != nil {
		t.Errorf("seed user of pA not back: %v", err)
	}
	var se *Error
	if err := st.ResetPartition("nope"); !errors.As(err, &se) || se.Status != http.StatusNotFound || se.Code != "EntityNotFound" {
		t.Errorf("unknown partition: %v", err)
	}
}

func TestResetPartitionDropsACreatedPartition(t *testing.T) {
	st := twoPartitions(t)
	p, u, err := st.CreatePartition("")
	if err != nil {
		t.Fatal(err)
	}
	if p.Name == "" || p.Status != "ACTIVE" || u.PartitionID != p.ID || len(u.Password) < 12 {
		t.Fatalf("created %+v %+v", p, u)
	}
	if got, err := st.Authenticate(u.Username, u.Password); err != nil || got.ID != u.ID || got.Permissions["Account"] != "DELETE" {
		t.Fatalf("new login: %+v %v", got, err)
	}
	if err := st.ResetPartition(p.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Partition(p.ID); err == nil {
		t.Error("a partition absent from the seed survives its reset")
	}
	if _, err := st.Authenticate(u.Username, u.Password); err == nil {
		t.Error("its login survives")
	}
	p2, u2, _ := st.CreatePartition("Named")
	if p2.Name != "Named" || p2.ID == p.ID || u2.Username == u.Username {
		t.Errorf("second partition: %+v %+v", p2, u2)
	}
}

func TestOverlayRefusesWhatDoesNotLoad(t *testing.T) {
	st := twoPartitions(t)
	before := st.Snapshot()
	for _, bad := range []string{
		`[1]`,
		`{"widgets":[{"id":"w"}]}`,
		`{"managementUsers":[{"id":"u9","username":"z@example.com","password":"p","partitionId":"ghost"}]}`,
		`{"partitions":[{"id":"pA","name":7}]}`,
	} {
		var se *Error
		if err := st.Overlay(json.RawMessage(bad)); !errors.As(err, &se) || se.Code != "InvalidState" {
			t.Errorf("%s: %v", bad, err)
		}
	}
	after := st.Snapshot()
	if b1, b2 := mustJSON(t, before), mustJSON(t, after); b1 != b2 {
		t.Errorf("failed overlays changed the state:\n%s\n%s", b1, b2)
	}
}

func TestEditKeepsLifecycleOfObjectsThatStay(t *testing.T) {
	st := twoPartitions(t)
	st.mu.Lock()
	st.life.tracked["pB"] = &progress{kind: KindJob}
	st.life.tracked["gone"] = &progress{kind: KindJob}
	st.mu.Unlock()
	if err := st.ResetPartition("pA"); err != nil {
		t.Fatal(err)
	}
	st.mu.RLock()
	_, kept := st.life.tracked["pB"]
	_, dropped := st.life.tracked["gone"]
	st.mu.RUnlock()
	if !kept || dropped {
		t.Errorf("tracking after edit: kept %v, dropped-one still there %v", kept, dropped)
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestRawStateKeepsListsOfPlainValues(t *testing.T) {
	in := State{Partitions: []Partition{{ID: "p", Name: "P"}}, ArchivedCallingPlanProductIDs: []string{"plan1", "plan2"}}
	raw, err := toRaw(in)
	if err != nil {
		t.Fatal(err)
	}
	out, err := raw.state()
	if err != nil {
		t.Fatal(err)
	}
	if mustJSON(t, in) != mustJSON(t, out) {
		t.Errorf("round trip:\n%s\n%s", mustJSON(t, in), mustJSON(t, out))
	}
}

func TestLifecycleOutcomeReject(t *testing.T) {
	m, err := ParseLifecycleMode("immediate+reject")
	if err != nil || m.Mode != ModeImmediate || m.Outcome != OutcomeReject || m.String() != "immediate+reject" {
		t.Fatalf("parse: %+v %v", m, err)
	}
	if m, err := ParseLifecycleMode("reads:2+reject"); err != nil || m.Reads != 2 || m.Outcome != OutcomeReject {
		t.Fatalf("parse reads: %+v %v", m, err)
	}
	if _, err := ParseLifecycleMode("manual+maybe"); err == nil {
		t.Error("unknown outcome accepted")
	}
	var back LifecycleMode
	b, _ := json.Marshal(m)
	if err := json.Unmarshal(b, &back); err != nil || back != m || string(b) != `{"mode":"immediate","outcome":"reject"}` {
		t.Errorf("json: %s %+v %v", b, back, err)
	}

	s, a, _ := numbersStore(t)
	var se *Error
	if err := s.SetLifecycleMode(KindActivation, m); !errors.As(err, &se) || se.Code != "InvalidLifecycleMode" {
		t.Errorf("reject outcome for activations: %v", err)
	}
	if err := s.SetLifecycleMode(KindPort, m); err != nil {
		t.Fatal(err)
	}
	in := activation("18015559000") // a name the carrier would accept
	in.Port = &Port{}
	out, err := s.CreateAccountNumbers("p1", a.ID, in, tester)
	if err != nil {
		t.Fatal(err)
	}
	if p, _ := s.Port("p1", a.ID, out.Port.ID); p.Status != "PORT_REJECTED" {
		t.Errorf("port with outcome reject: %s", p.Status)
	}
}
