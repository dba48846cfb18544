package web_test

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/hearme-project/hearme/internal/support"
)

// supportCSV is an import file of n services across needs, areas,
// languages and communities.
func supportCSV(n int) []byte {
	var b bytes.Buffer
	b.WriteString("name,organisation,summary,needs,area,languages,communities,phone,website,opening_hours\n")
	langs := []string{"en", "so", "ur", "bn", "pl", "ro", "pa", "gu"}
	comms := []string{"", "black-african", "south-asian", "eastern-european"}
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "Service %d,Organisation %d,Help and information for people affected by cancer number %d,%s;%s,%s,en;%s,%s,01632 96%04d,https://example.org/s%d,Weekdays 9-5\n",
			i, i%300, i, support.Needs[i%8], support.Needs[(i+3)%8], support.Areas[i%4], langs[i%8], comms[i%4], i%10000, i)
	}
	return b.Bytes()
}

// BenchmarkSupportImport5000 parses and imports 5,000 services (one
// transaction) on SQLite: the figure is "CSV import of 5,000 services
// under 2 s".
func BenchmarkSupportImport5000(b *testing.B) {
	data := supportCSV(5000)
	a := support.Allowed{Communities: []string{"black-african", "south-asian", "eastern-european"}}
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		e := newEnv(&testing.T{})
		b.StartTimer()
		svs, errs := support.ReadCSV(bytes.NewReader(data), a)
		if len(errs) > 0 {
			b.Fatal(errs[:1])
		}
		if _, _, err := e.store.ImportSupportServices(ctx, "bench", svs); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSupportSearchHTTP loads 5,000 services into SQLite and sends
// filtered directory searches over HTTP on loopback from 8 concurrent
// clients, reporting the p50 and p99 latency: the figure is "p99 under
// 10 ms".
func BenchmarkSupportSearchHTTP(b *testing.B) {
	t := &testing.T{}
	e := newEnv(t)
	svs, errs := support.ReadCSV(bytes.NewReader(supportCSV(5000)), support.Allowed{Communities: []string{"black-african", "south-asian", "eastern-european"}})
	if len(errs) > 0 {
		b.Fatal(errs[:1])
	}
	if _, _, err := e.store.ImportSupportServices(ctx, "bench", svs); err != nil {
		b.Fatal(err)
	}
	queries := []string{
		"/support?need=emotional&language=so",
		"/support?need=practical&area=local&community=south-asian",
		"/support?q=number+12&language=ur",
		"/support?area=national&page=3",
		"/support?need=end-of-life&stage=end-of-life&language=pl",
		"/support?q=organisation+7&need=carers",
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 16}}
	get := func(q string) time.Duration {
		start := time.Now()
		r, err := client.Get(e.srv.URL + q)
		if err != nil {
			b.Fatal(err)
		}
		io.Copy(io.Discard, r.Body)
		r.Body.Close()
		if r.StatusCode != 200 {
			b.Fatalf("%s: %d", q, r.StatusCode)
		}
		return time.Since(start)
	}
	for _, q := range queries { // warm up
		get(q)
	}
	const workers = 8
	b.ResetTimer()
	var mu sync.Mutex
	var lat []time.Duration
	var wg sync.WaitGroup
	per := max(b.N/workers, 1)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			mine := make([]time.Duration, 0, per)
			for i := 0; i < per; i++ {
				mine = append(mine, get(queries[(w+i)%len(queries)]))
			}
			mu.Lock()
			lat = append(lat, mine...)
			mu.Unlock()
		}(w)
	}
	wg.Wait()
	b.StopTimer()
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
	b.ReportMetric(float64(len(lat)), "requests")
}
