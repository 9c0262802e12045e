package routes

import "net/http"

type adminStatus struct {
	Status string `json:"status"`
}

func (a *api) adminRoutes() map[string]Handler {
	health := func(*Request) (Response, error) { return OK(adminStatus{"ok"}), nil }
	ready := func(*Request) (Response, error) {
		if !a.deps.Ready() {
			return JSON(http.StatusServiceUnavailable, Envelope{
				Status: http.StatusServiceUnavailable, Messages: []string{"NotReady"},
			}), nil
		}
		return OK(adminStatus{"ready"}), nil
	}
	// HEAD answers as GET does, status and headers; net/http sends no body.
	return map[string]Handler{
		"adminHealth":     health,
		"adminHealthHead": health,
		"adminReady":      ready,
		"adminReadyHead":  ready,
		"adminCACert": func(r *Request) (Response, error) {
			var pem []byte
			if a.deps.QA.CAPEM != nil {
				pem = a.deps.QA.CAPEM()
			}
			if len(pem) == 0 {
				return Response{}, resourceNotFound(r.Request)
			}
			return Response{Status: http.StatusOK, Raw: pem, ContentType: "application/x-pem-file"}, nil
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
