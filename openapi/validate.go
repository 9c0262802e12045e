package openapi

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"unicode"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
)

// Failure is a request the spec rejects, as Alianza would answer it: a 400
// with one message code in Alianza's naming style
// (<Field>Required, InvalidValueForField:<field>, InvalidRequestBody).
type Failure struct {
	Status int
	Code   string
	Detail string // kin-openapi's explanation, for logs only
}

// The vendor spec types ids such as routePlanId as uuid; kin-openapi checks
// only the formats it is told of.
func init() {
	openapi3.DefineStringFormatValidator("uuid", openapi3.NewRegexpFormatValidator(openapi3.FormatOfStringForUUIDOfRFC9562))
	// Binary bodies (uploads, greetings, voicemail audio) are checked for
	// presence, not content.
	for _, ct := range []string{"audio/mpeg", "audio/wav", "audio/x-wav", "application/octet-stream", "text/csv"} {
		if openapi3filter.RegisteredBodyDecoder(ct) == nil {
			openapi3filter.RegisterBodyDecoder(ct, openapi3filter.FileBodyDecoder)
		}
	}
}

var requestOptions = &openapi3filter.Options{
	AuthenticationFunc:  openapi3filter.NoopAuthenticationFunc,
	SkipSettingDefaults: true,
}

var requestOptionsNoBody = &openapi3filter.Options{
	AuthenticationFunc:  openapi3filter.NoopAuthenticationFunc,
	SkipSettingDefaults: true,
	ExcludeRequestBody:  true,
}

// ValidateRequest checks parameters and body against the operation. The
// request body must be re-readable (the caller buffers it).
func (s *Spec) ValidateRequest(ctx context.Context, r *http.Request, op *Operation, pathParams map[string]string) *Failure {
	return validateRequest(ctx, r, op, pathParams, requestOptions)
}

// ValidateRequestNoBody checks everything but the body (for bodies too big
// to decode twice, which their handler checks strictly itself).
func (s *Spec) ValidateRequestNoBody(ctx context.Context, r *http.Request, op *Operation, pathParams map[string]string) *Failure {
	return validateRequest(ctx, r, op, pathParams, requestOptionsNoBody)
}

func validateRequest(ctx context.Context, r *http.Request, op *Operation, pathParams map[string]string, opts *openapi3filter.Options) *Failure {
	in := &openapi3filter.RequestValidationInput{
		Request: r, PathParams: pathParams, Route: op.checkRoute(), Options: opts,
	}
	err := openapi3filter.ValidateRequest(ctx, in)
	if err == nil {
		return nil
	}
	return &Failure{Status: http.StatusBadRequest, Code: messageCode(err), Detail: detail(err)}
}

// detail explains a validation error in a line. A schema error's own text
// prints the offending value indented, which costs the square of its depth
// (seconds for a 20 KB body of nested brackets): it is told by its reason
// and place instead.
func detail(err error) string {
	var se *openapi3.SchemaError
	if errors.As(err, &se) {
		return se.Reason + " at /" + strings.Join(se.JSONPointer(), "/")
	}
	return err.Error()
}

// messageCode turns a kin-openapi validation error into an Alianza-style code.
func messageCode(err error) string {
	var re *openapi3filter.RequestError
	if !errors.As(err, &re) {
		return "InvalidRequest"
	}
	var se *openapi3.SchemaError
	schemaErr := errors.As(re.Err, &se)
	switch {
	case re.Parameter != nil:
		name := re.Parameter.Name
		if errors.Is(re.Err, openapi3filter.ErrInvalidRequired) || errors.Is(re.Err, openapi3filter.ErrInvalidEmptyValue) {
			return upperFirst(name) + "Required"
		}
		return "InvalidValueForField:" + name
	case re.RequestBody != nil:
		if errors.Is(re.Err, openapi3filter.ErrInvalidRequired) {
			return "RequestBodyRequired"
		}
		if !schemaErr {
			return "InvalidRequestBody"
		}
		field := lastField(se.JSONPointer())
		if se.SchemaField == "required" && field != "" {
			return upperFirst(field) + "Required"
		}
		if field == "" {
			return "InvalidRequestBody"
		}
		// A field whose bad values Alianza names with a code of its own
		// (InvalidLastName) carries it as x-error-code.
		if se.Schema != nil {
			if code, ok := se.Schema.Extensions["x-error-code"].(string); ok && code != "" {
				return code
			}
		}
		return "InvalidValueForField:" + field
	}
	return "InvalidRequest"
}

// lastField is the last path element that names a field (array indexes skipped).
func lastField(ptr []string) string {
	for i := len(ptr) - 1; i >= 0; i-- {
		if _, err := strconv.Atoi(ptr[i]); err != nil {
			return ptr[i]
		}
	}
	return ""
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	r := []rune(s)
	r[0] = unicode.ToUpper(r[0])
	return strings.ReplaceAll(string(r), "-", "")
}

func (f *Failure) Error() string { return f.Code + ": " + f.Detail }
