package openapi

import "github.com/getkin/kin-openapi/openapi3filter"

// The certification report is served as text/markdown; kin-openapi reads
// it as the plain text it is.
func init() { openapi3filter.RegisterBodyDecoder("text/markdown", openapi3filter.PlainBodyDecoder) }
