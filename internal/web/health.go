package web

import (
	"context"
	"net/http"
	"sync"
	"time"
)

// healthProbeEvery is how often /healthz writes to the database; in
// between, it answers with the last probe's result, so a load balancer
// polling every second costs one small write every few seconds.
const healthProbeEvery = 5 * time.Second

// writeHealth remembers the last write probe.
type writeHealth struct {
	mu  sync.Mutex
	at  time.Time
	err error
}

// handleHealth answers 200 when the database answers and can write, 503
// otherwise. A ping alone is not enough: a full disk still answers reads.
func (s *Server) handleHealth(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	err := s.store.Ping(ctx)
	if err == nil {
		err = s.probeWrite(ctx)
	}
	if err != nil {
		s.log.Error("health check failed", "err", err.Error())
		w.WriteHeader(http.StatusServiceUnavailable)
		w.Write([]byte(`{"status":"unavailable"}`))
		return
	}
	w.Write([]byte(`{"status":"ok"}`))
}

// probeWrite writes to the database at most once per healthProbeEvery
// (concurrent checks wait for the one probe) and returns its result.
func (s *Server) probeWrite(ctx context.Context) error {
	h := &s.health
	h.mu.Lock()
	defer h.mu.Unlock()
	if now := s.now(); h.at.IsZero() || now.Sub(h.at) >= healthProbeEvery || now.Before(h.at) {
		h.err = s.store.ProbeWrite(ctx)
		h.at = now
	}
	return h.err
}
