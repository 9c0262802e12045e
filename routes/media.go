package routes

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/fakealianza/fakealianza/store"
)

// mediaRoutes serves stored audio: voicemail greetings uploaded and read
// back (hand-built boxes and business-line boxes), the audio of voicemail
// messages in either format, and an account's media files (media_2 and the
// deprecated media path) with its hold-music selection.
func (a *api) mediaRoutes() map[string]Handler {
	st := a.deps.Store
	ref := func(r *Request) store.MediaRef {
		return store.MediaRef{PartitionID: r.Vars["partitionId"], AccountID: r.Vars["accountId"],
			BoxID: r.Vars["voicemailBoxId"], GreetingType: r.Vars["greetingType"], Path: r.URL.Path, Template: r.Op.Path}
	}
	upload := func(put func(store.MediaRef, []byte) error) Handler {
		return func(r *Request) (Response, error) {
			file, err := uploadedFile(r)
			if err != nil {
				return Response{}, err
			}
			return emptyOr(http.StatusAccepted, put(ref(r), file))
		}
	}
	retrieve := func(get func(store.MediaRef) ([]byte, error)) Handler {
		return func(r *Request) (Response, error) {
			audio, err := get(ref(r))
			if err != nil {
				return Response{}, err
			}
			return Response{Status: http.StatusOK, Raw: audio, ContentType: "application/octet-stream"}, nil
		}
	}
	remove := func(del func(store.MediaRef) error) Handler {
		return func(r *Request) (Response, error) { return emptyOr(http.StatusOK, del(ref(r))) }
	}
	file := func(r *Request) (Response, error) {
		b, err := st.AccountMedia(r.Vars["partitionId"], r.Vars["accountId"], cmpOr(r.Vars["id"], r.Vars["mediaId"]))
		if err != nil {
			return Response{}, err
		}
		return Response{Status: http.StatusOK, Raw: b, ContentType: "application/octet-stream"}, nil
	}
	uploadMedia := func(r *Request) (store.MediaFile, error) {
		b, err := uploadedFile(r)
		if err != nil {
			return store.MediaFile{}, err
		}
		return st.UploadAccountMedia(r.Vars["partitionId"], r.Vars["accountId"], b)
	}
	setHoldMusic := func(r *Request) (store.HoldMusic, error) {
		return st.SetAccountHoldMusic(r.Vars["partitionId"], r.Vars["accountId"], r.Vars["id"])
	}
	return map[string]Handler{
		// account media: files kept byte for byte, read on either path
		"uploadAccountMedia": func(r *Request) (Response, error) { return okOr(uploadMedia(r)) },
		"add": func(r *Request) (Response, error) {
			m, err := uploadMedia(r)
			return okOr(m.ID, err)
		},
		"getMediaFile":       file,
		"deprecatedGetMedia": file,
		"deleteHoldMusic": func(r *Request) (Response, error) {
			return emptyOr(http.StatusOK, st.DeleteAccountMedia(r.Vars["partitionId"], r.Vars["accountId"], r.Vars["id"]))
		},
		// the account's hold-music selection
		"getAccountHoldMusic": func(r *Request) (Response, error) {
			custom, _ := strconv.ParseBool(r.URL.Query().Get("custom")) // the spec has checked it
			return okOr(st.AccountHoldMusic(r.Vars["partitionId"], r.Vars["accountId"], custom))
		},
		"updateAccountMusicOnHold": func(r *Request) (Response, error) { return okOr(setHoldMusic(r)) },
		"update_2": func(r *Request) (Response, error) {
			_, err := setHoldMusic(r)
			return emptyOr(http.StatusOK, err)
		},
		"deleteAccountMusicOnHold": func(r *Request) (Response, error) {
			return emptyOr(http.StatusOK, st.ClearAccountHoldMusic(r.Vars["partitionId"], r.Vars["accountId"]))
		},
		"uploadGreeting": upload(func(m store.MediaRef, b []byte) error {
			_, err := st.UploadGreeting(m, b)
			return err
		}),
		"retrieveGreeting":             retrieve(st.Greeting),
		"deleteGreeting":               remove(st.DeleteGreeting),
		"uploadBusinessLineGreeting":   upload(st.UploadBusinessLineGreeting),
		"retrieveBusinessLineGreeting": retrieve(st.BusinessLineGreeting),
		"deleteBusinessLineGreeting":   remove(st.DeleteBusinessLineGreeting),
		"getVoicemailUrl": func(r *Request) (Response, error) {
			format, ct := "wav", "audio/wave"
			if r.URL.Query().Get("mediatype") == "mp3" {
				format, ct = "mp3", "audio/mpeg"
			}
			audio, err := st.VoicemailAudio(r.Vars["partitionId"], r.Vars["accountId"], r.Vars["voicemailBoxId"], r.Vars["messageId"], format)
			if err != nil {
				return Response{}, err
			}
			return Response{Status: http.StatusOK, Raw: audio, ContentType: ct}, nil
		},
		"retrieveBusinessLineVoicemailMessageMedia": func(r *Request) (Response, error) {
			msgPath := strings.TrimSuffix(r.URL.Path, "/media")
			boxPath := msgPath[:strings.LastIndex(msgPath, "/message/")]
			audio, err := st.BusinessLineMessageAudio(r.Vars["partitionId"], r.Vars["accountId"], boxPath, msgPath)
			if err != nil {
				return Response{}, err
			}
			return Response{Status: http.StatusOK, Raw: audio, ContentType: "audio/wave"}, nil
		},
	}
}
