package routes

import (
	"net/http"
	"strconv"

	"github.com/fakealianza/fakealianza/store"
)

// maxSearchHits bounds one account search answer.
const maxSearchHits = 100

// actor is the caller as account history records it.
func actor(r *Request) store.Actor {
	if r.Principal == nil {
		return store.Actor{}
	}
	u := r.Principal.User
	return store.Actor{UserName: u.Username, UserID: u.ID, UserType: "ManagementUser"}
}

// patchBody reads a PATCH body: a partial JSON object.
func patchBody(r *Request) (map[string]any, error) {
	var m map[string]any
	if err := decode(r, &m); err != nil || m == nil {
		return nil, errInvalidBody
	}
	return m, nil
}

// queryInt reads an integer query parameter (the spec has checked its form).
func queryInt(r *Request, name string) int {
	n, _ := strconv.Atoi(r.URL.Query().Get(name))
	return n
}

func historyQuery(r *Request) store.HistoryQuery {
	q := r.URL.Query()
	return store.HistoryQuery{
		StartDate: q.Get("startDate"), EndDate: q.Get("endDate"), Types: q["accountHistoryType"],
		FirstResultIndex: queryInt(r, "firstResultIndex"), MaxResult: queryInt(r, "maxResult"),
	}
}

func (a *api) accountRoutes() map[string]Handler {
	st := a.deps.Store
	return map[string]Handler{
		"getAccounts": func(r *Request) (Response, error) {
			list, err := st.Accounts(r.Vars["partitionId"])
			return okOr(list, err)
		},
		"createAccount": func(r *Request) (Response, error) {
			var in store.Account
			if err := decode(r, &in); err != nil {
				return Response{}, err
			}
			acct, err := st.CreateAccount(r.Vars["partitionId"], in, actor(r))
			return okOr(acct, err)
		},
		"activation": func(r *Request) (Response, error) {
			var in store.ActivationBundle
			if err := decode(r, &in); err != nil {
				return Response{}, err
			}
			return okOr(st.ActivateAccount(r.Vars["partitionId"], in, actor(r)))
		},
		"activation_1": func(r *Request) (Response, error) {
			var in store.ActivationBundle
			if err := decode(r, &in); err != nil {
				return Response{}, err
			}
			return okOr(st.ActivateEndUser(r.Vars["partitionId"], r.Vars["accountId"], in, actor(r)))
		},
		"accountSearch": func(r *Request) (Response, error) {
			hits, err := st.SearchAccounts(r.Vars["partitionId"], r.URL.Query().Get("q"), maxSearchHits)
			return okOr(hits, err)
		},
		"validateAccountProperties": func(r *Request) (Response, error) {
			q := r.URL.Query()
			free, err := st.PropertiesAvailable(r.Vars["partitionId"], store.PropertyCheck{
				AccountNumber: q.Get("accountnumber"), MacAddress: q.Get("macaddress"),
				SipUsername: q.Get("sipusername"), Username: q.Get("username"),
			})
			return okOr(free, err)
		},
		"accountHistoryByAccountNumberSearch": func(r *Request) (Response, error) {
			page, err := st.AccountHistorySearchByNumber(r.Vars["partitionId"], r.URL.Query().Get("accountNumber"), historyQuery(r))
			return okOr(page, err)
		},
		"accountHistoryByAccountIdSearch": func(r *Request) (Response, error) {
			page, err := st.AccountHistorySearch(r.Vars["partitionId"], r.Vars["accountId"], historyQuery(r))
			return okOr(page, err)
		},
		"retrieveAccount": func(r *Request) (Response, error) {
			acct, err := st.AccountByIDType(r.Vars["partitionId"], r.Vars["accountId"], r.URL.Query().Get("accountIdType"))
			return okOr(acct, err)
		},
		"updateAccount": func(r *Request) (Response, error) {
			var in store.Account
			if err := decode(r, &in); err != nil {
				return Response{}, err
			}
			acct, err := st.UpdateAccount(r.Vars["partitionId"], r.Vars["accountId"], in, actor(r))
			return okOr(acct, err)
		},
		"accountPatch": func(r *Request) (Response, error) {
			m, err := patchBody(r)
			if err != nil {
				return Response{}, err
			}
			acct, err := st.PatchAccount(r.Vars["partitionId"], r.Vars["accountId"], m, actor(r))
			return okOr(acct, err)
		},
		"deleteAccount": func(r *Request) (Response, error) {
			return emptyOr(http.StatusOK, st.DeleteAccount(r.Vars["partitionId"], r.Vars["accountId"], actor(r)))
		},
		"sendWelcomeEmailToAll": func(r *Request) (Response, error) {
			return emptyOr(http.StatusOK, st.SendWelcomeEmails(r.Vars["partitionId"], r.Vars["accountId"], actor(r)))
		},
	}
}

// okOr answers 200 with v, or the error.
func okOr(v any, err error) (Response, error) {
	if err != nil {
		return Response{}, err
	}
	return OK(v), nil
}

// emptyOr answers status with no body, or the error.
func emptyOr(status int, err error) (Response, error) {
	if err != nil {
		return Response{}, err
	}
	return NoContent(status), nil
}
