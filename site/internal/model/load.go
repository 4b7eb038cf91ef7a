package model

// This file reads a project's content/ directory into a Project. Every value
// is decoded from a YAML node tree, so that problems are reported where they
// are written; validate.go then checks what needs the whole project.

import (
	"cmp"
	"encoding/binary"
	"errors"
	"hash/maphash"
	"io/fs"
	"path"
	"regexp"
	"slices"
	"strings"
	"sync"

	"go.yaml.in/yaml/v3"
)

// The data files, and the folders of sections and documents.
const (
	TopicsFile   = "content/topics.yaml"
	ActorsFile   = "content/actors.yaml"
	SourcesFile  = "content/sources.yaml"
	TimelineFile = "content/timeline.yaml"

	SectionsDir  = "content/sections"
	DocumentsDir = "content/documents"
)

// The keys each kind of content allows.
var (
	indexKeys    = []string{"title", "description", "byline", "published", "updated", "base_url", "language", "layout"}
	sectionKeys  = []string{"title", "slug", "weight", "summary", "updated", "topics", "sources", "draft", "layout"}
	documentKeys = []string{"id", "title", "short", "date", "by", "parties", "positions", "follows", "relation", "status", "availability", "wording", "summary", "sources", "removes", "clauses"}
	removalKeys  = []string{"clause", "note", "sources"}
	clauseKeys   = []string{"id", "number", "parent", "title", "status", "topics", "figure", "figures", "from", "outcome", "text", "claims", "positions", "sources", "confidence", "wording"}
	claimKeys    = []string{"text", "sources", "confidence"}
	positionKeys = []string{"actor", "stance", "as_of", "note", "sources"}
	partyKeys    = []string{"actor", "role"}
	topicKeys    = []string{"id", "name", "description", "metric"}
	metricKeys   = []string{"name", "unit"}
	actorKeys    = []string{"id", "name", "kind", "description"}
	sourceKeys   = []string{"id", "title", "publisher", "cite", "kind", "url", "date", "note"}
	eventKeys    = []string{"date", "title", "text", "sources"}
)

// orderPrefixRE matches the order prefix of a section's file name, which
// the default slug drops: "01-" in "01-whats-next.md".
var orderPrefixRE = regexp.MustCompile(`^[0-9]+-`)

// A loader reads one project. It remembers where ids were written, which
// the model does not keep, for the checks in validate.go.
type loader struct {
	seed  maphash.Seed // for the hashes of documents and clauses
	keys  bool         // whether to make them: a rebuild will compare them
	src   fs.FS
	opts  Options
	errs  ErrorList
	p     *Project
	idPos map[any]Pos // where each document, clause, topic, actor and source wrote its id, and each section its slug

	sectionFiles map[*Section]string // file name, for ordering
	figurePos    map[*Clause]Pos     // where a clause wrote its figure
	// What each document says besides its clauses, and each clause with
	// and without its text, hashed, for a Reading of its file.
	heads      map[*Document]uint64
	clauseSums map[*Clause][2]uint64
	// unparsed is set when a file could not be read or its YAML parsed. References
	// into it cannot be checked, so load reports only what it found so
	// far instead of a cascade of unknown ids.
	unparsed bool

	cache *Cache // what the last load made of each file, or nil
	next  *Cache // what this load made of each file, for the next one
	// unchanged, when not nil, reports whether a file is known to be as
	// the last load read it, so that it need not be read again.
	unchanged func(path string) bool
}

// Options control a load.
type Options struct {
	Drafts bool // include sections marked draft
}

// Load reads the project in src: content/_index.md, the sections, the
// documents and the topics, actors, sources and timeline. It returns
// everything it could read, with every problem found, sorted; a project
// with errors (not only warnings) must not be rendered, nor one that
// Unparsed reports. It reuses what cache holds for files that did not
// change (all of them may be read, or, with unchanged, only the others),
// and, with keep, returns the cache for the next load (nil without).
func Load(src fs.FS, opts Options, seed maphash.Seed, cache *Cache, unchanged func(string) bool, keep bool) (*Project, ErrorList, *Cache) {
	if _, ok := src.(*Inputs); !ok { // every read goes through Inputs.ReadFile
		src = NewInputs(src, seed, keep)
	}
	l := &loader{
		seed:         seed,
		cache:        cache,
		unchanged:    unchanged,
		src:          src,
		opts:         opts,
		p:            &Project{},
		idPos:        map[any]Pos{},
		sectionFiles: map[*Section]string{},
		figurePos:    map[*Clause]Pos{},
		heads:        map[*Document]uint64{},
		clauseSums:   map[*Clause][2]uint64{},
	}
	if keep {
		l.next, l.keys = NewCache(), true
	}
	l.load()
	l.errs.Sort()
	l.p.unparsed = l.unparsed
	return l.p, l.errs, l.next
}

// load reads everything, validates it and puts it in order.
func (l *loader) load() {
	info, err := fs.Stat(l.src, "content")
	switch {
	case errors.Is(err, fs.ErrNotExist):
		l.errs.Add(Pos{File: "content"}, "missing content directory")
		return
	case err != nil:
		l.readError("content", err)
		return
	case !info.IsDir():
		l.errs.Add(Pos{File: "content"}, "content is not a directory")
		return
	}
	l.loadExplainer()
	// Sections and documents are read and decoded at once: a pool that
	// runs out of files leaves its cores to the other.
	sections := l.readDir(SectionsDir, ".md")
	documents := l.readDir(DocumentsDir, ".yaml")
	var docs []*fileResult
	var wg sync.WaitGroup
	wg.Go(func() { docs = l.loadDocuments(documents) })
	l.mergeSections(l.loadSections(sections))
	wg.Wait()
	l.mergeDocuments(docs)
	l.loadTopics()
	l.loadActors()
	l.loadSources()
	l.loadTimeline()
	if !l.unparsed {
		l.validate()
	}

	slices.SortStableFunc(l.p.Sections, func(a, b *Section) int {
		return cmp.Or(cmp.Compare(a.Weight, b.Weight), strings.Compare(l.sectionFiles[a], l.sectionFiles[b]))
	})
	slices.SortStableFunc(l.p.Documents, func(a, b *Document) int {
		return cmp.Or(strings.Compare(a.Date, b.Date), strings.Compare(a.ID, b.ID))
	})
	slices.SortStableFunc(l.p.Events, func(a, b *Event) int {
		return strings.Compare(a.Date, b.Date)
	})
}

// readFile returns the file at name, or nil and false when it does not
// exist or cannot be read (which is reported).
func (l *loader) readFile(name string) ([]byte, bool) {
	data, err := fs.ReadFile(l.src, name)
	if err != nil {
		if !errors.Is(err, fs.ErrNotExist) {
			l.readError(name, err)
		}
		return nil, false
	}
	return data, true
}

// readDir returns the names of the files in dir ending in ext, sorted,
// skipping hidden files and directories.
//
// A load told which files changed (see Builder.BuildChanged) takes the
// listing of a directory where none did from the last load: listing ten
// thousand sections costs a rebuild more than the one it builds.
func (l *loader) readDir(dir, ext string) []string {
	if l.cache != nil && l.unchanged != nil && l.unchanged(dir) {
		if d, ok := l.cache.dirs[dir]; ok {
			l.errs = append(l.errs, d.warns...)
			l.keepDir(dir, d)
			return d.names
		}
	}
	entries, err := fs.ReadDir(l.src, dir)
	if err != nil {
		if !errors.Is(err, fs.ErrNotExist) {
			l.readError(dir, err)
		}
		return nil
	}
	var d dirListing
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || strings.HasPrefix(name, ".") {
			continue
		}
		if path.Ext(name) == ext {
			d.names = append(d.names, name)
		} else if ext == ".yaml" && path.Ext(name) == ".yml" {
			d.warns.Warn(FileStart(dir+"/"+name), "file ignored: name it %q", strings.TrimSuffix(name, ".yml")+".yaml")
		}
	}
	l.errs = append(l.errs, d.warns...)
	l.keepDir(dir, d)
	return d.names
}

// keepDir remembers a directory's listing for the next load.
func (l *loader) keepDir(dir string, d dirListing) {
	if l.next != nil {
		l.next.dirs[dir] = d
	}
}

// readError reports that name could not be read.
func (l *loader) readError(name string, err error) {
	l.errs.Add(FileStart(name), "cannot read: %v", PathErr(err))
	l.unparsed = true // what it holds is unknown: no cascade of unknown ids
}

// loadExplainer reads content/_index.md.
func (l *loader) loadExplainer() {
	const name = "content/_index.md"
	e := &l.p.Explainer
	e.Pos = Pos{File: name, Line: 1, Column: 1}
	e.Language = "en"
	data, ok := l.readFile(name)
	if !ok {
		if _, err := fs.Stat(l.src, name); errors.Is(err, fs.ErrNotExist) {
			l.errs.Add(Pos{File: name}, "missing file")
		}
		return
	}
	pg := readMarkdownFile(name, data, &l.errs)
	m := pg.fields(indexKeys...)
	m.required("title")
	e.Title = m.str("title")
	e.Description = m.str("description")
	e.Byline = m.str("byline")
	e.Published = m.date("published")
	e.Updated = m.date("updated")
	if u := m.str("base_url"); u != "" {
		if err := CheckBaseURL(u); err != nil {
			l.errs.Add(m.at("base_url"), "base_url %q: %v", u, err)
		} else {
			e.BaseURL = strings.TrimRight(u, "/")
		}
	}
	if lang := m.str("language"); lang != "" {
		e.Language = lang
	}
	m.str("layout")
	e.Lede = pg.body
}

// loadSections reads content/sections/*.md, leaving out drafts unless
// Options.Drafts is set: names are the files of content/sections. It
// may run while loadDocuments does; mergeSections adds what it read.
func (l *loader) loadSections(names []string) []*fileResult {
	return l.loadFiles(SectionsDir, names, func(sub *loader, i int, name string, data []byte) {
		sub.section(i, SectionsDir+"/"+name, name, data)
	})
}

// mergeSections adds the sections that loadSections read to the project.
func (l *loader) mergeSections(results []*fileResult) {
	for _, r := range results {
		l.merge(r)
		for _, s := range r.sections {
			l.sectionFiles[s] = r.name
			l.p.Sections = append(l.p.Sections, s)
		}
	}
}

// section decodes the section file at index i of the directory.
func (l *loader) section(i int, file, name string, data []byte) {
	pg := readMarkdownFile(file, data, &l.errs)
	m := pg.fields(sectionKeys...)
	m.required("title")
	s := &Section{
		Slug:    orderPrefixRE.ReplaceAllString(strings.TrimSuffix(name, ".md"), ""),
		Title:   m.str("title"),
		Weight:  i + 1,
		Summary: m.markdown("summary"),
		Updated: m.date("updated"),
		Topics:  m.refs("topics"),
		Sources: m.refs("sources"),
		Draft:   m.boolean("draft"),
		Body:    pg.body,
		Pos:     Pos{File: file, Line: 1, Column: 1},
	}
	l.idPos[s] = s.Pos
	if slug := m.str("slug"); slug != "" {
		s.Slug = slug
		l.idPos[s] = m.at("slug")
	}
	if w, ok := m.integer("weight"); ok {
		s.Weight = w
	}
	m.str("layout")
	if s.Draft && !l.opts.Drafts {
		return
	}
	if pg.ok {
		l.checkBody(s)
	} else {
		l.unparsed = true
	}
	l.p.Sections = append(l.p.Sections, s)
}

// yamlFile reads the YAML file name and returns its root node, or nil
// when it is missing, empty or broken.
func (l *loader) yamlFile(name string) (*yamlFile, *yaml.Node, bool) {
	data, ok := l.readFile(name)
	if !ok {
		return nil, nil, false
	}
	return l.yamlData(name, data)
}

// yamlData parses data, the content of the YAML file name.
func (l *loader) yamlData(name string, data []byte) (*yamlFile, *yaml.Node, bool) {
	f := newYAMLFile(name, data, 0, &l.errs)
	root, ok := f.parse(data)
	if !ok {
		l.unparsed = true
		return f, nil, false
	}
	return f, root, true
}

// loadDocuments reads the document files names of content/documents.
func (l *loader) loadDocuments(names []string) []*fileResult {
	return l.loadFiles(DocumentsDir, names, func(sub *loader, _ int, name string, data []byte) {
		f, root, ok := sub.yamlData(DocumentsDir+"/"+name, data)
		if ok {
			d := sub.document(f, root)
			warnUnsourced(d, &sub.errs)
			sub.p.Documents = append(sub.p.Documents, d)
		}
	})
}

// mergeDocuments adds the documents that loadDocuments read to the project.
func (l *loader) mergeDocuments(results []*fileResult) {
	for _, r := range results {
		l.merge(r)
		l.p.Documents = append(l.p.Documents, r.docs...)
	}
}

// document decodes one document file.
func (l *loader) document(f *yamlFile, root *yaml.Node) *Document {
	at := Pos{File: f.path, Line: 1, Column: 1}
	m := f.mapping(root, at, "document", documentKeys...)
	m.required("id", "title", "date")
	d := &Document{
		ID:           m.str("id"),
		Title:        m.str("title"),
		Short:        m.str("short"),
		Date:         m.date("date"),
		By:           m.refs("by"),
		Follows:      m.idOrList("follows"),
		Relation:     m.enum("relation", Relations()...),
		Status:       m.str("status"),
		Availability: m.enum("availability", availabilities...),
		Wording:      m.enum("wording", wordings...),
		Summary:      m.markdown("summary"),
		Sources:      m.refs("sources"),
		Pos:          m.pos,
	}
	l.idPos[d] = m.at("id")
	if d.Short == "" {
		d.Short = d.Title
	}
	if d.Availability == "" {
		d.Availability = "full"
	}
	if d.Wording == "" {
		// A full text is quoted; what is known in part or from reports
		// is told in the writer's words.
		d.Wording = "paraphrased"
		if d.Availability == "full" {
			d.Wording = "quoted"
		}
	}
	if d.Relation == "" {
		d.Relation = Relations()[0]
	}
	if r := m.node("relation"); r != nil && len(d.Follows) == 0 {
		f.errs.Add(f.pos(r), "%q needs %q", "relation", "follows")
	}
	for _, n := range m.list("parties") {
		pm := f.mapping(n, m.pos, "party", partyKeys...)
		pm.required("actor", "role")
		d.Parties = append(d.Parties, &Party{Actor: pm.ref("actor"), Role: pm.enum("role", roles...), Pos: pm.pos})
	}
	d.Positions = positions(f, m)
	for _, n := range m.list("removes") {
		r := f.mapping(n, m.pos, "removal", removalKeys...)
		r.required("clause")
		d.Removes = append(d.Removes, &Removal{
			Clause:  r.ref("clause"),
			Note:    r.markdown("note"),
			Sources: r.refs("sources"),
			Pos:     r.pos,
		})
	}
	for _, n := range m.list("clauses") {
		d.Clauses = append(d.Clauses, l.clause(f, n, d, m.pos))
	}
	if !l.keys {
		return d
	}
	var h maphash.Hash
	h.SetSeed(l.seed)
	if root != nil && root.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(root.Content); i += 2 {
			if root.Content[i].Value != "clauses" {
				nodeSum(&h, root.Content[i])
				nodeSum(&h, root.Content[i+1])
			}
		}
	}
	l.heads[d] = h.Sum64()
	return d
}

// nodeSum adds what a YAML node tree says, not how it is laid out, to h.
func nodeSum(h *maphash.Hash, n *yaml.Node) {
	if n == nil {
		return
	}
	var b [9]byte
	b[0] = byte(n.Kind)
	binary.LittleEndian.PutUint64(b[1:], uint64(len(n.Content)))
	h.Write(b[:])
	h.WriteString(n.Tag)
	h.WriteByte(0)
	h.WriteString(n.Value)
	h.WriteByte(0)
	for _, c := range n.Content {
		nodeSum(h, c)
	}
}

// clause decodes one clause of d.
func (l *loader) clause(f *yamlFile, n *yaml.Node, d *Document, at Pos) *Clause {
	m := f.mapping(n, at, "clause", clauseKeys...)
	m.required("id", "title")
	c := &Clause{
		Doc:    d,
		ID:     m.str("id"),
		Number: m.str("number"),
		Parent: m.ref("parent"),
		Title:  m.str("title"),
		Status: m.str("status"),
		Topics: m.refs("topics"),
		Figure: m.figure("figure"),

		From:       m.idOrList("from"),
		Text:       m.markdown("text"),
		Sources:    m.refs("sources"),
		Confidence: m.enum("confidence", confidences...),
		Wording:    m.enum("wording", wordings...),
		Pos:        m.pos,
	}
	if l.keys {
		// What the file says of the clause but its text, then with it:
		// Preview tells an edit of the text alone by the first.
		var h maphash.Hash
		h.SetSeed(l.seed)
		var text *yaml.Node
		if n.Kind == yaml.MappingNode {
			for i := 0; i+1 < len(n.Content); i += 2 {
				if n.Content[i].Value == "text" {
					text = n.Content[i+1]
					continue
				}
				nodeSum(&h, n.Content[i])
				nodeSum(&h, n.Content[i+1])
			}
		} else {
			nodeSum(&h, n)
		}
		rest := h.Sum64()
		nodeSum(&h, text)
		l.clauseSums[c] = [2]uint64{h.Sum64(), rest}
	}
	l.idPos[c] = m.at("id")
	c.Figures = m.figures("figures", c.Topics)
	if c.Figure != nil {
		l.figurePos[c] = m.at("figure")
	} else if c.Figures != nil {
		l.figurePos[c] = m.at("figures")
	}
	if v := m.scalar("outcome", "one of "+orList(Outcomes(d.Relation))); v != nil {
		c.Outcome = v.Value
		switch allowed := Outcomes(d.Relation); {
		case len(c.From) == 0:
			f.errs.Add(m.at("outcome"), "%q needs %q", "outcome", "from")
		case !slices.Contains(allowed, c.Outcome):
			f.errs.Add(f.pos(v), "invalid outcome %q for a document that %s: use %s", c.Outcome, d.Relation, orList(allowed))
		}
	}
	if c.Wording == "" {
		c.Wording = d.Wording
	}
	if len(c.From) > 0 && c.Outcome == "" {
		c.Outcome = Outcomes(d.Relation)[0]
	}
	for _, n := range m.list("claims") {
		cm := f.mapping(n, m.pos, "claim", claimKeys...)
		cm.required("text")
		c.Claims = append(c.Claims, &Claim{
			Text:       cm.markdown("text"),
			Sources:    cm.refs("sources"),
			Confidence: cm.enum("confidence", confidences...),
			Pos:        cm.pos,
		})
	}
	c.Positions = positions(f, m)
	return c
}

// positions decodes the positions that m, a clause or a document, lists.
func positions(f *yamlFile, m *mapping) []*Position {
	var out []*Position
	for _, n := range m.list("positions") {
		pm := f.mapping(n, m.pos, "position", positionKeys...)
		pm.required("actor", "stance")
		out = append(out, &Position{
			Actor:   pm.ref("actor"),
			Stance:  pm.enum("stance", stances...),
			AsOf:    pm.date("as_of"),
			Note:    pm.markdown("note"),
			Sources: pm.refs("sources"),
			Pos:     pm.pos,
		})
	}
	return out
}

// list reads the YAML file name, which holds a list of what, and returns
// its items.
func (l *loader) list(name, what string) (*yamlFile, []*yaml.Node, bool) {
	f, root, ok := l.yamlFile(name)
	if !ok || root == nil || isNull(root) || !f.noAlias(root) {
		return f, nil, ok
	}
	if root.Kind != yaml.SequenceNode {
		l.errs.Add(f.pos(root), "expected a list of %s", what)
		return f, nil, ok
	}
	var items []*yaml.Node
	for _, n := range root.Content {
		if f.noAlias(n) {
			items = append(items, n)
		}
	}
	return f, items, ok
}

// loadTopics reads content/topics.yaml.
func (l *loader) loadTopics() {
	f, items, _ := l.list(TopicsFile, "topics")
	for _, n := range items {
		m := f.mapping(n, f.pos(n), "topic", topicKeys...)
		m.required("id", "name")
		t := &Topic{
			ID:          m.str("id"),
			Name:        m.str("name"),
			Description: m.markdown("description"),
			Pos:         m.pos,
		}
		l.idPos[t] = m.at("id")
		if mn := m.node("metric"); mn != nil {
			mm := f.mapping(mn, m.pos, `"metric"`, metricKeys...)
			mm.required("name")
			if !mm.bad {
				t.Metric = &Metric{Name: mm.str("name"), Unit: mm.str("unit")}
			}
		}
		l.p.Topics = append(l.p.Topics, t)
	}
}

// loadActors reads content/actors.yaml.
func (l *loader) loadActors() {
	f, items, _ := l.list(ActorsFile, "actors")
	for _, n := range items {
		m := f.mapping(n, f.pos(n), "actor", actorKeys...)
		m.required("id", "name")
		a := &Actor{
			ID:          m.str("id"),
			Name:        m.str("name"),
			Kind:        m.enum("kind", actorKinds...),
			Description: m.markdown("description"),
			Pos:         m.pos,
		}
		l.idPos[a] = m.at("id")
		l.p.Actors = append(l.p.Actors, a)
	}
}

// loadSources reads content/sources.yaml.
func (l *loader) loadSources() {
	f, items, _ := l.list(SourcesFile, "sources")
	for _, n := range items {
		m := f.mapping(n, f.pos(n), "source", sourceKeys...)
		m.required("id", "title")
		s := &Source{
			ID:        m.str("id"),
			Title:     m.str("title"),
			Publisher: m.str("publisher"),
			URL:       m.link("url"),
			Date:      m.date("date"),
			Note:      m.markdown("note"),
			Cite:      m.str("cite"),
			Kind:      m.enum("kind", SourceKinds...),
			Pos:       m.pos,
		}
		l.idPos[s] = m.at("id")
		l.p.Sources = append(l.p.Sources, s)
	}
}

// loadTimeline reads content/timeline.yaml, if it exists.
func (l *loader) loadTimeline() {
	f, items, ok := l.list(TimelineFile, "events")
	l.p.HasTimeline = ok
	for _, n := range items {
		m := f.mapping(n, f.pos(n), "event", eventKeys...)
		m.required("date", "title")
		l.p.Events = append(l.p.Events, &Event{
			Date:    m.date("date"),
			Title:   m.str("title"),
			Text:    m.markdown("text"),
			Sources: m.refs("sources"),
			Pos:     m.pos,
		})
	}
}
