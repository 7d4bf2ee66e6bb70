package simhttp

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"
)

// Server describes one simulator to serve.
type Server struct {
	Name    string       // for errors and log lines, e.g. "legacysim"
	Handler http.Handler // the simulator
	Path    string       // appended to http://host:port to form the URL given to Ready
	Logger  *slog.Logger // nil: discard
	// BeforeShutdown, if set, runs when ctx ends and before the graceful shutdown starts
	// (LegacyHR releases requests it holds hanging, so that shutdown does not wait for them).
	BeforeShutdown func()
}

// ShutdownTimeout bounds the graceful shutdown; requests still running then are cut.
const ShutdownTimeout = 5 * time.Second

// ListenAndServe listens on addr (e.g. "127.0.0.1:0") and serves until ctx ends, then shuts
// down gracefully. ready, if not nil, is called once the listener is open with the URL of the
// simulator's endpoint (http://host:port + Path).
func (s Server) ListenAndServe(ctx context.Context, addr string, ready func(url string)) error {
	log := s.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("%s: listen on %s: %w", s.Name, addr, err)
	}
	if tcp, ok := ln.Addr().(*net.TCPAddr); ok && !tcp.IP.IsLoopback() {
		log.Warn("the simulator has no real security; bind it to 127.0.0.1 only", "simulator", s.Name, "addr", ln.Addr().String())
	}
	srv := &http.Server{
		Handler:           s.Handler,
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	url := "http://" + ln.Addr().String() + s.Path
	log.Info("simulator listening", "simulator", s.Name, "endpoint", url)
	if ready != nil {
		ready(url)
	}
	select {
	case err := <-errc:
		return fmt.Errorf("%s: serve: %w", s.Name, err)
	case <-ctx.Done():
	}
	if s.BeforeShutdown != nil {
		s.BeforeShutdown()
	}
	sctx, cancel := context.WithTimeout(context.Background(), ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("%s: shutdown: %w", s.Name, err)
	}
	return nil
}
