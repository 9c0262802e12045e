package ui

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// The explorer reads GET /__admin/state as it is: every list of objects in
// it is a kind, grouped by the objects' partitionId and accountId. Kinds the
// server gains later show up without a change here; kinds it does not have
// are not shown.

// object is one item of the state.
type object struct {
	Kind        string
	ID          string
	Label       string
	PartitionID string
	AccountID   string
	Fields      map[string]any
	JSON        string
}

type state struct {
	order []string // kinds by name
	kinds map[string][]object
}

func newState(raw map[string]json.RawMessage) state {
	st := state{kinds: map[string][]object{}}
	for kind, msg := range raw {
		dec := json.NewDecoder(bytes.NewReader(msg))
		dec.UseNumber()
		var items []map[string]any
		if err := dec.Decode(&items); err != nil {
			continue // not a list of objects (a list of ids, say)
		}
		objs := make([]object, 0, len(items))
		for _, f := range items {
			o := object{Kind: kind, Fields: f, ID: str(f["id"]), PartitionID: str(f["partitionId"]), AccountID: accountOf(f)}
			if kind == "partitions" {
				o.PartitionID = o.ID
			}
			o.Label = label(f)
			if b, err := json.MarshalIndent(f, "", "  "); err == nil {
				o.JSON = string(b)
			}
			objs = append(objs, o)
		}
		st.kinds[kind] = objs
		st.order = append(st.order, kind)
	}
	sort.Strings(st.order)
	return st
}

func str(v any) string {
	switch t := v.(type) {
	case string:
		return t
	case json.Number:
		return t.String()
	case nil:
		return ""
	}
	return fmt.Sprint(v)
}

// accountOf is the account an object belongs to: its accountId (acctId in
// call records), or that of an object it holds (a number's onAccount).
func accountOf(f map[string]any) string {
	for _, k := range []string{"accountId", "acctId"} {
		if s := str(f[k]); s != "" {
			return s
		}
	}
	keys := make([]string, 0, len(f))
	for k := range f {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if m, ok := f[k].(map[string]any); ok {
			if s := str(m["accountId"]); s != "" {
				return s
			}
		}
	}
	return ""
}

// labelKeys name an object for people, best first.
var labelKeys = []string{"accountNumber", "accountName", "username", "name", "phoneNumber", "mainTelephoneNumber",
	"macAddress", "sipUsername", "fromName", "emailAddress", "path"}

func label(f map[string]any) string {
	var parts []string
	for _, k := range labelKeys {
		if s := str(f[k]); s != "" && len(parts) < 2 {
			parts = append(parts, s)
		}
	}
	if first, last := str(f["firstName"]), str(f["lastName"]); (first != "" || last != "") && len(parts) < 2 {
		parts = append(parts, strings.TrimSpace(first+" "+last))
	}
	if len(parts) == 0 {
		return str(f["id"])
	}
	return strings.Join(parts, " · ")
}

// squash lowercases and drops separators, so 801-555-0101 finds 18015550101
// and aa:bb:cc finds AABBCC.
func squash(s string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case ' ', '-', ':', '.', '(', ')', '+', '_':
			return -1
		}
		if r >= 'A' && r <= 'Z' {
			return r + 'a' - 'A'
		}
		return r
	}, s)
}

// searchable says whether a field is one people search by: numbers (account,
// telephone), names and MAC addresses.
func searchable(key string) bool {
	k := strings.ToLower(key)
	return strings.Contains(k, "number") || strings.Contains(k, "name") || strings.Contains(k, "mac") || k == "id"
}

// search finds objects (of one partition, when given) whose account
// number or name, telephone number, MAC address or other name holds q.
func (st state) search(q, partitionID string) []object {
	needle := squash(q)
	if needle == "" {
		return nil
	}
	var out []object
	for _, k := range st.order {
		for _, o := range st.kinds[k] {
			if partitionID != "" && o.PartitionID != partitionID {
				continue
			}
			if matches(o.Fields, needle, 0) {
				out = append(out, o)
			}
		}
	}
	return out
}

func matches(f map[string]any, needle string, depth int) bool {
	for k, v := range f {
		switch t := v.(type) {
		case map[string]any:
			if depth == 0 && matches(t, needle, 1) {
				return true
			}
		case []any:
			if !searchable(k) {
				continue
			}
			for _, e := range t {
				if s, ok := e.(string); ok && strings.Contains(squash(s), needle) {
					return true
				}
			}
		default:
			if searchable(k) && strings.Contains(squash(str(v)), needle) {
				return true
			}
		}
	}
	return false
}
