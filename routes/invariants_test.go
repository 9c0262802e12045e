package routes_test

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"testing"

	"github.com/fakealianza/fakealianza/fatest"
)

// TestRandomSequencesKeepTheStoreConsistent drives a seeded random mix of
// creates, routes and deletes across the account tree, numbers and trunks,
// with deliberate collisions (small pools of account numbers, usernames,
// extensions, MACs and SIP usernames). No call may answer 5xx, and at the
// end the whole state must load again as it is: loading refuses any dangling
// reference (a user without its account, a line without its user, a number
// routed to a deleted user or trunk, ...) and any broken uniqueness, so a
// state that loads is a state whose invariants hold. The seeds are ones that
// caught real bugs: a deleted end user's numbers kept routing to it (6, 9);
// forward rules kept naming a deleted trunk, and a group forwarding to a
// trunk could not be loaded at all (every seed); a business line kept a
// caller id number that had left its account (9). Business lines, hunt
// groups, specialty lines and call and paging groups are in the mix.
func TestRandomSequencesKeepTheStoreConsistent(t *testing.T) {
	ops := 600
	if testing.Short() {
		ops = 150
	}
	// Each seed has a server of its own: they run side by side.
	for _, seed := range []uint64{6, 9, 1} {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			t.Parallel()
			randomSequence(t, seed, ops)
		})
	}
}

func randomSequence(t *testing.T, seed uint64, ops int) {
	srv := fatest.New(t)
	tok := fatest.Auth(srv.Admin(t))
	r := rand.New(rand.NewPCG(seed, 99))
	call := func(method, path string, body any) *fatest.Resp {
		t.Helper()
		resp := srv.Call(t, method, path, body, tok)
		if resp.Status >= 500 {
			t.Fatalf("%s %s: %d %s", method, path, resp.Status, resp.Body)
		}
		return resp
	}
	ids := func(path string) []string {
		var list []map[string]any
		call(http.MethodGet, path, nil).Decode(t, &list)
		out := make([]string, 0, len(list))
		for _, o := range list {
			if id, ok := o["id"].(string); ok {
				out = append(out, id)
			}
		}
		return out // in the API's own order, so a seed replays the same sequence
	}
	pick := func(l []string) string {
		if len(l) == 0 {
			return "none000000000000000000"
		}
		return l[r.IntN(len(l))]
	}
	var inventory []string
	for _, n := range ids(alphaP + "/telephonenumber") {
		inventory = append(inventory, n)
	}
	csr := map[string]any{"streetNumber": "1", "streetName": "MAIN", "city": "SALT LAKE CITY", "state": "UT",
		"country": "USA", "postalCode": "84101", "businessName": "Random Co", "customerType": "BUSINESS"}

	counts := map[string]int{}
	for i := 0; i < ops; i++ {
		accounts := ids(alphaP + "/account")
		acct := pick(accounts)
		A := alphaP + "/account/" + acct
		op := r.IntN(24)
		var resp *fatest.Resp
		switch op {
		case 0, 1:
			resp = call(http.MethodPost, alphaP+"/account", map[string]any{
				"accountNumber": fmt.Sprintf("RND-%d", r.IntN(30)), "accountName": "Random Co",
				"accountType": "ADVANCED", "timeZone": "US/Mountain", "extensionLength": 4})
		case 2, 3:
			resp = call(http.MethodPost, A+"/user", map[string]any{
				"firstName": "Ran", "lastName": "Dom", "extension": fmt.Sprint(2000 + r.IntN(20)),
				"username": fmt.Sprintf("rnd%d@example.com", r.IntN(40))})
		case 4:
			resp = call(http.MethodPost, A+"/deviceline", map[string]any{
				"deviceTypeId": "SPA112", "deviceName": "ATA", "macAddress": fmt.Sprintf("C8D7190000%02X", r.IntN(12)),
				"lineNumber": 1 + r.IntN(2), "userId": pick(ids(A + "/user")), "faxEnabled": false})
		case 5:
			resp = call(http.MethodPost, A+"/siptrunk_2", map[string]any{
				"trunkName": fmt.Sprintf("Trunk %d", r.IntN(5)), "sipUsername": fmt.Sprintf("rnd-trunk-%02d", r.IntN(10)),
				"sipPassword": "s3cretpw", "concurrentCalls": 1 + r.IntN(4)})
		case 6:
			resp = call(http.MethodPost, A+"/telephonenumber", map[string]any{
				"customerServiceRecord": csr, "directoryListing": map[string]any{"type": "NOT_LIST_NOT_PUBLISH"},
				"telephoneNumbers": []any{map[string]any{"phoneNumber": pick(inventory)}}})
		case 7:
			target := map[string]any{"referenceType": "END_USER", "referenceId": pick(ids(A + "/user"))}
			if r.IntN(2) == 0 {
				target = map[string]any{"referenceType": "SIP_TRUNK", "referenceId": pick(ids(A + "/siptrunk_2"))}
			}
			resp = call(http.MethodPatch, A+"/telephonenumber/"+pick(ids(A+"/telephonenumber")), target)
		case 8:
			resp = call(http.MethodDelete, A+"/user/"+pick(ids(A+"/user")), nil)
		case 9:
			resp = call(http.MethodDelete, A+"/siptrunk_2/"+pick(ids(A+"/siptrunk_2")), nil)
		case 10:
			if r.IntN(3) == 0 {
				resp = call(http.MethodDelete, A, nil)
			} else {
				resp = call(http.MethodDelete, A+"/deviceline/"+pick(ids(A+"/deviceline")), nil)
			}
		case 11:
			resp = call(http.MethodDelete, A+"/telephonenumber/"+pick(ids(A+"/telephonenumber")), nil)
		case 12: // a user's caller id is one of the account's numbers
			resp = call(http.MethodPatch, A+"/user/"+pick(ids(A+"/user")), map[string]any{"callerIdConfig": map[string]any{
				"callerIdNumber": pick(ids(A + "/telephonenumber")), "externalCallerIdVisible": true, "extensionCallerIdVisible": true}})
		case 13: // a line's emergency number is one of the account's numbers
			resp = call(http.MethodPatch, A+"/deviceline/"+pick(ids(A+"/deviceline")), map[string]any{
				"emergencyNumber": pick(ids(A + "/telephonenumber"))})
		case 14: // account users share the username namespace with end users
			resp = call(http.MethodPost, A+"/accountuser", map[string]any{
				"username": fmt.Sprintf("rnd%d@example.com", r.IntN(40)), "firstName": "Acc", "lastName": "User"})
		case 15: // trunk forward rules point at other trunks and users
			ref := map[string]any{"referenceType": "SIP_TRUNK", "referenceId": pick(ids(A + "/siptrunk_2"))}
			if r.IntN(2) == 0 {
				ref = map[string]any{"referenceType": "END_USER", "referenceId": pick(ids(A + "/user"))}
			}
			resp = call(http.MethodPut, A+"/siptrunk_2/"+pick(ids(A+"/siptrunk_2"))+"/forward", map[string]any{
				"forwardOnFailure": []any{ref}, "forwardOnCapacityExceeded": []any{ref}})
		case 16: // trunk groups hold trunks and forward to them
			trunk := pick(ids(A + "/siptrunk_2"))
			resp = call(http.MethodPost, A+"/siptrunkgroup", map[string]any{
				"name": fmt.Sprintf("Group %d", r.IntN(4)), "sipTrunksIds": []any{trunk},
				"unreachableForward": []any{map[string]any{"referenceType": "SIP_TRUNK", "referenceId": pick(ids(A + "/siptrunk_2"))}}})
		case 17: // shared voicemail: a user points at another user's box
			var users []map[string]any
			call(http.MethodGet, A+"/user", nil).Decode(t, &users)
			if len(users) < 2 {
				resp = call(http.MethodGet, A+"/user", nil)
				break
			}
			box, _ := users[r.IntN(len(users))]["voicemailBoxId"].(string)
			id, _ := users[r.IntN(len(users))]["id"].(string)
			resp = call(http.MethodPatch, A+"/user/"+id, map[string]any{"voicemailBoxId": box})
		case 18: // business lines name numbers of the account
			resp = call(http.MethodPost, A+"/business-line", map[string]any{
				"name": fmt.Sprintf("Line %d", r.IntN(5)), "accountId": acct, "partitionId": fatest.AlphaPartition,
				"callerIdVisible": r.IntN(2) == 0, "callerIdPhoneNumber": pick(ids(A + "/telephonenumber"))})
		case 19: // hunt groups hold business lines of the account
			conf := map[string]any{"@type": "SimultaneousHuntingConfiguration", "ringTimeoutSeconds": 20,
				"members": []any{pick(ids(A + "/business-line")), pick(ids(A + "/business-line"))}}
			if r.IntN(2) == 0 {
				conf = map[string]any{"@type": "LinearHuntingConfiguration", "ringTimeoutSeconds": 20, "members": []any{
					map[string]any{"businessLineId": pick(ids(A + "/business-line")), "sequenceOrder": 0}}}
			}
			resp = call(http.MethodPost, A+"/business-line-hunt-group", map[string]any{
				"name": "Hunt", "accountId": acct, "partitionId": fatest.AlphaPartition, "huntingConfiguration": conf})
		case 20: // specialty lines share MACs+ports (with business lines' ports) and SIP usernames with others
			if r.IntN(3) == 0 {
				resp = call(http.MethodPost, A+"/business-line/"+pick(ids(A+"/business-line"))+"/port-assignment", map[string]any{
					"deviceTypeId": "SIP_4_Port_MTA", "macAddress": fmt.Sprintf("00:1a:2b:00:00:%02x", r.IntN(4)), "portNumber": 1 + r.IntN(2)})
				break
			}
			resp = call(http.MethodPost, A+"/specialty-line", map[string]any{
				"name": "Special", "callerId": "18015550199", "e911CallbackNumber": "18015550199",
				"callingPlanIds": []any{"fakePlanAlphaStandard1"}, "macAddress": fmt.Sprintf("00:1a:2b:00:00:%02x", r.IntN(4)),
				"portNumber": 1 + r.IntN(2), "sipUsername": fmt.Sprintf("rnd-trunk-%02d", r.IntN(10))})
		case 21: // numbers route to every voice product
			var target map[string]any
			switch r.IntN(4) {
			case 0:
				target = map[string]any{"referenceType": "BUSINESS_LINE", "referenceId": pick(ids(A + "/business-line"))}
			case 1:
				target = map[string]any{"referenceType": "BUSINESS_LINE_HUNT_GROUP", "referenceId": pick(ids(A + "/business-line-hunt-group"))}
			case 2:
				target = map[string]any{"referenceType": "SPECIALTY_LINE", "referenceId": pick(ids(A + "/specialty-line"))}
			default:
				target = map[string]any{"referenceType": "CALL_GROUP", "referenceId": pick(ids(A + "/group"))}
			}
			resp = call(http.MethodPatch, A+"/telephonenumber/"+pick(ids(A+"/telephonenumber")), target)
		case 22: // voice products go
			path := []string{"/business-line/", "/business-line-hunt-group/", "/specialty-line/", "/group/"}[r.IntN(4)]
			resp = call(http.MethodDelete, A+path+pick(ids(A+path[:len(path)-1])), nil)
		case 23: // call groups and IVRs ring users of the account; paging groups hold call groups
			if r.IntN(3) == 0 {
				resp = call(http.MethodPost, A+"/ivr", map[string]any{"name": "Menu", "ivrComponentMappings": []any{},
					"ivrComponents": []any{map[string]any{"id": "c1", "type": "USER", "userId": pick(ids(A + "/user"))}}})
				break
			}
			if r.IntN(2) == 0 {
				resp = call(http.MethodPost, A+"/group", map[string]any{"name": "Calls", "type": "USER",
					"memberIds": []any{pick(ids(A + "/user"))}})
			} else {
				resp = call(http.MethodPost, A+"/grouppaging", map[string]any{"name": "Paging",
					"groupIds": []any{pick(ids(A + "/group"))}})
			}
		}
		counts[fmt.Sprintf("op%d/%d", op, resp.Status)]++
	}
	// The mix must have exercised successes and refusals alike.
	var ok, refused int
	for k, n := range counts {
		var op, status int
		fmt.Sscanf(k, "op%d/%d", &op, &status)
		if status < 300 {
			ok += n
		} else {
			refused += n
		}
	}
	t.Logf("%v", counts)
	if ok < ops/5 || refused < ops/10 {
		t.Fatalf("a lopsided run (%d ok, %d refused): %v", ok, refused, counts)
	}

	state := srv.Call(t, http.MethodGet, "/__admin/state", nil)
	if state.Status != http.StatusOK {
		t.Fatalf("state: %d", state.Status)
	}
	if put := srv.Call(t, http.MethodPut, "/__admin/state", state.Body); put.Status >= 300 {
		t.Fatalf("the state after %d random calls does not load again: %d %s", ops, put.Status, put.Body)
	}
	again := srv.Call(t, http.MethodGet, "/__admin/state", nil)
	if string(again.Body) != string(state.Body) {
		t.Fatal("the state changed on a round trip through PUT /__admin/state")
	}
}
