package engine

import (
	"strconv"
	"strings"

	"github.com/explainer/explainer/site/internal/dates"
	"github.com/explainer/explainer/site/internal/links"
	"github.com/explainer/explainer/site/internal/model"
)

// pages lists every page of the site: its output file, its template and
// the data the template executes on. This is where a new kind of page
// goes. What each page depends on is not declared here: rendering it
// records what it reads (see reads.go).
func (b *build) pages() []pageJob {
	p := b.p
	var jobs []pageJob
	add := func(out, tmpl string, data *pageData) {
		data.Site = b.site
		b.meta(data)
		jobs = append(jobs, pageJob{out: out, tmpl: tmpl, data: data})
		if tmpl != "404.tmpl" {
			b.paths = append(b.paths, data.Path)
		}
	}

	add("index.html", "home.tmpl", &pageData{Path: "/", Kind: "home", Description: or(p.Explainer.Description, links.Description(p.Explainer.Lede))})
	for i, s := range p.Sections {
		data := &pageData{Path: model.SectionURL(s), Title: s.Title, Kind: "section", Section: s, Description: sectionDescription(s)}
		if i > 0 {
			data.Prev = p.Sections[i-1]
		}
		if i+1 < len(p.Sections) {
			data.Next = p.Sections[i+1]
		}
		add("sections/"+s.Slug+"/index.html", "section.tmpl", data)
	}

	add("documents/index.html", "documents.tmpl", &pageData{Path: "/documents/", Title: "Documents", Kind: "documents",
		Description: "Every document behind this explainer, oldest first, and how each one relates to the documents before it."})
	for _, doc := range p.Documents {
		add("documents/"+doc.ID+"/index.html", "document.tmpl",
			&pageData{Path: model.DocumentURL(doc), Title: doc.Title, Kind: "document", Document: doc,
				Description: or(links.Description(doc.Summary), doc.Title+", "+dates.Format(doc.Date)+": "+plural(len(doc.Clauses), "point")+".")})
		if b.ix.HasChanges(doc) {
			title := b.changesTitle(doc)
			add("documents/"+doc.ID+"/changes/index.html", "changes.tmpl",
				&pageData{Path: model.ChangesURL(doc), Title: title, Kind: "changes", Document: doc,
					Description: title + ", point by point: what " + doc.Title + " made of every point before it."})
		}
		for _, c := range doc.Clauses {
			add("documents/"+doc.ID+"/"+c.ID+"/index.html", "clause.tmpl",
				&pageData{Path: model.ClauseURL(c), Title: model.ClauseLabel(c) + " · " + doc.Short, Kind: "clause", Document: doc, Clause: c, Description: links.Description(c.Text)})
		}
	}

	add("topics/index.html", "topics.tmpl", &pageData{Path: "/topics/", Title: "Topics", Kind: "topics",
		Description: "The subjects this explainer follows, each with what every document says about it."})
	for _, t := range p.Topics {
		add("topics/"+t.ID+"/index.html", "topic.tmpl", &pageData{Path: model.TopicURL(t), Title: t.Name, Kind: "topic", Topic: t,
			Description: or(links.Description(t.Description), "What every document says about "+t.Name+", side by side.")})
	}

	add("actors/index.html", "actors.tmpl", &pageData{Path: "/actors/", Title: "Actors", Kind: "actors",
		Description: "The governments, organisations and people in this explainer: what they wrote and the positions they took."})
	for _, a := range p.Actors {
		add("actors/"+a.ID+"/index.html", "actor.tmpl", &pageData{Path: model.ActorURL(a), Title: a.Name, Kind: "actor", Actor: a,
			Description: or(links.Description(a.Description), a.Name+": the documents it wrote and the positions it took.")})
	}

	add("sources/index.html", "sources.tmpl", &pageData{Path: "/sources/", Title: "Sources", Kind: "sources",
		Description: "The reporting every fact in this explainer rests on, and what cites each source."})
	if p.HasTimeline {
		add("timeline/index.html", "timeline.tmpl", &pageData{Path: "/timeline/", Title: "Timeline", Kind: "timeline",
			Description: "The events of the story in date order."})
	}
	add("search/index.html", "search.tmpl", &pageData{Path: "/search/", Title: "Search", Kind: "search",
		Description: "Search every point, section, document, topic, actor and source of this explainer."})
	add("404.html", "404.tmpl", &pageData{Path: "/404.html", Title: "Page not found", Kind: "404",
		Description: "There is no page at this address."})
	return jobs
}

// meta completes what a page says of itself in its head: its canonical
// URL (none for the 404 page, which stands for no address), its
// description, clipped, its structured data and its social card.
func (b *build) meta(data *pageData) {
	data.Canonical = ""
	if b.site.BaseURL != "" && data.Kind != "404" {
		data.Canonical = b.site.BaseURL + data.Path
	}
	data.Description = links.Clip(data.Description)
	data.JSONLD = jsonLD(data)
	data.Card = b.cardURL(data)
}

// sectionDescription is a section's summary, or else its first paragraph.
func sectionDescription(s *model.Section) string {
	if d := links.Description(s.Summary); d != "" {
		return d
	}
	return links.Lead(s.Body)
}

// or returns s, or instead when s is empty.
func or(s, instead string) string {
	if strings.TrimSpace(s) == "" {
		return instead
	}
	return s
}

// plural writes n things: "1 point", "3 points".
func plural(n int, thing string) string {
	if n == 1 {
		return "1 " + thing
	}
	return strconv.Itoa(n) + " " + thing + "s"
}
