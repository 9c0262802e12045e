package routes

import (
	"net/http"
	"strconv"

	"github.com/fakealianza/fakealianza/store"
)

// voicemailRoutes serves voicemail boxes and their messages, the end
// user's voicemail list, and the admin calls that stage messages.
func (a *api) voicemailRoutes() map[string]Handler {
	st := a.deps.Store
	ids := func(r *Request) (string, string, string) {
		return r.Vars["partitionId"], r.Vars["accountId"], r.Vars["voicemailBoxId"]
	}
	msg := func(r *Request) (string, string, string, string) {
		return r.Vars["partitionId"], r.Vars["accountId"], r.Vars["voicemailBoxId"], r.Vars["messageId"]
	}
	return map[string]Handler{
		"retrieveVoicemailBoxList": func(r *Request) (Response, error) {
			p, acc, _ := ids(r)
			return okOr(st.VoicemailBoxes(p, acc, r.URL.Query().Get("parentId")))
		},
		"createVoicemailBox": func(r *Request) (Response, error) {
			var in store.VoicemailBox
			if err := decode(r, &in); err != nil {
				return Response{}, err
			}
			p, acc, _ := ids(r)
			return okOr(st.CreateVoicemailBox(p, acc, in, actor(r)))
		},
		"retrieveVoicemailBox": func(r *Request) (Response, error) {
			return okOr(st.VoicemailBox(ids(r)))
		},
		"updateVoicemailBox": func(r *Request) (Response, error) {
			var in store.VoicemailBox
			if err := decode(r, &in); err != nil {
				return Response{}, err
			}
			p, acc, id := ids(r)
			return okOr(st.UpdateVoicemailBox(p, acc, id, in, actor(r)))
		},
		"patchVoicemailBox": func(r *Request) (Response, error) {
			in, err := patchBody(r)
			if err != nil {
				return Response{}, err
			}
			p, acc, id := ids(r)
			return okOr(st.PatchVoicemailBox(p, acc, id, in, actor(r)))
		},
		"deleteVoicemailBox": func(r *Request) (Response, error) {
			p, acc, id := ids(r)
			return emptyOr(http.StatusNoContent, st.DeleteVoicemailBox(p, acc, id, actor(r)))
		},
		"setPin": func(r *Request) (Response, error) {
			var in struct {
				Pin string `json:"pin"`
			}
			if len(r.Body) > 0 {
				if err := decode(r, &in); err != nil {
					return Response{}, err
				}
			}
			p, acc, id := ids(r)
			if err := st.SetVoicemailPin(p, acc, id, in.Pin, actor(r)); err != nil {
				return Response{}, err
			}
			return NoContent(http.StatusOK), nil
		},
		"unlockVoicemailBox": func(r *Request) (Response, error) {
			p, acc, id := ids(r)
			reset, _ := strconv.ParseBool(r.URL.Query().Get("resetPin"))
			return okOr(st.UnlockVoicemailBox(p, acc, id, reset, actor(r)))
		},
		"list_1": func(r *Request) (Response, error) {
			return okOr(st.VoicemailMessages(ids(r)))
		},
		"deleteMultiple": func(r *Request) (Response, error) {
			var in []string
			if len(r.Body) > 0 {
				if err := decode(r, &in); err != nil {
					return Response{}, err
				}
			}
			p, acc, id := ids(r)
			if err := st.DeleteVoicemailMessages(p, acc, id, in); err != nil {
				return Response{}, err
			}
			return NoContent(http.StatusOK), nil
		},
		"getVoicemailMessage": func(r *Request) (Response, error) {
			return okOr(st.VoicemailMessage(msg(r)))
		},
		"update_4": func(r *Request) (Response, error) {
			var in store.VoicemailMessage
			if err := decode(r, &in); err != nil {
				return Response{}, err
			}
			p, acc, box, id := msg(r)
			return okOr(st.UpdateVoicemailMessage(p, acc, box, id, in))
		},
		"delete_4": func(r *Request) (Response, error) {
			p, acc, box, id := msg(r)
			if err := st.DeleteVoicemailMessages(p, acc, box, []string{id}); err != nil {
				return Response{}, err
			}
			return OK(id), nil
		},
		"getMessageContent": func(r *Request) (Response, error) {
			wav, err := st.VoicemailContent(msg(r))
			if err != nil {
				return Response{}, err
			}
			return Response{Status: http.StatusOK, Raw: wav, ContentType: "audio/wave"}, nil
		},
		"getVoicemailData": func(r *Request) (Response, error) {
			return okOr(st.UserVoicemail(r.Vars["partitionId"], r.Vars["accountId"], r.Vars["userId"]))
		},
		"adminStageVoicemailMessage": func(r *Request) (Response, error) {
			var in store.StagedMessage
			if err := decode(r, &in); err != nil {
				return Response{}, err
			}
			m, err := st.StageVoicemailMessage(r.Vars["voicemailBoxId"], in)
			if err != nil {
				return Response{}, err
			}
			return JSON(http.StatusCreated, m), nil
		},
		"adminLockVoicemailBox": func(r *Request) (Response, error) {
			return okOr(st.LockVoicemailBox(r.Vars["voicemailBoxId"]))
		},
	}
}
