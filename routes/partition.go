package routes

func (a *api) partitionRoutes() map[string]Handler {
	return map[string]Handler{
		"retrieve_2": func(r *Request) (Response, error) {
			p, err := a.deps.Store.Partition(r.Vars["partitionId"])
			if err != nil {
				return Response{}, err
			}
			return OK(p), nil
		},
	}
}
