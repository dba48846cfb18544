package backup

import (
	"os"
	"time"
)

// A backup writes as much as the database's size, twice. Left to the
// kernel, gigabytes of dirty pages pile up and are written back in
// bursts, and the server's own commits (each one synced: an acknowledged
// story must survive a power cut) wait behind them. Syncing the backup's
// files often keeps what is waiting small.

// syncWhile syncs path every interval until the returned stop is called.
func syncWhile(path string, every time.Duration) (stop func()) {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return func() {}
	}
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				f.Sync()
			}
		}
	}()
	return func() {
		close(done)
		<-finished
		f.Close()
	}
}

// syncingWriter syncs the file after every n bytes written.
type syncingWriter struct {
	f       *os.File
	n, left int
}

func newSyncingWriter(f *os.File, n int) *syncingWriter {
	return &syncingWriter{f: f, n: n, left: n}
}

func (w *syncingWriter) Write(p []byte) (int, error) {
	written, err := w.f.Write(p)
	w.left -= written
	if err == nil && w.left <= 0 {
		w.left = w.n
		err = w.f.Sync()
	}
	return written, err
}
