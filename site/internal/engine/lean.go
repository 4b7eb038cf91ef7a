package engine

import (
	"bytes"
	"context"
	"html/template"
	"sync"

	"github.com/explainer/explainer/site/internal/exports"
	"github.com/explainer/explainer/site/internal/links"
	"github.com/explainer/explainer/site/internal/model"
)

// A lean build is a streaming build (BuildTo) with the standard templates:
// no rebuild comes after it and no template of the project's own reads the
// model, so it knows what each page reads and lets go of what no page
// left to render needs. Its peak memory is what it holds at once, and the
// longest things it holds are section bodies, in three forms: the
// Markdown source, the HTML, and the home page's block, the HTML with its
// headings demoted and its links made relative.
//
//   - A section's source is dropped once it is converted, and every
//     field's map of positions in its file (with the file's line index)
//     and its references once backlinks are collected (see
//     renderMarkdown): they serve error messages, rebuilds and the dev
//     server's Preview.
//   - Section pages render first, each with its home page block; then its
//     HTML is dropped, unless the feed shows it, so that a section is held
//     in one form at a time rather than in two.
//   - The home page renders once every block is made; then the blocks
//     are dropped (see renderPages).
type leanState struct {
	pending sync.WaitGroup          // section pages whose block is not made yet
	feed    map[*model.Section]bool // the sections the feed shows, whose HTML it reads

	mu       sync.Mutex    // for build.blocks and failures
	failures map[int]error // job index -> what rendering its section's block failed with
}

// leanBuild reports whether a build is lean: streaming, with no rebuild to
// come, and with the standard templates, whose home page shows blocks.
func (b *build) leanBuild(home *template.Template) bool {
	return b.streaming && !b.keep && !b.hasCustom() && home != nil && home.Lookup(homeBlock) != nil
}

// startLean makes the build lean, with jobs to run in the order it
// returns: section pages first, then the others as they were.
func (b *build) startLean(jobs []pageJob) []pageJob {
	l := &leanState{failures: map[int]error{}}
	if b.site.BaseURL != "" { // there is a feed
		l.feed = map[*model.Section]bool{}
		for _, s := range exports.FeedSections(b.p.Sections) {
			l.feed[s] = true
		}
	}
	// Section pages first, then the others, each in the order they had.
	ordered := make([]pageJob, 0, len(jobs))
	for _, first := range []bool{true, false} {
		for _, j := range jobs {
			if (l.section(&j) != nil) == first {
				ordered = append(ordered, j)
			}
		}
		if first {
			l.pending.Add(len(ordered))
		}
	}
	b.lean, b.blocks = l, make(map[*model.Section]block, len(b.p.Sections))
	return ordered
}

// section returns the section whose page job j renders, if the build is
// lean.
func (l *leanState) section(j *pageJob) *model.Section {
	if l == nil || j.tmpl != "section.tmpl" {
		return nil
	}
	return j.data.Section
}

// sectionDone renders the home page block of s, whose page, job i, is
// rendered, with set, in buf, and drops the HTML of its body unless the
// feed shows it.
func (l *leanState) sectionDone(ctx context.Context, b *build, s *model.Section, set *template.Template, buf *bytes.Buffer, i int) {
	if ctx.Err() != nil {
		return
	}
	html, err := b.renderBlock(buf, set, s, nil)
	l.mu.Lock()
	if err != nil {
		l.failures[i] = err
	} else {
		b.blocks[s] = block{html: html}
	}
	l.mu.Unlock()
	if r := links.Conv(s.Body); !l.feed[s] && r != nil {
		r.DropHTML()
	}
}

// blockFailure returns what rendering the block of job i's section
// failed with, if anything.
func (l *leanState) blockFailure(i int) error {
	if l == nil {
		return nil
	}
	return l.failures[i]
}
