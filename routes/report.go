package routes

import (
	"net/http"

	"github.com/fakealianza/fakealianza/store"
)

// reportRoutes serves partition settings, reference lists, report counts,
// the CSV report jobs and the job endpoints.
func (a *api) reportRoutes() map[string]Handler {
	st := a.deps.Store
	out := map[string]Handler{
		"getAllSettings": func(r *Request) (Response, error) {
			return okOr(st.PartitionSettings(r.Vars["partitionId"]))
		},
		"getTimeZones": func(*Request) (Response, error) {
			return OK(map[string][]string{"timezones": store.TimeZones}), nil
		},
		"getLanguages": func(*Request) (Response, error) { return OK(store.Languages()), nil },
		"getJobById": func(r *Request) (Response, error) {
			return okOr(st.Job(r.Vars["jobId"], r.Principal.Partitions))
		},
		"getJobOutput": func(r *Request) (Response, error) {
			csv, err := st.JobOutput(r.Vars["jobId"], r.Principal.Partitions)
			if err != nil {
				return Response{}, err
			}
			return Response{Status: http.StatusOK, Raw: []byte(csv), ContentType: "text/csv"}, nil
		},
		"getOutputUrl": func(r *Request) (Response, error) {
			id := r.Vars["jobId"]
			if _, err := st.JobOutput(id, r.Principal.Partitions); err != nil {
				return Response{}, err
			}
			return OK(jobOutputURL{URL: baseURL(r) + "/v2/job/" + id + "/output"}), nil
		},
		"adminFailJob": func(r *Request) (Response, error) {
			var in struct {
				Error string `json:"error"`
			}
			if len(r.Body) > 0 {
				if err := decode(r, &in); err != nil {
					return Response{}, err
				}
			}
			return okOr(st.FailJob(r.Vars["jobId"], in.Error))
		},
	}
	for op, kind := range map[string]string{
		"telephoneNumberSummaryReport": store.ReportTN, "userSummaryReport": store.ReportUser,
		"sipSummaryReport": store.ReportSip, "vFaxSummaryReport": store.ReportVfax,
		"deviceSummaryReport": store.ReportDevice,
	} {
		out[op] = func(r *Request) (Response, error) {
			return okOr(st.ReportSummary(r.Vars["partitionId"], kind))
		}
	}
	return out
}

// acceptedOr answers 202 with a started job, or the error.
func acceptedOr(job store.Job, err error) (Response, error) {
	if err != nil {
		return Response{}, err
	}
	return JSON(http.StatusAccepted, job), nil
}

// jobOutputURL is JobOutputUrl.
type jobOutputURL struct {
	URL string `json:"url"`
}
