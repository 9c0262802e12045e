package routes

import (
	"net/http"

	"github.com/fakealianza/fakealianza/store"
)

// sipTrunkRoutes serves SIP trunks (siptrunk_2 and its older alias
// siptrunk, whose operationIds end in Legacy) and trunk groups.
func (a *api) sipTrunkRoutes() map[string]Handler {
	st := a.deps.Store
	ids := func(r *Request) (string, string, string) {
		return r.Vars["partitionId"], r.Vars["accountId"], r.Vars["sipTrunkId"]
	}
	trunk := map[string]Handler{
		"retrieveSipTrunkList": func(r *Request) (Response, error) {
			p, acc, _ := ids(r)
			return okOr(st.SipTrunks(p, acc))
		},
		"createSipTrunk": func(r *Request) (Response, error) {
			var in store.SipTrunk
			if err := decode(r, &in); err != nil {
				return Response{}, err
			}
			p, acc, _ := ids(r)
			return okOr(st.CreateSipTrunk(p, acc, in, actor(r)))
		},
		"validateSipTrunkIpPort": func(r *Request) (Response, error) {
			p, acc, _ := ids(r)
			q := r.URL.Query()
			return okOr(st.SipTrunkIPPortAvailable(p, acc, q.Get("ip"), q.Get("port"), q.Get("trunkId")))
		},
		"retrieveSipTrunk": func(r *Request) (Response, error) {
			return okOr(st.SipTrunk(ids(r)))
		},
		"updateSipTrunk": func(r *Request) (Response, error) {
			var in store.SipTrunk
			if err := decode(r, &in); err != nil {
				return Response{}, err
			}
			p, acc, id := ids(r)
			return okOr(st.UpdateSipTrunk(p, acc, id, in, actor(r)))
		},
		"patchSipTrunk": func(r *Request) (Response, error) {
			in, err := patchBody(r)
			if err != nil {
				return Response{}, err
			}
			p, acc, id := ids(r)
			return okOr(st.PatchSipTrunk(p, acc, id, in, actor(r)))
		},
		"deleteSipTrunk": func(r *Request) (Response, error) {
			p, acc, id := ids(r)
			return emptyOr(http.StatusNoContent, st.DeleteSipTrunk(p, acc, id, actor(r)))
		},
		"retrieveSipTrunkForwardBehavior": func(r *Request) (Response, error) {
			return okOr(st.SipTrunkForward(ids(r)))
		},
		"updateSipTrunkForwardBehavior": func(r *Request) (Response, error) {
			var in store.SipTrunkForwardRules
			if err := decode(r, &in); err != nil {
				return Response{}, err
			}
			p, acc, id := ids(r)
			return emptyOr(http.StatusNoContent, st.SetSipTrunkForward(p, acc, id, in, actor(r)))
		},
		"getRegistrationStatus": func(r *Request) (Response, error) {
			return okOr(st.SipTrunkRegistration(ids(r)))
		},
		"unlockSipTrunk": func(r *Request) (Response, error) {
			p, acc, id := ids(r)
			return okOr(st.UnlockSipTrunk(p, acc, id, actor(r)))
		},
	}
	out := map[string]Handler{}
	for id, h := range trunk {
		out[id] = h
		out[id+"Legacy"] = h
	}

	gids := func(r *Request) (string, string, string) {
		return r.Vars["partitionId"], r.Vars["accountId"], r.Vars["groupId"]
	}
	out["listGroups"] = func(r *Request) (Response, error) {
		p, acc, _ := gids(r)
		return okOr(st.SipTrunkGroups(p, acc))
	}
	out["createGroup"] = func(r *Request) (Response, error) {
		var in store.SipTrunkGroup
		if err := decode(r, &in); err != nil {
			return Response{}, err
		}
		p, acc, _ := gids(r)
		g, err := st.CreateSipTrunkGroup(p, acc, in, actor(r))
		if err != nil {
			return Response{}, err
		}
		return JSON(http.StatusCreated, g), nil
	}
	out["getGroup"] = func(r *Request) (Response, error) { return okOr(st.SipTrunkGroup(gids(r))) }
	out["updateGroup"] = func(r *Request) (Response, error) {
		var in store.SipTrunkGroup
		if err := decode(r, &in); err != nil {
			return Response{}, err
		}
		p, acc, id := gids(r)
		return okOr(st.UpdateSipTrunkGroup(p, acc, id, in, actor(r)))
	}
	out["deleteGroup"] = func(r *Request) (Response, error) {
		p, acc, id := gids(r)
		return emptyOr(http.StatusNoContent, st.DeleteSipTrunkGroup(p, acc, id, actor(r)))
	}
	out["getFailover"] = func(r *Request) (Response, error) { return okOr(st.SipTrunkGroupForward(gids(r))) }
	out["updateFailover"] = func(r *Request) (Response, error) {
		var in store.SipTrunkGroupForwardRules
		if err := decode(r, &in); err != nil {
			return Response{}, err
		}
		p, acc, id := gids(r)
		return okOr(st.SetSipTrunkGroupForward(p, acc, id, in, actor(r)))
	}
	out["adminSetSipTrunkStatus"] = func(r *Request) (Response, error) {
		var in store.TrunkRegistration
		if err := decode(r, &in); err != nil {
			return Response{}, err
		}
		return okOr(st.SetSipTrunkStatus(r.Vars["sipTrunkId"], in))
	}
	return out
}
