//go:build !race

package legacysim

const raceEnabled = false
