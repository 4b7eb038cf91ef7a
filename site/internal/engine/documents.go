package engine

import (
	"slices"
	"strings"

	"github.com/explainer/explainer/site/internal/model"
)

// docNode is a document in the documents index's diagram of how the
// documents relate: the documents that follow it hang under it.
type docNode struct {
	Doc      *model.Document
	Relation string    // how Doc relates to the document above it; "" at the top
	Again    bool      // Doc follows two documents and was drawn under the first: its followers are not repeated
	Children []docNode // the documents that follow Doc, in date order
}

// docTree returns the documents as a forest: those that follow no other
// at the top, in date order, each with the documents that follow it
// under it. A document that follows two is drawn under both, marked the
// second time.
func (b *build) docTree() []docNode {
	seen := map[*model.Document]bool{}
	var node func(d *model.Document, relation string) docNode
	node = func(d *model.Document, relation string) docNode {
		n := docNode{Doc: d, Relation: relation, Again: seen[d]}
		if n.Again {
			return n
		}
		seen[d] = true
		for _, next := range b.ln.FollowedBy[d] {
			n.Children = append(n.Children, node(next, next.Relation))
		}
		return n
	}
	var roots []docNode
	for _, d := range b.p.Documents {
		if len(resolve(d.Follows, b.ix.Docs)) == 0 {
			roots = append(roots, node(d, ""))
		}
	}
	return roots
}

// timelineEntry is an event of the timeline, or the day a document was
// published.
type timelineEntry struct {
	Date  string
	Event *model.Event
	Doc   *model.Document
}

// timeline returns the events and the documents' publications in date
// order; on the same first day, a document comes before the events.
func (b *build) timeline() []timelineEntry {
	var out []timelineEntry
	for _, d := range b.p.Documents {
		out = append(out, timelineEntry{Date: d.Date, Doc: d})
	}
	for _, e := range b.p.Events {
		out = append(out, timelineEntry{Date: e.Date, Event: e})
	}
	slices.SortStableFunc(out, func(a, b timelineEntry) int {
		return strings.Compare(a.Date, b.Date)
	})
	return out
}

// latestChanges returns the latest document that follows another, whose
// changes page the masthead links to; nil when none does.
func (b *build) latestChanges() *model.Document {
	for _, d := range slices.Backward(b.p.Documents) {
		if len(resolve(d.Follows, b.ix.Docs)) > 0 {
			return d
		}
	}
	return nil
}
