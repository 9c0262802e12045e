package routes_test

import (
	"bytes"
	"net/http"
	"strings"
	"testing"

	"github.com/fakealianza/fakealianza/fatest"
)

// TestAccountMedia: a file uploaded on media_2 or the deprecated media path
// is read back byte for byte on either; the hold-music selection names one
// of the account's files and is set, read and cleared; a file deleted, an
// unknown id or account is 404; the files live in the state and go with
// their account.
func TestAccountMedia(t *testing.T) {
	srv := fatest.New(t)
	c := login(t, srv, fatest.AdminUser)
	acct := c.create(alphaP+"/account", map[string]any{"accountNumber": "MEDIA-1", "accountName": "Media Co",
		"billingCycleDay": 1, "accountType": "ADVANCED", "platformType": "CPE2"}, http.StatusOK)["id"].(string)
	A := alphaP + "/account/" + acct
	upload := func(path string, data []byte) *fatest.Resp {
		body, ct := multipartFile(t, "file", "prompt.wav", data)
		return srv.Call(t, http.MethodPost, path, body, fatest.Auth(c.tok), "Content-Type: "+ct)
	}
	// bytes that are not UTF-8 come back as sent
	prompt := []byte{'R', 'I', 'F', 'F', 0x00, 0xff, 0xfe, 0x80}
	music := bytes.Repeat([]byte{0xC3, 0x28, 0x00}, 1000)

	r := upload(A+"/media_2", prompt)
	m := r.Map(t)
	id2, _ := m["id"].(string)
	if r.Status != http.StatusOK || len(id2) != 36 || m["url"] != A+"/media_2/"+id2 {
		t.Fatalf("media_2 upload: %d %s", r.Status, r.Body)
	}
	var id1 string
	if r := upload(A+"/media", music); r.Status != http.StatusOK {
		t.Fatalf("media upload: %d %s", r.Status, r.Body)
	} else {
		r.Decode(t, &id1)
	}
	if id1 == "" || id1 == id2 {
		t.Fatalf("media ids %q %q", id1, id2)
	}
	for _, tc := range []struct {
		name, path string
		want       []byte
	}{
		{"media_2 upload on media_2", A + "/media_2/" + id2, prompt},
		{"media_2 upload on media", A + "/media/" + id2, prompt},
		{"media upload on media_2", A + "/media_2/" + id1, music},
		{"media upload on media", A + "/media/" + id1, music},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := c.do(http.MethodGet, tc.path+"?mediaType=HoldMusic", nil, http.StatusOK)
			if !bytes.Equal(got.Body, tc.want) || got.Header.Get("Content-Type") != "application/octet-stream" {
				t.Fatalf("read %d bytes (%s), uploaded %d", len(got.Body), got.Header.Get("Content-Type"), len(tc.want))
			}
		})
	}

	for _, tc := range []struct {
		name, method, path string
		data               []byte // an upload's file
		status             int
		code, data404      string // the error, and a 404's data
	}{
		{"unknown id on media_2", http.MethodGet, A + "/media_2/nope?mediaType=IvrPrompt", nil, 404, "EntityNotFound", "map[id:nope type:Media]"},
		{"unknown id on media", http.MethodGet, A + "/media/nope?mediaType=IvrPrompt", nil, 404, "EntityNotFound", "map[id:nope type:Media]"},
		{"another account's file", http.MethodGet, alphaP + "/account/fakeAcct00000000000001/media_2/" + id2 + "?mediaType=IvrPrompt", nil, 404, "EntityNotFound", "map[id:" + id2 + " type:Media]"},
		{"unknown account", http.MethodGet, alphaP + "/account/nope/media_2/" + id2 + "?mediaType=IvrPrompt", nil, 404, "EntityNotFound", "map[id:nope type:Account]"},
		{"hold music not a media", http.MethodPut, A + "/media_2/type/holdmusic/nope", nil, 404, "EntityNotFound", "map[id:nope type:Media]"},
		{"no hold music yet", http.MethodGet, A + "/media_2/type/holdmusic", nil, 404, "EntityNotFound", "map[id:" + acct + " type:HoldMusic]"},
		{"empty upload", http.MethodPost, A + "/media_2", []byte{}, 400, "FileRequired", ""},
		{"upload to unknown account", http.MethodPost, alphaP + "/account/nope/media_2", prompt, 404, "EntityNotFound", "map[id:nope type:Account]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var r *fatest.Resp
			if tc.data != nil {
				r = upload(tc.path, tc.data)
			} else {
				r = srv.Call(t, tc.method, tc.path, nil, fatest.Auth(c.tok))
			}
			wantErrorData(t, r, tc.status, tc.code, tc.data404)
		})
	}
	if a := c.do(http.MethodGet, A, nil, http.StatusOK).Map(t); a["holdMusicMediaId"] != nil {
		t.Fatalf("a refused selection changed the account: %v", a["holdMusicMediaId"])
	}

	// the selection: set, read (either kind), changed, cleared, and gone
	// with the file it names
	holdMusic := func(query string) map[string]any {
		return c.do(http.MethodGet, A+"/media_2/type/holdmusic"+query, nil, http.StatusOK).Map(t)
	}
	selected := func(id string) {
		t.Helper()
		a := c.do(http.MethodGet, A, nil, http.StatusOK).Map(t)
		if want := any(id); id == "" {
			if a["holdMusicMediaId"] != nil || a["customHoldMusicMediaId"] != nil {
				t.Fatalf("selection %v/%v, want none", a["holdMusicMediaId"], a["customHoldMusicMediaId"])
			}
		} else if a["holdMusicMediaId"] != want || a["customHoldMusicMediaId"] != want {
			t.Fatalf("selection %v/%v, want %s", a["holdMusicMediaId"], a["customHoldMusicMediaId"], id)
		}
	}
	for _, tc := range []struct {
		name, method, path string
		want               string // the selection after
	}{
		{"select the media_2 file", http.MethodPut, "/media_2/type/holdmusic/" + id2, id2},
		{"select the media file (deprecated PUT)", http.MethodPut, "/media_2/" + id1, id1},
		{"select again", http.MethodPut, "/media_2/type/holdmusic/" + id2, id2},
		{"clear", http.MethodDelete, "/media_2/type/holdmusic", ""},
		{"select before the file goes", http.MethodPut, "/media_2/type/holdmusic/" + id1, id1},
		{"delete the selected file", http.MethodDelete, "/media_2/" + id1, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := c.do(tc.method, A+tc.path, nil, http.StatusOK)
			if strings.Contains(tc.path, "/type/holdmusic/") {
				if h := r.Map(t); h["storageId"] != tc.want || h["url"] != A+"/media_2/"+tc.want {
					t.Fatalf("answer %v, want %s", h, tc.want)
				}
			}
			selected(tc.want)
			if tc.want == "" {
				c.fails(http.MethodGet, A+"/media_2/type/holdmusic", nil, http.StatusNotFound, "EntityNotFound")
				return
			}
			for _, q := range []string{"", "?custom=true", "?custom=false"} {
				if h := holdMusic(q); h["storageId"] != tc.want || h["url"] != A+"/media_2/"+tc.want {
					t.Fatalf("GET holdmusic%s: %v, want %s", q, h, tc.want)
				}
			}
		})
	}
	c.fails(http.MethodGet, A+"/media/"+id1+"?mediaType=HoldMusic", nil, http.StatusNotFound, "EntityNotFound")
	c.fails(http.MethodDelete, A+"/media_2/"+id1, nil, http.StatusNotFound, "EntityNotFound")
	c.do(http.MethodPut, A+"/media_2/type/holdmusic/"+id2, nil, http.StatusOK)

	// the file and the selection are in the state: a snapshot brings them back
	c = stateBack(t, srv)
	if got := c.do(http.MethodGet, A+"/media_2/"+id2+"?mediaType=HoldMusic", nil, http.StatusOK); !bytes.Equal(got.Body, prompt) {
		t.Fatalf("after a state round trip: %d bytes", len(got.Body))
	}
	if h := holdMusic(""); h["storageId"] != id2 {
		t.Fatalf("selection after a state round trip: %v", h)
	}
	// the account takes its files with it
	c.do(http.MethodDelete, A, nil, http.StatusOK)
	for _, o := range srv.Store().Snapshot().Generic {
		if strings.Contains(o.Path, "/account/"+acct+"/") {
			t.Fatalf("a file outlives its account: %s", o.Path)
		}
	}
}
