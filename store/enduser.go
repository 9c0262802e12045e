package store

import (
	"encoding/json"
	"net/mail"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// EndUser is a person with a phone service in an account (EndUserV2X).
// Devices is derived from the account's device lines owned by the user.
type EndUser struct {
	ID                    string                 `json:"id"`
	Username              string                 `json:"username,omitempty"`
	FirstName             string                 `json:"firstName,omitempty"`
	LastName              string                 `json:"lastName,omitempty"`
	EmailAddress          string                 `json:"emailAddress,omitempty"`
	MustChangePassword    bool                   `json:"mustChangePassword"`
	LanguageTag           string                 `json:"languageTag,omitempty"`
	PartitionID           string                 `json:"partitionId"`
	AccountID             string                 `json:"accountId"`
	CallingPlans          []CallingPlan          `json:"callingPlans"`
	Devices               []Device               `json:"devices"`
	TimeZone              string                 `json:"timeZone,omitempty"`
	Extension             string                 `json:"extension,omitempty"`
	CallerIDConfig        *CallerIDConfig        `json:"callerIdConfig,omitempty"`
	CallHandlingSettings  *CallHandlingSettings  `json:"callHandlingSettings,omitempty"`
	CallScreeningSettings *CallScreeningSettings `json:"callScreeningSettings,omitempty"`
	NewCppID              string                 `json:"newCppId,omitempty"`
	MediaFriends          *MediaFriends          `json:"mediaFriends,omitempty"`
	CallHandlingSchedules []CallHandlingSchedule `json:"callHandlingSchedules"`
	VoicemailBoxID        string                 `json:"voicemailBoxId,omitempty"`
	EndUserType           string                 `json:"endUserType,omitempty"`
	UserProductPlan       string                 `json:"userProductPlan,omitempty"`
	SoftphoneClientType   string                 `json:"softphoneClientType,omitempty"`
	PinLockedOut          bool                   `json:"pinLockedOut"`
	WelcomeEmailSent      string                 `json:"welcomeEmailSent,omitempty"`
	BlockEmail            bool                   `json:"blockEmail"`
	AllowPortalAccess     bool                   `json:"allowPortalAccess"`
	Tags                  string                 `json:"tags,omitempty"`
	Group                 *UserGroup             `json:"group,omitempty"`
}

// CallerIDConfig is CallerIdConfigX.
type CallerIDConfig struct {
	CallerIDNumber              string `json:"callerIdNumber"`
	ExternalCallerIDVisible     bool   `json:"externalCallerIdVisible"`
	ExtensionCallerIDVisible    bool   `json:"extensionCallerIdVisible"`
	CallerIDNumberReservationID string `json:"callerIdNumberReservationId,omitempty"`
}

// CallHandlingSettings is CallHandlingSettingsX.
type CallHandlingSettings struct {
	CallWaitingEnabled               bool                          `json:"callWaitingEnabled"`
	DoNotDisturbEnabled              bool                          `json:"doNotDisturbEnabled"`
	CallHandlingOptionType           string                        `json:"callHandlingOptionType,omitempty"`
	ForwardAlwaysToNumber            string                        `json:"forwardAlwaysToNumber,omitempty"`
	ForwardAlwaysToNumberDescription string                        `json:"forwardAlwaysToNumberDescription,omitempty"`
	RingPhoneCallHandling            *RingPhoneCallHandling        `json:"ringPhoneCallHandling,omitempty"`
	SimultaneousRingCallHandling     *SimultaneousRingCallHandling `json:"simultaneousRingCallHandling,omitempty"`
	FindMeFollowMeCallHandling       *FindMeFollowMeCallHandling   `json:"findMeFollowMeCallHandling,omitempty"`
}

// RingPhoneCallHandling is RingPhoneCallHandlingX.
type RingPhoneCallHandling struct {
	BusyCallHandling         *CallHandling            `json:"busyCallHandling,omitempty"`
	NoAnswerCallHandling     *CallHandlingWithTimeout `json:"noAnswerCallHandling,omitempty"`
	UnregisteredCallHandling *CallHandling            `json:"unregisteredCallHandling,omitempty"`
}

// CallHandling is CallHandlingX: what happens to a call (Forward, Voicemail, Busy).
type CallHandling struct {
	Type            string `json:"type,omitempty"`
	ForwardToNumber string `json:"forwardToNumber"`
	Description     string `json:"description,omitempty"`
}

// CallHandlingWithTimeout is CallHandlingWithTimeoutX (adds RingForever and a timeout in seconds).
type CallHandlingWithTimeout struct {
	Type            string `json:"type,omitempty"`
	Timeout         int    `json:"timeout,omitempty"`
	ForwardToNumber string `json:"forwardToNumber"`
	Description     string `json:"description,omitempty"`
}

// SimultaneousRingCallHandling is SimultaneousRingCallHandlingX.
type SimultaneousRingCallHandling struct {
	ForwardToNumberList      []string                   `json:"forwardToNumberList"`
	ForwardToTimedNumberList []SimultaneousRingEndpoint `json:"forwardToTimedNumberList,omitempty"`
	NoAnswerCallHandling     *CallHandlingWithTimeout   `json:"noAnswerCallHandling,omitempty"`
	ContinueOnBusy           bool                       `json:"continueOnBusy"`
}

// SimultaneousRingEndpoint is SimultaneousRingEndpointX.
type SimultaneousRingEndpoint struct {
	ToNumber       string `json:"toNumber,omitempty"`
	RingDelay      int    `json:"ringDelay"`
	RingDuration   int    `json:"ringDuration,omitempty"`
	ContinueOnBusy bool   `json:"continueOnBusy"`
}

// FindMeFollowMeCallHandling is FindMeFollowMeCallHandlingX.
type FindMeFollowMeCallHandling struct {
	FindMeEndpoints []FindMeEndpoint `json:"findMeEndpoints,omitempty"`
	TimeoutType     string           `json:"timeoutType,omitempty"`
}

// FindMeEndpoint is FindMeEndpointX.
type FindMeEndpoint struct {
	RingUserDevice bool   `json:"ringUserDevice"`
	ToNumber       string `json:"toNumber,omitempty"`
	Description    string `json:"description,omitempty"`
	Timeout        int    `json:"timeout,omitempty"`
	ToUserID       string `json:"toUserId,omitempty"`
	ContinueOnBusy bool   `json:"continueOnBusy"`
}

// CallScreeningSettings is CallScreeningSettingsX.
type CallScreeningSettings struct {
	AnonymousCallScreen  string             `json:"anonymousCallScreen,omitempty"`
	AnonymousRingType    string             `json:"anonymousRingType,omitempty"`
	TollFreeCallScreen   string             `json:"tollFreeCallScreen,omitempty"`
	TollFreeRingType     string             `json:"tollFreeRingType,omitempty"`
	DefaultCallScreen    string             `json:"defaultCallScreen,omitempty"`
	DefaultRingType      string             `json:"defaultRingType,omitempty"`
	CustomCallScreenList []CustomCallScreen `json:"customCallScreenList"`
	ForwardTn            string             `json:"forwardTn,omitempty"`
}

// CustomCallScreen is CustomCallScreenX.
type CustomCallScreen struct {
	TelephoneNumber string `json:"telephoneNumber,omitempty"`
	BlockType       string `json:"blockType,omitempty"`
	RingType        string `json:"ringType,omitempty"`
}

// CallHandlingSchedule is CallHandlingScheduleX; the schedule itself is kept
// as sent.
type CallHandlingSchedule struct {
	Schedule     json.RawMessage       `json:"schedule,omitempty"`
	CallHandling *CallHandlingSettings `json:"callHandling,omitempty"`
}

// MediaFriends is MediaFriendsX.
type MediaFriends struct {
	Enabled  bool   `json:"enabled"`
	Host     string `json:"host,omitempty"`
	ToNumber string `json:"toNumber,omitempty"`
}

// UserGroup is UserGroupX.
type UserGroup struct {
	ID          string `json:"id,omitempty"`
	Name        string `json:"name,omitempty"`
	Description string `json:"description,omitempty"`
}

// AccountUser is an account manager with portal access and no phone
// (AccountUserX).
type AccountUser struct {
	PartitionID        string `json:"partitionId"`
	AccountID          string `json:"accountId"`
	UserID             string `json:"userId,omitempty"`
	SubDomain          string `json:"subDomain,omitempty"`
	Username           string `json:"username,omitempty"`
	FirstName          string `json:"firstName,omitempty"`
	LastName           string `json:"lastName,omitempty"`
	MustChangePassword bool   `json:"mustChangePassword"`
	LanguageTag        string `json:"languageTag,omitempty"`
	ID                 string `json:"id"`
}

// User id types accepted by the idType parameter (end users spell the
// first ID, account users Id; both are accepted everywhere).
const (
	UserIDTypeID       = "ID"
	UserIDTypeId       = "Id"
	UserIDTypeUserName = "UserName"
)

var (
	screenActions        = []string{"Allow", "Block", "Voicemail", "Forward", "VipRing", "BlockWithPrompt"}
	ringTypes            = []string{"StandardRing", "Ring1", "Ring2", "Ring3", "Ring4", "Ring5", "Ring6", "Ring7"}
	callHandlingOptions  = []string{"RingPhone", "ForwardAlways", "SimultaneousRing", "FindMeFollowMe"}
	handlingTypes        = []string{"Forward", "Voicemail", "Busy"}
	timeoutHandlingTypes = []string{"Forward", "Voicemail", "Busy", "RingForever"}
	endUserTypes         = []string{"ADMIN", "ADVANCED_ADMIN", "BASIC_ADMIN", "STANDARD", "STANDARD_ADMIN", "SUPER_ADMIN"}
	userProductPlans     = []string{"STANDARD", "ADVANCED", "PROFESSIONAL"}
	softphoneClients     = []string{"STRETTO", "CYMBUS"}
	languageTags         = []string{"en-US", "fr-CA"}
)

func oneOf(v string, allowed []string) bool { return v == "" || slices.Contains(allowed, v) }

// validateScreening checks the enums of call-screening settings.
func validateScreening(c *CallScreeningSettings) error {
	if c == nil {
		return nil
	}
	switch {
	case !oneOf(c.AnonymousCallScreen, screenActions):
		return invalidField("anonymousCallScreen")
	case !oneOf(c.TollFreeCallScreen, screenActions):
		return invalidField("tollFreeCallScreen")
	case !oneOf(c.DefaultCallScreen, screenActions):
		return invalidField("defaultCallScreen")
	case !oneOf(c.AnonymousRingType, ringTypes):
		return invalidField("anonymousRingType")
	case !oneOf(c.TollFreeRingType, ringTypes):
		return invalidField("tollFreeRingType")
	case !oneOf(c.DefaultRingType, ringTypes):
		return invalidField("defaultRingType")
	}
	for _, e := range c.CustomCallScreenList {
		if !oneOf(e.BlockType, screenActions) {
			return invalidField("blockType")
		}
		if !oneOf(e.RingType, ringTypes) {
			return invalidField("ringType")
		}
	}
	return nil
}

func validateHandling(h *CallHandlingSettings) error {
	if h == nil {
		return nil
	}
	if !oneOf(h.CallHandlingOptionType, callHandlingOptions) {
		return invalidField("callHandlingOptionType")
	}
	check := func(c *CallHandling) error {
		if c != nil && !oneOf(c.Type, handlingTypes) {
			return invalidField("type")
		}
		return nil
	}
	checkT := func(c *CallHandlingWithTimeout) error {
		if c == nil {
			return nil
		}
		if !oneOf(c.Type, timeoutHandlingTypes) {
			return invalidField("type")
		}
		if c.Timeout < 0 {
			return invalidField("timeout")
		}
		return nil
	}
	if r := h.RingPhoneCallHandling; r != nil {
		for _, err := range []error{check(r.BusyCallHandling), checkT(r.NoAnswerCallHandling), check(r.UnregisteredCallHandling)} {
			if err != nil {
				return err
			}
		}
	}
	if r := h.SimultaneousRingCallHandling; r != nil {
		if err := checkT(r.NoAnswerCallHandling); err != nil {
			return err
		}
	}
	if r := h.FindMeFollowMeCallHandling; r != nil {
		if !oneOf(r.TimeoutType, timeoutHandlingTypes) {
			return invalidField("timeoutType")
		}
		for _, e := range r.FindMeEndpoints {
			if e.Timeout < 0 || e.Timeout > 240 {
				return invalidField("timeout")
			}
		}
	}
	return nil
}

// validName is a person's name as Alianza accepts it: 1 to 256 characters,
// not blank, no digits or control characters.
// validName: 3 to 256 characters (the vendor's bounds), no digits.
func validName(n string) bool {
	if strings.TrimSpace(n) == "" || utf8.RuneCountInString(n) < 3 || utf8.RuneCountInString(n) > 256 {
		return false
	}
	for _, r := range n {
		if unicode.IsDigit(r) || unicode.IsControl(r) {
			return false
		}
	}
	return true
}

func validEmail(e string) bool {
	if len(e) < 3 || len(e) > 256 {
		return false
	}
	a, err := mail.ParseAddress(e)
	return err == nil && a.Address == e
}

// usernameTaken reports whether an end user or account user anywhere has
// this username (case-insensitive). Lock held.
func (s *Store) usernameTaken(name string) bool {
	_, ok := s.userByName[strings.ToLower(name)]
	return ok
}

// endUserOut is the caller's copy of an end user with its device lines.
func (s *Store) endUserOut(u *EndUser) EndUser {
	out := deepCopy(*u)
	out.Devices = []Device{}
	for _, id := range s.kids[u.AccountID].devices {
		if d := s.devices[id]; d.UserID == u.ID {
			out.Devices = append(out.Devices, deviceOut(d))
		}
	}
	if out.CallingPlans == nil {
		out.CallingPlans = []CallingPlan{}
	}
	if out.CallHandlingSchedules == nil {
		out.CallHandlingSchedules = []CallHandlingSchedule{}
	}
	heldShape(&out)
	return out
}

// heldShape gives a user the fields Alianza always holds, whatever was
// set: the caller-id config, the three ring-phone branches, the
// simultaneous-ring settings and the screening list (empty values, which
// NON_NULL serialisation sends).
func heldShape(u *EndUser) {
	if u.CallerIDConfig == nil {
		u.CallerIDConfig = &CallerIDConfig{ExtensionCallerIDVisible: true}
	}
	if u.CallHandlingSettings == nil {
		u.CallHandlingSettings = defaultCallHandling()
	}
	h := u.CallHandlingSettings
	if h.RingPhoneCallHandling == nil {
		h.RingPhoneCallHandling = &RingPhoneCallHandling{}
	}
	r := h.RingPhoneCallHandling
	if r.BusyCallHandling == nil {
		r.BusyCallHandling = &CallHandling{Type: "Voicemail"}
	}
	if r.NoAnswerCallHandling == nil {
		r.NoAnswerCallHandling = &CallHandlingWithTimeout{Type: "Voicemail", Timeout: defaultNoAnswerTimeout}
	}
	if r.UnregisteredCallHandling == nil {
		r.UnregisteredCallHandling = &CallHandling{Type: "Voicemail"}
	}
	if h.SimultaneousRingCallHandling == nil {
		h.SimultaneousRingCallHandling = &SimultaneousRingCallHandling{}
	}
	sr := h.SimultaneousRingCallHandling
	if sr.ForwardToNumberList == nil {
		sr.ForwardToNumberList = []string{""}
	}
	if sr.NoAnswerCallHandling == nil {
		sr.NoAnswerCallHandling = &CallHandlingWithTimeout{Type: "Voicemail", Timeout: defaultNoAnswerTimeout}
	}
	if u.CallScreeningSettings == nil {
		u.CallScreeningSettings = defaultScreening()
	}
	if u.CallScreeningSettings.CustomCallScreenList == nil {
		u.CallScreeningSettings.CustomCallScreenList = []CustomCallScreen{}
	}
}

// defaultNoAnswerTimeout is the ring time before a no-answer branch acts.
const defaultNoAnswerTimeout = 20

func defaultCallHandling() *CallHandlingSettings {
	return &CallHandlingSettings{
		CallWaitingEnabled: true, CallHandlingOptionType: "RingPhone",
		RingPhoneCallHandling: &RingPhoneCallHandling{
			BusyCallHandling:         &CallHandling{Type: "Voicemail"},
			NoAnswerCallHandling:     &CallHandlingWithTimeout{Type: "Voicemail", Timeout: defaultNoAnswerTimeout},
			UnregisteredCallHandling: &CallHandling{Type: "Voicemail"},
		},
	}
}

func defaultScreening() *CallScreeningSettings {
	return &CallScreeningSettings{
		AnonymousCallScreen: "Allow", AnonymousRingType: "StandardRing",
		TollFreeCallScreen: "Allow", TollFreeRingType: "StandardRing",
		DefaultCallScreen: "Allow", DefaultRingType: "StandardRing",
		CustomCallScreenList: []CustomCallScreen{},
	}
}

// defaultUserSettings fills Alianza's create defaults for a new end user.
func (s *Store) fillEndUserDefaults(u *EndUser, a *Account) {
	u.MustChangePassword = true
	if u.LanguageTag == "" {
		u.LanguageTag = "en-US"
	}
	if u.TimeZone == "" {
		u.TimeZone = a.TimeZone
	}
	if u.CallerIDConfig == nil {
		u.CallerIDConfig = &CallerIDConfig{ExternalCallerIDVisible: false, ExtensionCallerIDVisible: true}
	}
	if u.CallHandlingSettings == nil {
		u.CallHandlingSettings = defaultCallHandling()
	}
	if u.CallScreeningSettings == nil {
		u.CallScreeningSettings = defaultScreening()
	}
	if u.CallHandlingSchedules == nil {
		u.CallHandlingSchedules = []CallHandlingSchedule{}
	}
	u.WelcomeEmailSent = s.now()
	u.CallingPlans = []CallingPlan{}
	if prod := s.defaultPlanProduct(a.PartitionID); prod != nil {
		u.CallingPlans = append(u.CallingPlans, s.newCallingPlan(prod, "END_USER", u.ID))
	}
}

// validateEndUser checks an end user against the rules of its account. old
// is the stored user on update. Lock held.
func (s *Store) validateEndUser(u *EndUser, a *Account, old *EndUser) error {
	if !validName(u.LastName) {
		return Invalid("InvalidLastName")
	}
	if u.FirstName != "" && !validName(u.FirstName) {
		return Invalid("InvalidFirstName")
	}
	if u.Username != "" && (len(u.Username) < 3 || len(u.Username) > 256 || strings.ContainsAny(u.Username, " \t\r\n")) {
		return Invalid("InvalidUsername")
	}
	if u.AllowPortalAccess && u.Username == "" {
		return Invalid("UsernameRequired")
	}
	if u.EmailAddress != "" && !validEmail(u.EmailAddress) {
		return Invalid("InvalidEmailAddress")
	}
	if (u.UserProductPlan == "ADVANCED" || u.UserProductPlan == "PROFESSIONAL") && u.EmailAddress == "" {
		return Invalid("EmailAddressRequired")
	}
	switch {
	case !slices.Contains(TimeZones, u.TimeZone):
		return invalidField("timeZone")
	case !oneOf(u.LanguageTag, languageTags):
		return invalidField("languageTag")
	case !oneOf(u.EndUserType, endUserTypes):
		return invalidField("endUserType")
	case !oneOf(u.UserProductPlan, userProductPlans):
		return invalidField("userProductPlan")
	case !oneOf(u.SoftphoneClientType, softphoneClients):
		return invalidField("softphoneClientType")
	}
	if err := validateHandling(u.CallHandlingSettings); err != nil {
		return err
	}
	for _, sch := range u.CallHandlingSchedules {
		if err := validateHandling(sch.CallHandling); err != nil {
			return err
		}
	}
	if err := validateScreening(u.CallScreeningSettings); err != nil {
		return err
	}
	if c := u.CallerIDConfig; c != nil && c.CallerIDNumber != "" && !s.numberOnAccount(a.ID, c.CallerIDNumber) {
		return Invalid("InvalidCallerIdNumber")
	}
	if u.VoicemailBoxID != "" {
		if b, ok := s.vmBoxes[u.VoicemailBoxID]; !ok || b.AccountID != a.ID {
			return NotFound("VoicemailBox", u.VoicemailBoxID)
		}
	}
	kids := s.kids[a.ID]
	if a.AccountType == "SIMPLE" {
		if old == nil && len(kids.users) >= 1 {
			return Invalid("SimpleAccountUserLimitReached")
		}
	} else {
		if u.Extension == "" {
			return Invalid("ExtensionRequired")
		}
		if !validExtension(u.Extension, a.ExtensionLength) {
			return Invalid("InvalidExtension")
		}
		if id, used := kids.extensions[u.Extension]; used && (old == nil || id != old.ID) {
			return Invalid("ExtensionAlreadyInUse")
		}
	}
	if u.Username != "" {
		if id, used := s.userByName[strings.ToLower(u.Username)]; used && (old == nil || id != old.ID) {
			return Invalid("DuplicateUsername")
		}
	}
	return nil
}

// validExtension: digits only, the account's length, first digit 2 to 8.
func validExtension(ext string, length int) bool {
	if len(ext) != length || ext[0] < '2' || ext[0] > '8' {
		return false
	}
	for _, r := range ext {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// insertEndUser indexes a validated end user. Lock held.
func (s *Store) insertEndUser(u *EndUser) {
	s.endUsers[u.ID] = u
	kids := s.kids[u.AccountID]
	if !slices.Contains(kids.users, u.ID) {
		kids.users = append(kids.users, u.ID)
	}
	if u.Extension != "" {
		kids.extensions[u.Extension] = u.ID
	}
	if u.Username != "" {
		s.userByName[strings.ToLower(u.Username)] = u.ID
	}
}

// unindexEndUser drops a user's extension and username. Lock held.
func (s *Store) unindexEndUser(u *EndUser) {
	if kids := s.kids[u.AccountID]; kids != nil && u.Extension != "" && kids.extensions[u.Extension] == u.ID {
		delete(kids.extensions, u.Extension)
	}
	if key := strings.ToLower(u.Username); u.Username != "" && s.userByName[key] == u.ID {
		delete(s.userByName, key)
	}
}

// CreateEndUser adds an end user to an account with Alianza's defaults and
// a new voicemail box.
func (s *Store) CreateEndUser(partitionID, accountID string, in EndUser, by Actor) (EndUser, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, err := s.account(partitionID, accountID)
	if err != nil {
		return EndUser{}, err
	}
	u, err := s.createEndUser(a, in)
	if err != nil {
		return EndUser{}, err
	}
	s.logHistory(a, by, "CREATE", "USER", "EndUser", u.ID, displayName(u.FirstName, u.LastName), nil, u)
	return s.endUserOut(u), nil
}

// createEndUser checks and stores a new end user of a, with its voicemail
// box (no history). Lock held.
func (s *Store) createEndUser(a *Account, in EndUser) (*EndUser, error) {
	u := deepCopy(in)
	u.ID, u.PartitionID, u.AccountID, u.Devices = NewID(), a.PartitionID, a.ID, nil
	u.VoicemailBoxID = ""
	if a.AccountType == "SIMPLE" {
		u.Extension = ""
	}
	s.fillEndUserDefaults(&u, a)
	if err := s.validateEndUser(&u, a, nil); err != nil {
		return nil, err
	}
	box := s.newVoicemailBox(a, &u)
	u.VoicemailBoxID = box.ID
	s.insertEndUser(&u)
	return &u, nil
}

func displayName(first, last string) string { return strings.TrimSpace(first + " " + last) }

// EndUsers lists the end users of an account in creation order.
func (s *Store) EndUsers(partitionID, accountID string) ([]EndUser, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	a, err := s.account(partitionID, accountID)
	if err != nil {
		return nil, err
	}
	ids := s.kids[a.ID].users
	out := make([]EndUser, 0, len(ids))
	for _, id := range ids {
		out = append(out, s.endUserOut(s.endUsers[id]))
	}
	return out, nil
}

// EndUser returns one end user by id or, with idType UserName, by username.
func (s *Store) EndUser(partitionID, accountID, key, idType string) (EndUser, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	_, u, err := s.endUserByIDType(partitionID, accountID, key, idType)
	if err != nil {
		return EndUser{}, err
	}
	return s.endUserOut(u), nil
}

// userKey turns a user path segment into an id: idType ID (default) takes
// it as is, UserName looks the username up. Lock held.
func (s *Store) userKey(key, idType string) (string, error) {
	switch idType {
	case "", UserIDTypeID, UserIDTypeId:
		return key, nil
	case UserIDTypeUserName:
		return s.userByName[strings.ToLower(key)], nil
	}
	return "", invalidField("idType")
}

func (s *Store) endUserByIDType(partitionID, accountID, key, idType string) (*Account, *EndUser, error) {
	return userByIDType(s, s.endUsers, "EndUser", func(u *EndUser) string { return u.AccountID },
		partitionID, accountID, key, idType)
}

// userByIDType finds an end user or account user of an account by id or by
// username (the two share one username namespace). Lock held.
func userByIDType[U any](s *Store, users map[string]*U, kind string, accountOf func(*U) string,
	partitionID, accountID, key, idType string) (*Account, *U, error) {
	a, err := s.account(partitionID, accountID)
	if err != nil {
		return nil, nil, err
	}
	id, err := s.userKey(key, idType)
	if err != nil {
		return nil, nil, err
	}
	u, ok := users[id]
	if !ok || accountOf(u) != a.ID {
		return nil, nil, NotFound(kind, key)
	}
	return a, u, nil
}

// UpdateEndUser replaces an end user (PUT). Server-owned fields keep their
// values: id, account, calling plans, devices, voicemail box when left out.
func (s *Store) UpdateEndUser(partitionID, accountID, key, idType string, in EndUser, by Actor) (EndUser, error) {
	return s.changeEndUser(partitionID, accountID, key, idType, &in, nil, by)
}

// PatchEndUser merges the given keys into an end user (PATCH).
func (s *Store) PatchEndUser(partitionID, accountID, key, idType string, patch map[string]any, by Actor) (EndUser, error) {
	return s.changeEndUser(partitionID, accountID, key, idType, nil, patch, by)
}

func (s *Store) changeEndUser(partitionID, accountID, key, idType string, in *EndUser, patch map[string]any, by Actor) (EndUser, error) {
	return change(s, func() (*Account, *EndUser, error) { return s.endUserByIDType(partitionID, accountID, key, idType) }, in, patch,
		func(a *Account, old *EndUser, u EndUser) (EndUser, error) { return s.replaceEndUser(a, old, u, by) })
}

func (s *Store) replaceEndUser(a *Account, old *EndUser, u EndUser, by Actor) (EndUser, error) {
	u.ID, u.PartitionID, u.AccountID, u.CallingPlans, u.Devices = old.ID, old.PartitionID, old.AccountID, old.CallingPlans, nil
	if u.WelcomeEmailSent == "" {
		u.WelcomeEmailSent = old.WelcomeEmailSent
	}
	if u.VoicemailBoxID == "" {
		u.VoicemailBoxID = old.VoicemailBoxID
	}
	if u.TimeZone == "" {
		u.TimeZone = a.TimeZone
	}
	if u.CallHandlingSchedules == nil {
		u.CallHandlingSchedules = []CallHandlingSchedule{}
	}
	if a.AccountType == "SIMPLE" {
		u.Extension = ""
	}
	if err := s.validateEndUser(&u, a, old); err != nil {
		return EndUser{}, err
	}
	before := deepCopy(*old)
	s.unindexEndUser(old)
	*old = u
	s.insertEndUser(old)
	s.logHistory(a, by, "UPDATE", "USER", "EndUser", u.ID, displayName(u.FirstName, u.LastName), &before, old)
	return s.endUserOut(old), nil
}

// DeleteEndUser removes an end user with its device lines and its voicemail
// box; other users pointing at that box lose the reference.
func (s *Store) DeleteEndUser(partitionID, accountID, key, idType string, by Actor) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, u, err := s.endUserByIDType(partitionID, accountID, key, idType)
	if err != nil {
		return err
	}
	for _, id := range slices.Clone(s.kids[a.ID].devices) {
		if d := s.devices[id]; d.UserID == u.ID {
			s.logHistory(a, by, "DELETE", "DEVICE", "Device", d.ID, d.DeviceName, d, nil)
			s.removeDevice(d)
		}
	}
	s.logHistory(a, by, "DELETE", "USER", "EndUser", u.ID, displayName(u.FirstName, u.LastName), u, nil)
	s.dropGenericUnder("/v2/partition/" + a.PartitionID + "/account/" + a.ID + "/user/" + u.ID + "/")
	s.removeEndUser(u)
	return nil
}

// removeEndUser drops a user, its own voicemail box and every reference to
// it. Its device lines must be gone already. Lock held.
func (s *Store) removeEndUser(u *EndUser) {
	s.unrouteNumbers(u.AccountID, "END_USER", u.ID)
	s.dropGroupMember(u.PartitionID, u.AccountID, u.ID)
	s.dropForwardRefs(u.AccountID, "END_USER", u.ID)
	s.unindexEndUser(u)
	kids := s.kids[u.AccountID]
	kids.users = slices.DeleteFunc(kids.users, func(id string) bool { return id == u.ID })
	if b, ok := s.vmBoxes[u.VoicemailBoxID]; ok && boxOwnedBy(b, u.ID) {
		s.removeVoicemailBox(b)
	}
	delete(s.endUsers, u.ID)
}

// ResetEndUserPassword makes the user choose a new password at next login.
func (s *Store) ResetEndUserPassword(partitionID, accountID, key, idType string, by Actor) (EndUser, error) {
	return s.touchEndUser(partitionID, accountID, key, idType, by, func(u *EndUser) { u.MustChangePassword = true })
}

// UnlockEndUserVoicemail clears the voicemail PIN lock of the user and of
// its box.
func (s *Store) UnlockEndUserVoicemail(partitionID, accountID, key, idType string, by Actor) (EndUser, error) {
	return s.touchEndUser(partitionID, accountID, key, idType, by, func(u *EndUser) {
		u.PinLockedOut = false
		if b, ok := s.vmBoxes[u.VoicemailBoxID]; ok {
			b.PinLockedOut = false
		}
	})
}

// SendEndUserWelcomeEmail records that the welcome email went out now.
func (s *Store) SendEndUserWelcomeEmail(partitionID, accountID, key, idType string, by Actor) (EndUser, error) {
	return s.touchEndUser(partitionID, accountID, key, idType, by, func(u *EndUser) { u.WelcomeEmailSent = s.now() })
}

func (s *Store) touchEndUser(partitionID, accountID, key, idType string, by Actor, change func(*EndUser)) (EndUser, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, u, err := s.endUserByIDType(partitionID, accountID, key, idType)
	if err != nil {
		return EndUser{}, err
	}
	before := deepCopy(*u)
	change(u)
	s.logHistory(a, by, "UPDATE", "USER", "EndUser", u.ID, displayName(u.FirstName, u.LastName), &before, u)
	return s.endUserOut(u), nil
}

// EmailAvailable answers user prevalidate/email: the address must be well
// formed and not used by another end user of the partition (userID, when
// given, is the user asking, whose own address does not count).
func (s *Store) EmailAvailable(partitionID, accountID, email, userID string) error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if _, err := s.account(partitionID, accountID); err != nil {
		return err
	}
	if !validEmail(email) {
		return Invalid("InvalidEmailAddress")
	}
	for _, u := range s.endUsers {
		if u.PartitionID == partitionID && u.ID != userID && strings.EqualFold(u.EmailAddress, email) {
			return Invalid("EmailAddressInUse")
		}
	}
	return nil
}

// ---- account users ----

func (s *Store) validateAccountUser(u *AccountUser, old *AccountUser) error {
	switch {
	case u.Username == "":
		return Invalid("UsernameRequired")
	case len(u.Username) < 3 || len(u.Username) > 256 || strings.ContainsAny(u.Username, " \t\r\n"):
		return Invalid("InvalidUsername")
	case !validName(u.FirstName):
		return Invalid("InvalidFirstName")
	case !validName(u.LastName):
		return Invalid("InvalidLastName")
	case u.SubDomain != "" && (len(u.SubDomain) < 3 || len(u.SubDomain) > 256):
		return invalidField("subDomain")
	case !oneOf(u.LanguageTag, languageTags):
		return invalidField("languageTag")
	}
	if id, used := s.userByName[strings.ToLower(u.Username)]; used && (old == nil || id != old.ID) {
		return Invalid("DuplicateUsername")
	}
	return nil
}

func (s *Store) insertAccountUser(u *AccountUser) {
	s.accountUsers[u.ID] = u
	kids := s.kids[u.AccountID]
	if !slices.Contains(kids.accountUsers, u.ID) {
		kids.accountUsers = append(kids.accountUsers, u.ID)
	}
	s.userByName[strings.ToLower(u.Username)] = u.ID
}

func (s *Store) removeAccountUser(u *AccountUser) {
	if key := strings.ToLower(u.Username); s.userByName[key] == u.ID {
		delete(s.userByName, key)
	}
	kids := s.kids[u.AccountID]
	kids.accountUsers = slices.DeleteFunc(kids.accountUsers, func(id string) bool { return id == u.ID })
	delete(s.accountUsers, u.ID)
}

func (s *Store) accountUserByIDType(partitionID, accountID, key, idType string) (*Account, *AccountUser, error) {
	return userByIDType(s, s.accountUsers, "AccountUser", func(u *AccountUser) string { return u.AccountID },
		partitionID, accountID, key, idType)
}

// CreateAccountUser adds an account user; usernames share one namespace
// with end users across every partition.
func (s *Store) CreateAccountUser(partitionID, accountID string, in AccountUser, by Actor) (AccountUser, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, err := s.account(partitionID, accountID)
	if err != nil {
		return AccountUser{}, err
	}
	u := in
	u.ID, u.PartitionID, u.AccountID = NewID(), partitionID, a.ID
	u.UserID = u.ID
	u.MustChangePassword = true
	if u.LanguageTag == "" {
		u.LanguageTag = "en-US"
	}
	if err := s.validateAccountUser(&u, nil); err != nil {
		return AccountUser{}, err
	}
	s.insertAccountUser(&u)
	s.logHistory(a, by, "CREATE", "ACCOUNT_USER", "AccountUser", u.ID, u.Username, nil, &u)
	return u, nil
}

// AccountUsers lists an account's account users in creation order.
func (s *Store) AccountUsers(partitionID, accountID string) ([]AccountUser, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	a, err := s.account(partitionID, accountID)
	if err != nil {
		return nil, err
	}
	out := []AccountUser{}
	for _, id := range s.kids[a.ID].accountUsers {
		out = append(out, *s.accountUsers[id])
	}
	return out, nil
}

// AccountUser returns one account user by id or username.
func (s *Store) AccountUser(partitionID, accountID, key, idType string) (AccountUser, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	_, u, err := s.accountUserByIDType(partitionID, accountID, key, idType)
	if err != nil {
		return AccountUser{}, err
	}
	return *u, nil
}

// UpdateAccountUser replaces an account user (PUT).
func (s *Store) UpdateAccountUser(partitionID, accountID, key, idType string, in AccountUser, by Actor) (AccountUser, error) {
	return s.changeAccountUser(partitionID, accountID, key, idType, &in, nil, by)
}

// PatchAccountUser merges the given keys into an account user (PATCH).
func (s *Store) PatchAccountUser(partitionID, accountID, key, idType string, patch map[string]any, by Actor) (AccountUser, error) {
	return s.changeAccountUser(partitionID, accountID, key, idType, nil, patch, by)
}

func (s *Store) changeAccountUser(partitionID, accountID, key, idType string, in *AccountUser, patch map[string]any, by Actor) (AccountUser, error) {
	return change(s, func() (*Account, *AccountUser, error) {
		return s.accountUserByIDType(partitionID, accountID, key, idType)
	}, in, patch,
		func(a *Account, old *AccountUser, u AccountUser) (AccountUser, error) {
			return s.replaceAccountUser(a, old, u, by)
		})
}

func (s *Store) replaceAccountUser(a *Account, old *AccountUser, u AccountUser, by Actor) (AccountUser, error) {
	u.ID, u.UserID, u.PartitionID, u.AccountID = old.ID, old.UserID, old.PartitionID, old.AccountID
	if err := s.validateAccountUser(&u, old); err != nil {
		return AccountUser{}, err
	}
	before := *old
	if key := strings.ToLower(old.Username); s.userByName[key] == old.ID {
		delete(s.userByName, key)
	}
	*old = u
	s.insertAccountUser(old)
	s.logHistory(a, by, "UPDATE", "ACCOUNT_USER", "AccountUser", u.ID, u.Username, &before, old)
	return *old, nil
}

// DeleteAccountUser removes an account user.
func (s *Store) DeleteAccountUser(partitionID, accountID, key, idType string, by Actor) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, u, err := s.accountUserByIDType(partitionID, accountID, key, idType)
	if err != nil {
		return err
	}
	s.logHistory(a, by, "DELETE", "ACCOUNT_USER", "AccountUser", u.ID, u.Username, u, nil)
	s.removeAccountUser(u)
	return nil
}

// ResetAccountUserPassword makes the account user choose a new password at
// next login.
func (s *Store) ResetAccountUserPassword(partitionID, accountID, key, idType string, by Actor) (AccountUser, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, u, err := s.accountUserByIDType(partitionID, accountID, key, idType)
	if err != nil {
		return AccountUser{}, err
	}
	before := *u
	u.MustChangePassword = true
	s.logHistory(a, by, "UPDATE", "ACCOUNT_USER", "AccountUser", u.ID, u.Username, &before, u)
	return *u, nil
}

// SendWelcomeEmails records a welcome email for every end user of the
// account who has not had one.
func (s *Store) SendWelcomeEmails(partitionID, accountID string, by Actor) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, err := s.account(partitionID, accountID)
	if err != nil {
		return err
	}
	for _, id := range s.kids[a.ID].users {
		if u := s.endUsers[id]; u.WelcomeEmailSent == "" {
			before := deepCopy(*u)
			u.WelcomeEmailSent = s.now()
			s.logHistory(a, by, "UPDATE", "USER", "EndUser", u.ID, displayName(u.FirstName, u.LastName), &before, u)
		}
	}
	return nil
}
