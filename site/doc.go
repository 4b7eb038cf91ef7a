// Package site is the explainer generator: it turns a project's content/
// (Markdown sections answering one question each, plus YAML data about
// the documents they explain) into a complete static site, in memory.
//
// Build is the heart of the API. It takes the project as an fs.FS and
// returns an Output, itself an fs.FS, that the build command writes to
// disk and the dev server serves. Build never prints, reads no flags and
// keeps no state between calls: two builds of the same input give
// byte-identical output. BuildTo makes the same files but hands each to
// a writer as soon as it is made, without holding the whole site: the
// build command writes them to disk that way. Check validates a project
// as Build would, for the check command (see Errors); a Builder rebuilds
// a project after edits (see Incremental builds).
//
// # Project layout
//
//	content/_index.md            the explainer: front matter and the lede
//	content/sections/*.md        one section per question
//	content/documents/*.yaml     one file per document (a draft, a revision, a treaty)
//	content/topics.yaml          topics that line clauses up across documents
//	content/actors.yaml          parties that write documents or take positions
//	content/sources.yaml         the reporting every fact rests on
//	content/timeline.yaml        dated events (optional)
//	templates/*.tmpl             optional: replaces the embedded template of the same name
//	static/...                   optional: copied to the output root, over the embedded assets
//
// # The explainer: content/_index.md
//
// Front matter (YAML between "---" lines):
//
//	title        required
//	description  one sentence, used as the page description and feed subtitle
//	byline       who wrote it
//	published    a date (see Dates)
//	updated      a date
//	base_url     absolute URL the site is published at; enables sitemap.xml and feed.xml
//	language     default "en"
//
// The body is the lede, shown above the sections on the home page.
//
// # Sections: content/sections/*.md
//
//	title    required: the question the section answers
//	slug     default: the file name without a leading "NN-" and ".md"
//	weight   order on the home page; default: file-name order
//	summary  Markdown, shown under the question on its page
//	updated  a date (see Dates)
//	topics   topic ids
//	sources  source ids
//	draft    true leaves the section out unless Options.Drafts is set
//
// Headings in a section body start at "##": the question is the page's
// only h1. On the home page, where the question is an h2, the body's
// headings move one level down.
//
// # Documents: content/documents/*.yaml
//
// A document has an id, title, short label, date, authors (by), parties
// (actors with a role: mediator, guarantor, signatory, endorser or
// observer), positions on it as a whole, the documents it follows (one
// id or a list) and its relation to them, a status, an availability
// (full, partial or reported), a wording (quoted or paraphrased, for its
// clauses), a summary, sources, removals and clauses. A clause has an
// id, an optional display number, an optional parent (a clause of the
// same document it is a sub-point of), a title, an optional status (free
// text shown as a badge), topics, a figure for its topic's metric (or
// figures, one per topic), from (the clauses of followed documents it
// continues, as DOC/CLAUSE, one or a list) with an outcome, a wording,
// text, claims (reports that disagree, each with its own sources and
// confidence), positions (an actor's stance at a date) and sources.
//
// The relation (model.Relations) says what a document does to those it
// follows, and with it the outcomes its clauses may have
// (model.Outcomes), the fate of a followed clause nothing continues
// (model.Unmatched) and what a removal means (model.RemovalOutcome):
//
//	revises     changed, kept, deferred, moved    unknown        removed
//	responds    qualifies, accepts, rejects, defers  not-addressed  rejects
//	implements  implements, partly, defers        not-covered    (no removals)
//	endorses    endorses, qualifies               endorsed       (no removals)
//
// Every clause of a followed document meets a fate in each document that
// follows it (site/internal/lineage): one per clause that continues it
// (several for a split), or its relation's fate from a removal, or for
// nothing at all. A clause that continues nothing is "new". Clause pages
// show these fates as a history through every first version the clause
// descends from; changes pages list them. Word-level differences are
// shown only between two quoted texts of a revision; otherwise the two
// texts stand side by side, each labelled. Every page words a fate for
// its relation (lineage.Label): a reply "accepts" a point, an agreement
// puts it "in effect".
//
// A figure is a number, {value: N, approx: true} or {low: N, high: M},
// each with an optional note (model.Figure); charts draw an approximate
// one hollow and a range as a span.
//
// # Dates
//
// Every date field (published, updated, a document's date, a position's
// as_of, a source's and an event's date) takes a day, 2025-11-20; a
// month when only the month is known, 2025-11; a year, 2025; or some day
// between two days, 2025-10-08/2025-10-09. Pages show them as "20
// November 2025", "November 2025", "2025" and "8–9 October 2025"; a
// time element's datetime attribute and the sitemap get the date as
// written, or an interval's first day, and the feed the first day the
// date can mean. Dates are kept as written and sort by their first day.
// A day that does not exist (2025-11-31) is an error that says so.
//
// # Cross-references
//
// Every Markdown field can link to any page with a link whose destination
// names a kind and an id:
//
//	[the territory clause](clause:us-28/21)
//	[](doc:us-28)  [](changes:geneva-19)  [](topic:territory)  [](actor:russia)
//	[](section:whats-next)  [](source:axios-2025-11-20)
//
// An empty link text is filled with the target's label ("Point 21:
// Territory"; a source's cite, else its title; a changes page's title). An
// unknown target is an error at its file, line and column, with the
// nearest known id suggested, and so is a cross-reference written with a
// space after the colon, which Markdown would publish as text. A link to
// a root-absolute page path (/documents/us-28/) is checked against the
// pages the build makes. Every page lists the pages that refer to it
// under "Referred to in".
//
// Raw HTML in Markdown is dropped, with a warning at its position (HTML
// comments aside), and so are links whose scheme is not http, https,
// mailto or tel (javascript:, data: and the like).
//
// # Writing tools
//
// Import turns a numbered text into a document's YAML (site/internal/
// numbered reads it); with ImportOptions.Follows, and in Align, each
// clause is matched to the clause of a followed document it most
// resembles (site/internal/align), by number and by wording.
//
// # URLs
//
//	/                          the explainer: lede and every section (anchor = slug)
//	/sections/SLUG/            one section
//	/documents/                every document
//	/documents/DOC/            one document and all its clauses
//	/documents/DOC/CLAUSE/     one clause, with its history
//	/documents/DOC/changes/    every fate, for a document that follows another
//	/topics/, /topics/ID/      topics; one topic with its clauses side by side
//	/actors/, /actors/ID/      actors; one actor's documents and positions
//	/sources/                  every source and what cites it (anchor source-ID)
//	/timeline/                 events, when content/timeline.yaml exists
//	/search/                   the search page: every page by kind, and results with JavaScript
//	/search/*.json, t/, r/     the search index (see Search)
//	/404.html                  not-found page, with root-absolute links
//	/sitemap.xml, /feed.xml    only with a base URL
//	/robots.txt                only with a base URL at an origin's root
//	/cards/HASH.png            social cards, only with a base URL
//	/data/explainer.json       documents, clauses, relations and positions
//
// Every page but the 404 page names a social card in its og:image when
// the base URL is known: a 1200×630 PNG of the explainer's name, the
// page's title and its figure, fate or tally, drawn by package card. A
// card's file is named by a hash of what it shows, so pages that show
// the same share one, and Options.CardCache keeps them between builds
// (the command line's default is a folder of the user's cache): drawing
// one takes about 2 ms, taking it from the cache a small file read. The
// dev server (Options.LiveReload set) draws none: its pages are not
// shared, and their og:image names the card of the published site.
//
// # Search
//
// Every page's header has a search box that submits to /search/, which
// without JavaScript lists every page by kind. static/js/search.js,
// loaded deferred on every page, shows results as the reader types. The
// index is made by the build from the model, not from the HTML (package
// search, engine's searchindex.go): a record per clause (its number,
// title, text, claims, document, topics and fate), section (summary and
// body as plain text, cross-references named as the page shows them),
// document, topic, actor and source, each with its
// terms scored by field (title and number over names over text) and a
// prior (a clause of a document linked more often first). It is split
// so that a query fetches little: search/meta.json (2 kB on the medium
// benchmark corpus, fetched when a box gets the focus), a file of terms
// per first two characters of a term (split by the third past 24 kB),
// the records four to a file, and filters.json for the search page's
// document and topic filters. Every file but meta.json is fetched with a
// ?v= hash that meta.json gives, so a cache never serves a stale part.
// The script reads words exactly as package search does; the two share
// testdata/terms.tsv. The index is made while pages render, beside the
// other generated files. A Builder keeps each record's scores, so a
// rebuild scores only the records that changed. BenchmarkSearch measures
// a first search against Pagefind's; BenchmarkIndex (package search) the
// index's two halves on a benchmark corpus.
//
// Links between pages are relative, so the site works under any path
// prefix. Assets keep their path; the stylesheet link carries a ?v= hash
// of its content.
//
// # Templates
//
// The theme is html/template files, embedded from the repository's
// templates/ directory. A project's templates/NAME.tmpl replaces the
// embedded NAME.tmpl. base.tmpl is the layout, partials.tmpl holds shared
// blocks, and every page template (home, section, documents, document,
// clause, changes, topics, topic, actors, actor, sources, timeline, 404)
// defines "main". Templates execute on a page value with the fields Site
// (the explainer, its sections, documents, topics, actors, sources and
// events), Path, Title, Description, Canonical, Kind, and the page's
// subject: Section, Document, Clause, Topic or Actor. Markdown fields
// have an HTML method. Template functions:
//
//	date "2025-11-20"       "20 November 2025" (see Dates)
//	datetime DATE           the date for a datetime attribute: "2025-10-08" for "2025-10-08/2025-10-09"
//	number 600000           "600,000"
//	topics, actors, sources  resolve a list of ids to their values
//	actor, doc, clause      resolve one reference; docs resolves a list
//	changesTitle DOC        a changes page's title, worded for the relation
//	backlinks X             the pages whose Markdown refers to X
//	citedBy SOURCE          what cites a source
//	history CLAUSE          every version of a clause across documents
//	derivedFrom CLAUSE      the fates that produced a clause, one per clause it continues
//	outline DOC             its clauses with each sub-point after its parent, and their depth
//	parentOf, subpoints CLAUSE  a sub-point's clause; a clause's sub-points
//	depth CLAUSE            how deep a sub-point is nested
//	figure FIGURE           "600,000", "about 1,950", "400–600"
//	figuresOf CLAUSE        its figures, with their topics
//	rolesOf ACTOR           the roles an actor plays in documents
//	fatesOf CLAUSE          a clause's fates in later documents
//	changes DOC, tally DOC  a document's fates and their counts
//	followedBy DOC          the documents that follow DOC
//	topicTable TOPIC        a topic's clauses, one column per document
//	topicSections TOPIC     the sections on a topic
//	first N SECTIONS        the first N sections of a list, or all of a shorter one
//	chart TOPIC             an inline SVG of a topic's metric
//	clausesOn TOPIC         how many clauses are on a topic
//	documentsBy ACTOR       the documents an actor wrote
//	positionsOf ACTOR       an actor's positions, in date order
//	stanceLabel, fateLabel  display names
//	demote MARKDOWN         its HTML with headings one level down
//	sectionBlocks           every section as home.tmpl's "home-section" renders it, in order
//
// A project's own templates execute through html/template; so does every
// page laid out by a layout of the project's own. The embedded theme's
// execute through tmplexec (site/internal/tmplexec), which runs the trees
// html/template escaped as compiled Go closures, with the same output:
// anything it does not cover, or any trouble at run time, leaves the page
// to html/template.
//
// home.tmpl defines "home-section", one section as the home page shows
// it. The Builder renders each section's block once and keeps it between
// builds, so that an edit of one section does not render the whole home
// page again; sectionBlocks splices them in.
//
// # Errors
//
// Build reports every problem of a run at once, as an ErrorList sorted by
// file and position; each prints as "PATH:LINE:COL: message". Problems
// that do not stop a build, such as a clause that cites no source, are
// warnings, which Options.Strict turns into errors.
//
// Check reports exactly the problems Build reports, and the number of
// pages it would write, without rendering: it parses every Markdown field
// for its cross-references but makes no HTML, and executes templates only
// when the project has its own (the embedded theme cannot fail on valid
// content; a project's template can).
//
// # Reading a project
//
// The command line reads a project through DirFS, which never leaves its
// directory (os.Root: a symbolic link to a file outside is an error at
// the link's path) and never waits on a file (every file is opened
// without blocking, so a named pipe, socket or device is an error naming
// it, where a read would hang). Whatever the fs.FS, every read goes
// through model.ReadFile, which takes regular files only and caps them:
// 1 MiB in content/ and templates/, 64 MiB in static/ (model.LimitFor),
// checked before and while reading. A Markdown text holds at most 128
// KiB (model.MaxMarkdown): goldmark's time on its worst known shapes
// grows with the square of a paragraph's length, and at this size stays
// under a second (BenchmarkWorstMarkdown). A Markdown file must be valid
// UTF-8 (YAML's parser says so of YAML); ids and slugs have at most 100
// characters and are no Windows device name. A build checks its context
// between phases and in its parallel loops, so a cancelled build (Ctrl-C)
// stops within one page or card.
//
// # Incremental builds
//
// A Builder builds the same project again and again, as the dev server
// does, and gives byte for byte what Build gives. It reuses what did not
// change since its last build: the files it parsed, the Markdown it
// converted (while every cross-reference in it resolves as before), the
// differences it computed and the pages that would come out the same.
//
// Which pages those are is recorded, not declared. While the embedded
// theme renders a page, every field the templates take from the
// explainer, a section, document, clause, topic, actor or source, from
// .Site or from the page's own data, and every template function called
// with its argument, is noted with a digest of the value it gave. The
// next build works each noted read out again on the new content: a page
// is rendered again when one of its reads gives something else, or its
// template changed, and taken from the last build otherwise. A template
// that starts to show something new records that read the first time it
// renders, so no list of what pages show needs keeping in step with the
// templates. A page rendered with a template of the project's own, which
// runs through html/template and records nothing, is rendered by every
// rebuild.
// BuildChanged takes the list of files a watcher saw change and reads
// only those again. Output.Deps maps every input file to the output files
// that depend on it.
//
// Preview answers the edits editors make most, of one section's body or
// one clause's text, before BuildChanged: from the new text and the rest
// of the last build it makes the section's page and home page block, or
// the clause's page and its document's page. The dev server shows those
// at once, and the rest of the rebuild when it ends.
//
// # Where things are
//
// This package is the API and this manual; site.go and output.go hold
// the API's types. The machinery lives under site/internal, a package
// each:
//
//	engine     a build: what a run does, the page table (page.go), the
//	           templates and their functions, the keys of the extra files,
//	           Preview, and what a rebuild takes from the last build
//	model      the content model and its loading: every file read with its
//	           positions, and checked; model.go here names its types
//	links      the index of link targets, every Markdown field converted
//	           once, backlinks
//	lineage    what became of each clause in the documents that follow:
//	           fates, word-level differences, histories
//	reads      what each rendering read, which tells a rebuild the pages
//	           that come out the same
//	exports    the JSON export, the sitemap and the feed
//	tmplexec   runs the embedded theme's templates as compiled closures
//	mdext      the goldmark extension: cross-references, link safety
//	worddiff   word-level differences between texts
//	numbered   reads a numbered text into points, for explainer import
//	align      matches clauses across documents by number and wording
//	dates      dates known to the day, month, year or as an interval
//	card       draws the social card PNGs
//	search     the search index: records, terms, the files a query fetches
//	typo       typography; parallel spreads work over the cores
//
// A new kind of page is one line in the page table, engine's page.go,
// and a template in templates/.
package site
