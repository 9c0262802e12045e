package store

import (
	"fmt"
	"sync"
	"testing"
	"time"
)

var other = Actor{UserName: "b@example.com", UserID: "u2", UserType: "ManagementUser"}

func numbersState() State {
	st := treeState()
	st.RateCenters = []RateCenterRecord{
		{RateCenter: RateCenter{Prefix: "1801555", Name: "SALT LAKE CITY", State: "UT", Country: "USA", Zips: []string{"84101", "84102"}, Portable: true, ServiceAvailable: true}, Latitude: 40.76, Longitude: -111.89},
		{RateCenter: RateCenter{Prefix: "1303555", Name: "DENVER", State: "CO", Country: "USA", Zips: []string{"80202"}, Portable: true, ServiceAvailable: true}, Latitude: 39.74, Longitude: -104.99},
		{RateCenter: RateCenter{Prefix: "1385555", Name: "PROVO", State: "UT", Country: "USA", Zips: []string{"84601"}, Portable: false}, Latitude: 40.23, Longitude: -111.66},
	}
	for i := 100; i < 110; i++ {
		st.TelephoneNumbers = append(st.TelephoneNumbers,
			NumberRecord{PartitionID: "p1", PhoneNumber: fmt.Sprintf("1801555%04d", i)},
			NumberRecord{PartitionID: "p1", PhoneNumber: fmt.Sprintf("1303555%04d", i)},
			NumberRecord{PartitionID: "p2", PhoneNumber: fmt.Sprintf("1801555%04d", i+50)})
	}
	st.TelephoneNumbers = append(st.TelephoneNumbers, NumberRecord{PartitionID: "p1", PhoneNumber: "18005550100", FunctionType: "TollFree"})
	return st
}

// numbersStore is a frozen-clock store with one ADVANCED account and one end user in p1.
func numbersStore(t testing.TB) (*Store, Account, EndUser) {
	t.Helper()
	clock := NewClock()
	clock.Set(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)) // a Monday
	clock.Freeze(true)
	s, err := New(numbersState(), clock)
	if err != nil {
		t.Fatal(err)
	}
	a, err := s.CreateAccount("p1", advanced("SP-1"), tester)
	if err != nil {
		t.Fatal(err)
	}
	u, err := s.CreateEndUser("p1", a.ID, EndUser{FirstName: "Ann", LastName: "Lee", Username: "ann@example.com", Extension: "2001"}, tester)
	if err != nil {
		t.Fatal(err)
	}
	return s, a, u
}

func csrUT() *CustomerServiceRecord {
	return &CustomerServiceRecord{Address: Address{BusinessName: "Acme", StreetNumber: "100", StreetName: "MAIN", StreetSuffix: "ST",
		City: "SALT LAKE CITY", State: "UT", Country: "USA", PostalCode: "84101"}, CustomerType: "BUSINESS"}
}

func activation(tns ...string) Activation {
	a := Activation{CustomerServiceRecord: csrUT(), DirectoryListing: &DirectoryListing{Type: "NOT_LIST_NOT_PUBLISH"}}
	for _, tn := range tns {
		a.TelephoneNumbers = append(a.TelephoneNumbers, BareNumber{PhoneNumber: tn})
	}
	return a
}

func mustActivate(t *testing.T, s *Store, acct string, tns ...string) Activation {
	t.Helper()
	out, err := s.CreateAccountNumbers("p1", acct, activation(tns...), tester)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestReservationExpiresAfter30MinutesOfServerTime(t *testing.T) {
	s, a, _ := numbersStore(t)
	tn := "18015550100"
	r, err := s.Reserve("p1", tn, tester.UserID)
	if err != nil || !r.Reserved || r.TN != tn {
		t.Fatalf("reserve: %+v %v", r, err)
	}
	_, err = s.Reserve("p1", tn, other.UserID)
	wantCode(t, err, 400, "TelephoneNumberAlreadyReserved")
	wantCode(t, s.ReleaseReservation("p1", tn, other.UserID), 400, "TelephoneNumberAlreadyReserved")
	_, err = s.CreateAccountNumbers("p1", a.ID, activation(tn), other)
	wantCode(t, err, 400, "TelephoneNumberAlreadyReserved")
	if hits, _ := s.SearchNumbers("p1", NumberSearch{Type: SearchTN, Q: tn}); len(hits) != 0 {
		t.Fatalf("a reserved number is found: %v", hits)
	}
	s.Clock().Advance(29 * time.Minute)
	_, err = s.Reserve("p1", tn, other.UserID)
	wantCode(t, err, 400, "TelephoneNumberAlreadyReserved")
	s.Clock().Advance(time.Minute)
	if _, err := s.Reserve("p1", tn, other.UserID); err != nil {
		t.Fatalf("after 30 minutes the reservation must lapse: %v", err)
	}
	if err := s.ReleaseReservation("p1", tn, other.UserID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Reserve("p1", "18015559999", tester.UserID); err == nil {
		t.Fatal("unknown number reserved")
	}
	_, err = s.Reserve("p1", "18015550150", tester.UserID) // p2's number
	wantCode(t, err, 404, "EntityNotFound")
}

func TestANumberIsOnAtMostOneAccount(t *testing.T) {
	s, a, _ := numbersStore(t)
	b, err := s.CreateAccount("p1", advanced("SP-2"), tester)
	if err != nil {
		t.Fatal(err)
	}
	mustActivate(t, s, a.ID, "18015550100")
	_, err = s.CreateAccountNumbers("p1", b.ID, activation("18015550100"), tester)
	wantCode(t, err, 400, "TelephoneNumberAlreadyOnAccount")
	_, err = s.CreateAccountNumbers("p1", b.ID, activation("18015550150"), tester) // p2's inventory
	wantCode(t, err, 400, "TelephoneNumberNotInInventory")
	_, err = s.CreateAccountNumbers("p1", b.ID, activation("19995550100"), tester)
	wantCode(t, err, 400, "TelephoneNumberNotInInventory")
	_, err = s.CreateAccountNumbers("p1", b.ID, activation("1801555010"), tester)
	wantCode(t, err, 400, "InvalidValueForField:phoneNumber")
	_, err = s.CreateAccountNumbers("p1", b.ID, activation("18015550101", "18015550101"), tester)
	wantCode(t, err, 400, "DuplicateTelephoneNumber")
	_, err = s.Reserve("p1", "18015550100", tester.UserID)
	wantCode(t, err, 400, "TelephoneNumberAlreadyOnAccount")
	wantCode(t, s.DeleteInventoryNumber("p1", "18015550100"), 400, "TelephoneNumberAlreadyOnAccount")
	if id, ok := s.accountIDByNumber("p1", "18015550100"); !ok || id != a.ID {
		t.Fatalf("account by number: %q %v", id, ok)
	}
	got, err := s.AccountByIDType("p1", "18015550100", AccountIDTypePhoneNumber)
	if err != nil || got.ID != a.ID {
		t.Fatalf("account by phone number: %v", err)
	}
}

func TestActivationRules(t *testing.T) {
	s, a, _ := numbersStore(t)
	cases := []struct {
		name string
		edit func(*Activation)
		code string
	}{
		{"no numbers", func(x *Activation) { x.TelephoneNumbers = nil }, "TelephoneNumbersRequired"},
		{"no CSR", func(x *Activation) { x.CustomerServiceRecord = nil }, "CustomerServiceRecordRequired"},
		{"no directory listing", func(x *Activation) { x.DirectoryListing = nil }, "DirectoryListingRequired"},
		{"bad e911", func(x *Activation) { x.E911Address = &E911Address{Address: Address{StreetName: "INVALID WAY"}} }, "InvalidE911Address"},
		{"CSR address needs a unit", func(x *Activation) { x.CustomerServiceRecord.SecondaryLocationDescription = "SUITE" }, "InvalidE911Address"},
		{"route to unknown user", func(x *Activation) {
			x.TelephoneNumbers[0].ReferenceType, x.TelephoneNumbers[0].ReferenceID = "END_USER", "nobody"
		}, "InvalidReferenceId"},
	}
	for _, c := range cases {
		in := activation("18015550100")
		c.edit(&in)
		_, err := s.CreateAccountNumbers("p1", a.ID, in, tester)
		wantCode(t, err, 400, c.code)
	}
	simple, err := s.CreateAccount("p1", Account{AccountNumber: "HOME-1", AccountName: "Home one", AccountType: "SIMPLE"}, tester)
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.CreateAccountNumbers("p1", simple.ID, activation("18015550100", "18015550101"), tester)
	wantCode(t, err, 400, "TooManyTelephoneNumbersForAccountType")
	// nothing changed on refusal
	if list, _ := s.AccountNumbers("p1", a.ID); len(list) != 0 {
		t.Fatalf("refused activations left numbers: %v", list)
	}
}

func TestActivationStepsFollowTheLifecycleMode(t *testing.T) {
	s, a, _ := numbersStore(t)
	// immediate (default): active at once, with two log lines
	mustActivate(t, s, a.ID, "18015550100")
	n, _ := s.AccountNumber("p1", a.ID, "18015550100")
	e, _ := s.ServiceEvent("p1", a.ID, "18015550100", "ACTIVATION")
	if n.CarrierStatus != "ACTIVE" || e.ActivationStatusType != "COMPLETED" || len(e.Logs) != 2 {
		t.Fatalf("immediate: %s %s %d logs", n.CarrierStatus, e.ActivationStatusType, len(e.Logs))
	}
	if v, _ := s.InventoryNumber("p1", "18015550100"); v.ActivationDate == 0 || v.AccountID != a.ID || v.IsInInventory {
		t.Fatalf("inventory view: %+v", v)
	}

	if err := s.SetLifecycleMode(KindActivation, LifecycleMode{Mode: ModeManual}); err != nil {
		t.Fatal(err)
	}
	mustActivate(t, s, a.ID, "18015550101")
	n, _ = s.AccountNumber("p1", a.ID, "18015550101")
	if n.CarrierStatus != "ACTIVATION_PENDING" {
		t.Fatalf("manual: %s", n.CarrierStatus)
	}
	e, _ = s.ServiceEvent("p1", a.ID, "18015550101", "ACTIVATION")
	if _, err := s.AdvanceLifecycle(KindActivation, e.ID); err != nil {
		t.Fatal(err)
	}
	n, _ = s.AccountNumber("p1", a.ID, "18015550101")
	if n.CarrierStatus != "ACTIVE" {
		t.Fatalf("after advance: %s", n.CarrierStatus)
	}

	if err := s.SetLifecycleMode(KindActivation, LifecycleMode{Mode: ModeReads, Reads: 2}); err != nil {
		t.Fatal(err)
	}
	mustActivate(t, s, a.ID, "18015550102")
	for i, want := range []string{"ACTIVATION_PENDING", "ACTIVE"} {
		if n, _ = s.AccountNumber("p1", a.ID, "18015550102"); n.CarrierStatus != want {
			t.Fatalf("read %d: %s, want %s", i+1, n.CarrierStatus, want)
		}
	}

	if err := s.SetLifecycleMode(KindActivation, LifecycleMode{Mode: ModeDuration, After: time.Hour}); err != nil {
		t.Fatal(err)
	}
	mustActivate(t, s, a.ID, "18015550103")
	page, _ := s.StatusSearch("p1", StatusQuery{TelephoneNumber: "18015550103"})
	if page.Results[0].ActivationStatusType != "PENDING" {
		t.Fatalf("duration, before: %s", page.Results[0].ActivationStatusType)
	}
	s.Clock().Advance(time.Hour)
	page, _ = s.StatusSearch("p1", StatusQuery{TelephoneNumber: "18015550103"})
	if page.Results[0].ActivationStatusType != "COMPLETED" {
		t.Fatalf("duration, after: %s", page.Results[0].ActivationStatusType)
	}
}

func TestHeldActivationWaitsForReleaseOrCancel(t *testing.T) {
	s, a, _ := numbersStore(t)
	in := activation("18015550100", "18015550101")
	in.HoldActivation = true
	if _, err := s.CreateAccountNumbers("p1", a.ID, in, tester); err != nil {
		t.Fatal(err)
	}
	n, _ := s.AccountNumber("p1", a.ID, "18015550100")
	if n.CarrierStatus != "ACTIVATION_ON_HOLD" {
		t.Fatalf("held: %s", n.CarrierStatus)
	}
	if _, err := s.AdvanceLifecycle(KindActivation, ""); err != nil {
		t.Fatal(err)
	}
	if n, _ = s.AccountNumber("p1", a.ID, "18015550100"); n.CarrierStatus != "ACTIVATION_ON_HOLD" {
		t.Fatalf("a held activation moved on by itself: %s", n.CarrierStatus)
	}
	e, err := s.ReleaseHeldActivation("p1", a.ID, "18015550100", "IN_PROGRESS", tester)
	if err != nil || e.ActivationStatusType != "COMPLETED" {
		t.Fatalf("release: %v %v", e.ActivationStatusType, err)
	}
	_, err = s.ReleaseHeldActivation("p1", a.ID, "18015550100", "IN_PROGRESS", tester)
	wantCode(t, err, 400, "ActivationNotOnHold")
	if _, err := s.ReleaseHeldActivation("p1", a.ID, "18015550101", "CANCELLED", tester); err != nil {
		t.Fatal(err)
	}
	_, err = s.AccountNumber("p1", a.ID, "18015550101")
	wantCode(t, err, 404, "EntityNotFound")
	if v, _ := s.InventoryNumber("p1", "18015550101"); !v.IsInInventory {
		t.Fatalf("a cancelled activation must return the number to the inventory: %+v", v)
	}
}

func TestCooldownThenBackToInventory(t *testing.T) {
	s, a, _ := numbersStore(t)
	mustActivate(t, s, a.ID, "18015550100", "18015550101")
	if err := s.DeleteAccountNumber("p1", a.ID, "18015550100", tester); err != nil {
		t.Fatal(err)
	}
	v, _ := s.InventoryNumber("p1", "18015550100")
	if v.IsInInventory || v.CooldownExpireDate != "2026-04-01T09:00:00.000Z" || v.AccountID != "" {
		t.Fatalf("cooldown view (30 days of the partition): %+v", v)
	}
	_, err := s.CreateAccountNumbers("p1", a.ID, activation("18015550100"), tester)
	wantCode(t, err, 400, "TelephoneNumberInCooldown")
	page, _ := s.StatusSearch("p1", StatusQuery{TelephoneNumber: "18015550100", EventTypes: []string{"DISCONNECT"}})
	if page.TotalRecords != 1 || page.Results[0].ActivationStatusType != "COOLDOWN" {
		t.Fatalf("disconnect event: %+v", page)
	}
	s.Clock().Advance(30*24*time.Hour - time.Second)
	if v, _ = s.InventoryNumber("p1", "18015550100"); v.IsInInventory {
		t.Fatal("back too early")
	}
	s.Clock().Advance(time.Second)
	if v, _ = s.InventoryNumber("p1", "18015550100"); !v.IsInInventory || v.CooldownExpireDate != "" {
		t.Fatalf("not back after the cooldown: %+v", v)
	}

	// recover early; an override of the cooldown days
	s.SetNumberCooldownDays(2)
	if err := s.DeleteAccountNumber("p1", a.ID, "18015550101", tester); err != nil {
		t.Fatal(err)
	}
	v, _ = s.InventoryNumber("p1", "18015550101")
	if v.CooldownExpireDate != "2026-04-03T09:00:00.000Z" {
		t.Fatalf("override: %s", v.CooldownExpireDate)
	}
	if v, err = s.RecoverCooldown("p1", "18015550101"); err != nil || !v.IsInInventory || v.CooldownRecoveredDate == "" {
		t.Fatalf("recover: %+v %v", v, err)
	}
	_, err = s.RecoverCooldown("p1", "18015550101")
	wantCode(t, err, 400, "TelephoneNumberNotInCooldown")
}

func TestDeletingAnAccountReleasesItsNumbers(t *testing.T) {
	s, a, u := numbersStore(t)
	mustActivate(t, s, a.ID, "18015550100")
	if _, err := s.SetDestination("p1", a.ID, "18015550100", Destination{ReferenceType: "END_USER", ReferenceID: u.ID, AssignAsCallerID: true}, tester); err != nil {
		t.Fatal(err)
	}
	port := activation("18015559000")
	port.Port = &Port{CrdDate: "2026-03-10"}
	if err := s.SetLifecycleMode(KindPort, LifecycleMode{Mode: ModeManual}); err != nil {
		t.Fatal(err)
	}
	out, err := s.CreateAccountNumbers("p1", a.ID, port, tester)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteAccount("p1", a.ID, tester); err != nil {
		t.Fatal(err)
	}
	if v, _ := s.InventoryNumber("p1", "18015550100"); v.CooldownExpireDate == "" || v.AccountID != "" {
		t.Fatalf("number of a deleted account must cool down: %+v", v)
	}
	_, err = s.InventoryNumber("p1", "18015559000")
	wantCode(t, err, 404, "EntityNotFound")
	if p := s.ports[out.Port.ID]; p.Status != "CANCEL_PORT_COMPLETE" {
		t.Fatalf("open port of a deleted account: %s", p.Status)
	}
	if len(s.life.tracked) != 0 {
		t.Fatalf("lifecycles still tracked: %v", s.life.tracked)
	}
}

func TestRoutingTargets(t *testing.T) {
	s, a, u := numbersStore(t)
	b, _ := s.CreateAccount("p1", advanced("SP-2"), tester)
	stranger, err := s.CreateEndUser("p1", b.ID, EndUser{FirstName: "Bob", LastName: "Ray", Username: "bo@example.com", Extension: "2002"}, tester)
	if err != nil {
		t.Fatal(err)
	}
	mustActivate(t, s, a.ID, "18015550100")
	cases := []struct {
		d    Destination
		code string
	}{
		{Destination{ReferenceType: "END_USER", ReferenceID: stranger.ID}, "InvalidReferenceId"},
		{Destination{ReferenceType: "SIP_TRUNK", ReferenceID: "trunk1"}, "InvalidReferenceId"},
		{Destination{ReferenceType: "IVR", ReferenceID: "ivr1"}, "InvalidReferenceId"},
		{Destination{ReferenceID: u.ID}, "ReferenceTypeRequired"},
		{Destination{ReferenceType: "END_USER", ReferenceID: u.ID, RingType: "Ring9"}, "InvalidValueForField:ringType"},
	}
	for _, c := range cases {
		_, err := s.SetDestination("p1", a.ID, "18015550100", c.d, tester)
		wantCode(t, err, 400, c.code)
	}
	d, err := s.SetDestination("p1", a.ID, "18015550100", Destination{ReferenceType: "END_USER", ReferenceID: u.ID, AssignAsCallerID: true, RingType: "Ring2"}, tester)
	if err != nil || d.ReferenceID != u.ID || d.TelephoneNumber != "18015550100" {
		t.Fatalf("route: %+v %v", d, err)
	}
	got, _ := s.EndUser("p1", a.ID, u.ID, "")
	if got.CallerIDConfig == nil || got.CallerIDConfig.CallerIDNumber != "18015550100" {
		t.Fatalf("assignAsCallerId: %+v", got.CallerIDConfig)
	}
	usage, _ := s.NumberUsages("p1", a.ID, "18015550100")
	if len(usage.Users) != 1 || usage.Users[0] != u.ID {
		t.Fatalf("usages: %+v", usage)
	}
	// PATCH: unroute; PATCH assignAsCallerId on no route is refused
	n, err := s.PatchAccountNumber("p1", a.ID, "18015550100", map[string]any{"referenceType": nil, "referenceId": nil, "assignAsCallerId": false}, tester)
	if err != nil || n.ReferenceType != "" {
		t.Fatalf("unroute: %+v %v", n, err)
	}
	_, err = s.PatchAccountNumber("p1", a.ID, "18015550100", map[string]any{"assignAsCallerId": true}, tester)
	wantCode(t, err, 400, "AssignAsCallerIdRequiresEndUser")
	// a route to a user who is deleted reads as no route
	if _, err := s.SetDestination("p1", a.ID, "18015550100", Destination{ReferenceType: "END_USER", ReferenceID: u.ID}, tester); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteEndUser("p1", a.ID, u.ID, "", tester); err != nil {
		t.Fatal(err)
	}
	if n, _ = s.AccountNumber("p1", a.ID, "18015550100"); n.ReferenceID != "" {
		t.Fatalf("route to a deleted user: %+v", n)
	}
	// releasing the number clears the caller id that used it
	u2, _ := s.CreateEndUser("p1", a.ID, EndUser{FirstName: "Cyd", LastName: "Dee", Username: "cy@example.com", Extension: "2003",
		CallerIDConfig: &CallerIDConfig{CallerIDNumber: "18015550100"}}, tester)
	if err := s.DeleteAccountNumber("p1", a.ID, "18015550100", tester); err != nil {
		t.Fatal(err)
	}
	if got, _ = s.EndUser("p1", a.ID, u2.ID, ""); got.CallerIDConfig.CallerIDNumber != "" {
		t.Fatalf("caller id kept after release: %+v", got.CallerIDConfig)
	}
}

func TestPortStepsAndTriggerOnlyOnFocDate(t *testing.T) {
	s, a, _ := numbersStore(t)
	if err := s.SetLifecycleMode(KindPort, LifecycleMode{Mode: ModeManual}); err != nil {
		t.Fatal(err)
	}
	in := activation("18015559000", "18015559001")
	in.Port = &Port{CrdDate: "2026-03-05", PortingAuthorizedName: "Ann Lee"}
	out, err := s.CreateAccountNumbers("p1", a.ID, in, tester)
	if err != nil {
		t.Fatal(err)
	}
	pid := out.Port.ID
	if out.Port.Status != "PORT_PENDING" || out.TelephoneNumbers[1].PortID != pid || out.Port.CrdDate != "2026-03-05T00:00:00.000Z" {
		t.Fatalf("new port: %+v", out)
	}
	steps := []string{"IN_PROGRESS", "FOC_RECEIVED"}
	for _, want := range steps {
		if _, err := s.AdvanceLifecycle(KindPort, pid); err != nil {
			t.Fatal(err)
		}
		e, _ := s.ServiceEvent("p1", a.ID, pid, "PORT_REQUEST")
		if e.ActivationStatusType != want {
			t.Fatalf("step: %s, want %s", e.ActivationStatusType, want)
		}
	}
	_, err = s.AdvanceLifecycle(KindPort, pid)
	wantCode(t, err, 404, "EntityNotFound") // no more steps by itself
	wantCode(t, s.TriggerPort("p1", a.ID, pid), 400, "TriggerPortOnlyOnFocDate")
	s.Clock().Advance(3 * 24 * time.Hour)
	if err := s.TriggerPort("p1", a.ID, pid); err != nil {
		t.Fatal(err)
	}
	n, _ := s.AccountNumber("p1", a.ID, "18015559001")
	p, _ := s.Port("p1", a.ID, pid)
	e, _ := s.ServiceEvent("p1", a.ID, "18015559001", "PORT_REQUEST")
	if n.CarrierStatus != "ACTIVE" || p.Status != "ACTIVE" || p.CompletedDate == "" || e.ActivationStatusType != "COMPLETED" || len(e.Logs) != 4 {
		t.Fatalf("completed: %s %s %s %d logs", n.CarrierStatus, p.Status, e.ActivationStatusType, len(e.Logs))
	}
	wantCode(t, s.CancelPort("p1", a.ID, pid), 400, "PortAlreadyCompleted")
	_, err = s.PatchPort("p1", a.ID, pid, map[string]any{"wirelessPin": "1"})
	wantCode(t, err, 400, "PortNotEditable")
	v, _ := s.InventoryNumber("p1", "18015559000")
	if !v.Port || v.AccountID != a.ID {
		t.Fatalf("ported number view: %+v", v)
	}
}

func TestPortStepsInDurationMode(t *testing.T) {
	s, a, _ := numbersStore(t)
	if err := s.SetLifecycleMode(KindPort, LifecycleMode{Mode: ModeDuration, After: time.Hour}); err != nil {
		t.Fatal(err)
	}
	in := activation("18015559000")
	in.Port = &Port{}
	if _, err := s.CreateAccountNumbers("p1", a.ID, in, tester); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"PENDING", "IN_PROGRESS", "FOC_RECEIVED", "FOC_RECEIVED"} {
		page, _ := s.StatusSearch("p1", StatusQuery{EventTypes: []string{"PORT_REQUEST"}})
		if got := page.Results[0].ActivationStatusType; got != want {
			t.Fatalf("got %s, want %s", got, want)
		}
		s.Clock().Advance(time.Hour)
	}
}

func TestPortRejectedEditedCancelled(t *testing.T) {
	s, a, _ := numbersStore(t)
	in := activation("18015559000")
	in.CustomerServiceRecord.BusinessName = "Please Reject Co"
	out, err := s.CreateAccountNumbers("p1", a.ID, in, tester) // port: no Port -> not a port
	wantCode(t, err, 400, "TelephoneNumberNotInInventory")
	in.Port = &Port{}
	if out, err = s.CreateAccountNumbers("p1", a.ID, in, tester); err != nil {
		t.Fatal(err)
	}
	pid := out.Port.ID
	p, _ := s.Port("p1", a.ID, pid)
	if p.Status != "PORT_REJECTED" {
		t.Fatalf("reject rule: %s", p.Status)
	}
	if n, _ := s.AccountNumber("p1", a.ID, "18015559000"); n.CarrierStatus != "PORT_REJECTED" {
		t.Fatalf("number of a rejected port: %s", n.CarrierStatus)
	}
	wantCode(t, s.DeleteAccountNumber("p1", a.ID, "18015559000", tester), 400, "TelephoneNumberPortInProgress")
	// fixing the name submits again; immediate mode runs to the FOC, 3 days out
	csr := *p.CustomerServiceRecord
	csr.BusinessName = "Fine Co"
	p.CustomerServiceRecord = &csr
	if p, err = s.UpdatePort("p1", a.ID, pid, p); err != nil || p.Status != "PORT_PENDING" || p.FocDate != "2026-03-05T00:00:00.000Z" {
		t.Fatalf("resubmit: %+v %v", p, err)
	}
	// a new CRD after the FOC moves the FOC date
	if p, err = s.PatchPort("p1", a.ID, pid, map[string]any{"crdDate": "2026-03-09"}); err != nil || p.FocDate != "2026-03-09T00:00:00.000Z" {
		t.Fatalf("move crd: %+v %v", p.FocDate, err)
	}
	_, err = s.PatchPort("p1", a.ID, pid, map[string]any{"crdDate": "soon"})
	wantCode(t, err, 400, "InvalidValueForField:crdDate")
	if err := s.CancelPort("p1", a.ID, pid); err != nil {
		t.Fatal(err)
	}
	wantCode(t, s.CancelPort("p1", a.ID, pid), 400, "PortAlreadyCancelled")
	if _, err := s.InventoryNumber("p1", "18015559000"); err == nil {
		t.Fatal("a cancelled port's number stays on the platform")
	}
	// port rules
	in = activation("18015550100")
	in.Port = &Port{}
	_, err = s.CreateAccountNumbers("p1", a.ID, in, tester)
	wantCode(t, err, 400, "TelephoneNumberInInventory")
	in = activation("13855550999")
	in.Port = &Port{}
	_, err = s.CreateAccountNumbers("p1", a.ID, in, tester)
	wantCode(t, err, 400, "TelephoneNumberNotPortable")
	pa, _ := s.PrevalidatePort("p1", activation("13855550999"))
	if pa.ServiceAvailable || pa.Exception != "TelephoneNumberNotPortable" {
		t.Fatalf("prevalidate not portable: %+v", pa)
	}
	pa, _ = s.PrevalidatePort("p1", activation("15055550999"))
	if !pa.ServiceAvailable || pa.EarliestCRD != "2026-03-05" || pa.LatestCRD != "2026-04-01" || len(pa.AvailabilityList) == 0 {
		t.Fatalf("prevalidate: %+v", pa)
	}
}

func TestBYOTNNumbersAreStagedUntilActivated(t *testing.T) {
	s, a, _ := numbersStore(t)
	in := activation("15055550100")
	in.DirectoryListing, in.ByotnCarrierID = nil, "carrier-1"
	if _, err := s.CreateAccountNumbers("p1", a.ID, in, tester); err != nil {
		t.Fatal(err)
	}
	n, _ := s.AccountNumber("p1", a.ID, "15055550100")
	if n.OperationalStatus != "STAGED" || n.ByotnCarrierID != "carrier-1" {
		t.Fatalf("byotn: %+v", n)
	}
	if n, _ = s.PatchAccountNumber("p1", a.ID, "15055550100", map[string]any{"operationalStatus": "ACTIVE"}, tester); n.OperationalStatus != "ACTIVE" {
		t.Fatalf("activate staged: %+v", n)
	}
	_, err := s.PatchAccountNumber("p1", a.ID, "15055550100", map[string]any{"operationalStatus": "ON"}, tester)
	wantCode(t, err, 400, "InvalidValueForField:operationalStatus")
}

func TestSearch(t *testing.T) {
	s, a, _ := numbersStore(t)
	mustActivate(t, s, a.ID, "18015550100")
	lat, long := 40.7, -111.9
	far := 0.0
	cases := []struct {
		q    NumberSearch
		want int
		code string
	}{
		{NumberSearch{Q: "84101"}, 9, ""},                                  // postal code, one number is taken
		{NumberSearch{Q: "801555010"}, 9, ""},                              // 10 digits -> prefix
		{NumberSearch{Q: "(303) 555-0105"}, 1, ""},                         // TN with punctuation
		{NumberSearch{Type: SearchTN, Q: "1303555"}, 10, ""},               // prefix
		{NumberSearch{Type: SearchTN, Q: "1303555", MaxResults: 3}, 3, ""}, // maxResults
		{NumberSearch{Type: SearchPostalCode, Q: "80202"}, 10, ""},
		{NumberSearch{Type: SearchRateCenter, Q: "salt lake city, UT"}, 9, ""},
		{NumberSearch{Type: SearchRateCenter, Q: "SALT LAKE CITY, CO"}, 0, ""},
		{NumberSearch{Type: SearchLatLong, Lat: &lat, Long: &long}, 9, ""},
		{NumberSearch{Type: SearchTN, Q: "1800555", FunctionType: "TollFree"}, 1, ""},
		{NumberSearch{Type: SearchTN, Q: "1800555"}, 0, ""},
		{NumberSearch{Type: SearchTN, Q: "abc"}, 0, "InvalidSearchTerm"},
		{NumberSearch{Type: SearchPostalCode, Q: "8410"}, 0, "InvalidSearchTerm"},
		{NumberSearch{Type: SearchRateCenter}, 0, "InvalidSearchTerm"},
		{NumberSearch{Type: SearchLatLong, Lat: &lat}, 0, "InvalidSearchTerm"},
		{NumberSearch{Type: SearchLatLong, Lat: &far, Long: &far}, 0, ""},
	}
	for i, c := range cases {
		hits, err := s.SearchNumbers("p1", c.q)
		if c.code != "" {
			wantCode(t, err, 422, c.code)
			continue
		}
		if err != nil || len(hits) != c.want {
			t.Errorf("case %d %+v: %d hits (%v), want %d", i, c.q, len(hits), err, c.want)
		}
	}
	hits, _ := s.SearchNumbers("p1", NumberSearch{Q: "84101"})
	if hits[0].MatchesZip == nil || !*hits[0].MatchesZip || hits[0].RateCenter != "SALT LAKE CITY" || hits[0].Prefix != "1801555" {
		t.Fatalf("postal hit: %+v", hits[0])
	}
	hits, _ = s.SearchNumbers("p1", NumberSearch{Type: SearchLatLong, Lat: &lat, Long: &long})
	if hits[0].Distance == nil || *hits[0].Distance > 10 {
		t.Fatalf("distance: %+v", hits[0])
	}
}

func TestStatusSearchPagesAndFilters(t *testing.T) {
	s, a, _ := numbersStore(t)
	mustActivate(t, s, a.ID, "18015550100", "18015550101", "18015550102")
	s.Clock().Advance(48 * time.Hour)
	mustActivate(t, s, a.ID, "18015550103")
	page, err := s.StatusSearch("p1", StatusQuery{MaxResult: 2})
	if err != nil || page.TotalRecords != 4 || len(page.Results) != 2 || page.Results[0].MainTelephoneNumber != "18015550103" {
		t.Fatalf("page 1: %+v %v", page, err)
	}
	page, _ = s.StatusSearch("p1", StatusQuery{FirstResultIndex: 3})
	if len(page.Results) != 1 {
		t.Fatalf("page 2: %+v", page)
	}
	page, _ = s.StatusSearch("p1", StatusQuery{StartDate: "2026-03-02", EndDate: "2026-03-02"})
	if page.TotalRecords != 3 {
		t.Fatalf("by date: %d", page.TotalRecords)
	}
	page, _ = s.StatusSearch("p1", StatusQuery{StatusTypes: []string{"PENDING"}})
	if page.TotalRecords != 0 {
		t.Fatalf("by status: %d", page.TotalRecords)
	}
	page, _ = s.StatusSearch("p2", StatusQuery{})
	if page.TotalRecords != 0 {
		t.Fatalf("other partition: %d", page.TotalRecords)
	}
	_, err = s.StatusSearch("p1", StatusQuery{StartDate: "March"})
	wantCode(t, err, 400, "InvalidValueForField:startDate")
}

func TestNumbersSurviveSnapshotAndRestore(t *testing.T) {
	s, a, u := numbersStore(t)
	if err := s.SetLifecycleMode(KindActivation, LifecycleMode{Mode: ModeManual}); err != nil {
		t.Fatal(err)
	}
	in := activation("18015550100")
	in.TelephoneNumbers[0].ReferenceType, in.TelephoneNumbers[0].ReferenceID = "END_USER", u.ID
	if _, err := s.CreateAccountNumbers("p1", a.ID, in, tester); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Reserve("p1", "18015550101", tester.UserID); err != nil {
		t.Fatal(err)
	}
	snap := s.Snapshot()
	if err := s.Reset(); err != nil {
		t.Fatal(err)
	}
	if err := s.Restore(snap); err != nil {
		t.Fatal(err)
	}
	n, err := s.AccountNumber("p1", a.ID, "18015550100")
	if err != nil || n.ReferenceID != u.ID || n.CarrierStatus != "ACTIVATION_PENDING" {
		t.Fatalf("restored: %+v %v", n, err)
	}
	if ids, err := s.AdvanceLifecycle(KindActivation, ""); err != nil || len(ids) != 1 {
		t.Fatalf("a pending activation must be tracked again after restore: %v %v", ids, err)
	}
	_, err = s.Reserve("p1", "18015550101", other.UserID)
	wantCode(t, err, 400, "TelephoneNumberAlreadyReserved")
}

func TestLoadRejectsBrokenNumbers(t *testing.T) {
	cases := map[string]func(*State){
		"short number":      func(s *State) { s.TelephoneNumbers[0].PhoneNumber = "1801555" },
		"duplicate number":  func(s *State) { s.TelephoneNumbers[1].PhoneNumber = s.TelephoneNumbers[0].PhoneNumber },
		"unknown partition": func(s *State) { s.TelephoneNumbers[0].PartitionID = "nope" },
		"bad prefix":        func(s *State) { s.RateCenters[0].Prefix = "801555" },
		"unknown account":   func(s *State) { s.TelephoneNumbers[0].OnAccount = &AccountNumber{AccountID: "nope"} },
		"status disagrees":  func(s *State) { s.TelephoneNumbers[0].Status = NumberOnAccount },
	}
	for name, edit := range cases {
		st := numbersState()
		edit(&st)
		if _, err := New(st, nil); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestConcurrentReservationsOneWins(t *testing.T) {
	s, _, _ := numbersStore(t)
	var wg sync.WaitGroup
	wins := make(chan string, 16)
	for i := 0; i < 16; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			if _, err := s.Reserve("p1", "18015550105", fmt.Sprintf("user%d", i)); err == nil {
				wins <- fmt.Sprint(i)
			}
			_, _ = s.SearchNumbers("p1", NumberSearch{Q: "84101"})
		}(i)
	}
	wg.Wait()
	close(wins)
	if len(wins) != 1 {
		t.Fatalf("%d reservations won", len(wins))
	}
}

func BenchmarkSearchByPostalCode(b *testing.B) {
	st := numbersState()
	for i := 0; i < 10000; i++ {
		st.TelephoneNumbers = append(st.TelephoneNumbers, NumberRecord{PartitionID: "p1", PhoneNumber: fmt.Sprintf("1303556%04d", i)})
	}
	s, err := New(st, nil)
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := s.SearchNumbers("p1", NumberSearch{Q: "84101"}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkAccountNumberLookup(b *testing.B) {
	s, a, _ := numbersStore(b)
	if _, err := s.CreateAccountNumbers("p1", a.ID, activation("18015550100"), tester); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := s.AccountNumber("p1", a.ID, "18015550100"); err != nil {
			b.Fatal(err)
		}
	}
}
