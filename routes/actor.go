package routes

import "github.com/fakealianza/fakealianza/store"

// actor is the caller as account history records it.
func actor(r *Request) store.Actor {
	if r.Principal == nil {
		return store.Actor{}
	}
	u := r.Principal.User
	return store.Actor{UserName: u.Username, UserID: u.ID, UserType: "ManagementUser"}
}
