package store

import (
	"fmt"
	"sync"
	"testing"
	"time"
)

var tester = Actor{UserName: "admin@example.com", UserID: "u1", UserType: "ManagementUser"}

func treeState() State {
	st := seedState()
	st.DeviceTypes = []DeviceType{
		{ID: "SPA112", Name: "Cisco SPA112", NumLines: 2, FaxSupported: true},
		{ID: "VVX400", Name: "Polycom VVX 400", NumLines: 12, MacAddressRequired: true},
	}
	st.CallingPlanProducts = []CallingPlanProduct{
		{ID: "plan1", Name: "Standard", PlanMinutes: 2000, DefaultPlan: true, PartitionID: "p1"},
		{ID: "plan2", Name: "Big", PlanMinutes: 10000, PartitionID: "p1"},
		{ID: "plan3", Name: "Other", PlanMinutes: 500, DefaultPlan: true, PartitionID: "p2"},
	}
	return st
}

func newTree(t testing.TB) *Store {
	t.Helper()
	s, err := New(treeState(), nil)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func advanced(number string) Account {
	return Account{AccountNumber: number, AccountName: "Acme " + number, AccountType: "ADVANCED"}
}

func TestCreateAccountDefaults(t *testing.T) {
	s := newTree(t)
	a, err := s.CreateAccount("p1", Account{ID: "client-id", AccountNumber: "SP-1", AccountName: "Customer", AccountType: "ADVANCED"}, tester)
	if err != nil {
		t.Fatal(err)
	}
	if a.ID == "client-id" || len(a.ID) != 22 || a.PartitionID != "p1" {
		t.Fatalf("id %q partition %q", a.ID, a.PartitionID)
	}
	if a.Status != "ACTIVE" || a.TimeZone != "US/Mountain" || a.HoldTimeoutSeconds != 180 || a.ExtensionLength != 4 ||
		a.PlatformType != "CPE2" || a.RoutePlanID == "" || a.HoldMusicMediaID != "" || a.CallingPlans == nil || a.BillingCycleDay != 1 {
		t.Fatalf("defaults: %+v", a)
	}
	got, err := s.AccountByIDType("p1", "SP-1", AccountIDTypeAccountNumber)
	if err != nil || got.ID != a.ID {
		t.Fatalf("by number: %v %v", got, err)
	}
}

func TestAccountRules(t *testing.T) {
	s := newTree(t)
	if _, err := s.CreateAccount("p1", advanced("SP-1"), tester); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		edit func(*Account)
		code string
	}{
		{"no name", func(a *Account) { a.AccountName = "" }, "AccountNameRequired"},
		{"duplicate number", func(a *Account) { a.AccountNumber = "SP-1" }, "DuplicateAccountNumber"},
		{"billing day 29", func(a *Account) { a.BillingCycleDay = 29 }, "InvalidValueForField:billingCycleDay"},
		{"extension length 7", func(a *Account) { a.ExtensionLength = 7 }, "InvalidValueForField:extensionLength"},
		{"bad time zone", func(a *Account) { a.TimeZone = "Europe/Paris" }, "InvalidValueForField:timeZone"},
		{"dial nine on simple", func(a *Account) { a.AccountType = "SIMPLE"; a.DialingBehaviorType = "DIAL_NINE_TEN_DIGIT" }, "InvalidValueForField:dialingBehaviorType"},
		{"bad status", func(a *Account) { a.Status = "GONE" }, "InvalidValueForField:status"},
		{"bad regulatory", func(a *Account) { a.RegulatoryType = "MILITARY" }, "InvalidValueForField:regulatoryType"},
		{"no type", func(a *Account) { a.AccountType = "" }, "AccountTypeRequired"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a := advanced("SP-2")
			c.edit(&a)
			_, err := s.CreateAccount("p1", a, tester)
			wantCode(t, err, 400, c.code)
		})
	}
	// DIAL_NINE is fine on ADVANCED; the same number in another partition is fine
	a := advanced("SP-3")
	a.DialingBehaviorType = "DIAL_NINE_TEN_DIGIT"
	if _, err := s.CreateAccount("p1", a, tester); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateAccount("p2", advanced("SP-1"), tester); err != nil {
		t.Fatal(err)
	}
}

func TestAccountPartitionIsolation(t *testing.T) {
	s := newTree(t)
	a, _ := s.CreateAccount("p1", advanced("SP-1"), tester)
	_, err := s.Account("p2", a.ID)
	wantCode(t, err, 404, "EntityNotFound")
	if err.(*Error).Data != (EntityRef{Type: "Account", ID: a.ID}) {
		t.Fatalf("data %v", err.(*Error).Data)
	}
	if list, _ := s.Accounts("p2"); len(list) != 0 {
		t.Fatalf("p2 sees %v", list)
	}
	wantCode(t, s.DeleteAccount("p2", a.ID, tester), 404, "EntityNotFound")
}

func TestExtensionLengthFixed(t *testing.T) {
	s := newTree(t)
	a, _ := s.CreateAccount("p1", advanced("SP-1"), tester)
	_, err := s.PatchAccount("p1", a.ID, map[string]any{"extensionLength": 5}, tester)
	wantCode(t, err, 400, "ExtensionLengthCannotBeChanged")
	b, err := s.PatchAccount("p1", a.ID, map[string]any{"accountName": "Renamed"}, tester)
	if err != nil || b.AccountName != "Renamed" || b.ExtensionLength != 4 || b.RoutePlanID != a.RoutePlanID {
		t.Fatalf("patch: %+v %v", b, err)
	}
}

func TestEndUserDefaultsAndRules(t *testing.T) {
	s := newTree(t)
	a, _ := s.CreateAccount("p1", advanced("SP-1"), tester)
	u, err := s.CreateEndUser("p1", a.ID, EndUser{Username: "jo@example.com", FirstName: "Joe", LastName: "Smith", Extension: "2001"}, tester)
	if err != nil {
		t.Fatal(err)
	}
	if !u.MustChangePassword || u.LanguageTag != "en-US" || u.TimeZone != "US/Mountain" || u.VoicemailBoxID == "" {
		t.Fatalf("defaults: %+v", u)
	}
	if len(u.CallingPlans) != 1 || u.CallingPlans[0].CallingPlanProductID != "plan1" || u.CallingPlans[0].SecondsRemaining != 2000*60 ||
		u.CallingPlans[0].ReferenceType != "END_USER" || u.CallingPlans[0].ReferenceID != u.ID {
		t.Fatalf("plan: %+v", u.CallingPlans)
	}
	if h := u.CallHandlingSettings; h == nil || !h.CallWaitingEnabled || h.RingPhoneCallHandling.NoAnswerCallHandling.Timeout != 20 {
		t.Fatalf("handling: %+v", h)
	}
	if c := u.CallerIDConfig; c == nil || c.ExternalCallerIDVisible || !c.ExtensionCallerIDVisible {
		t.Fatalf("caller id: %+v", c)
	}
	if _, err := s.VoicemailBox("p1", a.ID, u.VoicemailBoxID); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		u    EndUser
		code string
	}{
		{"duplicate username other case", EndUser{Username: "JO@example.com", LastName: "Xia", Extension: "2002"}, "DuplicateUsername"},
		{"no last name", EndUser{LastName: " ", Extension: "2003"}, "InvalidLastName"},
		{"digit in last name", EndUser{LastName: "Sm1th", Extension: "2003"}, "InvalidLastName"},
		{"no extension", EndUser{LastName: "Doe"}, "ExtensionRequired"},
		{"extension starts with 9", EndUser{LastName: "Doe", Extension: "9001"}, "InvalidExtension"},
		{"extension too short", EndUser{LastName: "Doe", Extension: "201"}, "InvalidExtension"},
		{"extension in use", EndUser{LastName: "Doe", Extension: "2001"}, "ExtensionAlreadyInUse"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := s.CreateEndUser("p1", a.ID, c.u, tester)
			wantCode(t, err, 400, c.code)
		})
	}
	// usernames are unique across partitions
	b, _ := s.CreateAccount("p2", advanced("SP-9"), tester)
	_, err = s.CreateEndUser("p2", b.ID, EndUser{Username: "jo@EXAMPLE.com", LastName: "Other", Extension: "2001"}, tester)
	wantCode(t, err, 400, "DuplicateUsername")
	_, err = s.CreateAccountUser("p2", b.ID, AccountUser{Username: "jo@example.com", FirstName: "Joe", LastName: "Other"}, tester)
	wantCode(t, err, 400, "DuplicateUsername")
}

func TestSimpleAccountLimits(t *testing.T) {
	s := newTree(t)
	a, _ := s.CreateAccount("p1", Account{AccountNumber: "HP-1", AccountName: "Home", AccountType: "SIMPLE"}, tester)
	u, err := s.CreateEndUser("p1", a.ID, EndUser{LastName: "Home", Extension: "2001"}, tester)
	if err != nil || u.Extension != "" {
		t.Fatalf("%+v %v", u, err)
	}
	_, err = s.CreateEndUser("p1", a.ID, EndUser{LastName: "Second"}, tester)
	wantCode(t, err, 400, "SimpleAccountUserLimitReached")
	if _, err := s.CreateDevice("p1", a.ID, Device{DeviceTypeID: "SPA112", DeviceName: "ata", UserID: u.ID, LineNumber: 1}, tester); err != nil {
		t.Fatal(err)
	}
	_, err = s.CreateDevice("p1", a.ID, Device{DeviceTypeID: "SPA112", DeviceName: "ata", UserID: u.ID, LineNumber: 2}, tester)
	wantCode(t, err, 400, "SimpleAccountDeviceLimitReached")
}

func TestDeviceRules(t *testing.T) {
	s := newTree(t)
	a, _ := s.CreateAccount("p1", advanced("SP-1"), tester)
	u, _ := s.CreateEndUser("p1", a.ID, EndUser{LastName: "Smith", Extension: "2001"}, tester)
	d, err := s.CreateDevice("p1", a.ID, Device{ID: "mine", DeviceTypeID: "VVX400", DeviceName: "desk", MacAddress: "0004f2aBCDEF", LineNumber: 1, UserID: u.ID, SipPassword: "s3cret"}, tester)
	if err != nil {
		t.Fatal(err)
	}
	if d.ID == "mine" || d.SipUsername != d.ID || d.MacAddress != "0004f2aBCDEF" || d.SipPassword != "" || d.LineType != "Line" {
		t.Fatalf("device: %+v", d)
	}
	b, _ := s.CreateAccount("p1", advanced("SP-2"), tester)
	ub, _ := s.CreateEndUser("p1", b.ID, EndUser{LastName: "Jones", Extension: "2001"}, tester)
	base := func() Device {
		return Device{DeviceTypeID: "VVX400", DeviceName: "desk", MacAddress: "0004F2ABCDEF", LineNumber: 2, UserID: u.ID}
	}
	cases := []struct {
		name   string
		acct   string
		edit   func(*Device)
		status int
		code   string
	}{
		{"mac too short", a.ID, func(d *Device) { d.MacAddress = "0004F2ABCD" }, 400, "InvalidMacAddress"},
		{"mac not hex", a.ID, func(d *Device) { d.MacAddress = "0004F2ABCDXZ" }, 400, "InvalidMacAddress"},
		{"mac with colons", a.ID, func(d *Device) { d.MacAddress = "00:04:F2:AB:CD" }, 400, "InvalidMacAddress"},
		{"mac required by type", a.ID, func(d *Device) { d.MacAddress = "" }, 400, "InvalidMacAddress"},
		{"line 0 is defaulted but 13 is out", a.ID, func(d *Device) { d.LineNumber = 13 }, 400, "InvalidLineNumber"},
		{"same mac and line", a.ID, func(d *Device) { d.LineNumber = 1 }, 400, "DuplicateMACAddressLineNumber"},
		{"mac of another account", b.ID, func(d *Device) { d.UserID = ub.ID }, 400, "DuplicateMACAddress"},
		{"mac with another type", a.ID, func(d *Device) { d.DeviceTypeID = "SPA112"; d.LineNumber = 2 }, 400, "InvalidDeviceTypeForMac"},
		{"sip username in use", a.ID, func(d *Device) { d.SipUsername = d2id(s, a.ID) }, 400, "SipUsernameInUse"},
		{"unknown device type", a.ID, func(d *Device) { d.DeviceTypeID = "SIP_50_Port_MTA" }, 404, "EntityNotFound"},
		{"unknown user", a.ID, func(d *Device) { d.UserID = "nobody" }, 404, "EntityNotFound"},
		{"user of another account", a.ID, func(d *Device) { d.UserID = ub.ID }, 404, "EntityNotFound"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := base()
			c.edit(&d)
			_, err := s.CreateDevice("p1", c.acct, d, tester)
			wantCode(t, err, c.status, c.code)
		})
	}
	if _, err := s.CreateDevice("p1", a.ID, base(), tester); err != nil {
		t.Fatal(err)
	}
	if got, err := s.AccountByIDType("p1", "0004f2abcdef", AccountIDTypeMacAddress); err != nil || got.ID != a.ID {
		t.Fatalf("by mac: %v %v", got, err)
	}
}

func d2id(s *Store, acct string) string {
	list, _ := s.Devices("p1", acct, "", "")
	return list[0].SipUsername
}

func TestDeleteAccountCascades(t *testing.T) {
	s := newTree(t)
	a, _ := s.CreateAccount("p1", advanced("SP-1"), tester)
	u, _ := s.CreateEndUser("p1", a.ID, EndUser{Username: "jo@example.com", LastName: "Smith", Extension: "2001"}, tester)
	d, _ := s.CreateDevice("p1", a.ID, Device{DeviceTypeID: "VVX400", DeviceName: "desk", MacAddress: "0004F2ABCDEF", LineNumber: 1, UserID: u.ID, SipUsername: "sip-jo"}, tester)
	if _, err := s.CreateAccountUser("p1", a.ID, AccountUser{Username: "boss@example.com", FirstName: "Big", LastName: "Boss"}, tester); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteAccount("p1", a.ID, tester); err != nil {
		t.Fatal(err)
	}
	st := s.Snapshot()
	if len(st.Accounts)+len(st.EndUsers)+len(st.DeviceLines)+len(st.AccountUsers)+len(st.VoicemailBoxes) != 0 {
		t.Fatalf("left behind: %+v", st)
	}
	_, err := s.Device("p1", a.ID, d.ID)
	wantCode(t, err, 404, "EntityNotFound")
	// every name is free again
	ok, _ := s.PropertiesAvailable("p1", PropertyCheck{AccountNumber: "SP-1", MacAddress: "0004f2abcdef", SipUsername: "SIP-JO", Username: "boss@example.com"})
	if !ok {
		t.Fatal("names still taken after delete")
	}
	// history survives, readable by number
	page, err := s.AccountHistorySearchByNumber("p1", "SP-1", HistoryQuery{})
	if err != nil || page.TotalRecords != 5 || page.Results[0].Action != "DELETE" {
		t.Fatalf("history: %+v %v", page, err)
	}
}

func TestDeleteUserRemovesLinesAndBox(t *testing.T) {
	s := newTree(t)
	a, _ := s.CreateAccount("p1", advanced("SP-1"), tester)
	u, _ := s.CreateEndUser("p1", a.ID, EndUser{LastName: "Smith", Extension: "2001"}, tester)
	v, _ := s.CreateEndUser("p1", a.ID, EndUser{LastName: "Jones", Extension: "2002"}, tester)
	// v shares u's box
	if _, err := s.PatchEndUser("p1", a.ID, v.ID, "", map[string]any{"voicemailBoxId": u.VoicemailBoxID}, tester); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateDevice("p1", a.ID, Device{DeviceTypeID: "SPA112", DeviceName: "ata", LineNumber: 1, UserID: u.ID}, tester); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteEndUser("p1", a.ID, u.ID, "", tester); err != nil {
		t.Fatal(err)
	}
	if list, _ := s.Devices("p1", a.ID, "", ""); len(list) != 0 {
		t.Fatalf("lines left: %v", list)
	}
	got, _ := s.EndUser("p1", a.ID, v.ID, "")
	if got.VoicemailBoxID != "" {
		t.Fatalf("dangling box reference %q", got.VoicemailBoxID)
	}
	_, err := s.VoicemailBox("p1", a.ID, u.VoicemailBoxID)
	wantCode(t, err, 404, "EntityNotFound")
}

func TestSnapshotRestoresAccountTree(t *testing.T) {
	s := newTree(t)
	a, _ := s.CreateAccount("p1", advanced("SP-1"), tester)
	u, _ := s.CreateEndUser("p1", a.ID, EndUser{Username: "jo@example.com", LastName: "Smith", Extension: "2001"}, tester)
	if _, err := s.CreateDevice("p1", a.ID, Device{DeviceTypeID: "SPA112", DeviceName: "ata", LineNumber: 1, UserID: u.ID, SipPassword: "pw123456"}, tester); err != nil {
		t.Fatal(err)
	}
	snap := s.Snapshot()
	if snap.DeviceLines[0].SipPassword != "pw123456" {
		t.Fatal("snapshot lost the SIP password")
	}
	if err := s.Restore(snap); err != nil {
		t.Fatal(err)
	}
	_, err := s.CreateEndUser("p1", a.ID, EndUser{Username: "JO@example.com", LastName: "Xia", Extension: "2002"}, tester)
	wantCode(t, err, 400, "DuplicateUsername")
	got, _ := s.EndUser("p1", a.ID, "jo@example.com", UserIDTypeUserName)
	if got.ID != u.ID || len(got.Devices) != 1 {
		t.Fatalf("after restore: %+v", got)
	}
	if page, _ := s.AccountHistorySearch("p1", a.ID, HistoryQuery{}); page.TotalRecords != 3 {
		t.Fatalf("history after restore: %d", page.TotalRecords)
	}
}

func TestConcurrentCreatesOneWinner(t *testing.T) {
	s := newTree(t)
	a, _ := s.CreateAccount("p1", advanced("SP-0"), tester)
	var wg sync.WaitGroup
	var mu sync.Mutex
	wins := map[string]int{}
	for i := range 32 {
		wg.Add(2)
		go func() {
			defer wg.Done()
			if _, err := s.CreateAccount("p1", advanced("SP-RACE"), tester); err == nil {
				mu.Lock()
				wins["account"]++
				mu.Unlock()
			}
		}()
		go func() {
			defer wg.Done()
			u := EndUser{Username: "race@example.com", LastName: "Racer", Extension: fmt.Sprint(2000 + i)}
			if _, err := s.CreateEndUser("p1", a.ID, u, tester); err == nil {
				mu.Lock()
				wins["user"]++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if wins["account"] != 1 || wins["user"] != 1 {
		t.Fatalf("winners: %v", wins)
	}
}

func TestSearchAccounts(t *testing.T) {
	s := newTree(t)
	s.CreateAccount("p1", Account{AccountNumber: "SP-100", AccountName: "Blue Widgets", AccountType: "ADVANCED"}, tester)
	s.CreateAccount("p1", Account{AccountNumber: "BLUE-7", AccountName: "Red Co", AccountType: "SIMPLE"}, tester)
	s.CreateAccount("p2", Account{AccountNumber: "BLUE-8", AccountName: "Bravo Blue", AccountType: "SIMPLE"}, tester)
	hits, err := s.SearchAccounts("p1", "bLuE", 0)
	if err != nil || len(hits) != 2 {
		t.Fatalf("%v %v", hits, err)
	}
	if hits[0].AccountNumber != "BLUE-7" || hits[0].Matches["accountnumber"] != "BLUE-7" || len(hits[0].Matches) != 1 {
		t.Fatalf("hit 0: %+v", hits[0])
	}
	if hits[1].Matches["accountname"] != "Blue Widgets" || hits[1].Type != "ADVANCED" || hits[1].AccountStatus != "ACTIVE" {
		t.Fatalf("hit 1: %+v", hits[1])
	}
}

func BenchmarkSearchAccounts100k(b *testing.B) {
	s := newTree(b)
	for i := range 100_000 {
		if _, err := s.CreateAccount("p1", Account{AccountNumber: fmt.Sprintf("ACC-%06d", i), AccountName: fmt.Sprintf("Customer %d", i), AccountType: "SIMPLE"}, tester); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	for range b.N {
		hits, _ := s.SearchAccounts("p1", "customer 4242", 100)
		if len(hits) == 0 {
			b.Fatal("no hits")
		}
	}
}

func BenchmarkAccountByNumber100k(b *testing.B) {
	s := newTree(b)
	for i := range 100_000 {
		s.CreateAccount("p1", Account{AccountNumber: fmt.Sprintf("ACC-%06d", i), AccountName: "Customer", AccountType: "SIMPLE"}, tester)
	}
	b.ResetTimer()
	for i := range b.N {
		if _, err := s.AccountByIDType("p1", fmt.Sprintf("ACC-%06d", i%100_000), AccountIDTypeAccountNumber); err != nil {
			b.Fatal(err)
		}
	}
}

func TestReturnedAccountsAreCopies(t *testing.T) {
	s := newTree(t)
	a, _ := s.CreateAccount("p1", advanced("SP-1"), tester)
	if _, err := s.AddCallingPlan("p1", a.ID, ModifyCallingPlan{ReferenceType: "ACCOUNT", CallingPlanProductID: "plan2"}, tester); err != nil {
		t.Fatal(err)
	}
	got, _ := s.Account("p1", a.ID)
	got.CallingPlans[0].SecondsRemaining = 1
	got.AccountName = "changed"
	again, _ := s.Account("p1", a.ID)
	if again.CallingPlans[0].SecondsRemaining != 10000*60 || again.AccountName != a.AccountName {
		t.Fatalf("caller's copy reached the store: %+v", again)
	}
}

func TestAccountTypeChangeKeepsLimits(t *testing.T) {
	s := newTree(t)
	a, _ := s.CreateAccount("p1", advanced("SP-1"), tester)
	for _, ext := range []string{"2001", "2002"} {
		if _, err := s.CreateEndUser("p1", a.ID, EndUser{LastName: "User", Extension: ext}, tester); err != nil {
			t.Fatal(err)
		}
	}
	_, err := s.PatchAccount("p1", a.ID, map[string]any{"accountType": "SIMPLE"}, tester)
	wantCode(t, err, 400, "AccountTypeChangeNotAllowed")
}

func TestSearchKeepsUpWithRenamesAndDeletes(t *testing.T) {
	s := newTree(t)
	a, _ := s.CreateAccount("p1", advanced("SP-1"), tester)
	b, _ := s.CreateAccount("p1", advanced("SP-2"), tester)
	if _, err := s.PatchAccount("p1", a.ID, map[string]any{"accountName": "Zebra Corp"}, tester); err != nil {
		t.Fatal(err)
	}
	if hits, _ := s.SearchAccounts("p1", "zebra", 0); len(hits) != 1 || hits[0].ID != a.ID {
		t.Fatalf("rename not searchable: %v", hits)
	}
	if err := s.DeleteAccount("p1", a.ID, tester); err != nil {
		t.Fatal(err)
	}
	hits, _ := s.SearchAccounts("p1", "sp-", 0)
	if len(hits) != 1 || hits[0].ID != b.ID {
		t.Fatalf("after delete: %v", hits)
	}
}

func TestMoreRuleCodes(t *testing.T) {
	s := newTree(t)
	a, _ := s.CreateAccount("p1", advanced("SP-1"), tester)
	u, _ := s.CreateEndUser("p1", a.ID, EndUser{LastName: "Smith", Extension: "2001"}, tester)
	_, err := s.CreateAccount("p1", Account{AccountName: "No Number", AccountType: "SIMPLE"}, tester)
	wantCode(t, err, 400, "AccountNumberRequired")
	bad := advanced("SP-2")
	bad.HoldTimeoutSeconds = 20
	_, err = s.CreateAccount("p1", bad, tester)
	wantCode(t, err, 400, "InvalidValueForField:holdTimeoutSeconds")

	users := []struct {
		u    EndUser
		code string
	}{
		{EndUser{FirstName: "J0hn", LastName: "Doe", Extension: "2002"}, "InvalidFirstName"},
		{EndUser{LastName: "Doe", Extension: "2002", AllowPortalAccess: true}, "UsernameRequired"},
		{EndUser{Username: "a b", LastName: "Doe", Extension: "2002"}, "InvalidUsername"},
		{EndUser{LastName: "Doe", Extension: "2002", EmailAddress: "nope"}, "InvalidEmailAddress"},
		{EndUser{LastName: "Doe", Extension: "2002", UserProductPlan: "PROFESSIONAL"}, "EmailAddressRequired"},
		{EndUser{LastName: "Doe", Extension: "2002", LanguageTag: "de-DE"}, "InvalidValueForField:languageTag"},
		{EndUser{LastName: "Doe", Extension: "2002", CallScreeningSettings: &CallScreeningSettings{DefaultCallScreen: "Ignore"}}, "InvalidValueForField:defaultCallScreen"},
		{EndUser{LastName: "Doe", Extension: "2002", CallHandlingSettings: &CallHandlingSettings{CallHandlingOptionType: "Teleport"}}, "InvalidValueForField:callHandlingOptionType"},
	}
	for _, c := range users {
		_, err := s.CreateEndUser("p1", a.ID, c.u, tester)
		wantCode(t, err, 400, c.code)
	}
	_, err = s.CreateAccountUser("p1", a.ID, AccountUser{FirstName: "Noa", LastName: "Name"}, tester)
	wantCode(t, err, 400, "UsernameRequired")

	lines := []struct {
		d    Device
		code string
	}{
		{Device{DeviceTypeID: "SPA112", LineNumber: 1, UserID: u.ID}, "DeviceNameRequired"},
		{Device{DeviceTypeID: "SPA112", DeviceName: "x", LineNumber: 1}, "UserIdRequired"},
		{Device{DeviceName: "x", LineNumber: 1, UserID: u.ID}, "DeviceTypeIdRequired"},
		{Device{DeviceTypeID: "SPA112", DeviceName: "x", LineNumber: 1, UserID: u.ID, LineType: "Fancy"}, "InvalidValueForField:lineType"},
		{Device{DeviceTypeID: "VVX400", DeviceName: "x", MacAddress: "0004F2000009", LineNumber: 1, UserID: u.ID, FaxEnabled: true}, "InvalidValueForField:faxEnabled"},
	}
	for _, c := range lines {
		_, err := s.CreateDevice("p1", a.ID, c.d, tester)
		wantCode(t, err, 400, c.code)
	}
	_, err = s.AddCallingPlan("p1", a.ID, ModifyCallingPlan{CallingPlanProductID: "plan2"}, tester)
	wantCode(t, err, 400, "ReferenceTypeRequired")
	_, err = s.AddCallingPlan("p1", a.ID, ModifyCallingPlan{ReferenceType: "ACCOUNT"}, tester)
	wantCode(t, err, 400, "CallingPlanProductIdRequired")
	_, err = s.AddCallingPlan("p1", a.ID, ModifyCallingPlan{ReferenceType: "SIP_TRUNK", ReferenceID: "t1", CallingPlanProductID: "plan2"}, tester)
	wantCode(t, err, 404, "EntityNotFound")
	_, err = s.AddCallingPlan("p1", a.ID, ModifyCallingPlan{ReferenceType: "ACCOUNT", CallingPlanProductID: "plan3"}, tester)
	wantCode(t, err, 404, "EntityNotFound") // another partition's product
	_, err = s.AccountHistorySearch("p1", a.ID, HistoryQuery{StartDate: "yesterday"})
	wantCode(t, err, 400, "InvalidValueForField:startDate")
}

func TestHistoryDateFilter(t *testing.T) {
	clock := NewClock()
	clock.Set(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
	clock.Freeze(true)
	s, err := New(treeState(), clock)
	if err != nil {
		t.Fatal(err)
	}
	a, _ := s.CreateAccount("p1", advanced("SP-1"), tester)
	clock.Advance(48 * time.Hour)
	if _, err := s.PatchAccount("p1", a.ID, map[string]any{"accountName": "Later"}, tester); err != nil {
		t.Fatal(err)
	}
	page, _ := s.AccountHistorySearch("p1", a.ID, HistoryQuery{StartDate: "2026-03-01", EndDate: "2026-03-01"})
	if page.TotalRecords != 1 || page.Results[0].Action != "CREATE" {
		t.Fatalf("1 March: %+v", page)
	}
	page, _ = s.AccountHistorySearch("p1", a.ID, HistoryQuery{StartDate: "2026-03-02"})
	if page.TotalRecords != 1 || page.Results[0].Action != "UPDATE" || page.AccountCreatedDate != "2026-03-01T12:00:00.000Z" ||
		page.AccountLastUpdatedDate != "2026-03-03T12:00:00.000Z" {
		t.Fatalf("from 2 March: %+v", page)
	}
}

func TestPutEndUserReplaces(t *testing.T) {
	s := newTree(t)
	a, _ := s.CreateAccount("p1", advanced("SP-1"), tester)
	u, _ := s.CreateEndUser("p1", a.ID, EndUser{Username: "old@example.com", FirstName: "Old", LastName: "Name", Extension: "2001"}, tester)
	got, err := s.UpdateEndUser("p1", a.ID, u.ID, "", EndUser{ID: "other", LastName: "New", Extension: "2005"}, tester)
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != u.ID || got.FirstName != "" || got.Username != "" || got.Extension != "2005" ||
		got.VoicemailBoxID != u.VoicemailBoxID || len(got.CallingPlans) != 1 {
		t.Fatalf("put: %+v", got)
	}
	// the old username and extension are free again
	if _, err := s.CreateEndUser("p1", a.ID, EndUser{Username: "OLD@example.com", LastName: "Again", Extension: "2001"}, tester); err != nil {
		t.Fatal(err)
	}
}

func TestLoadRejectsBrokenAccountTrees(t *testing.T) {
	good := func() State {
		st := treeState()
		st.Accounts = []Account{{ID: "a1", PartitionID: "p1", AccountNumber: "SP-1", AccountName: "One", AccountType: "ADVANCED"}}
		st.EndUsers = []EndUser{{ID: "u1", PartitionID: "p1", AccountID: "a1", LastName: "Smith", Extension: "2001", Username: "jo@example.com"}}
		st.DeviceLines = []Device{{ID: "d1", PartitionID: "p1", AccountID: "a1", DeviceTypeID: "SPA112", DeviceName: "ata", LineNumber: 1, UserID: "u1"}}
		return st
	}
	if _, err := New(good(), nil); err != nil {
		t.Fatalf("good state: %v", err)
	}
	cases := map[string]func(*State){
		"account in unknown partition": func(s *State) { s.Accounts[0].PartitionID = "nope" },
		"duplicate account number": func(s *State) {
			s.Accounts = append(s.Accounts, Account{ID: "a2", PartitionID: "p1", AccountNumber: "SP-1", AccountName: "Two", AccountType: "SIMPLE"})
		},
		"user in another partition's account": func(s *State) { s.EndUsers[0].PartitionID = "p2" },
		"user without extension":              func(s *State) { s.EndUsers[0].Extension = "" },
		"account user with a user's id": func(s *State) {
			s.AccountUsers = []AccountUser{{ID: "u1", PartitionID: "p1", AccountID: "a1", Username: "x@example.com", FirstName: "Xen", LastName: "Yoo"}}
		},
		"account user with a taken username": func(s *State) {
			s.AccountUsers = []AccountUser{{ID: "au1", PartitionID: "p1", AccountID: "a1", Username: "JO@example.com", FirstName: "Xen", LastName: "Yoo"}}
		},
		"line of unknown user":   func(s *State) { s.DeviceLines[0].UserID = "nobody" },
		"line of unknown type":   func(s *State) { s.DeviceLines[0].DeviceTypeID = "NOPE" },
		"duplicate line id":      func(s *State) { s.DeviceLines = append(s.DeviceLines, s.DeviceLines[0]) },
		"box of unknown account": func(s *State) { s.VoicemailBoxes = []VoicemailBox{{ID: "b1", PartitionID: "p1", AccountID: "zz"}} },
	}
	for name, edit := range cases {
		st := good()
		edit(&st)
		if _, err := New(st, nil); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestPutAccountKeepsExtensionLengthAndStampsPlatformChange(t *testing.T) {
	s := newTree(t)
	in := advanced("SP-1")
	in.ExtensionLength = 3
	a, _ := s.CreateAccount("p1", in, tester)
	got, err := s.UpdateAccount("p1", a.ID, Account{AccountNumber: "SP-1", AccountName: "Renamed", PlatformType: "CPE1"}, tester)
	if err != nil {
		t.Fatal(err)
	}
	if got.ExtensionLength != 3 || got.AccountType != "ADVANCED" || got.PlatformChangeDate == "" {
		t.Fatalf("put: %+v", got)
	}
	hits, _ := s.SearchAccounts("p1", "renamed", 0)
	if len(hits) != 1 || hits[0].PlatformChangeDate == 0 {
		t.Fatalf("search view: %+v", hits)
	}
}

func TestEnumAndRangeCodes(t *testing.T) {
	s := newTree(t)
	a, _ := s.CreateAccount("p1", advanced("SP-1"), tester)
	u, _ := s.CreateEndUser("p1", a.ID, EndUser{LastName: "Smith", Extension: "2001"}, tester)
	accounts := map[string]func(*Account){
		"accountNumber": func(x *Account) { x.AccountNumber = "AB" },
		"accountName":   func(x *Account) { x.AccountName = "AB" },
		"customField":   func(x *Account) { x.CustomField = "AB" },
		"anonymousCallScreen": func(x *Account) {
			x.CallScreeningSettings = &CallScreeningSettings{AnonymousCallScreen: "Maybe"}
		},
	}
	for field, edit := range accounts {
		in := advanced("SP-9")
		edit(&in)
		_, err := s.CreateAccount("p1", in, tester)
		wantCode(t, err, 400, "InvalidValueForField:"+field)
	}
	screens := map[string]CallScreeningSettings{
		"anonymousRingType":  {AnonymousRingType: "Ring9"},
		"tollFreeCallScreen": {TollFreeCallScreen: "Maybe"},
		"tollFreeRingType":   {TollFreeRingType: "Ring9"},
		"defaultRingType":    {DefaultRingType: "Ring9"},
		"blockType":          {CustomCallScreenList: []CustomCallScreen{{BlockType: "Maybe"}}},
		"ringType":           {CustomCallScreenList: []CustomCallScreen{{BlockType: "Block", RingType: "Ring9"}}},
	}
	for field, c := range screens {
		_, err := s.PatchEndUser("p1", a.ID, u.ID, "", map[string]any{"callScreeningSettings": c}, tester)
		wantCode(t, err, 400, "InvalidValueForField:"+field)
	}
	handling := map[string]CallHandlingSettings{
		"type":        {RingPhoneCallHandling: &RingPhoneCallHandling{BusyCallHandling: &CallHandling{Type: "Ignore"}}},
		"timeout":     {FindMeFollowMeCallHandling: &FindMeFollowMeCallHandling{FindMeEndpoints: []FindMeEndpoint{{Timeout: 300}}}},
		"timeoutType": {FindMeFollowMeCallHandling: &FindMeFollowMeCallHandling{TimeoutType: "Later"}},
	}
	for field, h := range handling {
		_, err := s.UpdateEndUser("p1", a.ID, u.ID, "", EndUser{LastName: "Smith", Extension: "2001", CallHandlingSettings: &h}, tester)
		wantCode(t, err, 400, "InvalidValueForField:"+field)
	}
	users := map[string]EndUser{
		"endUserType":         {EndUserType: "BOSS"},
		"userProductPlan":     {UserProductPlan: "GOLD"},
		"softphoneClientType": {SoftphoneClientType: "PHONEY"},
	}
	for field, in := range users {
		in.LastName, in.Extension = "Smith", "2001"
		_, err := s.UpdateEndUser("p1", a.ID, u.ID, "", in, tester)
		wantCode(t, err, 400, "InvalidValueForField:"+field)
	}
	_, err := s.CreateAccountUser("p1", a.ID, AccountUser{Username: "au@example.com", FirstName: "Ann", LastName: "Ury", SubDomain: "x"}, tester)
	wantCode(t, err, 400, "InvalidValueForField:subDomain")
	_, err = s.CreateCallingPlanProduct("p1", CallingPlanProduct{Name: "Neg", PlanMinutes: -1})
	wantCode(t, err, 400, "InvalidValueForField:planMinutes")
	_, err = s.CreateCallingPlanProduct("p1", CallingPlanProduct{Name: "Rate", RateTypeForOperator: "PER_YEAR"})
	wantCode(t, err, 400, "InvalidValueForField:rateTypeForOperator")
	_, err = s.CreateCallingPlanProduct("p1", CallingPlanProduct{Name: "Rate", CallRateForOperator: -1})
	wantCode(t, err, 400, "InvalidValueForField:callRateForOperator")
	_, err = s.AddCallingPlan("p1", a.ID, ModifyCallingPlan{ReferenceType: "ACCOUNT", CallingPlanProductID: "plan2", CallingPlanType: "ODD"}, tester)
	wantCode(t, err, 400, "InvalidValueForField:callingPlanType")
	_, err = s.AddCallingPlan("p1", a.ID, ModifyCallingPlan{ReferenceType: "PHONE", CallingPlanProductID: "plan2"}, tester)
	wantCode(t, err, 400, "InvalidValueForField:referenceType")
	_, err = s.Devices("p1", a.ID, "COLOUR", "red")
	wantCode(t, err, 400, "InvalidValueForField:filterType")
	_, err = s.EndUser("p1", a.ID, u.ID, "Nickname")
	wantCode(t, err, 400, "InvalidValueForField:idType")
	_, err = s.AccountHistorySearch("p1", a.ID, HistoryQuery{FirstResultIndex: -1})
	wantCode(t, err, 400, "InvalidValueForField:firstResultIndex")
	_, err = s.AccountHistorySearch("p1", a.ID, HistoryQuery{EndDate: "2026-13-40"})
	wantCode(t, err, 400, "InvalidValueForField:endDate")
	_, err = s.PatchAccount("p1", a.ID, map[string]any{"billingCycleDay": "soon"}, tester)
	wantCode(t, err, 400, "InvalidValueForField:billingCycleDay")
}
