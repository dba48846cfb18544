// Package ui embeds the templates and static files served by hearme.
package ui

import "embed"

// Templates holds the HTML templates: layout.html and pages/*.html.
//
//go:embed templates
var Templates embed.FS

// Static holds CSS, JavaScript and images served under /static/.
//
//go:embed static
var Static embed.FS
