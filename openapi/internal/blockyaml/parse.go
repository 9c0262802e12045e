// Package blockyaml reads the plain, block-style YAML that fakealianza's own
// spec is written in, straight into the node tree go.yaml.in/yaml/v4 would
// build for it, several times faster than the general parser.
//
// It reads a subset: block mappings and sequences, one-line flow collections,
// plain, quoted and block (| and >) scalars, and comments. Anything else
// (anchors, aliases, tags, directives, multi-line plain or quoted scalars,
// explicit keys, more-indented folded lines, tabs in indentation, duplicate
// keys, ...) answers ErrUnsupported, and the caller parses the document with
// go.yaml.in/yaml/v4 instead. Where it answers a tree, the tree is the one
// yaml/v4 builds (kinds, tags, styles, values, lines, columns; comments are
// left out): the tests hold the two parsers to that.
package blockyaml

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	yaml "go.yaml.in/yaml/v4"
)

// ErrUnsupported says the document uses YAML this package does not read.
var ErrUnsupported = errors.New("blockyaml: unsupported construct")

const (
	strTag   = "!!str"
	nullTag  = "!!null"
	mapTag   = "!!map"
	seqTag   = "!!seq"
	slabSize = 1024
	maxLine  = 4096
)

// line is one line of the document with its indentation measured.
type line struct {
	no     int    // 1-based line number
	indent int    // leading spaces
	text   string // the line after its indentation, without the line break
	blank  bool   // empty, spaces only, or a comment only
}

type parser struct {
	lines   []line
	i       int // the line being read
	slab    []yaml.Node
	plain   map[string]string     // tag of each plain scalar yaml/v4 was asked about
	anchors map[string]*yaml.Node // anchored nodes by name

	unbroken bool // the last line has no line break
}

// keys finds duplicate keys in a mapping: by a scan of the keys read so far
// while there are few (most mappings), then by a set.
type keys map[string]bool

// add records key, given the mapping's content so far, and reports whether
// the mapping already had it.
func (k *keys) add(key string, content []*yaml.Node) bool {
	const few = 16
	if *k == nil {
		for i := 0; i < len(content); i += 2 {
			if content[i].Value == key {
				return true
			}
		}
		if len(content) < 2*few {
			return false
		}
		*k = make(keys, 2*few)
		for i := 0; i < len(content); i += 2 {
			(*k)[content[i].Value] = true
		}
	}
	if (*k)[key] {
		return true
	}
	(*k)[key] = true
	return false
}

// anchorName is the anchor or alias name text starts with: letters,
// digits, _ and - (what yaml/v4 accepts), up to a space, a flow indicator or
// the end; "" when text starts with anything else.
func anchorName(text string) string {
	k := 0
	for k < len(text) {
		c := text[k]
		if c >= '0' && c <= '9' || (c|0x20) >= 'a' && (c|0x20) <= 'z' || c == '_' || c == '-' {
			k++
			continue
		}
		if strings.IndexByte(" ,[]{}", c) < 0 {
			return ""
		}
		break
	}
	return text[:k]
}

// Parse reads a document into a DocumentNode whose only child is its root.
func Parse(src []byte) (*yaml.Node, error) { return ParseAt(src, 1) }

// ParseAt reads src as Parse does, numbering its lines from line: src is a
// run of whole lines cut from a larger document (say, some of the entries of
// a mapping, at their own indentation), and its nodes carry the lines they
// have there. Anchors and aliases are known only within src.
func ParseAt(src []byte, line int) (node *yaml.Node, err error) {
	p := &parser{plain: map[string]string{}}
	if err := p.split(string(src), line); err != nil {
		return nil, err
	}
	defer func() {
		if r := recover(); r != nil {
			if e, ok := r.(unsupported); ok {
				node, err = nil, fmt.Errorf("%w: line %d: %s", ErrUnsupported, e.line, e.why)
				return
			}
			panic(r)
		}
	}()
	p.skipBlank()
	if p.i >= len(p.lines) {
		return nil, fmt.Errorf("%w: empty document", ErrUnsupported)
	}
	if first := p.lines[p.i]; first.indent == 0 && (strings.HasPrefix(first.text, "---") || strings.HasPrefix(first.text, "%")) {
		p.fail("directives and document markers")
	}
	root := p.blockNode(-1)
	p.skipBlank()
	if p.i < len(p.lines) {
		p.fail("content after the root node")
	}
	doc := p.node()
	doc.Kind, doc.Line, doc.Column = yaml.DocumentNode, root.Line, root.Column
	doc.Content = []*yaml.Node{root}
	return doc, nil
}

type unsupported struct {
	line int
	why  string
}

func (p *parser) fail(why string) {
	no := 0
	if p.i < len(p.lines) {
		no = p.lines[p.i].no
	}
	panic(unsupported{no, why})
}

func (p *parser) failAt(no int, why string) { panic(unsupported{no, why}) }

// split cuts the document into lines; a tab among a line's leading spaces is
// refused, even on a line with nothing else.
func (p *parser) split(src string, first int) error {
	if strings.ContainsRune(src, '\r') || strings.HasPrefix(src, "\ufeff") {
		return fmt.Errorf("%w: carriage returns or byte-order mark", ErrUnsupported)
	}
	if !printable(src) {
		return fmt.Errorf("%w: not UTF-8, or characters YAML does not print", ErrUnsupported)
	}
	p.unbroken = !strings.HasSuffix(src, "\n")
	p.lines = make([]line, 0, strings.Count(src, "\n")+1)
	no := first - 1
	for len(src) > 0 {
		no++
		raw := src
		if k := strings.IndexByte(src, '\n'); k >= 0 {
			raw, src = src[:k], src[k+1:]
		} else {
			src = ""
		}
		if len(raw) > maxLine {
			// Columns are counted from the start of a line, once per node.
			return fmt.Errorf("%w: line %d: longer than %d bytes", ErrUnsupported, no, maxLine)
		}
		n := 0
		for n < len(raw) && raw[n] == ' ' {
			n++
		}
		text := raw[n:]
		if strings.HasPrefix(text, "\t") {
			return fmt.Errorf("%w: line %d: tab in indentation", ErrUnsupported, no)
		}
		blank := text == "" || text[0] == '#'
		p.lines = append(p.lines, line{no: no, indent: n, text: text, blank: blank})
	}
	return nil
}

// printable reports whether src is UTF-8 holding only characters YAML
// allows in a document (tabs and line feeds among the controls), and no
// line breaks but line feeds.
func printable(src string) bool {
	for i := 0; i < len(src); {
		c := src[i]
		if c < utf8.RuneSelf {
			if c < 0x20 && c != '\t' && c != '\n' || c == 0x7f {
				return false
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(src[i:])
		// U+0085, U+2028 and U+2029 break lines for yaml/v4; not read here.
		if r == utf8.RuneError && size == 1 || r < 0xA0 || r == 0x2028 || r == 0x2029 || r == 0xFFFE || r == 0xFFFF {
			return false
		}
		i += size
	}
	return true
}

func (p *parser) node() *yaml.Node {
	if len(p.slab) == 0 {
		p.slab = make([]yaml.Node, slabSize)
	}
	n := &p.slab[0]
	p.slab = p.slab[1:]
	return n
}

func (p *parser) skipBlank() {
	for p.i < len(p.lines) && p.lines[p.i].blank {
		p.i++
	}
}

// blockNode reads the node that starts at the current line, whose
// indentation must be deeper than parent.
func (p *parser) blockNode(parent int) *yaml.Node {
	p.skipBlank()
	l := p.lines[p.i]
	if l.indent <= parent {
		p.fail("expected a nested block")
	}
	switch {
	case isEntry(l.text):
		return p.sequence(l.indent)
	case p.keyEnd(l.text) >= 0:
		return p.mapping(l.indent)
	case l.text[0] == '|' || l.text[0] == '>':
		p.fail("block scalar header on a line of its own")
	}
	// A flow collection or a scalar on a line of its own.
	p.i++
	return p.inlineValue(l.text, l.no, l.indent+1, parent)
}

// width is how many columns text takes: yaml/v4 counts characters.
func width(text string) int {
	for i := 0; i < len(text); i++ {
		if text[i] >= utf8.RuneSelf {
			return utf8.RuneCountInString(text)
		}
	}
	return len(text)
}

// isEntry reports whether text starts a block sequence entry.
func isEntry(text string) bool {
	return text == "-" || strings.HasPrefix(text, "- ")
}

func (p *parser) sequence(indent int) *yaml.Node {
	p.skipBlank()
	l := p.lines[p.i]
	seq := p.node()
	seq.Kind, seq.Tag, seq.Line, seq.Column = yaml.SequenceNode, seqTag, l.no, indent+1
	for {
		p.skipBlank()
		if p.i >= len(p.lines) {
			break
		}
		l = p.lines[p.i]
		if l.indent != indent || !isEntry(l.text) {
			if l.indent > indent {
				p.fail("bad indentation in a sequence")
			}
			break
		}
		rest := strings.TrimLeft(l.text[1:], " ")
		if rest == "" || rest[0] == '#' {
			// The entry's value is on the lines below, or is null.
			p.i++
			if p.nextIndent() > indent {
				seq.Content = append(seq.Content, p.blockNode(indent))
			} else {
				seq.Content = append(seq.Content, p.null(l.no, indent+2))
			}
			continue
		}
		// Read the entry as a line of its own, indented to where its content
		// starts: "- a: 1" holds a mapping at that column, "- - x" a sequence.
		col := indent + (len(l.text) - len(rest))
		p.lines[p.i] = line{no: l.no, indent: col, text: rest}
		switch {
		case isEntry(rest) || p.keyEnd(rest) >= 0:
			seq.Content = append(seq.Content, p.blockNode(indent))
		case rest[0] == '|' || rest[0] == '>':
			p.i++
			seq.Content = append(seq.Content, p.blockScalar(rest, l.no, col+1, indent))
		default:
			p.i++
			seq.Content = append(seq.Content, p.inlineValue(rest, l.no, col+1, indent))
		}
	}
	return seq
}

// nextIndent is the indentation of the next line with content, or -1.
func (p *parser) nextIndent() int {
	for j := p.i; j < len(p.lines); j++ {
		if !p.lines[j].blank {
			return p.lines[j].indent
		}
	}
	return -1
}

func (p *parser) mapping(indent int) *yaml.Node {
	l := p.lines[p.i]
	m := p.node()
	m.Kind, m.Tag, m.Line, m.Column = yaml.MappingNode, mapTag, l.no, indent+1
	var seen keys
	for {
		p.skipBlank()
		if p.i >= len(p.lines) {
			break
		}
		l = p.lines[p.i]
		if l.indent < indent {
			break
		}
		if l.indent > indent {
			p.fail("bad indentation in a mapping")
		}
		if isEntry(l.text) {
			break // a sequence at the parent's indentation ends this mapping
		}
		end := p.keyEnd(l.text)
		if end <= 0 {
			p.fail("expected a mapping key")
		}
		if l.text[end-1] == ' ' {
			p.fail("space before a key's colon")
		}
		key := p.scalarToken(l.text[:end], l.no, indent+1, false)
		if seen.add(key.Value, m.Content) {
			p.fail("duplicate key " + strconv.Quote(key.Value))
		}
		rest := l.text[end+1:]
		trimmed := strings.TrimLeft(rest, " ")
		col := indent + width(l.text[:end]) + 2 + (len(rest) - len(trimmed))
		var val *yaml.Node
		p.i++
		switch {
		case trimmed == "" || trimmed[0] == '#':
			switch next := p.nextIndent(); {
			case next > indent:
				val = p.blockNode(indent)
			case next == indent && isEntry(p.lines[p.peekContent()].text):
				val = p.sequence(indent)
			default:
				val = p.null(l.no, indent+width(l.text[:end])+2)
			}
		case trimmed[0] == '|' || trimmed[0] == '>':
			val = p.blockScalar(trimmed, l.no, col, indent)
		default:
			val = p.inlineValue(trimmed, l.no, col, indent)
		}
		m.Content = append(m.Content, key, val)
	}
	return m
}

func (p *parser) peekContent() int {
	j := p.i
	for j < len(p.lines) && p.lines[j].blank {
		j++
	}
	return j
}

func (p *parser) null(no, col int) *yaml.Node {
	n := p.node()
	n.Kind, n.Tag, n.Line, n.Column = yaml.ScalarNode, nullTag, no, col
	return n
}

// keyEnd finds the colon that ends a block mapping key on text, or -1 when
// text is not a "key:" line. A key is a quoted scalar or a plain one.
func (p *parser) keyEnd(text string) int {
	if text == "" {
		return -1
	}
	switch text[0] {
	case '\'', '"':
		end := quotedEnd(text)
		if end < 0 {
			return -1
		}
		k := end
		for k < len(text) && text[k] == ' ' {
			k++
		}
		if k < len(text) && text[k] == ':' && (k+1 == len(text) || text[k+1] == ' ') {
			if k != end {
				return -1 // "'a' : b" is legal YAML but not written here
			}
			return k
		}
		return -1
	case '[', '{', '?', '&', '*', '!', '|', '>', '%', '@', '`', '#', ',':
		return -1
	}
	for k := 0; k < len(text); k++ {
		switch text[k] {
		case ':':
			if k+1 == len(text) || text[k+1] == ' ' {
				return k
			}
		case '#':
			if k > 0 && text[k-1] == ' ' {
				return -1
			}
		}
	}
	return -1
}

// quotedEnd is the index just past the quoted scalar text starts with, or -1.
func quotedEnd(text string) int {
	q := text[0]
	for k := 1; k < len(text); k++ {
		switch {
		case q == '\'' && text[k] == '\'':
			if k+1 < len(text) && text[k+1] == '\'' {
				k++
				continue
			}
			return k + 1
		case q == '"' && text[k] == '\\':
			k++
		case q == '"' && text[k] == '"':
			return k + 1
		}
	}
	return -1
}

// inlineValue reads a value written after "key: " or "- ": a flow
// collection or a scalar, which must end on this line.
func (p *parser) inlineValue(text string, no, col, indent int) *yaml.Node {
	var n *yaml.Node
	var rest string
	switch text[0] {
	case '&', '*':
		pos := 0
		n = p.flowNode(text, &pos, no, col-1, false)
		rest = text[pos:]
	case '[', '{':
		n, rest = p.flow(text, no, col)
	case '\'', '"':
		end := quotedEnd(text)
		if end < 0 {
			p.failAt(no, "quoted scalar runs past its line")
		}
		n, rest = p.scalarToken(text[:end], no, col, false), text[end:]
	default:
		v := text
		if k := strings.Index(v, " #"); k >= 0 {
			v = v[:k]
		}
		v = strings.TrimRight(v, " ")
		if strings.Contains(v, ": ") || strings.HasSuffix(v, ":") {
			p.failAt(no, "mapping inside a plain scalar")
		}
		n, rest = p.scalarToken(v, no, col, false), text[len(v):]
	}
	if t := strings.TrimLeft(rest, " "); t != "" && (t[0] != '#' || t == rest) {
		p.failAt(no, "text after a value") // a comment needs a space before it
	}
	// A plain scalar may go on over more-indented lines; that is not read here.
	if p.nextIndent() > indent {
		p.failAt(no, "value continues on the next line")
	}
	return n
}

// scalarToken makes the node of one quoted or plain scalar token.
func (p *parser) scalarToken(tok string, no, col int, flow bool) *yaml.Node {
	n := p.node()
	n.Kind, n.Line, n.Column = yaml.ScalarNode, no, col
	switch tok[0] {
	case '\'':
		n.Tag, n.Style = strTag, yaml.SingleQuotedStyle
		n.Value = strings.ReplaceAll(tok[1:len(tok)-1], "''", "'")
	case '"':
		n.Tag, n.Style = strTag, yaml.DoubleQuotedStyle
		n.Value = p.unescape(tok[1:len(tok)-1], no)
	default:
		n.Tag, n.Value = p.plainTag(tok, no, flow), tok
	}
	return n
}

func (p *parser) unescape(s string, no int) string {
	if !strings.ContainsRune(s, '\\') {
		return s
	}
	var b strings.Builder
	for k := 0; k < len(s); k++ {
		c := s[k]
		if c != '\\' {
			b.WriteByte(c)
			continue
		}
		k++
		if k >= len(s) {
			p.failAt(no, "bad escape")
		}
		switch s[k] {
		case 'n':
			b.WriteByte('\n')
		case 't', '\t':
			b.WriteByte('\t')
		case '\\', '"', '/':
			b.WriteByte(s[k])
		case 'r':
			b.WriteByte('\r')
		case '0':
			b.WriteByte(0)
		case ' ':
			b.WriteByte(' ')
		case 'u':
			if k+5 > len(s) {
				p.failAt(no, "bad escape")
			}
			r, err := strconv.ParseUint(s[k+1:k+5], 16, 32)
			if err != nil || (r >= 0xD800 && r <= 0xDFFF) {
				p.failAt(no, "bad escape")
			}
			b.WriteRune(rune(r))
			k += 4
		default:
			p.failAt(no, "escape not read here")
		}
	}
	return b.String()
}

// plainTag is the tag yaml/v4 resolves a plain scalar to. Words that start
// with a letter and are not one of YAML's bool or null spellings are strings;
// anything else is asked of yaml/v4 itself, once per distinct text.
func (p *parser) plainTag(v string, no int, flow bool) string {
	if v == "" {
		p.failAt(no, "empty plain scalar")
	}
	c := v[0]
	if strings.ContainsAny(v, "\t") {
		p.failAt(no, "tab in a plain scalar")
	}
	switch c {
	case '-', '?', ':':
		if len(v) == 1 || v[1] == ' ' {
			p.failAt(no, "indicator at the start of a plain scalar")
		}
	case ',', '[', ']', '{', '}', '#', '&', '*', '!', '|', '>', '\'', '"', '%', '@', '`':
		p.failAt(no, "indicator at the start of a plain scalar")
	}
	if flow && strings.ContainsAny(v, ",[]{}") {
		p.failAt(no, "flow indicator in a plain scalar")
	}
	// yaml/v4 resolves by the first character: only digits, signs, dots,
	// ~ and < can start a number, a null or a merge key, and of the words
	// only bool and null spellings are not strings.
	letter := (c|0x20) >= 'a' && (c|0x20) <= 'z'
	if letter && !reserved(v) || !letter && strings.IndexByte("+-.~<0123456789", c) < 0 {
		return strTag
	}
	if tag, ok := p.plain[v]; ok {
		return tag
	}
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(v), &doc); err != nil || len(doc.Content) != 1 {
		p.failAt(no, "plain scalar yaml/v4 does not read alone")
	}
	n := doc.Content[0]
	if n.Kind != yaml.ScalarNode || n.Value != v || n.Style != 0 {
		p.failAt(no, "plain scalar yaml/v4 reads differently alone")
	}
	p.plain[v] = n.Tag
	return n.Tag
}

// reserved reports whether a word could resolve to a bool or a null.
func reserved(v string) bool {
	if len(v) > 5 {
		return false
	}
	switch strings.ToLower(v) {
	case "true", "false", "null", "yes", "no", "on", "off", "y", "n":
		return true
	}
	return false
}

// blockScalar reads a | or > scalar whose header is text; indent is the
// indentation of the key that owns it.
func (p *parser) blockScalar(text string, no, col, indent int) *yaml.Node {
	n := p.node()
	n.Kind, n.Tag, n.Line, n.Column = yaml.ScalarNode, strTag, no, col
	folded := text[0] == '>'
	n.Style = yaml.LiteralStyle
	if folded {
		n.Style = yaml.FoldedStyle
	}
	chomp := byte(0)
	h := text[1:]
	if h != "" && (h[0] == '-' || h[0] == '+') {
		chomp, h = h[0], h[1:]
	}
	if h != "" {
		if t := strings.TrimLeft(h, " "); h[0] != ' ' || (t != "" && t[0] != '#') {
			p.failAt(no, "block scalar header")
		}
	}
	// Content lines: every following line indented deeper than the key, and
	// blank lines among them. Their indentation is the first one's.
	start := p.i
	block := -1
	end := start
	for j := start; j < len(p.lines); j++ {
		l := p.lines[j]
		empty := strings.TrimLeft(l.text, " ") == ""
		if empty {
			if block < 0 && l.indent > 0 {
				p.failAt(l.no, "spaces before a block scalar's first line")
			}
			if block >= 0 && l.indent > block {
				p.failAt(l.no, "spaces-only line inside a block scalar")
			}
			continue
		}
		if block < 0 {
			if l.indent <= indent {
				break
			}
			block = l.indent
		}
		if l.indent < block {
			if l.indent > indent && l.text[0] != '#' {
				p.failAt(l.no, "block scalar line indented less than its first")
			}
			break
		}
		end = j + 1
	}
	if block < 0 {
		p.failAt(no, "empty block scalar")
	}
	var b strings.Builder
	trailing := 0 // line breaks after the last content line
	prevText := false
	for j := start; j < end; j++ {
		l := p.lines[j]
		if strings.TrimLeft(l.text, " ") == "" {
			trailing++
			continue
		}
		content := strings.Repeat(" ", l.indent-block) + l.text
		if folded && (l.indent > block || strings.HasPrefix(l.text, " ")) {
			p.failAt(l.no, "more-indented line in a folded scalar")
		}
		switch {
		case !prevText:
			b.WriteString(strings.Repeat("\n", trailing)) // leading empty lines
		case folded && trailing == 0:
			b.WriteByte(' ')
		case folded:
			b.WriteString(strings.Repeat("\n", trailing))
		default:
			b.WriteString(strings.Repeat("\n", trailing+1))
		}
		b.WriteString(content)
		prevText, trailing = true, 0
	}
	// Line breaks after the last content line: its own (which the
	// document's last line may lack), then one for each blank line before
	// the next key (yaml/v4 counts one the document ends on without a line
	// break too); only keep chomping holds on to these.
	breaks := 1
	if end == len(p.lines) && p.unbroken {
		breaks = 0
	}
	for j := end; j < len(p.lines) && strings.TrimLeft(p.lines[j].text, " ") == ""; j++ {
		end = j + 1
		breaks++
	}
	switch chomp {
	case '-':
	case '+':
		b.WriteString(strings.Repeat("\n", breaks))
	default:
		b.WriteString(strings.Repeat("\n", min(breaks, 1)))
	}
	n.Value = b.String()
	p.i = end
	return n
}

// flow reads a one-line flow collection at the start of text and returns it
// with what follows it on the line.
func (p *parser) flow(text string, no, col int) (*yaml.Node, string) {
	pos := 0
	n := p.flowNode(text, &pos, no, col-1, true)
	return n, text[pos:]
}

// flowNode reads the node at text[*pos]; base is text's column offset; in
// says whether it is inside a flow collection.
func (p *parser) flowNode(text string, pos *int, no, base int, in bool) *yaml.Node {
	skip := func() {
		for *pos < len(text) && text[*pos] == ' ' {
			*pos++
		}
	}
	if *pos >= len(text) {
		p.failAt(no, "flow collection runs past its line")
	}
	switch text[*pos] {
	case '&':
		at := *pos
		name := anchorName(text[at+1:])
		if name == "" {
			p.failAt(no, "anchor without a name")
		}
		*pos += 1 + len(name)
		if *pos >= len(text) || text[*pos] != ' ' {
			p.failAt(no, "anchor not followed by its node")
		}
		skip()
		if *pos >= len(text) || text[*pos] == '#' || text[*pos] == '&' || text[*pos] == '*' {
			p.failAt(no, "anchor on a block node")
		}
		n := p.flowNode(text, pos, no, base, in)
		n.Anchor, n.Line, n.Column = name, no, base+width(text[:at])+1
		if p.anchors == nil {
			p.anchors = map[string]*yaml.Node{}
		}
		p.anchors[name] = n
		return n
	case '*':
		at := *pos
		name := anchorName(text[at+1:])
		target := p.anchors[name]
		if target == nil {
			p.failAt(no, "alias to an unknown anchor")
		}
		*pos += 1 + len(name)
		n := p.node()
		n.Kind, n.Value, n.Alias, n.Line, n.Column = yaml.AliasNode, name, target, no, base+width(text[:at])+1
		return n
	}
	open := text[*pos]
	if open != '[' && open != '{' {
		if !in {
			p.failAt(no, "anchored scalar")
		}
		return p.flowScalar(text, pos, no, base)
	}
	n := p.node()
	n.Line, n.Column, n.Style = no, base+width(text[:*pos])+1, yaml.FlowStyle
	closer := byte(']')
	n.Kind, n.Tag = yaml.SequenceNode, seqTag
	if open == '{' {
		closer = '}'
		n.Kind, n.Tag = yaml.MappingNode, mapTag
	}
	*pos++
	var seen keys
	for {
		skip()
		if *pos >= len(text) {
			p.failAt(no, "flow collection runs past its line")
		}
		if text[*pos] == closer {
			*pos++
			return n
		}
		if len(n.Content) > 0 {
			if text[*pos] != ',' {
				p.failAt(no, "expected , in a flow collection")
			}
			*pos++
			skip()
			if *pos < len(text) && (text[*pos] == closer || text[*pos] == ',') {
				p.failAt(no, "empty entry in a flow collection")
			}
		}
		item := p.flowNode(text, pos, no, base, true)
		skip()
		if open == '[' {
			if *pos < len(text) && text[*pos] == ':' {
				p.failAt(no, "mapping inside a flow sequence")
			}
			n.Content = append(n.Content, item)
			continue
		}
		if item.Kind != yaml.ScalarNode || *pos >= len(text) || text[*pos] != ':' {
			p.failAt(no, "flow mapping entry without a value")
		}
		if seen.add(item.Value, n.Content) {
			p.failAt(no, "duplicate key "+strconv.Quote(item.Value))
		}
		*pos++
		if *pos < len(text) && text[*pos] != ' ' {
			p.failAt(no, "flow mapping value not after ': '")
		}
		skip()
		if *pos >= len(text) || text[*pos] == ',' || text[*pos] == '}' {
			p.failAt(no, "flow mapping entry without a value")
		}
		val := p.flowNode(text, pos, no, base, true)
		n.Content = append(n.Content, item, val)
	}
}

// flowScalar reads a quoted or plain scalar inside a flow collection.
func (p *parser) flowScalar(text string, pos *int, no, base int) *yaml.Node {
	start := *pos
	rest := text[start:]
	if rest[0] == '\'' || rest[0] == '"' {
		end := quotedEnd(rest)
		if end < 0 {
			p.failAt(no, "quoted scalar runs past its line")
		}
		*pos += end
		return p.scalarToken(rest[:end], no, base+width(text[:start])+1, true)
	}
	k := 0
scan:
	for ; k < len(rest); k++ {
		switch rest[k] {
		case ',', ']', '}', '[', '{':
			break scan
		case ':':
			if k+1 == len(rest) || strings.IndexByte(" ,]}", rest[k+1]) >= 0 {
				break scan
			}
		case '#':
			if k > 0 && rest[k-1] == ' ' {
				p.failAt(no, "comment inside a flow collection")
			}
		}
	}
	v := strings.TrimRight(rest[:k], " ")
	if v == "" {
		p.failAt(no, "empty entry in a flow collection")
	}
	*pos += len(v)
	return p.scalarToken(v, no, base+width(text[:start])+1, true)
}
