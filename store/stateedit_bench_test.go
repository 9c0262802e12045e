package store_test

import (
	"testing"

	"github.com/fakealianza/fakealianza/fixtures"
	"github.com/fakealianza/fakealianza/store"
)

// BenchmarkResetPartition measures one partition reset over the default
// fixtures (the whole state goes through its JSON form once).
func BenchmarkResetPartition(b *testing.B) {
	st := defaultStore(b)
	b.ReportAllocs()
	for b.Loop() {
		if err := st.ResetPartition("fakePartitionBravo0002"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCreatePartition measures POST /__admin/partitions' store work.
func BenchmarkCreatePartition(b *testing.B) {
	st := defaultStore(b)
	b.ReportAllocs()
	for b.Loop() {
		p, _, err := st.CreatePartition("")
		if err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		_ = st.ResetPartition(p.ID) // keep the state from growing
		b.StartTimer()
	}
}

// defaultStore is a store over the default fixtures.
func defaultStore(b *testing.B) *store.Store {
	seed, err := fixtures.Default()
	if err != nil {
		b.Fatal(err)
	}
	st, err := store.New(seed, store.NewClock())
	if err != nil {
		b.Fatal(err)
	}
	return st
}
