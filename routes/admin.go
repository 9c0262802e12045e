package routes

import "net/http"

type adminStatus struct {
	Status string `json:"status"`
}

func (a *api) adminRoutes() map[string]Handler {
	return map[string]Handler{
		"adminHealth": func(*Request) (Response, error) { return OK(adminStatus{"ok"}), nil },
		"adminReady": func(*Request) (Response, error) {
			if !a.deps.Ready() {
				return JSON(http.StatusServiceUnavailable, Envelope{
					Status: http.StatusServiceUnavailable, Messages: []string{"NotReady"},
				}), nil
			}
			return OK(adminStatus{"ready"}), nil
		},
		"adminOpenAPI": func(*Request) (Response, error) {
			raw, err := a.deps.Spec.Raw()
			if err != nil {
				return Response{}, err
			}
			return Response{Status: http.StatusOK, Raw: raw, ContentType: "application/yaml"}, nil
		},
	}
}
