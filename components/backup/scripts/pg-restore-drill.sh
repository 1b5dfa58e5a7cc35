#!/usr/bin/env bash
# Monthly restore drill (runbook 000 "test restore monthly", runbook 003 "DR drill"): for each
# database, take the newest artefact, verify its checksum, decrypt it with age straight into
# pg_restore in a fresh scratch database, compare exact row counts with the backup's manifest,
# drop the scratch database and record the outcome.
# Exit codes (runbook 004): 0 healthy, 1 error (missing backup, bad checksum, decrypt or
# restore failure), 2 unhealthy (restored but the counts differ). Any error wins over
# unhealthy. Env contract: README.md.
. "$(dirname -- "${BASH_SOURCE[0]}")/lib.sh"

need_cmd age pg_restore psql sha256sum
[[ -n ${BACKUP_AGE_IDENTITY_FILE:-} ]] ||
  die "BACKUP_AGE_IDENTITY_FILE is not set: the drill needs the age private key to decrypt the backup"
[[ -r $BACKUP_AGE_IDENTITY_FILE ]] ||
  die "BACKUP_AGE_IDENTITY_FILE \`$BACKUP_AGE_IDENTITY_FILE\` is not a readable file"
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

drill_database() {
  local db=$1 rel latest ts dump sumfile manifest start rcs
  # Not local: the EXIT trap reads them after the function has returned.
  work="" scratch=""
  FAIL_REASON=unexpected
  trap 'rc=$?; set +e; cleanup_database; [[ $rc -eq 0 || $REPORTED -eq 1 ]] || report error "$FAIL_REASON" "drill of \`$db\` failed (exit $rc)"' EXIT
  check_name database "$db" || fail 1 invalid_name "refusing database \`$db\`"
  rel=postgres/$db
  start=$(epoch_now)

  FAIL_REASON=missing_backup
  latest=$(latest_artefact "$rel" .dump.age)
  [[ -n $latest ]] || fail 1 missing_backup "no backup of \`$db\` found under $BACKUP_DEST/$rel"
  ts=${latest%.dump.age}

  work=$(mktemp -d "${BACKUP_WORK_DIR:-/tmp}/drill.XXXXXX")
  if [[ $DEST_KIND == local ]]; then
    dump=$DEST_ROOT/$rel/$latest sumfile=$dump.sha256 manifest=$DEST_ROOT/$rel/$ts.manifest.tsv
  else
    FAIL_REASON=download_failed
    dump=$work/$latest sumfile=$work/$latest.sha256 manifest=$work/$ts.manifest.tsv
    dest_get "$rel/$latest" "$dump" || fail 1 download_failed "could not download $rel/$latest"
    dest_get "$rel/$latest.sha256" "$sumfile" || true
    dest_get "$rel/$ts.manifest.tsv" "$manifest" || true
  fi
  [[ -f $sumfile ]] || fail 1 missing_checksum "checksum file $rel/$latest.sha256 is missing"
  [[ -f $manifest ]] || fail 1 missing_manifest "manifest $rel/$ts.manifest.tsv is missing"
  verify_sha256 "$dump" "$sumfile" ||
    fail 1 checksum_mismatch "checksum mismatch for $rel/$latest: the artefact is corrupt or was altered"

  # template0: a pristine database, so nothing in template1 can collide with the restore.
  FAIL_REASON=scratch_failed
  scratch="estate_drill_$(epoch_now)_$$"
  "${PSQL[@]}" -d "$MAINT_DB" -c "CREATE DATABASE \"$scratch\" TEMPLATE template0" ||
    { scratch=""; fail 1 scratch_failed "could not create the scratch database for \`$db\`"; }

  # Plaintext flows from age to pg_restore through the pipe only.
  FAIL_REASON=restore_failed
  set +e
  age -d -i "$BACKUP_AGE_IDENTITY_FILE" -- "$dump" 2>"$work/age.err" |
    pg_restore -w --no-owner --no-privileges --exit-on-error -d "$scratch" 2>"$work/restore.err"
  rcs=("${PIPESTATUS[@]}")
  set -e
  # age killed by SIGPIPE (141) only means pg_restore stopped reading first.
  if [[ ${rcs[0]} -ne 0 && ${rcs[0]} -ne 141 ]]; then
    fail 1 decrypt_failed "could not decrypt $rel/$latest with BACKUP_AGE_IDENTITY_FILE: $(grep -m 1 'error:' "$work/age.err" || tail -n 1 "$work/age.err")"
  fi
  [[ ${rcs[1]} -eq 0 ]] ||
    fail 1 restore_failed "pg_restore of $rel/$latest failed: $(tail -n 5 "$work/restore.err" | tr '\n' ' ')"

  FAIL_REASON=count_failed
  awk '!/^#/' "$manifest" | LC_ALL=C sort >"$work/expected.tsv"
  printf '%s\n' "$PG_COUNT_SQL" | "${PSQL[@]}" -F $'\t' -d "$scratch" | LC_ALL=C sort >"$work/actual.tsv" ||
    fail 1 count_failed "counting rows in the restored copy of \`$db\` failed"
  if ! cmp -s "$work/expected.tsv" "$work/actual.tsv"; then
    local diffs
    diffs=$(LC_ALL=C join -t $'\t' -a 1 -a 2 -e missing -o 0,1.2,2.2 "$work/expected.tsv" "$work/actual.tsv" |
      awk -F '\t' '$2 != $3 { printf "  %s: manifest=%s restored=%s\n", $1, $2, $3 }')
    fail 2 count_mismatch "restored copy of \`$db\` ($latest) differs from its manifest:
$diffs"
  fi

  metric_set estate_restore_drill_success postgres "$db" 1 \
    "1 if the last restore drill restored the newest backup and its row counts matched, else 0."
  metric_set estate_restore_drill_last_success_timestamp_seconds postgres "$db" "$(epoch_now)" \
    "Unix time of the last successful restore drill."
  record_drill_success postgres "$db" "$latest" "$work" ||
    fail 1 record_failed "could not record the drill's success under postgres/$db/drills"
  log_event restore_drill ok store=postgres "database=$db" "artefact=$rel/$latest" \
    "tables=$(wc -l <"$work/expected.tsv" | tr -d ' ')" "duration_seconds=$(($(epoch_now) - start))"
  REPORTED=1
}

# shellcheck disable=SC2317 # called from the EXIT trap
cleanup_database() {
  if [[ -n ${scratch:-} ]]; then
    "${PSQL[@]}" -d "$MAINT_DB" -c "DROP DATABASE IF EXISTS \"$scratch\" WITH (FORCE)" ||
      err "could not drop the scratch database $scratch: drop it by hand"
  fi
  [[ -n ${work:-} && -d $work ]] && rm -rf -- "$work"
  return 0
}

REPORTED=0
# report <error|unhealthy> <reason> <message>
report() {
  err "$3"
  log_event restore_drill "$1" store=postgres "database=$db" "reason=$2"
  metric_set estate_restore_drill_success postgres "$db" 0 \
    "1 if the last restore drill restored the newest backup and its row counts matched, else 0."
  REPORTED=1
}
# fail <exit code> <reason> <message>
fail() {
  local status=error
  [[ $1 -eq 2 ]] && status=unhealthy
  report "$status" "$2" "$3"
  exit "$1"
}

listed=$(list_databases) || exit 1
[[ -n $listed ]] || die "no backups to drill under $BACKUP_DEST/postgres and PGDATABASES is empty"
mapfile -t databases <<<"$listed"

errors=0 unhealthy=0
for db in "${databases[@]}"; do
  # A subshell per database; errexit stays on inside because it is not part of a condition.
  set +e
  (set -e; drill_database "$db")
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
