//go:build !linux

package bench

import "time"

// pidCPU is not read outside Linux (no /proc): the process lines say so.
func pidCPU(int) (time.Duration, bool) { return 0, false }

// pidPeakRSS is not read outside Linux either.
func pidPeakRSS(int) (uint64, bool) { return 0, false }
