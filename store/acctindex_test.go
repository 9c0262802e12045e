package store

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// naiveSearch is the search the index replaces: every account of the
// partition, filtered by a lower-case substring, sorted by number, cut at
// limit.
func naiveSearch(t *testing.T, s *Store, partition, q string, limit int) []AccountView {
	t.Helper()
	list, err := s.Accounts(partition)
	if err != nil {
		t.Fatal(err)
	}
	needle := strings.ToLower(strings.TrimSpace(q))
	var out []AccountView
	for _, a := range list {
		m := map[string]string{}
		if strings.Contains(strings.ToLower(a.AccountNumber), needle) {
			m["accountnumber"] = a.AccountNumber
		}
		if strings.Contains(strings.ToLower(a.AccountName), needle) {
			m["accountname"] = a.AccountName
		}
		if len(m) > 0 {
			out = append(out, AccountView{ID: a.ID, AccountNumber: a.AccountNumber, AccountName: a.AccountName, Matches: m})
		}
	}
	slices.SortFunc(out, func(x, y AccountView) int { return cmp.Compare(x.AccountNumber, y.AccountNumber) })
	if limit > 0 && len(out) > limit {
		out = out[:limit]
	}
	return out
}

// sameHits compares the indexed search with the naive one: same accounts,
// same order, same matches.
func sameHits(t *testing.T, s *Store, partition, q string, limit int) {
	t.Helper()
	got, err := s.SearchAccounts(partition, q, limit)
	if err != nil {
		t.Fatal(err)
	}
	want := naiveSearch(t, s, partition, q, limit)
	if len(got) != len(want) {
		t.Fatalf("q=%q limit %d: %d hits, want %d\ngot  %v\nwant %v", q, limit, len(got), len(want), views(got), views(want))
	}
	for i := range got {
		g, w := got[i], want[i]
		if g.ID != w.ID || g.AccountNumber != w.AccountNumber || g.AccountName != w.AccountName ||
			len(g.Matches) != len(w.Matches) || g.Matches["accountnumber"] != w.Matches["accountnumber"] ||
			g.Matches["accountname"] != w.Matches["accountname"] {
			t.Fatalf("q=%q limit %d: hit %d is %+v, want %+v", q, limit, i, g, w)
		}
	}
}

func views(v []AccountView) []string {
	out := make([]string, len(v))
	for i, x := range v {
		out[i] = x.AccountNumber + "/" + x.AccountName
	}
	return out
}

// searchAlphabet mixes cases, digits, separators and runes whose lower case
// has another length in bytes (İ, ẞ) or none of its own (ß).
var searchAlphabet = []string{"a", "B", "c", "A", "b", "1", "2", "-", " ", "é", "É", "ß", "ẞ", "İ", "ö", "Ö", "z"}

func randomText(r *rand.Rand, minLen, maxLen int) string {
	var b strings.Builder
	for range minLen + r.IntN(maxLen-minLen+1) {
		b.WriteString(searchAlphabet[r.IntN(len(searchAlphabet))])
	}
	return b.String()
}

// randomNeedle is a piece of a stored number or name with its case changed,
// a short or long random text, or an empty or blank q.
func randomNeedle(r *rand.Rand, accts []Account) string {
	switch k := r.IntN(10); {
	case k == 0:
		return []string{"", "  ", " a ", "Z"}[r.IntN(4)]
	case k <= 3:
		return randomText(r, 1, 4)
	case len(accts) == 0:
		return randomText(r, 1, 8)
	default:
		a := accts[r.IntN(len(accts))]
		src := a.AccountNumber
		if r.IntN(2) == 0 {
			src = a.AccountName
		}
		runes := []rune(src)
		i := r.IntN(len(runes))
		j := i + 1 + r.IntN(len(runes)-i)
		piece := string(runes[i:j])
		switch r.IntN(3) {
		case 0:
			piece = strings.ToUpper(piece)
		case 1:
			piece = strings.ToLower(piece)
		}
		return piece
	}
}

// TestSearchIndexMatchesNaiveScan runs random creates, renames (number,
// name, both, neither), deletes, state restores and partition resets on two
// partitions and, after each, compares random searches with a naive scan.
// Rebuilds are made frequent so they are crossed often.
func TestSearchIndexMatchesNaiveScan(t *testing.T) {
	defer func(n int) { compactMin = n }(compactMin)
	compactMin = 4
	for seed := range uint64(4) {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			r := rand.New(rand.NewPCG(seed, 18))
			s := newTree(t)
			partitions := []string{"p1", "p2"}
			for step := range 400 {
				p := partitions[r.IntN(2)]
				accts, err := s.Accounts(p)
				if err != nil {
					t.Fatal(err)
				}
				switch op := r.IntN(20); {
				case op < 9 || len(accts) == 0:
					// Numbers may collide: DuplicateAccountNumber is then the answer.
					s.CreateAccount(p, Account{AccountNumber: randomText(r, 3, 9), AccountName: randomText(r, 3, 12), AccountType: "SIMPLE"}, tester)
				case op < 14:
					a := accts[r.IntN(len(accts))]
					patch := map[string]any{}
					switch r.IntN(4) {
					case 0:
						patch["accountNumber"] = randomText(r, 3, 9)
					case 1:
						patch["accountName"] = randomText(r, 3, 12)
					case 2:
						patch["accountNumber"], patch["accountName"] = strings.ToUpper(a.AccountNumber), randomText(r, 3, 12)
					case 3:
						patch["billingCycleDay"] = 1 + r.IntN(28)
					}
					s.PatchAccount(p, a.ID, patch, tester)
				case op < 18:
					if err := s.DeleteAccount(p, accts[r.IntN(len(accts))].ID, tester); err != nil {
						t.Fatal(err)
					}
				case op == 18:
					if err := s.Restore(s.Snapshot()); err != nil {
						t.Fatal(err)
					}
				default:
					if err := s.ResetPartition(p); err != nil {
						t.Fatal(err)
					}
				}
				if accts, err = s.Accounts(p); err != nil {
					t.Fatal(err)
				}
				if !slices.IsSortedFunc(accts, func(x, y Account) int { return cmp.Compare(x.AccountNumber, y.AccountNumber) }) {
					t.Fatalf("step %d: the list is not in account-number order", step)
				}
				for range 6 {
					q := randomNeedle(r, accts)
					limit := []int{0, 1, 2, 5, 100}[r.IntN(5)]
					sameHits(t, s, p, q, limit)
				}
				if step%50 == 0 {
					checkIndex(t, s)
				}
			}
			checkIndex(t, s)
		})
	}
}

// checkIndex checks every partition's index against its accounts: the order
// holds the live slots by number, each live slot is its account's, and the
// postings of each account's trigrams name its slot.
func checkIndex(t *testing.T, s *Store) {
	t.Helper()
	s.mu.RLock()
	defer s.mu.RUnlock()
	for p, pa := range s.acctsByPartition {
		ix := &pa.idx
		if pa.deferred {
			t.Fatalf("%s: index never built", p)
		}
		inOrder := ix.inOrder()
		if len(inOrder) != len(pa.list) || len(ix.slots)-ix.dead != len(pa.list) {
			t.Fatalf("%s: %d in order, %d live slots, %d accounts", p, len(inOrder), len(ix.slots)-ix.dead, len(pa.list))
		}
		for i, e := range inOrder {
			if i > 0 && inOrder[i-1].key >= e.key {
				t.Fatalf("%s: order %q before %q", p, inOrder[i-1].key, e.key)
			}
			if e.key != e.acct.AccountNumber || pa.list[pa.pos[e.acct.ID]] != e || ix.slots[e.slot] != e {
				t.Fatalf("%s: entry %+v out of step", p, e)
			}
			for _, g := range gramsOf(gramsOf(nil, e.number), e.name) {
				if _, found := slices.BinarySearch(ix.grams[g], e.slot); !found {
					t.Fatalf("%s: %q not under trigram %06x", p, e.key, g)
				}
			}
		}
		for _, blk := range ix.order.blocks {
			if len(blk) == 0 || len(blk) > orderSplit {
				t.Fatalf("%s: block of %d", p, len(blk))
			}
		}
	}
}

// TestSearchIndexAtScale searches a partition large enough for order blocks
// to split and for the walk-first path to be taken, against the naive scan.
func TestSearchIndexAtScale(t *testing.T) {
	s := newTree(t)
	for i := range 3000 {
		// Created out of number order, so inserts land inside blocks.
		n := (i * 7919) % 3000
		if _, err := s.CreateAccount("p1", Account{AccountNumber: fmt.Sprintf("ACC-%05d", n), AccountName: fmt.Sprintf("Customer %d", n%97), AccountType: "SIMPLE"}, tester); err != nil {
			t.Fatal(err)
		}
	}
	checkIndex(t, s)
	for _, q := range []string{"acc", "ACC-0", "customer", "customer 9", "c-02", "00042", "99", "9", "", "zzz", "tomer 4"} {
		for _, limit := range []int{0, 1, 100} {
			sameHits(t, s, "p1", q, limit)
		}
	}
}

// BenchmarkSearchNeedles100k times needles of each kind over 100,000
// accounts with the route's limit of 100: few hits, every account a hit,
// hits only late in number order, no hit, and needles too short for the
// trigrams (the walk in number order: "9" stops soon, "zz" walks all).
func BenchmarkSearchNeedles100k(b *testing.B) {
	s := newTree(b)
	for i := range 100_000 {
		if _, err := s.CreateAccount("p1", Account{AccountNumber: fmt.Sprintf("ACC-%06d", i), AccountName: fmt.Sprintf("Customer %d", i), AccountType: "SIMPLE"}, tester); err != nil {
			b.Fatal(err)
		}
	}
	for _, q := range []string{"customer 4242", "customer", "acc-099", "nobody", "00000", "9", "zz"} {
		b.Run(strings.ReplaceAll(q, " ", "_"), func(b *testing.B) {
			for range b.N {
				if _, err := s.SearchAccounts("p1", q, 100); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
