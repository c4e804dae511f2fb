package ctxsleep

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestSleep(t *testing.T) {
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	expired, cancel2 := context.WithTimeout(context.Background(), time.Millisecond)
	defer cancel2()
	tests := []struct {
		name string
		ctx  context.Context
		d    time.Duration
		want error
	}{
		{"waits and returns nil", context.Background(), time.Millisecond, nil},
		{"zero returns at once", context.Background(), 0, nil},
		{"negative returns at once", context.Background(), -time.Second, nil},
		{"a cancelled context ends an hour's sleep", cancelled, time.Hour, context.Canceled},
		{"a cancelled context ends even a zero sleep", cancelled, 0, context.Canceled},
		{"a deadline ends an hour's sleep", expired, time.Hour, context.DeadlineExceeded},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			done := make(chan error, 1)
			go func() { done <- Sleep(tt.ctx, tt.d) }()
			select {
			case err := <-done:
				if !errors.Is(err, tt.want) || (tt.want == nil && err != nil) {
					t.Errorf("Sleep = %v, want %v", err, tt.want)
				}
			case <-time.After(10 * time.Second):
				t.Fatal("Sleep did not return")
			}
		})
	}
}
