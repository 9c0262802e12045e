package store

import (
	"slices"
	"strings"
)

// The generic resource engine's store: objects of the vendor operations no
// hand-written rule serves, kept as sent plus the defaults the routes layer
// fills from the spec. An object lives at a concrete path (its collection's
// path and its id) and is filed under its path template, so containment
// follows the path: removing an object, an account or an end user removes
// every generic object under its path, and a partition reset removes those
// whose partitionId is the partition's. When an area earns rules of its own
// it moves out of here into its own store file.

// GenericObject is one stored object of the generic engine.
type GenericObject struct {
	// Path is where the object lives: its collection's path, a slash and its
	// id (e.g. /v2/partition/P/account/A/business-line/ID). A singleton
	// (an object with no id of its own) lives at its collection's path.
	Path string `json:"path"`
	// Collection is the concrete path of the collection it was created in.
	Collection string `json:"collection"`
	// Template is the spec's path template of the object (the item path).
	Template    string         `json:"template"`
	ID          string         `json:"id,omitempty"`
	PartitionID string         `json:"partitionId,omitempty"`
	Body        map[string]any `json:"body"`
}

// genericBook holds the generic objects: by path, each collection's paths
// in creation order, and every path in a tree of its segments, so that what
// lives under a path is found by walking that path, not the whole book.
type genericBook struct {
	generic      map[string]*GenericObject
	genericLists map[string][]string
	genericTree  pathNode
}

// pathNode is one segment of the generic objects' paths.
type pathNode struct {
	kids map[string]*pathNode
	obj  bool // an object lives at this node's path
}

func segments(path string) []string { return strings.Split(strings.Trim(path, "/"), "/") }

// index files path in the tree.
func (b *genericBook) index(path string) {
	n := &b.genericTree
	for _, seg := range segments(path) {
		k := n.kids[seg]
		if k == nil {
			if n.kids == nil {
				n.kids = map[string]*pathNode{}
			}
			k = &pathNode{}
			n.kids[seg] = k
		}
		n = k
	}
	n.obj = true
}

// unindex takes path out of the tree, and the segments left empty.
func (b *genericBook) unindex(path string) {
	segs := segments(path)
	trail := make([]*pathNode, 0, len(segs)+1)
	n := &b.genericTree
	for _, seg := range segs {
		trail = append(trail, n)
		if n = n.kids[seg]; n == nil {
			return
		}
	}
	n.obj = false
	for i := len(segs) - 1; i >= 0 && !n.obj && len(n.kids) == 0; i-- {
		delete(trail[i].kids, segs[i])
		n = trail[i]
	}
}

// under returns the paths of the objects under prefix (a path ending in
// "/"), not prefix's own, and cuts them from the tree.
func (b *genericBook) under(prefix string) []string {
	segs := segments(prefix)
	n := &b.genericTree
	for _, seg := range segs[:len(segs)-1] {
		if n = n.kids[seg]; n == nil {
			return nil
		}
	}
	at := n.kids[segs[len(segs)-1]]
	if at == nil {
		return nil
	}
	var out []string
	var walk func(n *pathNode, path string)
	walk = func(n *pathNode, path string) {
		if n.obj {
			out = append(out, path)
		}
		for seg, k := range n.kids {
			walk(k, path+"/"+seg)
		}
	}
	for seg, k := range at.kids {
		walk(k, strings.TrimSuffix(prefix, "/")+"/"+seg)
	}
	at.kids = nil
	if !at.obj {
		b.unindex(strings.TrimSuffix(prefix, "/")) // prunes the emptied segments
	}
	return out
}

func (b *genericBook) loadGeneric(objs []GenericObject) {
	b.generic = make(map[string]*GenericObject, len(objs))
	b.genericLists = map[string][]string{}
	b.genericTree = pathNode{}
	for i := range objs {
		o := objs[i]
		if o.Body == nil {
			o.Body = map[string]any{}
		}
		if _, dup := b.generic[o.Path]; dup {
			continue
		}
		b.generic[o.Path] = &o
		b.index(o.Path)
		if o.ID != "" {
			b.genericLists[o.Collection] = append(b.genericLists[o.Collection], o.Path)
		}
	}
}

func (b *genericBook) snapshotGeneric(st *State) {
	st.Generic = sortedValues(b.generic, func(o *GenericObject) string { return o.Path })
}

// GenericPut stores o at o.Path, replacing what was there (create, replace,
// merge and singleton writes all end here). It returns a copy. The groups
// of an account have their references checked first (checkGroupRefs).
func (s *Store) GenericPut(o GenericObject) (GenericObject, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.genericPut(o)
}

// genericPut is GenericPut with the lock held.
func (s *Store) genericPut(o GenericObject) (GenericObject, error) {
	o = deepCopy(o)
	if o.Body == nil {
		o.Body = map[string]any{}
	}
	if err := s.checkGroupRefs(&o); err != nil {
		return GenericObject{}, err
	}
	if _, ok := s.generic[o.Path]; !ok {
		s.index(o.Path)
		if o.ID != "" {
			s.genericLists[o.Collection] = append(s.genericLists[o.Collection], o.Path)
		}
	}
	s.generic[o.Path] = &o
	return deepCopy(o), nil
}

// GenericAdd stores o at o.Path as GenericPut does, unless an object is
// there already: then it answers duplicate and changes nothing.
func (s *Store) GenericAdd(o GenericObject, duplicate error) (GenericObject, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, taken := s.generic[o.Path]; taken {
		return GenericObject{}, duplicate
	}
	return s.genericPut(o)
}

// GenericGet returns the object at path.
func (s *Store) GenericGet(path string) (GenericObject, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	o, ok := s.generic[path]
	if !ok {
		return GenericObject{}, false
	}
	return deepCopy(*o), true
}

// GenericList returns a collection's objects in creation order.
func (s *Store) GenericList(collection string) []GenericObject {
	s.mu.RLock()
	defer s.mu.RUnlock()
	paths := s.genericLists[collection]
	out := make([]GenericObject, 0, len(paths))
	for _, p := range paths {
		out = append(out, *s.generic[p])
	}
	return deepCopy(out)
}

// GenericDelete removes the object at path and everything under it, and
// returns what it removed; false when there was none. A call group that a
// paging or pickup group names is refused (groupInUse).
func (s *Store) GenericDelete(path string) (GenericObject, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.generic[path]
	if !ok {
		return GenericObject{}, false, nil
	}
	if err := s.groupInUse(path); err != nil {
		return GenericObject{}, true, err
	}
	out := *o // dropped from the store: nothing else holds it now
	s.dropGeneric(path)
	s.dropGenericUnder(path + "/")
	return out, true, nil
}

// dropGeneric removes one object: the numbers routed to it are unrouted, a
// caller id leaves no mapping to it. Lock held.
func (s *Store) dropGeneric(path string) {
	o, ok := s.generic[path]
	if !ok {
		return
	}
	s.unrouteGeneric(path)
	s.unmapCallerID(path)
	delete(s.generic, path)
	s.unindex(path)
	s.unlist(o.Collection, path)
}

// unlist takes path out of its collection's list. Lock held.
func (s *Store) unlist(collection, path string) {
	if l := slices.DeleteFunc(s.genericLists[collection], func(p string) bool { return p == path }); len(l) > 0 {
		s.genericLists[collection] = l
	} else {
		delete(s.genericLists, collection)
	}
}

// dropGenericUnder removes every generic object whose path starts with
// prefix (a path ending in "/"): its cost is what lies under prefix, found
// in the path tree, and collections under prefix go whole. Lock held.
func (s *Store) dropGenericUnder(prefix string) {
	for _, p := range s.under(prefix) {
		o := s.generic[p]
		s.unrouteGeneric(p)
		delete(s.generic, p)
		switch {
		case o.ID == "": // a singleton is in no list
		case strings.HasPrefix(o.Collection+"/", prefix):
			delete(s.genericLists, o.Collection)
		default:
			s.unlist(o.Collection, p)
		}
	}
}

// CheckParents reports whether the hand-built parents a path names exist:
// the partition, the account in it and the end user in that account (an
// empty id is not checked). Their absence is 404 EntityNotFound, as on the
// hand-built routes.
func (s *Store) CheckParents(partitionID, accountID, userID string) error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if partitionID == "" {
		return nil
	}
	if _, ok := s.partitions[partitionID]; !ok {
		return NotFound("Partition", partitionID)
	}
	if accountID == "" {
		return nil
	}
	a, err := s.account(partitionID, accountID)
	if err != nil {
		return err
	}
	if userID == "" {
		return nil
	}
	if u, ok := s.endUsers[userID]; !ok || u.AccountID != a.ID {
		return NotFound("EndUser", userID)
	}
	return nil
}
