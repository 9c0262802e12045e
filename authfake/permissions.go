package authfake

import (
	"net/http"
	"sort"

	"github.com/fakealianza/fakealianza/store"
)

// Access levels, lowest first. The *_MYUSER levels are end-user grants; for
// a management operation they fall short of the plain level above them.
// DENIED grants nothing.
var levelRank = store.AccessLevelRank

// NeededLevel is the access level a verb needs: GET READ, PUT/PATCH EDIT,
// POST CREATE, DELETE DELETE.
func NeededLevel(method string) string {
	switch method {
	case http.MethodGet, http.MethodHead:
		return "READ"
	case http.MethodPut, http.MethodPatch:
		return "EDIT"
	case http.MethodPost:
		return "CREATE"
	case http.MethodDelete:
		return "DELETE"
	}
	return "DELETE"
}

// TokenOnly marks an operation that any valid token may call.
const TokenOnly = ""

// OperationPermissions maps every secured operation (by operationId) to the
// permission type it checks. The level comes from the verb (NeededLevel).
// Operations marked TokenOnly need a valid token and nothing more. The
// router refuses to start if a secured operation is missing here.
var OperationPermissions = map[string]string{
	// authorize and reference data
	"logOut":         TokenOnly,
	"getLoginInfo":   TokenOnly,
	"getPermissions": TokenOnly,

	// partition
	"retrieve_2": TokenOnly,

	// SIP trunks and trunk groups (issue 6)
	"retrieveSipTrunkList":                  "SipCredentials",
	"createSipTrunk":                        "SipCredentials",
	"validateSipTrunkIpPort":                "SipCredentials",
	"retrieveSipTrunk":                      "SipCredentials",
	"updateSipTrunk":                        "SipCredentials",
	"patchSipTrunk":                         "SipCredentials",
	"deleteSipTrunk":                        "SipCredentials",
	"retrieveSipTrunkForwardBehavior":       "SipCredentials",
	"updateSipTrunkForwardBehavior":         "SipCredentials",
	"getRegistrationStatus":                 "SipCredentials",
	"unlockSipTrunk":                        "SipCredentials",
	"retrieveSipTrunkListLegacy":            "SipCredentials",
	"createSipTrunkLegacy":                  "SipCredentials",
	"validateSipTrunkIpPortLegacy":          "SipCredentials",
	"retrieveSipTrunkLegacy":                "SipCredentials",
	"updateSipTrunkLegacy":                  "SipCredentials",
	"patchSipTrunkLegacy":                   "SipCredentials",
	"deleteSipTrunkLegacy":                  "SipCredentials",
	"retrieveSipTrunkForwardBehaviorLegacy": "SipCredentials",
	"updateSipTrunkForwardBehaviorLegacy":   "SipCredentials",
	"getRegistrationStatusLegacy":           "SipCredentials",
	"unlockSipTrunkLegacy":                  "SipCredentials",
	"listGroups":                            "SipCredentials",
	"createGroup":                           "SipCredentials",
	"getGroup":                              "SipCredentials",
	"updateGroup":                           "SipCredentials",
	"deleteGroup":                           "SipCredentials",
	"getFailover":                           "SipCredentials",
	"updateFailover":                        "SipCredentials",

	// voicemail (issue 6)
	"retrieveVoicemailBoxList": "Account",
	"createVoicemailBox":       "Account",
	"retrieveVoicemailBox":     "Account",
	"updateVoicemailBox":       "Account",
	"patchVoicemailBox":        "Account",
	"deleteVoicemailBox":       "Account",
	"setPin":                   "Account",
	"unlockVoicemailBox":       "Account",
	"list_1":                   "Account",
	"deleteMultiple":           "Account",
	"getVoicemailMessage":      "Account",
	"update_4":                 "Account",
	"delete_4":                 "Account",
	"getMessageContent":        "Account",
	"getVoicemailData":         "Account",
	"getVoicemailUrl":          "Account",
	// greetings and message audio (stored media)
	"uploadGreeting": "Account", "retrieveGreeting": "Account", "deleteGreeting": "Account",
	"uploadBusinessLineGreeting": "Account", "retrieveBusinessLineGreeting": "Account",
	"deleteBusinessLineGreeting": "Account", "retrieveBusinessLineVoicemailMessageMedia": "Account",
	"bulkVoicemailMessageUpdate": "Account", "updateBusinessLineVoicemailMessageRead": "Account",
	// account media and hold music (stored media)
	"uploadAccountMedia": "Account", "add": "Account", "getMediaFile": "Account", "deprecatedGetMedia": "Account",
	"deleteHoldMusic": "Account", "getAccountHoldMusic": "Account", "updateAccountMusicOnHold": "Account",
	"update_2": "Account", "deleteAccountMusicOnHold": "Account",

	// reports and jobs (issue 6)
	"telephoneNumberSummaryReport":          "Reports",
	"userSummaryReport":                     "Reports",
	"sipSummaryReport":                      "Reports",
	"vFaxSummaryReport":                     "Reports",
	"deviceSummaryReport":                   "Reports",
	"telephoneNumberCSVReport2":             "Reports",
	"sipCSVReport2":                         "Reports",
	"vFaxCSVReport2":                        "Reports",
	"businessLinesCSVReport2":               "Reports",
	"specialtyLinesReport":                  "Reports",
	"telephoneNumberPortOutCSVReport2":      "Reports",
	"userCSVReport3":                        "Reports",
	"accountCSVReport3":                     "Reports",
	"deviceCSVReport3":                      "Reports",
	"deviceRegistrationReport":              "Reports",
	"userProductsReport":                    "Reports",
	"emergencyNotificationComplianceReport": "Reports",
	"endUserAccountHistory2":                "Reports",
	"cdrSearchCSV_2":                        "AccountCallHistory",
	"getJobById":                            "Reports",
	"getJobOutput":                          "Reports",
	"getOutputUrl":                          "Reports",
	"getJobInputUrl":                        "Reports",
	"getJobInput":                           "Reports",
	// the synchronous and older asynchronous variants of the exports above
	"accountCSVReport": "Reports", "accountCSVReport2": "Reports", "deviceCSVReport": "Reports",
	"deviceCSVReport2": "Reports", "userCSVReport": "Reports", "userCSVReport2": "Reports",
	"sipCSVReport": "Reports", "vFaxCSVReport": "Reports", "telephoneNumberCSVReport": "Reports",
	"telephoneNumberPortOutCSVReport": "Reports", "endUserAccountHistory": "Reports",
	"cdrSearchCSV": "AccountCallHistory", "exportTnInventory": "PhoneNumberInventory",
	"asyncExportTnInventory": "PhoneNumberInventory", "exportTNStatusSearch": "PhoneNumberServiceActivation",
	"exportTNStatusSearch2": "PhoneNumberServiceActivation",

	// partition settings and reference data (issue 6)
	"getAllSettings": TokenOnly,
	"getTimeZones":   TokenOnly,
	"getLanguages":   TokenOnly,
	// account tree (issue 4): accounts, end users, account users, device lines
	"getAccounts": "Account", "createAccount": "Account", "accountSearch": "Account",
	"activation": "Account", "activation_1": "Account",
	"validateAccountProperties": "Account", "retrieveAccount": "Account", "updateAccount": "Account",
	"accountPatch": "Account", "deleteAccount": "Account", "sendWelcomeEmailToAll": "Account",
	"retrieveEndUserList": "Account", "createEndUser": "Account", "prevalidateEmailAddress": "Account",
	"retrieveEndUser": "Account", "updateEndUser": "Account", "patchEndUser": "Account",
	"deleteEndUser": "Account", "resetEndUserPassword": "Account", "unlockVm": "Account",
	"sendWelcomeEmail": "Account", "getAccountUserList": "Account", "createAccountUser": "Account",
	"getAccountUser": "Account", "updateAccountUser": "Account", "patchAccountUser": "Account",
	"deleteAccountUser": "Account", "resetAccountUserPassword": "Account",
	"listDevices": "Account", "createDevice": "Account", "getDevice": "Account", "putDevice": "Account",
	"updateDevice": "Account", "removeDevice": "Account", "registrationStatus": "Account",
	"provisioningStatus": "Account", "swapDevice": "Account", "swapPrevalidate": "Account",
	"listDeviceLinesForMac": "Account", "deleteDeviceByMac": "Account", "listDevicesCSV": "Account",
	"listDeviceByUser": "Account", "createDevice_1": "Account", "getDevice_1": "Account",
	"updateDevice_1": "Account", "patchDevice": "Account", "removeDevice_1": "Account",
	// account tree: actions (swaps, status changes in bulk, validators)
	"swapDevice_1": "Account", "swapCallingPlan": "Account", "swapCallingPlan_2": "Account",
	"bulkStatusChange": "AccountBulkStatuses", "bulkStatusChange_2": "AccountBulkStatuses",
	"getBulkStatusChangeDefinition": TokenOnly, "prevalidate": "Account",
	"prevalidateCymbusGroupName": "Account", "checkBusinessLineVoicemailBoxPinStatus": "Account",
	"resetBusinessLineVoicemailBoxPinStatus": "Account",
	// account tree: history
	"accountHistoryByAccountIdSearch": "AccountHistory", "accountHistoryByAccountNumberSearch": "AccountHistory",
	// account tree: calling plan products and the plans attached in accounts
	"retrieveCallingPlanProductList": "ProductCallingPlan", "add_2": "ProductCallingPlan",
	"get_3": "ProductCallingPlan", "update_5": "ProductCallingPlan", "patch_5": "ProductCallingPlan",
	"archive": "ProductCallingPlan", "getPlans": "ProductCallingPlan", "addPlan": "ProductCallingPlan",
	"removePlan": "ProductCallingPlan",
	// account tree: reference data
	"getDeviceTypes": TokenOnly, "getDeviceTypeById": TokenOnly,

	// telephone numbers (issue 5): partition inventory, search, reservations, rate centers
	"listTnInventory": "PhoneNumberInventory", "createTelephoneNumber": "PhoneNumberInventory",
	"tnSearch": "PhoneNumberInventory", "retrieveTelephoneNumber": "PhoneNumberInventory",
	"deleteTnFromInventory": "PhoneNumberInventory", "reserve": "PhoneNumberInventory",
	"reserveForAccount": "PhoneNumberInventory", "releaseReservation": "PhoneNumberInventory",
	"retrieveTelephoneNumberAvailability": "PhoneNumberInventory", "getRateCenter": "PhoneNumberInventory",
	"cooldownRecover": "PhoneNumberInventory", "bulkInsert": "PhoneNumberInventory",
	"bulkTelephoneNumberImport": "PhoneNumberInventory",
	// telephone numbers: numbers on accounts, routing, E911
	"retrieveAccountTelephoneNumbers": "PhoneNumber", "createOrAddTelephoneNumberToAccount": "PhoneNumber",
	"retrieveTelephoneNumberOnAccount": "PhoneNumber", "updateTelephoneNumberOnAccount": "PhoneNumber",
	"patchTelephoneNumberOnAccount": "PhoneNumber", "deleteTelephoneNumberOnAccount": "PhoneNumber",
	"destination": "PhoneNumber", "getE911Correction": "PhoneNumber", "acceptE911Correction": "PhoneNumber",
	"acceptOriginalE911": "PhoneNumber", "retrieveTelephoneNumberUsages": "PhoneNumber",
	"preValidateAccountTn": "PhoneNumber",
	// telephone numbers: ports, activation events, status search
	"preValidateAccount": "PhoneNumberServiceActivation", "retrievePort": "PhoneNumberServiceActivation",
	"updatePort": "PhoneNumberServiceActivation", "patchPort": "PhoneNumberServiceActivation",
	"cancelPort": "PhoneNumberServiceActivation", "triggerPort": "PhoneNumberServiceActivation",
	"uploadLOA": "PhoneNumberServiceActivation", "findLoa": "PhoneNumberServiceActivation",
	"getLoaMetadata":             "PhoneNumberServiceActivation",
	"getServiceActivationEvents": "PhoneNumberServiceActivation", "updateHeldActivation": "PhoneNumberServiceActivation",
	"statusSearch": "PhoneNumberServiceActivation",
	// telephone numbers: address
	"validateAddress": TokenOnly, "typeAhead": TokenOnly, "getZipCodeByCityAndState": TokenOnly,

	// management users (hand-built; security groups are generic, by tag)
	"listManagementUsers": "ProductUsers", "createManagementUser": "ProductUsers",
	"getManagementUser": "ProductUsers", "updateManagementUser": "ProductUsers",
	"patchManagementUser": "ProductUsers", "deleteManagementUser": "ProductUsers",
	"searchManagementUsers": "ProductUsers", "getManagementUserGroupCSV": "ProductUsers",

	// voice products (hand-built): specialty lines, business lines, hunt groups
	"retrieve_specialty_line_by_account": "Account", "create_specialty_line": "Account",
	"retrieve_specialty_line_by_id": "Account", "update_specialty_line": "Account",
	"delete_specialty_line": "Account", "validate_sip_username": "Account",
	"retrieveBusinessLines": "Account", "createBusinessLine": "Account", "retrieveBusinessLine": "Account",
	"updateBusinessLine": "Account", "deleteBusinessLine": "Account",
	"getBusinessLineCallHandling": "Account", "putBusinessLineCallHandling": "Account",
	"getBusinessLinePortAssignment": "Account", "createBusinessLinePortAssignment": "Account",
	"retrieveBusinessLinesExpanded": "Account", "retrieveBusinessLineExpanded": "Account",
	"updateBusinessLinePortAssignment": "Account", "deleteBusinessLinePortAssignment": "Account",
	"swapBusinessLinePortAssignment": "Account",
	"retrieveBusinessLineHuntGroups": "Account", "createBusinessLineHuntGroup": "Account",
	"retrieveBusinessLineHuntGroup": "Account", "updateBusinessLineHuntGroup": "Account",
	"deleteBusinessLineHuntGroup": "Account",

	// ---- datafeed ----
	"cdrSearch": "AccountCallHistory",
}

// Permission looks an operation up in the table.
func Permission(operationID string) (permType string, ok bool) {
	permType, ok = OperationPermissions[operationID]
	return permType, ok
}

// TagPermissions maps the tags of the operations the generic engine serves
// to the permission type they check (by the area the tag names; the vendor
// does not publish the mapping). Operations under other tags need a valid
// token only.
var TagPermissions = map[string]string{
	"Account": "Account", "Account Device": "Account", "Account Device Line": "Account",
	"Account Prevalidate": "Account", "End User": "Account", "Device": "Account",
	"Device (Deprecated)": "Account", "Device Inventory Management": "Account",
	"Business Line": "Account", "Business Line Hunt Group": "Account", "Call Group": "Account",
	"Call Parking Spot": "Account", "Paging Group": "Account", "Pickup Group": "Account",
	"IVR": "Account", "Virtual Fax": "Account", "Virtual Fax Line": "Account",
	"Voicemail Box": "Account", "Voicemail Message": "Account", "Media": "Account",
	"Specialty Line": "Account", "User Groups": "Account", "Emergency Notification": "Account",
	"Cymbus User Product": "Account",
	"Report":              "Reports", "Asynchronous JOB Tracker": "Reports",
	"Bulk Operation Collection": "AccountBulkStatuses", "Bulk Operation Job": "AccountBulkStatuses",
	"Telephone Number": "PhoneNumber", "Port": "PhoneNumberServiceActivation",
	"Rate Center Inventory": "PhoneNumberInventory", "Dynamic Inventory": "PhoneNumberInventory",
	"Local Calling Areas": "PhoneNumberInventory",
	"SIP Trunk":           "SipCredentials", "Sip Trunk Caller ID Mapping": "SipCredentials", "Edge Node": "SipCredentials",
	"Calling Plan": "ProductCallingPlan", "Calling Plan Product": "ProductCallingPlan",
	"Inbound Rate Plan Product": "Product",
	"Management User":           "ProductUsers", "Security Groups": "ProductGroups",
	"CDRs": "AccountCallHistory",
}

// PermissionFor is the permission type an operation checks: its entry in
// OperationPermissions, else the one of its first tag in TagPermissions,
// else TokenOnly.
func PermissionFor(operationID string, tags []string) string {
	if t, ok := OperationPermissions[operationID]; ok {
		return t
	}
	for _, tag := range tags {
		if t, ok := TagPermissions[tag]; ok {
			return t
		}
	}
	return TokenOnly
}

// Allowed reports whether a user's grants cover an operation.
func Allowed(u store.ManagementUser, operationID, method string) bool {
	permType, ok := Permission(operationID)
	if !ok {
		return false
	}
	return AllowedFor(u, permType, method)
}

// AllowedFor reports whether a user's grants reach the level a method
// needs on a permission type.
func AllowedFor(u store.ManagementUser, permType, method string) bool {
	if permType == TokenOnly {
		return true
	}
	return levelReaches(u.Permissions[permType], method)
}

// levelReaches reports whether an access level reaches the one method needs.
func levelReaches(level, method string) bool {
	have, ok := levelRank[level]
	if !ok {
		have = 0
	}
	return have >= levelRank[NeededLevel(method)]
}

// ErrForbidden is the 403 for grants that fall short.
var ErrForbidden = &store.Error{Status: http.StatusForbidden, Code: "InsufficientPermissions"}

// ErrNotPermitted is Alianza's answer to a partition outside the token's scope.
var ErrNotPermitted = store.Invalid("NotPermitted")

// TypeDefault is PermissionTypeDefaultsX: a permission type and the highest
// level any operation of that type checks.
type TypeDefault struct {
	Type          string `json:"type"`
	MaxAccessType string `json:"maxAccessType"`
}

// TypeDefaults derives, from the same table, each permission type the
// emulator checks and the highest level one of its operations needs.
// methodOf maps an operationId to its HTTP method.
func TypeDefaults(methodOf func(operationID string) string) []TypeDefault {
	max := map[string]string{}
	for op, t := range OperationPermissions {
		if t == TokenOnly {
			continue
		}
		lvl := NeededLevel(methodOf(op))
		if cur, ok := max[t]; !ok || levelRank[lvl] > levelRank[cur] {
			max[t] = lvl
		}
	}
	out := make([]TypeDefault, 0, len(max))
	for t, l := range max {
		out = append(out, TypeDefault{Type: t, MaxAccessType: l})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Type < out[j].Type })
	return out
}
