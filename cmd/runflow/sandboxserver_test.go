package main

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// serveFor runs "sandbox serve --addr addr" until it has started, stops
// it, and returns what it printed.
func serveFor(t *testing.T, addr string) outcome {
	t.Helper()
	c := newCLI(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan outcome, 1)
	go func() { done <- c.runWith(ctx, strings.NewReader(""), "sandbox", "serve", "--addr", addr) }()
	infoPath := filepath.Join(c.configDir, serveInfoFile)
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		if _, err := os.Stat(infoPath); err == nil {
			break
		}
		if time.Now().After(deadline) {
			cancel()
			t.Fatalf("sandbox serve did not start: %+v", <-done)
		}
	}
	cancel()
	return (<-done).wantCode(t, exitOK)
}

// Serving beyond loopback warns that anyone on the network can sign in
// with the published demo password; serving on loopback does not.
func TestSandboxServeWarnsBeyondLoopback(t *testing.T) {
	for _, c := range []struct {
		addr string
		warn bool
	}{
		{"127.0.0.1:0", false},
		{"[::1]:0", false},
		{"0.0.0.0:0", true},
		{":0", true},
	} {
		t.Run(c.addr, func(t *testing.T) {
			if strings.HasPrefix(c.addr, "[::1]") {
				if ln, err := net.Listen("tcp", c.addr); err != nil {
					t.Skipf("no IPv6 loopback: %v", err)
				} else {
					ln.Close()
				}
			}
			o := serveFor(t, c.addr)
			warned := strings.Contains(o.stderr, "anyone on the network can sign in with the published demo password")
			if warned != c.warn {
				t.Errorf("--addr %s: warned %v, want %v; stderr %q", c.addr, warned, c.warn, o.stderr)
			}
		})
	}
}

// The served sandbox cuts off a request whose body arrives too slowly
// (ReadTimeout): a client sending a byte now and then cannot hold a
// connection and a goroutine for ever.
func TestSandboxServerCutsOffSlowBodies(t *testing.T) {
	readErr := make(chan error, 1)
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, err := io.ReadAll(r.Body)
		readErr <- err
	})
	srv := newSandboxServer(h, 300*time.Millisecond)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	defer srv.Close()
	conn, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := io.WriteString(conn, "POST /v1.0/me/todo/lists HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"); err != nil {
		t.Fatal(err)
	}
	// One byte every 50 ms: 1,000 bytes would take 50 s.
	stop := make(chan struct{})
	go func() {
		for {
			select {
			case <-stop:
				return
			case <-time.After(50 * time.Millisecond):
				if _, err := io.WriteString(conn, " "); err != nil {
					return
				}
			}
		}
	}()
	defer close(stop)
	select {
	case err := <-readErr:
		var ne net.Error
		if err == nil || !errors.As(err, &ne) || !ne.Timeout() {
			t.Fatalf("reading the slow body: %v, want a timeout", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the slow body was not cut off")
	}
	// The connection is then closed.
	conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	_, err = io.Copy(io.Discard, conn)
	if ne, ok := err.(net.Error); ok && ne.Timeout() {
		t.Errorf("the connection stayed open: %v", err)
	}
}
