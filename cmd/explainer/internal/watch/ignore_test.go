package watch

import "testing"

func TestIsTemp(t *testing.T) {
	for _, tc := range []struct {
		name string
		want bool
	}{
		{"a.md", false},
		{"_index.md", false},
		{"_nav.tmpl", false},
		{"style.css", false},
		{"4912", false},
		{"04913", false},
		{"49130", false},
		{"a4913", false},
		{"2024", false},
		{"", false},
		{".hidden", true},
		{".#a.md", true},
		{".a.md.swp", true},
		{"#a.md#", true},
		{"a.md~", true},
		{"a.md___jb_tmp___", true},
		{"a.md___jb_old___", true},
		{"a.md.swp", true},
		{"a.md.swx", true},
		{"a.md.swo", true},
		{"a.tmp", true},
		{"a.part", true},
		{"a.crdownload", true},
		{"4913", true},
		{"5036", true},
		{"5159", true},
		{"sedAb3xYz", true}, // GNU sed -i
		{"sed12aBcD", true},
		{"sedan.md", false},
		{"sedation", false},
		{"sedAb3xY", false},
	} {
		if got := isTemp(tc.name); got != tc.want {
			t.Errorf("isTemp(%q) = %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestClassify(t *testing.T) {
	w := &Watcher{dirs: []string{"content", "site/templates"}}
	for _, tc := range []struct {
		rel  string
		want kind
	}{
		{".", ancestor},
		{"content", inside},
		{"content/a.md", inside},
		{"content/sec/_index.md", inside},
		{"content/.git", outside},
		{"content/.git/config", outside},
		{"content/a.md~", outside},
		{"content/x~/a.md", outside},
		{"contents", outside},
		{"contents/a.md", outside},
		{"README.md", outside},
		{"site", ancestor},
		{"site/templates", inside},
		{"site/templates/page.tmpl", inside},
		{"site/static", outside},
		{"sites", outside},
	} {
		if got := w.classify(tc.rel); got != tc.want {
			t.Errorf("classify(%q) = %v, want %v", tc.rel, got, tc.want)
		}
	}

	all := &Watcher{dirs: []string{"."}}
	for _, tc := range []struct {
		rel  string
		want kind
	}{
		{".", inside},
		{"a.md", inside},
		{"sub/a.md", inside},
		{".git/HEAD", outside},
		{"sub/.a.md.swp", outside},
	} {
		if got := all.classify(tc.rel); got != tc.want {
			t.Errorf("classify(%q) with dirs [.] = %v, want %v", tc.rel, got, tc.want)
		}
	}
}
