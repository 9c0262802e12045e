package vendorgen

import (
	"strings"
	"testing"
)

const vendor = `openapi: 3.0.3
info: {title: V, version: '2', description: vendor prose}
paths:
  /v2/kept:
    get:
      tags: [Things]
      summary: SUMMARY PROSE
      description: DESCRIPTION PROSE
      operationId: getThing
      x-codegen-request-body-name: body
      parameters:
        - {name: kind, in: query, description: PARAM PROSE, example: EXAMPLE, schema: {type: string, enum: [A, B]}}
      responses:
        '200':
          description: RESPONSE PROSE
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Thing'}
              examples: {one: {summary: EX PROSE, value: {description: x}}}
        '401':
          description: UNAUTHORIZED PROSE
          content: {application/json: {schema: {$ref: '#/components/schemas/PublicApiException'}}}
  /v2/ours:
    get:
      operationId: ours
      responses: {'200': {description: ok}}
components:
  schemas:
    Thing:
      type: object
      title: TITLE PROSE
      description: SCHEMA PROSE
      required: [description]
      properties:
        description: {type: string, maxLength: 40, description: FIELD PROSE}
        code: {type: string, pattern: '\d+', default: '7'}
    Unused: {type: object}
    PublicApiException: {type: object}
`

const ours = `openapi: 3.0.3
info: {title: t, version: '1'}
paths:
  /v2/ours:
    get: {operationId: ours, responses: {'200': {description: ok}}}
components:
  schemas:
    PublicApiException: {type: object}
`

func TestGenerateCopiesFactsAndDropsProse(t *testing.T) {
	out, err := Generate([]byte(vendor), []byte(ours))
	if err != nil {
		t.Fatal(err)
	}
	doc := string(out)
	for _, prose := range []string{"PROSE", "EXAMPLE", "x-codegen", "examples", "vendor prose"} {
		if strings.Contains(doc, prose) {
			t.Errorf("the output carries %q:\n%s", prose, doc)
		}
	}
	for _, fact := range []string{
		"operationId: getThing", "- Things", "enum:", "- A", "maxLength: 40", `pattern: \d+`, "default: '7'",
		"required:\n        - description", "description:\n          type: string", // a field named description stays
		"description: OK", "$ref: '#/components/responses/Unauthorized'",
	} {
		if !strings.Contains(doc, fact) {
			t.Errorf("the output lacks %q:\n%s", fact, doc)
		}
	}
	for _, absent := range []string{"operationId: ours", "Unused:", "PublicApiException:"} {
		if strings.Contains(doc, absent) {
			t.Errorf("the output has %q (served by hand, unused, or the project's own)", absent)
		}
	}
	idx, err := Index(out)
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"path":"/v2/kept","method":"GET","operationId":"getThing","tags":["Things"]}`; !strings.Contains(string(idx), want) {
		t.Errorf("index %s lacks %s", idx, want)
	}
}
