package routes

import (
	"net/http"

	"github.com/fakealianza/fakealianza/store"
)

func (a *api) endUserRoutes() map[string]Handler {
	st := a.deps.Store
	// user names the end user of the path: partition, account, userId, idType.
	user := func(r *Request) (string, string, string, string) {
		return r.Vars["partitionId"], r.Vars["accountId"], r.Vars["userId"], r.URL.Query().Get("idType")
	}
	return map[string]Handler{
		"retrieveEndUserList": func(r *Request) (Response, error) {
			list, err := st.EndUsers(r.Vars["partitionId"], r.Vars["accountId"])
			return okOr(list, err)
		},
		"createEndUser": func(r *Request) (Response, error) {
			var in store.EndUser
			if err := decode(r, &in); err != nil {
				return Response{}, err
			}
			u, err := st.CreateEndUser(r.Vars["partitionId"], r.Vars["accountId"], in, actor(r))
			return okOr(u, err)
		},
		"prevalidateEmailAddress": func(r *Request) (Response, error) {
			err := st.EmailAvailable(r.Vars["partitionId"], r.Vars["accountId"], r.Vars["email"], r.URL.Query().Get("userId"))
			return emptyOr(http.StatusOK, err)
		},
		"retrieveEndUser": func(r *Request) (Response, error) {
			p, acct, id, idType := user(r)
			u, err := st.EndUser(p, acct, id, idType)
			return okOr(u, err)
		},
		"updateEndUser": func(r *Request) (Response, error) {
			var in store.EndUser
			if err := decode(r, &in); err != nil {
				return Response{}, err
			}
			p, acct, id, idType := user(r)
			u, err := st.UpdateEndUser(p, acct, id, idType, in, actor(r))
			return okOr(u, err)
		},
		"patchEndUser": func(r *Request) (Response, error) {
			m, err := patchBody(r)
			if err != nil {
				return Response{}, err
			}
			p, acct, id, idType := user(r)
			u, err := st.PatchEndUser(p, acct, id, idType, m, actor(r))
			return okOr(u, err)
		},
		"deleteEndUser": func(r *Request) (Response, error) {
			p, acct, id, idType := user(r)
			return emptyOr(http.StatusNoContent, st.DeleteEndUser(p, acct, id, idType, actor(r)))
		},
		"resetEndUserPassword": func(r *Request) (Response, error) {
			p, acct, id, idType := user(r)
			u, err := st.ResetEndUserPassword(p, acct, id, idType, actor(r))
			return okOr(u, err)
		},
		"unlockVm": func(r *Request) (Response, error) {
			p, acct, id, idType := user(r)
			u, err := st.UnlockEndUserVoicemail(p, acct, id, idType, actor(r))
			return okOr(u, err)
		},
		"sendWelcomeEmail": func(r *Request) (Response, error) {
			p, acct, id, idType := user(r)
			_, err := st.SendEndUserWelcomeEmail(p, acct, id, idType, actor(r))
			return emptyOr(http.StatusNoContent, err)
		},
		"getAccountUserList": func(r *Request) (Response, error) {
			list, err := st.AccountUsers(r.Vars["partitionId"], r.Vars["accountId"])
			return okOr(list, err)
		},
		"createAccountUser": func(r *Request) (Response, error) {
			var in store.AccountUser
			if err := decode(r, &in); err != nil {
				return Response{}, err
			}
			u, err := st.CreateAccountUser(r.Vars["partitionId"], r.Vars["accountId"], in, actor(r))
			return okOr(u, err)
		},
		"getAccountUser": func(r *Request) (Response, error) {
			p, acct, id, idType := user(r)
			u, err := st.AccountUser(p, acct, id, idType)
			return okOr(u, err)
		},
		"updateAccountUser": func(r *Request) (Response, error) {
			var in store.AccountUser
			if err := decode(r, &in); err != nil {
				return Response{}, err
			}
			p, acct, id, idType := user(r)
			u, err := st.UpdateAccountUser(p, acct, id, idType, in, actor(r))
			return okOr(u, err)
		},
		"patchAccountUser": func(r *Request) (Response, error) {
			m, err := patchBody(r)
			if err != nil {
				return Response{}, err
			}
			p, acct, id, idType := user(r)
			u, err := st.PatchAccountUser(p, acct, id, idType, m, actor(r))
			return okOr(u, err)
		},
		"deleteAccountUser": func(r *Request) (Response, error) {
			p, acct, id, idType := user(r)
			if err := st.DeleteAccountUser(p, acct, id, idType, actor(r)); err != nil {
				return Response{}, err
			}
			return OK("deleted"), nil
		},
		"resetAccountUserPassword": func(r *Request) (Response, error) {
			p, acct, id, idType := user(r)
			u, err := st.ResetAccountUserPassword(p, acct, id, idType, actor(r))
			return okOr(u, err)
		},
	}
}
