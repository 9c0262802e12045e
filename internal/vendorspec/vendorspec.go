// Package vendorspec finds the vendor's OpenAPI document, which the tests
// that compare the project's spec and answers with it read.
package vendorspec

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// rel is the document's place beside a checkout of the project.
var rel = filepath.Join("shared", "reference", "alianza-openapi-vendor.yml")

// Path is where the vendor's spec is: $FAKEALIANZA_VENDOR_SPEC when set;
// else ../shared/reference/alianza-openapi-vendor.yml beside the module's
// checkout; else the same beside the working copy this checkout was cloned
// from, when its origin is a local folder (a CI run in a fresh clone). When
// none exists, the first place beside the module, for the error message.
func Path() string {
	if p := os.Getenv("FAKEALIANZA_VENDOR_SPEC"); p != "" {
		return p
	}
	root := moduleRoot()
	first := filepath.Join(root, "..", rel)
	if exists(first) {
		return first
	}
	out, err := exec.Command("git", "-C", root, "config", "--get", "remote.origin.url").Output()
	if origin := strings.TrimSpace(string(out)); err == nil && filepath.IsAbs(origin) {
		if p := filepath.Join(origin, "..", rel); exists(p) {
			return p
		}
	}
	return first
}

// moduleRoot is the folder holding go.mod above the working directory (a
// test runs in its package's folder).
func moduleRoot() string {
	dir, err := os.Getwd()
	if err != nil {
		return "."
	}
	for d := dir; ; d = filepath.Dir(d) {
		if exists(filepath.Join(d, "go.mod")) {
			return d
		}
		if filepath.Dir(d) == d {
			return dir
		}
	}
}

func exists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}
