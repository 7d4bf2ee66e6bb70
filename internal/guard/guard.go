package guard

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/sony/gobreaker/v2"

	"github.com/scimbridge/scimbridge/internal/backendtime"
)

// Invoker calls a backend operation by name; the mapping engine declares the same interface.
type Invoker interface {
	Invoke(ctx context.Context, op string, req any) (any, error)
}

// InvokerFunc adapts a function to Invoker.
type InvokerFunc func(ctx context.Context, op string, req any) (any, error)

// Invoke calls f.
func (f InvokerFunc) Invoke(ctx context.Context, op string, req any) (any, error) {
	return f(ctx, op, req)
}

// Middleware wraps an Invoker (circuit breaker, bulkhead, retries, metrics, logging).
type Middleware func(Invoker) Invoker

// Hooks are what the guards need to know about one kind of client.
type Hooks struct {
	// Classify names the outcome of a call from its error: one of the Outcome constants,
	// OutcomeSuccess for nil. Required: only the client knows its error types.
	Classify func(err error) string
	// IsRead is the client's default read rule when Config.Reads is empty (a REST client: the
	// HTTP method); nil means the ReadPrefixes rule.
	IsRead func(op string) bool
}

// StatusError is an error that carries an HTTP status without being a business answer (a 503
// page, a 429): the guards read it to honour Retry-After, to decide which reads to retry and
// what the breaker counts.
type StatusError interface {
	error
	HTTPStatus() int
	RetryAfterDelay(now time.Time) (time.Duration, bool)
}

func statusOf(err error) (StatusError, bool) {
	var se StatusError
	ok := errors.As(err, &se)
	return se, ok
}

func (g *Guard) classify(err error) string {
	if err == nil {
		return OutcomeSuccess
	}
	if errors.Is(err, ErrBreakerOpen) || errors.Is(err, ErrLimitReached) {
		return OutcomeRejected
	}
	return g.hooks.Classify(err)
}

// Config configures the guards New puts around every call of one backend client. Every zero
// value means the default written next to the field.
//
// The chain, outermost first (Guard.Chain):
//
//	metrics  → counts every call by operation and outcome, times it, and adds the time to the
//	           SCIM request's backend-time accumulator (internal/backendtime);
//	limit    → separate concurrency limits for reads and writes, so an import cannot starve a
//	           deprovisioning; a call waits at most QueueWait for a slot, then is refused;
//	breaker  → one gobreaker/v2 circuit breaker per backend, local to this process;
//	deadline → the operation's timeout, on top of the caller's deadline (the earlier wins);
//	retry    → reads only, jittered exponential backoff, bounded by a retry budget;
//	then the client's own middleware and the call itself (with its per-attempt timeout).
//
// The limit sits outside the breaker so that calls queueing for a slot do not use up the
// breaker's half-open probes; the retries sit inside it so that the breaker judges a logical call,
// not each attempt. Refusals (breaker open, limit full, a 503 with Retry-After) return a
// *RefusedError with its wait, which the mapping engine turns into the contract's Unavailable
// (503 with Retry-After); errors.Is(err, ErrBreakerOpen / ErrLimitReached) tells them apart.
//
// What the breaker counts: a business fault (a SOAP Fault, a REST error answer), and a non-5xx HTTP error
// other than 408 and 429, is a SUCCESS: the application answered, so it is up, however it
// refused; unless the mapping's judgement (Guard.JudgeFaults) says the fault is the application
// failing (an internal fault), which counts. Transport errors, timeouts,
// HTTP 5xx/408/429 without a fault, and unparsable or refused (DOCTYPE, oversized) replies are
// failures. A caller's cancellation and misuse of Invoke (unknown operation, wrong request type,
// closed client) are excluded: they say nothing about the backend.
//
// Suggested YAML (backend.resilience, integrator's side), with the defaults:
//
//	resilience:
//	  reads: []                 # operations that are reads; empty: the readPrefixes rule
//	  readPrefixes: [get, list, find, is, search, query, lookup, read, count, check, exists]
//	  maxReads: 8               # concurrent read calls; -1: unlimited
//	  maxWrites: 4              # concurrent write calls; -1: unlimited
//	  queueWait: 1s             # wait for a slot before refusing; -1s: refuse at once
//	  opTimeout: 25s            # per operation, across retries; the caller's deadline still wins
//	  opTimeouts: {}            # per-operation overrides, e.g. ListEmployees: 28s
//	  breaker:
//	    disabled: false
//	    consecutiveFailures: 5  # trip after this many failures in a row
//	    failureRatio: 0.5       # or this share of failures ...
//	    minRequests: 20         # ... once the window holds this many calls
//	    window: 60s             # rolling window for the ratio
//	    bucket: 10s             # window granularity
//	    openFor: 30s            # how long the breaker stays open before probing
//	    halfOpenProbes: 2       # probes let through half-open; as many successes close it
//	  retry:
//	    attempts: 3             # attempts per read, the first included; 1 turns retries off
//	    baseDelay: 100ms        # backoff before the first retry, doubling, full jitter
//	    maxDelay: 2s
//	    budgetRatio: 0.1        # retries may add this share of calls ...
//	    budgetMin: 3            # ... plus this many
type Config struct {
	// Reads lists the operations that only read. When empty, ReadPrefixes decides.
	Reads []string `yaml:"reads"`
	// ReadPrefixes: an operation is a read when its name starts with one of these
	// (case-insensitive) followed by an upper-case letter, a digit, '_' or nothing, so
	// "isExistingUser" and "GetEmployee" are reads but "Issue" and "Listen" are not. Default
	// DefaultReadPrefixes.
	ReadPrefixes []string `yaml:"readPrefixes"`
	// MaxReads and MaxWrites cap concurrent calls per class; default 8 and 4, negative means no
	// limit. Keep their sum at or below what the legacy app serves (divided by the number of
	// replicas) and at or below Config.MaxConcurrency, which sizes the connection pool.
	MaxReads  int `yaml:"maxReads"`
	MaxWrites int `yaml:"maxWrites"`
	// QueueWait is how long a call may wait for a slot; default 1s, negative means no wait. It
	// never outlasts the caller's deadline.
	QueueWait time.Duration `yaml:"queueWait"`
	// OpTimeout bounds one operation including its retries; default 25s (below Okta's 30 s
	// minimum API timeout). OpTimeouts overrides it per operation name.
	OpTimeout  time.Duration            `yaml:"opTimeout"`
	OpTimeouts map[string]time.Duration `yaml:"opTimeouts"`
	Breaker    BreakerConfig            `yaml:"breaker"`
	Retry      RetryConfig              `yaml:"retry"`
	// Registerer receives the metrics. nil keeps them in a private registry nobody scrapes;
	// the global registry is never used. Two clients may share one Registerer: the metrics are
	// shared and the breaker label tells the backends apart.
	Registerer prometheus.Registerer `yaml:"-"`
	// BreakerName is the breaker label; default the client's name.
	BreakerName string `yaml:"-"`
}

// BreakerConfig configures the circuit breaker; zero values mean the defaults in Config's doc.
type BreakerConfig struct {
	// Disabled turns the breaker off (calls always go through).
	Disabled            bool          `yaml:"disabled"`
	ConsecutiveFailures int           `yaml:"consecutiveFailures"`
	FailureRatio        float64       `yaml:"failureRatio"`
	MinRequests         int           `yaml:"minRequests"`
	Window              time.Duration `yaml:"window"`
	Bucket              time.Duration `yaml:"bucket"`
	OpenFor             time.Duration `yaml:"openFor"`
	HalfOpenProbes      int           `yaml:"halfOpenProbes"`
}

// RetryConfig configures retries of reads; zero values mean the defaults in Config's doc.
type RetryConfig struct {
	Attempts    int           `yaml:"attempts"`
	BaseDelay   time.Duration `yaml:"baseDelay"`
	MaxDelay    time.Duration `yaml:"maxDelay"`
	BudgetRatio float64       `yaml:"budgetRatio"`
	BudgetMin   int           `yaml:"budgetMin"`
}

// DefaultReadPrefixes is the default read rule (see Config.ReadPrefixes).
var DefaultReadPrefixes = []string{"get", "list", "find", "is", "search", "query", "lookup", "read", "count", "check", "exists"}

// Sentinels inside the *RefusedError of a refused call.
var (
	// ErrBreakerOpen: the circuit breaker is open (or half-open with its probes in flight).
	ErrBreakerOpen = errors.New("circuit breaker open")
	// ErrLimitReached: the read or write concurrency limit stayed full for the whole queue wait.
	ErrLimitReached = errors.New("concurrency limit reached")
)

// Outcomes of a call, the values of the outcome label.
const (
	OutcomeSuccess        = "success"         // the operation answered normally
	OutcomeFault          = "fault"           // a business fault (SOAP Fault, REST 4xx): the app answered and refused
	OutcomeHTTPError      = "http_error"      // a non-2xx reply without a fault
	OutcomeTimeout        = "timeout"         // a deadline expired
	OutcomeTransportError = "transport_error" // dial, reset, EOF, TLS
	OutcomeMalformed      = "malformed"       // unparsable, DOCTYPE, oversized reply
	OutcomeCanceled       = "canceled"        // the caller went away
	OutcomeRejected       = "rejected"        // refused by the breaker or a limit, not sent
	OutcomeInvalid        = "invalid"         // misuse: unknown operation, wrong request, closed
)

var outcomes = []string{OutcomeSuccess, OutcomeFault, OutcomeHTTPError, OutcomeTimeout, OutcomeTransportError,
	OutcomeMalformed, OutcomeCanceled, OutcomeRejected, OutcomeInvalid}

// Rejection reasons, the values of scimbridge_backend_rejected_total's reason label.
const (
	RejectBreakerOpen     = "breaker_open"
	RejectBreakerHalfOpen = "breaker_half_open"
	RejectReadLimit       = "read_limit"
	RejectWriteLimit      = "write_limit"
)

// otherOp is the operation label of names the client does not know, so that the label stays
// bounded whatever a caller passes.
const otherOp = "other"

func (r Config) withDefaults() Config {
	def := func(d *time.Duration, v time.Duration) {
		if *d == 0 {
			*d = v
		}
	}
	if len(r.ReadPrefixes) == 0 {
		r.ReadPrefixes = DefaultReadPrefixes
	}
	if r.MaxReads == 0 {
		r.MaxReads = 8
	}
	if r.MaxWrites == 0 {
		r.MaxWrites = 4
	}
	def(&r.QueueWait, time.Second)
	def(&r.OpTimeout, 25*time.Second)
	b := &r.Breaker
	if b.ConsecutiveFailures == 0 {
		b.ConsecutiveFailures = 5
	}
	if b.FailureRatio == 0 {
		b.FailureRatio = 0.5
	}
	if b.MinRequests == 0 {
		b.MinRequests = 20
	}
	def(&b.Window, 60*time.Second)
	def(&b.Bucket, 10*time.Second)
	def(&b.OpenFor, 30*time.Second)
	if b.HalfOpenProbes == 0 {
		b.HalfOpenProbes = 2
	}
	rt := &r.Retry
	if rt.Attempts == 0 {
		rt.Attempts = 3
	}
	def(&rt.BaseDelay, 100*time.Millisecond)
	def(&rt.MaxDelay, 2*time.Second)
	if rt.BudgetRatio == 0 {
		rt.BudgetRatio = 0.1
	}
	if rt.BudgetMin == 0 {
		rt.BudgetMin = 3
	}
	return r
}

func (r Config) validate() error {
	var errs []error
	if r.OpTimeout < 0 {
		errs = append(errs, errors.New("resilience: opTimeout must not be negative"))
	}
	for op, d := range r.OpTimeouts {
		if d <= 0 {
			errs = append(errs, fmt.Errorf("resilience: opTimeouts[%s] must be positive", op))
		}
	}
	b := r.Breaker
	if b.ConsecutiveFailures < 0 || b.MinRequests < 0 || b.HalfOpenProbes < 0 || b.Window < 0 || b.Bucket < 0 || b.OpenFor < 0 {
		errs = append(errs, errors.New("resilience: breaker settings must not be negative"))
	}
	if b.FailureRatio < 0 || b.FailureRatio > 1 || math.IsNaN(b.FailureRatio) {
		errs = append(errs, errors.New("resilience: breaker.failureRatio must be between 0 and 1"))
	}
	rt := r.Retry
	if rt.Attempts < 0 || rt.BaseDelay < 0 || rt.MaxDelay < 0 || rt.BudgetMin < 0 {
		errs = append(errs, errors.New("resilience: retry settings must not be negative"))
	}
	if rt.Attempts > 10 {
		errs = append(errs, errors.New("resilience: retry.attempts above 10 only adds load to a struggling backend"))
	}
	if rt.BudgetRatio < 0 || rt.BudgetRatio > 1 || math.IsNaN(rt.BudgetRatio) {
		errs = append(errs, errors.New("resilience: retry.budgetRatio must be between 0 and 1"))
	}
	return errors.Join(errs...)
}

// Guard is the state behind the resilience middleware of one client.
type Guard struct {
	cfg     Config
	name    string // breaker label
	known   map[string]bool
	reads   map[string]bool // explicit list, nil when the prefix rule applies
	readSem chan struct{}
	wrSem   chan struct{}
	cb      *gobreaker.CircuitBreaker[any]
	m       *Metrics
	// series are the metrics' children per operation label, and inFlight per class, resolved
	// once: WithLabelValues hashes the label values and takes the vector's lock on every call.
	series   map[string]*opSeries
	inFlight map[string]prometheus.Gauge
	hooks    Hooks
	budget   retryBudget
	now      func() time.Time

	judge atomic.Pointer[func(error) (counts, ok bool)] // the mapping's fault judgement, nil: none

	openedAt  atomic.Int64 // unix nanos of the last transition to open
	holdUntil atomic.Int64 // unix nanos until which the backend asked us (Retry-After) to wait
}

// New builds the guards of client (the breaker label unless Config.BreakerName says otherwise),
// whose operations are ops, with the client's hooks; hooks.Classify is required.
func New(client string, ops []string, r Config, hooks Hooks) (*Guard, error) {
	if hooks.Classify == nil {
		return nil, errors.New("guard: Hooks.Classify is required")
	}
	if err := r.validate(); err != nil {
		return nil, err
	}
	r = r.withDefaults()
	g := &Guard{cfg: r, name: r.BreakerName, known: make(map[string]bool, len(ops)), now: time.Now, hooks: hooks}
	if g.name == "" {
		g.name = client
	}
	for _, op := range ops {
		g.known[op] = true
	}
	if len(r.Reads) > 0 {
		g.reads = make(map[string]bool, len(r.Reads))
		for _, op := range r.Reads {
			if !g.known[op] {
				return nil, fmt.Errorf("resilience.reads names %q, which client %s does not have", op, client)
			}
			g.reads[op] = true
		}
	}
	for op := range r.OpTimeouts {
		if !g.known[op] {
			return nil, fmt.Errorf("resilience.opTimeouts names %q, which client %s does not have", op, client)
		}
	}
	if r.MaxReads > 0 {
		g.readSem = make(chan struct{}, r.MaxReads)
	}
	if r.MaxWrites > 0 {
		g.wrSem = make(chan struct{}, r.MaxWrites)
	}
	g.budget = retryBudget{ratio: r.Retry.BudgetRatio, floor: float64(r.Retry.BudgetMin), tokens: float64(r.Retry.BudgetMin)}
	// The budget may bank what 100 calls earn on top of the floor: enough for a burst after a
	// quiet spell, not enough to let retries double the load of a failing backend.
	g.budget.max = g.budget.floor + 100*g.budget.ratio

	m, err := newMetrics(r.Registerer)
	if err != nil {
		return nil, err
	}
	g.m = m
	m.precreate(g.name, append(append([]string(nil), ops...), otherOp))
	g.series = make(map[string]*opSeries, len(ops)+1)
	for _, op := range append(append([]string(nil), ops...), otherOp) {
		s := &opSeries{requests: make(map[string]prometheus.Counter, len(outcomes)), duration: m.Duration.WithLabelValues(op)}
		for _, o := range outcomes {
			s.requests[o] = m.Requests.WithLabelValues(op, o)
		}
		g.series[op] = s
	}
	g.inFlight = map[string]prometheus.Gauge{"read": m.InFlight.WithLabelValues("read"), "write": m.InFlight.WithLabelValues("write")}

	if !r.Breaker.Disabled {
		b := r.Breaker
		g.cb = gobreaker.NewCircuitBreaker[any](gobreaker.Settings{
			Name:         g.name,
			MaxRequests:  uint32(b.HalfOpenProbes),
			Interval:     b.Window,
			BucketPeriod: b.Bucket,
			Timeout:      b.OpenFor,
			ReadyToTrip: func(c gobreaker.Counts) bool {
				return c.ConsecutiveFailures >= uint32(b.ConsecutiveFailures) ||
					(c.Requests >= uint32(b.MinRequests) && float64(c.TotalFailures) >= b.FailureRatio*float64(c.Requests))
			},
			IsSuccessful: func(err error) bool {
				var cf *countedFault
				return !errors.As(err, &cf) && !CountsAsFailure(g.classify(err), err)
			},
			IsExcluded: func(err error) bool {
				o := g.classify(err)
				return o == OutcomeCanceled || o == OutcomeInvalid
			},
			// Runs under the breaker's mutex: only record, never call back into the breaker.
			OnStateChange: func(name string, from, to gobreaker.State) {
				if to == gobreaker.StateOpen {
					g.openedAt.Store(g.now().UnixNano())
				}
				m.State.WithLabelValues(name).Set(float64(to))
				m.Transitions.WithLabelValues(name, from.String(), to.String()).Inc()
			},
		})
	}
	return g, nil
}

// Chain returns the guards, outermost first (see Config).
func (g *Guard) Chain() []Middleware {
	return []Middleware{g.metricsMW, g.limitMW, g.breakerMW, g.deadlineMW, g.retryMW}
}

func (g *Guard) opLabel(op string) string {
	if g.known[op] {
		return op
	}
	return otherOp
}

// opSeries are one operation label's request counters (by outcome) and duration histogram.
type opSeries struct {
	requests map[string]prometheus.Counter
	duration prometheus.Observer
}

// IsRead applies Config.Reads or, when it is empty, the client's read rule (Hooks.IsRead), or
// else the prefix rule. Reads are retried and share the read limit; writes never are retried.
func (g *Guard) IsRead(op string) bool {
	if g.reads != nil {
		return g.reads[op]
	}
	if g.hooks.IsRead != nil {
		return g.hooks.IsRead(op)
	}
	return IsReadName(op, g.cfg.ReadPrefixes)
}

// IsReadName reports whether op starts with one of prefixes (case-insensitive) at a word
// boundary: followed by nothing, an upper-case letter, a digit or '_'.
func IsReadName(op string, prefixes []string) bool {
	for _, p := range prefixes {
		if len(op) < len(p) || !strings.EqualFold(op[:len(p)], p) {
			continue
		}
		rest := op[len(p):]
		if rest == "" {
			return true
		}
		r, _ := utf8.DecodeRuneInString(rest)
		if unicode.IsUpper(r) || unicode.IsDigit(r) || r == '_' {
			return true
		}
	}
	return false
}

func (g *Guard) metricsMW(next Invoker) Invoker {
	return InvokerFunc(func(ctx context.Context, op string, req any) (any, error) {
		label := g.opLabel(op)
		start := g.now()
		resp, err := next.Invoke(ctx, op, req)
		d := g.now().Sub(start)
		outcome := g.classify(err)
		series := g.series[label]
		if c, ok := series.requests[outcome]; ok {
			c.Inc()
		} else { // an outcome word the client's hooks added
			g.m.Requests.WithLabelValues(label, outcome).Inc()
		}
		if outcome != OutcomeRejected {
			series.duration.Observe(d.Seconds())
		}
		// Queueing for a slot counts as backend time too: it is the backend's capacity the
		// request waited for, not the bridge's own work.
		backendtime.From(ctx).Record(label, outcome, d)
		return resp, err
	})
}

func (g *Guard) limitMW(next Invoker) Invoker {
	return InvokerFunc(func(ctx context.Context, op string, req any) (any, error) {
		class, sem, reason, limit := "write", g.wrSem, RejectWriteLimit, g.cfg.MaxWrites
		if g.IsRead(op) {
			class, sem, reason, limit = "read", g.readSem, RejectReadLimit, g.cfg.MaxReads
		}
		if sem != nil {
			if err := g.acquire(ctx, sem); err != nil {
				if errors.Is(err, ErrLimitReached) {
					g.m.Rejected.WithLabelValues(reason).Inc()
					// A short, jittered wait: slots free up in about one call's time, and
					// spreading the retries keeps them from arriving together.
					retry := time.Second + rand.N(2*time.Second)
					return nil, &RefusedError{Wait: retry, Err: err,
						Message: fmt.Sprintf("scimbridge is already running its limit of %d concurrent %s calls to the application; retry later", limit, class)}
				}
				return nil, err
			}
			defer func() { <-sem }()
		}
		inFlight := g.inFlight[class]
		inFlight.Inc()
		defer inFlight.Dec()
		return next.Invoke(ctx, op, req)
	})
}

// acquire takes a slot, waiting at most QueueWait and never past ctx's deadline.
func (g *Guard) acquire(ctx context.Context, sem chan struct{}) error {
	select {
	case sem <- struct{}{}:
		return nil
	default:
	}
	wait := g.cfg.QueueWait
	if dl, ok := ctx.Deadline(); ok {
		wait = min(wait, dl.Sub(g.now()))
	}
	if wait <= 0 {
		return ErrLimitReached
	}
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case sem <- struct{}{}:
		return nil
	case <-t.C:
		return ErrLimitReached
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (g *Guard) breakerMW(next Invoker) Invoker {
	if g.cb == nil {
		return next
	}
	return InvokerFunc(func(ctx context.Context, op string, req any) (any, error) {
		resp, err := g.cb.Execute(func() (any, error) {
			resp, err := next.Invoke(ctx, op, req)
			return resp, g.judged(err)
		})
		var cf *countedFault
		if errors.As(err, &cf) {
			return resp, cf.err
		}
		switch {
		case errors.Is(err, gobreaker.ErrOpenState), errors.Is(err, gobreaker.ErrTooManyRequests):
			reason := RejectBreakerOpen
			if errors.Is(err, gobreaker.ErrTooManyRequests) {
				reason = RejectBreakerHalfOpen
			}
			g.m.Rejected.WithLabelValues(reason).Inc()
			wait := g.retryAfter()
			return nil, &RefusedError{Wait: wait, Err: fmt.Errorf("%w (%s)", ErrBreakerOpen, reason),
				Message: fmt.Sprintf("the application failed repeatedly, so scimbridge stops calling it for about %s to let it recover; the task can be retried then", roundUp(wait))}
		case err != nil:
			if he, ok := statusOf(err); ok && he.HTTPStatus() == 503 {
				if d, ok := he.RetryAfterDelay(g.now()); ok && d > 0 {
					d = min(d, g.cfg.Breaker.OpenFor)
					g.holdUntil.Store(g.now().Add(d).UnixNano())
					return nil, &RefusedError{Wait: d, Err: err,
						Message: "the application answered that it is unavailable (HTTP 503)"}
				}
			}
		}
		return resp, err
	})
}

// retryAfter is how long until the breaker lets a probe through, or longer if the backend asked
// for more with Retry-After; at least one second.
func (g *Guard) retryAfter() time.Duration {
	now := g.now()
	until := time.Unix(0, g.openedAt.Load()).Add(g.cfg.Breaker.OpenFor)
	if h := time.Unix(0, g.holdUntil.Load()); h.After(until) {
		until = h
	}
	return max(until.Sub(now), time.Second)
}

func roundUp(d time.Duration) time.Duration {
	return time.Duration(math.Ceil(d.Seconds())) * time.Second
}

func (g *Guard) deadlineMW(next Invoker) Invoker {
	return InvokerFunc(func(ctx context.Context, op string, req any) (any, error) {
		d := g.cfg.OpTimeout
		if v, ok := g.cfg.OpTimeouts[op]; ok {
			d = v
		}
		ctx, cancel := context.WithTimeout(ctx, d)
		defer cancel()
		return next.Invoke(ctx, op, req)
	})
}

func (g *Guard) retryMW(next Invoker) Invoker {
	if g.cfg.Retry.Attempts <= 1 {
		return next
	}
	return InvokerFunc(func(ctx context.Context, op string, req any) (any, error) {
		if !g.IsRead(op) {
			// Writes are never retried here: a write whose answer was lost may have been
			// applied, and only a look-up can tell (the mapping engine's job).
			return next.Invoke(ctx, op, req)
		}
		g.budget.deposit()
		rc := g.cfg.Retry
		for attempt := 1; ; attempt++ {
			resp, err := next.Invoke(ctx, op, req)
			if err == nil || attempt >= rc.Attempts || ctx.Err() != nil || !g.retryable(err) {
				return resp, err
			}
			// Full jitter (AWS architecture blog): spreads the retries of many callers.
			ceiling := min(rc.MaxDelay, rc.BaseDelay<<(attempt-1))
			delay := rand.N(ceiling + 1)
			if he, ok := statusOf(err); ok {
				if ra, ok := he.RetryAfterDelay(g.now()); ok && ra > delay {
					delay = ra
				}
			}
			if dl, ok := ctx.Deadline(); ok && g.now().Add(delay).After(dl) {
				return resp, err // no time left for another attempt
			}
			if !g.budget.take() {
				return resp, err
			}
			g.m.Retries.WithLabelValues(g.opLabel(op)).Inc()
			t := time.NewTimer(delay)
			select {
			case <-t.C:
			case <-ctx.Done():
				t.Stop()
				return resp, err
			}
		}
	})
}

// retryable: errors after which a read may succeed on another attempt.
func (g *Guard) retryable(err error) bool {
	switch g.classify(err) {
	case OutcomeTransportError, OutcomeMalformed, OutcomeTimeout:
		return true
	case OutcomeHTTPError:
		if he, ok := statusOf(err); ok {
			switch he.HTTPStatus() {
			case 429, 502, 503, 504:
				return true
			}
		}
	}
	return false
}

// retryBudget is a token bucket: each first attempt of a read adds ratio tokens, each retry
// costs one; it never falls below zero nor rises above max. Starting at the floor lets a quiet
// client retry at once.
type retryBudget struct {
	mu                        sync.Mutex
	tokens, ratio, floor, max float64
}

func (b *retryBudget) deposit() {
	b.mu.Lock()
	b.tokens = min(b.tokens+b.ratio, b.max)
	b.mu.Unlock()
}

func (b *retryBudget) take() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}

// CountsAsFailure: what the breaker counts against the backend (see Config), given the
// call's outcome and error.
func CountsAsFailure(outcome string, err error) bool {
	switch outcome {
	case OutcomeSuccess, OutcomeFault, OutcomeCanceled, OutcomeInvalid, OutcomeRejected:
		return false
	case OutcomeHTTPError:
		if he, ok := statusOf(err); ok {
			c := he.HTTPStatus()
			return c >= 500 || c == 408 || c == 429
		}
	}
	return true
}

// Metrics are the backend-side metrics (docs/operations.md lists them). Two clients on one
// registry share them; the breaker label tells the backends apart.
type Metrics struct {
	Requests    *prometheus.CounterVec
	Duration    *prometheus.HistogramVec
	InFlight    *prometheus.GaugeVec
	Rejected    *prometheus.CounterVec
	Retries     *prometheus.CounterVec
	State       *prometheus.GaugeVec
	Transitions *prometheus.CounterVec
}

func newMetrics(reg prometheus.Registerer) (*Metrics, error) {
	if reg == nil {
		reg = prometheus.NewRegistry()
	}
	m := &Metrics{
		Requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "scimbridge_backend_requests_total",
			Help: "Calls to legacy operations, by operation and outcome (success, fault, http_error, timeout, transport_error, malformed, canceled, rejected, invalid).",
		}, []string{"operation", "outcome"}),
		Duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:                        "scimbridge_backend_request_duration_seconds",
			Help:                        "Time of one legacy operation as the mapping engine sees it: queueing for a slot, retries and backoff included; refused calls excluded.",
			Buckets:                     []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 20, 30},
			NativeHistogramBucketFactor: 1.1,
		}, []string{"operation"}),
		InFlight: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "scimbridge_backend_in_flight",
			Help: "Legacy calls holding a concurrency slot, by class (read, write).",
		}, []string{"class"}),
		Rejected: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "scimbridge_backend_rejected_total",
			Help: "Legacy calls refused without being sent, by reason (breaker_open, breaker_half_open, read_limit, write_limit).",
		}, []string{"reason"}),
		Retries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "scimbridge_backend_retries_total",
			Help: "Retries of read operations (attempts after the first).",
		}, []string{"operation"}),
		State: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "scimbridge_breaker_state",
			Help: "Circuit breaker state per backend: 0 closed, 1 half-open, 2 open.",
		}, []string{"breaker"}),
		Transitions: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "scimbridge_breaker_transitions_total",
			Help: "Circuit breaker state changes per backend.",
		}, []string{"breaker", "from", "to"}),
	}
	var err error
	m.Requests = register(reg, m.Requests, &err)
	m.Duration = register(reg, m.Duration, &err)
	m.InFlight = register(reg, m.InFlight, &err)
	m.Rejected = register(reg, m.Rejected, &err)
	m.Retries = register(reg, m.Retries, &err)
	m.State = register(reg, m.State, &err)
	m.Transitions = register(reg, m.Transitions, &err)
	if err != nil {
		return nil, fmt.Errorf("guard: registering metrics: %w", err)
	}
	return m, nil
}

// register registers c, or returns the identical collector already registered (a second client
// on the same registry shares the metrics).
func register[C prometheus.Collector](reg prometheus.Registerer, c C, errp *error) C {
	if err := reg.Register(c); err != nil {
		var are prometheus.AlreadyRegisteredError
		if errors.As(err, &are) {
			if existing, ok := are.ExistingCollector.(C); ok {
				return existing
			}
		}
		if *errp == nil {
			*errp = err
		}
	}
	return c
}

// precreate makes every expected series exist from the start, so that rate() and alerts see a
// zero before the first event rather than no series at all.
func (m *Metrics) precreate(breaker string, ops []string) {
	for _, op := range ops {
		for _, o := range outcomes {
			m.Requests.WithLabelValues(op, o)
		}
		m.Duration.WithLabelValues(op)
		m.Retries.WithLabelValues(op)
	}
	for _, c := range []string{"read", "write"} {
		m.InFlight.WithLabelValues(c)
	}
	for _, r := range []string{RejectBreakerOpen, RejectBreakerHalfOpen, RejectReadLimit, RejectWriteLimit} {
		m.Rejected.WithLabelValues(r)
	}
	m.State.WithLabelValues(breaker).Set(0)
	for _, t := range [][2]gobreaker.State{{gobreaker.StateClosed, gobreaker.StateOpen}, {gobreaker.StateOpen, gobreaker.StateHalfOpen},
		{gobreaker.StateHalfOpen, gobreaker.StateClosed}, {gobreaker.StateHalfOpen, gobreaker.StateOpen}} {
		m.Transitions.WithLabelValues(breaker, t[0].String(), t[1].String())
	}
}

// BreakerState reports the state of the circuit breaker ("closed", "half-open", "open", or
// "disabled" with the breaker off) and, when open, how long until it lets a probe through.
// Reading it also moves an expired open breaker to half-open, so the state metric follows even
// without traffic.
func (g *Guard) BreakerState() (state string, retryAfter time.Duration) {
	if g == nil || g.cb == nil {
		return "disabled", 0
	}
	s := g.cb.State()
	if s == gobreaker.StateOpen {
		return s.String(), g.retryAfter()
	}
	return s.String(), 0
}

// Metrics returns the guard's metric vectors (shared by every guard on the same registry).
func (g *Guard) Metrics() *Metrics { return g.m }
