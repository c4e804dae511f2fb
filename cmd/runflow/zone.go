package main

import (
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/runflow/runflow/engine/input"
)

// systemZone is the machine's time zone as a named location: the engine
// (and Graph) need a zone name, and time.Local is only called "Local".
// It reads $TZ, then the /etc/localtime link, then /etc/timezone, and
// falls back to UTC.
func systemZone(getenv func(string) string) *time.Location {
	candidates := []string{strings.TrimPrefix(getenv("TZ"), ":")}
	if target, err := os.Readlink("/etc/localtime"); err == nil {
		if i := strings.Index(target, "zoneinfo/"); i >= 0 {
			candidates = append(candidates, target[i+len("zoneinfo/"):])
		}
	}
	if data, err := os.ReadFile("/etc/timezone"); err == nil {
		candidates = append(candidates, strings.TrimSpace(string(data)))
	}
	for _, name := range candidates {
		if name == "" || filepath.IsAbs(name) {
			continue
		}
		if loc, err := input.LoadZone(name); err == nil {
			return loc
		}
	}
	return time.UTC
}
