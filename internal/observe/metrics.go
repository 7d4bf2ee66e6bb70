package observe

import (
	"net/http"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/scimbridge/scimbridge/internal/backendtime"
)

// Dialects and operations, the bounded label values of the SCIM metrics.
var (
	Dialects   = []string{"1.1", "2.0"}
	Operations = []string{
		"users.list", "users.get", "users.create", "users.replace", "users.patch", "users.delete", "users.search",
		"groups.list", "groups.get", "groups.create", "groups.replace", "groups.patch", "groups.delete", "groups.search",
		"discovery", "unknown",
	}
	statusClasses = []string{"1xx", "2xx", "3xx", "4xx", "5xx"}
)

// Metrics are the SCIM front end's metrics. Build one with NewMetrics and wrap the adapter's
// handler with Wrap.
type Metrics struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	overhead *prometheus.HistogramVec
	inFlight prometheus.Gauge
	now      func() time.Time
	// series are the children per dialect and operation, resolved once in NewMetrics:
	// WithLabelValues hashes the label values and takes the vector's lock on every call.
	series map[string]map[string]*reqSeries
}

// reqSeries are one dialect and operation's series.
type reqSeries struct {
	requests           [5]prometheus.Counter // by status class, 1xx … 5xx
	duration, overhead prometheus.Observer
}

// NewMetrics registers the SCIM metrics with reg (never the global registry: pass the bridge's
// own) and creates every label combination up front, so dashboards and alerts see zeros rather
// than missing series.
func NewMetrics(reg prometheus.Registerer) (*Metrics, error) {
	m := &Metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "scimbridge_scim_requests_total",
			Help: "SCIM requests answered, by dialect (1.1, 2.0), operation (users.get, …) and status class (2xx, …).",
		}, []string{"dialect", "operation", "status_class"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:                        "scimbridge_scim_request_duration_seconds",
			Help:                        "Time to answer one SCIM request, backend calls included.",
			Buckets:                     []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 20, 30},
			NativeHistogramBucketFactor: 1.1,
		}, []string{"dialect", "operation"}),
		overhead: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:                        "scimbridge_adapter_overhead_seconds",
			Help:                        "Time of one SCIM request not spent in backend calls: the bridge's own cost.",
			Buckets:                     []float64{.0001, .00025, .0005, .001, .0025, .005, .01, .025, .05, .1},
			NativeHistogramBucketFactor: 1.1,
		}, []string{"dialect", "operation"}),
		inFlight: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "scimbridge_scim_in_flight",
			Help: "SCIM requests being served.",
		}),
		now: time.Now,
	}
	for _, c := range []prometheus.Collector{m.requests, m.duration, m.overhead, m.inFlight} {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	m.series = make(map[string]map[string]*reqSeries, len(Dialects))
	for _, d := range Dialects {
		m.series[d] = make(map[string]*reqSeries, len(Operations))
		for _, op := range Operations {
			s := &reqSeries{duration: m.duration.WithLabelValues(d, op), overhead: m.overhead.WithLabelValues(d, op)}
			for i, sc := range statusClasses {
				s.requests[i] = m.requests.WithLabelValues(d, op, sc)
			}
			m.series[d][op] = s
		}
	}
	return m, nil
}

// Wrap measures every request next serves. It goes outside the adapter's handler, so that the
// time measured is the whole of the bridge's work, and it gives each request the backend-time
// accumulator that the SOAP client's metrics guard adds to.
func (m *Metrics) Wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		dialect, op := ClassifyRequest(r.Method, r.URL.EscapedPath())
		ctx, acc := backendtime.With(r.Context())
		m.inFlight.Inc()
		defer m.inFlight.Dec()
		sw := &statusWriter{ResponseWriter: w}
		start := m.now()
		next.ServeHTTP(sw, r.WithContext(ctx))
		d := m.now().Sub(start)
		status := sw.status
		if status == 0 {
			status = http.StatusOK
		}
		s := m.series[dialect][op]
		if s == nil { // not reached: ClassifyRequest gives only the precreated values
			s = &reqSeries{duration: m.duration.WithLabelValues(dialect, op), overhead: m.overhead.WithLabelValues(dialect, op)}
			for i, sc := range statusClasses {
				s.requests[i] = m.requests.WithLabelValues(dialect, op, sc)
			}
		}
		s.requests[statusIndex(status)].Inc()
		s.duration.Observe(d.Seconds())
		// Parallel backend calls could sum to more than the request took; the overhead is then
		// below measurement, not negative.
		s.overhead.Observe(max(d-acc.Total(), 0).Seconds())
	})
}

// statusIndex is the index of code's class in statusClasses; anything outside 1xx-4xx counts
// as 5xx.
func statusIndex(code int) int {
	if c := code / 100; c >= 1 && c <= 4 {
		return c - 1
	}
	return 4
}

// statusWriter records the status the handler wrote.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the underlying writer (flush, deadlines).
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// ClassifyRequest maps a request to its dialect ("1.1" or "2.0") and operation (one of
// Operations), from the method and the path only, the way the adapter routes: /scim/v2/… is
// SCIM 2.0, /scim/v1/… and the root are SCIM 1.1. Ids never reach a label.
func ClassifyRequest(method, path string) (dialect, op string) {
	p := collapse(path)
	dialect = "1.1"
	switch {
	case hasSegmentPrefix(p, "/scim/v2"):
		dialect, p = "2.0", p[len("/scim/v2"):]
	case hasSegmentPrefix(p, "/scim/v1"):
		p = p[len("/scim/v1"):]
	}
	segs := strings.Split(strings.TrimPrefix(p, "/"), "/")
	if len(segs) > 2 || segs[0] == "" {
		return dialect, "unknown"
	}
	var res string
	switch strings.ToLower(segs[0]) {
	case "users":
		res = "users"
	case "groups":
		res = "groups"
	case "serviceproviderconfig", "serviceproviderconfigs", "schemas", "resourcetypes":
		if method == http.MethodGet || method == http.MethodHead {
			return dialect, "discovery"
		}
		return dialect, "unknown"
	default:
		return dialect, "unknown"
	}
	if len(segs) == 1 {
		switch method {
		case http.MethodGet, http.MethodHead:
			return dialect, res + ".list"
		case http.MethodPost:
			return dialect, res + ".create"
		}
		return dialect, "unknown"
	}
	if segs[1] == "" {
		return dialect, "unknown"
	}
	if segs[1] == ".search" {
		if method == http.MethodPost {
			return dialect, res + ".search"
		}
		return dialect, "unknown"
	}
	switch method {
	case http.MethodGet, http.MethodHead:
		return dialect, res + ".get"
	case http.MethodPut:
		return dialect, res + ".replace"
	case http.MethodPatch:
		return dialect, res + ".patch"
	case http.MethodDelete:
		return dialect, res + ".delete"
	}
	return dialect, "unknown"
}

func hasSegmentPrefix(p, prefix string) bool {
	return p == prefix || strings.HasPrefix(p, prefix+"/")
}

// collapse removes repeated and trailing slashes, as the adapter does before routing.
func collapse(p string) string {
	// The usual path is already clean: answer it without a copy.
	if !strings.Contains(p, "//") && (len(p) <= 1 || p[len(p)-1] != '/') {
		return p
	}
	var b strings.Builder
	b.Grow(len(p))
	prev := false
	for i := 0; i < len(p); i++ {
		c := p[i]
		if c == '/' && prev {
			continue
		}
		prev = c == '/'
		b.WriteByte(c)
	}
	out := b.String()
	if len(out) > 1 {
		out = strings.TrimSuffix(out, "/")
	}
	return out
}

// Build is what the scimbridge_build_info labels say about the running build.
type Build struct {
	Version, Commit, Date string
	Dirty                 bool
}

// NewBuildInfo returns the scimbridge_build_info gauge: always 1, its labels say which build is
// running (version, commit, date, dirty, goversion), so a query can join them onto any series.
func NewBuildInfo(b Build) prometheus.Collector {
	g := prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "scimbridge_build_info",
		Help: "Always 1; the labels say which build is running.",
	}, []string{"version", "commit", "date", "dirty", "goversion"})
	g.WithLabelValues(b.Version, b.Commit, b.Date, strconv.FormatBool(b.Dirty), runtime.Version()).Set(1)
	return g
}
