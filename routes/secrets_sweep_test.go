package routes_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/fakealianza/fakealianza"
	"github.com/fakealianza/fakealianza/fatest"
)

// secretKind is one way a secret enters the emulator, made through the API.
// In method, path, body and id, {A} is the account's path, {U} an end user's
// id, {B} a voicemail box's id, {CSR} a customer service record and {CRD} the
// earliest port date for it, {S} the secret and {N} a number unique to the
// row; id "" means the id the answer carries, "$.a.b" the one at that path
// of the answer.
//
// A secret may rest in exactly two places: the state snapshot, as the value
// of stateKey in the object whose stateID field is the object's id (a
// snapshot must restore it), and, where the API shows it (Alianza's, or the
// admin API that hands a login out), API answers as the value of apiKey in
// the object whose apiID field is the object's id. Anywhere else it is a
// leak.
type secretKind struct {
	name, method, path, body, id     string
	apiKey, apiID, stateKey, stateID string
}

// secretKinds: every object that holds a secret. A new one (e.g. specialty
// lines) is one more row.
var secretKinds = []secretKind{
	{"SIP trunk", "POST", "{A}/siptrunk_2", `{"trunkName":"Sweep {N}","sipUsername":"sweeptrunk{N}","sipPassword":"{S}","concurrentCalls":2}`, "", "sipPassword", "id", "sipPassword", "id"},
	{"SIP trunk, legacy path", "POST", "{A}/siptrunk", `{"trunkName":"Sweep {N}","sipUsername":"sweeptrunk{N}","sipPassword":"{S}","concurrentCalls":2}`, "", "sipPassword", "id", "sipPassword", "id"},
	{"device line", "POST", "{A}/deviceline", `{"deviceTypeId":"VVX400","deviceName":"Sweep {N}","macAddress":"0004f2cc00{N}","lineNumber":1,"userId":"{U}","sipPassword":"{S}"}`, "", "", "id", "sipPassword", "id"},
	{"device line of a user", "POST", "{A}/user/{U}/device", `{"deviceTypeId":"SPA112","deviceName":"Sweep {N}","macAddress":"c8d719cc00{N}","lineNumber":1,"sipPassword":"{S}"}`, "", "", "id", "sipPassword", "id"},
	{"voicemail PIN", "PUT", "{A}/voicemailbox/{B}/pin", `{"pin":"{S}"}`, "{B}", "", "id", "pin", "voicemailBoxId"},
	{"port wireless PIN", "POST", "{A}/telephonenumber", `{"customerServiceRecord":{CSR},"directoryListing":{"type":"PORTED"},"telephoneNumbers":[{"phoneNumber":"150555501{N}"}],"port":{"crdDate":"{CRD}","portingAuthorizedName":"Sam Sweep","billingTelephoneNumber":"150555501{N}","wirelessPin":"{S}"}}`, "$.port.id", "wirelessPin", "id", "wirelessPin", "id"},
	{"datafeed login", "PUT", "/__admin/datafeed/logins/" + fatest.BravoPartition, `{"username":"sweepfeed{N}","password":"{S}"}`, fatest.BravoPartition, "password", "partitionId", "password", "partitionId"},
	{"management user password", "PUT", "/v2/authorize", `{"username":"` + fatest.EditorUser + `","password":"` + fatest.Password + `","changePassword":"{S}"}`, "fakeEditorAlpha0000001", "", "id", "password", "id"},
}

// recorder keeps every exchange a client makes.
type recorder struct {
	next http.RoundTripper
	mu   sync.Mutex
	seen []exchange
}

type exchange struct {
	what string // method and path
	body []byte
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := r.next.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(b))
	r.mu.Lock()
	r.seen = append(r.seen, exchange{req.Method + " " + req.URL.RequestURI(), b})
	r.mu.Unlock()
	return resp, nil
}

// secretPlace is one secret and where it may rest.
type secretPlace struct {
	kind   secretKind
	value  string
	objID  string
	n      string // the row's {N}
	homes  int    // allowed places seen, to show the search looked at the right documents
	echoes int
}

// misplaced walks a JSON document and names every place that holds the
// secret other than key in an object whose idKey is the object's id.
func misplaced(doc any, s *secretPlace, key, idKey string, at string) (bad []string, home int) {
	switch v := doc.(type) {
	case map[string]any:
		for k, x := range v {
			if str, ok := x.(string); ok && key != "" && k == key && str == s.value && v[idKey] == s.objID {
				home++
				continue
			}
			b, h := misplaced(x, s, key, idKey, at+"."+k)
			bad, home = append(bad, b...), home+h
		}
	case []any:
		for i, x := range v {
			b, h := misplaced(x, s, key, idKey, fmt.Sprintf("%s[%d]", at, i))
			bad, home = append(bad, b...), home+h
		}
	case string:
		if strings.Contains(v, s.value) {
			bad = append(bad, at)
		}
	case json.Number:
		if strings.Contains(v.String(), s.value) {
			bad = append(bad, at)
		}
	}
	return bad, home
}

// search checks one document (JSON when it parses, else text) for a secret.
func (s *secretPlace) search(t *testing.T, where string, body []byte, key, idKey string) int {
	t.Helper()
	if !bytes.Contains(body, []byte(s.value)) { // secrets are letters and digits: JSON writes them as they are
		return 0
	}
	var doc any
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&doc); err != nil {
		t.Errorf("%s: %s %q in a non-JSON answer", where, s.kind.name, s.value)
		return 0
	}
	bad, home := misplaced(doc, s, key, idKey, "$")
	for _, b := range bad {
		t.Errorf("%s: %s %q at %s", where, s.kind.name, s.value, b)
	}
	return home
}

// TestSecretsSweep creates every object that holds a secret, reads
// everything back, and then looks for the secrets in every API answer of
// the session, the account history, the request journal, its HAR export,
// the state snapshot and the server's log lines (debug level).
func TestSecretsSweep(t *testing.T) {
	var logs syncBuffer
	srv := fatest.New(t, func(o *fakealianza.Options) {
		o.Logger = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	})
	rec := &recorder{next: srv.Client.Transport}
	srv.Client.Transport = rec
	c := login(t, srv, fatest.AdminUser)
	acct := c.create(alphaP+"/account", map[string]any{"accountNumber": "SWEEP-1", "accountName": "Sweep Co", "accountType": "ADVANCED", "extensionLength": 4}, http.StatusOK)
	A := alphaP + "/account/" + acct["id"].(string)
	user := c.create(A+"/user", map[string]any{"firstName": "Sam", "lastName": "Sweep", "extension": "2000"}, http.StatusOK)
	box := c.create(A+"/voicemailbox", map[string]any{"name": "Sweep box"}, http.StatusOK)
	csr := c.do(http.MethodGet, "/v2/address/validate?address=100+Main+St,+Salt+Lake+City,+UT&country=USA&postalCode=84101", nil, http.StatusOK).Map(t)["customerServiceRecord"].(map[string]any)
	csr["businessName"], csr["customerType"] = "Sweep Co", "BUSINESS"
	csrJSON, err := json.Marshal(csr)
	if err != nil {
		t.Fatal(err)
	}
	avail := c.do(http.MethodPost, alphaP+"/account/prevalidate", map[string]any{"customerServiceRecord": csr,
		"directoryListing": map[string]any{"type": "PORTED"}, "telephoneNumbers": []any{map[string]any{"phoneNumber": "15055550149"}}}, http.StatusOK).Map(t)
	crd, ok := avail["earliestCRD"].(string)
	if !ok {
		t.Fatalf("prevalidate: %v", avail)
	}

	var secrets []*secretPlace
	for i, k := range secretKinds {
		secret := fmt.Sprintf("Zq%dSwp%dx", i, 7000+i)
		if k.name == "voicemail PIN" {
			secret = fmt.Sprintf("73590%05d", 24681+i)
		}
		n := fmt.Sprintf("%02d", 10+i)
		fill := strings.NewReplacer("{A}", A, "{U}", user["id"].(string), "{B}", box["id"].(string), "{CSR}", string(csrJSON), "{CRD}", crd,
			"{S}", secret, "{N}", n)
		r := srv.Call(t, k.method, fill.Replace(k.path), fill.Replace(k.body), fatest.Auth(c.tok))
		if r.Status/100 != 2 {
			t.Fatalf("%s: %d %s", k.name, r.Status, r.Body)
		}
		id := fill.Replace(k.id)
		switch {
		case id == "":
			id = r.Map(t)["id"].(string)
			c.do(http.MethodGet, fill.Replace(k.path)+"/"+id, nil, http.StatusOK)
		case strings.HasPrefix(id, "$."):
			var at any = r.Map(t)
			for _, key := range strings.Split(id[2:], ".") {
				at = at.(map[string]any)[key]
			}
			id = at.(string)
		}
		secrets = append(secrets, &secretPlace{kind: k, value: secret, objID: id, n: n})
	}
	// log in with the new passwords; read everything back
	for _, s := range secrets {
		switch s.kind.name {
		case "management user password":
			srv.Login(t, fatest.EditorUser, s.value)
		case "datafeed login":
			if _, err := srv.SFTP(t, "sweepfeed"+s.n, s.value); err != nil {
				t.Fatalf("SFTP login with the new datafeed password: %v", err)
			}
		}
	}
	srv.Call(t, http.MethodGet, "/__admin/datafeed", nil)
	for _, p := range []string{A, A + "/user", A + "/deviceline", A + "/siptrunk_2", A + "/siptrunk", A + "/voicemailbox",
		A + "/voicemailbox/" + box["id"].(string), "/v2/authorize/userinfo", alphaP + "/account/search?q=sweep"} {
		c.do(http.MethodGet, p, nil, http.StatusOK)
	}
	history := c.do(http.MethodGet, A+"/accounthistorysearch?maxResult=500", nil, http.StatusOK).Map(t)
	if n := len(history["results"].([]any)); n < len(secretKinds) {
		t.Fatalf("history has %d records", n)
	}
	var journal []any
	srv.Call(t, http.MethodGet, "/__admin/requests", nil).Decode(t, &journal)
	if len(journal) < 2*len(secretKinds) {
		t.Fatalf("journal has %d entries", len(journal))
	}
	srv.Call(t, http.MethodGet, "/__admin/requests/har", nil)
	state := srv.Call(t, http.MethodGet, "/__admin/state", nil)
	if state.Status != http.StatusOK {
		t.Fatalf("state: %d", state.Status)
	}

	rec.mu.Lock()
	seen := rec.seen
	rec.mu.Unlock()
	for _, s := range secrets {
		for _, x := range seen {
			if x.what == "GET /__admin/state" {
				s.homes += s.search(t, "state snapshot", x.body, s.kind.stateKey, s.kind.stateID)
				continue
			}
			s.echoes += s.search(t, x.what, x.body, s.kind.apiKey, s.kind.apiID)
		}
		if strings.Contains(logs.String(), s.value) {
			t.Errorf("the log holds %s %q", s.kind.name, s.value)
		}
		// The search looked where the secret is: the snapshot keeps it at
		// home, and an API that shows it showed it.
		if s.homes != 1 {
			t.Errorf("%s: %d homes in the state snapshot, want 1", s.kind.name, s.homes)
		}
		if (s.kind.apiKey != "") != (s.echoes > 0) {
			t.Errorf("%s: shown %d times by the API (apiKey %q)", s.kind.name, s.echoes, s.kind.apiKey)
		}
	}
	if !strings.Contains(logs.String(), "createSipTrunk") {
		t.Fatalf("the debug log has no request lines")
	}
}
