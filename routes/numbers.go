package routes

import (
	"net/http"
	"strconv"

	"github.com/fakealianza/fakealianza/store"
)

// queryFloat reads an optional number query parameter (the spec has checked its form).
func queryFloat(r *Request, name string) *float64 {
	v := r.URL.Query().Get(name)
	if v == "" {
		return nil
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil {
		return nil
	}
	return &f
}

// callerID is the management user a reservation belongs to.
func callerID(r *Request) string {
	if r.Principal == nil {
		return ""
	}
	return r.Principal.User.ID
}

func (a *api) numberRoutes() map[string]Handler {
	st := a.deps.Store
	pid := func(r *Request) string { return r.Vars["partitionId"] }
	aid := func(r *Request) string { return r.Vars["accountId"] }
	tn := func(r *Request) string { return r.Vars["tn"] }
	return map[string]Handler{
		// partition inventory
		"listTnInventory": func(r *Request) (Response, error) {
			list, err := st.Inventory(pid(r))
			return okOr(list, err)
		},
		"createTelephoneNumber": func(r *Request) (Response, error) {
			var in store.TelephoneNumberView
			if err := decode(r, &in); err != nil {
				return Response{}, err
			}
			v, err := st.AddInventoryNumber(pid(r), in)
			if err != nil {
				return Response{}, err
			}
			return JSON(http.StatusCreated, v), nil
		},
		"tnSearch": func(r *Request) (Response, error) {
			q := r.URL.Query()
			hits, err := st.SearchNumbers(pid(r), store.NumberSearch{
				Type: q.Get("type"), Q: q.Get("q"), Lat: queryFloat(r, "lat"), Long: queryFloat(r, "long"),
				MaxResults: queryInt(r, "maxResults"), FunctionType: q.Get("functiontype"), CarrierID: q.Get("carrierId"),
			})
			return okOr(hits, err)
		},
		"statusSearch": func(r *Request) (Response, error) {
			page, err := st.StatusSearch(pid(r), statusQuery(r))
			return okOr(page, err)
		},
		"retrieveTelephoneNumber": func(r *Request) (Response, error) {
			v, err := st.InventoryNumber(pid(r), tn(r))
			return okOr(v, err)
		},
		"deleteTnFromInventory": func(r *Request) (Response, error) {
			return emptyOr(http.StatusNoContent, st.DeleteInventoryNumber(pid(r), tn(r)))
		},
		"reserve": func(r *Request) (Response, error) {
			v, err := st.Reserve(pid(r), tn(r), callerID(r))
			return okOr(v, err)
		},
		"reserveForAccount": func(r *Request) (Response, error) {
			if _, err := st.Account(pid(r), aid(r)); err != nil {
				return Response{}, err
			}
			_, err := st.Reserve(pid(r), tn(r), callerID(r))
			return emptyOr(http.StatusNoContent, err)
		},
		"releaseReservation": func(r *Request) (Response, error) {
			return emptyOr(http.StatusNoContent, st.ReleaseReservation(pid(r), tn(r), callerID(r)))
		},
		"retrieveTelephoneNumberAvailability": func(r *Request) (Response, error) {
			rc, err := st.RateCenterOf(pid(r), tn(r))
			return okOr(rc, err)
		},
		"getRateCenter": func(r *Request) (Response, error) {
			rc, err := st.RateCenterOf(pid(r), tn(r))
			return okOr(rc, err)
		},
		"cooldownRecover": func(r *Request) (Response, error) {
			v, err := st.RecoverCooldown(pid(r), tn(r))
			return okOr(v, err)
		},
		"preValidateAccount": func(r *Request) (Response, error) {
			var in store.Activation
			if err := decode(r, &in); err != nil {
				return Response{}, err
			}
			v, err := st.PrevalidatePort(pid(r), in)
			return okOr(v, err)
		},
		"preValidateAccountTn": func(r *Request) (Response, error) {
			var in store.Activation
			if err := decode(r, &in); err != nil {
				return Response{}, err
			}
			v, err := st.PrevalidateE911(pid(r), in)
			return okOr(v, err)
		},

		// numbers on an account
		"retrieveAccountTelephoneNumbers": func(r *Request) (Response, error) {
			list, err := st.AccountNumbers(pid(r), aid(r))
			return okOr(list, err)
		},
		"createOrAddTelephoneNumberToAccount": func(r *Request) (Response, error) {
			var in store.Activation
			if err := decode(r, &in); err != nil {
				return Response{}, err
			}
			v, err := st.CreateAccountNumbers(pid(r), aid(r), in, actor(r))
			return okOr(v, err)
		},
		"retrieveTelephoneNumberOnAccount": func(r *Request) (Response, error) {
			v, err := st.AccountNumber(pid(r), aid(r), tn(r))
			return okOr(v, err)
		},
		"updateTelephoneNumberOnAccount": func(r *Request) (Response, error) {
			var in store.AccountNumber
			if err := decode(r, &in); err != nil {
				return Response{}, err
			}
			v, err := st.UpdateAccountNumber(pid(r), aid(r), tn(r), in, actor(r))
			return okOr(v, err)
		},
		"patchTelephoneNumberOnAccount": func(r *Request) (Response, error) {
			m, err := patchBody(r)
			if err != nil {
				return Response{}, err
			}
			v, err := st.PatchAccountNumber(pid(r), aid(r), tn(r), m, actor(r))
			return okOr(v, err)
		},
		"deleteTelephoneNumberOnAccount": func(r *Request) (Response, error) {
			return emptyOr(http.StatusNoContent, st.DeleteAccountNumber(pid(r), aid(r), tn(r), actor(r)))
		},
		"destination": func(r *Request) (Response, error) {
			var in store.Destination
			if err := decode(r, &in); err != nil {
				return Response{}, err
			}
			v, err := st.SetDestination(pid(r), aid(r), tn(r), in, actor(r))
			return okOr(v, err)
		},
		"getE911Correction": func(r *Request) (Response, error) {
			v, err := st.E911Correction(pid(r), aid(r), tn(r))
			return okOr(v, err)
		},
		"acceptE911Correction": func(r *Request) (Response, error) {
			v, err := st.AcceptE911Correction(pid(r), aid(r), tn(r), actor(r))
			return okOr(v, err)
		},
		"acceptOriginalE911": func(r *Request) (Response, error) {
			q := r.URL.Query()
			v, err := st.AcceptOriginalE911(pid(r), aid(r), tn(r), q.Get("latitude"), q.Get("longitude"), actor(r))
			return okOr(v, err)
		},
		"retrieveTelephoneNumberUsages": func(r *Request) (Response, error) {
			v, err := st.NumberUsages(pid(r), aid(r), tn(r))
			return okOr(v, err)
		},

		// ports and service activation events
		"retrievePort": func(r *Request) (Response, error) {
			p, err := st.Port(pid(r), aid(r), r.Vars["portId"])
			return okOr(p, err)
		},
		"updatePort": func(r *Request) (Response, error) {
			var in store.Port
			if err := decode(r, &in); err != nil {
				return Response{}, err
			}
			p, err := st.UpdatePort(pid(r), aid(r), r.Vars["portId"], in)
			return okOr(p, err)
		},
		"patchPort": func(r *Request) (Response, error) {
			m, err := patchBody(r)
			if err != nil {
				return Response{}, err
			}
			p, err := st.PatchPort(pid(r), aid(r), r.Vars["portId"], m)
			return okOr(p, err)
		},
		"cancelPort": func(r *Request) (Response, error) {
			return emptyOr(http.StatusNoContent, st.CancelPort(pid(r), aid(r), r.Vars["portId"]))
		},
		"triggerPort": func(r *Request) (Response, error) {
			return emptyOr(http.StatusOK, st.TriggerPort(pid(r), aid(r), r.Vars["portId"]))
		},
		// a port's letter of authorization (deprecated operations)
		"uploadLOA": func(r *Request) (Response, error) {
			f, err := uploadedPart(r)
			if err != nil {
				return Response{}, err
			}
			_, err = st.UploadLOA(pid(r), aid(r), r.Vars["portId"], f.name, f.contentType, f.data)
			return emptyOr(http.StatusOK, err)
		},
		"findLoa": func(r *Request) (Response, error) {
			b, err := st.LOAFile(pid(r), aid(r), r.Vars["portId"])
			if err != nil {
				return Response{}, err
			}
			return Response{Status: http.StatusOK, Raw: b, ContentType: "application/octet-stream"}, nil
		},
		"getLoaMetadata": func(r *Request) (Response, error) {
			l, err := st.LOAMetadata(pid(r), aid(r), r.Vars["portId"])
			return okOr(l, err) // the operation declares no 404: the router makes it a 400
		},
		"getServiceActivationEvents": func(r *Request) (Response, error) {
			e, err := st.ServiceEvent(pid(r), aid(r), r.Vars["referenceId"], r.Vars["serviceType"])
			return okOr(e, err)
		},
		"updateHeldActivation": func(r *Request) (Response, error) {
			var in struct {
				ActivationStatusType string `json:"activationStatusType"`
			}
			if err := decode(r, &in); err != nil {
				return Response{}, err
			}
			e, err := st.ReleaseHeldActivation(pid(r), aid(r), r.Vars["referenceId"], in.ActivationStatusType, actor(r))
			return okOr(e, err)
		},

		// address
		"validateAddress": func(r *Request) (Response, error) {
			q := r.URL.Query()
			return OK(st.ValidateAddress(q.Get("address"), q.Get("country"), q.Get("postalCode"))), nil
		},
		"typeAhead": func(r *Request) (Response, error) {
			q := r.URL.Query()
			return OK(st.TypeAhead(q.Get("address"), q.Get("country"), q.Get("postalCode"))), nil
		},
		"getZipCodeByCityAndState": func(r *Request) (Response, error) {
			return OK(st.ZipCodes(r.Vars["state"], r.Vars["city"])), nil
		},
	}
}

// statusQuery is the activation-event question of statussearch and its
// exports (lists of event and status types; includeSubTns=false matches the
// main number alone).
func statusQuery(r *Request) store.StatusQuery {
	q := r.URL.Query()
	return store.StatusQuery{
		AccountID: q.Get("accountId"), TelephoneNumber: q.Get("telephoneNumber"), DateType: q.Get("dateType"),
		StartDate: q.Get("startDate"), EndDate: q.Get("endDate"),
		EventTypes: queryList(q["eventType"]), StatusTypes: queryList(q["statusType"]),
		OnlyMainTn:       q.Get("includeSubTns") == "false",
		FirstResultIndex: queryInt(r, "firstResultIndex"), MaxResult: queryInt(r, "maxResult"),
	}
}
