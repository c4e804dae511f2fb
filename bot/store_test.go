package bot

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/runflow/runflow/auth"
	"github.com/runflow/runflow/engine"
	"github.com/runflow/runflow/engine/storetest"
	"github.com/runflow/runflow/internal/testservices"
)

func newTestRedis(t testing.TB, ttl time.Duration) *RedisStore {
	t.Helper()
	c := testservices.Redis(t)
	s, err := OpenRedisStore(testservices.RedisURL(), RedisOptions{Prefix: testservices.RedisPrefix(t, c, "runflow-test"), SessionTTL: ttl})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func newTestFile(t testing.TB) *FileStore {
	t.Helper()
	s, err := OpenFileStore(filepath.Join(t.TempDir(), "bot.db"), FileOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// storeKinds are the stores every contract test runs against.
var storeKinds = []struct {
	name string
	open func(t *testing.T) Store
}{
	{"memory", func(t *testing.T) Store { return NewMemoryStore() }},
	{"file", func(t *testing.T) Store { return newTestFile(t) }},
	{"redis", func(t *testing.T) Store { return newTestRedis(t, time.Hour) }},
	{"redis-cluster", func(t *testing.T) Store { return newTestRedisCluster(t, time.Hour) }},
}

// newTestRedisCluster opens a store on the package's Redis Cluster, under
// a prefix of its own (the cluster is thrown away when the tests end).
func newTestRedisCluster(t testing.TB, ttl time.Duration) *RedisStore {
	t.Helper()
	c := testservices.Cluster(t)
	var b [6]byte
	rand.Read(b[:])
	s, err := OpenRedisStore(c.URL(), RedisOptions{Prefix: "runflow-test:" + hex.EncodeToString(b[:]) + ":", SessionTTL: ttl})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// On Redis Cluster the conversations spread over the shards, and every
// operation works though their keys, the index of active ones and the
// sign-ins are in different hash slots.
func TestRedisClusterSpreadsConversations(t *testing.T) {
	s := newTestRedisCluster(t, time.Hour)
	ctx := context.Background()
	for i := range 40 {
		key := fmt.Sprintf("conversation-%d", i)
		if ok, err := s.CompareAndSwap(ctx, key, 0, engine.SessionRecord{Seq: 1, Data: []byte("x")}); err != nil || !ok {
			t.Fatalf("swap %s: %v, %v", key, ok, err)
		}
	}
	if n, err := s.Active(ctx); err != nil || n != 40 {
		t.Fatalf("Active = %d, %v; want 40", n, err)
	}
	if err := s.Delete(ctx, "conversation-0"); err != nil {
		t.Fatal(err)
	}
	if n, err := s.Active(ctx); err != nil || n != 39 {
		t.Fatalf("Active after a delete = %d, %v; want 39", n, err)
	}
	var mu sync.Mutex
	shards := 0
	err := testservices.Cluster(t).Client(t).ForEachMaster(ctx, func(ctx context.Context, c *redis.Client) error {
		keys, err := c.Keys(ctx, s.prefix+"s:*").Result()
		if len(keys) > 0 {
			mu.Lock()
			shards++
			mu.Unlock()
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if shards < 2 {
		t.Errorf("the conversations are on %d shard(s) of the cluster; want them spread", shards)
	}
	// Sign-ins and grants: single keys, wherever they hash.
	if err := s.Put(ctx, "code-1", []byte("v"), time.Minute); err != nil {
		t.Fatal(err)
	}
	if v, err := s.Take(ctx, "code-1"); err != nil || string(v) != "v" {
		t.Fatalf("Take = %q, %v", v, err)
	}
	if err := s.Ping(ctx); err != nil {
		t.Fatal(err)
	}
}

func TestSessionStoreContract(t *testing.T) {
	for _, k := range storeKinds {
		t.Run(k.name, func(t *testing.T) {
			storetest.Run(t, func(t *testing.T) engine.SessionStore { return k.open(t) })
		})
	}
	t.Run("prefixed", func(t *testing.T) {
		storetest.Run(t, func(t *testing.T) engine.SessionStore { return WithPrefix(NewMemoryStore(), "mcp:") })
	})
	s := NewMemoryStore()
	ctx := context.Background()
	WithPrefix(s, "mcp:").CompareAndSwap(ctx, "k", 0, engine.SessionRecord{Seq: 1, Data: []byte("x")})
	if r, _ := s.Load(ctx, "k"); r.Seq != 0 {
		t.Fatalf("a prefixed key met the plain one")
	}
	if r, _ := s.Load(ctx, "mcp:k"); r.Seq != 1 {
		t.Fatalf("the prefixed key is not stored under its prefix")
	}
}

// Two FileStores on one file are two openers of it, as two processes are
// (flock locks belong to the open file, not to the process): the contract
// holds when each call goes to either.
func TestFileStoreSharedFile(t *testing.T) {
	storetest.Run(t, func(t *testing.T) engine.SessionStore {
		path := filepath.Join(t.TempDir(), "shared.db")
		a, err := OpenFileStore(path, FileOptions{})
		if err != nil {
			t.Fatal(err)
		}
		b, err := OpenFileStore(path, FileOptions{})
		if err != nil {
			t.Fatal(err)
		}
		return &alternating{stores: []engine.SessionStore{a, b}}
	})
}

// alternating sends each call to the next of its stores.
type alternating struct {
	stores []engine.SessionStore
	n      atomic.Uint64
}

func (a *alternating) next() engine.SessionStore {
	return a.stores[a.n.Add(1)%uint64(len(a.stores))]
}
func (a *alternating) Load(ctx context.Context, k string) (engine.SessionRecord, error) {
	return a.next().Load(ctx, k)
}
func (a *alternating) CompareAndSwap(ctx context.Context, k string, o uint64, r engine.SessionRecord) (bool, error) {
	return a.next().CompareAndSwap(ctx, k, o, r)
}
func (a *alternating) Delete(ctx context.Context, k string) error { return a.next().Delete(ctx, k) }

// TestFileStoreTwoProcesses races this process and a child process (this
// test binary, re-run) on one file: every round has exactly one winner.
func TestFileStoreTwoProcesses(t *testing.T) {
	if path := os.Getenv("RUNFLOW_BOT_FILESTORE_CHILD"); path != "" {
		fileRacer(t, path)
		return
	}
	path := filepath.Join(t.TempDir(), "two.db")
	if _, err := OpenFileStore(path, FileOptions{}); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestFileStoreTwoProcesses$", "-test.v")
	cmd.Env = append(os.Environ(), "RUNFLOW_BOT_FILESTORE_CHILD="+path)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	wins := fileRacer(t, path)
	if err := cmd.Wait(); err != nil {
		t.Fatalf("child: %v\n%s", err, out.String())
	}
	var childWins int
	if _, err := fmt.Sscanf(string(out.Bytes()[bytes.Index(out.Bytes(), []byte("WINS "))+5:]), "%d", &childWins); err != nil {
		t.Fatalf("child output: %s", out.String())
	}
	s, _ := OpenFileStore(path, FileOptions{})
	r, err := s.Load(context.Background(), "race")
	if err != nil {
		t.Fatal(err)
	}
	// Each Seq was reached by exactly one swap: the wins add up to it.
	if uint64(wins+childWins) != r.Seq {
		t.Fatalf("wins %d + %d, final Seq %d: a turn was claimed twice or lost", wins, childWins, r.Seq)
	}
	t.Logf("parent won %d turns, child %d", wins, childWins)
}

// fileRacer advances "race" by compare-and-swap for a while, from wherever
// it is, and reports how many swaps it won.
func fileRacer(t *testing.T, path string) int {
	s, err := OpenFileStore(path, FileOptions{})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	wins := 0
	for i := 0; i < 150; i++ {
		r, err := s.Load(ctx, "race")
		if err != nil {
			t.Fatal(err)
		}
		ok, err := s.CompareAndSwap(ctx, "race", r.Seq, engine.SessionRecord{Seq: r.Seq + 1, Data: []byte(strconv.Itoa(os.Getpid()))})
		if err != nil {
			t.Fatal(err)
		}
		if ok {
			wins++
		}
	}
	fmt.Printf("WINS %d\n", wins)
	return wins
}

func TestSignInStoreTakeOnce(t *testing.T) {
	for _, k := range storeKinds {
		t.Run(k.name, func(t *testing.T) {
			s := k.open(t)
			ctx := context.Background()
			if v, err := s.Take(ctx, "none"); v != nil || err != nil {
				t.Fatalf("Take of nothing = %q, %v", v, err)
			}
			for round := 0; round < 10; round++ {
				key := fmt.Sprint("start:", round)
				if err := s.Put(ctx, key, []byte("v"+key), time.Minute); err != nil {
					t.Fatal(err)
				}
				var got atomic.Int32
				var wg sync.WaitGroup
				for i := 0; i < 8; i++ {
					wg.Add(1)
					go func() {
						defer wg.Done()
						v, err := s.Take(ctx, key)
						if err != nil {
							t.Error(err)
						}
						if v != nil {
							if string(v) != "v"+key {
								t.Errorf("Take = %q", v)
							}
							got.Add(1)
						}
					}()
				}
				wg.Wait()
				if got.Load() != 1 {
					t.Fatalf("round %d: %d takers got the value, want 1", round, got.Load())
				}
			}
		})
	}
}

func TestSignInStoreExpiry(t *testing.T) {
	clock := time.Unix(1_800_000_000, 0)
	now := func() time.Time { return clock }
	file, err := OpenFileStore(filepath.Join(t.TempDir(), "x.db"), FileOptions{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	mem := NewMemoryStore()
	mem.MemorySignInStore.Now = now
	for name, s := range map[string]auth.SignInStore{"memory": mem, "file": file} {
		ctx := context.Background()
		s.Put(ctx, "k", []byte("v"), time.Minute)
		clock = clock.Add(61 * time.Second)
		if v, err := s.Take(ctx, "k"); v != nil || err != nil {
			t.Errorf("%s: Take after the TTL = %q, %v; want nothing", name, v, err)
		}
	}
	r := newTestRedis(t, time.Hour)
	ctx := context.Background()
	r.Put(ctx, "k", []byte("v"), 50*time.Millisecond)
	time.Sleep(120 * time.Millisecond)
	if v, err := r.Take(ctx, "k"); v != nil || err != nil {
		t.Errorf("redis: Take after the TTL = %q, %v; want nothing", v, err)
	}
}

func TestSessionTTL(t *testing.T) {
	clock := time.Unix(1_800_000_000, 0)
	f, err := OpenFileStore(filepath.Join(t.TempDir(), "x.db"), FileOptions{SessionTTL: time.Hour, Now: func() time.Time { return clock }})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	f.CompareAndSwap(ctx, "c", 0, engine.SessionRecord{Seq: 1, Data: []byte("x")})
	if n, _ := f.Active(ctx); n != 1 {
		t.Fatalf("file: Active = %d, want 1", n)
	}
	clock = clock.Add(time.Hour + time.Second)
	if r, _ := f.Load(ctx, "c"); r.Seq != 0 {
		t.Fatalf("file: an idle record outlived its TTL: %+v", r)
	}
	if n, _ := f.Active(ctx); n != 0 {
		t.Fatalf("file: Active = %d after the TTL, want 0", n)
	}

	r := newTestRedis(t, 100*time.Millisecond)
	r.CompareAndSwap(ctx, "c", 0, engine.SessionRecord{Seq: 1, Data: []byte("x")})
	if n, err := r.Active(ctx); n != 1 || err != nil {
		t.Fatalf("redis: Active = %d, %v; want 1", n, err)
	}
	time.Sleep(250 * time.Millisecond)
	if rec, _ := r.Load(ctx, "c"); rec.Seq != 0 {
		t.Fatalf("redis: an idle record outlived its TTL: %+v", rec)
	}
	if n, _ := r.Active(ctx); n != 0 {
		t.Fatalf("redis: Active = %d after the TTL, want 0", n)
	}
}

// The users' grants round-trip, and what a shared store holds is sealed:
// no token in clear, and another key cannot open it.
func TestTokensSealed(t *testing.T) {
	key := bytes.Repeat([]byte("k"), 32)
	for _, k := range storeKinds {
		t.Run(k.name, func(t *testing.T) {
			s := k.open(t)
			ctx := context.Background()
			tokens, err := s.Tokens(key)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := tokens.Load(ctx, "p", "u1"); !errors.Is(err, auth.ErrNotSignedIn) {
				t.Fatalf("Load of nobody = %v", err)
			}
			tok := &auth.StoredToken{Profile: "p", Subject: "u1", AccessToken: "AT-secret-123", RefreshToken: "RT-secret-456"}
			if err := tokens.Save(ctx, tok); err != nil {
				t.Fatal(err)
			}
			got, err := tokens.Load(ctx, "p", "u1")
			if err != nil || got.AccessToken != tok.AccessToken || got.RefreshToken != tok.RefreshToken {
				t.Fatalf("Load = %v, %v", got, err)
			}
			if k.name == "memory" {
				return
			}
			other, _ := s.Tokens(bytes.Repeat([]byte("o"), 32))
			if _, err := other.Load(ctx, "p", "u1"); !errors.Is(err, auth.ErrNotSignedIn) {
				t.Fatalf("Load with another key = %v, want ErrNotSignedIn", err)
			}
			if raw := rawTokenBytes(t, s); bytes.Contains(raw, []byte("secret")) {
				t.Fatalf("a token is stored in clear")
			}
			if err := tokens.Delete(ctx, "p", "u1"); err != nil {
				t.Fatal(err)
			}
			if _, err := tokens.Load(ctx, "p", "u1"); !errors.Is(err, auth.ErrNotSignedIn) {
				t.Fatalf("Load after Delete = %v", err)
			}
		})
	}
}

// rawTokenBytes returns what the store holds for the grant of p/u1.
func rawTokenBytes(t *testing.T, s Store) []byte {
	var kvs kv
	switch s := s.(type) {
	case *FileStore:
		kvs = fileKV{s}
	case *RedisStore:
		kvs = redisKV{s}
	}
	v, err := kvs.get(context.Background(), tokenKey("p", "u1"))
	if err != nil || v == nil {
		t.Fatalf("raw grant: %q, %v", v, err)
	}
	return v
}

func TestOpenSpecs(t *testing.T) {
	for _, tc := range []struct{ spec, want string }{
		{"nope", `want memory, file:PATH or redis://`},
		{"file:", "the path is empty"},
		{"redis://:pw@127.0.0.1:6379/notanumber", "invalid database number"},
	} {
		_, err := Open(tc.spec, "", 0)
		if err == nil || !bytes.Contains([]byte(err.Error()), []byte(tc.want)) {
			t.Errorf("Open(%q) = %v, want an error with %q", tc.spec, err, tc.want)
		}
		if err != nil && bytes.Contains([]byte(err.Error()), []byte("pw")) {
			t.Errorf("Open(%q): the error shows the password: %v", tc.spec, err)
		}
	}
}
