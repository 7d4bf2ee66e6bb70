//go:build unix

package h1client

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"syscall"
	"testing"
	"time"
)

// BenchmarkRoundTrip puts this transport and net/http's side by side on the same loopback server
// (a 1.4 KB reply, about the size of a SOAP get-user reply), sequentially and from 32 goroutines.
// cpu-ns/op is the whole process's CPU per call (client and in-process server), the figure to
// compare between the two; wall time per call moves with the machine.
func BenchmarkRoundTrip(b *testing.B) {
	reply := strings.Repeat("x", 1400)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "text/xml; charset=utf-8")
		io.WriteString(w, reply)
	}))
	defer srv.Close()
	body := strings.Repeat("y", 600)
	for _, tr := range []struct {
		name string
		rt   http.RoundTripper
	}{
		{"h1client", New(Config{MaxIdlePerHost: 64})},
		{"net-http", &http.Transport{MaxIdleConnsPerHost: 64}},
	} {
		for _, clients := range []int{1, 32} {
			b.Run(fmt.Sprintf("%s/clients=%d", tr.name, clients), func(b *testing.B) {
				call := func() {
					req, _ := http.NewRequest(http.MethodPost, srv.URL, strings.NewReader(body))
					resp, err := tr.rt.RoundTrip(req)
					if err != nil {
						b.Error(err)
						return
					}
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
				}
				call() // the connection is dialled outside the measurement
				b.ReportAllocs()
				c0 := processCPU()
				b.ResetTimer()
				if clients == 1 {
					for b.Loop() {
						call()
					}
				} else {
					b.SetParallelism((clients + 1) / 2)
					b.RunParallel(func(pb *testing.PB) {
						for pb.Next() {
							call()
						}
					})
				}
				b.StopTimer()
				b.ReportMetric(float64(processCPU()-c0)/float64(b.N), "cpu-ns/op")
			})
		}
	}
}

func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
