package engine

import (
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
		if b.site.BaseURL != "" {
			data.Canonical = b.site.BaseURL + data.Path
		}
		jobs = append(jobs, pageJob{out: out, tmpl: tmpl, data: data})
		if tmpl != "404.tmpl" {
			b.paths = append(b.paths, data.Path)
		}
	}

	add("index.html", "home.tmpl", &pageData{Path: "/", Kind: "home", Description: p.Explainer.Description})
	for i, s := range p.Sections {
		data := &pageData{Path: model.SectionURL(s), Title: s.Title, Kind: "section", Section: s, Description: links.PlainText(s.Summary)}
		if i > 0 {
			data.Prev = p.Sections[i-1]
		}
		if i+1 < len(p.Sections) {
			data.Next = p.Sections[i+1]
		}
		add("sections/"+s.Slug+"/index.html", "section.tmpl", data)
	}

	add("documents/index.html", "documents.tmpl", &pageData{Path: "/documents/", Title: "Documents", Kind: "documents"})
	for _, doc := range p.Documents {
		add("documents/"+doc.ID+"/index.html", "document.tmpl",
			&pageData{Path: model.DocumentURL(doc), Title: doc.Title, Kind: "document", Document: doc, Description: links.PlainText(doc.Summary)})
		if len(resolve(doc.Follows, b.ix.Docs)) > 0 {
			add("documents/"+doc.ID+"/changes/index.html", "changes.tmpl",
				&pageData{Path: model.ChangesURL(doc), Title: b.changesTitle(doc), Kind: "changes", Document: doc})
		}
		for _, c := range doc.Clauses {
			add("documents/"+doc.ID+"/"+c.ID+"/index.html", "clause.tmpl",
				&pageData{Path: model.ClauseURL(c), Title: model.ClauseLabel(c) + " · " + doc.Short, Kind: "clause", Document: doc, Clause: c, Description: links.PlainText(c.Text)})
		}
	}

	add("topics/index.html", "topics.tmpl", &pageData{Path: "/topics/", Title: "Topics", Kind: "topics"})
	for _, t := range p.Topics {
		add("topics/"+t.ID+"/index.html", "topic.tmpl", &pageData{Path: model.TopicURL(t), Title: t.Name, Kind: "topic", Topic: t, Description: links.PlainText(t.Description)})
	}

	add("actors/index.html", "actors.tmpl", &pageData{Path: "/actors/", Title: "Actors", Kind: "actors"})
	for _, a := range p.Actors {
		add("actors/"+a.ID+"/index.html", "actor.tmpl", &pageData{Path: model.ActorURL(a), Title: a.Name, Kind: "actor", Actor: a, Description: links.PlainText(a.Description)})
	}

	add("sources/index.html", "sources.tmpl", &pageData{Path: "/sources/", Title: "Sources", Kind: "sources"})
	if p.HasTimeline {
		add("timeline/index.html", "timeline.tmpl", &pageData{Path: "/timeline/", Title: "Timeline", Kind: "timeline"})
	}
	add("404.html", "404.tmpl", &pageData{Path: "/404.html", Title: "Page not found", Kind: "404"})
	return jobs
}
