package engine

import (
	"context"
	"encoding/binary"
	"hash/maphash"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/explainer/explainer/site/internal/exports"
	"github.com/explainer/explainer/site/internal/links"
	"github.com/explainer/explainer/site/internal/model"
	"github.com/explainer/explainer/site/internal/search"
)

// extra is a generated file that is not an HTML page.
type extra struct {
	data   [][]byte        // in parts, to be written one after the other
	render func() [][]byte // makes data, when extras was asked to leave it
	deps   []string
	key    uint64 // the key of its inputs, from reuse
}

// extraNames lists the files extras makes.
func (b *build) extraNames() []string {
	switch {
	case b.site.BaseURL == "":
		return []string{"data/explainer.json"}
	case atOriginRoot(b.site.BaseURL):
		return []string{"data/explainer.json", "sitemap.xml", "feed.xml", "robots.txt"}
	}
	return []string{"data/explainer.json", "sitemap.xml", "feed.xml"}
}

// atOriginRoot reports whether the site is published at the root of its
// origin (https://example.org, not https://example.org/news), where
// crawlers look for robots.txt.
func atOriginRoot(baseURL string) bool {
	rest, ok := strings.CutPrefix(baseURL, "https://")
	if !ok {
		rest, _ = strings.CutPrefix(baseURL, "http://")
	}
	return !strings.Contains(rest, "/")
}

// extras returns data/explainer.json and, when the base URL is known,
// sitemap.xml and feed.xml, robots.txt when it is an origin's root, and
// the social cards (cards/) outside the dev server (searchIndex makes
// the search index). reuse returns the file from an earlier build with
// the same key of its inputs, if there is one. With later set, a file
// that must be made again is left to its render function.
func (b *build) extras(ctx context.Context, reuse func(name string, key uint64) ([][]byte, bool), later bool) map[string]extra {
	p := b.p
	out := map[string]extra{}
	add := func(name string, fill func(d *deps), render func() [][]byte) {
		b.addExtra(out, reuse, later, name, fill, render)
	}
	add("data/explainer.json", func(d *deps) {
		d.add(p.Explainer.Pos.File, model.TopicsFile, model.ActorsFile, model.SourcesFile, model.TimelineFile)
		for _, s := range p.Sections {
			d.sectionMeta(s)
		}
		for _, doc := range p.Documents {
			d.add(doc.Pos.File)
		}
	}, func() [][]byte { return exports.JSON(b.p, b.ln) })
	if b.site.BaseURL != "" {
		add("sitemap.xml", func(d *deps) {
			d.part(p.Explainer.Pos.File, p.Explainer.Updated, p.Explainer.Published, b.site.BaseURL)
			d.part("", b.paths...)
		}, func() [][]byte { return exports.Sitemap(b.p, b.site.BaseURL, b.paths) })
		add("feed.xml", func(d *deps) {
			d.add(p.Explainer.Pos.File)
			d.part("", b.site.BaseURL)
			for _, s := range exports.FeedSections(p.Sections) {
				d.add(s.Pos.File)
				d.markdown(s.Body, s.Summary)
			}
		}, func() [][]byte { return exports.Feed(b.p, b.site.BaseURL) })
		if atOriginRoot(b.site.BaseURL) {
			add("robots.txt", func(d *deps) { d.part("", b.site.BaseURL) }, func() [][]byte {
				return [][]byte{[]byte("User-agent: *\nAllow: /\n\nSitemap: " + b.site.BaseURL + "/sitemap.xml\n")}
			})
		}
		if b.opts.LiveReload == "" { // see cardSet
			b.addCards(ctx, out, reuse, later)
		}
	}
	return out
}

// An extraMaker makes a set of extras: build.extras or build.searchIndex.
type extraMaker func(ctx context.Context, reuse func(name string, key uint64) ([][]byte, bool), later bool) map[string]extra

// addExtra adds the file name to out: with the key of its inputs, which
// fill adds, unless the build is streaming; as reuse has it from an
// earlier build with the same key, or left to render with later set, or
// made by render now.
func (b *build) addExtra(out map[string]extra, reuse func(name string, key uint64) ([][]byte, bool), later bool, name string, fill func(d *deps), render func() [][]byte) {
	var e extra
	if !b.streaming { // a streaming build keeps no key and makes no graph
		d := b.newDeps()
		d.part("", "extra", name)
		fill(d)
		e.deps, e.key = d.files, d.key()
	}
	data, ok := reuse(name, e.key)
	switch {
	case ok:
		e.data = data
	case later:
		e.render = render
	default:
		e.data = render()
	}
	out[name] = e
}

// searchIndex returns the files of the search index (search/), which
// holds every clause, section, document, topic, actor and source, from
// the records read before pages render. It is made apart from extras,
// so that their files are written while the index is scored.
func (b *build) searchIndex(ctx context.Context, reuse func(name string, key uint64) ([][]byte, bool), later bool) map[string]extra {
	p := b.p
	out := map[string]extra{}
	scored := b.searchScores(ctx)
	if ctx.Err() != nil {
		return out
	}
	files := search.Build(b.searchRecs, scored)
	// The files all depend on the same inputs, worked out once and
	// shared; each file's key adds its data.
	in := b.newDeps()
	in.add(p.Explainer.Pos.File, model.TopicsFile, model.ActorsFile, model.SourcesFile)
	for _, s := range p.Sections {
		in.add(s.Pos.File)
	}
	for _, doc := range p.Documents {
		in.add(doc.Pos.File)
	}
	inputs := slices.Clip(in.files)
	for _, f := range files {
		b.addExtra(out, reuse, later, f.Name, func(d *deps) {
			d.files = inputs
			d.h.Write(f.Data)
		}, func() [][]byte { return [][]byte{f.Data} })
	}
	return out
}

// addCards adds the social cards to out: those an earlier build made
// from reuse; with later set, the others left to their render functions;
// else those in the card cache left to a render function that reads
// them when written, and the others drawn now, on all cores. A card's
// name says all it shows, so its name is its key.
func (b *build) addCards(ctx context.Context, out map[string]extra, reuse func(name string, key uint64) ([][]byte, bool), later bool) {
	cards := b.cardSet
	var draw []string
	for _, name := range slices.Sorted(maps.Keys(cards)) {
		var e extra
		if !b.streaming {
			d := b.newDeps()
			d.part(b.p.Explainer.Pos.File, name)
			e.deps, e.key = d.files, d.key()
		}
		drawn := func() [][]byte {
			if data, ok := b.cached(name); ok {
				return [][]byte{data}
			}
			return b.drawCards(context.Background(), []string{name}, cards) // one card, when it is written
		}
		switch data, ok := reuse(name, e.key); {
		case ok && !b.streaming:
			e.data = data
		case later:
			e.render = drawn
		case b.opts.CardCache != "" && fileExists(filepath.Join(b.opts.CardCache, strings.TrimPrefix(name, "cards/"))):
			e.render = drawn
		default:
			draw = append(draw, name)
		}
		out[name] = e
	}
	for i, data := range b.drawCards(ctx, draw, cards) {
		e := out[draw[i]]
		e.data = [][]byte{data}
		out[draw[i]] = e
	}
}

// deps makes the key of an extra file's inputs, which changes whenever
// the file may change, with the input files it depends on. The extras
// are made by Go code, not templates, so what each reads is declared here.
type deps struct {
	b     *build
	files []string
	h     maphash.Hash
}

func (b *build) newDeps() *deps {
	d := &deps{b: b}
	d.h.SetSeed(b.seed)
	return d
}

// add adds whole files.
func (d *deps) add(files ...string) {
	var sum [8]byte
	for _, f := range files {
		d.files = append(d.files, f)
		d.h.WriteString(f)
		binary.LittleEndian.PutUint64(sum[:], d.b.sums[f])
		d.h.Write(sum[:])
	}
}

// part adds a part of file: the strings parts.
func (d *deps) part(file string, parts ...string) {
	if file != "" {
		d.files = append(d.files, file)
	}
	d.h.WriteByte(1)
	for _, p := range parts {
		d.h.WriteString(p)
		d.h.WriteByte(0)
	}
}

// key is the key of everything added.
func (d *deps) key() uint64 { return d.h.Sum64() }

// markdown adds the targets of every cross-reference in converted fields.
func (d *deps) markdown(ms ...model.Markdown) {
	var sum [8]byte
	for _, m := range ms {
		r := links.Conv(m)
		if r == nil || len(r.Refs) == 0 {
			continue
		}
		d.h.WriteByte(2)
		binary.LittleEndian.PutUint64(sum[:], r.Digest())
		d.h.Write(sum[:])
		d.files = append(d.files, r.Files()...)
	}
}

// sectionMeta adds a section's front matter as the JSON export shows it.
func (d *deps) sectionMeta(s *model.Section) {
	d.part(s.Pos.File, "section", s.Slug, s.Title)
	for _, r := range s.Topics {
		d.part("", "topic", r.ID)
	}
	for _, r := range s.Sources {
		d.part("", "source", r.ID)
	}
}

// fileExists reports whether name is a file that can be looked at.
func fileExists(name string) bool {
	_, err := os.Stat(name)
	return err == nil
}
