// Command openloop offers a fixed request rate (open loop, unlike wrk)
// and reports the latency distribution at that rate. Latency is taken
// from the moment each request was due, not when it was sent, so a
// server that falls behind is charged for the queue it causes (no
// "coordinated omission"). Used by scripts/load.sh for "p99 at 5,000
// requests/s". Loopback addresses only; the run is bounded by -d.
//
//	openloop -url http://127.0.0.1:8080/ -rate 5000 -d 15s -c 64 -H 'Accept-Language: en'
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

func main() {
	target := flag.String("url", "", "URL to request (loopback only)")
	rate := flag.Int("rate", 5000, "requests per second offered")
	dur := flag.Duration("d", 15*time.Second, "measurement length")
	warm := flag.Duration("warmup", 3*time.Second, "warm-up at the same rate, not measured")
	conns := flag.Int("c", 64, "connections (concurrent requests at most)")
	header := flag.String("H", "", `one extra request header, "Name: value"`)
	flag.Parse()
	u, err := url.Parse(*target)
	if err != nil || u.Host == "" {
		fail("-url: %v", err)
	}
	if ip := net.ParseIP(u.Hostname()); ip == nil || !ip.IsLoopback() {
		fail("-url must be a loopback address, got %q", u.Host)
	}
	if *dur > 10*time.Minute || *rate <= 0 || *conns <= 0 {
		fail("-d at most 10m, -rate and -c above 0")
	}
	hdr := http.Header{}
	if k, v, ok := strings.Cut(*header, ":"); ok {
		hdr.Set(strings.TrimSpace(k), strings.TrimSpace(v))
	}
	client := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{
		MaxIdleConns: *conns, MaxIdleConnsPerHost: *conns, MaxConnsPerHost: *conns, DisableCompression: true}}

	if *warm > 0 {
		run(client, *target, hdr, *rate, *warm, *conns)
	}
	r := run(client, *target, hdr, *rate, *dur, *conns)
	lat := r.lat
	slices.Sort(lat)
	q := func(p float64) float64 {
		if len(lat) == 0 {
			return 0
		}
		i := int(p*float64(len(lat))+0.5) - 1
		return float64(lat[max(0, min(i, len(lat)-1))].Microseconds()) / 1000
	}
	fmt.Printf("offered %d req/s for %s over %d connections: %d answered (%.0f req/s), %d errors, %d not sent in time\n",
		*rate, *dur, *conns, len(lat), float64(len(lat))/dur.Seconds(), r.errors, r.unsent)
	fmt.Printf("latency ms: p50 %.2f  p90 %.2f  p99 %.2f  p99.9 %.2f  max %.2f\n", q(0.50), q(0.90), q(0.99), q(0.999), q(1))
	// One machine-readable line for scripts/load.sh.
	fmt.Printf("RESULT rps=%.0f p50=%.2f p90=%.2f p99=%.2f max=%.2f errors=%d unsent=%d\n",
		float64(len(lat))/dur.Seconds(), q(0.50), q(0.90), q(0.99), q(1), r.errors, r.unsent)
}

type result struct {
	lat            []time.Duration
	errors, unsent int64
}

// run offers rate requests per second for d. A request due while every
// connection is busy waits in the queue, and its wait counts.
func run(client *http.Client, target string, hdr http.Header, rate int, d time.Duration, conns int) result {
	n := int(float64(rate) * d.Seconds())
	due := make(chan time.Time, n)
	var mu sync.Mutex
	var res result
	var errs atomic.Int64
	ctx, cancel := context.WithTimeout(context.Background(), d+10*time.Second)
	defer cancel()
	var wg sync.WaitGroup
	for range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mine []time.Duration
			for t := range due {
				req, _ := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
				req.Header = hdr
				resp, err := client.Do(req)
				if err == nil {
					_, err = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if err == nil && resp.StatusCode != http.StatusOK {
						err = fmt.Errorf("status %d", resp.StatusCode)
					}
				}
				if err != nil {
					errs.Add(1)
					continue
				}
				mine = append(mine, time.Since(t))
			}
			mu.Lock()
			res.lat = append(res.lat, mine...)
			mu.Unlock()
		}()
	}
	// Release the requests that have come due once a millisecond rather
	// than sleeping before each one: far fewer timer wake-ups, so the
	// generator takes less of the CPU it shares with the server.
	start := time.Now()
	interval := time.Second / time.Duration(rate)
	tick := time.NewTicker(time.Millisecond)
	defer tick.Stop()
	for i := 0; i < n; {
		now := <-tick.C
		for ; i < n; i++ {
			t := start.Add(time.Duration(i) * interval)
			if t.After(now) {
				break
			}
			due <- t
		}
		if ctx.Err() != nil {
			res.unsent = int64(n - i)
			break
		}
	}
	close(due)
	wg.Wait()
	res.errors = errs.Load()
	return res
}

func fail(f string, a ...any) {
	fmt.Fprintf(os.Stderr, "openloop: "+f+"\n", a...)
	os.Exit(2)
}
