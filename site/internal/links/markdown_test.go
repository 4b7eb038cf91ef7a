package links

import (
	"strings"
	"testing"
)

// FuzzDemoteHeadings holds demoteHeadings to the strings.Replacer it
// stands for.
func FuzzDemoteHeadings(f *testing.F) {
	replacer := strings.NewReplacer(
		"<h1", "<h2", "</h1>", "</h2>", "<h2", "<h3", "</h2>", "</h3>",
		"<h3", "<h4", "</h3>", "</h4>", "<h4", "<h5", "</h4>", "</h5>",
		"<h5", "<h6", "</h5>", "</h6>",
	)
	for _, s := range []string{
		"", "<h2 id=\"a\">A</h2>\n<p>x</p>", "<h1>T</h1><h6>six</h6></h6>", "</h2 >", "<h", "</h", "</h3", "<<h2", "<h0><h9></h5><hr>", "a<b>c</b>",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := demoteHeadings(s), replacer.Replace(s); got != want {
			t.Errorf("demoteHeadings(%q) = %q, want %q", s, got, want)
		}
	})
}

func TestClip(t *testing.T) {
	long := strings.Repeat("word ", 60) // 300 characters
	tests := []struct{ in, want string }{
		{"A short description.", "A short description."},
		{"  Spaces\nand\tlines  ", "Spaces and lines"},
		{long, strings.TrimSpace(strings.Repeat("word ", 40)) + "…"},
		{strings.Repeat("é", 250), strings.Repeat("é", 200) + "…"},
		{"Short after a long run of spaces" + strings.Repeat(" ", 2000) + "end", "Short after a long run of spaces…"},
	}
	for _, tt := range tests {
		if got := Clip(tt.in); got != tt.want {
			t.Errorf("Clip(%.40q…) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
