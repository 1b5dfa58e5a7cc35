#!/usr/bin/env bash
# Monthly restore drill (runbook 000 "test restore monthly", runbook 003 "DR drill"): for each
# database, take the newest artefact, verify its checksum, decrypt it with age straight into
# pg_restore in a fresh scratch database, compare exact row counts with the backup's manifest,
# drop the scratch database and record the outcome.
# Exit codes (runbook 004): 0 healthy, 1 error (missing backup, bad checksum, decrypt or
# restore failure), 2 unhealthy (restored but the counts differ). Any error wins over
# unhealthy. Env contract: README.md.
. "$(dirname -- "${BASH_SOURCE[0]}")/lib.sh"

STORE=postgres
require_age_identity
need_cmd pg_restore psql
parse_dest
export PGCONNECT_TIMEOUT=${PGCONNECT_TIMEOUT:-30}
MAINT_DB=${PGDATABASE:-postgres}
pg_select_client "$MAINT_DB"

list_databases() {
  if [[ -n ${PGDATABASES:-} ]]; then
    split_list "$PGDATABASES"
    return
  fi
  case $DEST_KIND in
    local) [[ -d $DEST_ROOT/postgres ]] &&
      find "$DEST_ROOT/postgres" -mindepth 1 -maxdepth 1 -type d -printf '%f\n' | LC_ALL=C sort ;;
    gs) { gcloud storage ls -- "$DEST_ROOT/postgres/" 2>/dev/null || true; } | sed -n 's#.*/postgres/\([^/]*\)/$#\1#p' ;;
    az) die "PGDATABASES must list the databases to drill when BACKUP_DEST is Azure Blob Storage" ;;
  esac
  return 0
}

SCRATCH=""
# shellcheck disable=SC2317 # called from run_drill's EXIT trap
drill_cleanup() {
  if [[ -n $SCRATCH ]]; then
    "${PSQL[@]}" -d "$MAINT_DB" -c "DROP DATABASE IF EXISTS \"$SCRATCH\" WITH (FORCE)" ||
      err "could not drop the scratch database $SCRATCH: drop it by hand"
  fi
  return 0
}

# Restores the artefact into a fresh scratch database and counts its rows per table.
drill_restore() {
  local rcs
  # template0: a pristine database, so nothing in template1 can collide with the restore.
  SCRATCH="estate_drill_$(epoch_now)_$$"
  "${PSQL[@]}" -d "$MAINT_DB" -c "CREATE DATABASE \"$SCRATCH\" TEMPLATE template0" ||
    { SCRATCH=""; drill_fail 1 scratch_failed "could not create the scratch database for \`$DRILL_SUBJECT\`"; }

  # Plaintext flows from age to pg_restore through the pipe only.
  set +e
  drill_decrypt 2>"$DRILL_WORK/age.err" |
    pg_restore -w --no-owner --no-privileges --exit-on-error -d "$SCRATCH" 2>"$DRILL_WORK/restore.err"
  rcs=("${PIPESTATUS[@]}")
  set -e
  # age killed by SIGPIPE (141) only means pg_restore stopped reading first.
  if [[ ${rcs[0]} -ne 0 && ${rcs[0]} -ne 141 ]]; then
    drill_fail 1 decrypt_failed "could not decrypt $STORE/$DRILL_SUBJECT/$DRILL_LATEST with BACKUP_AGE_IDENTITY_FILE: $(grep -m 1 'error:' "$DRILL_WORK/age.err" || tail -n 1 "$DRILL_WORK/age.err")"
  fi
  [[ ${rcs[1]} -eq 0 ]] ||
    drill_fail 1 restore_failed "pg_restore of $STORE/$DRILL_SUBJECT/$DRILL_LATEST failed: $(tail -n 5 "$DRILL_WORK/restore.err" | tr '\n' ' ')"

  printf '%s\n' "$PG_COUNT_SQL" | "${PSQL[@]}" -F $'\t' -d "$SCRATCH" >"$DRILL_WORK/actual.tsv" ||
    drill_fail 1 count_failed "counting rows in the restored copy of \`$DRILL_SUBJECT\` failed"
}

listed=$(list_databases) || exit 1
[[ -n $listed ]] || die "no backups to drill under $BACKUP_DEST/postgres and PGDATABASES is empty"
mapfile -t databases <<<"$listed"

errors=0 unhealthy=0
for db in "${databases[@]}"; do
  # A subshell per database (run_drill sets an EXIT trap); errexit stays on inside because it
  # is not part of a condition. Row counts of a restore must match the manifest exactly.
  set +e
  (set -e; DRILL_SUBJECT=$db; run_drill .dump.age 0 empty-ok)
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
