//go:build windows

package bench

import "time"

// cpuTime is not measured on Windows (no getrusage): the CPU columns of the report read 0 there.
// The report is produced on Linux; this file keeps the package vetting for the release targets.
func cpuTime() time.Duration { return 0 }
