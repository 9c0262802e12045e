//go:build !race

package fakealianza_test

const raceEnabled = false
