#!/usr/bin/env bash
# Encrypted logical backup of PostgreSQL databases (runbook 000 "daily pg_dump, encrypted",
# runbook 003 "backups"). For each database writes, under BACKUP_DEST:
#   postgres/<database>/<UTC ts>.dump.age          pg_dump -Fc piped straight into age
#   postgres/<database>/<UTC ts>.dump.age.sha256   checksum of the ciphertext
#   postgres/<database>/<UTC ts>.manifest.tsv      exact row count per table, same snapshot
# Exit 0 when every database was backed up, 1 otherwise. Env contract: README.md.
. "$(dirname -- "${BASH_SOURCE[0]}")/lib.sh"

require_age_recipients
need_cmd pg_dump psql sha256sum
parse_dest
retention_days >/dev/null
export PGCONNECT_TIMEOUT=${PGCONNECT_TIMEOUT:-30}
pg_select_client "${PGDATABASE:-postgres}"

list_databases() {
  if [[ -n ${PGDATABASES:-} ]]; then
    split_list "$PGDATABASES"
    return
  fi
  local exclude db
  exclude=" $(split_list "${PGDATABASES_EXCLUDE-azure_maintenance azure_sys cloudsqladmin rdsadmin}" | tr '\n' ' ') "
  "${PSQL[@]}" -d "${PGDATABASE:-postgres}" \
    -c "SELECT datname FROM pg_database WHERE NOT datistemplate AND datallowconn ORDER BY 1" |
    while IFS= read -r db; do [[ $exclude == *" $db "* ]] || printf '%s\n' "$db"; done
}

STORE=postgres
PSQL_PID=""

backup_one() {
  local db=$1 rel=postgres/$1 ts start fifo_dir w r snapshot line
  start=$(epoch_now)
  ts=$(utc_stamp)
  STAGE=$(make_stage "$rel")
  trap 'rc=$?; set +e; [[ -z $PSQL_PID ]] || kill "$PSQL_PID" 2>/dev/null; _finish_one $rc' EXIT

  # One REPEATABLE READ transaction exports its snapshot to pg_dump and counts rows in it,
  # so the manifest matches the dump even while the application keeps writing.
  FAIL_REASON=connect_failed
  fifo_dir=$STAGE/.ctl
  mkdir -m 700 "$fifo_dir"
  mkfifo "$fifo_dir/in" "$fifo_dir/out"
  "${PSQL[@]}" -F $'\t' -d "$db" <"$fifo_dir/in" >"$fifo_dir/out" 2>&1 &
  PSQL_PID=$!
  exec {w}>"$fifo_dir/in" {r}<"$fifo_dir/out"
  printf '%s\n' 'SET statement_timeout = 0; SET idle_in_transaction_session_timeout = 0;' \
    'BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY;' 'SELECT pg_export_snapshot();' >&"$w"
  IFS= read -r -t 120 snapshot <&"$r" || snapshot=""
  [[ $snapshot =~ ^[0-9A-F]+-[0-9A-F]+-[0-9]+$ ]] ||
    fail connect_failed "could not open a snapshot on database \`$db\`: ${snapshot:-no answer from server}"

  FAIL_REASON=count_failed
  {
    printf '# estate backup manifest: exact row counts at backup time\n'
    printf '# database\t%s\n# artefact\t%s.dump.age\n# format\tpg_dump-custom\n' "$db" "$ts"
  } >"$STAGE/$ts.manifest.tsv"
  printf '%s\n\\echo __estate_counts_done__\n' "$PG_COUNT_SQL" >&"$w"
  line=""
  while IFS= read -r -t 3600 line <&"$r"; do
    [[ $line == __estate_counts_done__ ]] && break
    [[ $line == *$'\t'* ]] || fail count_failed "counting rows in \`$db\` failed: $line"
    printf '%s\n' "$line" >>"$STAGE/$ts.manifest.tsv"
  done
  [[ $line == __estate_counts_done__ ]] || fail count_failed "counting rows in \`$db\` failed: connection lost"

  # Plaintext goes from pg_dump's stdout into age and never touches disk.
  FAIL_REASON=pg_dump_failed
  pg_dump -w -Fc --snapshot="$snapshot" -d "$db" | encrypt_stream >"$STAGE/$ts.dump.age" ||
    fail pg_dump_failed "pg_dump | age for \`$db\` failed (see the messages above)"
  printf 'COMMIT;\n\\q\n' >&"$w"
  exec {w}>&- {r}<&-
  wait "$PSQL_PID" || true
  PSQL_PID=""
  rm -rf -- "$fifo_dir"

  publish_artefact "$db" "$ts" .dump.age "$start"
}

listed=$(list_databases) || die "could not list the databases on the server (see the psql message above)"
[[ -n $listed ]] || die "no database to back up: the server listed none and PGDATABASES is empty"
mapfile -t databases <<<"$listed"
run_each "${databases[@]}"
