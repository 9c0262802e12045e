//go:build race

package fakealianza_test

// raceEnabled: the race detector makes sync.Pool drop what it holds, so
// allocation counts grow.
const raceEnabled = true
