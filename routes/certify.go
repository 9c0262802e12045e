package routes

import (
	"bytes"
	"errors"
	"net/http"

	"github.com/fakealianza/fakealianza/certify"
	"github.com/fakealianza/fakealianza/store"
)

// certifyRoutes serve the certification rehearsal: start, stop, the report
// and the exports of the recorded exchanges.
func (a *api) certifyRoutes() map[string]Handler {
	q := &a.deps.QA
	return map[string]Handler{
		"adminStartCertification": func(r *Request) (Response, error) {
			var cfg certify.Config
			if err := decodeStrict(r.Body, &cfg, "InvalidCertificationRequest"); err != nil {
				return Response{}, err
			}
			st, err := q.Certify.Start(cfg)
			if err != nil {
				return Response{}, certifyError(err)
			}
			return JSON(http.StatusCreated, st), nil
		},
		"adminStopCertification": func(*Request) (Response, error) {
			if _, err := q.Certify.Stop(); err != nil {
				return Response{}, certifyError(err)
			}
			rep, err := q.Certify.Report()
			if err != nil {
				return Response{}, certifyError(err)
			}
			return OK(rep), nil
		},
		"adminCertificationReport": func(r *Request) (Response, error) {
			rep, err := q.Certify.Report()
			if err != nil {
				return Response{}, certifyError(err)
			}
			if r.URL.Query().Get("format") != "markdown" {
				return OK(rep), nil
			}
			var b bytes.Buffer
			if err := rep.Markdown(&b); err != nil {
				return Response{}, err
			}
			return Response{Status: http.StatusOK, Raw: b.Bytes(), ContentType: "text/markdown; charset=utf-8"}, nil
		},
		"adminCertificationHar": func(r *Request) (Response, error) {
			uc, err := useCaseParam(r)
			if err != nil {
				return Response{}, err
			}
			h, err := q.Certify.HAR(uc, q.BaseURL(), q.Version)
			if err != nil {
				return Response{}, certifyError(err)
			}
			return OK(h), nil
		},
		"adminCertificationTranscript": func(r *Request) (Response, error) {
			uc, err := useCaseParam(r)
			if err != nil {
				return Response{}, err
			}
			var b bytes.Buffer
			if err := q.Certify.Transcript(&b, uc, certify.Host(q.BaseURL())); err != nil {
				return Response{}, certifyError(err)
			}
			return Response{Status: http.StatusOK, Raw: b.Bytes(), ContentType: "text/plain; charset=utf-8"}, nil
		},
	}
}

func useCaseParam(r *Request) (string, error) {
	uc := r.URL.Query().Get("useCase")
	if uc != "" && !certify.UseCaseKnown(uc) {
		return "", store.InvalidWith("InvalidValueForField:useCase", store.Detail{"useCase": uc})
	}
	return uc, nil
}

// certifyError translates the session's errors into Alianza's envelope.
func certifyError(err error) error {
	var fe *certify.FieldError
	switch {
	case errors.As(err, &fe):
		return store.InvalidWith("InvalidValueForField:"+fe.Field, store.Detail{"error": fe.Detail})
	case errors.Is(err, certify.ErrRunning):
		return store.Errorf(http.StatusConflict, "CertificationRunning")
	case errors.Is(err, certify.ErrNotRunning):
		return store.Errorf(http.StatusConflict, "CertificationNotRunning")
	case errors.Is(err, certify.ErrNoSession):
		return store.NotFound("CertificationSession", "current")
	}
	return err
}
