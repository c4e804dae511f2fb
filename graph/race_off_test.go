//go:build !race

package graph

// raceEnabled: the race detector makes more values escape, so allocation
// budgets are checked only without it.
const raceEnabled = false
