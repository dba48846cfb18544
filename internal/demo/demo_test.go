package demo

import (
	"testing"
	"time"
)

func TestLutonConfigurationIsComplete(t *testing.T) {
	c := Luton()
	if len(c.Languages) != 6 || len(c.Communities) != 5 || len(c.Stages) != 6 {
		t.Fatalf("languages %d communities %d stages %d", len(c.Languages), len(c.Communities), len(c.Stages))
	}
	for _, l := range c.Languages {
		for _, it := range append(append(c.Communities[:0:0], c.Communities...), c.Stages...) {
			if it.Names[l.Code] == "" {
				t.Errorf("%s has no %s name", it.Slug, l.Code)
			}
		}
	}
	if c.Languages[3].Code != "ur" || !c.Languages[3].RTL {
		t.Error("Urdu should be right to left")
	}
}

// The demo programme has an end date, so the retention of experiences
// (a period after the programme ends) runs in the demo too.
func TestLutonProgrammeHasAnEndDate(t *testing.T) {
	end := Luton().Settings.EndDate
	if _, err := time.Parse("2006-01-02", end); err != nil {
		t.Fatalf("end date %q: %v", end, err)
	}
}
