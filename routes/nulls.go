package routes

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
)

// dropNulls is Jackson's NON_NULL rule, applied both ways: every object
// member whose value is null is removed, at any depth (objects inside arrays
// too), keys in their order. On a request it makes a null a key not given,
// so validation and handlers see the body as if the client had left those
// keys out; on a response it leaves out what the server holds as null while
// "", [], false and 0 stay. Null array elements stay: they are values, not
// absent keys. A body that is not one JSON value, or holds no null member,
// is returned as it is (changed false).
func dropNulls(body []byte) (out []byte, changed bool) {
	if !bytes.Contains(body, []byte("null")) {
		return body, false
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var buf bytes.Buffer
	buf.Grow(len(body))
	tok, err := dec.Token()
	if err != nil {
		return body, false
	}
	changed, err = copyJSON(dec, &buf, tok)
	if err != nil || !changed {
		return body, false
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return body, false // more than one value: not ours to rewrite
	}
	return buf.Bytes(), true
}

// copyJSON writes the value that starts with tok to w, compact, without the
// null members of its objects, and reports whether it left any out.
func copyJSON(dec *json.Decoder, w *bytes.Buffer, tok json.Token) (changed bool, err error) {
	switch t := tok.(type) {
	case json.Delim:
		obj := t == '{'
		w.WriteRune(rune(t))
		first := true
		for dec.More() {
			var key string
			if obj {
				k, err := dec.Token()
				if err != nil {
					return false, err
				}
				key, _ = k.(string)
			}
			v, err := dec.Token()
			if err != nil {
				return false, err
			}
			if obj && v == nil {
				changed = true
				continue
			}
			if !first {
				w.WriteByte(',')
			}
			first = false
			if obj {
				if err := writeString(w, key); err != nil {
					return false, err
				}
				w.WriteByte(':')
			}
			c, err := copyJSON(dec, w, v)
			if err != nil {
				return false, err
			}
			changed = changed || c
		}
		end, err := dec.Token()
		if err != nil {
			return false, err
		}
		w.WriteRune(rune(end.(json.Delim)))
	case string:
		return false, writeString(w, t)
	case json.Number:
		w.WriteString(string(t))
	case bool:
		if t {
			w.WriteString("true")
		} else {
			w.WriteString("false")
		}
	case nil:
		w.WriteString("null")
	}
	return changed, nil
}

// writeString writes s as a JSON string, HTML characters as they are (the
// renderer's escaping).
func writeString(w *bytes.Buffer, s string) error {
	b, err := encodeJSON(s)
	if err != nil {
		return err
	}
	w.Write(b)
	return nil
}
