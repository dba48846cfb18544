// Package analysis is the "Understand" step: the codebook of themes, the
// coding of approved experiences (whole answers or passages), learned code
// suggestions, agreement between coders, and the REFI-QDA exchange files
// that let a university partner open the coded project in NVivo, ATLAS.ti,
// MAXQDA or QualCoder.
//
// It holds the rules only (no HTTP, no SQL): the store persists codes and
// codings, and analysis reads go through the store's read pool so that
// reporting never competes with the writer that keeps people's stories.
//
// Offsets are counted in Unicode code points, never bytes or UTF-16 units,
// so a passage highlighted in Urdu or Bengali stays exactly where it was.
package analysis
