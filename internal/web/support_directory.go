package web

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hearme-project/hearme/internal/support"
)

// The public directory search and the support offers read a copy of the
// whole directory kept in memory (support.Directory, immutable, swapped
// atomically), not the database: a search is a scan of a few thousand
// services in Go, with no query and no lock.
//
// The copy is read again:
//   - at once, after every successful change by staff on this instance
//     (create, edit, mark checked, delete, import), so staff see their
//     change in the public directory straight away;
//   - when a request finds the last check older than
//     supportCheckEvery: in the background (that request and the others
//     are served from the copy they have), it asks the database for the
//     directory's version (a count and the latest change, one small
//     query) and reads the whole directory only if it differs; this is
//     how changes made on other instances (several instances on one
//     PostgreSQL database) arrive, within a few seconds of a request;
//   - whatever the version says, every supportReloadEvery, in case a
//     change on an instance with a slow clock hid behind a later one.
//
// Nothing runs while nobody asks: there is no goroutine to start or stop.

const (
	supportCheckEvery  = 3 * time.Second
	supportReloadEvery = 5 * time.Minute
)

type supportCache struct {
	cur        atomic.Pointer[support.Directory]
	pages      atomic.Pointer[supportPages]
	checked    atomic.Int64 // when the version was last checked (Unix ns)
	refreshing atomic.Bool  // a background check is running
	mu         sync.Mutex   // one load at a time, in order
}

// supportCache is the Server's copy (its zero value is an empty cache;
// a Server is never copied).
func (s *Server) supportCache() *supportCache { return &s.supportDir }

// supportDirectory returns the directory as last read, reading it first
// if it never was, and starting a background check when it is due.
func (s *Server) supportDirectory(ctx context.Context) (*support.Directory, error) {
	c := s.supportCache()
	d := c.cur.Load()
	if d == nil {
		return s.loadSupportDirectory(ctx, false)
	}
	if time.Since(time.Unix(0, c.checked.Load())) >= supportCheckEvery && c.refreshing.CompareAndSwap(false, true) {
		go func() {
			defer c.refreshing.Store(false)
			ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
			defer cancel()
			if _, err := s.loadSupportDirectory(ctx, false); err != nil {
				s.log.Warn("support directory refresh", "err", err.Error())
			}
		}()
	}
	return d, nil
}

// loadSupportDirectory checks the directory's version and reads it all
// when it changed, when force is set or when the copy is old.
func (s *Server) loadSupportDirectory(ctx context.Context, force bool) (*support.Directory, error) {
	c := s.supportCache()
	c.mu.Lock()
	defer c.mu.Unlock()
	// The version is read before the services: a change in between makes
	// the next check read them again, never the reverse.
	version, err := s.store.SupportVersion(ctx)
	if err != nil {
		return c.cur.Load(), err
	}
	now := time.Now()
	cur := c.cur.Load()
	if !force && cur != nil && cur.Version() == version && now.Sub(cur.LoadedAt()) < supportReloadEvery {
		c.checked.Store(now.UnixNano())
		return cur, nil
	}
	all, err := s.store.AllSupportServices(ctx)
	if err != nil {
		return cur, err
	}
	d := support.NewDirectory(all, version, now)
	c.cur.Store(d)
	c.checked.Store(now.UnixNano())
	return d, nil
}

// supportChanged reads the directory again after staff changed it on
// this instance. A failure is logged: the change is saved, and the next
// check picks it up.
func (s *Server) supportChanged(ctx context.Context) {
	if _, err := s.loadSupportDirectory(context.WithoutCancel(ctx), true); err != nil {
		s.log.Error("support directory reload", "err", err.Error())
	}
}

// Results pages seen by someone not signed in depend only on the
// directory, the programme's configuration, the language and the
// filters, so the most recent ones are kept rendered (like the public
// information pages, see renderStatic): a page asked for again costs no
// template work. They are dropped when the directory or the
// configuration changes, and all at once when there are too many.
const supportPagesMax = 256

type supportPages struct {
	dir   *support.Directory
	site  *site
	mu    sync.Mutex
	pages map[string]supportPage
}

// supportPage is a rendered results page and the services it shows (to
// count them as shown each time it is served).
type supportPage struct {
	body  []byte
	shown []string
}

// supportPagesFor returns the kept pages of this directory and
// configuration, starting afresh when either changed.
func (s *Server) supportPagesFor(d *support.Directory) *supportPages {
	c := s.supportCache()
	st := s.site.Load()
	for {
		ps := c.pages.Load()
		if ps != nil && ps.dir == d && ps.site == st {
			return ps
		}
		fresh := &supportPages{dir: d, site: st, pages: map[string]supportPage{}}
		if c.pages.CompareAndSwap(ps, fresh) {
			return fresh
		}
	}
}

func (ps *supportPages) get(key string) (supportPage, bool) {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	pg, ok := ps.pages[key]
	return pg, ok
}

func (ps *supportPages) put(key string, pg supportPage) {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	if len(ps.pages) >= supportPagesMax {
		clear(ps.pages)
	}
	ps.pages[key] = pg
}
