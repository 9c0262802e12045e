package store

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"time"
)

// Account is an Alianza customer account (the Account schema). Null fields
// are left out; endUserCount and callingPlans are always sent.
type Account struct {
	ID                       string                 `json:"id"`
	PartitionID              string                 `json:"partitionId"`
	AccountNumber            string                 `json:"accountNumber"`
	AccountName              string                 `json:"accountName"`
	BillingCycleDay          int                    `json:"billingCycleDay"`
	CustomField              string                 `json:"customField,omitempty"`
	Status                   string                 `json:"status"`
	TimeZone                 string                 `json:"timeZone"`
	LanguageTag              string                 `json:"languageTag,omitempty"`
	DeletionDate             string                 `json:"deletionDate,omitempty"`
	AccountType              string                 `json:"accountType"`
	PlatformType             string                 `json:"platformType"`
	PlatformChangeDate       string                 `json:"platformChangeDate,omitempty"`
	InboundRatePlanProductID string                 `json:"inboundRatePlanProductId,omitempty"`
	ExtensionLength          int                    `json:"extensionLength"`
	DialingBehaviorType      string                 `json:"dialingBehaviorType"`
	RoutePlanID              string                 `json:"routePlanId"`
	CallScreeningSettings    *CallScreeningSettings `json:"callScreeningSettings,omitempty"`
	HoldMusicMediaID         string                 `json:"holdMusicMediaId,omitempty"`
	HoldTimeoutSeconds       int                    `json:"holdTimeoutSeconds"`
	AllowDangerousExtensions bool                   `json:"allowDangerousExtensions"`
	Domain                   string                 `json:"domain,omitempty"`
	SendWelcomeEmail         bool                   `json:"sendWelcomeEmail"`
	RegulatoryType           string                 `json:"regulatoryType"`
	EndUserCount             int64                  `json:"endUserCount"`
	CustomHoldMusicMediaID   string                 `json:"customHoldMusicMediaId,omitempty"`
	CallingPlans             []CallingPlan          `json:"callingPlans"`
}

// clone copies an account without sharing any slice or pointer.
func (a *Account) clone() Account {
	out := *a
	out.CallingPlans = slices.Clone(a.CallingPlans)
	if a.CallScreeningSettings != nil {
		c := *a.CallScreeningSettings
		c.CustomCallScreenList = slices.Clone(c.CustomCallScreenList)
		out.CallScreeningSettings = &c
	}
	return out
}

// AccountView is one account search hit (AccountViewX). Matches maps the
// lower-case name of each field that matched to its value.
type AccountView struct {
	PartitionID        string            `json:"partitionId"`
	ID                 string            `json:"id"`
	AccountNumber      string            `json:"accountNumber,omitempty"`
	AccountName        string            `json:"accountName,omitempty"`
	Type               string            `json:"type,omitempty"`
	AccountStatus      string            `json:"accountStatus,omitempty"`
	PlatformType       string            `json:"platformType,omitempty"`
	PlatformChangeDate int64             `json:"platformChangeDate,omitempty"`
	Matches            map[string]string `json:"matches"`
}

// Actor is who makes a change, as account history records it.
type Actor struct {
	UserName string
	UserID   string
	UserType string // AccountUser, EndUser, ManagementUser, AlianzaUser, BusinessLines
}

// Account id types accepted by AccountByIDType.
const (
	AccountIDTypeID            = "Id"
	AccountIDTypeAccountNumber = "AccountNumber"
	AccountIDTypePhoneNumber   = "PhoneNumber"
	AccountIDTypeMacAddress    = "MacAddress"
)

// Enums an account's fields must come from.
var (
	TimeZones = []string{"US/Samoa", "US/Hawaii", "US/Alaska", "US/Pacific", "US/Arizona",
		"US/Mountain", "US/Central", "US/Eastern", "America/St_Thomas", "Canada/Pacific",
		"Canada/Mountain", "Canada/Central", "Canada/Eastern", "Canada/Atlantic", "Canada/Newfoundland"}
	accountTypes         = []string{"SIMPLE", "ADVANCED"}
	platformTypes        = []string{"V2_0", "V2_1", "CPE1", "CPE2"}
	accountStatuses      = []string{"ACTIVE", "DISABLED", "DELETED", "DELETE_PENDING", "SUSPENDED", "PENDING"}
	regulatoryTypes      = []string{"RESIDENTIAL", "COMMERCIAL", "GOVERNMENT"}
	dialingBehaviorTypes = []string{"SEVEN_DIGIT", "TEN_DIGIT", "OPEN_DIAL_PLAN",
		"DIAL_NINE_SEVEN_DIGIT", "DIAL_NINE_TEN_DIGIT", "OPEN_DIAL_PLAN_TEN_DIGIT"}
)

// accountKids indexes what hangs under one account, in creation order.
type accountKids struct {
	users        []string
	devices      []string
	accountUsers []string
	boxes        []string
	extensions   map[string]string // extension -> end user id
}

func newAccountKids() *accountKids { return &accountKids{extensions: map[string]string{}} }

const timeLayout = "2006-01-02T15:04:05.000Z"

func (s *Store) now() string { return s.clock.Now().Format(timeLayout) }

func acctKey(partitionID, number string) string { return partitionID + "\x00" + number }

func invalidField(field string) *Error { return Invalid("InvalidValueForField:" + field) }

// account finds an account by id inside a partition. Lock held.
func (s *Store) account(partitionID, id string) (*Account, error) {
	a, ok := s.accounts[id]
	if !ok || a.PartitionID != partitionID {
		if _, ok := s.partitions[partitionID]; !ok {
			return nil, NotFound("Partition", partitionID)
		}
		return nil, NotFound("Account", id)
	}
	return a, nil
}

// accountOut is the caller's copy of an account with its derived fields.
func (s *Store) accountOut(a *Account) Account {
	out := a.clone()
	out.EndUserCount = int64(len(s.kids[a.ID].users))
	if out.CallingPlans == nil {
		out.CallingPlans = []CallingPlan{}
	}
	return out
}

// validateAccount checks a complete account against Alianza's rules. old is
// the stored account on update (nil on create). Lock held.
func (s *Store) validateAccount(a *Account, old *Account) error {
	switch {
	case strings.TrimSpace(a.AccountName) == "":
		return Invalid("AccountNameRequired")
	case strings.TrimSpace(a.AccountNumber) == "":
		return Invalid("AccountNumberRequired")
	case len(a.AccountNumber) < 3 || len(a.AccountNumber) > 256:
		return invalidField("accountNumber")
	case len(a.AccountName) < 3 || len(a.AccountName) > 256:
		return invalidField("accountName")
	case a.CustomField != "" && (len(a.CustomField) < 3 || len(a.CustomField) > 256):
		return invalidField("customField")
	case a.BillingCycleDay < 1 || a.BillingCycleDay > 28:
		return invalidField("billingCycleDay")
	case a.AccountType == "":
		return Invalid("AccountTypeRequired")
	case !slices.Contains(accountTypes, a.AccountType):
		return invalidField("accountType")
	case !slices.Contains(TimeZones, a.TimeZone):
		return invalidField("timeZone")
	case !slices.Contains(platformTypes, a.PlatformType):
		return invalidField("platformType")
	case !slices.Contains(accountStatuses, a.Status):
		return invalidField("status")
	case !slices.Contains(regulatoryTypes, a.RegulatoryType):
		return invalidField("regulatoryType")
	case !slices.Contains(dialingBehaviorTypes, a.DialingBehaviorType):
		return invalidField("dialingBehaviorType")
	case strings.HasPrefix(a.DialingBehaviorType, "DIAL_NINE_") && a.AccountType != "ADVANCED":
		return invalidField("dialingBehaviorType")
	case a.ExtensionLength < 3 || a.ExtensionLength > 6:
		return invalidField("extensionLength")
	case a.HoldTimeoutSeconds < 30 || a.HoldTimeoutSeconds > 600:
		return invalidField("holdTimeoutSeconds")
	}
	if err := validateScreening(a.CallScreeningSettings); err != nil {
		return err
	}
	if old != nil {
		if old.ExtensionLength != a.ExtensionLength && old.AccountType == "ADVANCED" {
			return Invalid("ExtensionLengthCannotBeChanged")
		}
		if old.AccountType != a.AccountType {
			kids := s.kids[old.ID]
			if a.AccountType == "SIMPLE" && (len(kids.users) > 1 || len(kids.devices) > 1) {
				return Invalid("AccountTypeChangeNotAllowed")
			}
		}
	}
	if id, ok := s.acctByNumber[acctKey(a.PartitionID, a.AccountNumber)]; ok && id != a.ID {
		return Invalid("DuplicateAccountNumber")
	}
	return nil
}

// fillAccountDefaults sets what Alianza fills on create.
func (s *Store) fillAccountDefaults(a *Account, p *Partition) {
	if a.Status == "" {
		a.Status = "ACTIVE"
	}
	if a.TimeZone == "" {
		a.TimeZone = p.DefaultTimeZone
	}
	if a.BillingCycleDay == 0 {
		a.BillingCycleDay = 1
	}
	if a.PlatformType == "" {
		a.PlatformType = "CPE2"
		if a.AccountType == "SIMPLE" {
			a.PlatformType = "CPE1"
		}
	}
	if a.DialingBehaviorType == "" {
		a.DialingBehaviorType = p.dialingBehaviorFor(a.AccountType)
	}
	if a.ExtensionLength == 0 {
		a.ExtensionLength = p.DefaultExtensionLength
	}
	if a.HoldTimeoutSeconds == 0 {
		a.HoldTimeoutSeconds = p.DefaultHoldTimeoutSeconds
	}
	if a.RegulatoryType == "" {
		a.RegulatoryType = "COMMERCIAL"
		if a.AccountType == "SIMPLE" {
			a.RegulatoryType = "RESIDENTIAL"
		}
	}
	if a.RoutePlanID == "" {
		a.RoutePlanID = NewUUID()
	}
	if a.CallingPlans == nil {
		a.CallingPlans = []CallingPlan{}
	}
}

// insertAccount stores a validated account and indexes it. Lock held.
func (s *Store) insertAccount(a *Account) {
	s.accounts[a.ID] = a
	s.acctByNumber[acctKey(a.PartitionID, a.AccountNumber)] = a.ID
	pa := s.acctsByPartition[a.PartitionID]
	if pa == nil {
		pa = newPartitionAccounts(s.loadingAccounts)
		s.acctsByPartition[a.PartitionID] = pa
	}
	pa.put(a)
	if s.kids[a.ID] == nil {
		s.kids[a.ID] = newAccountKids()
	}
}

// CreateAccount adds an account to a partition. The client's id is ignored.
func (s *Store) CreateAccount(partitionID string, in Account, by Actor) (Account, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, err := s.createAccount(partitionID, in)
	if err != nil {
		return Account{}, err
	}
	s.logHistory(a, by, "CREATE", "ACCOUNT", "Account", a.ID, a.AccountName, nil, a)
	return s.accountOut(a), nil
}

// createAccount checks and stores a new account (no history). Lock held.
func (s *Store) createAccount(partitionID string, in Account) (*Account, error) {
	p, ok := s.partitions[partitionID]
	if !ok {
		return nil, NotFound("Partition", partitionID)
	}
	a := in.clone()
	a.ID, a.PartitionID, a.EndUserCount, a.CallingPlans = NewID(), partitionID, 0, nil
	s.fillAccountDefaults(&a, p)
	if err := s.validateAccount(&a, nil); err != nil {
		return nil, err
	}
	s.insertAccount(&a)
	return &a, nil
}

// Account returns one account of a partition.
func (s *Store) Account(partitionID, id string) (Account, error) {
	return s.AccountByIDType(partitionID, id, AccountIDTypeID)
}

// AccountByIDType finds an account by id, account number, telephone number
// or MAC address, as GET A?accountIdType= does.
func (s *Store) AccountByIDType(partitionID, key, idType string) (Account, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	a, err := s.accountByIDType(partitionID, key, idType)
	if err != nil {
		return Account{}, err
	}
	return s.accountOut(a), nil
}

// accountByIDType resolves an account key. Lock held.
func (s *Store) accountByIDType(partitionID, key, idType string) (*Account, error) {
	if _, ok := s.partitions[partitionID]; !ok {
		return nil, NotFound("Partition", partitionID)
	}
	id := key
	switch idType {
	case "", AccountIDTypeID:
	case AccountIDTypeAccountNumber:
		id = s.acctByNumber[acctKey(partitionID, key)]
	case AccountIDTypePhoneNumber:
		id, _ = s.accountIDByNumber(partitionID, key)
	case AccountIDTypeMacAddress:
		if ids := s.devByMAC[strings.ToUpper(key)]; len(ids) > 0 {
			id = s.devices[ids[0]].AccountID
		} else {
			id = ""
		}
	default:
		return nil, invalidField("accountIdType")
	}
	a, ok := s.accounts[id]
	if !ok || a.PartitionID != partitionID {
		return nil, NotFound("Account", key)
	}
	return a, nil
}

// Accounts lists every account of a partition, by account number.
func (s *Store) Accounts(partitionID string) ([]Account, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if _, ok := s.partitions[partitionID]; !ok {
		return nil, NotFound("Partition", partitionID)
	}
	pa := s.acctsByPartition[partitionID]
	if pa == nil {
		return []Account{}, nil
	}
	// The search index keeps the accounts in number order (a load builds it
	// before it lets the lock go).
	entries := pa.idx.inOrder()
	out := make([]Account, len(entries))
	for i, e := range entries {
		out[i] = s.accountOut(e.acct)
	}
	return out, nil
}

// UpdateAccount replaces an account (PUT). Server-owned fields (id,
// partitionId, endUserCount, callingPlans) keep their stored values.
func (s *Store) UpdateAccount(partitionID, id string, in Account, by Actor) (Account, error) {
	return s.changeAccount(partitionID, id, &in, nil, by)
}

// PatchAccount merges the given keys into an account (PATCH).
func (s *Store) PatchAccount(partitionID, id string, patch map[string]any, by Actor) (Account, error) {
	return s.changeAccount(partitionID, id, nil, patch, by)
}

func (s *Store) changeAccount(partitionID, id string, in *Account, patch map[string]any, by Actor) (Account, error) {
	find := func() (*Account, *Account, error) {
		a, err := s.account(partitionID, id)
		return a, a, err
	}
	return change(s, find, in, patch, func(_ *Account, old *Account, a Account) (Account, error) { return s.replaceAccount(old, a, by) })
}

// change is the one shape of every PUT and PATCH: under the lock, find the
// stored object (and its account), build its next version (a copy of the
// PUT body, or the patch merged into the stored object) and let replace
// check and store it.
func change[K any](s *Store, find func() (*Account, *K, error), in *K, patch map[string]any, replace func(*Account, *K, K) (K, error)) (K, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var zero K
	a, old, err := find()
	if err != nil {
		return zero, err
	}
	var next K
	if in != nil {
		next = deepCopy(*in)
	} else if next, err = patched(old, patch); err != nil {
		return zero, err
	}
	return replace(a, old, next)
}

// replaceAccount validates and stores the new version of an account. Lock held.
func (s *Store) replaceAccount(old *Account, a Account, by Actor) (Account, error) {
	p := s.partitions[old.PartitionID]
	a.ID, a.PartitionID, a.CallingPlans = old.ID, old.PartitionID, old.CallingPlans
	if a.RoutePlanID == "" {
		a.RoutePlanID = old.RoutePlanID
	}
	if a.HoldMusicMediaID == "" {
		a.HoldMusicMediaID = old.HoldMusicMediaID
	}
	if a.AccountType == "" {
		a.AccountType = old.AccountType
	}
	if a.Status == "" {
		a.Status = old.Status
	}
	if a.ExtensionLength == 0 {
		a.ExtensionLength = old.ExtensionLength
	}
	s.fillAccountDefaults(&a, p)
	if a.PlatformType != old.PlatformType {
		a.PlatformChangeDate = s.now()
	}
	if err := s.validateAccount(&a, old); err != nil {
		return Account{}, err
	}
	before := deepCopy(*old)
	delete(s.acctByNumber, acctKey(old.PartitionID, old.AccountNumber))
	*old = a
	s.insertAccount(old)
	kind := "ACCOUNT"
	if before.Status != old.Status {
		kind = "ACCOUNT_STATUS"
	}
	s.logHistory(old, by, "UPDATE", kind, "Account", old.ID, old.AccountName, &before, old)
	return s.accountOut(old), nil
}

// DeleteAccount removes an account and everything under it in one step:
// device lines, end users, account users, voicemail boxes; its telephone
// numbers leave it (releaseAccountNumbers).
func (s *Store) DeleteAccount(partitionID, id string, by Actor) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, err := s.account(partitionID, id)
	if err != nil {
		return err
	}
	kids := s.kids[a.ID]
	for _, d := range slices.Clone(kids.devices) {
		s.removeDevice(s.devices[d])
	}
	for _, u := range slices.Clone(kids.users) {
		s.removeEndUser(s.endUsers[u])
	}
	for _, u := range slices.Clone(kids.accountUsers) {
		s.removeAccountUser(s.accountUsers[u])
	}
	s.removeAccountExtras(a)
	s.removeAccountVoice(a.ID)
	for _, b := range slices.Clone(kids.boxes) {
		delete(s.vmBoxes, b)
	}
	s.releaseAccountNumbers(a)
	s.dropGenericUnder("/v2/partition/" + a.PartitionID + "/account/" + a.ID + "/")
	s.logHistory(a, by, "DELETE", "ACCOUNT", "Account", a.ID, a.AccountName, a, nil)
	s.unindexAccount(a)
	s.deletedAcctByNumber[acctKey(a.PartitionID, a.AccountNumber)] = a.ID
	return nil
}

// unindexAccount takes an account out of the store's maps, the reverse of
// insertAccount. Lock held.
func (s *Store) unindexAccount(a *Account) {
	delete(s.accounts, a.ID)
	delete(s.acctByNumber, acctKey(a.PartitionID, a.AccountNumber))
	s.acctsByPartition[a.PartitionID].remove(a.ID)
	delete(s.kids, a.ID)
}

// SearchAccounts finds accounts whose number or name contains q (case
// insensitive), at most limit hits (0: no limit), ordered by account number.
func (s *Store) SearchAccounts(partitionID, q string, limit int) ([]AccountView, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if _, ok := s.partitions[partitionID]; !ok {
		return nil, NotFound("Partition", partitionID)
	}
	needle := strings.ToLower(strings.TrimSpace(q))
	var hits []*searchEntry
	if pa := s.acctsByPartition[partitionID]; pa != nil {
		hits = pa.search(needle, limit)
	}
	out := make([]AccountView, len(hits))
	for i, e := range hits {
		a := e.acct
		m := map[string]string{}
		if strings.Contains(e.number, needle) {
			m["accountnumber"] = a.AccountNumber
		}
		if strings.Contains(e.name, needle) {
			m["accountname"] = a.AccountName
		}
		v := AccountView{PartitionID: a.PartitionID, ID: a.ID, AccountNumber: a.AccountNumber,
			AccountName: a.AccountName, Type: a.AccountType, AccountStatus: a.Status,
			PlatformType: a.PlatformType, Matches: m}
		if t, err := time.Parse(timeLayout, a.PlatformChangeDate); err == nil {
			v.PlatformChangeDate = t.UnixMilli()
		}
		out[i] = v
	}
	return out, nil
}

// PropertyCheck is a validateproperties question: each non-empty field asks
// whether that value is still free.
type PropertyCheck struct {
	AccountNumber string
	MacAddress    string
	SipUsername   string
	Username      string
}

// PropertiesAvailable answers validateproperties: true when every value
// asked about is free (account numbers per partition; MACs, SIP usernames
// and usernames across the platform).
func (s *Store) PropertiesAvailable(partitionID string, c PropertyCheck) (bool, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if _, ok := s.partitions[partitionID]; !ok {
		return false, NotFound("Partition", partitionID)
	}
	if c.AccountNumber != "" {
		if _, used := s.acctByNumber[acctKey(partitionID, c.AccountNumber)]; used {
			return false, nil
		}
	}
	if c.MacAddress != "" && len(s.devByMAC[strings.ToUpper(c.MacAddress)]) > 0 {
		return false, nil
	}
	if c.SipUsername != "" && s.sipUsernameTaken(partitionID, c.SipUsername) {
		return false, nil
	}
	if c.Username != "" && s.usernameTaken(c.Username) {
		return false, nil
	}
	return true, nil
}

// patched applies a partial JSON object to the JSON form of cur and returns
// the result. Nested objects merge key by key; any other value (arrays
// included) replaces; null removes.
func patched[T any](cur *T, patch map[string]any) (T, error) {
	var out T
	b, err := json.Marshal(cur)
	if err != nil {
		return out, err
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		return out, err
	}
	mergeInto(m, patch)
	if b, err = json.Marshal(m); err != nil {
		return out, err
	}
	if err := json.Unmarshal(b, &out); err != nil {
		return out, patchError(err)
	}
	return out, nil
}

func mergeInto(dst, patch map[string]any) {
	for k, v := range patch {
		if sub, ok := v.(map[string]any); ok {
			if have, ok := dst[k].(map[string]any); ok {
				mergeInto(have, sub)
				continue
			}
		}
		if v == nil {
			delete(dst, k)
			continue
		}
		dst[k] = v
	}
}

// patchError names the field a patch gave the wrong type.
func patchError(err error) *Error {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) && te.Field != "" {
		parts := strings.Split(te.Field, ".")
		return invalidField(parts[len(parts)-1])
	}
	return Invalid("InvalidRequestBody")
}
