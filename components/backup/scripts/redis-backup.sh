#!/usr/bin/env bash
# Encrypted Redis snapshot (runbook 003 "backups": postgresql,neo4j,redis). `redis-cli --rdb -`
# asks the server for a fresh RDB over the replication protocol and streams it into age, so
# plaintext never touches disk. Writes, under BACKUP_DEST:
#   redis/<REDIS_NAME>/<UTC ts>.rdb.age (+ .sha256)
#   redis/<REDIS_NAME>/<UTC ts>.manifest.tsv   key count just before the transfer
# The server comes from REDIS_URL (redis:// or rediss:// for TLS, password inside, parsed
# here so it never reaches argv) or REDIS_HOST/REDIS_PORT/REDIS_TLS with REDISCLI_AUTH.
# Exit 0 on success, 1 otherwise. Env contract: README.md.
. "$(dirname -- "${BASH_SOURCE[0]}")/lib.sh"

STORE=redis
require_age_recipients
need_cmd redis-cli sha256sum
parse_dest
retention_days >/dev/null
redis_connection

backup_one() {
  local name=$1 ts start keys
  start=$(epoch_now)
  ts=$(utc_stamp)
  STAGE=$(make_stage "redis/$name")
  FAIL_REASON=rdb_failed
  keys=$(redis_key_count "${REDIS_ARGS[@]}" 2>"$STAGE/redis-cli.log") ||
    fail rdb_failed "could not count the keys: $(tail -n 2 "$STAGE/redis-cli.log" | tr '\n' ' ')"
  # redis-cli reports progress on stderr; the RDB itself is the only thing on stdout.
  redis-cli "${REDIS_ARGS[@]}" --rdb - 2>"$STAGE/redis-cli.log" | encrypt_stream >"$STAGE/$ts.rdb.age" ||
    fail rdb_failed "redis-cli --rdb | age failed: $(tail -n 2 "$STAGE/redis-cli.log" | tr '\n' ' ')"
  rm -f -- "$STAGE/redis-cli.log"
  {
    printf '# estate backup manifest: keys just before the snapshot\n'
    printf '# database\t%s\n# artefact\t%s.rdb.age\n# format\trdb\n' "$name" "$ts"
    printf 'keys\t%s\n' "$keys"
  } >"$STAGE/$ts.manifest.tsv"
  publish_artefact "$name" "$ts" .rdb.age "$start"
}

name=${REDIS_NAME:-default}
run_each "$name"
