#!/usr/bin/env bash
# Neo4j restore drill (runbook 000 "test restore monthly", runbook 003 "DR drill"): take the
# newest export of each database, verify its checksum, start a private, empty Neo4j server in
# the drill's scratch directory (Community has one user database per server, so the scratch
# database is a scratch server: loopback bolt only, no HTTP, auth off), replay the statements
# through cypher-shell straight from age, compare node and relationship counts with the
# manifest and stop the server. Exit codes (runbook 004): 0 healthy, 1 error, 2 unhealthy.
. "$(dirname -- "${BASH_SOURCE[0]}")/lib.sh"

STORE=neo4j
require_age_identity
CYPHER_SHELL=${CYPHER_SHELL:-cypher-shell}
NEO4J_SERVER=${NEO4J_SERVER:-neo4j}
need_cmd "$CYPHER_SHELL" "$NEO4J_SERVER"
parse_dest
SERVER_PID=""
SCRATCH_PORT=${NEO4J_DRILL_PORT:-17687}
[[ $SCRATCH_PORT =~ ^[0-9]+$ ]] || die "NEO4J_DRILL_PORT must be a port number, got \`$SCRATCH_PORT\`"

# shellcheck disable=SC2317 # called from the EXIT trap
drill_cleanup() {
  if [[ -n $SERVER_PID ]]; then kill "$SERVER_PID" 2>/dev/null; wait "$SERVER_PID" 2>/dev/null; fi
  return 0
}

scratch_cypher() { "$CYPHER_SHELL" -a "bolt://127.0.0.1:$SCRATCH_PORT" --format plain --non-interactive; }

drill_restore() {
  local conf=$DRILL_WORK/conf i rcs counts
  mkdir -p "$conf" "$DRILL_WORK/data" "$DRILL_WORK/logs" "$DRILL_WORK/run"
  cat >"$conf/neo4j.conf" <<CONF
server.directories.data=$DRILL_WORK/data
server.directories.logs=$DRILL_WORK/logs
server.directories.run=$DRILL_WORK/run
server.default_listen_address=127.0.0.1
server.bolt.listen_address=127.0.0.1:$SCRATCH_PORT
server.http.enabled=false
server.https.enabled=false
dbms.security.auth_enabled=false
server.memory.heap.max_size=${NEO4J_DRILL_HEAP:-1g}
server.memory.pagecache.size=256m
CONF
  NEO4J_CONF=$conf "$NEO4J_SERVER" console >"$DRILL_WORK/logs/console.log" 2>&1 &
  SERVER_PID=$!
  for ((i = 0; i < 300; i++)); do
    scratch_cypher <<<"RETURN 1;" >/dev/null 2>&1 && break
    kill -0 "$SERVER_PID" 2>/dev/null ||
      drill_fail 1 scratch_failed "the scratch Neo4j server exited: $(tail -n 3 "$DRILL_WORK/logs/console.log" | tr '\n' ' ')"
    sleep 1
  done
  [[ $i -lt 300 ]] || drill_fail 1 scratch_failed "the scratch Neo4j server did not answer within 5 minutes"

  # Plaintext flows from age to cypher-shell through the pipe only.
  set +e
  drill_decrypt 2>"$DRILL_WORK/age.err" | scratch_cypher >/dev/null 2>"$DRILL_WORK/replay.err"
  rcs=("${PIPESTATUS[@]}")
  set -e
  if [[ ${rcs[0]} -ne 0 && ${rcs[0]} -ne 141 ]]; then
    drill_fail 1 decrypt_failed "could not decrypt $STORE/$DRILL_SUBJECT/$DRILL_LATEST with BACKUP_AGE_IDENTITY_FILE: $(grep -m 1 'error:' "$DRILL_WORK/age.err" || tail -n 1 "$DRILL_WORK/age.err")"
  fi
  [[ ${rcs[1]} -eq 0 ]] ||
    drill_fail 1 restore_failed "replaying $STORE/$DRILL_SUBJECT/$DRILL_LATEST failed: $(tail -n 3 "$DRILL_WORK/replay.err" | tr '\n' ' ')"

  counts=$(scratch_cypher <<<"MATCH (n) WITH count(n) AS nodes OPTIONAL MATCH ()-[r]->() RETURN nodes, count(r) AS relationships;") ||
    drill_fail 1 count_failed "counting the restored graph of \`$DRILL_SUBJECT\` failed"
  [[ $counts =~ ^nodes,\ relationships$'\n'([0-9]+),\ ([0-9]+)$ ]] ||
    drill_fail 1 count_failed "unexpected count result: ${counts:0:80}"
  printf 'nodes\t%s\nrelationships\t%s\n' "${BASH_REMATCH[1]}" "${BASH_REMATCH[2]}" >"$DRILL_WORK/actual.tsv"
}

listed=$(split_list "${NEO4J_DATABASES:-neo4j}")
mapfile -t databases <<<"$listed"
errors=0 unhealthy=0
for db in "${databases[@]}"; do
  set +e
  (set -e; DRILL_SUBJECT=$db; run_drill .cypher.age 0)
  case $? in
    0) ;;
    2) unhealthy=1 ;;
    *) errors=1 ;;
  esac
  set -e
done
[[ $errors -eq 0 ]] || exit 1
[[ $unhealthy -eq 0 ]] || exit 2
exit 0
