package legacysim

import (
	"fmt"
	"math/rand/v2"
	"sync"
	"time"
)

// KnobSettings are the fault-injection settings. The zero value turns everything off. They apply
// to SOAP POST requests only (not to ?wsdl or the admin API).
type KnobSettings struct {
	// LatencyMillis delays every call by this many milliseconds before it is processed.
	LatencyMillis int `json:"latencyMillis"`
	// Hang blocks every call, unprocessed, until the client gives up (its request context ends)
	// or the server is closed.
	Hang bool `json:"hang"`
	// HangAfterWrite processes every call (writes are applied) and then blocks without answering
	// until the client gives up: the "did my write happen?" case of a timeout.
	HangAfterWrite bool `json:"hangAfterWrite"`
	// UnavailableNext answers the next N calls with HTTP 503 and an HTML body, as a proxy in front
	// of a restarting app would. It counts down.
	UnavailableNext int `json:"unavailableNext"`
	// MalformedNext answers the next N calls with HTTP 200 and a truncated, unparsable XML body.
	// It counts down. Calls it answers are not processed.
	MalformedNext int `json:"malformedNext"`
	// FaultProbability (0..1) answers that share of calls, unprocessed, with an HR-INTERNAL fault.
	FaultProbability float64 `json:"faultProbability"`
	// FaultSeed seeds the random source of FaultProbability; it is re-seeded on every Set, so a
	// test gets the same sequence each time it sets the same knobs.
	FaultSeed uint64 `json:"faultSeed"`
	// StrictSOAPAction refuses (soap:Client fault, HR-INVALID) a SOAPAction header that is not
	// "urn:legacyhr:directory:1/<Operation>", quoted or not.
	StrictSOAPAction bool `json:"strictSoapAction"`
}

const maxLatencyMillis = 3_600_000

func (k KnobSettings) validate() error {
	switch {
	case k.LatencyMillis < 0 || k.LatencyMillis > maxLatencyMillis:
		// The upper bound keeps the Duration from overflowing into a negative, i.e. no delay.
		return fmt.Errorf("latencyMillis must be between 0 and %d (one hour)", maxLatencyMillis)
	case k.UnavailableNext < 0:
		return fmt.Errorf("unavailableNext must not be negative")
	case k.MalformedNext < 0:
		return fmt.Errorf("malformedNext must not be negative")
	case !(k.FaultProbability >= 0 && k.FaultProbability <= 1): // also refuses NaN
		return fmt.Errorf("faultProbability must be between 0 and 1")
	}
	return nil
}

// Knobs holds the fault-injection settings of a running Server; safe for concurrent use.
type Knobs struct {
	mu  sync.Mutex
	s   KnobSettings
	rng *rand.Rand
}

func newKnobs() *Knobs {
	k := &Knobs{}
	k.rng = rand.New(rand.NewPCG(0, 0))
	return k
}

// Get returns the current settings (with the counters as they stand now).
func (k *Knobs) Get() KnobSettings {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.s
}

// Set replaces all settings.
func (k *Knobs) Set(s KnobSettings) error {
	if err := s.validate(); err != nil {
		return err
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	k.setLocked(s)
	return nil
}

func (k *Knobs) setLocked(s KnobSettings) {
	k.s = s
	k.rng = rand.New(rand.NewPCG(s.FaultSeed, s.FaultSeed))
}

// Update changes the settings in place, e.g. k.Update(func(s *KnobSettings) { s.UnavailableNext = 3 }).
func (k *Knobs) Update(fn func(*KnobSettings)) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	s := k.s
	fn(&s)
	if err := s.validate(); err != nil {
		return err
	}
	k.setLocked(s)
	return nil
}

// Reset turns everything off.
func (k *Knobs) Reset() { _ = k.Set(KnobSettings{}) }

// plan is what the knobs decided for one call.
type plan struct {
	unavailable, malformed bool
	latency                time.Duration
	hang, hangAfterWrite   bool
	fault                  bool
	strictAction           bool
}

// take decides the fate of one call, counting down the one-shot counters.
func (k *Knobs) take() plan {
	k.mu.Lock()
	defer k.mu.Unlock()
	var p plan
	switch {
	case k.s.UnavailableNext > 0:
		k.s.UnavailableNext--
		p.unavailable = true
		return p
	case k.s.MalformedNext > 0:
		k.s.MalformedNext--
		p.malformed = true
		return p
	}
	p.latency = time.Duration(k.s.LatencyMillis) * time.Millisecond
	p.hang, p.hangAfterWrite, p.strictAction = k.s.Hang, k.s.HangAfterWrite, k.s.StrictSOAPAction
	if k.s.FaultProbability > 0 {
		p.fault = k.rng.Float64() < k.s.FaultProbability
	}
	return p
}
