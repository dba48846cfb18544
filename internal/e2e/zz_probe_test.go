package e2e

import (
	"testing"
	"time"
)

func TestZZProbe(t *testing.T) {
	for i := 0; i < 3; i++ {
		t.Run("x", func(t *testing.T) {
			t0 := time.Now()
			s := startSite(t)
			t.Logf("startSite %v %s", time.Since(t0), s.App.Config.DataDir)
		})
	}
}
