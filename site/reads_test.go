package site_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"math/rand/v2"
	"os"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/explainer/explainer/site"
)

// copyProject reads the project at dir into memory, without its output.
func copyProject(t testing.TB, dir string) fstest.MapFS {
	t.Helper()
	return copyFS(t, os.DirFS(dir))
}

// copyFS reads the project in fsys into memory, without its output.
func copyFS(t testing.TB, fsys fs.FS) fstest.MapFS {
	t.Helper()
	src := fstest.MapFS{}
	for _, root := range []string{"content", "templates", "static"} {
		err := fs.WalkDir(fsys, root, func(name string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			data, err := fs.ReadFile(fsys, name)
			src[name] = &fstest.MapFile{Data: data}
			return err
		})
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			t.Fatal(err)
		}
	}
	return src
}

// edit is one change an editor could make to the default explainer.
type edit struct {
	name string
	do   func(src fstest.MapFS, r *rand.Rand)
}

// replaceIn replaces the n-th match of re in the file.
func replaceIn(src fstest.MapFS, file string, re *regexp.Regexp, with string, r *rand.Rand) {
	f := src[file]
	if f == nil {
		return
	}
	locs := re.FindAllIndex(f.Data, -1)
	if len(locs) == 0 {
		return
	}
	l := locs[r.IntN(len(locs))]
	data := append([]byte{}, f.Data[:l[0]]...)
	data = append(data, with...)
	src[file] = &fstest.MapFile{Data: append(data, f.Data[l[1]:]...)}
}

func appendTo(src fstest.MapFS, file, text string) {
	if f := src[file]; f != nil {
		src[file] = &fstest.MapFile{Data: append(append([]byte{}, f.Data...), text...)}
	}
}

func pick(src fstest.MapFS, prefix string, r *rand.Rand) string {
	var names []string
	for n := range src {
		if strings.HasPrefix(n, prefix) {
			names = append(names, n)
		}
	}
	if len(names) == 0 {
		return ""
	}
	slices.Sort(names)
	return names[r.IntN(len(names))]
}

var edits = []edit{
	{"edit a section body", func(src fstest.MapFS, r *rand.Rand) {
		appendTo(src, pick(src, "content/sections/", r), fmt.Sprintf("\nA new sentence %d.\n", r.IntN(1000)))
	}},
	{"add a cross-reference to a section", func(src fstest.MapFS, r *rand.Rand) {
		refs := []string{"[](clause:us-28/6)", "[](topic:territory)", "[](actor:ukraine)", "[](doc:geneva-19)", "[](section:reaction)"}
		appendTo(src, pick(src, "content/sections/", r), "\nSee "+refs[r.IntN(len(refs))]+".\n")
	}},
	{"retitle a section", func(src fstest.MapFS, r *rand.Rand) {
		replaceIn(src, pick(src, "content/sections/", r), regexp.MustCompile(`(?m)^title: .*$`), fmt.Sprintf("title: Question %d?", r.IntN(1000)), r)
	}},
	{"retitle a clause", func(src fstest.MapFS, r *rand.Rand) {
		replaceIn(src, pick(src, "content/documents/", r), regexp.MustCompile(`(?m)^    title: .*$`), fmt.Sprintf("    title: Clause title %d", r.IntN(1000)), r)
	}},
	{"retitle a clause that the lede and a section show by its label", func(src fstest.MapFS, r *rand.Rand) {
		replaceIn(src, "content/documents/us-28.yaml", regexp.MustCompile(`(?m)^    title: Territory.*$`), fmt.Sprintf("    title: Territory %d", r.IntN(1000)), r)
	}},
	{"reword the text of a clause that later documents continue", func(src fstest.MapFS, r *rand.Rand) {
		replaceIn(src, "content/documents/us-28.yaml", regexp.MustCompile(`(?m)^    text: \|\n      `), fmt.Sprintf("    text: |\n      Reportedly (%d), ", r.IntN(1000)), r)
	}},
	{"reword the text of a clause that continues an earlier one", func(src fstest.MapFS, r *rand.Rand) {
		replaceIn(src, "content/documents/geneva-19.yaml", regexp.MustCompile(`(?m)^    text: \|\n      `), fmt.Sprintf("    text: |\n      As reported (%d), ", r.IntN(1000)), r)
	}},
	{"reword a clause", func(src fstest.MapFS, r *rand.Rand) {
		replaceIn(src, pick(src, "content/documents/", r), regexp.MustCompile(`\bthe\b`), "a", r)
	}},
	{"rename a topic", func(src fstest.MapFS, r *rand.Rand) {
		replaceIn(src, "content/topics.yaml", regexp.MustCompile(`(?m)^  name: .*$`), fmt.Sprintf("  name: Topic %d", r.IntN(1000)), r)
	}},
	{"rename an actor", func(src fstest.MapFS, r *rand.Rand) {
		replaceIn(src, "content/actors.yaml", regexp.MustCompile(`(?m)^  name: .*$`), fmt.Sprintf("  name: Actor %d", r.IntN(1000)), r)
	}},
	{"retitle a source", func(src fstest.MapFS, r *rand.Rand) {
		replaceIn(src, "content/sources.yaml", regexp.MustCompile(`(?m)^  title: .*$`), fmt.Sprintf("  title: Report %d", r.IntN(1000)), r)
	}},
	{"edit the lede", func(src fstest.MapFS, r *rand.Rand) {
		appendTo(src, "content/_index.md", fmt.Sprintf("\nMore lede %d, see [](clause:us-28/21).\n", r.IntN(1000)))
	}},
	{"add a section", func(src fstest.MapFS, r *rand.Rand) {
		n := r.IntN(1000)
		src[fmt.Sprintf("content/sections/%02d-added-%d.md", 6+r.IntN(5), n)] = &fstest.MapFile{Data: []byte(fmt.Sprintf(
			"---\ntitle: Added question %d?\nsources: [aj-2025-11-26]\ntopics: [territory]\n---\nIt refers to [](clause:e3-counter/6) and [](section:whats-next).\n", n))}
	}},
	{"delete an added section", func(src fstest.MapFS, r *rand.Rand) {
		if f := pick(src, "content/sections/", r); strings.Contains(f, "-added-") {
			delete(src, f)
		}
	}},
	{"add an event", func(src fstest.MapFS, r *rand.Rand) {
		appendTo(src, "content/timeline.yaml", fmt.Sprintf("- date: 2025-11-2%d\n  title: Event %d\n  text: About [](doc:us-28).\n  sources: [aj-2025-11-26]\n", r.IntN(6), r.IntN(1000)))
	}},
	{"change the stylesheet", func(src fstest.MapFS, r *rand.Rand) {
		appendTo(src, "static/css/site.css", fmt.Sprintf("\n.x%d { color: red; }\n", r.IntN(1000)))
	}},
	{"override a template", func(src fstest.MapFS, r *rand.Rand) {
		base, err := os.ReadFile("../templates/topic.tmpl")
		if err != nil {
			panic(err)
		}
		src["templates/topic.tmpl"] = &fstest.MapFile{Data: bytes.Replace(base, []byte("Side by side"), []byte(fmt.Sprintf("Compared %d", r.IntN(1000))), 1)}
	}},
	{"retitle the explainer", func(src fstest.MapFS, r *rand.Rand) {
		replaceIn(src, "content/_index.md", regexp.MustCompile(`(?m)^title: .*$`), fmt.Sprintf("title: Explainer %d", r.IntN(1000)), r)
	}},
	{"set the base URL", func(src fstest.MapFS, r *rand.Rand) {
		f := src["content/_index.md"]
		data := regexp.MustCompile(`(?m)^base_url: .*\n`).ReplaceAll(f.Data, nil)
		if r.IntN(3) > 0 {
			data = bytes.Replace(data, []byte("---\n"), fmt.Appendf(nil, "---\nbase_url: https://example.org/%d\n", r.IntN(1000)), 1)
		}
		src["content/_index.md"] = &fstest.MapFile{Data: data}
	}},
	{"override a template: a home page whose blocks show backlinks", func(src fstest.MapFS, r *rand.Rand) {
		base, err := os.ReadFile("../templates/home.tmpl")
		if err != nil {
			panic(err)
		}
		src["templates/home.tmpl"] = &fstest.MapFile{Data: bytes.Replace(base, []byte(`<p class="permalink">`), []byte(`<p class="permalink">{{len (backlinks .)}} `), 1)}
	}},
	{"override a template with one that shows every section", func(src fstest.MapFS, r *rand.Rand) {
		src["templates/clause.tmpl"] = &fstest.MapFile{Data: []byte(`{{define "main"}}<h1>{{.Clause.Title}}</h1><ul>{{range .Site.Sections}}<li>{{.Title}}: {{.Summary.HTML}}</li>{{end}}</ul>{{end}}`)}
	}},
	{"override a template: a clause page that reads what the theme's does not", func(src fstest.MapFS, r *rand.Rand) {
		// Case 1 of the house issue: each topic's sections, with titles
		// that a later "retitle a section" changes.
		src["templates/clause.tmpl"] = &fstest.MapFile{Data: []byte(`{{define "main"}}<h1>{{.Clause.Title}}</h1>{{range topics .Clause.Topics}}<h2>{{.Name}}</h2><ul>{{range topicSections .}}<li>{{.Title}}</li>{{end}}</ul>{{end}}{{end}}`)}
	}},
	{"drop template overrides", func(src fstest.MapFS, r *rand.Rand) {
		delete(src, "templates/clause.tmpl")
		delete(src, "templates/topic.tmpl")
	}},
	// Edits of the clause model, which change what pages show of the
	// clauses, their history and their topics.
	{"change an outcome", func(src fstest.MapFS, r *rand.Rand) {
		outcomes := []string{"kept", "changed", "deferred", "moved"}
		replaceIn(src, pick(src, "content/documents/", r), regexp.MustCompile(`(?m)^    outcome: \w+$`), "    outcome: "+outcomes[r.IntN(len(outcomes))], r)
	}},
	{"continue another clause", func(src fstest.MapFS, r *rand.Rand) {
		replaceIn(src, pick(src, "content/documents/", r), regexp.MustCompile(`(?m)^    from: us-28/\d+$`), fmt.Sprintf("    from: us-28/%d", 1+r.IntN(28)), r)
	}},
	{"change a stance", func(src fstest.MapFS, r *rand.Rand) {
		stances := []string{"proposes", "supports", "accepts", "mixed", "opposes", "rejects"}
		replaceIn(src, pick(src, "content/documents/", r), regexp.MustCompile(`stance: \w+`), "stance: "+stances[r.IntN(len(stances))], r)
	}},
	{"give a position to another actor", func(src fstest.MapFS, r *rand.Rand) {
		actors := []string{"nato", "eu", "coalition-of-the-willing", "e3"}
		replaceIn(src, pick(src, "content/documents/", r), regexp.MustCompile(`actor: [a-z-]+`), "actor: "+actors[r.IntN(len(actors))], r)
	}},
	{"change a document's availability", func(src fstest.MapFS, r *rand.Rand) {
		kinds := []string{"full", "partial", "reported"}
		replaceIn(src, pick(src, "content/documents/", r), regexp.MustCompile(`(?m)^availability: \w+$`), "availability: "+kinds[r.IntN(len(kinds))], r)
	}},
	{"change a figure", func(src fstest.MapFS, r *rand.Rand) {
		replaceIn(src, pick(src, "content/documents/", r), regexp.MustCompile(`(?m)^    figure: \d+$`), fmt.Sprintf("    figure: %d", 1000*(1+r.IntN(900))), r)
	}},
	{"move a clause to other topics", func(src fstest.MapFS, r *rand.Rand) {
		topics := []string{"territory", "army-size", "ceasefire", "sanctions", "elections", "amnesty"}
		replaceIn(src, pick(src, "content/documents/", r), regexp.MustCompile(`(?m)^    topics: \[.*\]$`), fmt.Sprintf("    topics: [%s, %s]", topics[r.IntN(3)], topics[3+r.IntN(3)]), r)
	}},
	{"reword a removal note", func(src fstest.MapFS, r *rand.Rand) {
		replaceIn(src, pick(src, "content/documents/", r), regexp.MustCompile(`(?m)^    note: \|\n      `), fmt.Sprintf("    note: |\n      Removal note %d. ", r.IntN(1000)), r)
	}},
	{"add a clause at the end of a document", func(src fstest.MapFS, r *rand.Rand) {
		n := r.IntN(1000)
		appendTo(src, pick(src, "content/documents/", r), fmt.Sprintf(
			"\n  - id: added-%d\n    title: Added point %d\n    topics: [territory]\n    from: us-28/%d\n    text: |\n      An added point, about [](topic:ceasefire).\n    sources: [e3-cnn]\n", n, n, 1+r.IntN(28)))
	}},
	{"put a section on other topics", func(src fstest.MapFS, r *rand.Rand) {
		// Mostly topics no section is on yet.
		topics := []string{"sanctions", "ceasefire", "neutrality", "dnipro-grain", "territory"}
		replaceIn(src, pick(src, "content/sections/", r), regexp.MustCompile(`(?m)^topics: \[.*\]$`), fmt.Sprintf("topics: [%s]", topics[r.IntN(len(topics))]), r)
	}},
	{"move a section to the end", func(src fstest.MapFS, r *rand.Rand) {
		replaceIn(src, pick(src, "content/sections/", r), regexp.MustCompile(`(?m)^title: `), fmt.Sprintf("weight: %d\ntitle: ", 90+r.IntN(9)), r)
	}},
	{"make a document follow another, or none", func(src fstest.MapFS, r *rand.Rand) {
		const file = "content/documents/ru-istanbul-2022.yaml"
		f := src[file]
		if f == nil {
			return
		}
		data := regexp.MustCompile(`(?m)^follows: .*\n`).ReplaceAll(f.Data, nil)
		if r.IntN(3) > 0 {
			data = regexp.MustCompile(`(?m)^date: .*\n`).ReplaceAllFunc(data, func(d []byte) []byte {
				return append(slices.Clip(d), []string{"follows: us-28\n", "follows: e3-counter\n"}[r.IntN(2)]...)
			})
		}
		src[file] = &fstest.MapFile{Data: data}
	}},
	{"break a cross-reference", func(src fstest.MapFS, r *rand.Rand) {
		appendTo(src, "content/sections/02-reaction.md", "\nBroken [](clause:us-28/99).\n")
	}},
	{"fix broken cross-references", func(src fstest.MapFS, r *rand.Rand) {
		f := src["content/sections/02-reaction.md"]
		src["content/sections/02-reaction.md"] = &fstest.MapFile{Data: bytes.ReplaceAll(f.Data, []byte("[](clause:us-28/99)"), []byte("[](clause:us-28/9)"))}
	}},
	{"link to a document not written yet", func(src fstest.MapFS, r *rand.Rand) {
		appendTo(src, pick(src, "content/sections/", r), "\nSee [](doc:draft-three) and [its point](clause:draft-three/1).\n")
	}},
	// Version 2 of the content model: relations, lists of from, sub-points,
	// parties, vague dates, rough figures and wording.
	{"make a document answer another", func(src fstest.MapFS, r *rand.Rand) {
		replaceIn(src, "content/documents/eu-24.yaml", regexp.MustCompile(`(?m)^by: .*\n`), "by: [european-governments]\nfollows: us-28\nrelation: "+[]string{"responds", "implements", "endorses", "revises"}[r.IntN(4)]+"\n", r)
	}},
	{"answer two points at once", func(src fstest.MapFS, r *rand.Rand) {
		replaceIn(src, "content/documents/e3-counter.yaml", regexp.MustCompile(`from: us-28/6\n`), fmt.Sprintf("from: [us-28/6, us-28/%d]\n", 7+r.IntN(3)), r)
	}},
	{"nest a clause under another", func(src fstest.MapFS, r *rand.Rand) {
		id := []string{"2", "3", "4"}[r.IntN(3)]
		replaceIn(src, "content/documents/us-28.yaml", regexp.MustCompile(`(?m)^  - id: "`+id+`"\n`), "  - id: \""+id+"\"\n    parent: \"1\"\n", r)
	}},
	{"name a party", func(src fstest.MapFS, r *rand.Rand) {
		replaceIn(src, "content/documents/us-28.yaml", regexp.MustCompile(`(?m)^by: \[us\]\n`), "by: [us]\nparties:\n  - {actor: "+[]string{"trump", "witkoff", "kushner"}[r.IntN(3)]+", role: "+[]string{"mediator", "guarantor", "endorser"}[r.IntN(3)]+"}\n", r)
	}},
	{"make a date vague", func(src fstest.MapFS, r *rand.Rand) {
		replaceIn(src, "content/documents/geneva-19.yaml", regexp.MustCompile(`(?m)^date: .*$`), "date: "+[]string{"2025-11", "2025-11-23/2025-11-24", "2025"}[r.IntN(3)], r)
	}},
	{"make a figure rough", func(src fstest.MapFS, r *rand.Rand) {
		replaceIn(src, "content/documents/us-28.yaml", regexp.MustCompile(`figure: 600000`), []string{"figure: {value: 600000, approx: true}", "figure: {low: 500000, high: 600000}", "figure: {value: 600000, note: in peacetime}"}[r.IntN(3)], r)
	}},
	{"change a document's wording", func(src fstest.MapFS, r *rand.Rand) {
		wording := []string{"quoted", "paraphrased"}[r.IntN(2)]
		if r.IntN(2) == 0 {
			replaceIn(src, "content/documents/us-28.yaml", regexp.MustCompile(`(?m)^wording: .*$`), "wording: "+wording, r)
		} else {
			replaceIn(src, "content/documents/e3-counter.yaml", regexp.MustCompile(`(?m)^availability: partial$`), "availability: partial\nwording: "+wording, r)
		}
	}},
	{"move a document away", func(src fstest.MapFS, r *rand.Rand) {
		// As git stash or git checkout do; when other files refer to it,
		// the next step moves it back (see fixes).
		file := pick(src, "content/documents/", r)
		src["moved/"+path.Base(file)] = src[file]
		delete(src, file)
	}},
	// Edits of a section body that the build refuses: Preview must leave
	// them to it (the next step undoes them).
	{"put a byte that is not UTF-8 in a section body", func(src fstest.MapFS, r *rand.Rand) {
		appendTo(src, pick(src, "content/sections/", r), "\nA broken \xff byte.\n")
	}},
	{"make a section body too long", func(src fstest.MapFS, r *rand.Rand) {
		appendTo(src, pick(src, "content/sections/", r), strings.Repeat("A long sentence of the body.\n", 5000))
	}},
	{"break the YAML of a document", func(src fstest.MapFS, r *rand.Rand) {
		appendTo(src, "content/documents/geneva-19.yaml", "\n  - id: [broken\n")
	}},
	{"fix the YAML of a document", func(src fstest.MapFS, r *rand.Rand) {
		f := src["content/documents/geneva-19.yaml"]
		src["content/documents/geneva-19.yaml"] = &fstest.MapFile{Data: bytes.ReplaceAll(f.Data, []byte("\n  - id: [broken\n"), nil)}
	}},
}

// TestBuilderIncremental makes many random edits to the default explainer
// and checks, after each, that the Builder's incremental build is byte for
// byte a fresh build of the same files, with the same problems.
func TestBuilderIncremental(t *testing.T) {
	src := copyProject(t, "..")
	// Some edits set a base URL; the cache draws each card once.
	opts := site.Options{CardCache: t.TempDir()}
	bd := site.NewBuilder(opts)
	r := rand.New(rand.NewPCG(1, 2))
	steps := 150
	if n, err := strconv.Atoi(os.Getenv("EXPLAINER_EDITS")); err == nil {
		steps = n
	}
	if testing.Short() {
		steps = 15
	}
	built := 0
	// A step that leaves the project broken is undone by the next, as an
	// editor fixes a mistake, so that the next edits build. A template
	// override is undone too, after two more edits: while the project has
	// one, its pages are rendered by every rebuild, which is worth testing but not
	// for long.
	orig := maps.Clone(src)
	lastGood, broken, override := maps.Clone(src), false, 0
	// fixes holds, for an edit that may break the build, the step that
	// follows it when it did, instead of undoing it: a change to other files
	// that makes the edited one valid as it is. The dev server must then
	// clear the errors though the file that had them did not change.
	fixes := map[string]edit{
		"link to a document not written yet": {"write the missing document", func(src fstest.MapFS, r *rand.Rand) {
			src["content/documents/draft-three.yaml"] = &fstest.MapFile{Data: []byte("id: draft-three\ntitle: Draft three\ndate: 2025-11-27\nsources: [aj-2025-11-26]\nclauses:\n  - id: \"1\"\n    title: A point\n    text: It says little.\n    sources: [aj-2025-11-26]\n")}
		}},
		"move a document away": {"move the document back", func(src fstest.MapFS, r *rand.Rand) {
			for name, f := range src {
				if strings.HasPrefix(name, "moved/") {
					src["content/documents/"+path.Base(name)] = f
					delete(src, name)
				}
			}
		}},
	}
	var fix *edit         // the fix of the edit that broke the build, if it has one (see fixes)
	var last *site.Output // the last good build
	previews, clausePreviews := 0, 0
	undo := edit{"undo the last edit", func(src fstest.MapFS, _ *rand.Rand) {
		maps.DeleteFunc(src, func(string, *fstest.MapFile) bool { return true })
		maps.Copy(src, lastGood)
	}}
	// Every edit once, in order, then steps edits at random.
	tour, random, step := 0, steps, 0
	for ; tour < len(edits) || random > 0; step++ {
		var e edit
		if override > 0 {
			override--
		}
		switch {
		case broken && fix != nil:
			e = *fix
		case broken || override == 1:
			e, override = undo, 0
		case tour < len(edits):
			e = edits[tour]
			tour++
		default:
			e = edits[r.IntN(len(edits))]
			random--
		}
		if strings.HasPrefix(e.name, "override a template") {
			override = 4 // two more edits, then undo
		}
		before := maps.Clone(src)
		goodBefore := !broken && step > 0
		e.do(src, r)
		// Half the time, build as the dev server does, telling the Builder
		// which files changed instead of letting it read them all.
		var got, preview *site.Output
		var gotErr error
		if step%2 == 0 {
			got, gotErr = bd.Build(context.Background(), src)
		} else {
			changed := changedFiles(before, src)
			preview, _ = bd.Preview(context.Background(), src, changed)
			got, gotErr = bd.BuildChanged(context.Background(), src, changed)
			// Every edit of a section body after a good build, without
			// templates of the project's own, is previewed, and so may be
			// an edit of a document that falls in a clause's text (any
			// regular expression of the edits may); no other edit is.
			body := e.name == "edit a section body" || e.name == "add a cross-reference to a section" ||
				e.name == "link to a document not written yet" && src["content/documents/draft-three.yaml"] != nil // else it breaks the build
			can := goodBefore && !customTemplates(orig, src)
			switch {
			case preview != nil && len(changed) == 1 && strings.HasPrefix(changed[0], "content/documents/"):
				clausePreviews++
			case (body && can) != (preview != nil):
				t.Fatalf("step %d (%s): previewed %t, want %t", step, e.name, preview != nil, body && can)
			}
		}
		want, wantErr := site.Build(context.Background(), src, opts)
		if preview != nil {
			previews++
			checkPreview(t, fmt.Sprintf("step %d (%s)", step, e.name), last, preview, want, strings.Contains(e.name, "section"))
		}
		if fmt.Sprint(gotErr) != fmt.Sprint(wantErr) {
			t.Fatalf("step %d (%s): incremental errors\n%v\nwant\n%v", step, e.name, gotErr, wantErr)
		}
		if want == nil {
			broken, fix = true, nil
			if f, ok := fixes[e.name]; ok {
				fix = &f
			}
			continue
		}
		broken = false
		if override == 0 {
			lastGood = maps.Clone(src)
		}
		built++
		last = got
		if diff := diffNames(want.Names(), got.Names()); diff != "" {
			t.Fatalf("step %d (%s): file lists differ: %s", step, e.name, diff)
		}
		for _, name := range want.Names() {
			a, _ := want.File(name)
			b, _ := got.File(name)
			if !bytes.Equal(a, b) {
				t.Fatalf("step %d (%s): %s differs from a fresh build", step, e.name, name)
			}
		}
	}
	// Edits break the project now and then; most steps must still build,
	// or the test compares little but error lists.
	t.Logf("%d of %d steps built, %d previewed, %d of them clause edits", built, step, previews, clausePreviews)
	if previews == clausePreviews || clausePreviews == 0 {
		t.Errorf("%d steps previewed, %d of them clause edits: want both kinds", previews, clausePreviews)
	}
	if built < step/2 {
		t.Errorf("only %d of %d steps built: the edits leave the project broken too often", built, step)
	}
}

// customTemplates reports whether src has a template that orig, the
// project as copied, does not have as it is.
func customTemplates(orig, src fstest.MapFS) bool {
	for name, f := range src {
		if o, ok := orig[name]; strings.HasPrefix(name, "templates/") && (!ok || !bytes.Equal(o.Data, f.Data)) {
			return true
		}
	}
	return false
}

// checkPreview checks what Preview made after an edit: every file it
// changed from the last build is as a fresh build makes it. It changed two:
// a section's page and the home page, or a clause's page and its
// document's.
func checkPreview(t *testing.T, step string, last, preview, want *site.Output, section bool) {
	t.Helper()
	if last == nil {
		t.Fatalf("%s: a preview without a good build before it", step)
	}
	if diff := diffNames(last.Names(), preview.Names()); diff != "" {
		t.Fatalf("%s: preview's file list differs from the last build's: %s", step, diff)
	}
	changed := 0
	for _, name := range preview.Names() {
		a, _ := last.File(name)
		b, _ := preview.File(name)
		if bytes.Equal(a, b) {
			continue
		}
		changed++
		if w, _ := want.File(name); !bytes.Equal(b, w) {
			t.Fatalf("%s: preview's %s differs from a fresh build's", step, name)
		}
	}
	if changed != 2 {
		t.Fatalf("%s: preview changed %d files, want 2", step, changed)
	}
	if a, b := mustFile(t, preview, "index.html"), mustFile(t, want, "index.html"); section && !bytes.Equal(a, b) {
		t.Fatalf("%s: preview's home page differs from a fresh build's", step)
	}
}

func mustFile(t *testing.T, out *site.Output, name string) []byte {
	t.Helper()
	data, ok := out.File(name)
	if !ok {
		t.Fatalf("no %s", name)
	}
	return data
}

// changedFiles lists the files that differ between two versions of a
// project: changed, added or removed.
func changedFiles(a, b fstest.MapFS) []string {
	var out []string
	for name, f := range b {
		if g, ok := a[name]; !ok || !bytes.Equal(f.Data, g.Data) {
			out = append(out, name)
		}
	}
	for name := range a {
		if _, ok := b[name]; !ok {
			out = append(out, name)
		}
	}
	return out
}

func diffNames(a, b []string) string {
	if strings.Join(a, "\n") == strings.Join(b, "\n") {
		return ""
	}
	return fmt.Sprintf("fresh has %d files, incremental %d", len(a), len(b))
}

// TestOutputSame checks that Output.Same tells the JSON export of two
// builds of one Builder apart by the key of its inputs, and says nothing
// of files without a key or of builds of two Builders.
func TestOutputSame(t *testing.T) {
	src := copyProject(t, "..")
	bd := site.NewBuilder(site.Options{})
	rebuild := func(changed string) *site.Output {
		t.Helper()
		out, err := bd.BuildChanged(context.Background(), src, []string{changed})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	first, err := bd.Build(context.Background(), src)
	if err != nil {
		t.Fatal(err)
	}
	const json = "data/explainer.json"
	section := pick(src, "content/sections/", rand.New(rand.NewPCG(1, 1)))
	appendTo(src, section, "\nA sentence the export does not hold.\n")
	second := rebuild(section)
	if same, known := second.Same(first, json); !same || !known {
		t.Errorf("after a section body edit: Same = %t, %t; want the export the same, known", same, known)
	}
	if _, known := second.Same(first, "index.html"); known {
		t.Errorf("Same knows index.html, which has no key")
	}
	replaceIn(src, "content/documents/us-28.yaml", regexp.MustCompile(`(?m)^    title: Territory$`), "    title: Land", rand.New(rand.NewPCG(1, 1)))
	third := rebuild("content/documents/us-28.yaml")
	if same, known := third.Same(second, json); same || !known {
		t.Errorf("after a clause retitled: Same = %t, %t; want the export changed, known", same, known)
	}
	fresh, err := site.Build(context.Background(), src, site.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, known := fresh.Same(third, json); known {
		t.Errorf("Same knows a file of two Builders' builds")
	}
	if a, b := mustFile(t, third, json), mustFile(t, fresh, json); !bytes.Equal(a, b) || !bytes.Contains(a, []byte(`"title":"Land"`)) {
		t.Errorf("the export made after the rebuild returned differs from a fresh build's")
	}
}

// TestBuilderCustomHome rebuilds with a home template of the project's
// own whose section blocks show what other files say (backlinks): a
// block must be made again when another file starts linking to its
// section, though neither the section nor the template changed.
func TestBuilderCustomHome(t *testing.T) {
	src := copyProject(t, "..")
	base, err := os.ReadFile("../templates/home.tmpl")
	if err != nil {
		t.Fatal(err)
	}
	src["templates/home.tmpl"] = &fstest.MapFile{Data: bytes.Replace(base, []byte(`<p class="permalink">`), []byte(`<p class="permalink">{{len (backlinks .)}} referrers `), 1)}
	bd := site.NewBuilder(site.Options{})
	if _, err := bd.Build(context.Background(), src); err != nil {
		t.Fatal(err)
	}
	const added = "content/sections/09-added.md"
	src[added] = &fstest.MapFile{Data: []byte("---\ntitle: Added?\n---\nSee [](section:whats-next) and [](section:reaction).\n")}
	got, err := bd.BuildChanged(context.Background(), src, []string{added})
	if err != nil {
		t.Fatal(err)
	}
	want := build(t, src, site.Options{})
	for _, name := range want.Names() {
		a, _ := want.File(name)
		b, _ := got.File(name)
		if !bytes.Equal(a, b) {
			t.Errorf("%s differs from a fresh build", name)
		}
	}
}
