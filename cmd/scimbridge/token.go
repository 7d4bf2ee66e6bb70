package main

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"io"
	"path/filepath"

	"github.com/scimbridge/scimbridge/internal/pki"
)

const tokenUsage = `usage: scimbridge token --out FILE [flags]

Writes a random bearer token (256 bits by default, base64url) to FILE with mode 0600, for
scim.auth mode header. The token is never printed unless --out is "-".

`

func cmdToken(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("token", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("out", "", `secret file to write (required; "-" prints the token to stdout instead)`)
	bits := fs.Int("bits", 256, "token strength in bits (128 to 1024, a multiple of 8)")
	force := fs.Bool("force", false, "replace an existing file")
	fs.Usage = func() { fmt.Fprint(stderr, tokenUsage); fs.PrintDefaults() }
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "scimbridge token: unexpected arguments %q\n", fs.Args())
		return 2
	}
	if *out == "" {
		fmt.Fprintln(stderr, "scimbridge token: --out FILE is required (the token goes to a file, not to your terminal's scrollback)")
		return 2
	}
	if *bits < 128 || *bits > 1024 || *bits%8 != 0 {
		fmt.Fprintf(stderr, "scimbridge token: --bits %d: want a multiple of 8 from 128 to 1024\n", *bits)
		return 2
	}
	tok, err := newToken(*bits / 8)
	if err != nil {
		fmt.Fprintln(stderr, "scimbridge token:", err)
		return 1
	}
	if *out == "-" {
		fmt.Fprintln(stdout, tok)
		return 0
	}
	path, err := filepath.Abs(*out)
	if err != nil {
		fmt.Fprintln(stderr, "scimbridge token:", err)
		return 2
	}
	if err := pki.WriteFile(path, []byte(tok+"\n"), 0o600, *force); err != nil {
		fmt.Fprintln(stderr, "scimbridge token:", err)
		return 1
	}
	fmt.Fprintf(stdout, `scimbridge token: wrote a %d-bit token to %s (0600)

Bridge configuration:
  scim:
    auth:
      mode: header
      headerName: Authorization
      token: "Bearer ${file:%s}"

In Okta (the app's Provisioning tab): Authorization type "HTTP Header", header Authorization,
value "Bearer " followed by the file's content.
`, *bits, path, path)
	return 0
}

// newToken returns n random bytes as unpadded base64url: no characters that need quoting in YAML,
// a shell or an HTTP header.
func newToken(n int) (string, error) {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("reading randomness: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}
