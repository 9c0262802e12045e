// Command vendorgen writes openapi/generic.yaml, the vendor spec's operations
// that openapi/alianza.yaml does not define, and openapi/generic-ops.json,
// the list of those operations, without the vendor's prose (see
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
	index := flag.String("index", "generic-ops.json", "where to write the list of its operations")
	flag.Parse()
	if err := run(*vendor, *ours, *out, *index); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func run(vendorPath, oursPath, outPath, indexPath string) error {
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
	idx, err := vendorgen.Index(gen)
	if err != nil {
		return err
	}
	if err := os.WriteFile(outPath, gen, 0o644); err != nil {
		return err
	}
	return os.WriteFile(indexPath, idx, 0o644)
}
