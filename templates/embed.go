// Package templates holds the default theme's templates, embedded in the
// binary. A project's own templates/ directory overrides them by file name.
package templates

import "embed"

// FS holds the default templates.
//
//go:embed *.tmpl
var FS embed.FS
