package web

import "github.com/hearme-project/hearme/internal/accountability"

// The report's chart: the commitments by where they stand (done, on
// track, delayed, overdue, not doing), drawn on the server as SVG so it
// works with JavaScript off. It counts commitments, not people, so the
// numbers are exact; each bar carries its number and its name, so it
// reads in grey, and the headline figures above it are its text
// alternative for a screen reader (the SVG has a title and is one image).
// The chart is laid out left to right in every language (direction="ltr"
// on the SVG): in a right-to-left page its names would otherwise be
// anchored off the drawing; an Urdu name still reads right to left.

type chartBar struct {
	Label, Kind string
	Count, Y    int
	W, LX       int // bar width and where its number goes
}

type statusChart struct {
	Page   *Page
	Bars   []chartBar
	Height int
}

const (
	chartLeft  = 220 // where bars start, after their names
	chartWidth = 380 // the longest bar
)

// StatusChart lays out the chart of h's commitments.
func (p *Page) StatusChart(h accountability.Headline) statusChart {
	delayed := h.Commitments - h.Done - h.NotDoing - h.Overdue - h.OnTrack
	rows := []struct {
		key, kind string
		n         int
	}{
		{"opendata.chart_done", "done", h.Done}, {"opendata.chart_on_track", "active", h.OnTrack},
		{"opendata.chart_delayed", "late", max(delayed, 0)}, {"opendata.chart_overdue", "overdue", h.Overdue},
		{"opendata.chart_not_doing", "dropped", h.NotDoing},
	}
	most := 1
	for _, r := range rows {
		most = max(most, r.n)
	}
	c := statusChart{Page: p}
	for i, r := range rows {
		w := r.n * chartWidth / most
		c.Bars = append(c.Bars, chartBar{Label: p.T(r.key), Kind: r.kind, Count: r.n, Y: i * 28, W: w, LX: chartLeft + w + 8})
	}
	c.Height = len(rows) * 28
	return c
}
