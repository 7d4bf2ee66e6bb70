package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"

	"github.com/scimbridge/scimbridge/internal/restsim"
)

// simREST runs the bundled REST simulator (scimbridge sim --kind rest): the OAuth2 client
// credentials it accepts are the --username and --password of the sim command.
func simREST(ctx context.Context, addr, user, pass string, log *slog.Logger, stdout, stderr io.Writer) int {
	err := restsim.ListenAndServe(ctx, addr, restsim.Options{ClientID: user, ClientSecret: pass, Logger: log}, func(base string) {
		// Tests read this line to learn the address when --listen asks for port 0.
		fmt.Fprintf(stdout, "restsim: listening on %s (OpenAPI: %s/openapi.yaml, token: %s)\n", base, base,
			base[:len(base)-len(restsim.Base)]+"/oauth/token")
	})
	if err != nil {
		fmt.Fprintln(stderr, "scimbridge sim:", err)
		return 1
	}
	return 0
}
