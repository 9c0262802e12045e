package routes_test

import (
	"net/http"
	"testing"

	"github.com/fakealianza/fakealianza/fatest"
)

// TestBusinessLinePinReset: reset-pin clears a locked-out PIN of either
// kind of business-line box, so check-pin-status answers unlocked after it;
// a box that is not locked stays unlocked; an unknown box is 404.
func TestBusinessLinePinReset(t *testing.T) {
	srv := fatest.New(t)
	c := login(t, srv, fatest.AdminUser)
	A := alphaP + "/account/fakeAcct00000000000001"
	boxes := A + "/business-line/voicemail-box/"
	own := c.create(A+"/user", map[string]any{"lastName": "Locked", "extension": "2910"}, http.StatusOK)["voicemailBoxId"].(string)
	newBox := func(body map[string]any) string {
		body["accountId"], body["partitionId"] = "fakeAcct00000000000001", fatest.AlphaPartition
		return c.do(http.MethodPost, A+"/business-line/voicemail-box", body, http.StatusOK).Map(t)["id"].(string)
	}
	lockedBL := newBox(map[string]any{"name": "Locked desk", "pinLockedOut": true})
	openBL := newBox(map[string]any{"name": "Open desk"})
	locked := func(box string) any {
		return c.do(http.MethodPost, boxes+box+"/rpc/check-pin-status", nil, http.StatusOK).Map(t)["lockedOut"]
	}
	for _, tc := range []struct {
		name, box string
		lock      func() // locks the box first, when it can be
		before    bool   // lockedOut before the reset
	}{
		{"an account's own box", own, func() { srv.Call(t, http.MethodPost, "/__admin/voicemailbox/"+own+"/lock", nil) }, true},
		{"a business-line box made locked", lockedBL, nil, true},
		{"a box not locked", openBL, nil, false},
		{"an own box reset twice", own, nil, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.lock != nil {
				tc.lock()
			}
			if got := locked(tc.box); got != tc.before {
				t.Fatalf("before the reset: lockedOut %v, want %v", got, tc.before)
			}
			r := c.do(http.MethodPost, boxes+tc.box+"/rpc/reset-pin", nil, http.StatusOK)
			if len(r.Body) != 0 {
				t.Fatalf("reset answered a body: %s", r.Body)
			}
			if got := locked(tc.box); got != false {
				t.Fatalf("after the reset: lockedOut %v", got)
			}
		})
	}
	if b := c.do(http.MethodGet, A+"/voicemailbox/"+own, nil, http.StatusOK).Map(t); b["pinLockedOut"] != false {
		t.Fatalf("the own box after the reset: pinLockedOut %v", b["pinLockedOut"])
	}
	for _, tc := range []struct{ path, data string }{
		{boxes + "nope/rpc/reset-pin", "map[id:nope type:VoicemailBox]"},
		{alphaP + "/account/nope/business-line/voicemail-box/" + lockedBL + "/rpc/reset-pin", "map[id:nope type:Account]"},
	} {
		r := srv.Call(t, http.MethodPost, tc.path, nil, fatest.Auth(c.tok))
		wantErrorData(t, r, http.StatusNotFound, "EntityNotFound", tc.data)
	}
}
