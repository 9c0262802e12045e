package routes

import (
	"net/http"
	"strconv"

	"github.com/fakealianza/fakealianza/openapi"
	"github.com/fakealianza/fakealianza/store"
)

// voiceRoutes serve the voice products with rules of their own (no longer
// generic): specialty lines, business lines and their hunt groups.
func (a *api) voiceRoutes() map[string]Handler {
	st := a.deps.Store
	pa := func(r *Request) (string, string) { return r.Vars["partitionId"], r.Vars["accountId"] }
	return map[string]Handler{
		// ---- specialty lines ----
		"retrieve_specialty_line_by_account": func(r *Request) (Response, error) {
			p, acct := pa(r)
			ls, err := st.SpecialtyLines(p, acct)
			return okOr(ls, err)
		},
		"create_specialty_line": func(r *Request) (Response, error) {
			var in store.SpecialtyLine
			if err := decode(r, &in); err != nil {
				return Response{}, err
			}
			p, acct := pa(r)
			l, err := st.CreateSpecialtyLine(p, acct, in)
			if err != nil {
				return Response{}, err
			}
			return JSON(http.StatusCreated, l), nil
		},
		"retrieve_specialty_line_by_id": func(r *Request) (Response, error) {
			p, acct := pa(r)
			l, err := st.SpecialtyLine(p, acct, r.Vars["lineId"])
			return okOr(l, err)
		},
		"update_specialty_line": func(r *Request) (Response, error) {
			var in store.SpecialtyLine
			if err := decode(r, &in); err != nil {
				return Response{}, err
			}
			p, acct := pa(r)
			l, err := st.UpdateSpecialtyLine(p, acct, r.Vars["lineId"], in)
			return okOr(l, err)
		},
		"delete_specialty_line": func(r *Request) (Response, error) {
			p, acct := pa(r)
			if err := st.DeleteSpecialtyLine(p, acct, r.Vars["lineId"]); err != nil {
				return Response{}, err
			}
			return NoContent(http.StatusNoContent), nil
		},
		"validate_sip_username": func(r *Request) (Response, error) {
			var in struct {
				Username string `json:"username"`
			}
			if err := decode(r, &in); err != nil {
				return Response{}, err
			}
			free, err := st.SipUsernameAvailable(r.Principal.User.PartitionID, in.Username)
			if err != nil {
				return Response{}, err
			}
			return Response{Status: http.StatusOK, Raw: []byte(strconv.FormatBool(free)), ContentType: "text/plain"}, nil
		},

		// ---- business lines ----
		"retrieveBusinessLines": func(r *Request) (Response, error) {
			p, acct := pa(r)
			ls, err := st.BusinessLines(p, acct)
			return okOr(ls, err)
		},
		"createBusinessLine": func(r *Request) (Response, error) {
			var in store.BusinessLine
			if err := decode(r, &in); err != nil {
				return Response{}, err
			}
			p, acct := pa(r)
			l, err := st.CreateBusinessLine(p, acct, in)
			return okOr(l, err)
		},
		"retrieveBusinessLine": func(r *Request) (Response, error) {
			p, acct := pa(r)
			l, err := st.BusinessLine(p, acct, r.Vars["businessLineId"])
			return okOr(l, err)
		},
		"updateBusinessLine": func(r *Request) (Response, error) {
			var in store.BusinessLine
			if err := decode(r, &in); err != nil {
				return Response{}, err
			}
			p, acct := pa(r)
			l, err := st.UpdateBusinessLine(p, acct, r.Vars["businessLineId"], in)
			return okOr(l, err)
		},
		"deleteBusinessLine": func(r *Request) (Response, error) {
			p, acct := pa(r)
			if err := st.DeleteBusinessLine(p, acct, r.Vars["businessLineId"]); err != nil {
				return Response{}, err
			}
			return NoContent(http.StatusOK), nil
		},
		"getBusinessLineCallHandling": func(r *Request) (Response, error) {
			p, acct := pa(r)
			c, err := st.BusinessLineCallHandling(p, acct, r.Vars["businessLineId"])
			return okOr(c, err)
		},
		"putBusinessLineCallHandling": func(r *Request) (Response, error) {
			var in store.LineCallHandling
			if err := decode(r, &in); err != nil {
				return Response{}, err
			}
			a.shapeCallHandling(r, &in)
			p, acct := pa(r)
			c, err := st.SetBusinessLineCallHandling(p, acct, r.Vars["businessLineId"], in)
			return okOr(c, err)
		},

		"retrieveBusinessLinesExpanded": func(r *Request) (Response, error) {
			p, acct := pa(r)
			ls, err := st.BusinessLinesExpanded(p, acct)
			return okOr(ls, err)
		},
		"retrieveBusinessLineExpanded": func(r *Request) (Response, error) {
			p, acct := pa(r)
			l, err := st.BusinessLineExpandedView(p, acct, r.Vars["businessLineId"])
			return okOr(l, err)
		},
		"getBusinessLinePortAssignment": func(r *Request) (Response, error) {
			p, acct := pa(r)
			port, err := st.BusinessLinePortAssignment(p, acct, r.Vars["businessLineId"])
			return okOr(port, err)
		},
		"createBusinessLinePortAssignment": func(r *Request) (Response, error) { return a.writePort(r, true) },
		"updateBusinessLinePortAssignment": func(r *Request) (Response, error) { return a.writePort(r, false) },
		"deleteBusinessLinePortAssignment": func(r *Request) (Response, error) {
			p, acct := pa(r)
			if err := st.DeleteBusinessLinePortAssignment(p, acct, r.Vars["businessLineId"]); err != nil {
				return Response{}, err
			}
			return NoContent(http.StatusOK), nil
		},

		// ---- business-line hunt groups ----
		"retrieveBusinessLineHuntGroups": func(r *Request) (Response, error) {
			p, acct := pa(r)
			gs, err := st.HuntGroups(p, acct)
			return okOr(gs, err)
		},
		"createBusinessLineHuntGroup": func(r *Request) (Response, error) {
			var in store.HuntGroup
			if err := decode(r, &in); err != nil {
				return Response{}, err
			}
			p, acct := pa(r)
			g, err := st.CreateHuntGroup(p, acct, in)
			return okOr(g, err)
		},
		"retrieveBusinessLineHuntGroup": func(r *Request) (Response, error) {
			p, acct := pa(r)
			g, err := st.HuntGroup(p, acct, r.Vars["huntGroupId"])
			return okOr(g, err)
		},
		"updateBusinessLineHuntGroup": func(r *Request) (Response, error) {
			var in store.HuntGroup
			if err := decode(r, &in); err != nil {
				return Response{}, err
			}
			p, acct := pa(r)
			g, err := st.UpdateHuntGroup(p, acct, r.Vars["huntGroupId"], in)
			return okOr(g, err)
		},
		"deleteBusinessLineHuntGroup": func(r *Request) (Response, error) {
			p, acct := pa(r)
			if err := st.DeleteHuntGroup(p, acct, r.Vars["huntGroupId"]); err != nil {
				return Response{}, err
			}
			return NoContent(http.StatusOK), nil
		},
	}
}

// writePort creates or replaces a business line's port assignment.
func (a *api) writePort(r *Request, create bool) (Response, error) {
	var in store.PortAssignment
	if err := decode(r, &in); err != nil {
		return Response{}, err
	}
	port, err := a.deps.Store.SetBusinessLinePortAssignment(r.Vars["partitionId"], r.Vars["accountId"], r.Vars["businessLineId"], in, create)
	return okOr(port, err)
}

// shapeCallHandling fits a call handling's subtyped fields (failover
// actions, ring timeout) to the subtype their @type names, as a typed reader
// of the request does: fields no subtype of that @type has are dropped.
func (a *api) shapeCallHandling(r *Request, c *store.LineCallHandling) {
	req := requestSchema(r.Op.Route().Operation)
	if req == nil || req.Value == nil {
		return
	}
	for name, field := range map[string]*map[string]any{
		"busyFailoverAction": &c.BusyFailoverAction, "unregisteredFailoverAction": &c.UnregisteredFailoverAction,
		"ringTimeoutConfiguration": &c.RingTimeoutConfiguration,
	} {
		if *field == nil || req.Value.Properties[name] == nil {
			continue
		}
		if m, ok := openapi.Shape(req.Value.Properties[name], *field).(map[string]any); ok {
			*field = m
		}
	}
}
