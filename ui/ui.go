// Package ui is the QA dashboard: server-rendered pages at /__admin/ui/
// over the /__admin API, with a little plain JavaScript for the live parts.
// It is a client of the admin API, as curl is: pages read through the API's
// handler, and every action the browser takes is a call to the API. It has
// no powers of its own and never reaches into the store.
package ui

import (
	"bytes"
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Prefix is where the dashboard is served.
const Prefix = "/__admin/ui/"

// KeyHeader carries the admin key (when the server has one) from the
// browser to the admin API; the pages forward it on their own calls.
const KeyHeader = "X-Fakealianza-Admin-Key"

//go:embed templates static
var assets embed.FS

// page is one screen of the dashboard.
type page struct {
	Path  string // under Prefix ("" is the overview)
	Title string
	load  func(c *client, q url.Values) (any, error)
	tmpl  *template.Template
}

// Dashboard serves the pages and their assets.
type Dashboard struct {
	api    http.Handler
	log    *slog.Logger
	pages  []*page
	byPath map[string]*page
	keyT   *template.Template
	static http.Handler
}

// New builds the dashboard over api, the handler that serves /__admin.
func New(api http.Handler, log *slog.Logger) (*Dashboard, error) {
	if log == nil {
		log = slog.Default()
	}
	d := &Dashboard{api: api, log: log, byPath: map[string]*page{}}
	d.pages = []*page{
		{Path: "", Title: "Overview", load: loadOverview},
		{Path: "explorer", Title: "State explorer", load: loadExplorer},
		{Path: "journal", Title: "Journal", load: loadJournal},
		{Path: "faults", Title: "Faults and scenarios", load: loadFaults},
		{Path: "clock", Title: "Clock and lifecycles", load: loadClock},
		{Path: "datafeed", Title: "Datafeed", load: loadDatafeed},
		{Path: "state", Title: "State", load: loadState},
		{Path: "certification", Title: "Certification", load: loadCertification},
	}
	parse := func(name string) (*template.Template, error) {
		t, err := template.New("layout.html").Funcs(funcs).ParseFS(assets, "templates/layout.html", "templates/"+name+".html")
		if err != nil {
			return nil, fmt.Errorf("ui: template %s: %w", name, err)
		}
		return t, nil
	}
	for _, p := range d.pages {
		name := p.Path
		if name == "" {
			name = "overview"
		}
		t, err := parse(name)
		if err != nil {
			return nil, err
		}
		p.tmpl = t
		d.byPath[p.Path] = p
	}
	var err error
	if d.keyT, err = parse("key"); err != nil {
		return nil, err
	}
	sub, err := fs.Sub(assets, "static")
	if err != nil {
		return nil, fmt.Errorf("ui: assets: %w", err)
	}
	d.static = http.StripPrefix(Prefix+"static/", http.FileServerFS(sub))
	return d, nil
}

// Mount puts the dashboard in front of next: Prefix and its pages, and GET /
// redirecting there. api serves the admin API the pages read.
func Mount(api, next http.Handler, log *slog.Logger) (http.Handler, error) {
	d, err := New(api, log)
	if err != nil {
		return nil, err
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case (r.URL.Path == "/" || r.URL.Path == strings.TrimSuffix(Prefix, "/")) &&
			(r.Method == http.MethodGet || r.Method == http.MethodHead):
			http.Redirect(w, r, Prefix, http.StatusFound)
		case strings.HasPrefix(r.URL.Path, Prefix):
			d.ServeHTTP(w, r)
		default:
			next.ServeHTTP(w, r)
		}
	}), nil
}

// view is what every page template gets.
type view struct {
	Title   string
	Path    string
	Pages   []*page
	Data    any
	Problem string
	NeedKey bool
}

func (d *Dashboard) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rest := strings.TrimPrefix(r.URL.Path, Prefix)
	if strings.HasPrefix(rest, "static/") {
		w.Header().Set("Cache-Control", "no-cache")
		d.static.ServeHTTP(w, r)
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "the dashboard's pages are read with GET; actions go to the /__admin API", http.StatusMethodNotAllowed)
		return
	}
	p, ok := d.byPath[rest]
	if !ok {
		http.NotFound(w, r)
		return
	}
	c := &client{h: d.api, key: r.Header.Get(KeyHeader), ctx: r.Context()}
	data, err := p.load(c, r.URL.Query())
	v := view{Title: p.Title, Path: p.Path, Pages: d.pages, Data: data}
	t, status := p.tmpl, http.StatusOK
	var ae *apiError
	switch {
	case errors.Is(err, errKeyRequired):
		t, status, v.Title, v.NeedKey = d.keyT, http.StatusUnauthorized, "Admin key", true
	case errors.As(err, &ae):
		status, v.Problem = http.StatusBadGateway, ae.Error()
	case err != nil:
		status, v.Problem = http.StatusInternalServerError, err.Error()
	}
	var buf bytes.Buffer
	if err := t.Execute(&buf, v); err != nil {
		d.log.Error("dashboard page", "page", p.Title, "err", err)
		http.Error(w, "the page could not be rendered", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Vary", KeyHeader)
	h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// ---- the admin API, called in-process ----

var errKeyRequired = errors.New("ui: the admin API wants the admin key")

// apiError is an admin API answer a page did not expect.
type apiError struct {
	Method, Path string
	Status       int
	Body         string
}

func (e *apiError) Error() string {
	return fmt.Sprintf("the admin API answered %s %s with %d: %s", e.Method, e.Path, e.Status, e.Body)
}

// client calls the admin API through its handler, with the browser's key.
type client struct {
	h   http.Handler
	key string
	ctx context.Context
}

// get reads path into out (JSON).
func (c *client) get(path string, out any) error {
	req, err := http.NewRequestWithContext(c.ctx, http.MethodGet, path, nil)
	if err != nil {
		return fmt.Errorf("ui: request %s: %w", path, err)
	}
	req.RemoteAddr = "127.0.0.1:0"
	if c.key != "" {
		req.Header.Set(KeyHeader, c.key)
	}
	rec := &recorder{header: http.Header{}}
	c.h.ServeHTTP(rec, req)
	if rec.status == 0 {
		rec.status = http.StatusOK
	}
	body := rec.body.Bytes()
	if rec.status == http.StatusUnauthorized && bytes.Contains(body, []byte(`"AdminKeyRequired"`)) {
		return errKeyRequired
	}
	if rec.status != http.StatusOK {
		return &apiError{Method: http.MethodGet, Path: path, Status: rec.status, Body: string(bytes.TrimSpace(body))}
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(out); err != nil {
		return fmt.Errorf("ui: decode %s: %w", path, err)
	}
	return nil
}

// recorder keeps a response in memory.
type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (r *recorder) Header() http.Header { return r.header }

func (r *recorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.body.Write(b)
}

// ---- template helpers ----

var funcs = template.FuncMap{
	"json": func(v any) string {
		b, err := json.Marshal(v)
		if err != nil {
			return fmt.Sprint(v)
		}
		return string(b)
	},
	"pretty": func(v any) string {
		b, err := json.MarshalIndent(v, "", "  ")
		if err != nil {
			return fmt.Sprint(v)
		}
		return string(b)
	},
	"when": func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.UTC().Format("2006-01-02 15:04:05Z")
	},
	"rfc3339": func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
	// link is a dashboard page with query parameters (empty ones left out).
	"link": func(page string, kv ...string) string { return withQuery(Prefix+page, kv) },
	// apiq is an admin API path with query parameters.
	"apiq":   func(path string, kv ...string) string { return withQuery(path, kv) },
	"list":   func(s ...string) []string { return s },
	"idBody": func(id string) map[string]string { return map[string]string{"id": id} },
	"bytes": func(n int64) string {
		switch {
		case n >= 1<<20:
			return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
		case n >= 1<<10:
			return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
		}
		return fmt.Sprintf("%d B", n)
	},
}

func withQuery(path string, kv []string) string {
	q := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] != "" {
			q.Set(kv[i], kv[i+1])
		}
	}
	if len(q) == 0 {
		return path
	}
	return path + "?" + q.Encode()
}
