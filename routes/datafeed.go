package routes

import (
	"net/http"
	"time"

	"github.com/fakealianza/fakealianza/store"
)

// SFTPInfo is what the admin API tells about the running SFTP datafeed.
type SFTPInfo struct {
	Addr        string
	Fingerprint string
	PublicKey   string
	AllowDelete bool
}

type datafeedLayout struct {
	SFTPAddress        string `json:"sftpAddress,omitempty"`
	HostKeyFingerprint string `json:"hostKeyFingerprint,omitempty"`
	HostKey            string `json:"hostKey,omitempty"`
	AllowDelete        bool   `json:"allowDelete"`
	store.FeedLayout
}

type cdrBatch struct {
	Records []store.CallDetailRecord `json:"records"`
}

type cdrGenerate struct {
	PartitionID  string    `json:"partitionId"`
	From         time.Time `json:"from"`
	To           time.Time `json:"to"`
	CallsPerHour *int      `json:"callsPerHour"`
}

type cdrFills struct {
	PartitionID  string            `json:"partitionId"`
	CallsPerHour *int              `json:"callsPerHour,omitempty"`
	Hours        []store.Timestamp `json:"hours"`
}

func (a *api) datafeedRoutes() map[string]Handler {
	st := a.deps.Store
	return map[string]Handler{
		"cdrSearch": func(r *Request) (Response, error) {
			q, err := store.ParseCDRQuery(r.URL.Query())
			if err != nil {
				return Response{}, err
			}
			page, err := st.SearchCDRs(r.Vars["partitionId"], r.Vars["accountId"], q)
			if err != nil {
				return Response{}, err
			}
			return OK(page), nil
		},
		"adminDatafeedLayout": func(*Request) (Response, error) {
			out := datafeedLayout{FeedLayout: st.DatafeedLayout()}
			if a.deps.SFTP != nil {
				info := a.deps.SFTP()
				out.SFTPAddress, out.HostKeyFingerprint, out.HostKey = info.Addr, info.Fingerprint, info.PublicKey
				out.AllowDelete = info.AllowDelete
			}
			return OK(out), nil
		},
		"adminSetDatafeedLogin": func(r *Request) (Response, error) {
			var l store.DatafeedLogin
			if err := decode(r, &l); err != nil {
				return Response{}, err
			}
			l.PartitionID = r.Vars["partitionId"]
			if err := st.SetDatafeedLogin(l); err != nil {
				return Response{}, err
			}
			return OK(l), nil
		},
		"adminStageCdrs": func(r *Request) (Response, error) {
			var b cdrBatch
			if err := decode(r, &b); err != nil {
				return Response{}, err
			}
			recs, err := st.StageCDRs(b.Records)
			if err != nil {
				return Response{}, err
			}
			return JSON(http.StatusCreated, cdrBatch{Records: recs}), nil
		},
		"adminGenerateCdrs": func(r *Request) (Response, error) {
			var g cdrGenerate
			if err := decode(r, &g); err != nil {
				return Response{}, err
			}
			calls := -1
			if g.CallsPerHour != nil {
				calls = *g.CallsPerHour
			}
			fills, err := st.FillCDRs(g.PartitionID, g.From, g.To, calls)
			if err != nil {
				return Response{}, err
			}
			out := cdrFills{PartitionID: g.PartitionID, CallsPerHour: g.CallsPerHour, Hours: make([]store.Timestamp, len(fills))}
			for i, f := range fills {
				out.Hours[i] = f.Hour
			}
			return OK(out), nil
		},
	}
}
