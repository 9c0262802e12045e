package routes_test

import (
	"net/http"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"testing"

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
	for _, r := range []struct {
		name, path, schema string
		exact              []string       // the observed key set, when the reference records one
		values             map[string]any // always-present fields and the empty value they hold
		absent             []string       // fields that must not appear
	}{
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
		t.Run(r.name, func(t *testing.T) {
			got := c.do(http.MethodGet, r.path, nil, http.StatusOK).Map(t)
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
			for _, path := range r.absent {
				if v, ok := lookup(got, path); ok {
					t.Errorf("%s echoed: %v", path, v)
				}
			}
			if !haveVendor {
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
