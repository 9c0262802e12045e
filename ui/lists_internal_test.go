package ui

import (
	"slices"
	"testing"

	"github.com/fakealianza/fakealianza/certify"
)

// The start form offers what the certify package knows, no more, no less.
func TestCertificationFormLists(t *testing.T) {
	for _, c := range []struct {
		what      string
		form, api []string
	}{
		{"use cases", certUseCases, certify.UseCaseNames()},
		{"probes", certProbes, certify.ProbeNames()},
	} {
		if !slices.Equal(c.form, c.api) {
			t.Errorf("%s: the form offers %v, the certify package has %v", c.what, c.form, c.api)
		}
	}
}
