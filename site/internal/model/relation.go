package model

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
