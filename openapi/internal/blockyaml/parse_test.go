package blockyaml

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	yaml "go.yaml.in/yaml/v4"
)

// sameTree reports the first difference between two node trees, comments
// aside, or "" when they agree.
func sameTree(got, want *yaml.Node, at string) string {
	if got.Kind != want.Kind || got.Tag != want.Tag || got.Style != want.Style || got.Value != want.Value ||
		got.Line != want.Line || got.Column != want.Column || len(got.Content) != len(want.Content) {
		return fmt.Sprintf("%s:\n got kind=%d tag=%s style=%d value=%q at %d:%d with %d children\nwant kind=%d tag=%s style=%d value=%q at %d:%d with %d children",
			at, got.Kind, got.Tag, got.Style, got.Value, got.Line, got.Column, len(got.Content),
			want.Kind, want.Tag, want.Style, want.Value, want.Line, want.Column, len(want.Content))
	}
	if got.Anchor != want.Anchor || (got.Alias == nil) != (want.Alias == nil) {
		return fmt.Sprintf("%s: anchor %q alias %v, want anchor %q alias %v", at, got.Anchor, got.Alias != nil, want.Anchor, want.Alias != nil)
	}
	if got.Alias != nil && (got.Alias.Line != want.Alias.Line || got.Alias.Column != want.Alias.Column) {
		return fmt.Sprintf("%s: alias to %d:%d, want %d:%d", at, got.Alias.Line, got.Alias.Column, want.Alias.Line, want.Alias.Column)
	}
	for i := range got.Content {
		if d := sameTree(got.Content[i], want.Content[i], fmt.Sprintf("%s/%d", at, i)); d != "" {
			return d
		}
	}
	return ""
}

// agree parses src with both parsers and reports whether this package read
// it; when it did, its tree must be yaml/v4's.
func agree(t *testing.T, src string) bool {
	t.Helper()
	got, err := Parse([]byte(src))
	if err != nil {
		if !errors.Is(err, ErrUnsupported) {
			t.Fatalf("Parse(%q): error %v is not ErrUnsupported", src, err)
		}
		return false
	}
	var want yaml.Node
	if err := yaml.Unmarshal([]byte(src), &want); err != nil {
		t.Fatalf("Parse read %q, which yaml/v4 refuses: %v", src, err)
	}
	if d := sameTree(got, &want, ""); d != "" {
		t.Fatalf("trees differ for %q at %s", src, d)
	}
	return true
}

func TestProjectSpecIsReadAndMatches(t *testing.T) {
	src, err := os.ReadFile("../../alianza.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if !agree(t, string(src)) {
		_, err := Parse(src)
		t.Fatalf("the project's own spec must take the fast path: %v", err)
	}
}

var accepted = []string{
	"a: 1\n",
	"a:\nb: 12\nc: '0'\n",
	"a: b # comment\n# whole line\nc: 'd # not a comment'\n",
	"k: 'it''s'\n",
	"k: \"tab\\there \\\"q\\\" \\\\ \\/ \\u00e9\"\n",
	"d: |-\n  x\n  y\n\ne: >\n  p\n  q\n\n  r\nf: x\n",
	"d: |\n  x\n\n\n  y\n\n\nz: 1\n",
	"d: |+\n  x\n\n\nz: 1\n",
	"d: >-\n  one\n  two\n\n\n  three\n",
	"d: |\n    deep\n    # not a comment\n  # a comment\nz: 1\n",
	"f: [1, x, {k: v}]\ng:\n- 1\n- k: v\n  j: w\n",
	"m: {}\nn: []\no: {$ref: '#/components/x'}\n",
	"h: 2024-01-01\ni: 0x1F\nj: 1e3\nk: yes\nl: -1\nm: .5\nn: ~\no: null\np: True\nq: '-'\n",
	"paths:\n  /v2/partition/{partitionId}:\n    get:\n      responses:\n        '200': {description: ok}\n",
	"s:\n  - a\n  - - b\n    - c\n  -\n    d: 1\n  -\n  - e: 1\n    f: [g, 'h', \"i\"]\n",
	"enum: ['', A, B_C, 'x y']\nurl: http://example.com/a:b\n",
	"k: v\n\n\n# trailing comment\n",
	"- 1\n- two\n",
	"a:\n  b:\n    c: 1\n  d: 2\ne: 3\n",
	"x-ext: {a: [1, {b: c}], d: 'e'}\n",
	"a: -x\nb: a:b\nc: x#y\n",
	"k: \"\"\nl: ''\n",
	"k: [a , b ]\n",
	"k: [a]   \nl: 'q'  \n",
	"\n\n# lead\na: 1\n",
	"200: x\n'201': y\n",
	"a: |\n  text\n",
	"a: {e: &x [A, B]}\nb: {e: *x}\nc: &m {k: v}\nd: *m\ne: [*x, *m]\n",
	"e:\n  {k: v}\nf:\n  plain\ng:\n  'quoted'\nh:\n  [1, 2]\n",
	"just a scalar\n",
	"{a: 1}\n",
	"  a: 1\n  b: [2]\n  c:\n    d: |\n      e\n",
	"    - a\n    - b: 1\n",
	"a: >\n  last\n",
}

var refused = []string{
	"  a: 1\nb: 2\n",
	"a: &x 1\nb: *x\n",
	"a: &x\n  b: 1\nc: *x\n",
	"a: *nothing\n",
	"a: {b: &: 0}\n",
	"a: [&x: 1]\n",
	"a: !!str 1\n",
	"---\na: 1\n",
	"%YAML 1.2\n---\na: 1\n",
	"a: multi\n  line\n",
	"a: 'multi\n  line'\n",
	"a: [1,\n  2]\n",
	"? complex\n: key\n",
	"a: >\n  x\n    more\n  y\n",
	"a: |2\n   x\n",
	"a:\n\tb: 1\n",
	"a: 1\na: 2\n",
	"a: {b: 1, b: 2}\n",
	"a: b: c\n",
	"a: 1\r\nb: 2\r\n",
	"",
	"a: |\n  x\n y\n",
	"a : 1\n",
	"a: \"\\x41\"\n",
	"a: [b, c] d\n",
	"a: [b]#c\n",
	"a: 'b'#c\n",
	"a: {b}\n",
	"a: [b: c]\n",
}

func TestSnippets(t *testing.T) {
	for _, src := range accepted {
		if !agree(t, src) {
			_, err := Parse([]byte(src))
			t.Errorf("Parse(%q) refused: %v", src, err)
		}
	}
	for _, src := range refused {
		if agree(t, src) {
			t.Errorf("Parse(%q) read YAML it should leave to yaml/v4", src)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range append(append([]string{}, accepted...), refused...) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		agree(t, src)
	})
}

func BenchmarkParseSpec(b *testing.B) {
	src, err := os.ReadFile("../../alianza.yaml")
	if err != nil {
		b.Fatal(err)
	}
	b.Run("blockyaml", func(b *testing.B) {
		for b.Loop() {
			if _, err := Parse(src); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("yaml.v4", func(b *testing.B) {
		for b.Loop() {
			var n yaml.Node
			if err := yaml.Unmarshal(src, &n); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// Columns count characters, as yaml/v4's do, and a line long enough to make
// counting them slow is left to yaml/v4.
func TestColumnsAndLongLines(t *testing.T) {
	for _, src := range []string{"ə: x\n", "k: {é: [ü, 'ö', \"ß\"], ñ: &a [x]}\nl: *a\n", "- ə: 1\n  ü:\n"} {
		if !agree(t, src) {
			t.Errorf("Parse(%q) refused", src)
		}
	}
	long := "k: [" + strings.Repeat("x, ", maxLine/3) + "x]\n"
	if _, err := Parse([]byte(long)); !errors.Is(err, ErrUnsupported) {
		t.Errorf("a %d-byte line: %v", len(long), err)
	}
}

// Duplicates are found in mappings of every size, before and after the
// duplicate check switches from a scan to a set.
func TestDuplicateKeysInLargeMappings(t *testing.T) {
	for _, n := range []int{2, 15, 16, 17, 40} {
		for _, dup := range []int{0, n / 2, n - 1} {
			var b strings.Builder
			var flow []string
			for i := 0; i < n; i++ {
				fmt.Fprintf(&b, "k%d: %d\n", i, i)
				flow = append(flow, fmt.Sprintf("k%d: %d", i, i))
			}
			if !agree(t, b.String()) {
				t.Fatalf("%d distinct keys refused", n)
			}
			fmt.Fprintf(&b, "k%d: again\n", dup)
			if _, err := Parse([]byte(b.String())); !errors.Is(err, ErrUnsupported) {
				t.Errorf("block mapping of %d keys with k%d twice: %v", n, dup, err)
			}
			src := "m: {" + strings.Join(append(flow, fmt.Sprintf("k%d: x", dup)), ", ") + "}\n"
			if _, err := Parse([]byte(src)); !errors.Is(err, ErrUnsupported) {
				t.Errorf("flow mapping of %d keys with k%d twice: %v", n, dup, err)
			}
		}
	}
}

// A run of lines cut from a document reads as the same nodes, on the same
// lines, as the document read whole.
func TestParseAtMatchesTheWholeDocument(t *testing.T) {
	src, err := os.ReadFile("../../alianza.yaml")
	if err != nil {
		t.Fatal(err)
	}
	whole, err := Parse(src)
	if err != nil {
		t.Fatal(err)
	}
	var paths *yaml.Node
	top := whole.Content[0]
	for i := 0; i+1 < len(top.Content); i += 2 {
		if top.Content[i].Value == "paths" {
			paths = top.Content[i+1]
		}
	}
	lines := strings.SplitAfter(string(src), "\n")
	// Entries 3 to 9 of paths, cut at the lines they start on.
	from, to := paths.Content[2*3].Line, paths.Content[2*10].Line
	part, err := ParseAt([]byte(strings.Join(lines[from-1:to-1], "")), from)
	if err != nil {
		t.Fatal(err)
	}
	want := *paths
	want.Content = paths.Content[2*3 : 2*10]
	want.Line, want.Column = want.Content[0].Line, want.Content[0].Column
	if d := sameTree(part.Content[0], &want, ""); d != "" {
		t.Fatal(d)
	}
}
