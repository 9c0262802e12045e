package routes

import (
	"net/http"

	"github.com/fakealianza/fakealianza/store"
)

func (a *api) callingPlanRoutes() map[string]Handler {
	st := a.deps.Store
	modify := func(r *Request) (store.ModifyCallingPlan, error) {
		var m store.ModifyCallingPlan
		if len(r.Body) == 0 {
			return m, store.Invalid("RequestBodyRequired")
		}
		return m, decode(r, &m)
	}
	return map[string]Handler{
		"retrieveCallingPlanProductList": func(r *Request) (Response, error) {
			list, err := st.CallingPlanProducts(r.Vars["partitionId"], r.URL.Query().Get("includeArchived") == "true")
			return okOr(list, err)
		},
		"add_2": func(r *Request) (Response, error) {
			var in store.CallingPlanProduct
			if err := decode(r, &in); err != nil {
				return Response{}, err
			}
			p, err := st.CreateCallingPlanProduct(r.Vars["partitionId"], in)
			return okOr(p, err)
		},
		"get_3": func(r *Request) (Response, error) {
			p, err := st.CallingPlanProduct(r.Vars["partitionId"], r.Vars["cppId"])
			return okOr(p, err)
		},
		"update_5": func(r *Request) (Response, error) {
			var in store.CallingPlanProduct
			if err := decode(r, &in); err != nil {
				return Response{}, err
			}
			p, err := st.UpdateCallingPlanProduct(r.Vars["partitionId"], r.Vars["cppId"], in)
			return okOr(p, err)
		},
		"patch_5": func(r *Request) (Response, error) {
			m, err := patchBody(r)
			if err != nil {
				return Response{}, err
			}
			p, err := st.PatchCallingPlanProduct(r.Vars["partitionId"], r.Vars["cppId"], m)
			return okOr(p, err)
		},
		"archive": func(r *Request) (Response, error) {
			return emptyOr(http.StatusOK, st.ArchiveCallingPlanProduct(r.Vars["partitionId"], r.Vars["cppId"]))
		},
		"getPlans": func(r *Request) (Response, error) {
			q := r.URL.Query()
			list, err := st.AccountCallingPlans(r.Vars["partitionId"], r.Vars["accountId"], q.Get("referenceType"), q.Get("referenceId"))
			return okOr(list, err)
		},
		"addPlan": func(r *Request) (Response, error) {
			m, err := modify(r)
			if err != nil {
				return Response{}, err
			}
			plan, err := st.AddCallingPlan(r.Vars["partitionId"], r.Vars["accountId"], m, actor(r))
			return okOr(plan, err)
		},
		"removePlan": func(r *Request) (Response, error) {
			m, err := modify(r)
			if err != nil {
				return Response{}, err
			}
			plan, err := st.RemoveCallingPlan(r.Vars["partitionId"], r.Vars["accountId"], m, actor(r))
			return okOr(plan, err)
		},
	}
}
