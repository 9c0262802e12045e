package routes

import (
	"net/http"

	"github.com/fakealianza/fakealianza/authfake"
	"github.com/fakealianza/fakealianza/store"
)

func (a *api) deviceRoutes() map[string]Handler {
	st := a.deps.Store
	line := func(r *Request) (string, string, string) {
		return r.Vars["partitionId"], r.Vars["accountId"], r.Vars["deviceId"]
	}
	// userLine checks that the line of an older per-user path belongs to
	// the user of the path.
	userLine := func(r *Request) error {
		p, acct, id := line(r)
		_, err := st.UserDevice(p, acct, r.Vars["userId"], id)
		return err
	}
	create := func(r *Request, userID string) (Response, error) {
		var in store.Device
		if err := decode(r, &in); err != nil {
			return Response{}, err
		}
		if userID != "" {
			in.UserID = userID
		}
		d, err := st.CreateDevice(r.Vars["partitionId"], r.Vars["accountId"], in, actor(r))
		if err != nil {
			return Response{}, err
		}
		return JSON(http.StatusCreated, d), nil
	}
	put := func(r *Request) (Response, error) {
		var in store.Device
		if err := decode(r, &in); err != nil {
			return Response{}, err
		}
		p, acct, id := line(r)
		d, err := st.UpdateDevice(p, acct, id, in, actor(r))
		return okOr(d, err)
	}
	patch := func(r *Request) (Response, error) {
		m, err := patchBody(r)
		if err != nil {
			return Response{}, err
		}
		p, acct, id := line(r)
		d, err := st.PatchDevice(p, acct, id, m, actor(r))
		return okOr(d, err)
	}
	get := func(r *Request) (Response, error) {
		p, acct, id := line(r)
		d, err := st.Device(p, acct, id)
		return okOr(d, err)
	}
	swap := func(r *Request) (Response, error) {
		var in store.DeviceSwap
		if err := decode(r, &in); err != nil {
			return Response{}, err
		}
		p, acct, id := line(r)
		d, err := st.SwapDevice(p, acct, id, in, actor(r))
		return okOr(d, err)
	}
	return map[string]Handler{
		"listDevices": func(r *Request) (Response, error) {
			q := r.URL.Query()
			list, err := st.Devices(r.Vars["partitionId"], r.Vars["accountId"], q.Get("filterType"), q.Get("filter"))
			return okOr(list, err)
		},
		"createDevice": func(r *Request) (Response, error) { return create(r, "") },
		"getDevice":    get,
		"putDevice":    put,
		"updateDevice": patch,
		"removeDevice": func(r *Request) (Response, error) {
			p, acct, id := line(r)
			return emptyOr(http.StatusNoContent, st.DeleteDevice(p, acct, id, actor(r)))
		},
		"registrationStatus": func(r *Request) (Response, error) {
			p, acct, id := line(r)
			s, err := st.DeviceRegistration(p, acct, id)
			return okOr(s, err)
		},
		"provisioningStatus": func(r *Request) (Response, error) {
			p, acct, id := line(r)
			s, err := st.DeviceProvisioning(p, acct, id)
			return okOr(s, err)
		},
		"swapDevice": swap,
		// the older per-user swap declares no 404: a line not there (or
		// not the user's) is a 400 EntityNotFound (the router's rule)
		"swapDevice_1": func(r *Request) (Response, error) {
			if err := userLine(r); err != nil {
				return Response{}, err
			}
			return swap(r)
		},
		"swapPrevalidate": func(r *Request) (Response, error) {
			p, acct, id := line(r)
			ok, err := st.SwapAvailable(p, acct, id, r.URL.Query().Get("macaddress"))
			return okOr(ok, err)
		},
		"listDeviceLinesForMac": func(r *Request) (Response, error) {
			list, err := st.DevicesByMAC(r.Vars["partitionId"], r.Vars["accountId"], r.Vars["macAddress"])
			return okOr(list, err)
		},
		"deleteDeviceByMac": func(r *Request) (Response, error) {
			return emptyOr(http.StatusOK, st.DeleteDevicesByMAC(r.Vars["partitionId"], r.Vars["accountId"], r.Vars["macAddress"], actor(r)))
		},
		// the older per-user device paths, served from the same device lines
		"listDeviceByUser": func(r *Request) (Response, error) {
			list, err := st.UserDevices(r.Vars["partitionId"], r.Vars["accountId"], r.Vars["userId"])
			return okOr(list, err)
		},
		"createDevice_1": func(r *Request) (Response, error) {
			p, acct := r.Vars["partitionId"], r.Vars["accountId"]
			if _, err := st.EndUser(p, acct, r.Vars["userId"], ""); err != nil {
				return Response{}, err
			}
			return create(r, r.Vars["userId"])
		},
		"getDevice_1": func(r *Request) (Response, error) {
			p, acct, id := line(r)
			d, err := st.UserDevice(p, acct, r.Vars["userId"], id)
			return okOr(d, err)
		},
		"updateDevice_1": func(r *Request) (Response, error) {
			if err := userLine(r); err != nil {
				return Response{}, err
			}
			return put(r)
		},
		"patchDevice": func(r *Request) (Response, error) {
			if err := userLine(r); err != nil {
				return Response{}, err
			}
			return patch(r)
		},
		"removeDevice_1": func(r *Request) (Response, error) {
			if err := userLine(r); err != nil {
				return Response{}, err
			}
			p, acct, id := line(r)
			if err := st.DeleteDevice(p, acct, id, actor(r)); err != nil {
				return Response{}, err
			}
			return OK("deleted"), nil
		},
		"getDeviceTypes": func(r *Request) (Response, error) {
			if p := r.URL.Query().Get("partitionid"); p != "" {
				// A partition in the query is scoped like one in the path.
				if !r.Principal.Partitions[p] {
					return Response{}, authfake.ErrNotPermitted
				}
				list, err := st.DeviceTypesFor(p)
				return okOr(list, err)
			}
			return OK(st.DeviceTypes()), nil
		},
		"getDeviceTypeById": func(r *Request) (Response, error) {
			t, err := st.DeviceType(r.Vars["id"])
			return okOr(t, err)
		},
	}
}
