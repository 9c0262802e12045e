package routes_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/fakealianza/fakealianza/fatest"
)

// boundary is one value at or next to the edge of a rule: ok says whether
// Alianza takes it; code is the message a refusal carries.
type boundary struct {
	value any
	ok    bool
	code  string
}

// TestLengthAndCharacterBoundaries sends each rule's values just inside and
// just outside its limits through the API: MAC addresses (exactly 12 hex
// digits), extensions (the account's length, first digit 2 to 8), telephone
// numbers (11 digits starting with 1), voicemail PINs (4 to 10 digits),
// person names (1 to 256 characters, no digits or control characters),
// account names, numbers and custom fields (3 to 256), billing cycle days (1
// to 28), email addresses and account user sub-domains (3 to 256),
// usernames (3 to 256, no blanks) and SIP trunk credentials (username 8 to
// 36 of [A-Za-z0-9-_.], password at least 6).
func TestLengthAndCharacterBoundaries(t *testing.T) {
	srv := fatest.New(t)
	c := login(t, srv, fatest.AdminUser)
	acct := c.create(alphaP+"/account", map[string]any{"accountNumber": "EDGE-1", "accountName": "Edge Co",
		"accountType": "ADVANCED", "extensionLength": 4}, http.StatusOK)
	A := alphaP + "/account/" + acct["id"].(string)
	owner := c.create(A+"/user", map[string]any{"firstName": "Owen", "lastName": "Edge", "extension": "2000"}, http.StatusOK)
	box := c.create(A+"/voicemailbox", map[string]any{"name": "Edge box"}, http.StatusOK)
	n := 0
	next := func() int { n++; return n }
	long := func(s string, k int) string { return strings.Repeat(s, k) }

	rules := []struct {
		name   string
		values []boundary
		// send makes one request carrying v and answers the response
		send func(v any) *fatest.Resp
		// okStatus is the status of an accepted value
		okStatus int
	}{
		{"MAC on a new device line", []boundary{
			{"0004f2aabb12", true, ""}, {"0004F2AABB13", true, ""}, {"abcdefABCDEF", true, ""},
			{"0004f2aabb1", false, "InvalidMacAddress"}, {"0004f2aabb140", false, "InvalidMacAddress"},
			{"0004f2aabb1g", false, "InvalidMacAddress"}, {"00:04:f2:aa:bb", false, "InvalidMacAddress"},
			{"0004f2-abb15", false, "InvalidMacAddress"}, {"0004f2aabb1é", false, "InvalidMacAddress"},
		}, func(v any) *fatest.Resp {
			return srv.Call(t, http.MethodPost, A+"/deviceline", map[string]any{"deviceTypeId": "VVX400", "deviceName": "Edge desk",
				"macAddress": v, "lineNumber": 1, "userId": owner["id"]}, fatest.Auth(c.tok))
		}, http.StatusCreated},
		{"extension of a 4-digit account", []boundary{
			{"2000", false, "ExtensionAlreadyInUse"}, {"2001", true, ""}, {"8999", true, ""},
			{"1999", false, "InvalidExtension"}, {"9000", false, "InvalidExtension"}, {"0200", false, "InvalidExtension"},
			{"200", false, "InvalidExtension"}, {"20000", false, "InvalidExtension"},
			{"20a0", false, "InvalidExtension"}, {"20 0", false, "InvalidExtension"}, {"", false, "ExtensionRequired"},
		}, func(v any) *fatest.Resp {
			return srv.Call(t, http.MethodPost, A+"/user", map[string]any{"lastName": "Ext", "extension": v}, fatest.Auth(c.tok))
		}, http.StatusOK},
		{"telephone number into the inventory", []boundary{
			{"18015557001", true, ""}, {"19999999999", true, ""},
			{"8015557002", false, "InvalidValueForField:phoneNumber"}, {"180155570033", false, "InvalidValueForField:phoneNumber"},
			{"28015557004", false, "InvalidValueForField:phoneNumber"}, {"1801555700a", false, "InvalidValueForField:phoneNumber"},
			{"+1801555700", false, "InvalidValueForField:phoneNumber"}, {"", false, "PhoneNumberRequired"},
		}, func(v any) *fatest.Resp {
			return srv.Call(t, http.MethodPost, alphaP+"/telephonenumber", map[string]any{"phoneNumber": v}, fatest.Auth(c.tok))
		}, http.StatusCreated},
		{"voicemail PIN", []boundary{
			{"1234", true, ""}, {"1234567890", true, ""}, {"0000", true, ""},
			{"123", false, "InvalidPin"}, {"12345678901", false, "InvalidPin"}, {"12a4", false, "InvalidPin"},
			{"12 34", false, "InvalidPin"}, {"-123", false, "InvalidPin"}, {"", false, "PinRequired"},
		}, func(v any) *fatest.Resp {
			return srv.Call(t, http.MethodPut, A+"/voicemailbox/"+box["id"].(string)+"/pin", map[string]any{"pin": v}, fatest.Auth(c.tok))
		}, http.StatusOK},
		{"end user lastName", []boundary{
			{"Eve", true, ""}, {long("e", 256), true, ""}, {"O'Brien-Smith Jr.", true, ""}, {"Zoë", true, ""},
			{"Ev", false, "InvalidLastName"}, {long("e", 257), false, "InvalidLastName"}, {"", false, "InvalidLastName"}, {"   ", false, "InvalidLastName"},
			{"Smith2", false, "InvalidLastName"}, {"Smi\tth", false, "InvalidLastName"},
		}, func(v any) *fatest.Resp {
			return srv.Call(t, http.MethodPost, A+"/user", map[string]any{"lastName": v, "extension": fmt.Sprint(3000 + next())}, fatest.Auth(c.tok))
		}, http.StatusOK},
		{"end user firstName", []boundary{
			{"Fay", true, ""}, {long("f", 256), true, ""},
			{"Fa", false, "InvalidFirstName"}, {long("f", 257), false, "InvalidFirstName"}, {" ", false, "InvalidFirstName"}, {"4nn", false, "InvalidFirstName"},
			{"An\nn", false, "InvalidFirstName"},
		}, func(v any) *fatest.Resp {
			return srv.Call(t, http.MethodPost, A+"/user", map[string]any{"firstName": v, "lastName": "First", "extension": fmt.Sprint(4000 + next())}, fatest.Auth(c.tok))
		}, http.StatusOK},
		{"end user username", []boundary{
			{"abc", true, ""}, {long("u", 256), true, ""},
			{"ab", false, "InvalidUsername"}, {long("v", 257), false, "InvalidUsername"}, {"a b", false, "InvalidUsername"},
			{"ab\tc", false, "InvalidUsername"},
		}, func(v any) *fatest.Resp {
			return srv.Call(t, http.MethodPost, A+"/user", map[string]any{"username": v, "lastName": "User", "extension": fmt.Sprint(5000 + next())}, fatest.Auth(c.tok))
		}, http.StatusOK},
		{"accountName", []boundary{
			{"abc", true, ""}, {long("n", 256), true, ""},
			{"ab", false, "InvalidValueForField:accountName"}, {long("n", 257), false, "InvalidValueForField:accountName"},
			{"   ", false, "AccountNameRequired"},
		}, func(v any) *fatest.Resp {
			return srv.Call(t, http.MethodPost, alphaP+"/account", map[string]any{"accountNumber": fmt.Sprint("NAME-", next()), "accountName": v, "accountType": "SIMPLE"}, fatest.Auth(c.tok))
		}, http.StatusOK},
		{"accountNumber", []boundary{
			{"N-1", true, ""}, {long("7", 256), true, ""},
			{"N1", false, "InvalidValueForField:accountNumber"}, {long("8", 257), false, "InvalidValueForField:accountNumber"},
			{"   ", false, "AccountNumberRequired"},
		}, func(v any) *fatest.Resp {
			return srv.Call(t, http.MethodPost, alphaP+"/account", map[string]any{"accountNumber": v, "accountName": "Number Co", "accountType": "SIMPLE"}, fatest.Auth(c.tok))
		}, http.StatusOK},
		{"account customField", []boundary{
			{"abc", true, ""}, {long("c", 256), true, ""},
			{"ab", false, "InvalidValueForField:customField"}, {long("c", 257), false, "InvalidValueForField:customField"},
		}, func(v any) *fatest.Resp {
			return srv.Call(t, http.MethodPost, alphaP+"/account", map[string]any{"accountNumber": fmt.Sprint("CUSTOM-", next()), "accountName": "Custom Co",
				"accountType": "SIMPLE", "customField": v}, fatest.Auth(c.tok))
		}, http.StatusOK},
		{"account billingCycleDay", []boundary{
			{1, true, ""}, {28, true, ""},
			{29, false, "InvalidValueForField:billingCycleDay"}, {-1, false, "InvalidValueForField:billingCycleDay"},
		}, func(v any) *fatest.Resp {
			return srv.Call(t, http.MethodPost, alphaP+"/account", map[string]any{"accountNumber": fmt.Sprint("CYCLE-", next()), "accountName": "Cycle Co",
				"accountType": "SIMPLE", "billingCycleDay": v}, fatest.Auth(c.tok))
		}, http.StatusOK},
		{"end user emailAddress", []boundary{
			{"a@b", true, ""}, {long("e", 250) + "@x.com", true, ""},
			{long("e", 251) + "@x.com", false, "InvalidEmailAddress"}, {"a b@x.com", false, "InvalidEmailAddress"},
			{"ab", false, "InvalidEmailAddress"},
		}, func(v any) *fatest.Resp {
			return srv.Call(t, http.MethodPost, A+"/user", map[string]any{"lastName": "Mail", "emailAddress": v, "extension": fmt.Sprint(6000 + next())}, fatest.Auth(c.tok))
		}, http.StatusOK},
		{"account user names", []boundary{
			{"Abe", true, ""}, {long("a", 256), true, ""},
			{"Ab", false, "InvalidLastName"}, {long("a", 257), false, "InvalidLastName"}, {"Ann3", false, "InvalidLastName"}, {" ", false, "InvalidLastName"},
		}, func(v any) *fatest.Resp {
			return srv.Call(t, http.MethodPost, A+"/accountuser", map[string]any{"username": fmt.Sprint("acctuser", next(), "@example.com"),
				"firstName": "Acct", "lastName": v}, fatest.Auth(c.tok))
		}, http.StatusOK},
		{"account user subDomain", []boundary{
			{"abc", true, ""}, {long("s", 256), true, ""},
			{"ab", false, "InvalidValueForField:subDomain"}, {long("s", 257), false, "InvalidValueForField:subDomain"},
		}, func(v any) *fatest.Resp {
			return srv.Call(t, http.MethodPost, A+"/accountuser", map[string]any{"username": fmt.Sprint("subdomain", next(), "@example.com"),
				"firstName": "Sub", "lastName": "Domain", "subDomain": v}, fatest.Auth(c.tok))
		}, http.StatusOK},
		{"telephone number of a rate center lookup", []boundary{
			{"13035550100", true, ""},
			{"1303555010", false, "InvalidValueForField:tn"}, {"130355501000", false, "InvalidValueForField:tn"},
			{"23035550100", false, "InvalidValueForField:tn"}, {"1303555010x", false, "InvalidValueForField:tn"},
		}, func(v any) *fatest.Resp {
			return srv.Call(t, http.MethodGet, alphaP+"/ratecenter/"+v.(string), nil, fatest.Auth(c.tok))
		}, http.StatusOK},
		{"SIP trunk sipUsername", []boundary{
			{"edgepbx1", true, ""}, {long("p", 36), true, ""}, {"Edge-PBX_2.x", true, ""},
			{"edgepbx", false, "InvalidValueForField:sipUsername"}, {long("q", 37), false, "InvalidValueForField:sipUsername"},
			{"edge pbx3", false, "InvalidValueForField:sipUsername"}, {"edge@pbx4", false, "InvalidValueForField:sipUsername"},
		}, func(v any) *fatest.Resp {
			return srv.Call(t, http.MethodPost, A+"/siptrunk_2", map[string]any{"trunkName": fmt.Sprint("Edge trunk ", next()), "sipUsername": v,
				"sipPassword": "s3cret!", "concurrentCalls": 1}, fatest.Auth(c.tok))
		}, http.StatusOK},
		{"SIP trunk sipPassword", []boundary{
			{"abcdef", true, ""}, {"abcde", false, "InvalidValueForField:sipPassword"},
		}, func(v any) *fatest.Resp {
			k := next()
			return srv.Call(t, http.MethodPost, A+"/siptrunk_2", map[string]any{"trunkName": fmt.Sprint("Pw trunk ", k), "sipUsername": fmt.Sprint("pwtrunk", k),
				"sipPassword": v, "concurrentCalls": 1}, fatest.Auth(c.tok))
		}, http.StatusOK},
	}
	// A swap's prevalidation answers whether the MAC would do, with the
	// same rule.
	line := c.create(A+"/deviceline", map[string]any{"deviceTypeId": "VVX400", "deviceName": "Swap desk",
		"macAddress": "0004f2ee0001", "lineNumber": 1, "userId": owner["id"]}, http.StatusCreated)
	for mac, ok := range map[string]bool{"0004f2ee0002": true, "ABCDEF012345": true,
		"0004f2ee000": false, "0004f2ee00023": false, "0004f2ee000z": false, "0004f2:e0002": false} {
		var got bool
		c.do(http.MethodGet, A+"/deviceline/"+line["id"].(string)+"/swap/prevalidate?macaddress="+mac, nil, http.StatusOK).Decode(t, &got)
		if got != ok {
			t.Errorf("swap prevalidate %q: %v, want %v", mac, got, ok)
		}
	}

	for _, rule := range rules {
		for _, b := range rule.values {
			t.Run(fmt.Sprintf("%s/%q", rule.name, b.value), func(t *testing.T) {
				r := rule.send(b.value)
				if b.ok {
					if r.Status != rule.okStatus {
						t.Fatalf("%q refused: %d %s", b.value, r.Status, r.Body)
					}
					return
				}
				if r.Status != http.StatusBadRequest {
					t.Fatalf("%q: %d %s, want 400 %s", b.value, r.Status, r.Body, b.code)
				}
				if _, msgs, _ := r.Envelope(t); len(msgs) != 1 || msgs[0] != b.code {
					t.Fatalf("%q: messages %v, want [%s]", b.value, msgs, b.code)
				}
			})
		}
	}
}
