package testservices

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// clusterNodes is how many primaries the test cluster has: three, the
// fewest redis-cli --cluster create accepts.
const clusterNodes = 3

// A RedisCluster is a Redis Cluster of clusterNodes primaries, each a
// redis-server process on a loopback port, started for the tests of one
// package and stopped by StopRedisClusters.
type RedisCluster struct {
	addrs []string
	procs []*exec.Cmd
	dir   string
}

var (
	clusterOnce sync.Once
	cluster     *RedisCluster
	clusterErr  error
)

// Cluster returns the package's Redis Cluster, starting it on first use
// (about a second), or skips (fails when Required) when redis-server or
// redis-cli is missing or the cluster does not form. A package that calls
// it must call StopRedisClusters from its TestMain.
func Cluster(t testing.TB) *RedisCluster {
	t.Helper()
	clusterOnce.Do(func() { cluster, clusterErr = startCluster() })
	if clusterErr != nil {
		if Required() {
			t.Fatalf("Redis Cluster (RUNFLOW_REQUIRE_SERVICES=1): %v", clusterErr)
		}
		t.Skipf("Redis Cluster: %v; install redis-server and redis-cli (Debian: redis-server) to run this test", clusterErr)
	}
	return cluster
}

// URL is the cluster as `runflow serve --store` takes it.
func (c *RedisCluster) URL() string {
	u := "redis+cluster://" + c.addrs[0]
	for i, a := range c.addrs[1:] {
		if i == 0 {
			u += "?"
		} else {
			u += "&"
		}
		u += "addr=" + a
	}
	return u
}

// Client returns a cluster client, closed when the test ends.
func (c *RedisCluster) Client(t testing.TB) *redis.ClusterClient {
	cc := redis.NewClusterClient(&redis.ClusterOptions{Addrs: c.addrs})
	t.Cleanup(func() { cc.Close() })
	return cc
}

// StopRedisClusters stops the cluster Cluster started, if any, and removes
// its files.
func StopRedisClusters() {
	if cluster != nil {
		cluster.stop()
	}
}

func (c *RedisCluster) stop() {
	for _, p := range c.procs {
		p.Process.Kill()
		p.Wait()
	}
	os.RemoveAll(c.dir)
}

func startCluster() (*RedisCluster, error) {
	server, err := exec.LookPath("redis-server")
	if err != nil {
		return nil, fmt.Errorf("no redis-server: %v", err)
	}
	cli, err := exec.LookPath("redis-cli")
	if err != nil {
		return nil, fmt.Errorf("no redis-cli: %v", err)
	}
	dir, err := os.MkdirTemp("", "runflow-redis-cluster-")
	if err != nil {
		return nil, err
	}
	c := &RedisCluster{dir: dir}
	ok := false
	defer func() {
		if !ok {
			c.stop()
		}
	}()
	for i := range clusterNodes {
		port, err := freePort()
		if err != nil {
			return nil, err
		}
		addr := "127.0.0.1:" + strconv.Itoa(port)
		nodeDir := filepath.Join(dir, strconv.Itoa(i))
		if err := os.Mkdir(nodeDir, 0o700); err != nil {
			return nil, err
		}
		var log bytes.Buffer
		p := exec.Command(server, "--port", strconv.Itoa(port), "--bind", "127.0.0.1",
			"--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf",
			"--cluster-node-timeout", "5000", "--dir", nodeDir,
			"--save", "", "--appendonly", "no", "--protected-mode", "no")
		p.Stdout, p.Stderr = &log, &log
		if err := p.Start(); err != nil {
			return nil, fmt.Errorf("starting redis-server: %v", err)
		}
		c.procs = append(c.procs, p)
		c.addrs = append(c.addrs, addr)
		if err := waitForPing(addr); err != nil {
			return nil, fmt.Errorf("redis-server on %s: %v\n%s", addr, err, log.Bytes())
		}
	}
	args := append([]string{"--cluster", "create"}, c.addrs...)
	args = append(args, "--cluster-replicas", "0", "--cluster-yes")
	if out, err := exec.Command(cli, args...).CombinedOutput(); err != nil {
		return nil, fmt.Errorf("redis-cli --cluster create: %v\n%s", err, out)
	}
	if err := waitForClusterOK(c.addrs); err != nil {
		return nil, err
	}
	ok = true
	return c, nil
}

// freePort asks the kernel for a free loopback port. Another process may
// take it before redis-server does; startCluster then fails clearly.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func waitForPing(addr string) error {
	c := redis.NewClient(&redis.Options{Addr: addr})
	defer c.Close()
	var err error
	for range 100 {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		err = c.Ping(ctx).Err()
		cancel()
		if err == nil {
			return nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	return err
}

// waitForClusterOK waits until every node says cluster_state:ok.
func waitForClusterOK(addrs []string) error {
	var last string
	for range 200 {
		okNodes := 0
		for _, a := range addrs {
			c := redis.NewClient(&redis.Options{Addr: a})
			ctx, cancel := context.WithTimeout(context.Background(), time.Second)
			info, err := c.ClusterInfo(ctx).Result()
			cancel()
			c.Close()
			if err == nil && strings.Contains(info, "cluster_state:ok") {
				okNodes++
			} else {
				last = fmt.Sprintf("%s: %v %q", a, err, info)
			}
		}
		if okNodes == len(addrs) {
			return nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("the cluster did not reach cluster_state:ok in 10 s (%s)", last)
}
