package store

import (
	"cmp"
	"slices"
	"strings"
)

// The account search index. A partition's accounts are kept twice more
// than in its dense list: in account-number order (acctOrder, blocks of
// slots) and as trigram postings (the ascending slots of the accounts whose
// lower-case number or name holds each three-byte sequence). A needle of
// three bytes or more reads the postings of its trigrams and checks each
// candidate with strings.Contains; a shorter one (or a needle most accounts
// match) walks the accounts in number order and stops at the limit. So a
// search costs what its answer costs, not what the partition holds.
//
// Slots only grow: a deleted or renamed account leaves a dead slot behind
// (nil in slots) that postings still name and searches skip. When dead slots
// outnumber live ones the partition's index is rebuilt from the order, which
// also gives the slots back in number order.

// searchEntry is one account with its lower-case search keys.
type searchEntry struct {
	acct         *Account
	number, name string // lower case
	key          string // the account number as indexed: the order's key
	slot         uint32
}

func (e *searchEntry) matches(needle string) bool {
	return strings.Contains(e.number, needle) || strings.Contains(e.name, needle)
}

// partitionAccounts is a partition's accounts as a dense list (fast to scan)
// with the position of each account id in it, and its search index.
type partitionAccounts struct {
	list     []*searchEntry
	pos      map[string]int
	deferred bool // loading: the index is built once the accounts are in
	idx      acctIndex
}

// acctIndex is one partition's search index.
type acctIndex struct {
	slots   []*searchEntry // by slot; nil: dead
	dead    int
	grams   map[uint32][]uint32 // trigram -> ascending slots
	order   acctOrder
	scratch []uint32
}

// Blocks of the order split above orderSplit slots into halves.
const (
	orderBlock = 512
	orderSplit = 2 * orderBlock
	// walkFactor: a needle of 3+ bytes walks the number order first when
	// its rarest trigram is so common that limit hits are expected within
	// walkFactor*limit*live/rarest accounts, fewer than the rarest's postings.
	walkFactor = 32
)

// compactMin is the fewest dead slots that trigger a rebuild (a variable
// so a test can make rebuilds frequent).
var compactMin = 1024

func newPartitionAccounts(deferred bool) *partitionAccounts {
	pa := &partitionAccounts{pos: map[string]int{}, deferred: deferred}
	pa.idx.grams = map[uint32][]uint32{}
	return pa
}

func (pa *partitionAccounts) put(a *Account) {
	name := strings.ToLower(a.AccountName)
	if i, ok := pa.pos[a.ID]; ok {
		e := pa.list[i]
		if e.key == a.AccountNumber && e.name == name {
			e.acct = a
			return
		}
		if !pa.deferred {
			pa.idx.drop(e)
		}
		ne := &searchEntry{acct: a, number: strings.ToLower(a.AccountNumber), name: name, key: a.AccountNumber}
		pa.list[i] = ne
		if !pa.deferred {
			pa.idx.add(ne)
		}
		return
	}
	e := &searchEntry{acct: a, number: strings.ToLower(a.AccountNumber), name: name, key: a.AccountNumber}
	pa.pos[a.ID] = len(pa.list)
	pa.list = append(pa.list, e)
	if !pa.deferred {
		pa.idx.add(e)
	}
}

func (pa *partitionAccounts) remove(id string) {
	i, ok := pa.pos[id]
	if !ok {
		return
	}
	e := pa.list[i]
	last := len(pa.list) - 1
	pa.list[i] = pa.list[last]
	pa.pos[pa.list[i].acct.ID] = i
	pa.list[last] = nil
	pa.list = pa.list[:last]
	delete(pa.pos, id)
	if !pa.deferred {
		pa.idx.drop(e)
	}
}

// buildIndex indexes the accounts a load put in. Lock held.
func (pa *partitionAccounts) buildIndex() {
	sorted := slices.Clone(pa.list)
	slices.SortFunc(sorted, func(x, y *searchEntry) int { return cmp.Compare(x.key, y.key) })
	pa.idx.rebuild(sorted)
	pa.deferred = false
}

// search gives the entries whose number or name holds needle (lower case),
// in account-number order, at most limit (0: all).
func (pa *partitionAccounts) search(needle string, limit int) []*searchEntry {
	return pa.idx.search(needle, limit, len(pa.list))
}

// gramsOf appends the trigrams of s.
func gramsOf(dst []uint32, s string) []uint32 {
	for i := 0; i+3 <= len(s); i++ {
		dst = append(dst, uint32(s[i])<<16|uint32(s[i+1])<<8|uint32(s[i+2]))
	}
	return dst
}

// entryGrams gives e's distinct trigrams, in ix's scratch space.
func (ix *acctIndex) entryGrams(e *searchEntry) []uint32 {
	g := gramsOf(gramsOf(ix.scratch[:0], e.number), e.name)
	slices.Sort(g)
	g = slices.Compact(g)
	ix.scratch = g
	return g
}

func (ix *acctIndex) add(e *searchEntry) {
	e.slot = uint32(len(ix.slots))
	ix.slots = append(ix.slots, e)
	for _, g := range ix.entryGrams(e) {
		ix.grams[g] = append(ix.grams[g], e.slot)
	}
	ix.order.insert(e.slot, ix.keyOf)
}

func (ix *acctIndex) drop(e *searchEntry) {
	ix.order.remove(e.key, ix.keyOf)
	ix.slots[e.slot] = nil
	ix.dead++
	if ix.dead >= compactMin && ix.dead > len(ix.slots)-ix.dead {
		ix.rebuild(ix.inOrder())
	}
}

func (ix *acctIndex) keyOf(slot uint32) string { return ix.slots[slot].key }

// inOrder lists the live entries in account-number order.
func (ix *acctIndex) inOrder() []*searchEntry {
	out := make([]*searchEntry, 0, len(ix.slots)-ix.dead)
	for _, blk := range ix.order.blocks {
		for _, s := range blk {
			out = append(out, ix.slots[s])
		}
	}
	return out
}

// rebuild indexes sorted (live entries in account-number order) afresh:
// slot i is the i-th account by number; every posting list has the exact
// size.
func (ix *acctIndex) rebuild(sorted []*searchEntry) {
	counts := map[uint32]int{}
	for i, e := range sorted {
		e.slot = uint32(i)
		for _, g := range ix.entryGrams(e) {
			counts[g]++
		}
	}
	// Each list has its own array of the exact size: one that grows later
	// leaves nothing of its old array behind.
	ix.grams = make(map[uint32][]uint32, len(counts))
	for g, n := range counts {
		ix.grams[g] = make([]uint32, 0, n)
	}
	for _, e := range sorted {
		for _, g := range ix.entryGrams(e) {
			ix.grams[g] = append(ix.grams[g], e.slot)
		}
	}
	ix.slots, ix.dead = sorted, 0
	ix.order.blocks = ix.order.blocks[:0]
	for lo := 0; lo < len(sorted); lo += orderBlock {
		hi := min(lo+orderBlock, len(sorted))
		blk := make([]uint32, hi-lo)
		for i := range blk {
			blk[i] = uint32(lo + i)
		}
		ix.order.blocks = append(ix.order.blocks, blk)
	}
}

// search: see partitionAccounts.search. live is the partition's account
// count. It only reads the index (searches share the read lock).
func (ix *acctIndex) search(needle string, limit, live int) []*searchEntry {
	if len(needle) < 3 {
		hits, _ := ix.walk(needle, limit, -1)
		return hits
	}
	grams := gramsOf(nil, needle)
	slices.Sort(grams)
	grams = slices.Compact(grams)
	lists := make([][]uint32, len(grams))
	for i, g := range grams {
		if lists[i] = ix.grams[g]; len(lists[i]) == 0 {
			return nil
		}
	}
	slices.SortFunc(lists, func(x, y []uint32) int { return cmp.Compare(len(x), len(y)) })
	rarest := len(lists[0])
	if limit > 0 {
		// A needle most accounts match finds its limit soon in number order.
		if budget := int(int64(walkFactor) * int64(limit) * int64(live) / int64(rarest)); budget < rarest {
			if hits, done := ix.walk(needle, limit, budget); done {
				return hits
			}
		}
	}
	cand := lists[0]
	for _, l := range lists[1:] {
		if len(cand) <= 16 {
			break // checking the few left costs less than intersecting
		}
		cand = intersect(cand, l)
	}
	var hits []*searchEntry
	for _, s := range cand {
		if e := ix.slots[s]; e != nil && e.matches(needle) {
			hits = keepFirst(hits, e, limit)
		}
	}
	return hits
}

// walk visits the live entries in number order and collects those holding
// needle, until limit hits (0: no limit) or budget visits (<0: no budget).
// done is false when the budget ran out first.
func (ix *acctIndex) walk(needle string, limit, budget int) (hits []*searchEntry, done bool) {
	for _, blk := range ix.order.blocks {
		for _, s := range blk {
			if budget == 0 {
				return hits, false
			}
			budget--
			if e := ix.slots[s]; e.matches(needle) {
				if hits = append(hits, e); len(hits) == limit {
					return hits, true
				}
			}
		}
	}
	return hits, true
}

// keepFirst adds e to hits, kept in number order and to at most limit
// entries (0: no limit).
func keepFirst(hits []*searchEntry, e *searchEntry, limit int) []*searchEntry {
	n := len(hits)
	if n == 0 || hits[n-1].key < e.key {
		if limit > 0 && n == limit {
			return hits
		}
		return append(hits, e)
	}
	i, _ := slices.BinarySearchFunc(hits, e.key, func(h *searchEntry, k string) int { return cmp.Compare(h.key, k) })
	if limit > 0 && n == limit {
		hits = hits[:n-1]
	}
	return slices.Insert(hits, i, e)
}

// intersect gives the values both ascending lists hold; a is the shorter.
// It gallops through b, so a short a costs little against a long b.
func intersect(a, b []uint32) []uint32 {
	out := make([]uint32, 0, len(a))
	j := 0
	for _, x := range a {
		if j >= len(b) {
			break
		}
		if b[j] < x {
			lo, hi := j, j+1 // b[lo] < x
			for hi < len(b) && b[hi] < x {
				lo, hi = hi, j+2*(hi-j)
			}
			hi = min(hi, len(b))
			k, _ := slices.BinarySearch(b[lo+1:hi], x)
			j = lo + 1 + k
		}
		if j < len(b) && b[j] == x {
			out = append(out, x)
			j++
		}
	}
	return out
}

// acctOrder holds a partition's live slots in account-number order, in
// blocks (none empty), so an insert or a removal moves one block's slots.
type acctOrder struct {
	blocks [][]uint32
}

// find gives the block and place where key is or would go.
func (o *acctOrder) find(key string, keyOf func(uint32) string) (b, i int) {
	b, _ = slices.BinarySearchFunc(o.blocks, key, func(blk []uint32, k string) int {
		return cmp.Compare(keyOf(blk[len(blk)-1]), k)
	})
	if b == len(o.blocks) {
		b-- // past every key: the end of the last block
	}
	i, _ = slices.BinarySearchFunc(o.blocks[b], key, func(s uint32, k string) int { return cmp.Compare(keyOf(s), k) })
	return b, i
}

func (o *acctOrder) insert(slot uint32, keyOf func(uint32) string) {
	if len(o.blocks) == 0 {
		o.blocks = append(o.blocks, []uint32{slot})
		return
	}
	b, i := o.find(keyOf(slot), keyOf)
	blk := slices.Insert(o.blocks[b], i, slot)
	if len(blk) <= orderSplit {
		o.blocks[b] = blk
		return
	}
	right := slices.Clone(blk[orderBlock:])
	o.blocks[b] = blk[:orderBlock]
	o.blocks = slices.Insert(o.blocks, b+1, right)
}

// remove takes out the slot whose key is key (keys are unique).
func (o *acctOrder) remove(key string, keyOf func(uint32) string) {
	if len(o.blocks) == 0 {
		return
	}
	b, i := o.find(key, keyOf)
	blk := o.blocks[b]
	if i == len(blk) || keyOf(blk[i]) != key {
		return
	}
	if blk = slices.Delete(blk, i, i+1); len(blk) == 0 {
		o.blocks = slices.Delete(o.blocks, b, b+1)
		return
	}
	o.blocks[b] = blk
}
