// Package tabular holds what every CSV and spreadsheet export shares:
// cells that a spreadsheet would run as a formula are neutralised, and
// CSV files start with a byte-order mark so that Excel reads Urdu,
// Bengali and Polish text as UTF-8.
package tabular

import "strings"

// formulaStart are the first characters that make a spreadsheet read a
// cell as a formula (OWASP "CSV injection").
const formulaStart = "=+-@\t\r"

// BOM is the UTF-8 byte-order mark written at the start of CSV files.
const BOM = "\ufeff"

// Neutralise makes a cell safe to open in a spreadsheet: a cell that
// starts with = + - @ tab or carriage return gets a leading apostrophe,
// so it is shown as text and never run as a formula.
// A text that itself starts with apostrophes and a formula character
// gets one more apostrophe, so that Unneutralise gives it back exactly.
func Neutralise(v string) string {
	if needsMark(v) {
		return "'" + v
	}
	return v
}

func needsMark(v string) bool {
	v = strings.TrimLeft(v, "'")
	return v != "" && strings.ContainsRune(formulaStart, rune(v[0]))
}

// Unneutralise undoes Neutralise on import, so an exported file imports
// back unchanged.
func Unneutralise(v string) string {
	if v != "" && v[0] == '\'' && needsMark(v[1:]) {
		return v[1:]
	}
	return v
}

// TrimBOM removes a leading byte-order mark from the first header cell.
func TrimBOM(s string) string { return strings.TrimPrefix(s, BOM) }
