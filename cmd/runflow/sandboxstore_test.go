package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/runflow/runflow/sandbox"
)

// startSandboxServe runs `sandbox serve` on a free loopback port until the test
// ends and returns what its serve file says.
func startSandboxServe(t *testing.T, c *cli) serveInfo {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan outcome, 1)
	go func() { done <- c.runWith(ctx, strings.NewReader(""), "sandbox", "serve", "--addr", "127.0.0.1:0") }()
	t.Cleanup(func() {
		cancel()
		select {
		case o := <-done:
			o.wantCode(t, 0)
		case <-time.After(10 * time.Second):
			t.Error("sandbox serve did not stop on cancel")
		}
	})
	e := &env{configDir: func() (string, error) { return c.configDir, nil }}
	deadline := time.Now().Add(10 * time.Second)
	for {
		if info, err := readServeInfo(e); err == nil {
			return info
		}
		if time.Now().After(deadline) {
			t.Fatal("sandbox serve did not start")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// listNames reads the To Do list names in the sandbox's data file.
func listNames(t *testing.T, c *cli) map[string]bool {
	t.Helper()
	return listNamesIn(t, filepath.Join(c.configDir, "sandbox.json"))
}

// listNamesIn reads the To Do list names in the data file at path.
func listNamesIn(t *testing.T, path string) map[string]bool {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	d, err := sandbox.ReadData(f)
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for _, l := range d.Users[0].TodoLists {
		names[fmt.Sprint(l.List["displayName"])] = true
	}
	return names
}

// `run --sandbox` and `sandbox serve` write to the same file at the same
// time: every write of both is in the file afterwards, and each side sees
// the other's writes (issue 14: the server's next save used to throw the
// run's write away).
func TestSandboxConcurrentWritersLoseNothing(t *testing.T) {
	c := newCLI(t)
	c.run("", "sandbox", "reset").wantCode(t, 0)
	info := startSandboxServe(t, c)
	tok := strings.TrimSpace(c.run("", "sandbox", "token").wantCode(t, 0).stdout)

	const perSide = 6
	var wg sync.WaitGroup
	errs := make(chan string, 2*perSide)
	for i := range perSide {
		wg.Add(2)
		go func() { // an in-process sandbox on the same file
			defer wg.Done()
			o := c.run("", "run", "create-todo-list", "--sandbox", "--set", fmt.Sprintf("name=run-%d", i))
			if o.code != 0 {
				errs <- fmt.Sprintf("run-%d: exit %d: %s", i, o.code, o.stderr)
			}
		}()
		go func() { // the served sandbox, over HTTP
			defer wg.Done()
			req, _ := http.NewRequest("POST", info.URL+"/v1.0/me/todo/lists", strings.NewReader(fmt.Sprintf(`{"displayName":"served-%d"}`, i)))
			req.Header.Set("Authorization", "Bearer "+tok)
			req.Header.Set("Content-Type", "application/json")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				errs <- err.Error()
				return
			}
			resp.Body.Close()
			if resp.StatusCode != 201 {
				errs <- fmt.Sprintf("served-%d: %s", i, resp.Status)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}

	// The served sandbox sees the runs' lists ...
	req, _ := http.NewRequest("GET", info.URL+"/v1.0/me/todo/lists?$select=displayName", nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var served struct {
		Value []struct{ DisplayName string } `json:"value"`
	}
	json.NewDecoder(resp.Body).Decode(&served)
	resp.Body.Close()
	seen := map[string]bool{}
	for _, v := range served.Value {
		seen[v.DisplayName] = true
	}
	// ... a run sees the served lists, and the file holds all of them.
	o := c.run("", "run", "list-todo-lists", "--sandbox", "--output", "json").wantCode(t, 0)
	file := listNames(t, c)
	for i := range perSide {
		for _, name := range []string{fmt.Sprintf("run-%d", i), fmt.Sprintf("served-%d", i)} {
			if !file[name] {
				t.Errorf("list %q lost from the data file", name)
			}
			if !seen[name] {
				t.Errorf("the served sandbox does not list %q", name)
			}
			if !strings.Contains(o.stdout, `"`+name+`"`) {
				t.Errorf("run --sandbox does not list %q", name)
			}
		}
	}
}

// Stopping `sandbox serve` does not write its data over a write another
// runflow made after the server's last request.
func TestSandboxServeStopKeepsLaterWrites(t *testing.T) {
	c := newCLI(t)
	c.run("", "sandbox", "reset").wantCode(t, 0)
	sub := newCLI(t)
	sub.configDir = c.configDir
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan outcome, 1)
	go func() { done <- c.runWith(ctx, strings.NewReader(""), "sandbox", "serve", "--addr", "127.0.0.1:0") }()
	e := &env{configDir: func() (string, error) { return c.configDir, nil }}
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		if _, err := readServeInfo(e); err == nil {
			break
		}
		if time.Now().After(deadline) {
			cancel()
			t.Fatal("sandbox serve did not start")
		}
	}
	sub.run("", "run", "create-todo-list", "--sandbox", "--set", "name=After").wantCode(t, 0)
	cancel()
	(<-done).wantCode(t, 0)
	if !listNames(t, c)["After"] {
		t.Error("stopping sandbox serve threw away a list created while it ran")
	}
}

// Demo data made on an earlier day is moved to this week when nobody
// changed it; changed data is kept and the run says how to refresh it.
func TestSandboxDemoDatesFollowToday(t *testing.T) {
	for _, changed := range []bool{false, true} {
		t.Run(fmt.Sprint("changed=", changed), func(t *testing.T) {
			c := newCLI(t)
			old := sandbox.New(sandbox.Options{Now: func() time.Time { return testNow.AddDate(0, 0, -10) }})
			var buf strings.Builder
			if err := old.Save(&buf); err != nil {
				t.Fatal(err)
			}
			var raw map[string]any
			json.Unmarshal([]byte(buf.String()), &raw)
			raw["changed"] = changed
			data, _ := json.Marshal(raw)
			path := filepath.Join(c.configDir, "sandbox.json")
			if err := os.WriteFile(path, data, 0o600); err != nil {
				t.Fatal(err)
			}
			o := c.run("", "run", "whoami", "--sandbox").wantCode(t, 0)
			if got := strings.Contains(o.stderr, "'runflow sandbox reset' makes a fresh demo week"); got != changed {
				t.Errorf("refresh note shown: %v, want %v\nstderr: %s", got, changed, o.stderr)
			}
			f, _ := os.Open(path)
			d, err := sandbox.ReadData(f)
			f.Close()
			if err != nil {
				t.Fatal(err)
			}
			wantSeeded := testNow.AddDate(0, 0, -10)
			if !changed {
				wantSeeded = testNow
			}
			if d.Seeded != wantSeeded.UTC().Format(time.RFC3339Nano) {
				t.Errorf("seeded %s, want %s", d.Seeded, wantSeeded)
			}
		})
	}
}

// A served write whose body has not fully arrived does not hold the data
// file's lock: a `run --sandbox` write goes through meanwhile.
func TestSandboxSlowBodyDoesNotHoldTheLock(t *testing.T) {
	c := newCLI(t)
	c.run("", "sandbox", "reset").wantCode(t, 0)
	info := startSandboxServe(t, c)
	tok := strings.TrimSpace(c.run("", "sandbox", "token").wantCode(t, 0).stdout)
	pr, pw := io.Pipe()
	req, _ := http.NewRequest("POST", info.URL+"/v1.0/me/todo/lists", pr)
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("Content-Type", "application/json")
	slow := make(chan int, 1)
	go func() {
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			slow <- 0
			return
		}
		resp.Body.Close()
		slow <- resp.StatusCode
	}()
	pw.Write([]byte(`{"displayName":`)) // and nothing more for now
	done := make(chan outcome, 1)
	go func() { done <- c.run("", "run", "create-todo-list", "--sandbox", "--set", "name=Meanwhile") }()
	select {
	case o := <-done:
		o.wantCode(t, 0)
	case <-time.After(20 * time.Second):
		t.Fatal("run --sandbox waited for a served request's body: the lock is held while reading it")
	}
	pw.Write([]byte(`"Slow"}`))
	pw.Close()
	if code := <-slow; code != 201 {
		t.Errorf("the slow write answered %d", code)
	}
	names := listNames(t, c)
	if !names["Meanwhile"] || !names["Slow"] {
		t.Errorf("lists in the file: %v", names)
	}
}

// A write whose data cannot be saved (here: too large for the file) is
// answered as failed and undone, not answered as done and lost with the
// next write's reload; the failure is reported as it happens and when the
// server stops. Writes that can be saved go on as before.
func TestSandboxStoreRefusesWriteItCannotSave(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sandbox.json")
	st, err := openSandboxStore(path, sandbox.Options{Now: func() time.Time { return testNow }})
	if err != nil {
		t.Fatal(err)
	}
	var logged []error
	st.logErr = func(err error) { logged = append(logged, err) }
	srv := httptest.NewServer(st)
	defer srv.Close()
	tok := st.s.Token("Tasks.ReadWrite")
	send := func(method, body string) (int, string) {
		t.Helper()
		req, _ := http.NewRequest(method, srv.URL+"/v1.0/me/todo/lists", strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+tok)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	inFile := func() map[string]bool { return listNamesIn(t, path) }

	if code, body := send("POST", `{"displayName":"Kept"}`); code != 201 {
		t.Fatalf("first write: %d %s", code, body)
	}
	st.saveFile = func(string) error {
		return fmt.Errorf("%w (256 MiB), so it was not written", sandbox.ErrDataTooLarge)
	}
	code, body := send("POST", `{"displayName":"Lost"}`)
	if code != http.StatusInsufficientStorage || !strings.Contains(body, `"SandboxDataError"`) || !strings.Contains(body, "this write was undone") {
		t.Errorf("the write that could not be saved: %d %s; want 507 SandboxDataError saying it was undone", code, body)
	}
	st.saveFile = nil
	if code, listed := send("GET", ""); code != 200 || strings.Contains(listed, "Lost") || !strings.Contains(listed, "Kept") {
		t.Errorf("after the refused write the sandbox lists: %d %s", code, listed)
	}
	if code, body := send("POST", `{"displayName":"After"}`); code != 201 {
		t.Fatalf("a write after the refused one: %d %s", code, body)
	}
	if got := inFile(); !got["Kept"] || !got["After"] || got["Lost"] {
		t.Errorf("the file holds %v; want Kept and After, not Lost", got)
	}
	if len(logged) != 1 || !errors.Is(logged[0], sandbox.ErrDataTooLarge) {
		t.Errorf("logged %v, want the one failed save", logged)
	}
	if err := st.takeSaveError(); !errors.Is(err, sandbox.ErrDataTooLarge) {
		t.Errorf("takeSaveError: %v, want the failed save for the end of serve", err)
	}
}
