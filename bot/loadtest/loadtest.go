// Package loadtest is the proof that runflow serve scales out: it builds
// the CLI, runs one `runflow sandbox serve` and several `runflow serve`
// replicas on one Redis, drives conversations through them with
// round-robin routing, duplicated deliveries and a replica killed with
// SIGKILL and restarted, then reads the sandbox's data back to check that
// every write happened exactly once. TestReplicas runs it with a small N;
// scripts/replicas.sh runs it with 1,000 conversations for BENCHMARKS.md.
package loadtest

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	mrand "math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/runflow/runflow/internal/testutil"
)

// Config says what to run.
type Config struct {
	// Binary is the runflow CLI to run (see Build).
	Binary string
	// RedisURL and Prefix: the Redis the replicas share, and a key prefix
	// no one else uses.
	RedisURL, Prefix string
	// Conversations to run, Workers running them at once, Replicas.
	Conversations, Workers, Replicas int
	// DuplicateRate is the share of messages delivered twice at once to
	// two replicas (0.1 for 10%).
	DuplicateRate float64
	// KillAfter: when this many conversations have ended, one replica is
	// killed with SIGKILL and restarted (0: never).
	KillAfter int
	// TurnTimeout is the replicas' --turn-timeout and ClaimGrace their
	// --claim-grace (0: serve's default, a minute): a claim of a killed
	// replica blocks its conversation for their sum.
	TurnTimeout, ClaimGrace time.Duration
	// Dir holds the processes' files.
	Dir string
	// Log receives progress lines (nil: none).
	Log func(format string, args ...any)
}

// Result is what a run measured.
type Result struct {
	Conversations int
	// Ended counts the conversations by final status ("done", "failed"...).
	Ended map[string]int
	// MaybeSent counts the conversations that ended as "may have been
	// sent" (a replica killed while sending their write).
	MaybeSent int
	// Writes counts the objects found in the sandbox per template; Twice
	// lists any name found more than once (must be empty); Missing lists
	// conversations reported done whose object is not there.
	Writes         map[string]int
	Twice, Missing []string
	// Turns is how many messages (and flow starts) got a Reply; Duplicates
	// how many were also delivered a second time, at once, elsewhere;
	// DuplicateMismatch how many of those got a different Reply.
	Turns, Duplicates, DuplicateMismatch int
	Elapsed                              time.Duration
	// Main is when the last conversation not blocked by the kill ended:
	// a conversation whose write was in flight at the kill waits for its
	// claim to expire (--turn-timeout plus --claim-grace), which Elapsed
	// includes and the throughput should not.
	Main     time.Duration
	P50, P99 time.Duration
	// RedisRoundTrips is the sum of the replicas' round trips to Redis.
	RedisRoundTrips float64
	Killed          bool
}

// TurnsPerSecond is Turns over Main.
func (r *Result) TurnsPerSecond() float64 { return float64(r.Turns) / r.Main.Seconds() }

// Summary is one paragraph for logs and BENCHMARKS.md.
func (r *Result) Summary() string {
	return fmt.Sprintf("%d conversations ended %v (%d as may-have-been-sent), writes %v, twice %d, missing %d; "+
		"%d turns (%d delivered twice, %d mismatched) in %v (all but the blocked ones in %v): %.0f turns/s, p50 %v, p99 %v, %.1f Redis round trips per turn, replica killed: %v",
		r.Conversations, r.Ended, r.MaybeSent, r.Writes, len(r.Twice), len(r.Missing),
		r.Turns, r.Duplicates, r.DuplicateMismatch, r.Elapsed.Round(time.Millisecond), r.Main.Round(time.Millisecond), r.TurnsPerSecond(),
		r.P50.Round(10*time.Microsecond), r.P99.Round(10*time.Microsecond), r.RedisRoundTrips/float64(r.Turns), r.Killed)
}

// Build compiles the CLI of the module at root into dir.
func Build(root, dir string) (string, error) {
	bin := filepath.Join(dir, "runflow")
	cmd := exec.Command("go", "build", "-o", bin, "./cmd/runflow")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("building the CLI: %v\n%s", err, out)
	}
	return bin, nil
}

// proc is a running runflow process.
type proc struct {
	cmd *exec.Cmd
	url string
	out *testutil.SyncBuffer // its stderr
}

var urlRE = regexp.MustCompile(`(?:chat page at|Sandbox serving Microsoft Graph at) (http://127\.0\.0\.1:\d+)`)

// start runs the CLI and waits for the URL it prints.
func start(bin string, env []string, args ...string) (*proc, error) {
	cmd := exec.Command(bin, args...)
	cmd.Env = env
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	errBuf := &testutil.SyncBuffer{}
	cmd.Stderr = errBuf
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		sent := false
		for sc.Scan() {
			if m := urlRE.FindStringSubmatch(sc.Text()); m != nil && !sent {
				found <- m[1]
				sent = true
			}
		}
	}()
	select {
	case u := <-found:
		return &proc{cmd: cmd, url: u, out: errBuf}, nil
	case <-time.After(60 * time.Second):
		cmd.Process.Kill()
		cmd.Wait()
		return nil, fmt.Errorf("%s %s did not start", bin, strings.Join(args, " "))
	}
}

func (p *proc) stop() {
	p.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { p.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		p.cmd.Process.Kill()
		<-done
	}
}

// replicas is the router's view: the current URL of each replica.
type replicas struct {
	mu   sync.RWMutex
	urls []string
	next atomic.Uint64
}

func (r *replicas) pick() (int, string) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	i := int(r.next.Add(1) % uint64(len(r.urls)))
	return i, r.urls[i]
}

func (r *replicas) other(i int) string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.urls[(i+1)%len(r.urls)]
}

func (r *replicas) set(i int, u string) {
	r.mu.Lock()
	r.urls[i] = u
	r.mu.Unlock()
}

// reply is the part of a Reply the driver reads.
type reply struct {
	Status   string   `json:"status"`
	Messages []string `json:"messages"`
	Question *struct {
		Input string `json:"input"`
		Type  string `json:"type"`
	} `json:"question"`
	Outputs map[string]any `json:"outputs"`
	Error   *struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

// Run runs the whole proof.
func Run(ctx context.Context, cfg Config) (*Result, error) {
	logf := cfg.Log
	if logf == nil {
		logf = func(string, ...any) {}
	}
	var keyBytes [32]byte
	rand.Read(keyBytes[:])
	baseEnv := append(os.Environ(),
		"XDG_CONFIG_HOME="+filepath.Join(cfg.Dir, "config"),
		"XDG_STATE_HOME="+filepath.Join(cfg.Dir, "state"),
		"RUNFLOW_LT_KEY="+hex.EncodeToString(keyBytes[:]),
	)
	sb, err := start(cfg.Binary, baseEnv, "sandbox", "serve", "--addr", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	defer sb.stop()
	tokCmd := exec.Command(cfg.Binary, "sandbox", "token")
	tokCmd.Env = baseEnv
	tokOut, err := tokCmd.Output()
	if err != nil {
		return nil, fmt.Errorf("sandbox token: %v", err)
	}
	token := strings.TrimSpace(string(tokOut))
	env := append(baseEnv, "RUNFLOW_TOKEN="+token)
	serveArgs := []string{"serve", "--addr", "127.0.0.1:0", "--store", cfg.RedisURL, "--redis-prefix", cfg.Prefix,
		"--state-key", "env:RUNFLOW_LT_KEY", "--graph-url", sb.url + "/v1.0", "--turn-timeout", cfg.TurnTimeout.String()}
	if cfg.ClaimGrace > 0 {
		serveArgs = append(serveArgs, "--claim-grace", cfg.ClaimGrace.String())
	}
	var procs []*proc
	defer func() {
		for _, p := range procs {
			if p != nil {
				p.stop()
			}
		}
	}()
	rs := &replicas{}
	for i := 0; i < cfg.Replicas; i++ {
		p, err := start(cfg.Binary, env, serveArgs...)
		if err != nil {
			return nil, err
		}
		procs = append(procs, p)
		rs.urls = append(rs.urls, p.url)
	}
	logf("sandbox at %s, replicas at %v", sb.url, rs.urls)

	d := &driver{rs: rs, rate: cfg.DuplicateRate, client: &http.Client{Timeout: 2 * time.Minute}, run: hex.EncodeToString(keyBytes[:3])}
	res := &Result{Conversations: cfg.Conversations, Ended: map[string]int{}, Writes: map[string]int{}}
	kinds := []string{"create-todo-list", "create-event", "send-mail"}
	finals := make([]reply, cfg.Conversations)
	endedAt := make([]time.Duration, cfg.Conversations)
	var ended atomic.Int64
	var killedTrips float64
	killOnce := sync.Once{}
	jobs := make(chan int)
	var wg sync.WaitGroup
	var firstErr error
	var errMu sync.Mutex
	begin := time.Now()
	for w := 0; w < cfg.Workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				r, err := d.conversation(ctx, i, kinds[i%len(kinds)])
				if err != nil {
					errMu.Lock()
					if firstErr == nil {
						firstErr = err
					}
					errMu.Unlock()
					continue
				}
				finals[i] = r
				endedAt[i] = time.Since(begin)
				if n := ended.Add(1); cfg.KillAfter > 0 && int(n) == cfg.KillAfter {
					killOnce.Do(func() {
						// Kill a replica while the others carry on, and
						// bring it back on a new port.
						victim := 1 % len(procs)
						killedTrips = scrapeTrips(procs[victim].url)
						procs[victim].cmd.Process.Signal(syscall.SIGKILL)
						procs[victim].cmd.Wait()
						res.Killed = true
						logf("killed replica %d at %d conversations ended", victim, n)
						time.Sleep(200 * time.Millisecond)
						p, err := start(cfg.Binary, env, serveArgs...)
						if err != nil {
							errMu.Lock()
							firstErr = err
							errMu.Unlock()
							return
						}
						procs[victim] = p
						rs.set(victim, p.url)
						logf("replica %d restarted at %s", victim, p.url)
					})
				}
			}
		}()
	}
	for i := 0; i < cfg.Conversations; i++ {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	res.Elapsed = time.Since(begin)
	if firstErr != nil {
		return nil, firstErr
	}
	for _, p := range procs {
		res.RedisRoundTrips += scrapeTrips(p.url)
	}
	res.RedisRoundTrips += killedTrips
	res.Turns, res.Duplicates, res.DuplicateMismatch = int(d.turns.Load()), int(d.dups.Load()), int(d.mismatch.Load())
	lat := d.latencies()
	if len(lat) > 0 {
		res.P50, res.P99 = lat[len(lat)/2], lat[len(lat)*99/100]
	}

	// Read the sandbox back: every name once at most, and every
	// conversation reported done has its object.
	found, err := d.readWrites(sb.url+"/v1.0", token)
	if err != nil {
		return nil, err
	}
	sort.Slice(endedAt, func(i, j int) bool { return endedAt[i] < endedAt[j] })
	defer func() { res.Main = endedAt[max(0, len(endedAt)-1-res.MaybeSent)] }()
	for i, r := range finals {
		kind := kinds[i%len(kinds)]
		status := r.Status
		if r.Error != nil && r.Error.Code == "maybe_sent" {
			res.MaybeSent++
		}
		res.Ended[status]++
		n := found[d.name(i)]
		res.Writes[kind] += n
		if n > 1 {
			res.Twice = append(res.Twice, fmt.Sprintf("%s (%s, %d times)", d.name(i), kind, n))
		}
		if status == "done" && n != 1 {
			res.Missing = append(res.Missing, d.name(i))
		}
	}
	return res, nil
}

// scrapeTrips reads runflow_redis_round_trips_total from a replica.
func scrapeTrips(base string) float64 {
	resp, err := http.Get(base + "/metrics")
	if err != nil {
		return 0
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "runflow_redis_round_trips_total "); ok {
			f, _ := strconv.ParseFloat(v, 64)
			return f
		}
	}
	return 0
}

type driver struct {
	rs     *replicas
	rate   float64
	client *http.Client
	run    string

	turns, dups, mismatch atomic.Int64
	mu                    sync.Mutex
	lat                   []time.Duration
}

func (d *driver) name(i int) string { return fmt.Sprintf("lt-%s-%d", d.run, i) }

func (d *driver) latencies() []time.Duration {
	d.mu.Lock()
	defer d.mu.Unlock()
	l := append([]time.Duration(nil), d.lat...)
	sort.Slice(l, func(i, j int) bool { return l[i] < l[j] })
	return l
}

// answer is what the driver types for a question.
func (d *driver) answer(i int, q string) (string, bool) {
	switch q {
	case "name", "subject":
		return d.name(i), true
	case "start":
		return "tomorrow 9am", true
	case "end", "cc", "attendees", "location", "body", "online", "html", "attachments":
		if q == "body" {
			return "Hello from the load test.", true
		}
		return "", true
	case "to":
		return "adelev@contoso.onmicrosoft.com", true
	case "": // a confirmation
		return "yes", true
	}
	return "", false
}

// conversation runs one conversation to its end and returns its last Reply.
func (d *driver) conversation(ctx context.Context, i int, template string) (reply, error) {
	conv := fmt.Sprintf("%s-c%d", d.run, i)
	r, err := d.send(ctx, conv, "flows", map[string]any{"template": template, "user": "u" + strconv.Itoa(i%7), "id": conv + "-start"})
	if err != nil {
		return r, err
	}
	for turn := 0; r.Status == "question"; turn++ {
		if turn > 12 {
			return r, fmt.Errorf("conversation %s: still asking after %d answers: %+v", conv, turn, r)
		}
		text, ok := d.answer(i, r.Question.Input)
		if !ok {
			return r, fmt.Errorf("conversation %s: no answer for input %q", conv, r.Question.Input)
		}
		r, err = d.send(ctx, conv, "messages", map[string]any{"text": text, "user": "u" + strconv.Itoa(i%7), "id": fmt.Sprintf("%s-m%d", conv, turn)})
		if err != nil {
			return r, err
		}
	}
	switch r.Status {
	case "done", "failed", "cancelled":
		return r, nil
	}
	return r, fmt.Errorf("conversation %s ended as %q: %+v", conv, r.Status, r)
}

// send delivers one request, round-robin; a share of them twice at once
// to two replicas. A replica that does not answer (killed) or answers 503
// (busy) gets the same request again on the next replica, as a load
// balancer would; the id makes that safe.
func (d *driver) send(ctx context.Context, conv, kind string, body map[string]any) (reply, error) {
	js, _ := json.Marshal(body)
	i, _ := d.rs.pick()
	if mrand.Float64() < d.rate {
		d.dups.Add(1)
		var wg sync.WaitGroup
		var replies [2]reply
		var errs [2]error
		for k := 0; k < 2; k++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				replies[k], errs[k] = d.deliver(ctx, i+k, conv, kind, js)
			}()
		}
		wg.Wait()
		if errs[0] != nil || errs[1] != nil {
			return reply{}, errors.Join(errs[0], errs[1])
		}
		a, _ := json.Marshal(replies[0])
		b, _ := json.Marshal(replies[1])
		if !bytes.Equal(a, b) {
			d.mismatch.Add(1)
		}
		d.turns.Add(1)
		return replies[0], nil
	}
	r, err := d.deliver(ctx, i, conv, kind, js)
	if err == nil {
		d.turns.Add(1)
	}
	return r, err
}

func (d *driver) deliver(ctx context.Context, i int, conv, kind string, js []byte) (reply, error) {
	deadline := time.Now().Add(3 * time.Minute)
	for attempt := 0; ; attempt++ {
		u := d.rs.other(i + attempt - 1)
		begin := time.Now()
		req, _ := http.NewRequestWithContext(ctx, "POST", u+"/v1/conversations/"+conv+"/"+kind, bytes.NewReader(js))
		req.Header.Set("Content-Type", "application/json")
		resp, err := d.client.Do(req)
		if err == nil {
			raw, rerr := io.ReadAll(resp.Body)
			resp.Body.Close()
			if rerr == nil && resp.StatusCode == http.StatusOK {
				var r reply
				if err := json.Unmarshal(raw, &r); err != nil {
					return r, fmt.Errorf("%s: not a Reply: %s", conv, raw)
				}
				d.mu.Lock()
				d.lat = append(d.lat, time.Since(begin))
				d.mu.Unlock()
				return r, nil
			}
			if resp.StatusCode != http.StatusServiceUnavailable && resp.StatusCode != http.StatusInternalServerError {
				return reply{}, fmt.Errorf("%s %s: %d %s", conv, kind, resp.StatusCode, raw)
			}
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			return reply{}, fmt.Errorf("%s %s: no replica answered in time (last: %v)", conv, kind, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// readWrites counts, by name, the lists, events and sent mails in the
// sandbox's demo mailbox.
func (d *driver) readWrites(graph, token string) (map[string]int, error) {
	found := map[string]int{}
	for _, c := range []struct{ path, field string }{
		{"/me/todo/lists", "displayName"},
		{"/me/events?$top=100", "subject"},
		{"/me/mailFolders/sentitems/messages?$top=100", "subject"},
	} {
		next := graph + c.path
		for pages := 0; next != "" && pages < 1000; pages++ {
			req, _ := http.NewRequest("GET", next, nil)
			req.Header.Set("Authorization", "Bearer "+token)
			resp, err := d.client.Do(req)
			if err != nil {
				return nil, err
			}
			var page struct {
				Value []map[string]any `json:"value"`
				Next  string           `json:"@odata.nextLink"`
			}
			err = json.NewDecoder(resp.Body).Decode(&page)
			resp.Body.Close()
			if err != nil || resp.StatusCode != 200 {
				return nil, fmt.Errorf("reading %s: %d %v", c.path, resp.StatusCode, err)
			}
			for _, v := range page.Value {
				if s, _ := v[c.field].(string); strings.HasPrefix(s, "lt-"+d.run+"-") {
					found[s]++
				}
			}
			next = page.Next
		}
	}
	return found, nil
}
