package fakealianza_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fakealianza/fakealianza"
	"github.com/fakealianza/fakealianza/store"
)

// TestPresizeCountsEveryKey: the room given before a state file's decode is
// never less than the objects the file holds, whichever read boundary a key
// falls on, and the file is read again from its start.
func TestPresizeCountsEveryKey(t *testing.T) {
	cases := []struct {
		name              string
		numbers, accounts int
		pad               int // bytes before the lists, to move keys across 1 MiB reads
	}{
		{"empty", 0, 0, 0},
		{"small", 3, 2, 0},
		{"across reads", 40_000, 9_000, 7},
		{"across reads shifted", 40_000, 9_000, 1<<20 - 9},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var b strings.Builder
			fmt.Fprintf(&b, `{"partitions":[{"id":"p","name":"%s"}],"telephoneNumbers":[`, strings.Repeat("x", c.pad))
			for i := range c.numbers {
				if i > 0 {
					b.WriteByte(',')
				}
				fmt.Fprintf(&b, `{"partitionId":"p","phoneNumber":"1212%07d"}`, i)
			}
			b.WriteString(`],"accounts":[`)
			for i := range c.accounts {
				if i > 0 {
					b.WriteByte(',')
				}
				fmt.Fprintf(&b, `{"id":"a%d","partitionId":"p","accountNumber":"N-%d","accountName":"Acct"}`, i, i)
			}
			b.WriteString(`]}`)
			path := filepath.Join(t.TempDir(), "state.json")
			if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
				t.Fatal(err)
			}
			f, err := os.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			var st store.State
			if err := fakealianza.Presize(f, &st); err != nil {
				t.Fatal(err)
			}
			if cap(st.TelephoneNumbers) < c.numbers || cap(st.Accounts) < c.accounts {
				t.Errorf("room for %d numbers and %d accounts, the file holds %d and %d",
					cap(st.TelephoneNumbers), cap(st.Accounts), c.numbers, c.accounts)
			}
			if c.numbers == 0 && st.TelephoneNumbers != nil {
				t.Errorf("no number in the file, yet room for %d", cap(st.TelephoneNumbers))
			}
			first := make([]byte, 1)
			if _, err := f.Read(first); err != nil || first[0] != '{' {
				t.Errorf("after presize the file reads %q, %v: not from its start", first, err)
			}
		})
	}
	long := make([]int, 3, 100)
	if got := fakealianza.Trimmed(long); cap(got) >= 100 || len(got) != 3 {
		t.Errorf("trimmed keeps len %d cap %d", len(got), cap(got))
	}
	if got := fakealianza.Trimmed(make([]int, 0, 100)); got == nil || len(got) != 0 {
		t.Errorf("an empty list trimmed: %#v", got)
	}
}
