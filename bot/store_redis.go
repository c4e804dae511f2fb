package bot

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/runflow/runflow/auth"
	"github.com/runflow/runflow/engine"
)

// DefaultRedisPrefix starts every key a RedisStore writes.
const DefaultRedisPrefix = "runflow:"

// RedisOptions configure a RedisStore.
type RedisOptions struct {
	// Prefix starts every key (default DefaultRedisPrefix): several bots,
	// or tests, can share one database.
	Prefix string
	// SessionTTL: a conversation idle longer expires (default
	// DefaultSessionTTL).
	SessionTTL time.Duration
}

// RedisStore is a Store in Redis, for several replicas. A conversation is
// a hash {q: Seq, d: data} under PREFIX+"s:"+key with the session TTL;
// CompareAndSwap is one Lua script, so it is atomic for every replica.
// Sign-ins in progress are strings with their own TTL, taken with GETDEL.
// Every command and script touches one key, so the store works on Redis
// Cluster too (OpenRedisStore with a redis+cluster:// URL, or NewRedisStore
// with a *redis.ClusterClient): conversations spread over the shards by
// key. The index of active conversations is one sorted set, written once
// per swap beside it in the same pipeline.
type RedisStore struct {
	c      redis.UniversalClient
	addr   string // for messages: the server, or the cluster's first node
	prefix string
	ttl    time.Duration
	owned  bool
	trips  atomic.Uint64
}

// OpenRedisStore connects to the Redis at url (redis://[:PASSWORD@]HOST:PORT/DB,
// or rediss:// for TLS), or to the Redis Cluster at
// redis+cluster://[:PASSWORD@]HOST:PORT[?addr=HOST:PORT&addr=...] (rediss+cluster://
// for TLS; the nodes named are where the client first learns the
// cluster's layout).
func OpenRedisStore(url string, opt RedisOptions) (*RedisStore, error) {
	if rest, ok := cutClusterScheme(url); ok {
		o, err := redis.ParseClusterURL(rest)
		if err != nil {
			return nil, fmt.Errorf("--store %s: %v", redactURL(url), err)
		}
		o.DialTimeout, o.ReadTimeout, o.WriteTimeout = 5*time.Second, 3*time.Second, 3*time.Second
		s := NewRedisStore(redis.NewClusterClient(o), opt)
		s.addr, s.owned = o.Addrs[0], true
		return s, nil
	}
	o, err := redis.ParseURL(url)
	if err != nil {
		return nil, fmt.Errorf("--store %s: %v", redactURL(url), err)
	}
	o.DialTimeout = 5 * time.Second
	o.ReadTimeout = 3 * time.Second
	o.WriteTimeout = 3 * time.Second
	// A Redis that does not answer should fail a request quickly (the
	// client retries the command itself).
	o.DialerRetries = 1
	s := NewRedisStore(redis.NewClient(o), opt)
	s.addr, s.owned = o.Addr, true
	return s, nil
}

// cutClusterScheme turns redis+cluster:// and rediss+cluster:// into the
// redis:// and rediss:// that go-redis parses as cluster URLs.
func cutClusterScheme(url string) (string, bool) {
	for _, scheme := range []string{"redis", "rediss"} {
		if rest, ok := strings.CutPrefix(url, scheme+"+cluster://"); ok {
			return scheme + "://" + rest, true
		}
	}
	return url, false
}

// redactURL hides a password in a Redis URL for error messages.
func redactURL(raw string) string {
	if rest, ok := cutClusterScheme(raw); ok {
		o, err := redis.ParseClusterURL(rest)
		if err != nil {
			return "(a Redis Cluster URL that does not parse)"
		}
		return "redis+cluster://" + strings.Join(o.Addrs, ",")
	}
	o, err := redis.ParseURL(raw)
	if err != nil {
		return "(a Redis URL that does not parse)"
	}
	return fmt.Sprintf("redis://%s/%d", o.Addr, o.DB)
}

// NewRedisStore returns a store on an existing client: a *redis.Client, or
// a *redis.ClusterClient for Redis Cluster. Close leaves the client open.
func NewRedisStore(c redis.UniversalClient, opt RedisOptions) *RedisStore {
	if opt.Prefix == "" {
		opt.Prefix = DefaultRedisPrefix
	}
	if opt.SessionTTL <= 0 {
		opt.SessionTTL = DefaultSessionTTL
	}
	s := &RedisStore{c: c, prefix: opt.Prefix, ttl: opt.SessionTTL}
	switch c := c.(type) {
	case *redis.Client:
		s.addr = c.Options().Addr
	case *redis.ClusterClient:
		if addrs := c.Options().Addrs; len(addrs) > 0 {
			s.addr = addrs[0]
		}
	}
	c.AddHook(tripCounter{&s.trips})
	return s
}

// RoundTrips is how many requests this store sent to Redis (a pipeline
// counts once).
func (s *RedisStore) RoundTrips() uint64 { return s.trips.Load() }

type tripCounter struct{ n *atomic.Uint64 }

func (t tripCounter) DialHook(next redis.DialHook) redis.DialHook { return next }
func (t tripCounter) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		t.n.Add(1)
		return next(ctx, cmd)
	}
}
func (t tripCounter) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		t.n.Add(1)
		return next(ctx, cmds)
	}
}

func (s *RedisStore) sessionKey(key string) string { return s.prefix + "s:" + key }
func (s *RedisStore) activeKey() string            { return s.prefix + "active" }

// casScript swaps the record of KEYS[1] if its Seq is ARGV[1] ("0": no
// record) and sets its TTL (ARGV[4] ms). It touches that one key, so it
// runs on Redis Cluster, where a script's keys must share a hash slot.
var casScript = redis.NewScript(`
local cur = redis.call('HGET', KEYS[1], 'q')
if (cur or '0') ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'q', ARGV[2], 'd', ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return 1
`)

// Load implements engine.SessionStore (one HMGET).
func (s *RedisStore) Load(ctx context.Context, key string) (engine.SessionRecord, error) {
	vals, err := s.c.HMGet(ctx, s.sessionKey(key), "q", "d").Result()
	if err != nil {
		return engine.SessionRecord{}, fmt.Errorf("redis store: loading a conversation: %w", err)
	}
	q, _ := vals[0].(string)
	d, _ := vals[1].(string)
	if q == "" {
		return engine.SessionRecord{}, nil
	}
	seq, err := strconv.ParseUint(q, 10, 64)
	if err != nil {
		return engine.SessionRecord{}, fmt.Errorf("redis store: the record of a conversation has a bad Seq %q", q)
	}
	return engine.SessionRecord{Seq: seq, Data: []byte(d)}, nil
}

// CompareAndSwap implements engine.SessionStore: one pipeline of the
// swap's EVALSHA and the ZADD that marks the conversation active (a
// losing swap marks it too: it is active). Only when Redis does not have
// the script yet (its first use, a restart) is the script sent again.
func (s *RedisStore) CompareAndSwap(ctx context.Context, key string, oldSeq uint64, next engine.SessionRecord) (bool, error) {
	if next.Seq <= oldSeq {
		return false, engine.ErrBadSeq
	}
	keys := []string{s.sessionKey(key)}
	args := []any{strconv.FormatUint(oldSeq, 10), strconv.FormatUint(next.Seq, 10), next.Data, s.ttl.Milliseconds()}
	var swap *redis.Cmd
	// The swap's own result decides, not the pipeline's first error: a
	// failed ZADD (the index is only for /metrics) must not report a
	// swap that happened as failed.
	_, _ = s.c.Pipelined(ctx, func(p redis.Pipeliner) error {
		swap = casScript.EvalSha(ctx, p, keys, args...)
		p.ZAdd(ctx, s.activeKey(), redis.Z{Score: float64(time.Now().UnixMilli()), Member: key})
		return nil
	})
	if redis.HasErrorPrefix(swap.Err(), "NOSCRIPT") {
		swap = casScript.Run(ctx, s.c, keys, args...)
	}
	n, err := swap.Int()
	if err != nil {
		return false, fmt.Errorf("redis store: swapping a conversation: %w", err)
	}
	return n == 1, nil
}

// Delete implements engine.SessionStore.
func (s *RedisStore) Delete(ctx context.Context, key string) error {
	// Not a transaction: the two keys may be on two shards of a cluster.
	_, err := s.c.Pipelined(ctx, func(p redis.Pipeliner) error {
		p.Del(ctx, s.sessionKey(key))
		p.ZRem(ctx, s.activeKey(), key)
		return nil
	})
	if err != nil {
		return fmt.Errorf("redis store: deleting a conversation: %w", err)
	}
	return nil
}

// Put implements auth.SignInStore (SET with PX).
func (s *RedisStore) Put(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	return s.c.Set(ctx, s.prefix+"p:"+key, value, ttl).Err()
}

// Take implements auth.SignInStore: GETDEL is atomic, so only one replica
// gets a given link or code.
func (s *RedisStore) Take(ctx context.Context, key string) ([]byte, error) {
	v, err := s.c.GetDel(ctx, s.prefix+"p:"+key).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, nil
	}
	return v, err
}

// Tokens implements Store: the grants are sealed strings under PREFIX+"t:".
func (s *RedisStore) Tokens(key []byte) (auth.Store, error) { return newSealedTokens(redisKV{s}, key) }

type redisKV struct{ s *RedisStore }

func (r redisKV) get(ctx context.Context, key string) ([]byte, error) {
	v, err := r.s.c.Get(ctx, r.s.prefix+"t:"+key).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, nil
	}
	return v, err
}

func (r redisKV) set(ctx context.Context, key string, value []byte) error {
	return r.s.c.Set(ctx, r.s.prefix+"t:"+key, value, 0).Err()
}

func (r redisKV) del(ctx context.Context, key string) error {
	return r.s.c.Del(ctx, r.s.prefix+"t:"+key).Err()
}

// Ping implements Store.
func (s *RedisStore) Ping(ctx context.Context) error {
	if err := s.c.Ping(ctx).Err(); err != nil {
		var nerr net.Error
		if errors.As(err, &nerr) {
			return fmt.Errorf("redis store: %s does not answer: %w", s.addr, err)
		}
		return fmt.Errorf("redis store: %w", err)
	}
	return nil
}

// Active implements Store: the conversations swapped within the session
// TTL (older entries of the index are dropped first).
func (s *RedisStore) Active(ctx context.Context) (int, error) {
	cutoff := time.Now().Add(-s.ttl).UnixMilli()
	var card *redis.IntCmd
	_, err := s.c.Pipelined(ctx, func(p redis.Pipeliner) error {
		p.ZRemRangeByScore(ctx, s.activeKey(), "-inf", "("+strconv.FormatInt(cutoff, 10))
		card = p.ZCard(ctx, s.activeKey())
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("redis store: counting conversations: %w", err)
	}
	return int(card.Val()), nil
}

// Close implements Store: it closes the client if OpenRedisStore made it.
func (s *RedisStore) Close() error {
	if s.owned {
		return s.c.Close()
	}
	return nil
}
