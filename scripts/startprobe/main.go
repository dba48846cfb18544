// Command startprobe measures hearme's start-up time: for each run it
// picks a free loopback port, starts the binary against an existing data
// directory, polls /healthz every 500µs and records the wall time from
// exec to the first 200. The process is then stopped (SIGTERM, SIGKILL
// after 5 s) before the next run. Used by scripts/startup.sh.
//
//	startprobe -bin /tmp/hearme-perf/hearme -data DIR -n 20
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"slices"
	"syscall"
	"time"
)

func main() {
	bin := flag.String("bin", "", "hearme binary")
	data := flag.String("data", "", "existing data directory")
	n := flag.Int("n", 20, "number of starts")
	timeout := flag.Duration("timeout", 10*time.Second, "give up on one start after this long")
	flag.Parse()
	if *bin == "" || *data == "" {
		fmt.Fprintln(os.Stderr, "usage: startprobe -bin BINARY -data DIR [-n 20]")
		os.Exit(2)
	}
	var got []time.Duration
	for i := range *n {
		d, err := once(*bin, *data, *timeout)
		if err != nil {
			fmt.Fprintf(os.Stderr, "run %d: %v\n", i+1, err)
			os.Exit(1)
		}
		fmt.Printf("run %2d: %6.1f ms\n", i+1, ms(d))
		got = append(got, d)
	}
	slices.Sort(got)
	fmt.Printf("\nstarts=%d  min=%.1f ms  median=%.1f ms  p95=%.1f ms  max=%.1f ms\n",
		len(got), ms(got[0]), ms(pct(got, 50)), ms(pct(got, 95)), ms(got[len(got)-1]))
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// pct is the nearest-rank percentile of sorted durations.
func pct(sorted []time.Duration, p int) time.Duration {
	i := (p*len(sorted)+99)/100 - 1
	return sorted[max(0, min(i, len(sorted)-1))]
}

func freePort() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

func once(bin, data string, timeout time.Duration) (time.Duration, error) {
	addr, err := freePort()
	if err != nil {
		return 0, err
	}
	url := "http://" + addr + "/healthz"
	// A fresh transport per run, no keep-alive: every poll is a new
	// connection, as the first visitor's would be.
	client := &http.Client{Timeout: 200 * time.Millisecond, Transport: &http.Transport{DisableKeepAlives: true}}
	cmd := exec.Command(bin, "serve", "--data", data, "--addr", addr)
	cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return 0, err
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	defer stop(cmd, exited)
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		resp, err := client.Do(req)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return time.Since(start), nil
			}
		}
		select {
		case err := <-exited:
			exited <- err
			return 0, fmt.Errorf("hearme exited before answering: %v", err)
		case <-ctx.Done():
			return 0, fmt.Errorf("no 200 from %s within %s", url, timeout)
		case <-time.After(500 * time.Microsecond):
		}
	}
}

// stop ends the process and waits for it, so runs never overlap.
func stop(cmd *exec.Cmd, exited chan error) {
	cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-exited:
	case <-time.After(5 * time.Second):
		cmd.Process.Kill()
		<-exited
	}
}
