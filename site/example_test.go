package site_test

import (
	"context"
	"fmt"
	"testing/fstest"

	"github.com/explainer/explainer/site"
)

// Build a one-section explainer about a two-point document in memory and
// list the pages it makes.
func ExampleBuild() {
	src := fstest.MapFS{
		"content/_index.md": {Data: []byte("---\ntitle: The harbour deal, explained\n---\nWhat the [first draft](doc:draft-a) says.\n")},
		"content/sections/01-what.md": {Data: []byte("---\ntitle: What does it say?\nsources: [gazette]\n---\n" +
			"[](clause:draft-a/1) sets the hours.\n")},
		"content/documents/draft-a.yaml": {Data: []byte(`id: draft-a
title: First harbour draft
short: Draft A
date: 2025-01-05
sources: [gazette]
clauses:
  - id: "1"
    number: "1"
    title: Opening hours
    text: The harbour opens at six.
    sources: [gazette]
`)},
		"content/sources.yaml": {Data: []byte("- id: gazette\n  title: Harbour deal drafts compared\n  publisher: City Gazette\n  date: 2025-01\n")},
	}
	out, err := site.Build(context.Background(), src, site.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(out.Pages, "pages,", len(out.Warnings), "warnings")
	for _, name := range out.Names() {
		if name == "index.html" || name == "documents/draft-a/1/index.html" || name == "sections/what/index.html" {
			fmt.Println(name)
		}
	}
	// Output:
	// 10 pages, 0 warnings
	// documents/draft-a/1/index.html
	// index.html
	// sections/what/index.html
}
