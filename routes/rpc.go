package routes

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/fakealianza/fakealianza/openapi"
	"github.com/fakealianza/fakealianza/store"
)

// rpcRoutes serves the action operations of hand-built objects: calling
// plan swaps and account status changes in bulk.
func (a *api) rpcRoutes() map[string]Handler {
	st := a.deps.Store
	swapPlan := func(r *Request, refType, refID string) (Response, error) {
		var in store.CallingPlanSwap
		if len(r.Body) > 0 {
			if err := decode(r, &in); err != nil {
				return Response{}, err
			}
		}
		plans, err := st.SwapCallingPlan(r.Vars["partitionId"], r.Vars["accountId"], refType, refID, in, actor(r))
		return okOr(plans, declaredError(r.Op, err))
	}
	return map[string]Handler{
		"swapCallingPlan": func(r *Request) (Response, error) { return swapPlan(r, "ACCOUNT", "") },
		"swapCallingPlan_2": func(r *Request) (Response, error) {
			return swapPlan(r, "END_USER", r.Vars["userId"])
		},
	}
}

// declaredError keeps an error within the statuses an operation declares:
// where the spec gives an operation no 404 (its only error is a 400), a
// missing object answers 400 with the same message code and data.
func declaredError(op *openapi.Operation, err error) error {
	var se *store.Error
	if !errors.As(err, &se) || se.Status != http.StatusNotFound || declares(op, http.StatusNotFound) {
		return err
	}
	e := *se
	e.Status = http.StatusBadRequest
	return &e
}

// declares reports whether an operation's spec lists a response status.
func declares(op *openapi.Operation, status int) bool {
	route := op.Route()
	return route.Operation != nil && route.Operation.Responses != nil &&
		route.Operation.Responses.Value(strconv.Itoa(status)) != nil
}
