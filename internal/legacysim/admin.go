package legacysim

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"regexp"
	"sync"
)

// OpStats counts the calls of one operation.
type OpStats struct {
	Calls  int `json:"calls"`
	Faults int `json:"faults"`
	// LastSOAPAction is the SOAPAction header of the latest call exactly as sent (gowsdl v0.5.0
	// sends the two characters ''), or nil when that call sent none.
	LastSOAPAction *string `json:"lastSoapAction"`
}

// CallStats is what GET /_sim/calls returns: calls per operation (only operations that were
// called), calls naming no known operation, and how many calls each knob answered.
type CallStats struct {
	Operations map[string]OpStats `json:"operations"`
	Unknown    int                `json:"unknownOperations"`
	Injected   map[string]int     `json:"injected"`
}

type callStats struct {
	mu sync.Mutex
	s  CallStats
}

func newCallStats() *callStats {
	c := &callStats{}
	c.reset()
	return c
}

func (c *callStats) reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.s = CallStats{Operations: map[string]OpStats{}, Injected: map[string]int{}}
}

func (c *callStats) call(op, action string, sent bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	st := c.s.Operations[op]
	st.Calls++
	st.LastSOAPAction = nil
	if sent {
		st.LastSOAPAction = &action
	}
	c.s.Operations[op] = st
}

func (c *callStats) fault(op string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	st := c.s.Operations[op]
	st.Faults++
	c.s.Operations[op] = st
}

func (c *callStats) unknown() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.s.Unknown++
}

func (c *callStats) injected(kind string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.s.Injected[kind]++
}

func (c *callStats) snapshot() CallStats {
	c.mu.Lock()
	defer c.mu.Unlock()
	return CallStats{Operations: maps.Clone(c.s.Operations), Unknown: c.s.Unknown, Injected: maps.Clone(c.s.Injected)}
}

// Calls returns the call statistics since the server started or was last reset.
func (s *Server) Calls() CallStats { return s.calls.snapshot() }

// ResetCalls clears the call statistics.
func (s *Server) ResetCalls() { s.calls.reset() }

// SeedRequest is the body of POST /_sim/seed.
type SeedRequest struct {
	Employees int    `json:"employees"` // 1..MaxSeed
	Prefix    string `json:"prefix"`    // login prefix, default "load"
}

// SeedResult is the answer to POST /_sim/seed.
type SeedResult struct {
	Created int    `json:"created"`
	FirstID string `json:"firstId"`
	LastID  string `json:"lastId"`
}

// MaxSeed caps one bulk seed.
const MaxSeed = 10000

var seedPrefix = regexp.MustCompile(`^[A-Za-z0-9._-]{1,32}$`)

// SeedEmployees creates n enabled employees with logins prefix0001, prefix0002, ... (e-mail
// login@example.com, no password), for paging and load tests. It refuses the whole batch if any
// of the logins is taken.
func (s *Server) SeedEmployees(ctx context.Context, req SeedRequest) (SeedResult, error) {
	if req.Prefix == "" {
		req.Prefix = "load"
	}
	if req.Employees < 1 || req.Employees > MaxSeed {
		return SeedResult{}, fmt.Errorf("employees must be between 1 and %d", MaxSeed)
	}
	if !seedPrefix.MatchString(req.Prefix) {
		return SeedResult{}, fmt.Errorf("prefix must be 1 to 32 characters of A-Z a-z 0-9 . _ -")
	}
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	login := func(i int) string { return fmt.Sprintf("%s%04d", req.Prefix, i) }
	for i := 1; i <= req.Employees; i++ {
		if _, total, err := s.store.FindEmployees(ctx, EmployeeQuery{Login: login(i), Limit: 1}); err != nil {
			return SeedResult{}, err
		} else if total > 0 {
			return SeedResult{}, fmt.Errorf("%w: login %s is taken", ErrDuplicate, login(i))
		}
	}
	var res SeedResult
	for i := 1; i <= req.Employees; i++ {
		now := s.nowMS()
		l := login(i)
		e, err := s.store.CreateEmployee(ctx, Employee{
			Login: l, GivenName: "Load", FamilyName: fmt.Sprintf("User %04d", i),
			DisplayName: fmt.Sprintf("Load User %04d", i), Email: l + "@example.com",
			Department: "Load Test", Enabled: true, CreatedAt: now, ModifiedAt: now,
		}, nil)
		if err != nil {
			return res, err
		}
		if res.FirstID == "" {
			res.FirstID = e.ID
		}
		res.LastID = e.ID
		res.Created++
	}
	return res, nil
}

func (s *Server) routeAdmin() {
	m := s.mux
	m.HandleFunc("GET "+AdminPrefix+"employees", func(w http.ResponseWriter, r *http.Request) {
		es, _, err := s.store.FindEmployees(r.Context(), EmployeeQuery{})
		if err != nil {
			writeJSONError(w, http.StatusInternalServerError, err)
			return
		}
		if es == nil {
			es = []Employee{}
		}
		writeJSON(w, http.StatusOK, es)
	})
	m.HandleFunc("GET "+AdminPrefix+"employees/{id}", func(w http.ResponseWriter, r *http.Request) {
		e, err := s.store.GetEmployee(r.Context(), r.PathValue("id"))
		switch {
		case errors.Is(err, ErrNotFound):
			writeJSONError(w, http.StatusNotFound, fmt.Errorf("employee %s does not exist", r.PathValue("id")))
		case err != nil:
			writeJSONError(w, http.StatusInternalServerError, err)
		default:
			writeJSON(w, http.StatusOK, e)
		}
	})
	m.HandleFunc("GET "+AdminPrefix+"roles", func(w http.ResponseWriter, r *http.Request) {
		rs, _, err := s.store.ListRoles(r.Context(), 0, 0)
		if err != nil {
			writeJSONError(w, http.StatusInternalServerError, err)
			return
		}
		if rs == nil {
			rs = []Role{}
		}
		writeJSON(w, http.StatusOK, rs)
	})
	m.HandleFunc("POST "+AdminPrefix+"reset", func(w http.ResponseWriter, r *http.Request) {
		s.writeMu.Lock()
		err := s.store.Reset(r.Context())
		s.writeMu.Unlock()
		if err != nil {
			writeJSONError(w, http.StatusInternalServerError, err)
			return
		}
		s.calls.reset()
		writeJSON(w, http.StatusOK, map[string]string{"status": "reset"})
	})
	m.HandleFunc("POST "+AdminPrefix+"seed", func(w http.ResponseWriter, r *http.Request) {
		var req SeedRequest
		if err := decodeJSON(w, r, &req); err != nil {
			writeJSONError(w, http.StatusBadRequest, err)
			return
		}
		res, err := s.SeedEmployees(r.Context(), req)
		switch {
		case errors.Is(err, ErrDuplicate):
			writeJSONError(w, http.StatusConflict, err)
		case err != nil && res.Created == 0:
			writeJSONError(w, http.StatusBadRequest, err)
		case err != nil:
			writeJSONError(w, http.StatusInternalServerError, err)
		default:
			writeJSON(w, http.StatusCreated, res)
		}
	})
	m.HandleFunc("GET "+AdminPrefix+"knobs", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, s.knobs.Get())
	})
	m.HandleFunc("PUT "+AdminPrefix+"knobs", func(w http.ResponseWriter, r *http.Request) {
		var k KnobSettings
		if err := decodeJSON(w, r, &k); err != nil {
			writeJSONError(w, http.StatusBadRequest, err)
			return
		}
		if err := s.knobs.Set(k); err != nil {
			writeJSONError(w, http.StatusBadRequest, err)
			return
		}
		writeJSON(w, http.StatusOK, s.knobs.Get())
	})
	m.HandleFunc("GET "+AdminPrefix+"calls", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, s.calls.snapshot())
	})
	m.HandleFunc("DELETE "+AdminPrefix+"calls", func(w http.ResponseWriter, r *http.Request) {
		s.calls.reset()
		w.WriteHeader(http.StatusNoContent)
	})
	m.HandleFunc(AdminPrefix, func(w http.ResponseWriter, r *http.Request) {
		writeJSONError(w, http.StatusNotFound, fmt.Errorf("no admin endpoint %s %s", r.Method, r.URL.Path))
	})
}

// decodeJSON reads a small JSON body strictly: unknown fields are a typo the caller wants to hear
// about, not a knob silently left off.
func decodeJSON(w http.ResponseWriter, r *http.Request, v any) error {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 64<<10))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("invalid JSON body: %w", err)
	}
	return nil
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v) // the client going away is not our error
}

func writeJSONError(w http.ResponseWriter, status int, err error) {
	writeJSON(w, status, map[string]string{"error": err.Error()})
}
