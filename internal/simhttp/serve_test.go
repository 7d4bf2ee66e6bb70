package simhttp

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestServeGivesTheEndpointAndStopsWithTheContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	released := make(chan struct{})
	s := Server{
		Name: "test",
		Path: "/soap",
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			io.WriteString(w, "path="+r.URL.Path)
		}),
		BeforeShutdown: func() { close(released) },
	}
	urls := make(chan string, 1)
	errc := make(chan error, 1)
	go func() { errc <- s.ListenAndServe(ctx, "127.0.0.1:0", func(u string) { urls <- u }) }()
	var url string
	select {
	case url = <-urls:
	case err := <-errc:
		t.Fatalf("ListenAndServe: %v", err)
	case <-time.After(10 * time.Second):
		t.Fatal("not ready after 10s")
	}
	if !strings.HasPrefix(url, "http://127.0.0.1:") || !strings.HasSuffix(url, "/soap") {
		t.Fatalf("ready URL %q, want http://127.0.0.1:<port>/soap", url)
	}
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(body) != "path=/soap" {
		t.Fatalf("body %q", body)
	}
	cancel()
	select {
	case err := <-errc:
		if err != nil {
			t.Fatalf("ListenAndServe after cancel: %v, want nil", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("did not stop within 10s of the context ending")
	}
	select {
	case <-released:
	default:
		t.Error("BeforeShutdown did not run")
	}
	if _, err := http.Get(url); err == nil {
		t.Error("the listener still answers after shutdown")
	}
}

func TestServeReportsABusyAddress(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	urls := make(chan string, 1)
	go Server{Name: "first", Handler: http.NotFoundHandler()}.ListenAndServe(ctx, "127.0.0.1:0", func(u string) { urls <- u })
	var url string
	select {
	case url = <-urls:
	case <-time.After(10 * time.Second):
		t.Fatal("not ready")
	}
	addr := strings.TrimPrefix(url, "http://")
	err := Server{Name: "second", Handler: http.NotFoundHandler()}.ListenAndServe(ctx, addr, nil)
	if err == nil || !strings.Contains(err.Error(), "second: listen on "+addr) {
		t.Fatalf("second listener on a busy address: %v, want a named listen error", err)
	}
}
