package engine

import "github.com/explainer/explainer/site/internal/model"

// The content model, named as the site package names it.
type (
	// Pos is a position in a project file, for error messages.
	Pos = model.Pos
	// Error is a problem found in a project, at a position.
	Error = model.Error
	// ErrorList is every problem a run found, sorted by position.
	ErrorList = model.ErrorList

	// Markdown is a Markdown source together with where it came from.
	Markdown = model.Markdown
	// Ref is an id written in the content, with the place it was written.
	Ref = model.Ref
	// Explainer is content/_index.md: the explainer's front matter and lede.
	Explainer = model.Explainer
	// Section is one content/sections/*.md file.
	Section = model.Section
	// Document is one content/documents/*.yaml file: one dated text.
	Document = model.Document
	// Removal records that a document drops a clause of the one it follows.
	Removal = model.Removal
	// Clause is one numbered point of a document.
	Clause = model.Clause
	// Claim is one report about a clause that other reports contradict.
	Claim = model.Claim
	// Position is an actor's stance on a clause at a date.
	Position = model.Position
	// Metric is the quantity a topic charts across documents.
	Metric = model.Metric
	// Topic lines clauses up across documents.
	Topic = model.Topic
	// Actor is a party that writes documents or takes positions.
	Actor = model.Actor
	// Source is a piece of reporting that facts rest on.
	Source = model.Source
	// Event is one dated entry of the timeline.
	Event = model.Event
	// Project is everything read from a project's content/ directory.
	Project = model.Project
)
