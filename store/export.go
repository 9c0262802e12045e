package store

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
)

// WriteState writes the whole state as JSON, the form Snapshot marshals
// to, object by object: the extra memory is one object's encoding, not the
// state's. "partitions" is always written, so an empty state reads
// {"partitions":[]} and never {}. It holds the read lock while it writes:
// give it a fast local writer (a file) rather than a network client.
func (s *Store) WriteState(w io.Writer) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	s.mu.RLock()
	st := s.snapshotLocked() // shares objects with the store: read-locked
	err := writeStateLists(bw, enc, &st)
	s.mu.RUnlock()
	if err != nil {
		return fmt.Errorf("write state: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write state: %w", err)
	}
	return nil
}

// writeStateLists writes State's lists in field order under their JSON
// names; empty lists are left out but for partitions.
func writeStateLists(bw *bufio.Writer, enc *json.Encoder, st *State) error {
	v := reflect.ValueOf(st).Elem()
	t := v.Type()
	bw.WriteByte('{')
	first := true
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		list := v.Field(i)
		if list.Kind() != reflect.Slice {
			return fmt.Errorf("state field %s is not a list", t.Field(i).Name)
		}
		if list.Len() == 0 && name != "partitions" {
			continue
		}
		if !first {
			bw.WriteByte(',')
		}
		first = false
		fmt.Fprintf(bw, "%q:[", name)
		for j := range list.Len() {
			if j > 0 {
				bw.WriteByte(',')
			}
			// Encode ends each value with a newline: valid JSON space.
			if err := enc.Encode(list.Index(j).Addr().Interface()); err != nil {
				return fmt.Errorf("%s %d: %w", name, j, err)
			}
		}
		bw.WriteByte(']')
	}
	_, err := bw.WriteString("}\n")
	return err
}

// CheckWhole checks that a decoded state document says what it is: it must
// hold the "partitions" key, so an empty state is {"partitions":[]} and a
// {} (or an empty body, or null) is refused as a document that says nothing.
func CheckWhole(st *State) error {
	if st.Partitions == nil {
		return errors.New(`no "partitions" key: an empty state is written {"partitions":[]}`)
	}
	return nil
}
