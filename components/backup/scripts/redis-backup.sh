#!/usr/bin/env bash
# Encrypted snapshot of a self-hosted Redis (runbook 003 "backups": postgresql,neo4j,redis).
# `redis-cli --rdb -` asks the server for a fresh RDB over the replication protocol and
# streams it into age, so plaintext never touches disk. Writes, under BACKUP_DEST:
#   redis/<REDIS_NAME>/<UTC ts>.rdb.age and <UTC ts>.rdb.age.sha256
# Managed caches (Azure Cache for Redis, Memorystore) refuse SYNC: use their own export.
# The password comes from REDISCLI_AUTH, which redis-cli reads itself (never on argv).
# Exit 0 on success, 1 otherwise. Env contract: README.md.
. "$(dirname -- "${BASH_SOURCE[0]}")/lib.sh"

STORE=redis
require_age_recipients
need_cmd redis-cli sha256sum
parse_dest
retention_days >/dev/null

REDIS_ARGS=(-h "${REDIS_HOST:-127.0.0.1}" -p "${REDIS_PORT:-6379}" --no-auth-warning)
[[ -z ${REDIS_USER:-} ]] || REDIS_ARGS+=(--user "$REDIS_USER")
case ${REDIS_TLS:-false} in
  true | 1) REDIS_ARGS+=(--tls); [[ -z ${REDIS_CACERT:-} ]] || REDIS_ARGS+=(--cacert "$REDIS_CACERT") ;;
  false | 0 | "") ;;
  *) die "REDIS_TLS must be true or false, got \`$REDIS_TLS\`" ;;
esac

backup_one() {
  local name=$1 ts start
  start=$(epoch_now)
  ts=$(utc_stamp)
  STAGE=$(make_stage "redis/$name")
  FAIL_REASON=rdb_failed
  # redis-cli reports progress on stderr; the RDB itself is the only thing on stdout.
  redis-cli "${REDIS_ARGS[@]}" --rdb - 2>"$STAGE/redis-cli.log" | encrypt_stream >"$STAGE/$ts.rdb.age" ||
    fail rdb_failed "redis-cli --rdb | age failed: $(tail -n 2 "$STAGE/redis-cli.log" | tr '\n' ' ')"
  publish_artefact "$name" "$ts" .rdb.age "$start"
}

name=${REDIS_NAME:-default}
run_each "$name"
