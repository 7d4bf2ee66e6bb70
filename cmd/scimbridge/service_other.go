//go:build !windows

package main

import (
	"context"
	"fmt"
	"io"
)

func serviceMain(_ context.Context, o serviceOptions, _, stderr io.Writer) int {
	fmt.Fprintf(stderr, "scimbridge service %s: Windows services exist only on Windows; on Linux, install deploy/systemd/scimbridge.service (docs/okta-setup.md)\n", o.action)
	return 2
}
