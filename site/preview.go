package site

import (
	"bytes"
	"context"
	"io/fs"
	"maps"
	"strings"

	"github.com/explainer/explainer/site/internal/mdext"
)

// lastBuild is what Preview needs of the Builder's last good build.
type lastBuild struct {
	b    *builder
	out  *Output
	jobs []pageJob
}

// Preview returns, in a fraction of a rebuild's time, the site with the
// pages that show the edited text made again, for the edit editors make
// most: the body of one section, with its front matter as it was and no
// other file changed since the last good build. It renders the section's
// page and its block of the home page from the new text and the rest of
// the last build, and takes every other file from that build.
//
// Those two pages are byte for byte what BuildChanged will make of them.
// Other pages may change too, and BuildChanged must follow: the pages the
// new text links to list it among their backlinks, and the feed and the
// JSON export hold the text. Preview returns false for any other edit,
// for a project with templates of its own, and when the new text has a
// problem, which BuildChanged then reports. It keeps nothing but the
// conversion of the new text, which BuildChanged then reuses.
func (bd *Builder) Preview(ctx context.Context, src fs.FS, changed []string) (*Output, bool) {
	last := bd.last
	if last == nil || len(changed) != 1 || ctx.Err() != nil || bd.loads == nil || bd.tmpl == nil || bd.md == nil || bd.md.entries == nil {
		return nil, false
	}
	b := last.b
	name := changed[0]
	if !strings.HasPrefix(name, sectionsDir+"/") || !strings.HasSuffix(name, ".md") || strings.Count(name, "/") != 2 || b.hasCustom() {
		return nil, false
	}
	old := bd.loads.files[name]
	if old == nil || len(old.sections) != 1 || old.unparsed || len(old.errs) > 0 {
		return nil, false
	}
	s0 := old.sections[0]
	i := -1
	for k, s := range b.p.Sections {
		if s == s0 {
			i = k
		}
	}
	var job pageJob
	for _, j := range last.jobs {
		if j.data.Section == s0 && j.tmpl == "section.tmpl" {
			job = j
		}
	}
	if i < 0 || job.data == nil {
		return nil, false
	}

	// The front matter, up to and with its closing line, must be the
	// same bytes: then so is every field but the body.
	head := old.data[:len(old.data)-len(s0.Body.Text)]
	data, err := fs.ReadFile(src, name)
	if err != nil || !bytes.HasSuffix(head, []byte("\n")) || !bytes.HasPrefix(data, head) || bytes.Equal(data, old.data) {
		return nil, false
	}
	var errs ErrorList
	body := (&mdFile{yaml: newYAMLFile(name, data, 1, &errs)}).bodyFrom(len(head))
	if strings.TrimSpace(body.Text) == "" { // a warning: BuildChanged gives it
		return nil, false
	}
	s1 := *s0
	s1.Body = body
	f := mdField{md: &s1.Body, prefix: s1.Slug, owner: referrer{URL: sectionURL(s0), Label: s0.Title, Kind: "section", File: name}}
	var buf bytes.Buffer
	r, problems := convertCached(mdext.NewMarkdown(b.ix), b.ix, f, bd.md, nil, &buf)
	if len(problems) > 0 {
		return nil, false
	}
	s1.Body.r = r

	// The templates' functions work on the last build again.
	bd.tmpl.ref.b = b
	sets := bd.tmpl.sets
	data2 := *job.data
	data2.Section = &s1
	job.data = &data2
	buf.Reset()
	if err := b.execute(&buf, sets[job.tmpl], job.tmpl, "templates/base.tmpl", job.data); err != nil {
		return nil, false
	}
	page := b.spliceBlocks(relativize(buf.Bytes(), job.out, false, b.site.BaseURL), job.out)

	files := maps.Clone(last.out.files)
	files[job.out] = &content{parts: page}
	if home, ok := last.out.files["index.html"]; ok && len(home.parts) == len(b.p.Sections)+2 {
		set := sets["home.tmpl"]
		if set == nil || set.Lookup(homeBlock) == nil {
			return nil, false
		}
		buf.Reset()
		buf.WriteByte('\n')
		if err := b.execute(&buf, set, homeBlock, homeBlock, &s1); err != nil {
			return nil, false
		}
		parts := append([][]byte{}, home.parts...)
		parts[i+1] = relativize(buf.Bytes(), "index.html", false, "")
		files["index.html"] = &content{parts: parts}
	}
	out := &Output{files: files, Warnings: last.out.Warnings, Pages: last.out.Pages, Deps: last.out.Deps, names: last.out.sortedNames(), from: bd}
	return out, true
}
