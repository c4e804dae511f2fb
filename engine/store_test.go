package engine_test

import (
	"testing"

	"github.com/runflow/runflow/engine"
	"github.com/runflow/runflow/engine/storetest"
)

func TestMemorySessionStore(t *testing.T) {
	storetest.Run(t, func(*testing.T) engine.SessionStore { return new(engine.MemorySessionStore) })
}
