package main

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"time"
)

// Time bounds of the served sandbox's HTTP server: a client that sends its
// headers or its body slowly (a byte now and then) holds a connection and
// a goroutine for at most this long.
const (
	sandboxReadHeaderTimeout = 10 * time.Second
	sandboxReadTimeout       = 30 * time.Second // headers and body
	sandboxIdleTimeout       = 2 * time.Minute
)

// newSandboxServer is the http.Server of "sandbox serve": requests must
// arrive whole, body included, within readTimeout.
func newSandboxServer(h http.Handler, readTimeout time.Duration) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: min(sandboxReadHeaderTimeout, readTimeout),
		ReadTimeout:       readTimeout,
		IdleTimeout:       sandboxIdleTimeout,
		MaxHeaderBytes:    64 << 10,
	}
}

// warnIfNotLoopback warns when the sandbox listens beyond this machine:
// its demo accounts' password is published, so anyone who reaches it can
// sign in and read or change its data.
func warnIfNotLoopback(w io.Writer, addr net.Addr) {
	tcp, ok := addr.(*net.TCPAddr)
	if ok && tcp.IP.IsLoopback() {
		return
	}
	fmt.Fprintf(w, "runflow sandbox: warning: listening on %s, which is not a loopback address: anyone on the network can sign in with the published demo password (\"sandbox\") and read and change the sandbox's data; use --addr 127.0.0.1:PORT unless that is what you want\n", addr)
}
