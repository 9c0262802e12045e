package certify

import (
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/fakealianza/fakealianza/journal"
)

// Markdown writes the report for humans: the verdict, the use-case
// checklist, the probes and the flags.
func (r *Report) Markdown(w io.Writer) error {
	var b strings.Builder
	verdict := "READY for review"
	if !r.Ready {
		verdict = "NOT READY"
	}
	fmt.Fprintf(&b, "# Certification rehearsal %s: %s\n\n", r.Session.ID, verdict)
	part := r.Session.PartitionID
	if part == "" {
		part = "all partitions"
	}
	fmt.Fprintf(&b, "- partition: %s\n- started: %s\n", part, r.Session.StartedAt.UTC().Format(time.RFC3339))
	if !r.Session.StoppedAt.IsZero() {
		fmt.Fprintf(&b, "- stopped: %s\n", r.Session.StoppedAt.UTC().Format(time.RFC3339))
	} else {
		b.WriteString("- still running\n")
	}
	fmt.Fprintf(&b, "- exchanges recorded: %d (%d without headers and bodies, %d dropped; cap %d bytes)\n",
		r.Session.Exchanges, r.Session.Stripped, r.Session.Dropped, r.Session.MaxBytes)
	fmt.Fprintf(&b, "- probe seed: %d\n\n", r.Session.Seed)
	if len(r.Problems) > 0 {
		b.WriteString("## Problems\n\n")
		for _, p := range r.Problems {
			fmt.Fprintf(&b, "- %s\n", p)
		}
		b.WriteString("\n")
	}
	b.WriteString("## Use cases\n\n")
	for _, u := range r.UseCases {
		mark, note := " ", ""
		if u.Exercised {
			mark = "x"
		}
		if u.Claimed {
			note = " (claimed)"
		}
		fmt.Fprintf(&b, "- [%s] **%s**%s: %d exchange(s)\n", mark, u.Title, note, u.Exchanges)
		for _, o := range u.Operations {
			name := o.OperationID
			if name == "" {
				name = "-"
			}
			fmt.Fprintf(&b, "  - `%s %s` (%s): %d call(s), %s\n", o.Method, o.Path, name, o.Calls, statuses(o.Statuses))
		}
	}
	b.WriteString("\n## Error-handling probes\n\n")
	if len(r.Probes) == 0 {
		b.WriteString("No probes were asked for.\n")
	} else {
		b.WriteString("| # | probe | verdict | what the client did | evidence |\n|---|---|---|---|---|\n")
		for _, p := range r.Probes {
			fmt.Fprintf(&b, "| %d | %s | **%s** | %s: %s | %s |\n", p.Order, p.Title, p.Verdict, p.Behaviour, p.Detail, evidence(p.Evidence))
		}
	}
	b.WriteString("\n## Would be frowned on\n\n")
	if len(r.Flags) == 0 {
		b.WriteString("Nothing.\n")
	}
	for _, f := range r.Flags {
		fmt.Fprintf(&b, "- **%s**: %s (%s)\n", f.Code, f.Detail, evidence(f.Evidence))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func statuses(m map[string]int) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s x%d", k, m[k])
	}
	return strings.Join(parts, ", ")
}

func evidence(ids []int64) string {
	if len(ids) == 0 {
		return "-"
	}
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = fmt.Sprintf("#%d", id)
	}
	return "exchanges " + strings.Join(parts, ", ")
}

// exchangesOf returns the running or last session's exchanges of one use
// case ("" all of them).
func (c *Certifier) exchangesOf(useCase string) ([]exchange, error) {
	s, err := c.current()
	if err != nil {
		return nil, err
	}
	_, xs := s.snapshot()
	if useCase == "" {
		return xs, nil
	}
	out := xs[:0]
	for _, e := range xs {
		if e.useCase == useCase {
			out = append(out, e)
		}
	}
	return out, nil
}

// UseCaseKnown reports whether name is a use case exchanges are filed under.
func UseCaseKnown(name string) bool {
	_, ok := useCaseTitles[name]
	return ok
}

// UseCasesRecorded lists the use cases the running or last session has
// exchanges for, in the report's order.
func (c *Certifier) UseCasesRecorded() ([]string, error) {
	xs, err := c.exchangesOf("")
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	for _, e := range xs {
		seen[e.useCase] = true
	}
	var out []string
	for _, u := range useCaseOrder {
		if seen[u] {
			out = append(out, u)
		}
	}
	return out, nil
}

// Transcript writes the exchanges of one use case ("" all) as HTTP/1.1
// text, the form a reviewer reads: each request and its response, headers
// and bodies as recorded (secrets redacted). host names the server in the
// Host header.
func (c *Certifier) Transcript(w io.Writer, useCase, host string) error {
	xs, err := c.exchangesOf(useCase)
	if err != nil {
		return err
	}
	var b strings.Builder
	for i := range xs {
		writeTranscript(&b, &xs[i], host)
	}
	_, err = io.WriteString(w, b.String())
	return err
}

func writeTranscript(b *strings.Builder, e *exchange, host string) {
	fmt.Fprintf(b, "### exchange %d · %s · %s", e.ID, e.start.UTC().Format(time.RFC3339Nano), e.useCase)
	if e.OperationID != "" {
		fmt.Fprintf(b, " · %s", e.OperationID)
	}
	if e.Fault != "" {
		fmt.Fprintf(b, " · fault %s", e.Fault)
	}
	b.WriteString("\n")
	if e.sftp {
		fmt.Fprintf(b, "SFTP %s (partition %s)\n\n", e.Path, e.PartitionID)
		return
	}
	target := e.Path
	if e.Query != "" {
		target += "?" + e.Query
	}
	fmt.Fprintf(b, "%s %s HTTP/1.1\r\nHost: %s\r\n", e.Method, target, host)
	writeHeaders(b, e.Request.Headers)
	b.WriteString("\r\n")
	writeBody(b, &e.Request)
	if e.Status == 0 {
		fmt.Fprintf(b, "(no response: the connection closed after %s)\n\n", ms(e.end.Sub(e.start)))
		return
	}
	fmt.Fprintf(b, "\nHTTP/1.1 %d %s\r\n", e.Status, http.StatusText(e.Status))
	writeHeaders(b, e.Response.Headers)
	b.WriteString("\r\n")
	writeBody(b, &e.Response)
	b.WriteString("\n")
}

func writeHeaders(b *strings.Builder, h map[string][]string) {
	for _, k := range slices.Sorted(maps.Keys(h)) {
		for _, v := range h[k] {
			fmt.Fprintf(b, "%s: %s\r\n", k, v)
		}
	}
}

func writeBody(b *strings.Builder, m *journal.Message) {
	if m.Body == "" {
		return
	}
	b.WriteString(m.Body)
	if m.BodyTruncated {
		fmt.Fprintf(b, "\n[body cut at %d bytes]", journal.MaxBody)
	}
	b.WriteString("\n")
}

// HAR exports the exchanges of one use case ("" all) as HAR 1.2; each
// entry's comment names its exchange number, use case and probe.
func (c *Certifier) HAR(useCase, baseURL, version string) (journal.HAR, error) {
	xs, err := c.exchangesOf(useCase)
	if err != nil {
		return journal.HAR{}, err
	}
	var entries []journal.Entry
	var notes []string
	for _, e := range xs {
		if e.sftp {
			continue // HAR holds HTTP only; transcripts show the datafeed events
		}
		en := e.Entry
		en.Time = e.start
		entries = append(entries, en)
		note := fmt.Sprintf("exchange %d; use case %s", e.ID, e.useCase)
		if e.probe != "" {
			note += "; certification probe " + e.probe
		}
		notes = append(notes, note)
	}
	h := journal.ToHAR(entries, baseURL, version)
	for i := range h.Log.Entries {
		h.Log.Entries[i].Comment = notes[i]
	}
	return h, nil
}

// Host is the host:port part of a base URL, for transcripts.
func Host(baseURL string) string {
	if u, err := url.Parse(baseURL); err == nil && u.Host != "" {
		return u.Host
	}
	return "localhost"
}
