#!/usr/bin/env bash
# Redis restore drill (runbook 000 "test restore monthly", runbook 003 "DR drill"): take the
# newest RDB of REDIS_NAME, verify its checksum, decrypt it into the drill's scratch directory,
# boot a private redis-server from it (unix socket only, no TCP, no persistence), compare its
# key count with the manifest, stop it and delete the plaintext.
# A live cache gains and loses keys between the count and the snapshot (TTL expiry), so the
# counts may differ by REDIS_DRILL_TOLERANCE_PERCENT; a restore with no keys where the manifest
# had some is always unhealthy. Exit codes (runbook 004): 0 healthy, 1 error, 2 unhealthy.
. "$(dirname -- "${BASH_SOURCE[0]}")/lib.sh"

STORE=redis
require_age_identity
REDIS_SERVER=${REDIS_SERVER:-redis-server}
need_cmd "$REDIS_SERVER" redis-cli
parse_dest
tolerance=${REDIS_DRILL_TOLERANCE_PERCENT:-2}
[[ $tolerance =~ ^[0-9]+$ && $tolerance -le 100 ]] ||
  die "REDIS_DRILL_TOLERANCE_PERCENT must be a whole number from 0 to 100, got \`$tolerance\`"
SERVER_PID=""

# shellcheck disable=SC2317 # called from the EXIT trap
drill_cleanup() {
  if [[ -n $SERVER_PID ]]; then kill "$SERVER_PID" 2>/dev/null; wait "$SERVER_PID" 2>/dev/null; fi
  return 0
}

drill_restore() {
  local sock=$DRILL_WORK/redis.sock i keys
  mkdir -m 700 "$DRILL_WORK/data"
  drill_decrypt >"$DRILL_WORK/data/dump.rdb" 2>"$DRILL_WORK/age.err" ||
    drill_fail 1 decrypt_failed "could not decrypt $STORE/$DRILL_SUBJECT/$DRILL_LATEST with BACKUP_AGE_IDENTITY_FILE: $(grep -m 1 'error:' "$DRILL_WORK/age.err" || tail -n 1 "$DRILL_WORK/age.err")"
  "$REDIS_SERVER" --port 0 --unixsocket "$sock" --unixsocketperm 700 --dir "$DRILL_WORK/data" \
    --dbfilename dump.rdb --save "" --appendonly no --logfile "$DRILL_WORK/redis-server.log" &
  SERVER_PID=$!
  for ((i = 0; i < 600; i++)); do
    [[ $(redis-cli -s "$sock" ping 2>/dev/null) == PONG ]] && break
    kill -0 "$SERVER_PID" 2>/dev/null ||
      drill_fail 1 restore_failed "redis-server refused $DRILL_LATEST: $(tail -n 3 "$DRILL_WORK/redis-server.log" | tr '\n' ' ')"
    sleep 0.5
  done
  [[ $i -lt 600 ]] || drill_fail 1 restore_failed "redis-server did not load $DRILL_LATEST within 5 minutes"
  keys=$(redis_key_count -s "$sock") || drill_fail 1 count_failed "could not count the restored keys"
  printf 'keys\t%s\n' "$keys" >"$DRILL_WORK/actual.tsv"
  rm -f -- "$DRILL_WORK/data/dump.rdb"
}

DRILL_SUBJECT=${REDIS_NAME:-default}
run_drill .rdb.age "$tolerance"
