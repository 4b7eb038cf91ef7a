package engine

import (
	"bytes"
	"context"
	"io/fs"
	"slices"
	"strings"

	"github.com/explainer/explainer/site/internal/links"
	"github.com/explainer/explainer/site/internal/mdext"
	"github.com/explainer/explainer/site/internal/model"
)

// lastBuild is what Preview needs of the Builder's last good build.
type lastBuild struct {
	b    *build
	out  *Result
	jobs []pageJob
}

// Preview returns the files that the edit of changed makes again, for
// site.Builder.Preview, which says which edits those are: every other
// file is as the last good build made it. It returns false for any other
// edit.
func (bd *Builder) Preview(ctx context.Context, src fs.FS, changed []string) (map[string][][]byte, bool) {
	last := bd.last
	if last == nil || len(changed) != 1 || ctx.Err() != nil || bd.loads == nil || bd.tmpl == nil || bd.md == nil || !bd.md.Kept() {
		return nil, false
	}
	b := last.b
	name := changed[0]
	if strings.Count(name, "/") != 2 || b.hasCustom() {
		return nil, false
	}
	if strings.HasPrefix(name, model.DocumentsDir+"/") && strings.HasSuffix(name, ".yaml") {
		return bd.previewClause(src, name, last)
	}
	if !strings.HasPrefix(name, model.SectionsDir+"/") || !strings.HasSuffix(name, ".md") {
		return nil, false
	}
	s0, oldData, ok := bd.loads.Section(name)
	if !ok {
		return nil, false
	}
	i := slices.Index(b.p.Sections, s0)
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
	head := oldData[:len(oldData)-len(s0.Body.Text)]
	data, err := model.ReadFile(src, name, model.LimitFor(name))
	if err != nil || !bytes.HasSuffix(head, []byte("\n")) || !bytes.HasPrefix(data, head) || bytes.Equal(data, oldData) {
		return nil, false
	}
	body, ok := model.SectionBody(name, data, len(head))
	if !ok || strings.TrimSpace(body.Text) == "" {
		return nil, false // an error or a warning: BuildChanged gives it
	}
	s1 := *s0
	s1.Body = body
	var buf bytes.Buffer
	r, problems := links.ConvertCached(mdext.NewMarkdown(b.ix), b.ix, bodyField(s0, &s1.Body), bd.md, nil, &buf)
	if problems.HasErrors() { // a warning leaves the page as it is; the build reports it
		return nil, false
	}
	links.SetConv(&s1.Body, r)

	// The templates' functions work on the last build again.
	bd.tmpl.ref.b = b
	sets := bd.tmpl.sets
	data2 := *job.data
	data2.Section = &s1
	data2.Description = sectionDescription(&s1) // as pages sets it
	b.meta(&data2)
	job.data = &data2
	page, err := b.renderPage(&buf, sets[job.tmpl], job, 0, nil)
	if err != nil {
		return nil, false
	}
	changedFiles := map[string][][]byte{job.out: page}
	if home, ok := last.out.Files["index.html"]; ok && len(home.parts) == len(b.p.Sections)+2 {
		set := sets["home.tmpl"]
		if set == nil || set.Lookup(homeBlock) == nil {
			return nil, false
		}
		block, err := b.renderBlock(&buf, set, &s1, nil)
		if err != nil {
			return nil, false
		}
		parts := slices.Clone(home.parts)
		parts[i+1] = block
		changedFiles["index.html"] = parts
	}
	return changedFiles, true
}

// previewClause is Preview for an edit of the document file name.
func (bd *Builder) previewClause(src fs.FS, name string, last *lastBuild) (map[string][][]byte, bool) {
	b := last.b
	old, oldData, ok := bd.loads.Document(name)
	if !ok {
		return nil, false
	}
	d := old.Doc
	if !slices.Contains(b.p.Documents, d) {
		return nil, false
	}
	data, err := model.ReadFile(src, name, model.LimitFor(name))
	if err != nil || bytes.Equal(data, oldData) {
		return nil, false
	}
	// The file decoded again must say what it said, but for one clause's
	// text.
	nr, ok := model.ReadDocument(bd.seed, src, model.Options{Drafts: bd.opts.Drafts}, name, data)
	if !ok || !nr.SameHead(old) || len(nr.Doc.Clauses) != len(d.Clauses) {
		return nil, false
	}
	nd := nr.Doc
	k := -1
	for i, c := range d.Clauses {
		nc := nd.Clauses[i]
		same, textOnly := nr.CompareClause(old, i)
		switch {
		case nc.ID != c.ID:
			return nil, false
		case same:
		case k >= 0 || !textOnly:
			return nil, false
		default:
			k = i
		}
	}
	if k < 0 {
		return nil, false
	}
	c := d.Clauses[k]

	// The clause with its new text, converted as a build converts it.
	c1 := *c
	c1.Text = nd.Clauses[k].Text
	var buf bytes.Buffer
	r, problems := links.ConvertCached(mdext.NewMarkdown(b.ix), b.ix, textField(c, &c1.Text), bd.md, nil, &buf)
	if problems.HasErrors() { // a warning leaves the page as it is; the build reports it
		return nil, false
	}
	links.SetConv(&c1.Text, r)
	d1 := *d
	d1.Clauses = slices.Clone(d.Clauses)
	d1.Clauses[k] = &c1
	c1.Doc = &d1 // its outline, for the points before and after it

	// The lineage, with every fate of the clause compared again.
	ln := b.ln
	ln1 := ln.WithText(c, &c1, d, &d1, func(c *model.Clause) string { return links.PlainText(c.Text) })

	// The clause's page and its document's, on the last build with this
	// lineage: its files still being made read the lineage too.
	var clauseJob, docJob pageJob
	for _, j := range last.jobs {
		switch {
		case j.tmpl == "clause.tmpl" && j.data.Clause == c:
			clauseJob = j
		case j.tmpl == "document.tmpl" && j.data.Document == d:
			docJob = j
		}
	}
	if clauseJob.data == nil || docJob.data == nil {
		return nil, false
	}
	cd := *clauseJob.data
	cd.Clause, cd.Document, cd.Description = &c1, &d1, links.Description(c1.Text)
	b.meta(&cd)
	clauseJob.data = &cd
	dd := *docJob.data
	dd.Document = &d1
	docJob.data = &dd

	bd.pending.Wait()
	bd.tmpl.ref.b = b
	b.ln = ln1
	defer func() { b.ln = ln }()
	changedFiles := map[string][][]byte{}
	for _, j := range []pageJob{clauseJob, docJob} {
		page, err := b.renderPage(&buf, bd.tmpl.sets[j.tmpl], j, 0, nil)
		if err != nil {
			return nil, false
		}
		changedFiles[j.out] = page
	}
	return changedFiles, true
}
