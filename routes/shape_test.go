package routes_test

import (
	"net/http"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/fakealianza/fakealianza"
	"github.com/fakealianza/fakealianza/fatest"
)

// lookup follows a dotted path ("a.b", "list[0].c") into a decoded body.
func lookup(v any, path string) (any, bool) {
	for _, part := range strings.Split(path, ".") {
		name, index, indexed := strings.Cut(strings.TrimSuffix(part, "]"), "[")
		m, ok := v.(map[string]any)
		if !ok {
			return nil, false
		}
		if v, ok = m[name]; !ok {
			return nil, false
		}
		if indexed {
			i, err := strconv.Atoi(index)
			list, ok := v.([]any)
			if err != nil || !ok || i >= len(list) {
				return nil, false
			}
			v = list[i]
		}
	}
	return v, true
}

func keysOf(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// requiredExceptions are vendor-required response fields real responses
// leave out (ALIANZA.md 3.1, "Observed key sets").
var requiredExceptions = map[string]string{
	"Account.inboundRatePlanProductId": "real account responses leave it out when unset",
}

// shapeCase is one resource read back through the API and what its
// response must hold.
type shapeCase struct {
	name, path, schema string
	body               any            // the response when it is not a GET of path (a create's answer)
	at                 string         // where the resource sits in the response ("" the body; a list is "items")
	exact              []string       // the observed key set, when the reference records one
	values             map[string]any // always-present fields and the empty value they hold
	present            []string       // fields present whatever their value
	absent             []string       // fields that must not appear
}

// checkShape reads a case's response and checks it (paths in values,
// present and absent are relative to at).
func checkShape(t *testing.T, c caller, vendor vendorDoc, haveVendor bool, r shapeCase) {
	t.Run(r.name, func(t *testing.T) {
		c.t = t
		body := r.body
		if body == nil {
			c.do(http.MethodGet, r.path, nil, http.StatusOK).Decode(t, &body)
		}
		if list, ok := body.([]any); ok {
			body = map[string]any{"items": list}
		}
		got, ok := body.(map[string]any)
		if r.at != "" {
			v, found := lookup(body, r.at)
			got, ok = v.(map[string]any)
			ok = ok && found
		}
		if !ok {
			t.Fatalf("no object at %q in %v", r.at, body)
		}
		if r.exact != nil {
			if keys := keysOf(got); !reflect.DeepEqual(keys, r.exact) {
				t.Errorf("keys %v,\nobserved %v", keys, r.exact)
			}
		}
		for path, want := range r.values {
			if v, ok := lookup(got, path); !ok || !reflect.DeepEqual(v, want) {
				t.Errorf("%s = %#v (present %v), want %#v", path, v, ok, want)
			}
		}
		for _, path := range r.present {
			if _, ok := lookup(got, path); !ok {
				t.Errorf("%s missing", path)
			}
		}
		for _, path := range r.absent {
			if v, ok := lookup(got, path); ok {
				t.Errorf("%s present: %v", path, v)
			}
		}
		if !haveVendor || r.schema == "" {
			return
		}
		schema, ok := vendor.Components.Schemas[r.schema]
		if !ok {
			t.Fatalf("vendor schema %s not found", r.schema)
		}
		for _, f := range schema.Required {
			if _, ok := got[f]; !ok && requiredExceptions[r.schema+"."+f] == "" {
				t.Errorf("vendor-required %s.%s missing", r.schema, f)
			}
		}
	})
}

// TestResponseShapes reads back each served resource as a new client would
// get it and checks Jackson's NON_NULL reading: the empty values the server
// holds ("", [], false, 0) are sent, the observed key sets are matched
// exactly where the reference records them, request-only fields are never
// echoed, and the vendor spec's required response fields are present.
func TestResponseShapes(t *testing.T) {
	vendor, haveVendor := tryReadVendor(t) // without it, the vendor-required fields go unchecked
	srv := fatest.New(t)
	c := login(t, srv, fatest.AdminUser)

	acct := c.create(alphaP+"/account", map[string]any{"accountNumber": "SHAPE-1", "accountName": "Shape Corp", "accountType": "ADVANCED"}, http.StatusOK)
	A := alphaP + "/account/" + acct["id"].(string)
	lonely := c.create(A+"/user", map[string]any{"firstName": "Lon", "lastName": "Shape", "extension": "2002"}, http.StatusOK)
	user := c.create(A+"/user", map[string]any{"firstName": "Ann", "lastName": "Shape", "extension": "2001"}, http.StatusOK)
	line := c.do(http.MethodPost, A+"/deviceline", map[string]any{"deviceTypeId": "VVX400", "deviceName": "Ann desk",
		"macAddress": "0004F2ABCDEF", "lineNumber": 1, "userId": user["id"], "zipcode": "84101", "state": "UT",
		"sipPassword": "s3cret!pw", "emergencyNumberReservationId": "res-1"}, http.StatusCreated).Map(t)
	au := c.create(A+"/accountuser", map[string]any{"username": "boss@shape.example.com", "firstName": "Bos", "lastName": "Shape"}, http.StatusOK)
	trunk := c.create(A+"/siptrunk_2", trunkBody("Shape PBX", "shapepbx01"), http.StatusOK)
	csr, tn := serviceAddress(c, "Shape Corp")
	c.create(A+"/telephonenumber", map[string]any{"customerServiceRecord": csr, "directoryListing": map[string]any{"type": "NOT_LIST_NOT_PUBLISH"},
		"telephoneNumbers": []any{map[string]any{"phoneNumber": tn}}}, http.StatusOK)

	empty := []any{}
	for _, r := range []shapeCase{
		{name: "partition", path: alphaP, schema: "PartitionX", exact: []string{"allowLoginByAccountNumber", "allowedDeviceTypes",
			"autoAssignCallerId", "country", "defaultAdvancedDialingBehaviorType", "defaultDirectoryListingType", "defaultExtensionLength",
			"defaultHoldTimeoutSeconds", "defaultSimpleDialingBehaviorType", "defaultTimeZone", "id", "name", "portPushDays",
			"requiresDeviceInventory", "showComplexListing", "status", "tempTnThreshold", "useOwnCarrier", "usesTrammellE911Verification"},
			values: map[string]any{"useOwnCarrier": false, "autoAssignCallerId": false, "showComplexListing": false}},
		{name: "account", path: A, schema: "Account", exact: []string{"accountName", "accountNumber", "accountType",
			"allowDangerousExtensions", "billingCycleDay", "callingPlans", "dialingBehaviorType", "endUserCount", "extensionLength",
			"holdTimeoutSeconds", "id", "partitionId", "platformType", "regulatoryType", "routePlanId", "sendWelcomeEmail", "status", "timeZone"},
			values: map[string]any{"callingPlans": empty, "allowDangerousExtensions": false, "sendWelcomeEmail": false}},
		{name: "seeded account", path: alphaP + "/account/fakeAcct00000000000001", schema: "Account", exact: []string{"accountName",
			"accountNumber", "accountType", "allowDangerousExtensions", "billingCycleDay", "callingPlans", "customField", "dialingBehaviorType",
			"endUserCount", "extensionLength", "holdTimeoutSeconds", "id", "partitionId", "platformType", "regulatoryType", "routePlanId",
			"sendWelcomeEmail", "status", "timeZone"}},
		{name: "end user", path: A + "/user/" + lonely["id"].(string), schema: "EndUserV2X", values: map[string]any{
			"devices":                                    empty,
			"callHandlingSchedules":                      empty,
			"callerIdConfig.callerIdNumber":              "",
			"callerIdConfig.externalCallerIdVisible":     false,
			"callHandlingSettings.doNotDisturbEnabled":   false,
			"callScreeningSettings.customCallScreenList": empty,
			"callHandlingSettings.ringPhoneCallHandling.busyCallHandling.forwardToNumber":            "",
			"callHandlingSettings.ringPhoneCallHandling.noAnswerCallHandling.forwardToNumber":        "",
			"callHandlingSettings.ringPhoneCallHandling.unregisteredCallHandling.forwardToNumber":    "",
			"callHandlingSettings.simultaneousRingCallHandling.forwardToNumberList":                  []any{""},
			"callHandlingSettings.simultaneousRingCallHandling.noAnswerCallHandling.forwardToNumber": "",
			"pinLockedOut": false, "blockEmail": false, "allowPortalAccess": false,
		}},
		{name: "end user's device line", path: A + "/user/" + user["id"].(string), schema: "EndUserV2X", values: map[string]any{
			"devices[0].emergencyNumber": "", "devices[0].faxEnabled": false,
		}, absent: []string{"devices[0].zipcode", "devices[0].state", "devices[0].sipPassword", "devices[0].emergencyNumberReservationId"}},
		{name: "device line", path: A + "/deviceline/" + line["id"].(string), schema: "DeviceX", exact: []string{"accountId", "deviceName",
			"deviceTypeId", "emergencyNumber", "faxEnabled", "id", "lineNumber", "lineType", "macAddress", "partitionId", "sipUsername", "userId"},
			values: map[string]any{"emergencyNumber": "", "faxEnabled": false}},
		{name: "account user", path: A + "/accountuser/" + au["id"].(string), schema: "AccountUserX",
			values: map[string]any{"mustChangePassword": true}, absent: []string{"password"}},
		{name: "SIP trunk", path: A + "/siptrunk_2/" + trunk["id"].(string), schema: "SipTrunk", values: map[string]any{
			"telephoneNumbers": empty, "lockedOut": false, "localServicesEnabled": false, "ipBasedAuthEnabled": false,
		}, absent: []string{"forward", "registered"}},
		{name: "voicemail box", path: A + "/voicemailbox/" + user["voicemailBoxId"].(string), schema: "VoicemailBoxX", values: map[string]any{
			"subIds": empty, "totalVoicemails": float64(0), "totalUnreadVoicemails": float64(0), "voicemailToEmailEnabled": false,
			"voicemailKeepAfterEmail": false, "pinLockedOut": false, "messageTranscriptionEnabled": false,
		}},
		{name: "account number", path: A + "/telephonenumber/" + tn, schema: "TelephoneNumberAccountV2X", values: map[string]any{
			"canAcceptSMS": false, "tollFree": false, "assignAsCallerId": false,
		}},
		{name: "calling plan product", path: alphaP + "/callingplanproduct/fakePlanAlphaUnlimitd1", schema: "CallingPlanProduct", values: map[string]any{
			"allowOverage": false, "allow411": false, "callRateFor411": float64(0), "preventForwarding": false, "defaultPlan": false,
		}},
	} {
		checkShape(t, c, vendor, haveVendor, r)
	}

	// A partition made fresh (nothing set but its name) has the same keys.
	r := srv.Call(t, http.MethodPost, "/__admin/partitions", `{"name":"Shape QA"}`)
	if r.Status != http.StatusCreated {
		t.Fatalf("new partition: %d %s", r.Status, r.Body)
	}
	var fresh struct{ PartitionID, Username, Password string }
	r.Decode(t, &fresh)
	qa := caller{t: t, srv: srv, tok: srv.Login(t, fresh.Username, fresh.Password)}
	got := qa.do(http.MethodGet, "/v2/partition/"+fresh.PartitionID, nil, http.StatusOK).Map(t)
	if keys, want := keysOf(got), keysOf(c.do(http.MethodGet, alphaP, nil, http.StatusOK).Map(t)); !reflect.DeepEqual(keys, want) {
		t.Errorf("fresh partition keys %v, want %v", keys, want)
	}

	// What a client GETs it can PUT back unchanged (S5's GET, edit, PUT).
	for _, path := range []string{A + "/user/" + lonely["id"].(string), A + "/deviceline/" + line["id"].(string), A} {
		got := c.do(http.MethodGet, path, nil, http.StatusOK).Map(t)
		back := c.do(http.MethodPut, path, got, http.StatusOK).Map(t)
		if !reflect.DeepEqual(back, got) {
			t.Errorf("PUT %s of its own GET changed it:\n%v\n%v", path, got, back)
		}
	}
}

// TestErrorDataIsAnObject: where the vendor spec types an error's data as an
// object, the data is an object, never a bare string (the response
// validation of every test holds the rest to the same rule).
func TestErrorDataIsAnObject(t *testing.T) {
	srv := fatest.New(t)
	c := login(t, srv, fatest.AdminUser)
	csr, tn := serviceAddress(c, "Data Corp")
	body := map[string]any{"customerServiceRecord": csr, "directoryListing": map[string]any{"type": "NOT_LIST_NOT_PUBLISH"},
		"telephoneNumbers": []any{map[string]any{"phoneNumber": tn}}}
	var accts []string
	for _, n := range []string{"DATA-1", "DATA-2"} {
		a := c.create(alphaP+"/account", map[string]any{"accountNumber": n, "accountName": "Data Corp", "accountType": "ADVANCED"}, http.StatusOK)
		accts = append(accts, alphaP+"/account/"+a["id"].(string))
	}
	c.create(accts[0]+"/telephonenumber", body, http.StatusOK)
	for _, call := range []struct{ method, path string }{
		{http.MethodPost, accts[1] + "/telephonenumber"},
		{http.MethodPost, accts[0] + "/telephonenumber"},
	} {
		r := c.fails(call.method, call.path, body, http.StatusBadRequest, "TelephoneNumberAlreadyOnAccount")
		_, _, data := r.Envelope(t)
		if d, ok := data.(map[string]any); !ok || d["type"] != "TelephoneNumber" || d["id"] != tn {
			t.Errorf("%s %s: data %#v, want {type: TelephoneNumber, id: %s}", call.method, call.path, data, tn)
		}
	}
}

// TestResponseShapesBeyondTheTree applies the same reading to the rest of
// what the emulator serves: trunk groups, ports and their events, jobs,
// voicemail messages, history, CDRs, E911, rate centers, address
// validation, reference data, partition settings and reports. Where the
// reference records nothing, the choices are the ones docs/differences.md
// lists.
func TestResponseShapesBeyondTheTree(t *testing.T) {
	vendor, haveVendor := tryReadVendor(t)
	srv := frozenServer(t, func(o *fakealianza.Options) { o.CDRNoGenerate = true })
	c := login(t, srv, fatest.AdminUser)

	quiet := c.create(alphaP+"/account", map[string]any{"accountNumber": "SHAPE-Q", "accountName": "Shape Quiet", "accountType": "ADVANCED"}, http.StatusOK)
	acct := c.create(alphaP+"/account", map[string]any{"accountNumber": "SHAPE-2", "accountName": "Shape Two", "accountType": "ADVANCED"}, http.StatusOK)
	A := alphaP + "/account/" + acct["id"].(string)
	group := c.create(A+"/siptrunkgroup", map[string]any{"name": "Shape Group"}, http.StatusCreated)
	G := A + "/siptrunkgroup/" + group["id"].(string)
	user := c.create(A+"/user", map[string]any{"firstName": "Ann", "lastName": "Shape", "extension": "2001"}, http.StatusOK)
	box := user["voicemailBoxId"].(string)
	csr, tn := serviceAddress(c, "Shape Two")
	c.create(A+"/telephonenumber", map[string]any{"customerServiceRecord": csr, "directoryListing": map[string]any{"type": "NOT_LIST_NOT_PUBLISH"},
		"telephoneNumbers": []any{map[string]any{"phoneNumber": tn}}}, http.StatusOK)
	const portTN = "15055550142"
	portBody := map[string]any{"customerServiceRecord": csr, "directoryListing": map[string]any{"type": "PORTED"},
		"telephoneNumbers": []any{map[string]any{"phoneNumber": portTN}}}
	avail := c.do(http.MethodPost, alphaP+"/account/prevalidate", portBody, http.StatusOK).Map(t)
	portBody["port"] = map[string]any{"crdDate": avail["earliestCRD"], "portingAuthorizedName": "Ann Numbers", "billingTelephoneNumber": portTN}
	portAct := c.create(A+"/telephonenumber", portBody, http.StatusOK)
	port, ok := portAct["port"].(map[string]any)
	if !ok {
		t.Fatalf("port activation without its port: %v", portAct)
	}
	job := c.do(http.MethodGet, alphaP+"/report/sip/csv_2?month=1&year=2024", nil, http.StatusAccepted).Map(t)
	if r := srv.Call(t, http.MethodPost, "/__admin/voicemailbox/"+box+"/messages", map[string]any{}); r.Status != http.StatusCreated {
		t.Fatalf("stage message: %d %s", r.Status, r.Body)
	}
	if r := srv.Call(t, http.MethodPost, "/__admin/cdrs/generate", map[string]any{"partitionId": alpha,
		"from": "2026-03-04T12:00:00Z", "to": "2026-03-04T13:00:00Z", "callsPerHour": 20}); r.Status != http.StatusOK {
		t.Fatalf("generate calls: %d %s", r.Status, r.Body)
	}

	empty := []any{}
	groupValues := map[string]any{"sipTrunksIds": empty}
	forwardUnset := []string{"unconditionalForward", "unreachableForward", "capacityForward"}
	portValues := map[string]any{"telephoneNumbers": []any{portTN}, "status": "PORT_PENDING", "sendLoa": false, "loaSaved": false,
		"portNow": false, "canAcceptSMS": false}
	portUnset := []string{"wirelessAccountNumber", "wirelessPin", "completedDate", "cancelType", "hotCutPortId", "telecomSettings", "smsCallbackUrl"}
	message := shapeCase{schema: "VoicemailMessageX", values: map[string]any{"read": false, "lengthInPages": float64(0), "messageType": "VOICE"},
		present: []string{"lengthInSeconds", "sizeInBytes", "createdDate", "storageId"},
		absent:  []string{"fromName", "fromNumber", "toPhoneNumber", "transcriptionStatus", "transcriptionInfo", "transcriptionText"}}
	listed := func(c shapeCase, name, path, at string) shapeCase {
		c.name, c.path, c.at = name, path, at
		return c
	}
	for _, r := range []shapeCase{
		{name: "SIP trunk group", path: G, schema: "SipTrunkGroup", values: groupValues, absent: forwardUnset},
		{name: "SIP trunk group created", body: group, schema: "SipTrunkGroup", values: groupValues, absent: forwardUnset},
		{name: "SIP trunk group list", path: A + "/siptrunkgroup", at: "items[0]", schema: "SipTrunkGroup", values: groupValues},
		{name: "SIP trunk group forward", path: G + "/forward", schema: "SipTrunkGroupForwardRules",
			exact: []string{"accountId", "partitionId", "sipTrunkGroupId"}},
		{name: "port", path: A + "/port/" + port["id"].(string), schema: "PortX", values: portValues, absent: portUnset},
		{name: "port in its activation", body: portAct, at: "port", schema: "PortX", values: portValues, absent: portUnset},
		{name: "activation event", path: A + "/reference/" + tn + "/type/ACTIVATION", schema: "ServiceActivationEventX",
			values:  map[string]any{"subTelephoneNumbers": empty, "editableFieldTypes": empty, "mainTelephoneNumber": tn},
			present: []string{"logs[0].status", "logs[0].code"}, absent: []string{"focDate", "crdDate", "l3Reaction", "parentOrderId", "logs[0].generatedTicketId"}},
		{name: "port event", path: A + "/reference/" + port["id"].(string) + "/type/PORT_REQUEST", schema: "ServiceActivationEventX",
			values:  map[string]any{"subTelephoneNumbers": empty, "editableFieldTypes": []any{"crdDate", "wirelessAccountNumber", "wirelessPin", "name"}},
			present: []string{"focDate", "crdDate"}},
		{name: "status search", path: alphaP + "/telephonenumber/statussearch?eventType=ACTIVATION&accountId=" + acct["id"].(string),
			schema: "ServiceActivationEventResponseX", values: map[string]any{"totalRecords": float64(1),
				"results[0].subTelephoneNumbers": empty, "results[0].editableFieldTypes": empty}},
		{name: "status search, nothing found", path: alphaP + "/telephonenumber/statussearch?accountId=" + quiet["id"].(string),
			schema: "ServiceActivationEventResponseX", values: map[string]any{"totalRecords": float64(0), "results": empty}},
		{name: "job", path: "/v2/job/" + job["id"].(string), schema: "Job", values: map[string]any{"errors": empty},
			present: []string{"id", "name", "userId", "status", "start", "lastUpdated"}, absent: []string{"inputKey"}},
		{name: "job started", body: job, schema: "Job", values: map[string]any{"errors": empty}},
		listed(message, "voicemail messages", A+"/voicemailbox/"+box+"/voicemailmessage", "items[0]"),
		listed(message, "voicemail of a user", A+"/user/"+user["id"].(string)+"/voicemail", "items[0]"),
		{name: "account history", path: alphaP + "/account/" + quiet["id"].(string) + "/accounthistorysearch",
			schema: "AccountHistorySearchResponseX", values: map[string]any{"totalRecords": float64(1), "results[0].action": "CREATE"},
			present: []string{"accountCreatedDate", "results[0].newValue", "results[0].loggedDate"}, absent: []string{"results[0].oldValue"}},
		{name: "account history, nothing found", path: alphaP + "/account/" + quiet["id"].(string) + "/accounthistorysearch?accountHistoryType=PHONE_NUMBER",
			schema: "AccountHistorySearchResponseX", values: map[string]any{"totalRecords": float64(0), "results": empty}},
		{name: "CDR", path: alphaP + "/account/fakeAcct00000000000001/cdrsearch?startDate=2026-03-04&endDate=2026-03-04&maxResult=1",
			at: "results[0]", schema: "CallDetailRecord", present: []string{"id", "partitionId", "startTime", "endTime",
				"actualCallLengthSeconds", "billCallLengthSeconds", "ratePerMinute", "cost", "inPlan", "sipCallIds", "legType", "callType",
				"sessionId", "referenceId", "referenceType", "acctId", "accountNumber", "accountCustomField"},
			absent: []string{"accountId"}}, // real records name the account by acctId only
		{name: "CDR search, nothing found", path: alphaP + "/account/" + quiet["id"].(string) + "/cdrsearch?startDate=2026-03-04&endDate=2026-03-04",
			schema: "CallDetailRecordSearchResponse", values: map[string]any{"totalRecords": float64(0), "results": empty}},
		{name: "E911 correction", path: A + "/telephonenumber/" + tn + "/911-address/correction", schema: "E911AddressX",
			values: map[string]any{"streetName": "MAIN", "customerType": "BUSINESS"}, present: []string{"latitude", "longitude"},
			absent: []string{"firstName", "middleInitial", "lastName", "unit", "secondaryLocationDescription", "language"}},
		{name: "E911 usages", path: A + "/telephonenumber/" + tn + "/911-address/usages", schema: "TelephoneNumberUsagesX",
			values: map[string]any{"phoneNumber": tn, "users": empty}},
		{name: "rate center", path: alphaP + "/ratecenter/" + tn, schema: "RateCenterX",
			values: map[string]any{"wireless": false, "portable": true, "serviceAvailable": true}, present: []string{"zips[0]", "prefix"}},
		{name: "address validation", path: "/v2/address/validate?address=100+Main+St,+Salt+Lake+City,+UT&country=USA&postalCode=84101",
			schema: "AddressValidationX", values: map[string]any{"requiredFields": empty, "valid": true, "customerServiceRecord.blockCustomerName": false},
			absent: []string{"customerServiceRecord.customerName"}},
		{name: "zip codes of a city", path: "/v2/address/state/UT/city/Salt%20Lake%20City/zipcode", at: "items[0]", schema: "ZipcodeX",
			exact: []string{"latitude", "longitude", "zipCode"}},
		{name: "port prevalidation", body: avail, schema: "PortAvailabilityResponseV2X", values: map[string]any{"serviceAvailable": true,
			"directoryListingAllowed": true, "lnp": true, "wirelessPort": false},
			present: []string{"id", "earliestCRD", "latestCRD", "carrierType", "availabilityList[0]"}, absent: []string{"exception"}},
		{name: "time zones", path: "/v2/ref/timezones", exact: []string{"timezones"}},
		{name: "languages", path: "/v2/ref/language", at: "items[0]", schema: "LanguageReferenceX", exact: []string{"country", "id", "language"}},
		{name: "device type", path: "/v2/ref/devicetype/SPA112", schema: "DeviceTypeX", values: map[string]any{"maxSideCars": float64(0),
			"sipRegMax": float64(0), "sipPagingEnabled": false, "smbDevice": false, "acceptsRemoteResync": true}},
		{name: "device types", path: "/v2/ref/devicetype", at: "items[0]", schema: "DeviceTypeX",
			present: []string{"numLines", "maxSideCars", "sipRegMax", "faxSupported", "macAddressRequired", "showProvisionStatus"}},
		{name: "permissions", path: "/v2/ref/permissions", at: "items[0]", schema: "PermissionTypeDefaultsX", exact: []string{"maxAccessType", "type"}},
		{name: "partition settings", path: alphaP + "/setting", at: "SEND_WELCOME_EMAIL", schema: "PartitionSettingX",
			exact: []string{"partitionId", "type", "value"}, values: map[string]any{"value": false}},
		{name: "partition setting held as a list", path: alphaP + "/setting", at: "SUB_DOMAINS", schema: "PartitionSettingX",
			values: map[string]any{"value": empty}},
		{name: "partition setting held as text", path: alphaP + "/setting", at: "CDRReportColumns", schema: "PartitionSettingX",
			values: map[string]any{"value": ""}},
		{name: "report with nothing in it", path: alphaP + "/report/vfax", schema: "ReportSummaryX", exact: []string{"newCount", "totalCount"},
			values: map[string]any{"newCount": float64(0), "totalCount": float64(0)}},
	} {
		checkShape(t, c, vendor, haveVendor, r)
	}
}
