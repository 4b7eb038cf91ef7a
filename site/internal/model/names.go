package model

import "strings"

// The URL scheme. Every URL here is root-absolute; pages are written with
// relative links.
func SectionURL(s *Section) string   { return "/sections/" + s.Slug + "/" }
func DocumentURL(d *Document) string { return "/documents/" + d.ID + "/" }
func ChangesURL(d *Document) string  { return "/documents/" + d.ID + "/changes/" }
func ClauseURL(c *Clause) string {
	return "/documents/" + c.Doc.ID + "/" + c.ID + "/"
}
func TopicURL(t *Topic) string      { return "/topics/" + t.ID + "/" }
func ActorURL(a *Actor) string      { return "/actors/" + a.ID + "/" }
func SourceURL(s *Source) string    { return "/sources/#" + sourceAnchor(s) }
func sourceAnchor(s *Source) string { return "source-" + s.ID }

// ClauseLabel is how a clause is named in links: "Point 21: Territory", or
// its title alone when the document has no numbering.
func ClauseLabel(c *Clause) string {
	if c.Number != "" {
		return "Point " + c.Number + ": " + c.Title
	}
	return c.Title
}

// ClauseKey is the "DOC/CLAUSE" form in which content refers to a clause.
func ClauseKey(c *Clause) string {
	return c.Doc.ID + "/" + c.ID
}

// A unit is a part of a document file that a reference may come from:
// its head (what it says besides its clauses) or one of its clauses. A
// referrer names its unit, so that the backlinks of a page change only
// when what refers to it does; the dependency graph names the file.
const unitSep = "\x00"

func HeadUnit(d *Document) string {
	return d.Pos.File + unitSep + "head"
}

func ClauseUnit(c *Clause) string {
	return c.Doc.Pos.File + unitSep + "clause " + c.ID
}

// UnitFile returns the file of a unit, or f itself if it is a file.
func UnitFile(f string) string {
	file, _, _ := strings.Cut(f, unitSep)
	return file
}
