package vendorspec

import (
	"os"
	"path/filepath"
	"testing"
)

func TestPath(t *testing.T) {
	t.Setenv("FAKEALIANZA_VENDOR_SPEC", "/elsewhere/vendor.yml")
	if got := Path(); got != "/elsewhere/vendor.yml" {
		t.Fatalf("with the variable set: %s", got)
	}
	t.Setenv("FAKEALIANZA_VENDOR_SPEC", "")
	got := Path()
	if filepath.Base(got) != "alianza-openapi-vendor.yml" {
		t.Fatalf("found %s", got)
	}
	// Beside this checkout or the one it was cloned from: when either holds
	// shared/, the path found exists.
	if _, err := os.Stat(filepath.Join(moduleRoot(), "..", rel)); err == nil {
		if _, err := os.Stat(got); err != nil {
			t.Fatalf("the spec beside the module exists, but %s does not", got)
		}
	}
	if _, err := os.Stat(filepath.Join(moduleRoot(), "go.mod")); err != nil {
		t.Fatalf("module root %s has no go.mod", moduleRoot())
	}
}
