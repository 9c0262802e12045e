package routes_test

import (
	"bytes"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/fakealianza/fakealianza/fatest"
	"github.com/fakealianza/fakealianza/store"
)

// TestGreetingsRoundTrip: a greeting uploaded is the one downloaded, byte
// for byte (bytes that are not UTF-8 included), for a hand-built box and a
// business-line box alike; a deleted greeting, or one never uploaded, is
// 404; the box lists its greetings.
func TestGreetingsRoundTrip(t *testing.T) {
	srv := fatest.New(t)
	c := login(t, srv, fatest.AdminUser)
	A := alphaP + "/account/fakeAcct00000000000001"
	user := c.create(A+"/user", map[string]any{"lastName": "Greeter", "extension": "2700"}, http.StatusOK)
	box := user["voicemailBoxId"].(string)
	bl := c.do(http.MethodPost, A+"/business-line/voicemail-box", map[string]any{
		"name": "Front desk box", "accountId": "fakeAcct00000000000001", "partitionId": fatest.AlphaPartition}, http.StatusOK).Map(t)["id"].(string)

	wav := store.VoicemailWAV(2)
	binary := []byte{0x00, 0xff, 0xfe, 0x80, 'I', 'D', '3'}
	for _, c2 := range []struct {
		name, base string
		audio      []byte
	}{
		{"hand-built box", A + "/voicemailbox/" + box, wav},
		{"business-line box", A + "/business-line/voicemail-box/" + bl, binary},
	} {
		t.Run(c2.name, func(t *testing.T) {
			c := login(t, srv, fatest.AdminUser)
			media := c2.base + "/greetings/PersonalBusy/media"
			c.fails(http.MethodGet, media, nil, http.StatusNotFound, "EntityNotFound")
			put := func(data []byte, want int) *fatest.Resp {
				body, ct := multipartFile(t, "file", "greeting.wav", data)
				r := srv.Call(t, http.MethodPut, media, body, fatest.Auth(c.tok), "Content-Type: "+ct)
				if r.Status != want {
					t.Fatalf("upload: %d %s, want %d", r.Status, r.Body, want)
				}
				return r
			}
			put(c2.audio, http.StatusAccepted)
			got := c.do(http.MethodGet, media, nil, http.StatusOK)
			if !bytes.Equal(got.Body, c2.audio) || got.Header.Get("Content-Type") != "application/octet-stream" {
				t.Fatalf("downloaded %d bytes (%s), uploaded %d", len(got.Body), got.Header.Get("Content-Type"), len(c2.audio))
			}
			// another type is another greeting; a second upload replaces the first
			c.fails(http.MethodGet, c2.base+"/greetings/Personal/media", nil, http.StatusNotFound, "EntityNotFound")
			put([]byte("RIFFsecond"), http.StatusAccepted)
			if got := c.do(http.MethodGet, media, nil, http.StatusOK); string(got.Body) != "RIFFsecond" {
				t.Fatalf("after a second upload: %q", got.Body)
			}
			put(nil, http.StatusBadRequest)
			c.do(http.MethodDelete, media, nil, http.StatusOK)
			c.fails(http.MethodGet, media, nil, http.StatusNotFound, "EntityNotFound")
			c.fails(http.MethodDelete, media, nil, http.StatusNotFound, "EntityNotFound")
		})
	}

	// the hand-built box lists a greeting with its size and length
	media := A + "/voicemailbox/" + box + "/greetings/PrimaryGreeting/media"
	body, ct := multipartFile(t, "file", "hello.wav", wav)
	if r := srv.Call(t, http.MethodPut, media, body, fatest.Auth(c.tok), "Content-Type: "+ct); r.Status != http.StatusAccepted {
		t.Fatalf("upload: %d %s", r.Status, r.Body)
	}
	g, _ := c.do(http.MethodGet, A+"/voicemailbox/"+box, nil, http.StatusOK).Map(t)["greetings"].(map[string]any)
	pg, _ := g["PrimaryGreeting"].(map[string]any)
	if len(g) != 1 || pg["sizeInBytes"] != float64(len(wav)) || pg["lengthInSeconds"] != float64(2) || pg["voicemailBoxId"] != box {
		t.Fatalf("box greetings %v", g)
	}
	// the audio is in the state: a snapshot brings it back after a reset
	c = stateBack(t, srv)
	if got := c.do(http.MethodGet, media, nil, http.StatusOK); !bytes.Equal(got.Body, wav) {
		t.Fatalf("after a state round trip: %d bytes", len(got.Body))
	}
	c.fails(http.MethodGet, A+"/voicemailbox/nope/greetings/Personal/media", nil, http.StatusNotFound, "EntityNotFound")
	// a box that goes takes its greetings' audio with it
	c.do(http.MethodDelete, A+"/voicemailbox/"+box, nil, http.StatusNoContent)
	for _, o := range srv.Store().Snapshot().Generic {
		if strings.Contains(o.Path, "/voicemailbox/"+box+"/") {
			t.Fatalf("audio outlives its box: %s", o.Path)
		}
	}
	r := srv.Call(t, http.MethodPut, A+"/business-line/voicemail-box/nope/greetings/Personal/media", body, fatest.Auth(c.tok), "Content-Type: "+ct)
	wantError(t, r, http.StatusNotFound, "EntityNotFound")
	if _, _, data := r.Envelope(t); fmt.Sprint(data) != "map[id:nope type:VoicemailBox]" {
		t.Fatalf("data %v", data)
	}
}

// stateBack takes the server's state, resets it and puts the state back,
// as a restart from a state file would, and logs in again (a reset ends
// the tokens).
func stateBack(t *testing.T, srv *fatest.Server) caller {
	t.Helper()
	state := srv.Call(t, http.MethodGet, "/__admin/state", nil)
	srv.Call(t, http.MethodPost, "/__admin/reset", nil)
	if r := srv.Call(t, http.MethodPut, "/__admin/state", state.Body); r.Status != http.StatusNoContent {
		t.Fatalf("state back: %d %s", r.Status, r.Body)
	}
	return login(t, srv, fatest.AdminUser)
}

// wantErrorData is wantError that also checks the envelope's data (as
// fmt prints it; "" checks none).
func wantErrorData(t *testing.T, r *fatest.Resp, status int, code, data string) {
	t.Helper()
	wantError(t, r, status, code)
	if _, _, got := r.Envelope(t); data != "" && fmt.Sprint(got) != data {
		t.Fatalf("data %v, want %s", got, data)
	}
}

// TestVoicemailMessageAudio: a message that exists answers audio in the
// asked format; one that does not is 404 EntityNotFound.
func TestVoicemailMessageAudio(t *testing.T) {
	srv := fatest.New(t)
	c := login(t, srv, fatest.AdminUser)
	A := alphaP + "/account/fakeAcct00000000000001"
	box := c.create(A+"/user", map[string]any{"lastName": "Listener", "extension": "2800"}, http.StatusOK)["voicemailBoxId"].(string)
	msg := srv.Call(t, http.MethodPost, "/__admin/voicemailbox/"+box+"/messages", map[string]any{"lengthInSeconds": 3}).Map(t)["id"].(string)
	content := A + "/voicemailbox/" + box + "/voicemailmessage/" + msg + "/content_2"
	for _, c2 := range []struct{ query, ct, magic string }{
		{"", "audio/wave", "RIFF"},
		{"?mediatype=wav", "audio/wave", "RIFF"},
		{"?mediatype=mp3", "audio/mpeg", "\xff\xfb"},
	} {
		r := c.do(http.MethodGet, content+c2.query, nil, http.StatusOK)
		if r.Header.Get("Content-Type") != c2.ct || !bytes.HasPrefix(r.Body, []byte(c2.magic)) || len(r.Body) < 1000 {
			t.Fatalf("%s: %s, %d bytes", c2.query, r.Header.Get("Content-Type"), len(r.Body))
		}
	}
	if m := c.do(http.MethodGet, A+"/voicemailbox/"+box+"/voicemailmessage/"+msg, nil, http.StatusOK).Map(t); m["read"] != true {
		t.Fatalf("a message listened to is read: %v", m)
	}
	c.fails(http.MethodGet, A+"/voicemailbox/"+box+"/voicemailmessage/nope/content_2", nil, http.StatusNotFound, "EntityNotFound")

	// a business-line box's message (stored as the state holds it)
	boxes := A + "/business-line/voicemail-box"
	bl := c.do(http.MethodPost, boxes, map[string]any{"name": "Desk", "accountId": "fakeAcct00000000000001", "partitionId": fatest.AlphaPartition},
		http.StatusOK).Map(t)["id"].(string)
	msgs := boxes + "/" + bl + "/message"
	if _, err := srv.Store().GenericPut(store.GenericObject{Path: msgs + "/m1", Collection: msgs, ID: "m1", PartitionID: fatest.AlphaPartition,
		Template: "/v2/partition/{partitionId}/account/{accountId}/business-line/voicemail-box/{voicemailBoxId}/message/{messageId}",
		Body:     map[string]any{"id": "m1", "lengthInSeconds": 2}}); err != nil {
		t.Fatal(err)
	}
	r := c.do(http.MethodGet, msgs+"/m1/media", nil, http.StatusOK)
	if r.Header.Get("Content-Type") != "audio/wave" || !bytes.Equal(r.Body, store.VoicemailWAV(2)) {
		t.Fatalf("business-line message audio: %s, %d bytes", r.Header.Get("Content-Type"), len(r.Body))
	}
	c.fails(http.MethodGet, msgs+"/m2/media", nil, http.StatusNotFound, "EntityNotFound")
	// the account's own box, as a business line's call handling names it
	other := srv.Call(t, http.MethodPost, "/__admin/voicemailbox/"+box+"/messages", map[string]any{"lengthInSeconds": 4}).Map(t)["id"].(string)
	if r := c.do(http.MethodGet, boxes+"/"+box+"/message/"+other+"/media", nil, http.StatusOK); !bytes.Equal(r.Body, store.VoicemailWAV(4)) {
		t.Fatalf("own box message audio: %d bytes", len(r.Body))
	}
	c.fails(http.MethodGet, boxes+"/"+box+"/message/nope/media", nil, http.StatusNotFound, "EntityNotFound")
	c.fails(http.MethodGet, boxes+"/nope/message/m1/media", nil, http.StatusNotFound, "EntityNotFound")
}

// TestBusinessLineMessageActions: a business-line box's messages are marked
// read or unread and deleted, in bulk (all or none) or one at a time.
func TestBusinessLineMessageActions(t *testing.T) {
	srv := fatest.New(t)
	c := login(t, srv, fatest.AdminUser)
	boxes := alphaP + "/account/fakeAcct00000000000001/business-line/voicemail-box"
	bl := c.do(http.MethodPost, boxes, map[string]any{"name": "Desk", "accountId": "fakeAcct00000000000001", "partitionId": fatest.AlphaPartition},
		http.StatusOK).Map(t)["id"].(string)
	msgs := boxes + "/" + bl + "/message"
	ids := []string{"7d0c0c6e-0000-4000-8000-000000000001", "7d0c0c6e-0000-4000-8000-000000000002", "7d0c0c6e-0000-4000-8000-000000000003"}
	for _, id := range ids {
		if _, err := srv.Store().GenericPut(store.GenericObject{Path: msgs + "/" + id, Collection: msgs, ID: id, PartitionID: fatest.AlphaPartition,
			Template: "/v2/partition/{partitionId}/account/{accountId}/business-line/voicemail-box/{voicemailBoxId}/message/{messageId}",
			Body:     map[string]any{"storageId": id, "read": false, "lengthInSeconds": 1}}); err != nil {
			t.Fatal(err)
		}
	}
	read := func() map[string]bool {
		out := map[string]bool{}
		for _, id := range ids {
			if o, ok := srv.Store().GenericGet(msgs + "/" + id); ok {
				out[id], _ = o.Body["read"].(bool)
			}
		}
		return out
	}
	bulk := msgs + "/bulk-update"
	c.do(http.MethodPut, bulk, map[string]any{"actionType": "MARK_AS_READ", "messageIds": ids[:2]}, http.StatusOK)
	if got := read(); !got[ids[0]] || !got[ids[1]] || got[ids[2]] || len(got) != 3 {
		t.Fatalf("after MARK_AS_READ: %v", got)
	}
	// one id that is not the box's: nothing changes
	c.fails(http.MethodPut, bulk, map[string]any{"actionType": "MARK_AS_UNREAD", "messageIds": []string{ids[0], "7d0c0c6e-0000-4000-8000-0000000000ff"}},
		http.StatusNotFound, "EntityNotFound")
	if got := read(); !got[ids[0]] {
		t.Fatalf("a refused bulk update changed %v", got)
	}
	c.fails(http.MethodPut, bulk, map[string]any{"actionType": "DELETE"}, http.StatusBadRequest, "MessageIdsRequired")
	c.do(http.MethodPost, msgs+"/"+ids[0]+"/set-read-status", map[string]any{"markAsRead": false}, http.StatusOK)
	c.do(http.MethodPost, msgs+"/"+ids[2]+"/set-read-status", map[string]any{"markAsRead": true}, http.StatusOK)
	if got := read(); got[ids[0]] || !got[ids[2]] {
		t.Fatalf("after set-read-status: %v", got)
	}
	c.fails(http.MethodPost, msgs+"/"+ids[2]+"/set-read-status", map[string]any{}, http.StatusBadRequest, "MarkAsReadRequired")
	c.do(http.MethodPut, bulk, map[string]any{"actionType": "DELETE", "messageIds": ids[1:]}, http.StatusOK)
	if got := read(); len(got) != 1 || !func() bool { _, ok := got[ids[0]]; return ok }() {
		t.Fatalf("after DELETE: %v", got)
	}
	c.fails(http.MethodGet, msgs+"/"+ids[1]+"/media", nil, http.StatusNotFound, "EntityNotFound")

	// an account's own box: its voicemail messages
	own := c.create(alphaP+"/account/fakeAcct00000000000001/user", map[string]any{"lastName": "Desk", "extension": "2950"}, http.StatusOK)["voicemailBoxId"].(string)
	m := srv.Call(t, http.MethodPost, "/__admin/voicemailbox/"+own+"/messages", map[string]any{}).Map(t)["id"].(string)
	c.do(http.MethodPost, boxes+"/"+own+"/message/"+m+"/set-read-status", map[string]any{"markAsRead": true}, http.StatusOK)
	got := c.do(http.MethodGet, alphaP+"/account/fakeAcct00000000000001/voicemailbox/"+own+"/voicemailmessage/"+m, nil, http.StatusOK).Map(t)
	if got["read"] != true {
		t.Fatalf("own box message after set-read-status: %v", got)
	}
}
