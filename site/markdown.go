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
	HTML     template.HTML // with root-absolute links
	Text     string        // plain text, when asked for
	Refs     []mdext.Ref
	targets  []mdext.Target  // what each of Refs resolved to, to check a cached copy
	problems []mdext.Problem // what converting it found

	demoteOnce sync.Once
	demoted    template.HTML // HTML with headings one level down, made on first use
}

// mdCache holds converted Markdown fields by source text and heading
// prefix. An entry is reused only when every cross-reference in it still
// resolves to the same URL and label, so that a cached conversion is the
// same as a fresh one.
type mdCache struct {
	mu      sync.Mutex
	entries map[string]*rendered
}

func newMDCache() *mdCache { return &mdCache{entries: map[string]*rendered{}} }

func mdKey(f mdField) string {
	flag := "0"
	if f.text {
		flag = "1"
	}
	return f.prefix + "\x00" + flag + f.md.Text
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
// The cache, when not nil, supplies unchanged conversions; next receives
// every conversion of this build.
func renderMarkdown(md goldmark.Markdown, r mdext.Resolver, fields []mdField, cache, next *mdCache, errs *ErrorList) *markdownSet {
	results := make([]*rendered, len(fields))
	problems := make([]ErrorList, len(fields))
	var wg sync.WaitGroup
	queue := make(chan int)
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var buf bytes.Buffer
			for i := range queue {
				results[i], problems[i] = convertCached(md, r, fields[i], cache, next, &buf)
			}
		}()
	}
	for i, f := range fields {
		if !f.md.IsZero() {
			queue <- i
		}
	}
	close(queue)
	wg.Wait()

	ms := &markdownSet{backlinks: map[string][]referrer{}}
	for i, f := range fields {
		*errs = append(*errs, problems[i]...)
		out := results[i]
		if out == nil {
			f.md.r = nil
			continue
		}
		f.md.r = out
		for _, ref := range out.Refs {
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

// convertCached converts one field, or takes it from the cache.
func convertCached(md goldmark.Markdown, r mdext.Resolver, f mdField, cache, next *mdCache, buf *bytes.Buffer) (*rendered, ErrorList) {
	key := mdKey(f)
	var out *rendered
	if cache != nil {
		cache.mu.Lock()
		out = cache.entries[key]
		cache.mu.Unlock()
		if out != nil {
			for i, ref := range out.Refs {
				if t, ok := r.Resolve(ref.Kind, ref.ID); !ok || t != out.targets[i] {
					out = nil
					break
				}
			}
		}
	}
	if out == nil {
		out = convert(md, r, f, buf)
	}
	var errs ErrorList
	for _, p := range out.problems {
		errs = append(errs, &Error{Pos: f.md.Position(p.Offset), Msg: p.Msg, Warning: p.Warning})
	}
	if next != nil && len(errs.Errors()) == 0 {
		next.mu.Lock()
		next.entries[key] = out
		next.mu.Unlock()
	}
	return out, errs
}

// convert renders one field.
func convert(md goldmark.Markdown, r mdext.Resolver, f mdField, buf *bytes.Buffer) *rendered {
	src := []byte(f.md.Text)
	pc := parser.NewContext(parser.WithIDs(mdext.NewIDs(f.prefix)))
	doc := md.Parser().Parse(text.NewReader(src), parser.WithContext(pc))
	buf.Reset()
	out := &rendered{Refs: mdext.Refs(pc), problems: mdext.Problems(pc)}
	if err := md.Renderer().Render(buf, src, doc); err != nil {
		out.problems = append(out.problems, mdext.Problem{Msg: "rendering markdown: " + err.Error()})
	}
	out.HTML = template.HTML(buf.String())
	if f.text {
		out.Text = mdext.Text(doc, src)
	}
	out.targets = make([]mdext.Target, len(out.Refs))
	for i, ref := range out.Refs {
		out.targets[i], _ = r.Resolve(ref.Kind, ref.ID)
	}
	return out
}
