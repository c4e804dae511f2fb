package bot

import (
	"os"
	"testing"

	"github.com/runflow/runflow/internal/testservices"
)

// TestMain stops the Redis Cluster the cluster tests start once for the
// whole package.
func TestMain(m *testing.M) {
	code := m.Run()
	testservices.StopRedisClusters()
	os.Exit(code)
}
