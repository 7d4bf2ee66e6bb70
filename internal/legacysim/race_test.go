//go:build race

package legacysim

// raceEnabled: the race detector makes the SQLite driver (C translated to Go) about 25 times
// slower, too slow for the directory sizes TestCostFlatWithDirectorySize needs.
const raceEnabled = true
