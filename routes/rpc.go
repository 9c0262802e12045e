package routes

import (
	"bytes"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strings"

	"github.com/fakealianza/fakealianza/store"
)

// rpcRoutes serves the action operations of hand-built objects: swaps,
// status changes and imports in bulk, the job input upload, business-line
// voicemail message actions, and the validators whose verdict follows from
// the state.
func (a *api) rpcRoutes() map[string]Handler {
	st := a.deps.Store
	swapPlan := func(r *Request, refType, refID string) (Response, error) {
		var in store.CallingPlanSwap
		if len(r.Body) > 0 {
			if err := decode(r, &in); err != nil {
				return Response{}, err
			}
		}
		plans, err := st.SwapCallingPlan(r.Vars["partitionId"], r.Vars["accountId"], refType, refID, in, actor(r))
		return okOr(plans, err)
	}
	return map[string]Handler{
		"bulkStatusChange": func(r *Request) (Response, error) {
			file, err := uploadedFile(r)
			if err != nil {
				return Response{}, err
			}
			return okOr(st.BulkStatusChange(r.Vars["partitionId"], file, actor(r)))
		},
		"bulkStatusChange_2": func(r *Request) (Response, error) {
			key, err := uploadKey(r)
			if err != nil {
				return Response{}, err
			}
			// 202 with the Job, as every *_2 job start (ALIANZA.md 3.1)
			return acceptedOr(st.StartBulkStatusChange(r.Vars["partitionId"], r.Principal.User.ID, key, actor(r)))
		},
		"bulkInsert": func(r *Request) (Response, error) {
			file, err := uploadedFile(r)
			if err != nil {
				return Response{}, err
			}
			return okOr(st.ImportNumbers(r.Vars["partitionId"], file))
		},
		"bulkTelephoneNumberImport": func(r *Request) (Response, error) {
			key, err := uploadKey(r)
			if err != nil {
				return Response{}, err
			}
			return acceptedOr(st.StartNumberImport(r.Vars["partitionId"], r.Principal.User.ID, key))
		},
		"getBulkStatusChangeDefinition": func(*Request) (Response, error) {
			return Response{Status: http.StatusOK, Raw: []byte(store.BulkStatusDefinition()), ContentType: "text/csv"}, nil
		},
		"getJobInputUrl": func(r *Request) (Response, error) {
			key := st.NewJobInputKey()
			return OK(jobUpload{URL: baseURL(r) + "/__admin/job-input/" + key, Key: key}), nil
		},
		"adminPutJobInput": func(r *Request) (Response, error) {
			return emptyOr(http.StatusNoContent, st.PutJobInput(r.Vars["key"], r.Body))
		},
		"getJobInput": func(r *Request) (Response, error) {
			file, err := st.JobInput(r.Vars["jobId"], r.Principal.Partitions)
			if err != nil {
				return Response{}, err
			}
			return Response{Status: http.StatusOK, Raw: file, ContentType: "application/octet-stream"}, nil
		},
		// validators whose verdict follows from the state
		"prevalidateCymbusGroupName": func(r *Request) (Response, error) {
			return emptyOr(http.StatusOK, st.CymbusGroupNameFree(r.URL.Query().Get("groupName")))
		},
		"prevalidate": func(r *Request) (Response, error) {
			return emptyOr(http.StatusOK, st.ProductPrevalidate(r.Vars["partitionId"], r.Vars["accountId"]))
		},
		"checkBusinessLineVoicemailBoxPinStatus": func(r *Request) (Response, error) {
			box := strings.TrimSuffix(r.URL.Path, "/rpc/check-pin-status")
			return okOr(st.BusinessLinePinStatus(r.Vars["partitionId"], r.Vars["accountId"], box))
		},
		"resetBusinessLineVoicemailBoxPinStatus": func(r *Request) (Response, error) {
			box := strings.TrimSuffix(r.URL.Path, "/rpc/reset-pin")
			return emptyOr(http.StatusOK, st.ResetBusinessLinePin(r.Vars["partitionId"], r.Vars["accountId"], box))
		},
		"swapBusinessLinePortAssignment": func(r *Request) (Response, error) {
			var in store.DeviceSwap
			if len(r.Body) > 0 {
				if err := decode(r, &in); err != nil {
					return Response{}, err
				}
			}
			return okOr(st.SwapBusinessLinePortAssignment(r.Vars["partitionId"], r.Vars["accountId"], r.Vars["businessLineId"], in))
		},
		"bulkVoicemailMessageUpdate": func(r *Request) (Response, error) {
			var in struct {
				ActionType string   `json:"actionType"`
				MessageIDs []string `json:"messageIds"`
			}
			if err := decode(r, &in); err != nil {
				return Response{}, err
			}
			box := strings.TrimSuffix(r.URL.Path, "/message/bulk-update")
			return emptyOr(http.StatusOK, st.BusinessLineMessagesAction(r.Vars["partitionId"], r.Vars["accountId"], box, in.ActionType, in.MessageIDs))
		},
		"updateBusinessLineVoicemailMessageRead": func(r *Request) (Response, error) {
			var in struct {
				MarkAsRead *bool `json:"markAsRead"`
			}
			if err := decode(r, &in); err != nil {
				return Response{}, err
			}
			if in.MarkAsRead == nil {
				return Response{}, store.Invalid("MarkAsReadRequired")
			}
			msg := strings.TrimSuffix(r.URL.Path, "/set-read-status")
			box := msg[:strings.LastIndex(msg, "/message/")]
			return emptyOr(http.StatusOK, st.SetBusinessLineMessageRead(r.Vars["partitionId"], r.Vars["accountId"], box, r.Vars["messageId"], *in.MarkAsRead))
		},
		"swapCallingPlan": func(r *Request) (Response, error) { return swapPlan(r, "ACCOUNT", "") },
		"swapCallingPlan_2": func(r *Request) (Response, error) {
			return swapPlan(r, "END_USER", r.Vars["userId"])
		},
	}
}

// jobUpload is JobUpload: where to PUT a job's input, and its key.
type jobUpload struct {
	URL string `json:"url"`
	Key string `json:"key"`
}

// baseURL is the scheme and host the request came to.
func baseURL(r *Request) string {
	if r.TLS != nil {
		return "https://" + r.Host
	}
	return "http://" + r.Host
}

// uploadedFile reads the file of a multipart/form-data body: the part
// named file, else the first part that carries a file name, else the first
// part. A body with no part is 400 FileRequired.
func uploadedFile(r *Request) ([]byte, error) {
	f, err := uploadedPart(r)
	return f.data, err
}

// filePart is an uploaded file: its bytes, the name and media type its part
// gave.
type filePart struct {
	data              []byte
	name, contentType string
}

// uploadedPart is uploadedFile with the part's file name and media type.
func uploadedPart(r *Request) (filePart, error) {
	_, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || params["boundary"] == "" {
		return filePart{}, errInvalidBody
	}
	mr := multipart.NewReader(bytes.NewReader(r.Body), params["boundary"])
	var first, named *filePart
	for {
		p, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return filePart{}, errInvalidBody
		}
		b, err := io.ReadAll(p)
		if err != nil {
			return filePart{}, errInvalidBody
		}
		f := &filePart{data: b, name: p.FileName(), contentType: p.Header.Get("Content-Type")}
		switch {
		case p.FormName() == "file":
			return *f, nil
		case named == nil && f.name != "":
			named = f
		case first == nil:
			first = f
		}
	}
	switch {
	case named != nil:
		return *named, nil
	case first != nil:
		return *first, nil
	}
	return filePart{}, store.Invalid("FileRequired")
}

// uploadKey reads a JobUploadKey body (optional: no body, no key).
func uploadKey(r *Request) (string, error) {
	var in struct {
		Key string `json:"key"`
	}
	if len(r.Body) > 0 {
		if err := decode(r, &in); err != nil {
			return "", err
		}
	}
	return in.Key, nil
}
