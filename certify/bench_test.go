package certify

import (
	"net/http"
	"testing"
	"time"

	"github.com/fakealianza/fakealianza/journal"
	"github.com/fakealianza/fakealianza/scenarios"
)

// BenchmarkFront measures what a request pays the certifier: with no
// session (one atomic load each) and with one recording and probing.
func BenchmarkFront(b *testing.B) {
	x := Exchange{
		Entry: journal.Entry{Method: "GET", Path: "/v2/partition/p/account/a", PartitionID: "p", Status: 200,
			Request:  journal.NewMessage(http.Header{"X-Auth-Token": {"t"}}, nil),
			Response: journal.NewMessage(http.Header{"Content-Type": {"application/json"}}, []byte(`{"id":"a","accountName":"Acme"}`))},
		PathTemplate: "/v2/partition/{partitionId}/account/{accountId}", Token: "t",
	}
	in := &scenarios.Input{Method: "GET", Path: x.Entry.Path, PathTemplate: x.PathTemplate, PartitionID: "p",
		Header: http.Header{"X-Auth-Token": {"t"}}}
	for _, running := range []bool{false, true} {
		name := "idle"
		if running {
			name = "session"
		}
		b.Run(name, func(b *testing.B) {
			c := New(1)
			if running {
				if _, err := c.Start(Config{PartitionID: "p", MaxBytes: 1 << 30}); err != nil {
					b.Fatal(err)
				}
			}
			for b.Loop() {
				if c.Probe(in, time.Time{}) != nil {
					b.Fatal("probed without probes")
				}
				x.Start = time.Now()
				c.Record(x)
			}
		})
	}
}
