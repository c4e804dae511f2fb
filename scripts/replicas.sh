#!/bin/sh
# The multi-replica proof at scale, for BENCHMARKS.md: three `runflow serve`
# replicas on one Redis against one `runflow sandbox serve`, N conversations
# (default 1000) mixing create-todo-list, create-event and send-mail,
# round-robin routing, 10% of messages delivered twice at once, one replica
# SIGKILLed and restarted. Prints turns/s, p50/p99 turn latency and Redis
# round trips per turn (bot/loadtest).
#
#   scripts/replicas.sh            # 1000 conversations
#   N=200 scripts/replicas.sh
#   CLAIM_GRACE=1m scripts/replicas.sh   # serve's default --claim-grace
#   RUNFLOW_REDIS_URL=redis://127.0.0.1:6379/14 scripts/replicas.sh
set -eu
cd "$(dirname "$0")/.."
RUNFLOW_LOADTEST_N="${N:-1000}" RUNFLOW_LOADTEST_TURN_TIMEOUT="${TURN_TIMEOUT:-30s}" RUNFLOW_LOADTEST_CLAIM_GRACE="${CLAIM_GRACE:-2s}" RUNFLOW_REQUIRE_SERVICES=1 \
	exec go test ./bot/loadtest -run '^TestReplicas$' -count=1 -v -timeout 30m
