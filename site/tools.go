package site

// This file holds the writing tools: Import turns a numbered text into a
// document's YAML, and Align suggests the from links of a document's
// clauses.

import (
	"context"
	"fmt"
	"hash/maphash"
	"io/fs"
	"slices"
	"strings"

	"github.com/explainer/explainer/site/internal/align"
	"github.com/explainer/explainer/site/internal/dates"
	"github.com/explainer/explainer/site/internal/model"
	"github.com/explainer/explainer/site/internal/numbered"
)

// ImportOptions say what Import makes of a numbered text.
type ImportOptions struct {
	ID       string // the document's id; required
	Title    string // its title; "" takes the text's first line before the first point
	Date     string // its date; required (explainer import gives today's)
	Source   string // where the text came from, for the comment at the top
	Follows  string // the id of a document of the project it follows, or ""
	Relation string // how it stands to it (see Relations); "" is revises
}

// ValidID reports whether id is one a project may use for a document,
// clause, topic, actor or source: lower-case letters and digits in runs
// joined by single hyphens, at most 100 characters, no Windows device name.
func ValidID(id string) bool { return model.ValidID(id) }

// IDProblem says what is wrong with id, "" if nothing: its text follows
// what the id is ("-id", "id").
func IDProblem(id string) string { return model.IDProblem(id) }

// Relations lists the relations a document may have with the documents it
// follows, the default first.
func Relations() []string { return model.Relations() }

// Import reads text, a numbered text such as a plan pasted from a PDF
// (see the numbered points it recognises in the writer's manual), and
// returns the YAML of a document with one clause per point and sub-point:
// id, number, title (the point's first words), text and parent. With
// opts.Follows, src is the project and each clause gets the from of the
// clause of that document it most resembles, by number and by wording,
// with the reason in a comment; the clauses nothing resembles are listed
// in a comment at the end. The YAML builds as it is, with the warnings
// of a document that cites no source.
func Import(ctx context.Context, src fs.FS, text []byte, opts ImportOptions) ([]byte, error) {
	if opts.Relation != "" && !slices.Contains(model.Relations(), opts.Relation) {
		return nil, fmt.Errorf("unknown relation %q: use %s", opts.Relation, strings.Join(model.Relations(), ", "))
	}
	if why := model.IDProblem(opts.ID); why != "" {
		return nil, fmt.Errorf("invalid id %s", why)
	}
	if p := dates.Check(opts.Date); p != "" {
		return nil, fmt.Errorf("date: %s", p)
	}
	t := numbered.Parse(string(text))
	points := t.All()
	if len(points) == 0 {
		return nil, fmt.Errorf("no numbered points found: a point starts a line with \"1.\", \"1)\", \"Point 1\", \"Article 1\" or \"§ 1\"")
	}
	var followed []align.Clause
	if opts.Follows != "" {
		p, err := loadProject(ctx, src)
		if err != nil {
			return nil, err
		}
		d := findDocument(p, opts.Follows)
		if d == nil {
			return nil, fmt.Errorf("the project has no document %q to follow", opts.Follows)
		}
		followed = alignClauses(d)
	}

	var b strings.Builder
	subs := len(points) - len(t.Points)
	source := strings.Join(strings.Fields(opts.Source), " ") // one line, for a comment
	fmt.Fprintf(&b, "# Made by explainer import from %s: %d points, %d sub-points.\n", orText(source, "a numbered text"), len(t.Points), subs)
	b.WriteString("# Check each title (the point's first words), then cite sources.\n")
	fmt.Fprintf(&b, "id: %s\n", opts.ID)
	title := opts.Title
	if title == "" {
		title = t.Heading
		if len([]rune(title)) > 120 {
			title = string([]rune(title)[:120])
		}
	}
	fmt.Fprintf(&b, "title: %s\n", quote(orText(title, "Imported document "+opts.ID)))
	fmt.Fprintf(&b, "date: %s # when the text was published\n", opts.Date)
	if opts.Follows != "" {
		fmt.Fprintf(&b, "follows: %s\n", opts.Follows)
		if opts.Relation != "" && opts.Relation != model.Relations()[0] {
			fmt.Fprintf(&b, "relation: %s\n", opts.Relation)
		}
	}
	b.WriteString("availability: full\nwording: quoted\n")
	b.WriteString("clauses:\n")
	matched := map[string]bool{}
	for _, pt := range points {
		fmt.Fprintf(&b, "  - id: %s\n", quote(pt.ID))
		fmt.Fprintf(&b, "    number: %s\n", quote(pt.Number))
		if pt.Parent != "" {
			fmt.Fprintf(&b, "    parent: %s\n", quote(pt.Parent))
		}
		fmt.Fprintf(&b, "    title: %s\n", quote(pt.Title))
		if followed != nil {
			m, ok := align.Best(align.Clause{Number: pt.Number, Title: pt.Title, Text: pt.Text}, followed)
			if ok {
				matched[m.Clause.Key] = true
				fmt.Fprintf(&b, "    from: %s # %s\n", m.Clause.Key, m.Comment())
			} else {
				b.WriteString("    # from: nothing in " + opts.Follows + " resembles this point\n")
			}
		}
		if pt.Text != "" {
			b.WriteString("    text: |\n")
			for _, line := range strings.Split(pt.Text, "\n") {
				if line == "" {
					b.WriteString("\n")
				} else {
					b.WriteString("      " + line + "\n")
				}
			}
		}
	}
	var left []string
	for _, c := range followed {
		if !matched[c.Key] {
			left = append(left, c.Key+" ("+c.Title+")")
		}
	}
	if len(left) > 0 {
		b.WriteString("# Points of " + opts.Follows + " that nothing here resembles: if the text drops them,\n# list them under removes.\n")
		for _, l := range left {
			b.WriteString("#   " + l + "\n")
		}
	}
	return []byte(b.String()), nil
}

// A Suggestion is the from line Align suggests for one clause.
type Suggestion struct {
	Pos     Pos    // where the clause is written
	Clause  string // its id
	From    string // "DOC/CLAUSE" of the followed clause it most resembles; "" for none
	Comment string // why: "same number, 64% of words in common"
}

// Align suggests, for each clause of document doc of the project in src
// that has no from, the clause of the documents it follows that it most
// resembles, by number and by wording, as Import does.
func Align(ctx context.Context, src fs.FS, doc string) ([]Suggestion, error) {
	p, err := loadProject(ctx, src)
	if err != nil {
		return nil, err
	}
	d := findDocument(p, doc)
	if d == nil {
		return nil, fmt.Errorf("the project has no document %q", doc)
	}
	var among []align.Clause
	for _, r := range d.Follows {
		if g := findDocument(p, r.ID); g != nil {
			among = append(among, alignClauses(g)...)
		}
	}
	if len(among) == 0 {
		return nil, fmt.Errorf("document %q follows no document of the project: set its follows first", doc)
	}
	var out []Suggestion
	for _, c := range d.Clauses {
		if len(c.From) > 0 {
			continue
		}
		s := Suggestion{Pos: c.Pos, Clause: c.ID}
		if m, ok := align.Best(align.Clause{Number: c.Number, Title: c.Title, Text: c.Text.Text}, among); ok {
			s.From, s.Comment = m.Clause.Key, m.Comment()
		}
		out = append(out, s)
	}
	return out, nil
}

// loadProject loads the project in src for the writing tools, which work
// on a project that may not build yet: only a file that cannot be parsed
// stops them.
func loadProject(ctx context.Context, src fs.FS) (*model.Project, error) {
	if src == nil {
		return nil, fmt.Errorf("no project to read")
	}
	p, errs, _ := model.Load(src, model.Options{}, maphash.MakeSeed(), nil, nil, false)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if p == nil || p.Unparsed() {
		return nil, errs
	}
	return p, nil
}

func findDocument(p *model.Project, id string) *model.Document {
	for _, d := range p.Documents {
		if d.ID == id {
			return d
		}
	}
	return nil
}

// alignClauses returns the clauses of d for matching.
func alignClauses(d *model.Document) []align.Clause {
	var out []align.Clause
	for _, c := range d.Clauses {
		out = append(out, align.Clause{Key: model.ClauseKey(c), Number: c.Number, Title: c.Title, Text: c.Text.Text})
	}
	return out
}

// quote writes s as a double-quoted YAML scalar: what YAML would read
// otherwise (line breaks, control characters, a byte order mark) is
// escaped, so that s comes back as it was.
func quote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '\\', '"':
			b.WriteByte('\\')
			b.WriteRune(r)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		case 0x85:
			b.WriteString(`\N`)
		case 0x2028:
			b.WriteString(`\L`)
		case 0x2029:
			b.WriteString(`\P`)
		default:
			if r < 0x20 || r == 0x7f || r >= 0x80 && r < 0xa0 || r == 0xfeff || r == 0xfffe || r == 0xffff {
				fmt.Fprintf(&b, `\u%04X`, r)
			} else {
				b.WriteRune(r)
			}
		}
	}
	b.WriteByte('"')
	return b.String()
}

func orText(s, instead string) string {
	if s == "" {
		return instead
	}
	return s
}
