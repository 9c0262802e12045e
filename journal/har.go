package journal

import (
	"net/http"
	"net/url"
	"sort"
	"time"
)

// HAR 1.2 (HTTP Archive), the format browsers and API certification tools
// read. Only the parts fakealianza can fill are written.

// HAR is the document.
type HAR struct {
	Log HARLog `json:"log"`
}

// HARLog is the archive's root.
type HARLog struct {
	Version string     `json:"version"`
	Creator HARCreator `json:"creator"`
	Entries []HAREntry `json:"entries"`
}

// HARCreator names the producing tool.
type HARCreator struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

// HAREntry is one exchange.
type HAREntry struct {
	StartedDateTime string      `json:"startedDateTime"`
	Time            float64     `json:"time"`
	Request         HARRequest  `json:"request"`
	Response        HARResponse `json:"response"`
	Cache           struct{}    `json:"cache"`
	Timings         HARTimings  `json:"timings"`
	Comment         string      `json:"comment,omitempty"`
}

// HARRequest is the request side.
type HARRequest struct {
	Method      string         `json:"method"`
	URL         string         `json:"url"`
	HTTPVersion string         `json:"httpVersion"`
	Cookies     []HARNameValue `json:"cookies"`
	Headers     []HARNameValue `json:"headers"`
	QueryString []HARNameValue `json:"queryString"`
	PostData    *HARPostData   `json:"postData,omitempty"`
	HeadersSize int            `json:"headersSize"`
	BodySize    int            `json:"bodySize"`
}

// HARResponse is the response side.
type HARResponse struct {
	Status      int            `json:"status"`
	StatusText  string         `json:"statusText"`
	HTTPVersion string         `json:"httpVersion"`
	Cookies     []HARNameValue `json:"cookies"`
	Headers     []HARNameValue `json:"headers"`
	Content     HARContent     `json:"content"`
	RedirectURL string         `json:"redirectURL"`
	HeadersSize int            `json:"headersSize"`
	BodySize    int            `json:"bodySize"`
}

// HARNameValue is a header, cookie or query parameter.
type HARNameValue struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// HARPostData is a request body.
type HARPostData struct {
	MimeType string `json:"mimeType"`
	Text     string `json:"text"`
}

// HARContent is a response body.
type HARContent struct {
	Size     int    `json:"size"`
	MimeType string `json:"mimeType"`
	Text     string `json:"text,omitempty"`
}

// HARTimings splits the exchange's time; fakealianza knows only the wait.
type HARTimings struct {
	Send    float64 `json:"send"`
	Wait    float64 `json:"wait"`
	Receive float64 `json:"receive"`
}

// ToHAR converts exchanges; baseURL (e.g. http://127.0.0.1:8080) makes the
// URLs absolute.
func ToHAR(entries []Entry, baseURL, version string) HAR {
	h := HAR{Log: HARLog{Version: "1.2", Creator: HARCreator{Name: "fakealianza", Version: version}, Entries: []HAREntry{}}}
	for _, e := range entries {
		u := baseURL + e.Path
		if e.Query != "" {
			u += "?" + e.Query
		}
		he := HAREntry{
			StartedDateTime: e.Time.Format(time.RFC3339Nano),
			Time:            e.DurationMs,
			Request: HARRequest{
				Method: e.Method, URL: u, HTTPVersion: "HTTP/1.1", Cookies: []HARNameValue{},
				Headers: nameValues(e.Request.Headers), QueryString: query(e.Query),
				HeadersSize: -1, BodySize: len(e.Request.Body),
			},
			Response: HARResponse{
				Status: e.Status, StatusText: http.StatusText(e.Status), HTTPVersion: "HTTP/1.1",
				Cookies: []HARNameValue{}, Headers: nameValues(e.Response.Headers),
				Content: HARContent{
					Size: len(e.Response.Body), MimeType: first(e.Response.Headers["Content-Type"]),
					Text: e.Response.Body,
				},
				HeadersSize: -1, BodySize: len(e.Response.Body),
			},
			Timings: HARTimings{Send: 0, Wait: e.DurationMs, Receive: 0},
		}
		if e.Request.Body != "" {
			he.Request.PostData = &HARPostData{MimeType: first(e.Request.Headers["Content-Type"]), Text: e.Request.Body}
		}
		if e.Fault != "" {
			he.Comment = "fault injected: " + e.Fault
		}
		h.Log.Entries = append(h.Log.Entries, he)
	}
	return h
}

func first(vs []string) string {
	if len(vs) == 0 {
		return ""
	}
	return vs[0]
}

func nameValues(h map[string][]string) []HARNameValue {
	out := []HARNameValue{}
	keys := make([]string, 0, len(h))
	for k := range h {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		for _, v := range h[k] {
			out = append(out, HARNameValue{Name: k, Value: v})
		}
	}
	return out
}

func query(q string) []HARNameValue {
	out := []HARNameValue{}
	vals, err := url.ParseQuery(q)
	if err != nil {
		return out
	}
	return append(out, nameValues(vals)...)
}
