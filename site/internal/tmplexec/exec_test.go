package tmplexec

import (
	"bytes"
	"errors"
	"fmt"
	"html/template"
	"reflect"
	"runtime"
	"strings"
	"testing"
)

type item struct {
	Name  string
	Count int
	Tags  []string
	Next  *item
	Any   any
	Kind  kindName
	Ratio float64
	Safe  template.HTML
	URL   string
	Flag  bool
	Small uint8
	Num   *float64
	hid   string
}

type kindName string

func (i *item) Upper() string               { return strings.ToUpper(i.Name) }
func (i *item) Greet(who string) string     { return "hello " + who + " from " + i.Name }
func (i *item) Fails() (string, error)      { return "", errors.New("no") }
func (i item) Twice() int                   { return i.Count * 2 }
func (i *item) Pair(a int, b string) string { return fmt.Sprint(a, b) }

type page struct {
	Title string
	Items []*item
	Vals  []item
	Top   *item
	Nil   *item
	Map   map[string]int
	N     int
}

var testFuncs = template.FuncMap{
	"shout":  strings.ToUpper,
	"join":   func(sep string, xs ...string) string { return strings.Join(xs, sep) },
	"first":  func(xs []*item) *item { return xs[0] },
	"second": func(xs []*item) *item { return xs[1] },
	"html2":  func(s string) template.HTML { return template.HTML("<b>" + s + "</b>") },
	"pct":    func(f float64) int { return int(f*100 + 0.5) },
	"oops":   func() (string, error) { return "", errors.New("oops") },
	"panics": func() string { panic("boom") },
	"itemOf": func(p *page) item { return *p.Top },
	"num":    func(f float64) string { return fmt.Sprint(f * 2) },
	"ptr":    func(i *item) string { return i.Name },
	"typeOf": func(v any) string { return fmt.Sprintf("%T", v) },
	"anyOf":  func(i *item) any { return i.Any },
}

// testTyped holds testFuncs' functions of one argument as Typed makes
// them. anyOf returns an interface: Compile must ignore it.
var testTyped = map[string]Func{
	"shout":  Typed(strings.ToUpper),
	"first":  Typed(func(xs []*item) *item { return xs[0] }),
	"second": Typed(func(xs []*item) *item { return xs[1] }),
	"html2":  Typed(func(s string) template.HTML { return template.HTML("<b>" + s + "</b>") }),
	"pct":    Typed(func(f float64) int { return int(f*100 + 0.5) }),
	"itemOf": Typed(func(p *page) item { return *p.Top }),
	"num":    Typed(func(f float64) string { return fmt.Sprint(f * 2) }),
	"ptr":    Typed(func(i *item) string { return i.Name }),
	"typeOf": Typed(func(v any) string { return fmt.Sprintf("%T", v) }),
	"anyOf":  Typed(func(i *item) any { return i.Any }),
}

func testPage() *page {
	f := 1.25
	a := &item{Num: &f, Name: "a&b <c>", Count: 2, Tags: []string{"x", "y+z"}, Kind: "k'1", Ratio: 0.66, Safe: "<i>ok</i>", URL: "https://e.com/a b?q=1&r=é", Flag: true, Small: 3}
	b := &item{Name: "second", Count: 0, Next: a, Any: 42, URL: "javascript:alert(1)"}
	c := &item{Name: "third", Any: "str\"", URL: "/x/%41%zz", Tags: []string{}}
	return &page{
		Title: "T\x00itle \"q\" + 'a'",
		Items: []*item{a, b, c},
		Vals:  []item{*a, *b},
		Top:   a,
		Map:   map[string]int{"one": 1},
		N:     3,
	}
}

func TestExecuteMatchesHTMLTemplate(t *testing.T) {
	tests := []struct {
		name, text string
		gaveUp     bool // the page needs html/template
	}{
		{"text", `plain <b>text</b>`, false},
		{"field", `<p>{{.Title}}</p>`, false},
		{"chain", `<p>{{.Top.Name}} {{.Top.Next}}</p>`, false},
		{"method", `<p>{{.Top.Upper}} {{.Top.Twice}}</p>`, false},
		{"value method", `{{range .Vals}}{{.Twice}} {{.Upper}}|{{end}}`, false},
		{"method args", `{{.Top.Greet "you"}} {{.Top.Pair 3 "x"}}`, false},
		{"method final", `{{"me" | .Top.Greet}}`, false},
		{"attr", `<a title="{{.Title}}" data-k="{{.Top.Kind}}">x</a>`, false},
		{"url start", `<a href="{{.Top.URL}}">x</a>{{range .Items}}<a href="{{.URL}}">y</a>{{end}}`, false},
		{"url path", `<a href="/items/{{.Top.Name}}/">x</a>`, false},
		{"url query", `<a href="/s?q={{.Top.Name}}&t={{.Top.URL}}">x</a>`, false},
		{"css", `<li style="--depth: {{.N}}">x</li><li style="--d: {{.Top.Name}}">y</li>`, false},
		{"rcdata", `<title>{{.Title}} {{.Top.Safe}}</title>`, false},
		{"safe html", `<div>{{.Top.Safe}}{{html2 .Top.Name}}</div>`, false},
		{"safe in attr", `<a title="{{.Top.Safe}}">x</a>`, true},
		{"if else", `{{if .Top.Flag}}yes{{else}}no{{end}}{{if .Nil}}a{{else if .N}}b{{else}}c{{end}}`, false},
		{"with", `{{with .Top}}{{.Name}}{{end}}{{with .Nil}}x{{else}}none{{end}}{{with .Top.Tags}}{{len .}}{{end}}`, false},
		{"else with", `{{with .Nil}}a{{else with .Top}}{{.Count}}{{end}}`, false},
		{"range", `{{range $i, $x := .Items}}{{$i}}={{$x.Name}};{{else}}empty{{end}}`, false},
		{"range nil pointer", `{{range .Nil}}{{end}}`, true},
		{"range one var", `{{range $x := .Top.Tags}}[{{$x}}]{{end}}`, false},
		{"range empty", `{{range .Items}}{{range .Tags}}<{{.}}>{{else}}none{{end}}{{end}}`, false},
		{"break continue", `{{range .Items}}{{if not .Count}}{{continue}}{{end}}{{.Name}}{{if .Flag}}{{break}}{{end}}{{end}}`, false},
		{"variables", `{{$t := .Title}}{{$n := 0}}{{range .Items}}{{$n = .Count}}{{$t}}{{end}}{{$n}}{{$.N}}`, false},
		{"scopes", `{{$x := 1}}{{if true}}{{$x := 2}}{{$x}}{{end}}{{$x}}`, false},
		{"template", `{{define "t"}}<i>{{.Name}}</i>{{end}}{{range .Items}}{{template "t" .}}{{end}}{{template "u"}}{{define "u"}}u{{.}}{{end}}`, false},
		{"recursion", `{{define "r"}}{{.Name}}{{with .Next}}>{{template "r" .}}{{end}}{{end}}{{template "r" (second .Items)}}`, false},
		{"funcs", `{{shout .Top.Name}} {{join ", " "a" "b" .Top.Name}} {{(first .Items).Name}} {{pct .Top.Ratio}}`, false},
		{"func pipe", `{{.Top.Name | shout}} {{.Title | printf "%q"}}`, true},
		{"func value", `{{with itemOf .}}{{.Twice}}{{.Name}}{{end}}`, false},
		{"value without pointer method", `{{with itemOf .}}{{.Upper}}{{end}}`, true},
		{"and or", `{{and .Top.Flag .N}} {{or .Nil .Top.Count}} {{and .Top .Nil}} {{or 0 ""}} {{if and .Top (not .Nil)}}ok{{end}}`, false},
		{"compare", `{{eq .N 3}} {{eq .Top.Kind "x" "k'1"}} {{ne .N 2}} {{lt .N 4}} {{le 3 .N}} {{gt .Top.Ratio 0.5}} {{ge .Top.Small 3}} {{eq .Top.Small .N}}`, false},
		{"compare bad", `{{eq .Top .Top}}`, true},
		{"compare signs", `{{lt -1 .Top.Small}} {{eq -1 .Top.Small}} {{gt .Top.Small -1}} {{le .Top.Small 3}} {{ge -2 .Top.Small}}`, false},
		{"compare bools", `{{eq true .Top.Flag}} {{ne .Top.Flag false}} {{eq .Top.Flag .Top.Flag false}}`, false},
		{"order bools", `{{lt false true}}`, true},
		{"literals", `{{1}} {{1.5}} {{true}} {{"s<"}} {{0x10}} {{'a'}}`, false},
		{"print values", `{{.Top.Any}} {{(second .Items).Any}} {{.Top.Ratio}} {{.Top.Tags}} {{.Nil}} {{.Top.Flag}}`, false},
		{"any field", `{{range .Items}}{{.Any}};{{end}}`, false},
		{"map", `{{.Map.one}}`, true},
		{"nil pointer", `{{.Nil.Name}}`, true},
		{"func error", `{{oops}}`, true},
		{"func panic", `{{panics}}`, true},
		{"method error", `{{.Top.Fails}}`, true},
		{"comment", `a{{/* c */}}b{{- /* d */ -}} c`, false},
		{"pointer to value", `{{with .Top.Num}}{{num .}}{{end}}{{num .Top.Num}}`, false},
		{"nil pointer to value", `{{range .Items}}{{num .Num}}{{end}}`, true},
		{"value to pointer", `{{range .Vals}}{{ptr .}}{{end}}`, false},
		{"unexported", `{{.Top.hid}}`, true},
		{"typed any", `{{typeOf .Top}} {{typeOf .N}} {{typeOf .Nil}} {{.Top.Any | typeOf}} {{typeOf nil}}`, false},
		{"typed pipe", `{{.Top.Ratio | pct}} {{.Items | first | ptr}} {{.Top | anyOf}}`, false},
		{"typed wrong count", `{{shout "a" "b"}}`, true},
		{"typed wrong type", `{{pct "x"}}`, true},
	}
	for _, tt := range tests {
		for _, typed := range []map[string]Func{nil, testTyped} {
			t.Run(fmt.Sprintf("%s/typed=%v", tt.name, typed != nil), func(t *testing.T) {
				testExecute(t, tt.text, typed, tt.gaveUp)
			})
		}
	}
}

// testExecute compiles text with typed and checks that executing it gives
// what html/template gives, or gives up, as gaveUp says.
func testExecute(t *testing.T, text string, typed map[string]Func, gaveUp bool) {
	set := template.Must(template.New("page").Funcs(testFuncs).Parse(text))
	prog, err := Compile(set, "page", testFuncs, typed)
	if errors.Is(err, errors.ErrUnsupported) {
		if !gaveUp {
			t.Fatalf("Compile: %v", err)
		}
		return
	}
	if err != nil {
		t.Fatalf("Compile: %v", err)
	}
	var want bytes.Buffer
	wantErr := set.Execute(&want, testPage())
	var got bytes.Buffer
	err = prog.Execute(&got, testPage())
	if err != nil {
		if !errors.Is(err, ErrGaveUp) {
			t.Fatalf("Execute: %v, want nil or ErrGaveUp", err)
		}
		if !gaveUp {
			t.Fatalf("Execute gave up; html/template gives %q, %v", want.String(), wantErr)
		}
		return
	}
	if wantErr != nil {
		t.Fatalf("Execute = %q, nil; html/template fails: %v", got.String(), wantErr)
	}
	if got.String() != want.String() {
		t.Errorf("Execute:\n got %q\nwant %q", got.String(), want.String())
	}
	if gaveUp {
		t.Errorf("Execute did not give up; the case says it should (update the case)")
	}
}

func TestCompileEscapeError(t *testing.T) {
	set := template.Must(template.New("page").Parse(`<a href="{{if .}}x{{else}}"{{end}}">`))
	_, err := Compile(set, "page", nil, nil)
	var escErr *template.Error
	if !errors.As(err, &escErr) {
		t.Fatalf("Compile = %v, want html/template's escaping error", err)
	}
}

// FuzzEscapers holds every escaper of this package to html/template's,
// in each context that uses it, for plain strings and for safe HTML.
func FuzzEscapers(f *testing.F) {
	for _, s := range []string{"", "a&b", "<x y='z'>\"+", "\x00", "javascript:alert(1)", "HTTP://x", "/a b/%41%g", "é\xff", "expression(x)", "a--b", "-moz-binding", "1.5em", "#fff"} {
		f.Add(s)
	}
	contexts := []string{
		`<p>{{.}}</p>`,
		`<a title="{{.}}">`,
		`<title>{{.}}</title>`,
		`<a href="{{.}}">`,
		`<a href="/p/{{.}}">`,
		`<a href="/p?q={{.}}">`,
		`<p style="--x: {{.}}">`,
		`<!-- {{.}} -->`,
	}
	var sets []*template.Template
	var progs []*Program
	for _, text := range contexts {
		set := template.Must(template.New("x").Parse(text))
		prog, err := Compile(set, "x", nil, nil)
		if err != nil {
			f.Fatalf("Compile(%q): %v", text, err)
		}
		sets, progs = append(sets, set), append(progs, prog)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for i := range sets {
			for _, data := range []any{s, template.HTML(s), template.URL(s), template.CSS(s), &s} {
				var want, got bytes.Buffer
				if err := sets[i].Execute(&want, data); err != nil {
					t.Fatal(err)
				}
				if err := progs[i].Execute(&got, data); err != nil {
					if errors.Is(err, ErrGaveUp) {
						continue
					}
					t.Fatal(err)
				}
				if got.String() != want.String() {
					t.Errorf("%s with %T %q:\n got %q\nwant %q", contexts[i], data, s, got.String(), want.String())
				}
			}
		}
	})
}

// TestCheckedGo fails when the toolchain is not the Go release the
// escapers were checked against: html/template's may have changed.
func TestCheckedGo(t *testing.T) {
	if v := runtime.Version(); release(v) != CheckedGo {
		t.Fatalf("this is %s, but tmplexec's escapers were last checked against %s's html/template. "+
			"Compare escape.go with html/template's escapers (html.go, url.go, css.go, attr.go and content.go "+
			"in $(go env GOROOT)/src/html/template), run FuzzEscapers and TestCompiledTemplates, then set CheckedGo.", v, CheckedGo)
	}
}

// release returns the major.minor release of a Go version: "go1.26" for
// "go1.26.8" and "go1.26rc1"; "" for a toolchain built from source.
func release(v string) string {
	major, rest, ok := strings.Cut(strings.TrimPrefix(v, "go"), ".")
	if !ok || !strings.HasPrefix(v, "go") {
		return ""
	}
	minor := rest
	if i := strings.IndexFunc(rest, func(r rune) bool { return r < '0' || r > '9' }); i >= 0 {
		minor = rest[:i]
	}
	return "go" + major + "." + minor
}

func TestRelease(t *testing.T) {
	for v, want := range map[string]string{"go1.26.8": "go1.26", "go1.26": "go1.26", "go1.27rc1": "go1.27", "devel go1.27-abc": ""} {
		if got := release(v); got != want {
			t.Errorf("release(%q) = %q, want %q", v, got, want)
		}
	}
}

// reads is a Recorder that lists what it is told, one line a read.
type reads []string

func (r *reads) Read(receiver reflect.Value, name string, args []reflect.Value, v reflect.Value) {
	line := name
	if receiver.IsValid() {
		line = receiver.Type().String() + "." + name
	}
	for _, a := range args {
		line += fmt.Sprintf(" (%v)", a.Interface())
	}
	*r = append(*r, fmt.Sprintf("%s = %v", line, v.Interface()))
}

// TestRecorder checks that ExecuteRecorded tells every field, method and
// function call, in order, and nothing for builtins, escapers and
// constants.
func TestRecorder(t *testing.T) {
	const text = `{{.Title}}{{range .Items}}{{.Upper}}{{.Greet "you"}}{{end}}{{with first .Items}}{{.Count}}{{end}}{{shout "x"}}{{len .Items}}{{if eq .N 3}}{{pct .Top.Ratio}}{{end}}`
	set := template.Must(template.New("t").Funcs(testFuncs).Parse(text))
	p, err := Compile(set, "t", testFuncs, testTyped)
	if err != nil {
		t.Fatal(err)
	}
	data := testPage()
	var got reads
	var buf bytes.Buffer
	if err := p.ExecuteRecorded(&buf, data, &got); err != nil {
		t.Fatal(err)
	}
	want := reads{
		"*tmplexec.page.Title = " + data.Title,
		"*tmplexec.page.Items = " + fmt.Sprint(data.Items),
	}
	for _, it := range data.Items {
		want = append(want, "*tmplexec.item.Upper = "+it.Upper(), "*tmplexec.item.Greet (you) = "+it.Greet("you"))
	}
	want = append(want,
		"*tmplexec.page.Items = "+fmt.Sprint(data.Items),
		fmt.Sprintf("first (%v) = %v", data.Items, data.Items[0]),
		"*tmplexec.item.Count = "+fmt.Sprint(data.Items[0].Count),
		"shout (x) = X",
		"*tmplexec.page.Items = "+fmt.Sprint(data.Items),
		"*tmplexec.page.N = "+fmt.Sprint(data.N),
		"*tmplexec.page.Top = "+fmt.Sprint(data.Top),
		"*tmplexec.item.Ratio = "+fmt.Sprint(data.Top.Ratio),
		fmt.Sprintf("pct (%v) = %d", data.Top.Ratio, int(data.Top.Ratio*100+0.5)),
	)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("reads:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	var plain bytes.Buffer
	if err := p.Execute(&plain, data); err != nil || plain.String() != buf.String() {
		t.Errorf("recorded execution wrote %q, plain %q (%v)", buf.String(), plain.String(), err)
	}
}
