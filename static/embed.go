// Package static holds the default theme's assets, embedded in the binary.
// A project's own static/ directory overrides them by path.
package static

import "embed"

// FS holds the default assets; each keeps its path in the output.
//
//go:embed css js favicon.svg
var FS embed.FS
