package state

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Metrics measures store calls: scimbridge_state_operation_seconds{op,result}. A slow or failing
// store shows here before it shows as slow SCIM requests.
type Metrics struct {
	seconds *prometheus.HistogramVec
}

// NewMetrics registers the store's metrics with reg.
func NewMetrics(reg prometheus.Registerer) (*Metrics, error) {
	m := &Metrics{seconds: prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "scimbridge_state_operation_seconds",
		Help: "Time spent in calls to the bridge's state store, by operation and result (ok or error). A lock's time includes waiting for it.",
		// Lock waits can be long (another request holds the resource); the rest is milliseconds.
		Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
	}, []string{"op", "result"})}
	if err := reg.Register(m.seconds); err != nil {
		return nil, err
	}
	return m, nil
}

func now() time.Time { return time.Now() }

// nowTime is now, for methods whose parameter is called now.
func nowTime() time.Time { return time.Now() }

// observe records one call that started at start and ended with *err; nil m measures nothing.
// It is deferred with a pointer to the named error result.
func (m *Metrics) observe(op string, start time.Time, err *error) {
	if m == nil {
		return
	}
	result := "ok"
	if err != nil && *err != nil {
		result = "error"
	}
	m.seconds.WithLabelValues(op, result).Observe(time.Since(start).Seconds())
}
