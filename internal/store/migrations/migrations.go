// Package migrations embeds the numbered SQL migrations for both
// dialects. The two folders hold the same numbers and names; a test
// checks they match.
package migrations

import "embed"

//go:embed sqlite/*.sql postgres/*.sql
var FS embed.FS
