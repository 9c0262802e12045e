package routes

import (
	"encoding/json"
	"strconv"

	"github.com/fakealianza/fakealianza/store"
)

// managementUserX is the API's view of a management user (ManagementUserX):
// never the password.
type managementUserX struct {
	ID                 string   `json:"id"`
	Username           string   `json:"username"`
	FirstName          string   `json:"firstName,omitempty"`
	LastName           string   `json:"lastName,omitempty"`
	EmailAddress       string   `json:"emailAddress,omitempty"`
	MustChangePassword bool     `json:"mustChangePassword"`
	LanguageTag        string   `json:"languageTag,omitempty"`
	PartitionID        string   `json:"partitionId"`
	Roles              []string `json:"roles"`
	GroupIDs           []string `json:"groupIds"`
}

func managementUserView(u store.ManagementUser) managementUserX {
	v := managementUserX{
		ID: u.ID, Username: u.Username, FirstName: u.FirstName, LastName: u.LastName,
		EmailAddress: u.EmailAddress, MustChangePassword: u.MustChangePassword, LanguageTag: u.LanguageTag,
		PartitionID: u.PartitionID, Roles: u.Roles, GroupIDs: u.GroupIDs,
	}
	if v.Roles == nil {
		v.Roles = []string{}
	}
	if v.GroupIDs == nil {
		v.GroupIDs = []string{}
	}
	return v
}

// managementUserPage is ManagementUserSearchResponseX.
type managementUserPage struct {
	TotalRecords int64             `json:"totalRecords"`
	Results      []managementUserX `json:"results"`
}

// managementUserIn is a request body: ManagementUserX plus the password a
// client may set on create.
type managementUserIn struct {
	Username           string   `json:"username"`
	Password           string   `json:"password"`
	FirstName          string   `json:"firstName"`
	LastName           string   `json:"lastName"`
	EmailAddress       string   `json:"emailAddress"`
	MustChangePassword bool     `json:"mustChangePassword"`
	LanguageTag        string   `json:"languageTag"`
	Roles              []string `json:"roles"`
	GroupIDs           []string `json:"groupIds"`
}

func (in managementUserIn) user() store.ManagementUser {
	return store.ManagementUser{
		Username: in.Username, Password: in.Password, FirstName: in.FirstName, LastName: in.LastName,
		EmailAddress: in.EmailAddress, MustChangePassword: in.MustChangePassword, LanguageTag: in.LanguageTag,
		Roles: in.Roles, GroupIDs: in.GroupIDs,
	}
}

// managementUserRoutes makes management users real (no longer generic): a
// user created here logs in with POST /v2/authorize, its permissions come
// from its security groups, and deleting it ends its tokens.
func (a *api) managementUserRoutes() map[string]Handler {
	st := a.deps.Store
	write := func(r *Request, merge bool) (Response, error) {
		var in managementUserIn
		if err := decode(r, &in); err != nil {
			return Response{}, err
		}
		var fields map[string]bool
		if merge {
			var raw map[string]json.RawMessage
			if err := json.Unmarshal(r.Body, &raw); err != nil {
				return Response{}, errInvalidBody
			}
			fields = map[string]bool{}
			for k, v := range raw {
				if string(v) != "null" {
					fields[k] = true
				}
			}
		}
		u, err := st.UpdateManagementUser(r.Vars["partitionId"], r.Vars["id"], in.user(), fields)
		if err != nil {
			return Response{}, err
		}
		return OK(managementUserView(u)), nil
	}
	return map[string]Handler{
		"listManagementUsers": func(r *Request) (Response, error) {
			us, err := st.ManagementUsers(r.Vars["partitionId"])
			if err != nil {
				return Response{}, err
			}
			out := make([]managementUserX, 0, len(us))
			for _, u := range us {
				out = append(out, managementUserView(u))
			}
			return OK(out), nil
		},
		"createManagementUser": func(r *Request) (Response, error) {
			var in managementUserIn
			if err := decode(r, &in); err != nil {
				return Response{}, err
			}
			u, err := st.CreateManagementUser(r.Vars["partitionId"], in.user())
			if err != nil {
				return Response{}, err
			}
			return OK(managementUserView(u)), nil
		},
		"searchManagementUsers": func(r *Request) (Response, error) {
			q := r.URL.Query()
			first, _ := strconv.Atoi(q.Get("firstResultIndex"))
			limit, err := strconv.Atoi(q.Get("maxResult"))
			if err != nil || limit <= 0 {
				limit = 20
			}
			total, us, err := st.SearchManagementUsers(r.Vars["partitionId"], q.Get("searchString"), q.Get("sortColumn"),
				q.Get("descending") == "true", first, limit)
			if err != nil {
				return Response{}, err
			}
			page := make([]managementUserX, 0, len(us))
			for _, u := range us {
				page = append(page, managementUserView(u))
			}
			return OK(managementUserPage{TotalRecords: int64(total), Results: page}), nil
		},
		"getManagementUser": func(r *Request) (Response, error) {
			u, err := st.ManagementUserIn(r.Vars["partitionId"], r.Vars["id"])
			if err != nil {
				return Response{}, err
			}
			return OK(managementUserView(u)), nil
		},
		"updateManagementUser": func(r *Request) (Response, error) { return write(r, false) },
		"patchManagementUser":  func(r *Request) (Response, error) { return write(r, true) },
		"deleteManagementUser": func(r *Request) (Response, error) {
			if err := st.DeleteManagementUser(r.Vars["partitionId"], r.Vars["id"]); err != nil {
				return Response{}, err
			}
			return OK(r.Vars["id"]), nil
		},
	}
}
