package model

import "strings"

// The relations a document may have with the documents it follows, and
// the fates each gives their clauses.

// Relations lists the relations, the default first.
func Relations() []string { return []string{"revises", "responds", "implements", "endorses"} }

// Outcomes returns the outcomes a clause that continues one of a followed
// document may have under relation, the default first.
func Outcomes(relation string) []string {
	switch relation {
	case "responds":
		return []string{"qualifies", "accepts", "rejects", "defers"}
	case "implements":
		return []string{"implements", "partly", "defers"}
	case "endorses":
		return []string{"endorses", "qualifies"}
	}
	return []string{"changed", "kept", "deferred", "moved"}
}

// Unmatched returns the fate under relation of a followed clause that no
// clause continues and no removal names: a revision that says nothing of
// a point leaves it unknown, a reply has not addressed it, an agreement
// does not cover it, and an endorsement takes it in with the rest.
func Unmatched(relation string) string {
	switch relation {
	case "responds":
		return "not-addressed"
	case "implements":
		return "not-covered"
	case "endorses":
		return "endorsed"
	}
	return "unknown"
}

// RemovalOutcome returns the fate that a removal gives under relation, ""
// where a document of that relation cannot remove a point.
func RemovalOutcome(relation string) string {
	switch relation {
	case "revises":
		return "removed"
	case "responds":
		return "rejects"
	}
	return ""
}

// OutcomeOf is a continuing clause's outcome: its own, or its relation's
// default.
func OutcomeOf(c *Clause) string {
	if c.Outcome != "" {
		return c.Outcome
	}
	return Outcomes(c.Doc.Relation)[0]
}

// ChangesTitle is the title of d's changes page, as its relation words
// it, with docs the documents by id: "What changed from the 28-point
// draft", "How the plan was answered", "What the first phase puts into
// effect", "What Resolution 2803 endorses".
func ChangesTitle(d *Document, docs map[string]*Document) string {
	var shorts []string
	for _, r := range d.Follows {
		if g := docs[r.ID]; g != nil {
			shorts = append(shorts, g.Short)
		}
	}
	followed := andList(shorts)
	switch d.Relation {
	case "responds":
		if len(shorts) > 1 {
			return "How " + followed + " were answered"
		}
		return "How " + followed + " was answered"
	case "implements":
		return "What " + d.Short + " puts into effect"
	case "endorses":
		return "What " + d.Short + " endorses"
	}
	return "What changed from " + followed
}

// andList joins words as "a, b and c".
func andList(words []string) string {
	if len(words) < 2 {
		return strings.Join(words, "")
	}
	return strings.Join(words[:len(words)-1], ", ") + " and " + words[len(words)-1]
}
