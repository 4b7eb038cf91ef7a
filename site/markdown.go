package site

import (
	"bytes"
	"html/template"
	"runtime"
	"sort"
	"sync"

	"github.com/explainer/explainer/site/internal/mdext"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
)

// referrer is a page that refers to something through a Markdown
// cross-reference: what the "Referred to in" lists show.
type referrer struct {
	URL   string // the page, root-absolute
	Label string // its title
	Kind  string // "section", "clause", ... : what kind of page it is
	File  string // the input file the reference is written in
}

// mdField is one Markdown field to render, with the page it appears on.
type mdField struct {
	md     *Markdown
	prefix string   // heading id prefix
	owner  referrer // the page this text belongs to
	text   bool     // also extract plain text (for diffs)
}

// rendered is a Markdown field converted once, reused on every page that
// shows it.
type rendered struct {
	HTML template.HTML // with root-absolute links
	Text string        // plain text, when asked for
	Refs []mdext.Ref
}

// markdownSet holds what rendering every Markdown field of a build found.
type markdownSet struct {
	backlinks map[string][]referrer // "kind:id" -> referrers, sorted, unique
}

// plainText returns the plain text of a converted field.
func plainText(m Markdown) string {
	if m.r == nil {
		return ""
	}
	return m.r.Text
}

// refs returns the cross-references of a converted field.
func refs(m Markdown) []mdext.Ref {
	if m.r == nil {
		return nil
	}
	return m.r.Refs
}

// renderMarkdown converts every field with one goldmark instance on all
// cores, checks their cross-references and collects backlinks.
func renderMarkdown(md goldmark.Markdown, fields []mdField, errs *ErrorList) *markdownSet {
	results := make([]*rendered, len(fields))
	problems := make([]ErrorList, len(fields))
	var wg sync.WaitGroup
	next := make(chan int)
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var buf bytes.Buffer
			for i := range next {
				results[i], problems[i] = convert(md, fields[i], &buf)
			}
		}()
	}
	for i, f := range fields {
		if !f.md.IsZero() {
			next <- i
		}
	}
	close(next)
	wg.Wait()

	ms := &markdownSet{backlinks: map[string][]referrer{}}
	for i, f := range fields {
		*errs = append(*errs, problems[i]...)
		r := results[i]
		if r == nil {
			continue
		}
		f.md.r = r
		for _, ref := range r.Refs {
			key := ref.Kind + ":" + ref.ID
			ms.backlinks[key] = append(ms.backlinks[key], f.owner)
		}
	}
	for key, refs := range ms.backlinks {
		sort.SliceStable(refs, func(i, j int) bool { return refs[i].URL < refs[j].URL })
		out := refs[:0]
		for i, r := range refs {
			if i > 0 && r.URL == refs[i-1].URL {
				continue
			}
			out = append(out, r)
		}
		ms.backlinks[key] = out
	}
	return ms
}

// convert renders one field.
func convert(md goldmark.Markdown, f mdField, buf *bytes.Buffer) (*rendered, ErrorList) {
	src := []byte(f.md.Text)
	pc := parser.NewContext(parser.WithIDs(mdext.NewIDs(f.prefix)))
	doc := md.Parser().Parse(text.NewReader(src), parser.WithContext(pc))
	buf.Reset()
	var errs ErrorList
	if err := md.Renderer().Render(buf, src, doc); err != nil {
		errs.Add(f.md.Position(0), "rendering markdown: %v", err)
		return nil, errs
	}
	r := &rendered{HTML: template.HTML(buf.String()), Refs: mdext.Refs(pc)}
	if f.text {
		r.Text = mdext.Text(doc, src)
	}
	for _, p := range mdext.Problems(pc) {
		e := &Error{Pos: f.md.Position(p.Offset), Msg: p.Msg, Warning: p.Warning}
		errs = append(errs, e)
	}
	return r, errs
}
