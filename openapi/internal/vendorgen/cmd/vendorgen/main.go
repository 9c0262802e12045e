// Command vendorgen writes openapi/generic.yaml: the vendor spec's operations
// that openapi/alianza.yaml does not define, without the vendor's prose (see
// package vendorgen for what is copied and what is dropped). Run it from the
// openapi directory with go generate.
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/fakealianza/fakealianza/openapi/internal/vendorgen"
)

func main() {
	vendor := flag.String("vendor", "../../shared/reference/alianza-openapi-vendor.yml", "the vendor's spec")
	ours := flag.String("ours", "alianza.yaml", "the hand-written project spec")
	out := flag.String("out", "generic.yaml", "where to write the generated spec")
	flag.Parse()
	if err := run(*vendor, *ours, *out); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func run(vendorPath, oursPath, outPath string) error {
	v, err := os.ReadFile(vendorPath)
	if err != nil {
		return err
	}
	o, err := os.ReadFile(oursPath)
	if err != nil {
		return err
	}
	gen, err := vendorgen.Generate(v, o)
	if err != nil {
		return err
	}
	return os.WriteFile(outPath, gen, 0o644)
}
