// Command submitload measures completed submissions over HTTP: the final
// POST of the share journey, which stores an experience with its
// equality answers and consent. It first walks the journey for -n
// visitors (each with its own session), waits out the form's minimum
// fill time, then sends all the final POSTs with -c at a time and
// reports the rate and latency. Loopback only; bounded by -n.
//
//	go run ./scripts/submitload -url http://127.0.0.1:18090 -n 10000 -c 32
//
// The server must exempt the load generator's address from the public
// forms' rate limit (--form-limit-exempt 127.0.0.0/8), as a council
// would for a drop-in session's Wi-Fi.
package main

import (
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"regexp"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

var tokenRE = regexp.MustCompile(`name="form_token" value="([^"]+)"`)

type visitor struct {
	client *http.Client
	token  string
}

func newClient() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, Timeout: 30 * time.Second, Transport: http.DefaultTransport,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

func post(c *http.Client, u string, v url.Values) (int, error) {
	r, err := c.PostForm(u, v)
	if err != nil {
		return 0, err
	}
	io.Copy(io.Discard, r.Body)
	r.Body.Close()
	return r.StatusCode, nil
}

// prepare walks one visitor to the check page and keeps its token.
func prepare(base string, i int) (*visitor, error) {
	c := newClient()
	steps := []struct {
		path string
		form url.Values
	}{
		{"/share/who", url.Values{"role": {"family-or-carer"}}},
		{"/share/stages", url.Values{"stages": {"screening", "treatment"}}},
		{"/share/story", url.Values{"what_happened": {fmt.Sprintf("Load test experience %d: we waited six weeks for the results.", i)}, "could_be_better": {"An interpreter at every appointment."}}},
		{"/share/about-you", url.Values{"ethnic_group": {"white-other"}, "age_band": {"55-64"}, "religion": {"prefer-not-to-say"}, "postcode_district": {"LU4"}}},
		{"/share/consent", url.Values{"consent_evidence": {"yes"}, "consent_quote": {"yes"}}},
	}
	for _, st := range steps {
		code, err := post(c, base+st.path, st.form)
		if err != nil {
			return nil, err
		}
		if code != http.StatusSeeOther {
			return nil, fmt.Errorf("%s: status %d", st.path, code)
		}
	}
	r, err := c.Get(base + "/share/check")
	if err != nil {
		return nil, err
	}
	b, _ := io.ReadAll(r.Body)
	r.Body.Close()
	m := tokenRE.FindSubmatch(b)
	if m == nil {
		return nil, fmt.Errorf("no token on the check page (status %d)", r.StatusCode)
	}
	return &visitor{client: c, token: string(m[1])}, nil
}

func main() {
	base := flag.String("url", "http://127.0.0.1:18090", "hearme base URL (loopback)")
	n := flag.Int("n", 5000, "submissions to send")
	conc := flag.Int("c", 32, "final POSTs in flight at once")
	prepConc := flag.Int("prep", 16, "visitors prepared at once")
	wait := flag.Duration("wait", 3200*time.Millisecond, "wait after preparing (the form's minimum fill time)")
	flag.Parse()
	if u, err := url.Parse(*base); err != nil || !(strings.HasPrefix(u.Host, "127.") || strings.HasPrefix(u.Host, "localhost") || strings.HasPrefix(u.Host, "[::1]")) {
		fmt.Fprintln(os.Stderr, "submitload: -url must be a loopback address")
		os.Exit(2)
	}
	http.DefaultTransport.(*http.Transport).MaxIdleConnsPerHost = *conc * 2

	start := time.Now()
	visitors := make([]*visitor, *n)
	var next int64 = -1
	var wg sync.WaitGroup
	var prepErr atomic.Value
	for w := 0; w < *prepConc; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(atomic.AddInt64(&next, 1))
				if i >= *n {
					return
				}
				v, err := prepare(*base, i)
				if err != nil {
					prepErr.Store(err)
					return
				}
				visitors[i] = v
			}
		}()
	}
	wg.Wait()
	if err, _ := prepErr.Load().(error); err != nil {
		fmt.Fprintln(os.Stderr, "submitload: prepare:", err)
		os.Exit(1)
	}
	fmt.Printf("prepared %d visitors in %s\n", *n, time.Since(start).Round(time.Millisecond))
	time.Sleep(*wait)

	lat := make([]time.Duration, *n)
	var bad int64
	next = -1
	t0 := time.Now()
	for w := 0; w < *conc; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(atomic.AddInt64(&next, 1))
				if i >= *n {
					return
				}
				v := visitors[i]
				s := time.Now()
				req, _ := http.NewRequest("POST", *base+"/share/check", strings.NewReader(url.Values{"form_token": {v.token}}.Encode()))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				r, err := v.client.Do(req)
				lat[i] = time.Since(s)
				if err != nil {
					atomic.AddInt64(&bad, 1)
					continue
				}
				io.Copy(io.Discard, r.Body)
				r.Body.Close()
				if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/share/done" {
					atomic.AddInt64(&bad, 1)
				}
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(t0)
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	pct := func(p float64) time.Duration { return lat[int(p*float64(len(lat)-1))] }
	fmt.Printf("final POSTs: %d in %s = %.0f submissions/s, %d failed\n", *n, elapsed.Round(time.Millisecond), float64(*n)/elapsed.Seconds(), bad)
	fmt.Printf("latency: p50 %s  p90 %s  p99 %s  max %s\n", pct(.5).Round(10*time.Microsecond), pct(.9).Round(10*time.Microsecond),
		pct(.99).Round(10*time.Microsecond), lat[len(lat)-1].Round(10*time.Microsecond))
	if bad > 0 {
		os.Exit(1)
	}
}
