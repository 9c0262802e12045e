package routes

import (
	"fmt"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"time"

	"github.com/fakealianza/fakealianza/journal"
	"github.com/fakealianza/fakealianza/store"
)

// The admin calls a dashboard needs besides the toolkit's own: who the
// server is, a live journal, pending lifecycles, the datafeed's files.

// streamHeartbeat is how often an idle journal stream sends a comment.
const streamHeartbeat = 15 * time.Second

type adminInfo struct {
	Version   string         `json:"version"`
	Listeners adminListeners `json:"listeners"`
}

type adminListeners struct {
	HTTP string `json:"http"`
	SFTP string `json:"sftp,omitempty"`
}

type adminDatafeedFile struct {
	PartitionID string    `json:"partitionId"`
	Path        string    `json:"path"`
	Day         string    `json:"day"`
	Hour        time.Time `json:"hour"`
	Size        int64     `json:"size"`
	Records     int       `json:"records"`
}

func (a *api) adminViewRoutes() map[string]Handler {
	q := &a.deps.QA
	st := a.deps.Store
	return map[string]Handler{
		"adminInfo": func(*Request) (Response, error) {
			out := adminInfo{Version: q.Version, Listeners: adminListeners{HTTP: q.BaseURL()}}
			if a.deps.SFTP != nil {
				out.Listeners.SFTP = a.deps.SFTP().Addr
			}
			return OK(out), nil
		},
		"adminStreamRequests": func(r *Request) (Response, error) {
			f, err := queryFilter(r.URL.Query()).filter()
			if err != nil {
				return Response{}, err
			}
			limit, _ := strconv.Atoi(r.URL.Query().Get("limit")) // the spec has checked it
			resume := int64(-1)
			if s := r.Header.Get("Last-Event-ID"); s != "" {
				id, err := strconv.ParseInt(s, 10, 64)
				if err != nil || id < 0 {
					return Response{}, store.Invalid("InvalidValueForField:Last-Event-ID")
				}
				resume = id
			}
			return Response{
				Status: http.StatusOK, ContentType: "text/event-stream",
				Header: http.Header{"Cache-Control": {"no-store"}},
				Stream: func(w http.ResponseWriter) error { q.streamJournal(r, w, f, limit, resume); return nil },
			}, nil
		},
		"adminListPending":     func(*Request) (Response, error) { return OK(st.PendingLifecycle()), nil },
		"adminRejectLifecycle": func(r *Request) (Response, error) { return lifecycleStep(r, st.RejectLifecycle) },
		"adminListDatafeedFiles": func(r *Request) (Response, error) {
			v := r.URL.Query()
			day := v.Get("day")
			if day != "" {
				if _, err := time.Parse(time.DateOnly, day); err != nil {
					return Response{}, store.Invalid("InvalidValueForField:day")
				}
			}
			files, err := st.FeedFiles(v.Get("partitionId"))
			if err != nil {
				return Response{}, err
			}
			out := []adminDatafeedFile{}
			for _, f := range files {
				d := f.Hour.UTC().Format(time.DateOnly)
				if day != "" && d != day {
					continue
				}
				out = append(out, adminDatafeedFile{PartitionID: f.PartitionID, Path: f.Path, Day: d,
					Hour: f.Hour.UTC(), Size: f.Size, Records: f.Records})
			}
			return OK(out), nil
		},
		"adminGetDatafeedFile": func(r *Request) (Response, error) {
			v := r.URL.Query()
			f, data, err := st.FeedFileData(v.Get("partitionId"), v.Get("path"))
			if err != nil {
				return Response{}, err
			}
			h := http.Header{"Content-Disposition": {fmt.Sprintf("attachment; filename=%q", path.Base(f.Path))}}
			return Response{Status: http.StatusOK, Raw: data, ContentType: "application/octet-stream", Header: h}, nil
		},
	}
}

// queryFilter reads the journal filter from a query string (the spec has
// checked status and since).
func queryFilter(v url.Values) requestFilter {
	f := requestFilter{Method: v.Get("method"), Path: v.Get("path"), PartitionID: v.Get("partitionId"),
		OperationID: v.Get("operationId")}
	if s := v.Get("status"); s != "" {
		f.Status, _ = strconv.Atoi(s)
	}
	if s := v.Get("since"); s != "" {
		t, _ := time.Parse(time.RFC3339Nano, s)
		f.Since = &t
	}
	return f
}

// streamJournal writes matching exchanges as server-sent events: first the
// newest limit recorded ones (or every one after resume), then each new one,
// until the client leaves or the server closes.
func (q *QA) streamJournal(r *Request, w http.ResponseWriter, f journal.Filter, limit int, resume int64) {
	rc := http.NewResponseController(w)
	ctx := r.Context()
	added := q.Journal.Added()
	if resume >= 0 {
		f.AfterID = resume
	}
	entries, last := q.Journal.Poll(f)
	if resume < 0 && len(entries) > limit {
		entries = entries[len(entries)-limit:]
	}
	heartbeat := time.NewTicker(streamHeartbeat)
	defer heartbeat.Stop()
	for {
		for _, e := range entries {
			b, err := encodeJSON(e)
			if err != nil {
				return
			}
			if _, err := fmt.Fprintf(w, "event: request\nid: %d\ndata: %s\n\n", e.ID, b); err != nil {
				return
			}
			last = max(last, e.ID)
		}
		if err := rc.Flush(); err != nil {
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-q.Closing:
			return
		case <-heartbeat.C:
			if _, err := fmt.Fprint(w, ": idle\n\n"); err != nil {
				return
			}
			entries = nil
			continue
		case <-added:
		}
		added = q.Journal.Added()
		f.AfterID = last
		entries, last = q.Journal.Poll(f)
	}
}
