package web

import (
	"context"
	"net/http"
	"sync"
	"time"

	"github.com/hearme-project/hearme/internal/store"
	"github.com/hearme-project/hearme/internal/support"
)

// Signposting counts are anonymous increments: a service, a month, a
// place (and an event), never who, from where or in which session. They
// are added up in memory and written in one transaction at most every
// few seconds, by the request that finds the last write old enough, so
// showing twenty services in the directory does not cost twenty writes.
// FlushSupportCounts writes what is pending (on shutdown, and before
// the staff report).

// supportFlushEvery is how long counts may wait in memory.
const supportFlushEvery = 5 * time.Second

type signpostKey struct{ service, month, place, event string }

type signpostBuffer struct {
	init    sync.Once
	mu      sync.Mutex
	pending map[signpostKey][2]int // shown, opened
	last    time.Time
	writing sync.Mutex
}

// signposts is the Server's buffer, made ready on first use (a Server is
// never copied).
func (s *Server) signposts() *signpostBuffer {
	b := &s.signpostBuf
	b.init.Do(func() { b.pending, b.last = map[signpostKey][2]int{}, s.now() })
	return b
}

func (s *Server) addSignposts(r *http.Request, ids []string, place, event string, shown, opened int) {
	if len(ids) == 0 {
		return
	}
	b := s.signposts()
	month := support.Month(s.now())
	b.mu.Lock()
	for _, id := range ids {
		k := signpostKey{id, month, place, event}
		c := b.pending[k]
		c[0] += shown
		c[1] += opened
		b.pending[k] = c
	}
	due := s.now().Sub(b.last) >= supportFlushEvery
	b.mu.Unlock()
	if due && b.writing.TryLock() {
		defer b.writing.Unlock()
		if err := s.flushSignposts(context.WithoutCancel(r.Context()), b); err != nil {
			s.log.Error("write signposting counts", "err", err.Error())
		}
	}
}

// countShown counts services shown at a place.
func (s *Server) countShown(r *http.Request, ids []string, place, event string) {
	s.addSignposts(r, ids, place, event, 1, 0)
}

// countOpened counts a service opened from a place.
func (s *Server) countOpened(r *http.Request, id, place, event string) {
	s.addSignposts(r, []string{id}, place, event, 0, 1)
}

// flushSignposts writes the pending counts; on failure they are kept
// for the next try. The caller holds b.writing.
func (s *Server) flushSignposts(ctx context.Context, b *signpostBuffer) error {
	b.mu.Lock()
	pending := b.pending
	b.pending = map[signpostKey][2]int{}
	b.last = s.now()
	b.mu.Unlock()
	if len(pending) == 0 {
		return nil
	}
	ps := make([]store.Signpost, 0, len(pending))
	for k, c := range pending {
		ps = append(ps, store.Signpost{ServiceID: k.service, Month: k.month, Place: k.place, EventID: k.event, Shown: c[0], Opened: c[1]})
	}
	if err := s.store.AddSignposts(ctx, ps); err != nil {
		b.mu.Lock()
		for k, c := range pending {
			p := b.pending[k]
			b.pending[k] = [2]int{p[0] + c[0], p[1] + c[1]}
		}
		b.mu.Unlock()
		return err
	}
	return nil
}

// FlushSupportCounts writes the signposting counts still in memory. The
// application calls it on shutdown; the staff report calls it first.
func (s *Server) FlushSupportCounts(ctx context.Context) error {
	b := s.signposts()
	b.writing.Lock()
	defer b.writing.Unlock()
	return s.flushSignposts(ctx, b)
}
