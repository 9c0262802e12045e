package routes

import (
	"encoding/json"
	"net/http"

	"github.com/fakealianza/fakealianza/authfake"
)

// login is the Login body of the authorize calls.
type login struct {
	Username       string `json:"username"`
	Password       string `json:"password"`
	ChangePassword string `json:"changePassword"`
}

func (a *api) authRoutes() map[string]Handler {
	return map[string]Handler{
		"logUserIn": func(r *Request) (Response, error) {
			var in login
			if err := decode(r, &in); err != nil {
				return Response{}, err
			}
			tok, err := a.deps.Auth.Login(in.Username, in.Password)
			if err != nil {
				return Response{}, err
			}
			return JSON(http.StatusCreated, tok), nil
		},
		"changePassword": func(r *Request) (Response, error) {
			var in login
			if err := decode(r, &in); err != nil {
				return Response{}, err
			}
			tok, err := a.deps.Auth.ChangePassword(in.Username, in.Password, in.ChangePassword)
			if err != nil {
				return Response{}, err
			}
			return OK(tok), nil
		},
		"logOut": func(r *Request) (Response, error) {
			a.deps.Auth.Logout(r.Principal.Token)
			return NoContent(http.StatusOK), nil
		},
		"getLoginInfo": func(r *Request) (Response, error) {
			tok, err := a.deps.Auth.UserInfo(r.Principal)
			if err != nil {
				return Response{}, err
			}
			return OK(tok), nil
		},
		"getPermissions": func(r *Request) (Response, error) {
			// Only management users exist in the emulator; other user types
			// have no management permissions to list.
			if ut := r.URL.Query().Get("usertype"); ut != "" && ut != "ManagementUser" {
				return OK([]authfake.TypeDefault{}), nil
			}
			return OK(authfake.TypeDefaults(a.methodOf)), nil
		},
	}
}

func (a *api) methodOf(operationID string) string {
	if op, ok := a.deps.Spec.Operation(operationID); ok {
		return op.Method
	}
	return ""
}

// decode reads the (already spec-validated) JSON body into v.
func decode(r *Request, v any) error {
	if err := json.Unmarshal(r.Body, v); err != nil {
		return errInvalidBody
	}
	return nil
}
