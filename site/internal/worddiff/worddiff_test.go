package worddiff

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestDiff(t *testing.T) {
	tests := []struct {
		name string
		a, b string
		want []Op
		html string
	}{
		{
			name: "word swapped",
			a:    "The army is capped at 600,000 troops",
			b:    "The navy is capped at 600,000 troops",
			want: []Op{{Equal, "The "}, {Delete, "army "}, {Insert, "navy "}, {Equal, "is capped at 600,000 troops"}},
			html: "The <del>army</del> <ins>navy</ins> is capped at 600,000 troops",
		},
		{
			name: "word inserted",
			a:    "the army is big",
			b:    "the large army is big",
			want: []Op{{Equal, "the "}, {Insert, "large "}, {Equal, "army is big"}},
			html: "the <ins>large</ins> army is big",
		},
		{
			name: "words appended",
			a:    "Ukraine's army is capped at 600,000",
			b:    "Ukraine's army is capped at 800,000 in peacetime",
			want: []Op{{Equal, "Ukraine's army is capped at "}, {Delete, "600,000"}, {Insert, "800,000 in peacetime"}},
			html: "Ukraine&#39;s army is capped at <del>600,000</del><ins>800,000 in peacetime</ins>",
		},
		{
			name: "sentence added",
			a:    "Ukraine will not join NATO.",
			b:    "Ukraine will not join NATO. Russia will withdraw its forces.",
			want: []Op{{Equal, "Ukraine will not join NATO."}, {Insert, " Russia will withdraw its forces."}},
			html: "Ukraine will not join NATO. <ins>Russia will withdraw its forces.</ins>",
		},
		{
			name: "sentence removed",
			a:    "Elections are held. Sanctions are lifted. Troops withdraw.",
			b:    "Elections are held. Troops withdraw.",
			want: []Op{{Equal, "Elections are held. "}, {Delete, "Sanctions are lifted. "}, {Equal, "Troops withdraw."}},
			html: "Elections are held. <del>Sanctions are lifted.</del> Troops withdraw.",
		},
		{
			name: "punctuation changed",
			a:    "Sanctions are lifted, gradually.",
			b:    "Sanctions are lifted; gradually.",
			want: []Op{{Equal, "Sanctions are lifted"}, {Delete, ", "}, {Insert, "; "}, {Equal, "gradually."}},
			html: "Sanctions are lifted<del>,</del> <ins>;</ins> gradually.",
		},
		{
			name: "number is one word",
			a:    "capped at 600,000 troops",
			b:    "capped at 800,000 troops",
			want: []Op{{Equal, "capped at "}, {Delete, "600,000 "}, {Insert, "800,000 "}, {Equal, "troops"}},
			html: "capped at <del>600,000</del> <ins>800,000</ins> troops",
		},
		{
			name: "two changes",
			a:    "The parties shall meet in Geneva on 1 May.",
			b:    "The parties shall meet in Istanbul on 15 June.",
			want: []Op{
				{Equal, "The parties shall meet in "}, {Delete, "Geneva "}, {Insert, "Istanbul "},
				{Equal, "on "}, {Delete, "1 May"}, {Insert, "15 June"}, {Equal, "."},
			},
			html: "The parties shall meet in <del>Geneva</del> <ins>Istanbul</ins> on <del>1 May</del><ins>15 June</ins>.",
		},
		{
			name: "short word between changes is folded",
			a:    "The parties agree to a ceasefire now.",
			b:    "The sides demand to end hostilities now.",
			want: []Op{{Equal, "The "}, {Delete, "parties agree to a ceasefire "}, {Insert, "sides demand to end hostilities "}, {Equal, "now."}},
			html: "The <del>parties agree to a ceasefire</del> <ins>sides demand to end hostilities</ins> now.",
		},
		{
			name: "word between long changes is folded",
			a:    "one two three four Kyiv five six seven eight",
			b:    "uno dos tres cuatro Kyiv cinco seis siete ocho",
			want: []Op{{Delete, "one two three four Kyiv five six seven eight"}, {Insert, "uno dos tres cuatro Kyiv cinco seis siete ocho"}},
			html: "<del>one two three four Kyiv five six seven eight</del><ins>uno dos tres cuatro Kyiv cinco seis siete ocho</ins>",
		},
		{
			name: "whitespace changed",
			a:    "first line\n\nsecond line",
			b:    "first line second line",
			want: []Op{{Equal, "first line"}, {Delete, "\n\n"}, {Insert, " "}, {Equal, "second line"}},
			html: "first line\n\n second line",
		},
		{
			name: "trailing space added",
			a:    "capped at 600,000",
			b:    "capped at 600,000 in peacetime",
			want: []Op{{Equal, "capped at 600,000"}, {Insert, " in peacetime"}},
			html: "capped at 600,000 <ins>in peacetime</ins>",
		},
		{
			name: "identical",
			a:    "Nothing changes here.",
			b:    "Nothing changes here.",
			want: []Op{{Equal, "Nothing changes here."}},
			html: "Nothing changes here.",
		},
		{
			name: "empty a",
			a:    "",
			b:    "A new clause.",
			want: []Op{{Insert, "A new clause."}},
			html: "<ins>A new clause.</ins>",
		},
		{
			name: "empty b",
			a:    "An old clause.",
			b:    "",
			want: []Op{{Delete, "An old clause."}},
			html: "<del>An old clause.</del>",
		},
		{
			name: "both empty",
		},
		{
			name: "cyrillic",
			a:    "Численность армии Украины — 600 тысяч",
			b:    "Численность армии Украины — 800 тысяч в мирное время",
			want: []Op{
				{Equal, "Численность армии Украины — "}, {Delete, "600 "}, {Insert, "800 "},
				{Equal, "тысяч"}, {Insert, " в мирное время"},
			},
			html: "Численность армии Украины — <del>600</del> <ins>800</ins> тысяч <ins>в мирное время</ins>",
		},
		{
			name: "html escaped",
			a:    `if a < b & "c" then <b>x</b>`,
			b:    `if a < b & "d" then <b>x</b>`,
			want: []Op{{Equal, `if a < b & "`}, {Delete, "c"}, {Insert, "d"}, {Equal, `" then <b>x</b>`}},
			html: `if a &lt; b &amp; &#34;<del>c</del><ins>d</ins>&#34; then &lt;b&gt;x&lt;/b&gt;`,
		},
		{
			name: "deletions before insertions",
			a:    "alpha beta gamma delta",
			b:    "one beta two delta",
			want: []Op{{Delete, "alpha "}, {Insert, "one "}, {Equal, "beta "}, {Delete, "gamma "}, {Insert, "two "}, {Equal, "delta"}},
			html: "<del>alpha</del> <ins>one</ins> beta <del>gamma</del> <ins>two</ins> delta",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Diff(tt.a, tt.b)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Diff(%q, %q) =\n\t%s\nwant\n\t%s", tt.a, tt.b, format(got), format(tt.want))
			}
			if html := string(HTML(got)); html != tt.html {
				t.Errorf("HTML(Diff(%q, %q)) =\n\t%q\nwant\n\t%q", tt.a, tt.b, html, tt.html)
			}
			checkOps(t, tt.a, tt.b, got)
		})
	}
}

// format prints ops one per line, for readable failures.
func format(ops []Op) string {
	var sb strings.Builder
	for i, op := range ops {
		if i > 0 {
			sb.WriteString("\n\t")
		}
		fmt.Fprintf(&sb, "%v %q", op.Kind, op.Text)
	}
	return sb.String()
}

func TestTokenize(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"", nil},
		{"Ukraine's army", []string{"Ukraine's ", "army"}},
		{"  leading space", []string{"  ", "leading ", "space"}},
		{"600,000 and 3.5% of 1,2", []string{"600,000 ", "and ", "3.5", "% ", "of ", "1,2"}},
		{"peace-keeping, not -war- 'quoted'", []string{"peace-keeping", ", ", "not ", "-", "war", "- ", "'", "quoted", "'"}},
		{"end. Next,then", []string{"end", ". ", "Next", ",", "then"}},
		{"it’s 2024-25 ...", []string{"it’s ", "2024-25 ", ".", ".", "."}},
		{"Армия\u00a0України\n", []string{"Армия\u00a0", "України\n"}},
		{"e\u0301te\u0301", []string{"e\u0301te\u0301"}},
		{"a\xffb", []string{"a", "\xff", "b"}},
		{"x,", []string{"x", ","}},
	}
	for _, tt := range tests {
		var got []string
		for _, tok := range tokenize(nil, tt.in) {
			got = append(got, tok.text)
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("tokenize(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestSimilarity(t *testing.T) {
	tests := []struct {
		a, b string
		want float64
	}{
		{"", "", 1},
		{" ", "\n", 1},
		{"same words", "same words", 1},
		{"one two", "three four", 0},
		{"", "new", 0},
		{"capped at 600,000", "capped at 800,000", 2.0 / 3},
		{"a b c", "a b c d e", 6.0 / 8},
		{"Stop.", "Stop!", 0.5},
	}
	for _, tt := range tests {
		if got := Similarity(Diff(tt.a, tt.b)); got != tt.want {
			t.Errorf("Similarity(Diff(%q, %q)) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestChanged(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{"", "", false},
		{"same", "same", false},
		{"a b", "a  b", true},
		{"a", "b", true},
	}
	for _, tt := range tests {
		if got := Changed(Diff(tt.a, tt.b)); got != tt.want {
			t.Errorf("Changed(Diff(%q, %q)) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
}

// TestDiffReconstructs checks the invariants of Diff on random texts made
// of a few words, so that they share many tokens in many ways.
func TestDiffReconstructs(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	pieces := []string{"a", "b", "the", "600,000", "Ukraine's", "мир", " ", "  ", "\n", ".", ",", "-", "<", "&", "'"}
	text := func() string {
		var sb strings.Builder
		for range r.IntN(30) {
			sb.WriteString(pieces[r.IntN(len(pieces))])
		}
		return sb.String()
	}
	for range 5000 {
		a, b := text(), text()
		checkOps(t, a, b, Diff(a, b))
	}
}

// checkOps checks that ops is a well-formed diff of a and b.
func checkOps(t *testing.T, a, b string, ops []Op) {
	t.Helper()
	var ga, gb strings.Builder
	for i, op := range ops {
		switch op.Kind {
		case Equal:
			ga.WriteString(op.Text)
			gb.WriteString(op.Text)
		case Delete:
			ga.WriteString(op.Text)
		case Insert:
			gb.WriteString(op.Text)
		default:
			t.Fatalf("Diff(%q, %q): op %d has kind %v", a, b, i, op.Kind)
		}
		if op.Text == "" {
			t.Fatalf("Diff(%q, %q): op %d has empty text", a, b, i)
		}
		if i > 0 {
			prev := ops[i-1].Kind
			if prev == op.Kind || prev == Insert && op.Kind == Delete {
				t.Fatalf("Diff(%q, %q): op %d: %v follows %v\n\t%s", a, b, i, op.Kind, prev, format(ops))
			}
		}
	}
	if ga.String() != a || gb.String() != b {
		t.Fatalf("Diff(%q, %q) reconstructs %q and %q\n\t%s", a, b, ga.String(), gb.String(), format(ops))
	}
	if got, want := Changed(ops), a != b; got != want {
		t.Fatalf("Changed(Diff(%q, %q)) = %v, want %v", a, b, got, want)
	}
	s := Similarity(ops)
	if s < 0 || s > 1 || a == b && s != 1 {
		t.Fatalf("Similarity(Diff(%q, %q)) = %v", a, b, s)
	}
	if err := checkTags(string(HTML(ops))); err != nil {
		t.Fatalf("HTML(Diff(%q, %q)): %v", a, b, err)
	}
}

// checkTags checks that the <del> and <ins> elements of html are balanced
// and not nested, and that it has no other tags.
func checkTags(html string) error {
	open := ""
	for i := 0; i < len(html); i++ {
		if html[i] != '<' {
			continue
		}
		var tag string
		for _, t := range []string{"<del>", "</del>", "<ins>", "</ins>"} {
			if strings.HasPrefix(html[i:], t) {
				tag = t
			}
		}
		switch {
		case tag == "":
			return fmt.Errorf("unescaped < at offset %d in %q", i, html)
		case tag[1] != '/' && open != "":
			return fmt.Errorf("%s inside %s at offset %d in %q", tag, open, i, html)
		case tag[1] == '/' && "<"+tag[2:] != open:
			return fmt.Errorf("%s closes %q at offset %d in %q", tag, open, i, html)
		case tag[1] == '/':
			open = ""
		default:
			open = tag
		}
	}
	if open != "" {
		return fmt.Errorf("unclosed %s in %q", open, html)
	}
	return nil
}

// TestScriptMinimal compares the number of edits of script with the
// length of a longest common subsequence, computed the slow way.
func TestScriptMinimal(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	seq := func(alphabet int) []int {
		s := make([]int, r.IntN(40))
		for i := range s {
			s[i] = r.IntN(alphabet)
		}
		return s
	}
	for i := range 20000 {
		alphabet := 2 + i%6
		a, b := seq(alphabet), seq(alphabet)
		runs := script(a, b)
		edits, ai, bi := 0, 0, 0
		for _, run := range runs {
			switch run.kind {
			case Equal:
				for k := range run.n {
					if a[ai+k] != b[bi+k] {
						t.Fatalf("script(%v, %v) = %v matches %d with %d", a, b, runs, a[ai+k], b[bi+k])
					}
				}
				ai, bi = ai+run.n, bi+run.n
			case Delete:
				ai += run.n
				edits += run.n
			case Insert:
				bi += run.n
				edits += run.n
			}
		}
		if ai != len(a) || bi != len(b) {
			t.Fatalf("script(%v, %v) = %v covers %d and %d tokens", a, b, runs, ai, bi)
		}
		if want := len(a) + len(b) - 2*lcs(a, b); edits != want {
			t.Fatalf("script(%v, %v) = %v has %d edits, want %d", a, b, runs, edits, want)
		}
	}
}

func lcs(a, b []int) int {
	prev, cur := make([]int, len(b)+1), make([]int, len(b)+1)
	for i := range a {
		for j := range b {
			if a[i] == b[j] {
				cur[j+1] = prev[j] + 1
			} else {
				cur[j+1] = max(prev[j+1], cur[j])
			}
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// TestScriptBound checks that texts differing in more than maxEdits tokens
// get the coarse diff, and texts differing in fewer a minimal one.
func TestScriptBound(t *testing.T) {
	distinct := func(n, from int) []int {
		s := make([]int, n)
		for i := range s {
			s[i] = from + i
		}
		return s
	}
	// a and b share every other token: maxEdits edits are needed when
	// each has maxEdits tokens of its own.
	interleave := func(n, from int) []int {
		s := make([]int, 2*n+1)
		for i := range s {
			if i%2 == 1 {
				s[i] = from + i
			}
		}
		return s
	}
	tests := []struct {
		a, b []int
		want []run
	}{
		{distinct(5000, 0), distinct(5000, 5000), []run{{Delete, 5000}, {Insert, 5000}}},
		{interleave(maxEdits/2, 0), interleave(maxEdits/2, 1e6), nil},
		{interleave(maxEdits, 0), interleave(maxEdits, 1e6), []run{{Equal, 1}, {Delete, 2*maxEdits - 1}, {Insert, 2*maxEdits - 1}, {Equal, 1}}},
	}
	for i, tt := range tests {
		got := script(tt.a, tt.b)
		if tt.want == nil {
			if len(got) != 3*maxEdits/2+1 {
				t.Errorf("%d: script returned %d runs, want %d", i, len(got), 3*maxEdits/2+1)
			}
			continue
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%d: script = %v, want %v", i, got, tt.want)
		}
	}
}

// TestDiffLongTime checks that two long unrelated texts, the worst case
// for the search, take milliseconds, not seconds.
func TestDiffLongTime(t *testing.T) {
	if testing.Short() {
		t.Skip("slow")
	}
	a, b := prose(1, 5000), prose(2, 5000)
	start := time.Now()
	ops := Diff(a, b)
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("Diff of two unrelated %d-byte texts took %v", len(a)+len(b), d)
	}
	checkOps(t, a, b, ops)
}

// prose returns n words of random text resembling a treaty.
func prose(seed uint64, n int) string {
	words := strings.Fields(`the parties shall agree that Ukraine Russia army forces troops of
		in on at by with for to and or not no is are be will may must all any each
		territory border security guarantees sanctions ceasefire agreement article
		clause government council members states international peace talks withdraw
		from within days months years 600,000 800,000 NATO Europe United States
		elections referendum status language church assets frozen fund reconstruction
		nuclear plant Zaporizhzhia Donbas Crimea Kherson line contact zone buffer
		demilitarized monitoring commission report violations prisoners exchange
		amnesty humanitarian aid grain exports Black Sea ports navigation free`)
	r := rand.New(rand.NewPCG(seed, 0))
	var sb strings.Builder
	for i := range n {
		if i > 0 {
			switch {
			case r.IntN(12) == 0:
				sb.WriteString(". ")
			case r.IntN(10) == 0:
				sb.WriteString(", ")
			default:
				sb.WriteString(" ")
			}
		}
		sb.WriteString(words[r.IntN(len(words))])
	}
	sb.WriteString(".")
	return sb.String()
}

// revise returns text with about one word in twenty replaced, deleted or
// followed by a new word.
func revise(seed uint64, text string) string {
	r := rand.New(rand.NewPCG(seed, 1))
	fields := strings.Fields(text)
	var out []string
	for _, f := range fields {
		switch r.IntN(60) {
		case 0:
			out = append(out, "revised")
		case 1:
		case 2:
			out = append(out, f, "inserted")
		default:
			out = append(out, f)
		}
	}
	return strings.Join(out, " ")
}

func TestDiffRevised(t *testing.T) {
	a := prose(3, 150)
	b := revise(4, a)
	ops := Diff(a, b)
	checkOps(t, a, b, ops)
	if s := Similarity(ops); s < 0.9 {
		t.Errorf("Similarity of a revised clause = %v, want at least 0.9\n\t%s", s, format(ops))
	}
}

func FuzzDiff(f *testing.F) {
	f.Add("Ukraine's army is capped at 600,000", "Ukraine's army is capped at 800,000 in peacetime")
	f.Add("", "")
	f.Add("a b c", "")
	f.Add("  x\n\ny", "x y\t")
	f.Add("Численность армии — 600 тысяч", "Численность армии — 800 тысяч.")
	f.Add(`<b>&amp;</b> "q"`, `<i>&lt;</i> 'q'`)
	f.Add("a\xffb\u2003c", "a\u2002c\xe2")
	// A Differ used again must give what a fresh one gives, whatever it
	// compared before: it is kept across inputs.
	var mu sync.Mutex
	var used Differ
	f.Fuzz(func(t *testing.T, a, b string) {
		ops := Diff(a, b)
		checkOps(t, a, b, ops)
		mu.Lock()
		again := used.Diff(a, b)
		mu.Unlock()
		if !slices.Equal(again, ops) {
			t.Fatalf("a Differ used before: Diff(%q, %q) = %v, want %v", a, b, again, ops)
		}
	})
}

func BenchmarkDiff(b *testing.B) {
	clause := prose(5, 150)
	long1, long2 := prose(6, 5000), prose(7, 5000)
	benchmarks := []struct {
		name string
		a, b string
	}{
		{"revised-150-words", clause, revise(8, clause)},
		{"unrelated-5000-words", long1, long2},
		{"revised-5000-words", long1, revise(9, long1)},
	}
	for _, bm := range benchmarks {
		b.Run(bm.name, func(b *testing.B) {
			b.SetBytes(int64(len(bm.a) + len(bm.b)))
			for b.Loop() {
				Diff(bm.a, bm.b)
			}
		})
	}
}
