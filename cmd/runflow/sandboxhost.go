package main

import (
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"

	"github.com/runflow/runflow/sandbox"
)

// inProcessRoot is the URL the in-process sandbox of `run --sandbox` answers
// at. The .invalid top-level domain never resolves (RFC 2606), so nothing
// addressed to it can leave the process by mistake.
const inProcessRoot = "http://sandbox.runflow.invalid"

// sandboxDataFile is where the sandbox keeps its data between runs.
func sandboxDataFile(e *env) (string, error) {
	dir, err := e.configDir()
	if err != nil {
		return "", fmt.Errorf("finding the config directory for the sandbox's data: %w", err)
	}
	return filepath.Join(dir, "sandbox.json"), nil
}

// openSandbox returns the sandbox whose data is kept in the config
// directory, creating the demo mailbox there on first use. Every write
// through it is read from and saved to that file under a lock (see
// sandboxStore), so concurrent runflows never lose each other's writes.
func openSandbox(e *env, root string) (*sandboxStore, error) {
	path, err := sandboxDataFile(e)
	if err != nil {
		return nil, err
	}
	return openSandboxStore(path, sandbox.Options{Now: e.now, BaseURL: root})
}

// handlerTransport is an http.RoundTripper that serves requests with an
// http.Handler in the same process: the in-process sandbox of `run
// --sandbox`, with no socket opened.
type handlerTransport struct{ h http.Handler }

func (t handlerTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if err := req.Context().Err(); err != nil {
		return nil, err
	}
	in := req.Clone(req.Context())
	in.RequestURI = req.URL.RequestURI()
	in.RemoteAddr = "127.0.0.1:0"
	if in.Body == nil {
		in.Body = http.NoBody
	}
	rec := httptest.NewRecorder()
	t.h.ServeHTTP(rec, in)
	if req.Body != nil {
		req.Body.Close()
	}
	resp := rec.Result()
	resp.Request = req
	return resp, nil
}

// removeIfExists deletes path, ignoring a file that is already gone.
func removeIfExists(path string) error {
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}
