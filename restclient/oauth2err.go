package restclient

import (
	"errors"
	"fmt"
	"time"

	"golang.org/x/oauth2"
)

// tokenError words a failed token request. A 4xx answer from the token endpoint refuses the
// bridge's client credentials, a configuration matter: the error says what to check and is a
// refusal (Refused, ClientMessage) so the engine does not call the application unreachable. Any
// other failure (no answer, a 5xx) stays a plain error: the application could not be reached.
func tokenError(err error) error {
	var re *oauth2.RetrieveError
	if errors.As(err, &re) && re.Response != nil && re.Response.StatusCode >= 400 && re.Response.StatusCode < 500 {
		return &TokenRefusedError{err: err}
	}
	return fmt.Errorf("oauth2 token: %w", err)
}

// TokenRefusedError is a token endpoint's refusal of the client credentials.
type TokenRefusedError struct{ err error }

func (e *TokenRefusedError) Error() string {
	return "oauth2 token: the token endpoint refused the bridge's client credentials (check backend.oauth2.clientID, clientSecret and tokenURL): " + e.err.Error()
}
func (e *TokenRefusedError) Unwrap() error { return e.err }

// Refused, RetryAfter and ClientMessage make it a refusal for the mapping engine (mapping's
// Refusal): not carried out, worth retrying once the configuration is fixed.
func (e *TokenRefusedError) Refused() bool             { return true }
func (e *TokenRefusedError) RetryAfter() time.Duration { return 0 }
func (e *TokenRefusedError) ClientMessage() string {
	return "the application's token endpoint refused the connector's credentials"
}
