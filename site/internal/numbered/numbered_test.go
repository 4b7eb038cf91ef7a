package numbered

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	src := "The plan\n\n1. First point,\nwrapped over a line with a hyphen-\nated word.\n\n2025. Not a point.\n2) Second:\n(a) one;\n(b) two, an army of\n600. Not a point either.\n4. not a point: lower case.\nArticle 3 – A heading\nIts text.\n\n5. Four was dropped.\n"
	got := Parse(src)
	if got.Heading != "The plan" {
		t.Errorf("heading %q", got.Heading)
	}
	var all []string
	for _, p := range got.All() {
		all = append(all, p.ID+"|"+p.Number+"|"+p.Parent+"|"+p.Title+"|"+p.Text)
	}
	want := []string{
		"1|1||First point, wrapped over a line with a…|First point, wrapped over a line with a hyphenated word.\n\n2025. Not a point.",
		"2|2||Second|Second:",
		"2a|2(a)|2|One|one;",
		"2b|2(b)|2|Two, an army of 600|two, an army of 600. Not a point either. 4. not a point: lower case.",
		"3|3||A heading|Its text.",
		"5|5||Four was dropped|Four was dropped.",
	}
	if strings.Join(all, "\n") != strings.Join(want, "\n") {
		t.Errorf("points:\n%s\nwant:\n%s", strings.Join(all, "\n"), strings.Join(want, "\n"))
	}
}

// TestLineBreaks: the breaks YAML reads as line breaks (next line, line
// and paragraph separators) and page breaks break lines here too, so no
// point's text holds one, and a point may begin after one.
func TestLineBreaks(t *testing.T) {
	for _, br := range []string{"\u0085", "\u2028", "\u2029", "\f", "\v"} {
		got := Parse("1) First" + br + "point." + br + "2. Second.")
		var all []string
		for _, p := range got.All() {
			all = append(all, p.Number+"|"+p.Title+"|"+p.Text)
		}
		if want := "1|First point|First point.\n2|Second|Second."; strings.Join(all, "\n") != want {
			t.Errorf("with %q: %q, want %q", br, all, want)
		}
	}
}

// FuzzParse parses any text: points are numbered in increasing order,
// sub-points by letter under their point, ids are clause ids, and no
// line is read twice.
func FuzzParse(f *testing.F) {
	f.Add("1. a\n2. b\n(a) c\nb) d\n")
	f.Add("Point 1: x\nArticle 2\n§ 3 y\n")
	f.Add("intro\n\n1) a-\nb\n\n\n2) c")
	id := regexp.MustCompile(`^[0-9]+[a-z]?$`)
	f.Fuzz(func(t *testing.T, src string) {
		text := Parse(src)
		for i, p := range text.Points {
			if n, _ := strconv.Atoi(p.Number); i > 0 && n <= mustAtoi(text.Points[i-1].Number) {
				t.Errorf("point %q follows %q", p.Number, text.Points[i-1].Number)
			}
			if !id.MatchString(p.ID) || p.Title == "" {
				t.Errorf("point %+v", p)
			}
			for j, s := range p.Sub {
				if s.Parent != p.ID || s.ID != p.ID+string(rune('a'+j)) || !id.MatchString(s.ID) {
					t.Errorf("sub-point %+v of %q", s, p.ID)
				}
			}
		}
		lines := map[int]bool{}
		for _, p := range text.All() {
			if lines[p.Line] {
				t.Errorf("line %d starts two points", p.Line)
			}
			lines[p.Line] = true
		}
	})
}

func mustAtoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}
