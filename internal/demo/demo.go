// Package demo holds the demo programme: the Luton cancer community
// connectors configuration the product ships with. Another area loads
// its own file with `hearme demo load --file`.
package demo

import (
	_ "embed"

	"github.com/hearme-project/hearme/internal/programme"
)

//go:embed luton.json
var lutonJSON []byte

// Luton returns the demo configuration.
func Luton() programme.Config {
	c, err := programme.Parse(lutonJSON)
	if err != nil {
		panic("embedded demo configuration is invalid: " + err.Error()) // caught by the package test
	}
	return c
}
