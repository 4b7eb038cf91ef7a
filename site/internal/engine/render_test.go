package engine

import (
	"hash/maphash"
	"slices"
	"testing"
	"testing/fstest"

	"github.com/explainer/explainer/site/internal/model"
	"github.com/explainer/explainer/templates"
)

// compiled parses the templates of src, the embedded ones overridden by
// its own, and returns the names tmplexec compiled.
func compiled(t *testing.T, src fstest.MapFS) []string {
	t.Helper()
	b := &build{seed: maphash.MakeSeed()}
	var errs model.ErrorList
	_, cache := b.templateSets(src, nil, &errs)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	var names []string
	for name := range cache.compile() {
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}

// TestThemeCompiles checks that tmplexec runs every page of the embedded
// theme, and the home page's section blocks: html/template would give the
// same pages, only slower.
func TestThemeCompiles(t *testing.T) {
	want := slices.Sorted(slices.Values(append(slices.Clone(pageTemplates), homeBlock)))
	if got := compiled(t, fstest.MapFS{}); !slices.Equal(got, want) {
		t.Errorf("compiled %q, want every page template and %q: %q", got, homeBlock, want)
	}
}

// TestProjectTemplatesFenced checks that tmplexec runs only the embedded
// theme: a page template of the project's own is left to html/template,
// and so is every page when the layout is the project's.
func TestProjectTemplatesFenced(t *testing.T) {
	own := func(name, suffix string) fstest.MapFS {
		data, err := templates.FS.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		return fstest.MapFS{"templates/" + name: {Data: append(data, suffix...)}}
	}
	if got := compiled(t, own("clause.tmpl", "{{/* own */}}")); slices.Contains(got, "clause.tmpl") || !slices.Contains(got, "document.tmpl") {
		t.Errorf("with a clause.tmpl of the project's own, tmplexec compiled %q; want every page but clause.tmpl", got)
	}
	if got := compiled(t, own("home.tmpl", "{{/* own */}}")); slices.Contains(got, "home.tmpl") || slices.Contains(got, homeBlock) {
		t.Errorf("with a home.tmpl of the project's own, tmplexec compiled %q; want neither it nor its section block", got)
	}
	for _, layout := range layoutTemplates {
		if got := compiled(t, own(layout, "{{/* own */}}")); len(got) != 0 {
			t.Errorf("with a %s of the project's own, tmplexec compiled %q; want nothing", layout, got)
		}
	}
	if got := compiled(t, own("clause.tmpl", "")); !slices.Contains(got, "clause.tmpl") {
		t.Errorf("a copy of the embedded clause.tmpl is no override, but tmplexec left it: compiled %q", got)
	}
}

// TestLeanBuild checks when a build is lean (see leanState): only a
// streaming build that keeps nothing for a rebuild, with the embedded
// templates, knows what every page reads.
func TestLeanBuild(t *testing.T) {
	for _, tt := range []struct {
		name                   string
		streaming, keep, owned bool
		want                   bool
	}{
		{"BuildTo", true, false, false, true},
		{"Build", false, false, false, false},
		{"a Builder's build", true, true, false, false},
		{"BuildTo with a template of the project's own", true, false, true, false},
	} {
		src := fstest.MapFS{}
		if tt.owned {
			src["templates/section.tmpl"] = &fstest.MapFile{Data: []byte(`{{define "main"}}{{.Body.Text}}{{end}}`)}
		}
		b := &build{seed: maphash.MakeSeed(), streaming: tt.streaming, keep: tt.keep}
		var errs model.ErrorList
		sets, _ := b.templateSets(src, nil, &errs)
		if got := b.leanBuild(sets["home.tmpl"]); got != tt.want {
			t.Errorf("%s: lean %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestShortFigure(t *testing.T) {
	tests := []struct {
		f    model.Figure
		want string
	}{
		{model.Figure{Value: 150}, "150"},
		{model.Figure{Value: 1950, Approx: true}, "~1,950"},
		{model.Figure{Value: 600000}, "600k"},
		{model.Figure{Value: 85000}, "85k"},
		{model.Figure{Value: 12500}, "12.5k"},
		{model.Figure{Value: 1200000}, "1.2m"},
		{model.Figure{Value: 400, High: 600, Range: true}, "400–600"},
		{model.Figure{Value: 500000, High: 600000, Range: true}, "500k–600k"},
	}
	for _, tt := range tests {
		if got := shortFigure(&tt.f); got != tt.want {
			t.Errorf("shortFigure(%+v) = %q, want %q", tt.f, got, tt.want)
		}
	}
}
