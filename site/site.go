package site

import (
	"context"
	"io/fs"
	"path"
	"strings"

	"github.com/explainer/explainer/site/internal/mdext"
)

// Options control a build.
type Options struct {
	BaseURL string // overrides base_url of content/_index.md; "" keeps it
	Drafts  bool   // include sections marked draft
	Strict  bool   // treat warnings as errors
	// LiveReload, when not empty, is the URL path of the dev server's reload
	// script; every page then loads it. build leaves it empty.
	LiveReload string
}

// Build reads the project in src (a directory holding content/ and
// optionally templates/ and static/) and renders the whole site in memory.
// On content errors it returns a nil Output and an ErrorList holding every
// problem found, sorted. Warnings of a successful build are in
// Output.Warnings. Build stops early, returning ctx.Err(), when ctx is
// cancelled.
func Build(ctx context.Context, src fs.FS, opts Options) (*Output, error) {
	p, errs := load(src, opts)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if p == nil || p.unparsed {
		return finish(nil, errs, opts)
	}
	b := &builder{p: p, ix: newIndex(p), opts: opts}
	b.ms = renderMarkdown(mdext.NewMarkdown(b.ix), b.fields(), &errs)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	statics, staticFrom := staticFiles(src, &errs)
	sets := b.templateSets(src, b.funcs(), &errs)
	if len(errs.Errors()) > 0 {
		return finish(nil, errs, opts)
	}
	b.ln = newLineage(p, b.ix, func(c *Clause) string { return plainText(c.Text) })
	b.indexCitations()

	baseURL := strings.TrimSuffix(p.Explainer.BaseURL, "/")
	if opts.BaseURL != "" {
		baseURL = strings.TrimSuffix(opts.BaseURL, "/")
	}
	css := "/css/site.css"
	if data, ok := statics["css/site.css"]; ok {
		css += "?v=" + assetVersion(data)
	}
	b.site = &siteData{
		Explainer: &p.Explainer, Sections: p.Sections, Documents: p.Documents,
		Topics: p.Topics, Actors: p.Actors, Sources: p.Sources, Events: p.Events,
		HasTimeline: p.HasTimeline, BaseURL: baseURL, LiveReload: opts.LiveReload,
		Stylesheet: css,
	}
	jobs := b.jobs()
	files := b.renderPages(ctx, sets, jobs, &errs)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if len(errs.Errors()) > 0 {
		return finish(nil, errs, opts)
	}
	deps := map[string][]string{}
	for _, j := range jobs {
		for _, d := range j.deps {
			deps[d] = append(deps[d], j.out)
		}
	}
	for name, data := range statics {
		if _, clash := files[name]; clash {
			errs.Add(Pos{File: path.Join("static", name)}, "static file %q would overwrite a generated page", name)
			continue
		}
		files[name] = data
		if f := staticFrom[name]; f != "" {
			deps[f] = append(deps[f], name)
		}
	}
	for name, e := range b.extras() {
		files[name] = e.data
		for _, d := range e.deps {
			deps[d] = append(deps[d], name)
		}
	}
	out := newOutput(files)
	for in, outs := range deps {
		deps[in] = uniqueSorted(outs)
	}
	out.Deps = &Graph{inputs: deps}
	return finish(out, errs, opts)
}

// finish turns the collected problems into Build's result.
func finish(out *Output, errs ErrorList, opts Options) (*Output, error) {
	if opts.Strict {
		for _, e := range errs {
			e.Warning = false
		}
	}
	errs.Sort()
	if bad := errs.Errors(); len(bad) > 0 || out == nil {
		return nil, errs
	}
	out.Warnings = errs
	return out, nil
}
