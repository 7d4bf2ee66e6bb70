//go:build race

package main

// raceEnabled makes the end-to-end tests build the processes they start with -race too, so that
// a data race in the served code fails CI even though it happens in another process.
const raceEnabled = true
