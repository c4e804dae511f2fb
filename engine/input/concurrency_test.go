package input

import (
	"sync"
	"testing"
	"time"
)

// TestConcurrentUse: one engine parses answers for many sessions at once;
// the zone cache and the tables must be safe for that (run with -race).
func TestConcurrentUse(t *testing.T) {
	zones := []string{"Europe/Berlin", "Pacific Standard Time", "Asia/Kolkata", "Pacific/Chatham"}
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for i := 0; i < 16; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			for j := 0; j < 50; j++ {
				loc, err := LoadZone(zones[(i+j)%len(zones)])
				if err != nil {
					errs <- err
					return
				}
				c := Context{Now: time.Date(2026, 11, 25, 20, 0, 0, 0, loc), Zone: loc}
				v, err := Parse(DateTime, "tomorrow 9am", c)
				if err != nil {
					errs <- err
					return
				}
				if tm := v.(time.Time); tm.Hour() != 9 || tm.Day() != 26 {
					t.Errorf("tomorrow 9am in %v = %v", loc, tm)
				}
				if _, ok := WindowsZoneName(loc); !ok {
					t.Errorf("no Windows name for %v", loc)
				}
			}
		}(i)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
