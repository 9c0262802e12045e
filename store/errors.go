package store

import (
	"fmt"
	"net/http"
)

// Error is a rule violation or lookup failure with the status and message code
// Alianza answers with. The HTTP layer renders it as the vendor envelope
// {"status":N,"messages":[Code],"data":Data}.
type Error struct {
	Status int
	Code   string
	Data   any
	// Message is the prose some newer services send beside the code
	// (SpecialtyLineErrorResponse's message); the envelope leaves it out.
	Message string
}

func (e *Error) Error() string {
	if e.Data != nil {
		return fmt.Sprintf("%d %s %v", e.Status, e.Code, e.Data)
	}
	return fmt.Sprintf("%d %s", e.Status, e.Code)
}

// Invalid is a 400 with the given message code, e.g. Invalid("AccountNameRequired").
func Invalid(code string) *Error { return &Error{Status: http.StatusBadRequest, Code: code} }

// InvalidWith is a 400 with a message code and a data payload.
func InvalidWith(code string, data any) *Error {
	return &Error{Status: http.StatusBadRequest, Code: code, Data: data}
}

// NotFound is Alianza's 404 EntityNotFound with data {type, id}.
func NotFound(kind, id string) *Error {
	return &Error{Status: http.StatusNotFound, Code: "EntityNotFound", Data: EntityRef{Type: kind, ID: id}}
}

// NumberRef names a telephone number in an error's data.
func NumberRef(tn string) EntityRef { return EntityRef{Type: "TelephoneNumber", ID: tn} }

// Detail is the data of an error that explains itself in one field: the
// envelope's data is an object (or Alianza's integer 400), never a bare
// string.
type Detail map[string]any

// EntityRef is the data of an EntityNotFound error.
type EntityRef struct {
	Type string `json:"type"`
	ID   string `json:"id"`
}

// Errorf builds an error with any status and code.
func Errorf(status int, code string) *Error { return &Error{Status: status, Code: code} }
