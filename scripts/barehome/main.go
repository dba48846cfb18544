// Command barehome is the baseline for scripts/load.sh: it fetches a page
// once (by default hearme's home page on loopback) and then serves those
// exact bytes, with the same response headers, from a bare net/http
// handler. The difference between its throughput and hearme's is the
// cost of hearme's middleware, routing and template rendering.
//
//	go run ./scripts/barehome -from http://127.0.0.1:18080/ -addr 127.0.0.1:18081
package main

import (
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"time"
)

func main() {
	from := flag.String("from", "http://127.0.0.1:8080/", "page to copy (loopback only)")
	file := flag.String("file", "", "serve this file instead of fetching -from")
	addr := flag.String("addr", "127.0.0.1:8081", "address to listen on")
	flag.Parse()

	body, hdr, err := load(*from, *file)
	if err != nil {
		log.Fatal(err)
	}
	hdr.Del("Date")
	hdr.Set("Content-Length", strconv.Itoa(len(body)))

	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		dst := w.Header()
		for k, v := range hdr {
			dst[k] = v
		}
		w.Write(body)
	})
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Fprintf(os.Stderr, "barehome: serving %d bytes on http://%s\n", len(body), ln.Addr())
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	log.Fatal(srv.Serve(ln))
}

func load(from, file string) ([]byte, http.Header, error) {
	if file != "" {
		b, err := os.ReadFile(file)
		return b, http.Header{"Content-Type": {"text/html; charset=utf-8"}}, err
	}
	u, err := url.Parse(from)
	if err != nil {
		return nil, nil, err
	}
	if ip := net.ParseIP(u.Hostname()); ip == nil || !ip.IsLoopback() {
		return nil, nil, fmt.Errorf("-from must be a loopback address, got %q", u.Host)
	}
	c := &http.Client{Timeout: 10 * time.Second}
	resp, err := c.Get(from)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, nil, fmt.Errorf("GET %s: %s", from, resp.Status)
	}
	b, err := io.ReadAll(resp.Body)
	return b, resp.Header.Clone(), err
}
