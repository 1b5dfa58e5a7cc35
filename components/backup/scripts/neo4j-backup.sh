#!/usr/bin/env bash
# Encrypted Neo4j dump (runbook 003 "backups": scripts/backup/neo4j_backup.sh). For each
# database `neo4j-admin database dump --to-stdout` streams into age, so plaintext never
# touches disk. Writes, under BACKUP_DEST:
#   neo4j/<database>/<UTC ts>.dump.age and <UTC ts>.dump.age.sha256
# NEO4J_DATABASES defaults to `neo4j system`: the system database holds users and roles.
# neo4j-admin must run beside the store as the neo4j user; on Community Edition the database
# must be stopped (Enterprise can dump online). Exit 0 when every database was dumped, 1
# otherwise. Env contract: README.md.
. "$(dirname -- "${BASH_SOURCE[0]}")/lib.sh"

STORE=neo4j
require_age_recipients
NEO4J_ADMIN=${NEO4J_ADMIN:-neo4j-admin}
need_cmd "$NEO4J_ADMIN" sha256sum
parse_dest
retention_days >/dev/null

backup_one() {
  local db=$1 ts start
  start=$(epoch_now)
  ts=$(utc_stamp)
  STAGE=$(make_stage "neo4j/$db")
  FAIL_REASON=neo4j_dump_failed
  "$NEO4J_ADMIN" database dump --to-stdout "$db" | encrypt_stream >"$STAGE/$ts.dump.age" ||
    fail neo4j_dump_failed "neo4j-admin database dump | age for \`$db\` failed (see the messages above)"
  publish_artefact "$db" "$ts" .dump.age "$start"
}

listed=$(split_list "${NEO4J_DATABASES:-neo4j system}")
mapfile -t databases <<<"$listed"
run_each "${databases[@]}"
