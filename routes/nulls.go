package routes

import (
	"bytes"
	"encoding/json"
)

// dropNulls applies Alianza's reading of a JSON null in a request: the key
// is not given. Every object member whose value is null is removed, at any
// depth (objects inside arrays too), so validation and handlers see the body
// as if the client had left those keys out. A body that is not JSON, or holds
// no null member, is returned as it is (changed false).
func dropNulls(body []byte) (out []byte, changed bool) {
	if !bytes.Contains(body, []byte("null")) {
		return body, false
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil || dec.More() {
		return body, false
	}
	if !stripNulls(v) {
		return body, false
	}
	b, err := encodeJSON(v)
	if err != nil {
		return body, false
	}
	return b, true
}

// stripNulls removes null members from every object under v and reports
// whether it removed any. Null array elements stay: they are values, not
// absent keys.
func stripNulls(v any) bool {
	changed := false
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			if e == nil {
				delete(x, k)
				changed = true
				continue
			}
			if stripNulls(e) {
				changed = true
			}
		}
	case []any:
		for _, e := range x {
			if stripNulls(e) {
				changed = true
			}
		}
	}
	return changed
}
