package routes_test

import (
	"bytes"
	"encoding/binary"
	"net/http"
	"testing"

	"github.com/fakealianza/fakealianza/fatest"
)

func (h *h6) stage(box string, body map[string]any) map[string]any {
	h.t.Helper()
	r := h.srv.Call(h.t, http.MethodPost, "/__admin/voicemailbox/"+box+"/messages", body)
	h.want(r, http.StatusCreated, "")
	return r.Map(h.t)
}

func (h *h6) totals(box string) (total, unread float64) {
	h.t.Helper()
	m := h.call(http.MethodGet, h.base+"/voicemailbox/"+box, nil).Map(h.t)
	return m["totalVoicemails"].(float64), m["totalUnreadVoicemails"].(float64)
}

func TestVoicemailMessagesAndTotals(t *testing.T) {
	h := newH6(t)
	u := h.user(h.acct, "vm@example.com", "2001")
	box := u.VoicemailBoxID
	if box == "" {
		t.Fatal("a new end user has no voicemail box")
	}
	var boxes []map[string]any
	h.call(http.MethodGet, h.base+"/voicemailbox", nil).Decode(t, &boxes)
	if len(boxes) != 1 || boxes[0]["id"] != box || boxes[0]["totalVoicemails"] != float64(0) {
		t.Fatalf("user's box not listed: %v", boxes)
	}

	m1 := h.stage(box, map[string]any{"fromName": "Sam", "fromNumber": "18015550111", "lengthInSeconds": 12})
	m2 := h.stage(box, map[string]any{"fromName": "Kim", "fromNumber": "18015550112", "lengthInSeconds": 3})
	if m1["read"] != false || m1["messageType"] != "VOICE" || m1["accountId"] != h.acct || m1["voicemailBoxId"] != box ||
		m1["sizeInBytes"] != float64(44+2*8000*5) || m1["createdDate"] == nil || m1["storageId"] == nil {
		t.Fatalf("staged message: %v", m1)
	}
	if tot, unread := h.totals(box); tot != 2 || unread != 2 {
		t.Fatalf("totals %v/%v, want 2/2", tot, unread)
	}
	msgs := h.base + "/voicemailbox/" + box + "/voicemailmessage"
	var list []map[string]any
	h.call(http.MethodGet, msgs, nil).Decode(t, &list)
	if len(list) != 2 || list[0]["id"] != m2["id"] {
		t.Fatalf("list (newest first): %v", list)
	}
	var mine []map[string]any
	h.call(http.MethodGet, h.base+"/user/"+u.ID+"/voicemail", nil).Decode(t, &mine)
	if len(mine) != 2 {
		t.Fatalf("user voicemail: %v", mine)
	}
	h.want(h.call(http.MethodGet, h.base+"/user/nope/voicemail", nil), http.StatusNotFound, "EntityNotFound")

	// marking read moves the unread total; other fields are the server's
	id1 := m1["id"].(string)
	r := h.call(http.MethodPut, msgs+"/"+id1, map[string]any{"read": true, "fromName": "Changed"})
	h.want(r, http.StatusOK, "")
	if m := r.Map(t); m["read"] != true || m["fromName"] != "Sam" {
		t.Fatalf("after PUT: %v", m)
	}
	if tot, unread := h.totals(box); tot != 2 || unread != 1 {
		t.Fatalf("totals %v/%v, want 2/1", tot, unread)
	}

	// the content is a valid WAV file, and listening marks the message read
	r = h.call(http.MethodGet, msgs+"/"+m2["id"].(string)+"/content", nil)
	h.want(r, http.StatusOK, "")
	checkWAV(t, r.Body, 3)
	if ct := r.Header.Get("Content-Type"); ct != "audio/wave" {
		t.Errorf("content type %q", ct)
	}
	if tot, unread := h.totals(box); tot != 2 || unread != 0 {
		t.Fatalf("totals %v/%v, want 2/0", tot, unread)
	}

	// deleting many is all or nothing
	m3 := h.stage(box, map[string]any{"messageType": "FAX", "lengthInPages": 2})
	r = h.call(http.MethodDelete, msgs, []string{id1, "nope"})
	h.want(r, http.StatusNotFound, "EntityNotFound")
	if tot, _ := h.totals(box); tot != 3 {
		t.Fatalf("a failed delete removed messages: %v", tot)
	}
	h.want(h.call(http.MethodDelete, msgs, []string{}), http.StatusBadRequest, "MessageIdsRequired")
	h.want(h.call(http.MethodDelete, msgs, []string{id1, m2["id"].(string)}), http.StatusOK, "")
	if tot, unread := h.totals(box); tot != 1 || unread != 1 {
		t.Fatalf("totals %v/%v, want 1/1", tot, unread)
	}
	r = h.call(http.MethodDelete, msgs+"/"+m3["id"].(string), nil)
	h.want(r, http.StatusOK, "")
	if string(r.Body) != `"`+m3["id"].(string)+`"` {
		t.Errorf("delete_4 body %s", r.Body)
	}
	if tot, unread := h.totals(box); tot != 0 || unread != 0 {
		t.Fatalf("totals %v/%v, want 0/0", tot, unread)
	}
	h.want(h.call(http.MethodGet, msgs+"/"+id1, nil), http.StatusNotFound, "EntityNotFound")
	h.want(h.call(http.MethodGet, msgs+"/"+id1+"/content", nil), http.StatusNotFound, "EntityNotFound")
	h.want(h.call(http.MethodPut, msgs+"/"+id1, map[string]any{"read": true}), http.StatusNotFound, "EntityNotFound")
	h.want(h.call(http.MethodDelete, msgs+"/"+id1, nil), http.StatusNotFound, "EntityNotFound")

	// staging checks its input
	h.want(h.srv.Call(t, http.MethodPost, "/__admin/voicemailbox/nope/messages", map[string]any{}), http.StatusNotFound, "EntityNotFound")
	h.want(h.srv.Call(t, http.MethodPost, "/__admin/voicemailbox/"+box+"/messages", map[string]any{"lengthInSeconds": 601}),
		http.StatusBadRequest, "InvalidValueForField:lengthInSeconds")
	h.want(h.srv.Call(t, http.MethodPost, "/__admin/voicemailbox/"+box+"/messages", map[string]any{"createdDate": "yesterday"}),
		http.StatusBadRequest, "InvalidValueForField:createdDate")
}

// checkWAV parses a RIFF/WAVE header: PCM, mono, 8 kHz, 16-bit, with a data
// chunk of the right size.
func checkWAV(t *testing.T, b []byte, seconds int) {
	t.Helper()
	if len(b) < 44 || string(b[0:4]) != "RIFF" || string(b[8:12]) != "WAVE" || string(b[12:16]) != "fmt " || string(b[36:40]) != "data" {
		t.Fatalf("not a WAV header: % x", b[:min(len(b), 44)])
	}
	var hdr struct {
		Format, Channels       uint16
		Rate, ByteRate         uint32
		BlockAlign, BitsPerSmp uint16
	}
	if err := binary.Read(bytes.NewReader(b[20:36]), binary.LittleEndian, &hdr); err != nil {
		t.Fatal(err)
	}
	riff := binary.LittleEndian.Uint32(b[4:8])
	data := binary.LittleEndian.Uint32(b[40:44])
	if hdr.Format != 1 || hdr.Channels != 1 || hdr.Rate != 8000 || hdr.BitsPerSmp != 16 || hdr.ByteRate != 16000 ||
		int(riff) != len(b)-8 || int(data) != len(b)-44 || int(data) != 2*8000*seconds {
		t.Fatalf("WAV fields %+v riff %d data %d len %d", hdr, riff, data, len(b))
	}
}

func TestVoicemailBoxes(t *testing.T) {
	h := newH6(t)
	vb := h.base + "/voicemailbox"
	r := h.call(http.MethodPost, vb, map[string]any{"name": "Front desk", "voicemailToEmailEnabled": true,
		"voicemailToEmailAddresses": []string{"desk@example.com"}, "totalVoicemails": 99, "pinLockedOut": true})
	h.want(r, http.StatusOK, "")
	parent := r.Map(t)
	pid := parent["id"].(string)
	if parent["type"] != "Normal" || parent["totalVoicemails"] != float64(0) || parent["pinLockedOut"] != false {
		t.Fatalf("new box: %v", parent)
	}
	r = h.call(http.MethodPost, vb, map[string]any{"name": "After hours", "parentId": pid})
	h.want(r, http.StatusOK, "")
	sub := r.Map(t)
	if sub["type"] != "Sub" {
		t.Fatalf("sub box: %v", sub)
	}
	if m := h.call(http.MethodGet, vb+"/"+pid, nil).Map(t); len(m["subIds"].([]any)) != 1 {
		t.Fatalf("parent subIds: %v", m)
	}
	var subs []map[string]any
	h.call(http.MethodGet, vb+"?parentId="+pid, nil).Decode(t, &subs)
	if len(subs) != 1 || subs[0]["id"] != sub["id"] {
		t.Fatalf("parentId filter: %v", subs)
	}

	for _, c := range []struct {
		body   map[string]any
		status int
		code   string
	}{
		{map[string]any{"name": "x", "parentId": "nope"}, 404, "EntityNotFound"},
		{map[string]any{"name": "x", "parentId": sub["id"]}, 400, "InvalidValueForField:parentId"},
		{map[string]any{"name": "x", "voicemailToEmailEnabled": true}, 400, "VoicemailToEmailAddressRequired"},
		{map[string]any{"name": "x", "voicemailToEmailAddresses": []string{"not-an-email"}}, 400, "InvalidValueForField:voicemailToEmailAddresses"},
		{map[string]any{"name": "x", "type": "Odd"}, 400, "InvalidValueForField:type"},
	} {
		h.want(h.call(http.MethodPost, vb, c.body), c.status, c.code)
	}

	r = h.call(http.MethodPatch, vb+"/"+pid, map[string]any{"name": "Reception", "messageTranscriptionEnabled": true})
	h.want(r, http.StatusOK, "")
	if m := r.Map(t); m["name"] != "Reception" || m["voicemailToEmailEnabled"] != true || m["messageTranscriptionEnabled"] != true {
		t.Fatalf("after PATCH: %v", m)
	}
	// a null in a PATCH is a key not given: the addresses stay
	r = h.call(http.MethodPatch, vb+"/"+pid, map[string]any{"voicemailToEmailAddresses": nil})
	h.want(r, http.StatusOK, "")
	if m := r.Map(t); m["voicemailToEmailEnabled"] != true || len(m["voicemailToEmailAddresses"].([]any)) != 1 {
		t.Fatalf("PATCH with a null changed the box: %v", m)
	}
	r = h.call(http.MethodPut, vb+"/"+pid, map[string]any{"name": "Desk"})
	h.want(r, http.StatusOK, "")
	if m := r.Map(t); m["name"] != "Desk" || m["voicemailToEmailEnabled"] != false || m["type"] != "Normal" {
		t.Fatalf("after PUT: %v", m)
	}

	// PIN, lock-out, unlock
	pin := vb + "/" + pid + "/pin"
	h.want(h.call(http.MethodPut, pin, map[string]any{"pin": "12a4"}), http.StatusBadRequest, "InvalidPin")
	h.want(h.call(http.MethodPut, pin, map[string]any{"pin": "123"}), http.StatusBadRequest, "InvalidPin")
	h.want(h.call(http.MethodPut, pin, map[string]any{}), http.StatusBadRequest, "PinRequired")
	h.want(h.call(http.MethodPut, pin, map[string]any{"pin": "2468"}), http.StatusOK, "")
	r = h.srv.Call(t, http.MethodPost, "/__admin/voicemailbox/"+pid+"/lock", nil)
	h.want(r, http.StatusOK, "")
	if r.Map(t)["pinLockedOut"] != true {
		t.Fatalf("lock: %s", r.Body)
	}
	h.want(h.srv.Call(t, http.MethodPost, "/__admin/voicemailbox/nope/lock", nil), http.StatusNotFound, "EntityNotFound")
	r = h.call(http.MethodPut, vb+"/"+pid+"/unlock?resetPin=true", nil)
	h.want(r, http.StatusOK, "")
	if r.Map(t)["pinLockedOut"] != false {
		t.Fatalf("unlock: %s", r.Body)
	}
	if snap := h.srv.Store().Snapshot(); len(snap.VoicemailPins) != 0 {
		t.Fatalf("resetPin kept the PIN: %v", snap.VoicemailPins)
	}

	// deleting a box removes its messages; sub-boxes lose their parent
	h.stage(pid, map[string]any{"fromName": "Sam"})
	h.want(h.call(http.MethodDelete, vb+"/"+pid, nil), http.StatusNoContent, "")
	h.want(h.call(http.MethodGet, vb+"/"+pid, nil), http.StatusNotFound, "EntityNotFound")
	h.want(h.call(http.MethodGet, vb+"/"+pid+"/voicemailmessage", nil), http.StatusNotFound, "EntityNotFound")
	if m := h.call(http.MethodGet, vb+"/"+sub["id"].(string), nil).Map(t); m["parentId"] != nil {
		t.Fatalf("orphan sub kept parent: %v", m)
	}
	for _, m := range h.srv.Store().Snapshot().VoicemailMessages {
		if m.VoicemailBoxID == pid {
			t.Fatalf("message %s outlived its box", m.ID)
		}
	}

	// voicemail needs the Account permission; scope applies
	reader := h.srv.Login(t, fatest.ReaderUser, fatest.Password)
	h.want(h.srv.Call(t, http.MethodGet, vb, nil, fatest.Auth(reader)), http.StatusOK, "")
	h.want(h.srv.Call(t, http.MethodPost, vb, map[string]any{"name": "r"}, fatest.Auth(reader)), http.StatusForbidden, "InsufficientPermissions")
	bravo := h.srv.Login(t, fatest.BravoAdminUser, fatest.Password)
	h.want(h.srv.Call(t, http.MethodGet, vb, nil, fatest.Auth(bravo)), http.StatusBadRequest, "NotPermitted")
}

// The default fixtures hold a trunk and messages, with totals to match.
func TestDefaultFixtureTrunkAndMessages(t *testing.T) {
	srv := fatest.New(t)
	tok := srv.Admin(t)
	acme := "/v2/partition/" + fatest.AlphaPartition + "/account/fakeAcct00000000000001"
	r := srv.Call(t, http.MethodGet, acme+"/siptrunk_2/fakeTrunk0000000000001", nil, fatest.Auth(tok))
	if r.Status != http.StatusOK || r.Map(t)["sipUsername"] != "acme-pbx-trunk" {
		t.Fatalf("fixture trunk: %d %s", r.Status, r.Body)
	}
	m := srv.Call(t, http.MethodGet, acme+"/voicemailbox/fakeVmBox0000000000001", nil, fatest.Auth(tok)).Map(t)
	if m["totalVoicemails"] != float64(2) || m["totalUnreadVoicemails"] != float64(1) {
		t.Fatalf("fixture box totals: %v", m)
	}
	var msgs []map[string]any
	srv.Call(t, http.MethodGet, acme+"/user/fakeUser00000000000001/voicemail", nil, fatest.Auth(tok)).Decode(t, &msgs)
	if len(msgs) != 2 || msgs[0]["id"] != "fakeVmMsg0000000000001" || msgs[1]["transcriptionStatus"] != "SUCCESS" ||
		msgs[0]["sizeInBytes"] != float64(44+2*8000*5) || msgs[0]["storageId"] != "1f4f58a7-e12e-5337-bef4-f0a6c9a761f0" {
		t.Fatalf("fixture messages: %v", msgs)
	}
}
