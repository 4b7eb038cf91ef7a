package site

// StandardTemplates returns opts set to execute every template with
// html/template alone, so that tests can hold tmplexec's pages to it.
func StandardTemplates(opts Options) Options {
	opts.standardTemplates = true
	return opts
}

// StandardRuns reports how many times the build of out executed a
// template with html/template rather than tmplexec.
func StandardRuns(out *Output) int { return out.standardRuns }

// Lean reports whether the build of out was lean (see leanState).
func Lean(out *Output) bool { return out.lean }
