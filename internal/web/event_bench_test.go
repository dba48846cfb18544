package web_test

// BenchmarkEventRegister measures registrations over loopback HTTP
// through the whole application handler (middleware, sessions, the
// form's time token and honeypot, validation, sealing, the keyed
// duplicate check, the registration under the event's lock, the
// confirmation email composed, sealed and written to the outbox in the
// same transaction, and the redirect). Each POST is a new visitor with
// an email and consent to reminders, on an event large enough that all
// are confirmed. The time tokens are fetched (GET of the event page)
// before the timer starts; loopback is exempt from the form rate limit
// (cfg.FormLimitExempt), as a council would exempt a drop-in session's
// Wi-Fi.
//
//	go test -run='^$' -bench=EventRegister -benchtime=5000x ./internal/web/
//
// It reports registrations per second and the 50th and 99th percentile
// latency of the POSTs, with HEARME_BENCH_CONC (default 16) in flight.

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/hearme-project/hearme/internal/app"
	"github.com/hearme-project/hearme/internal/config"
	"github.com/hearme-project/hearme/internal/demo"
	"github.com/hearme-project/hearme/internal/event"
	"github.com/hearme-project/hearme/internal/sealed"
	"github.com/hearme-project/hearme/internal/store/storetest"
	"github.com/hearme-project/hearme/internal/web"
)

func BenchmarkEventRegister(b *testing.B) {
	inFlight := 16
	if n, err := strconv.Atoi(os.Getenv("HEARME_BENCH_CONC")); err == nil && n > 0 {
		inFlight = n
	}
	cfg := config.Config{Addr: "127.0.0.1:0", DataDir: b.TempDir(), MaxBodyBytes: 1 << 20, SessionIdle: 30 * time.Minute,
		SessionLifetime: 12 * time.Hour, LogLevel: "info", FormMinFill: time.Nanosecond,
		FormLimitExempt: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}, BaseURL: "https://hearme.example"}
	st := storetest.SQLite(b)
	if err := st.ReplaceProgramme(ctx, "test", demo.Luton()); err != nil {
		b.Fatal(err)
	}
	keys, err := sealed.LoadOrCreate(filepath.Join(b.TempDir(), "keys.txt"))
	if err != nil {
		b.Fatal(err)
	}
	cat, err := web.Catalogue()
	if err != nil {
		b.Fatal(err)
	}
	w, err := web.New(ctx, web.Deps{Config: cfg, Store: st, Catalog: cat, Keys: keys, Sessions: app.NewSessions(cfg, st),
		Logger: slog.New(slog.NewJSONHandler(io.Discard, nil)), Registry: prometheus.NewRegistry()})
	if err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(w.Handler())
	defer srv.Close()
	start := time.Now().Add(7 * 24 * time.Hour)
	ev := &event.Event{Kind: event.KindHearMe, Visibility: event.Public, Languages: []string{"en"}, Start: start, End: start.Add(2 * time.Hour),
		VenueName: "Example Hall", VenueAddress: "1 Example Street, Luton", Capacity: event.MaxCapacity,
		Texts: map[string]event.Text{"en": {Title: "Hear me"}}}
	if err := st.CreateEvent(ctx, ev); err != nil {
		b.Fatal(err)
	}
	tr := &http.Transport{MaxIdleConns: inFlight * 2, MaxIdleConnsPerHost: inFlight * 2}
	client := &http.Client{Transport: tr, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	pageURL := srv.URL + "/events/" + ev.ID

	// Tokens first, outside the timer.
	tokens := make([]string, b.N)
	var wg sync.WaitGroup
	next := make(chan int)
	for range inFlight {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				r, err := client.Get(pageURL)
				if err != nil {
					b.Error(err)
					continue
				}
				body, _ := io.ReadAll(r.Body)
				r.Body.Close()
				if m := tokenRE.FindSubmatch(body); m != nil {
					tokens[i] = string(m[1])
				}
			}
		}()
	}
	for i := range b.N {
		next <- i
	}
	close(next)
	wg.Wait()

	lat := make([]time.Duration, b.N)
	bad := make(chan string, inFlight)
	next = make(chan int)
	b.ResetTimer()
	t0 := time.Now()
	for range inFlight {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				form := url.Values{"form_token": {tokens[i]}, "name": {"Resident"}, "email": {fmt.Sprintf("resident%d@example.org", i)},
					"reminders": {"yes"}, "places": {"1"}, "access_needs": {"A seat near the door"}, "heard_about": {"radio"}}
				s := time.Now()
				r, err := client.PostForm(pageURL, form)
				lat[i] = time.Since(s)
				if err != nil {
					bad <- err.Error()
					continue
				}
				io.Copy(io.Discard, r.Body)
				r.Body.Close()
				if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/events/"+ev.ID+"/registered" {
					select {
					case bad <- fmt.Sprintf("POST %d: %d %s", i, r.StatusCode, r.Header.Get("Location")):
					default:
					}
				}
			}
		}()
	}
	for i := range b.N {
		next <- i
	}
	close(next)
	wg.Wait()
	elapsed := time.Since(t0)
	b.StopTimer()
	select {
	case msg := <-bad:
		b.Fatalf("a registration failed: %s", msg)
	default:
	}
	got, err := st.Event(ctx, ev.ID)
	if err != nil || got.Confirmed != b.N {
		b.Fatalf("%d places confirmed after %d registrations (%v)", got.Confirmed, b.N, err)
	}
	slices.Sort(lat)
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "registrations/s")
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
}
