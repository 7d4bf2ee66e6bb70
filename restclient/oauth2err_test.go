package restclient

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// A token endpoint that refuses the client credentials is a configuration matter the operator
// must be told about, and the engine must not word it as an application it "could not reach":
// the error is a refusal with a client-safe message, and says what to check, never the secret.
func TestOAuth2CredentialsRefused(t *testing.T) {
	tokenSrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		w.Write([]byte(`{"error":"invalid_client"}`))
	}))
	defer tokenSrv.Close()
	c := newClient(t, func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("the API was called without a token")
	}, func(c *Config) {
		c.OAuth2 = &OAuth2{TokenURL: tokenSrv.URL, ClientID: "bridge", ClientSecret: "s3cret-x"}
	})
	_, err := c.Invoke(context.Background(), "getUser", request(t, c, "getUser", map[string]any{"Id": "1"}))
	var r interface {
		Refused() bool
		RetryAfter() time.Duration
		ClientMessage() string
	}
	if err == nil || !errors.As(err, &r) || !r.Refused() || r.ClientMessage() == "" {
		t.Fatalf("refused token: %v, want a refusal with a client message", err)
	}
	if msg := err.Error(); !strings.Contains(msg, "backend.oauth2.clientID") || !strings.Contains(msg, "invalid_client") || strings.Contains(msg, "s3cret-x") {
		t.Errorf("operator message: %s", msg)
	}
	// No token endpoint at all is still an unreachable application, not a refusal.
	tokenSrv.Close()
	c2 := newClient(t, func(w http.ResponseWriter, r *http.Request) {}, func(c *Config) {
		c.OAuth2 = &OAuth2{TokenURL: tokenSrv.URL, ClientID: "bridge", ClientSecret: "s3cret-x"}
	})
	_, err = c2.Invoke(context.Background(), "getUser", request(t, c2, "getUser", map[string]any{"Id": "1"}))
	if err == nil || errors.As(err, &r) {
		t.Errorf("unreachable token endpoint: %v, want a plain error", err)
	}
}
