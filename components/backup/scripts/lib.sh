# shellcheck shell=bash
# Shared helpers for the backup and restore-drill scripts. Sourced, never executed.
# Needs bash (pipefail: a failing pg_dump must fail the pipe into age), coreutils, age.

set -euo pipefail
shopt -s inherit_errexit
umask 077

BACKUP_TS_RE='^[0-9]{8}T[0-9]{6}Z$'

utc_stamp() { date -u +%Y%m%dT%H%M%SZ; }
utc_iso() { date -u +%Y-%m-%dT%H:%M:%SZ; }
epoch_now() { date -u +%s; }

# logfmt value: quoted only when it holds spaces, quotes or '='.
kv() {
  local k=$1 v=$2
  case $v in
    *[[:space:]\"=]* | '') v=${v//\\/\\\\}; v=${v//\"/\\\"}; printf '%s="%s"' "$k" "$v" ;;
    *) printf '%s=%s' "$k" "$v" ;;
  esac
}

# One structured line per event on stdout: `<event> status=<s> k=v ... ts=<iso>`.
# Callers pass names and sizes only: never passwords, DSNs or key material.
log_event() {
  local event=$1 status=$2 line pair
  shift 2
  line="$event $(kv status "$status")"
  for pair in "$@"; do line="$line $(kv "${pair%%=*}" "${pair#*=}")"; done
  printf '%s %s\n' "$line" "$(kv ts "$(utc_iso)")"
}

err() { printf 'ERROR: %s\n' "$*" >&2; }
die() { err "$*"; exit 1; }

need_cmd() {
  local c
  for c in "$@"; do
    command -v "$c" >/dev/null 2>&1 || die "required command \`$c\` is not on PATH"
  done
}

# Names become path segments and label values: refuse anything that could escape the layout.
check_name() {
  local what=$1 name=$2
  [[ $name =~ ^[A-Za-z0-9_][A-Za-z0-9_.-]*$ ]] ||
    { err "$what name \`$name\` is not a safe path segment (allowed: letters, digits, _ . -)"; return 1; }
}

# Splits a list given as spaces and/or commas.
split_list() { sed 's/[,[:space:]]\{1,\}/\n/g; /^$/d' <<<"$1" | sed '/^$/d'; }

# ---- encryption -------------------------------------------------------------------------------

AGE_RECIPIENT_ARGS=()

# Encryption is mandatory: without recipients nothing is dumped at all.
require_age_recipients() {
  need_cmd age
  [[ -n ${BACKUP_AGE_RECIPIENT:-} ]] ||
    die "BACKUP_AGE_RECIPIENT is not set: refusing to take an unencrypted backup (set it to an age public key, age1...)"
  local r
  AGE_RECIPIENT_ARGS=()
  while IFS= read -r r; do AGE_RECIPIENT_ARGS+=(-r "$r"); done < <(split_list "$BACKUP_AGE_RECIPIENT")
  # age itself validates the keys; a typo must fail before any data is read.
  age "${AGE_RECIPIENT_ARGS[@]}" </dev/null >/dev/null 2>&1 ||
    die "BACKUP_AGE_RECIPIENT does not hold valid age recipients (expected age1... or ssh-ed25519 ... public keys)"
}

encrypt_stream() { age "${AGE_RECIPIENT_ARGS[@]}"; }

# ---- destination ------------------------------------------------------------------------------
# BACKUP_DEST is a local directory, gs://bucket/prefix or
# https://<account>.blob.core.windows.net/<container>/prefix. Artefacts are written (encrypted)
# to a local directory first, then published; the data file goes last so that a visible
# artefact always has its checksum and manifest beside it.

DEST_KIND="" DEST_ROOT="" AZ_ACCOUNT="" AZ_CONTAINER="" AZ_PREFIX=""

parse_dest() {
  local d=${BACKUP_DEST:-}
  [[ -n $d ]] || die "BACKUP_DEST is not set (a directory, gs://bucket/prefix or https://<account>.blob.core.windows.net/<container>/prefix)"
  d=${d%/}
  case $d in
    gs://*)
      DEST_KIND=gs DEST_ROOT=$d
      need_cmd gcloud ;;
    https://*.blob.core.windows.net/*)
      local rest=${d#https://}
      DEST_KIND=az AZ_ACCOUNT=${rest%%.*}
      rest=${rest#*/}
      AZ_CONTAINER=${rest%%/*}
      AZ_PREFIX=""
      [[ $rest == */* ]] && AZ_PREFIX=${rest#*/}
      [[ -n $AZ_CONTAINER ]] || die "BACKUP_DEST has no container: expected https://<account>.blob.core.windows.net/<container>/prefix"
      need_cmd az ;;
    *://*) die "BACKUP_DEST scheme is not supported: use a directory, gs:// or https://<account>.blob.core.windows.net/" ;;
    *)
      DEST_KIND=local DEST_ROOT=$d
      mkdir -p -- "$DEST_ROOT" ;;
  esac
}

az_blob() { az storage blob "$@" --account-name "$AZ_ACCOUNT" --container-name "$AZ_CONTAINER" --auth-mode login --only-show-errors; }
az_name() { if [[ -n $AZ_PREFIX ]]; then printf '%s/%s' "$AZ_PREFIX" "$1"; else printf '%s' "$1"; fi; }

# dest_put <local file> <relative path>
dest_put() {
  local src=$1 rel=$2
  case $DEST_KIND in
    local)
      mkdir -p -- "$(dirname -- "$DEST_ROOT/$rel")"
      [[ ! -e $DEST_ROOT/$rel ]] || { err "$rel already exists"; return 1; }
      mv -- "$src" "$DEST_ROOT/$rel" ;;
    gs) gcloud storage cp --quiet -- "$src" "$DEST_ROOT/$rel" >/dev/null ;;
    az) az_blob upload --overwrite false --file "$src" --name "$(az_name "$rel")" >/dev/null ;;
  esac
}

# dest_list <relative dir>: base names of the files directly in it, one per line.
dest_list() {
  local rel=$1
  case $DEST_KIND in
    local) [[ -d $DEST_ROOT/$rel ]] || return 0
      find "$DEST_ROOT/$rel" -mindepth 1 -maxdepth 1 -type f -printf '%f\n' ;;
    gs) { gcloud storage ls -- "$DEST_ROOT/$rel/" 2>/dev/null || true; } | sed 's#.*/##;/^$/d' ;;
    az) az_blob list --prefix "$(az_name "$rel")/" --query '[].name' -o tsv | sed 's#.*/##;/^$/d' ;;
  esac
}

# dest_get <relative path> <local file>
dest_get() {
  local rel=$1 out=$2
  case $DEST_KIND in
    local) [[ -f $DEST_ROOT/$rel ]] || return 1; cp -- "$DEST_ROOT/$rel" "$out" ;;
    gs) gcloud storage cp --quiet -- "$DEST_ROOT/$rel" "$out" >/dev/null ;;
    az) az_blob download --name "$(az_name "$rel")" --file "$out" >/dev/null ;;
  esac
}

# Staging directory for ciphertext before publishing: beside the artefacts for a local
# destination (same filesystem, so publishing is an atomic rename), else a private temp dir.
make_stage() {
  local rel=$1
  if [[ $DEST_KIND == local ]]; then
    mkdir -p -- "$DEST_ROOT/$rel"
    mktemp -d "$DEST_ROOT/$rel/.partial.XXXXXX"
  else
    mktemp -d "${BACKUP_WORK_DIR:-/tmp}/backup.XXXXXX"
  fi
}

# ---- retention --------------------------------------------------------------------------------

retention_days() {
  local d=${BACKUP_RETENTION_DAYS:-35}
  [[ $d =~ ^[1-9][0-9]*$ ]] || die "BACKUP_RETENTION_DAYS must be a whole number of days >= 1, got \`$d\`"
  printf '%s' "$d"
}

# prune_local <relative dir> <data suffix>: deletes artefact sets (data, .sha256, manifest)
# whose timestamp is older than the retention, judged by the name, not mtime (copies reset
# mtime). The newest set is always kept, so a stalled schedule never empties the history.
# Buckets use lifecycle rules instead. Prints the number of sets removed.
prune_local() {
  local rel=$1 suffix=$2 days cutoff newest name ts removed=0
  [[ $DEST_KIND == local ]] || { printf 0; return 0; }
  days=$(retention_days)
  cutoff=$(date -u -d "@$(($(epoch_now) - days * 86400))" +%Y%m%dT%H%M%SZ)
  newest=$(latest_artefact "$rel" "$suffix")
  while IFS= read -r name; do
    ts=${name%"$suffix"}
    [[ $ts =~ $BACKUP_TS_RE ]] || continue
    [[ $name == "$newest" ]] && continue
    if [[ $ts < $cutoff ]]; then
      rm -f -- "$DEST_ROOT/$rel/$ts$suffix" "$DEST_ROOT/$rel/$ts$suffix.sha256" "$DEST_ROOT/$rel/$ts.manifest.tsv"
      removed=$((removed + 1))
    fi
  done < <(dest_list "$rel")
  printf '%s' "$removed"
}

# latest_artefact <relative dir> <data suffix>: newest well-formed artefact name, or nothing.
latest_artefact() {
  local rel=$1 suffix=$2
  dest_list "$rel" | while IFS= read -r n; do
    if [[ $n == *"$suffix" && ${n%"$suffix"} =~ $BACKUP_TS_RE ]]; then printf '%s\n' "$n"; fi
  done | LC_ALL=C sort | tail -n 1
}

# ---- checksums --------------------------------------------------------------------------------

# write_sha256 <file>: writes <file>.sha256 in `sha256sum` format with the base name.
write_sha256() {
  local f=$1
  (cd -- "$(dirname -- "$f")" && sha256sum -- "$(basename -- "$f")") >"$f.sha256"
}

# verify_sha256 <file> <sha file>
verify_sha256() {
  local f=$1 sumfile=$2 want got
  want=$(awk 'NR==1{print $1}' "$sumfile")
  [[ $want =~ ^[0-9a-f]{64}$ ]] || return 1
  got=$(sha256sum -- "$f" | awk '{print $1}')
  [[ $want == "$got" ]]
}

# ---- metrics ----------------------------------------------------------------------------------
# metric_set <name> <store> <database> <value> <help>
# Updates one series in METRICS_TEXTFILE (kept whole: other series, such as the last success
# of an earlier run, survive) and POSTs it to PUSHGATEWAY_URL, grouped by store and database
# (POST replaces only metrics of the same name in the group). A failed push is reported, not
# fatal: the artefact is good, and the freshness alert still covers a lasting outage.

METRICS_JOB=estate_backup

metric_set() {
  local name=$1 store=$2 db=$3 value=$4 help=$5
  if [[ -n ${METRICS_TEXTFILE:-} ]]; then
    local file=$METRICS_TEXTFILE tmp
    mkdir -p -- "$(dirname -- "$file")"
    tmp=$(mktemp "$file.XXXXXX")
    # Rebuild the whole file: HELP/TYPE once per family, series sorted, new value merged in.
    { [[ -f $file ]] && cat -- "$file"; true; } | awk -v name="$name" -v help="$help" \
      -v series="$name{store=\"$store\",database=\"$db\"}" -v value="$value" '
      /^# HELP / { n = $3; t = $0; sub(/^# HELP [^ ]+ ?/, "", t); h[n] = t; next }
      /^#/ || NF == 0 { next }
      { k = $1; n = k; sub(/\{.*/, "", n); s[k] = $2; fam[k] = n }
      END {
        h[name] = help; s[series] = value; fam[series] = name
        for (k in s) {
          n = fam[k]
          if (!(n in done)) { done[n] = 1; print n "\t0\t# HELP " n " " h[n]; print n "\t1\t# TYPE " n " gauge" }
          print n "\t2\t" k " " s[k]
        }
      }' | LC_ALL=C sort -t $'\t' -k1,1 -k2,2 -k3,3 | cut -f3- >"$tmp"
    chmod 0644 "$tmp"
    mv -f -- "$tmp" "$file"
  fi
  if [[ -n ${PUSHGATEWAY_URL:-} ]]; then
    local url db64
    db64=$(printf '%s' "$db" | base64 | tr '+/' '-_' | tr -d '=\n')
    url="${PUSHGATEWAY_URL%/}/metrics/job/$METRICS_JOB/store/$store/database@base64/${db64:-=}"
    if ! printf '# TYPE %s gauge\n%s %s\n' "$name" "$name" "$value" |
      curl -fsS --max-time 20 --retry 3 --data-binary @- "$url" >/dev/null 2>&1; then
      log_event metrics error "metric=$name" "store=$store" "database=$db" reason=pushgateway_push_failed
    fi
  fi
}

# ---- PostgreSQL -------------------------------------------------------------------------------

# Exact row count of every ordinary table, as `schema.table<TAB>count` lines (psql -A -t -F tab).
# The same query runs at backup time (inside the dump's snapshot) and after the drill's restore.
# shellcheck disable=SC2034 # used by the scripts that source this file
PG_COUNT_SQL="SELECT format('SELECT %L, count(*) FROM %I.%I', n.nspname || '.' || c.relname, n.nspname, c.relname)
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE c.relkind = 'r' AND n.nspname <> 'information_schema' AND n.nspname !~ '^pg_'
  ORDER BY n.nspname, c.relname
\\gexec"

# shellcheck disable=SC2034
PSQL=(psql -X -w -q -A -t -v ON_ERROR_STOP=1)

# pg_dump refuses a server newer than itself, and pg_restore replays what its own version
# writes (pg_dump 17 emits `SET transaction_timeout`, which 15 rejects): put the client of the
# server's major first on PATH when the image carries it (Debian layout, one dir per major).
pg_select_client() {
  local num major
  num=$("${PSQL[@]}" -d "$1" -c "SHOW server_version_num") ||
    die "could not ask the server for its version (see the psql message above)"
  [[ $num =~ ^[0-9]{5,6}$ ]] || die "unexpected server_version_num \`$num\`"
  major=$((num / 10000))
  if [[ -x /usr/lib/postgresql/$major/bin/pg_dump ]]; then PATH=/usr/lib/postgresql/$major/bin:$PATH; fi
  local have
  have=$(pg_dump --version | awk '{print $3}')
  [[ ${have%%.*} -ge $major ]] ||
    die "pg_dump $have is older than the server (major $major): the image lacks postgresql-client-$major"
}

# ---- one backup run per database ----------------------------------------------------------------
# Scripts set STORE (postgres|redis|neo4j) and define backup_one <name>; run_each runs it in a
# subshell per name so one failure is reported and the others still run, and exits 0 only when
# every name succeeded. Inside, `fail <reason> <message>` reports and exits the subshell.

REPORTED=0 FAIL_REASON=unexpected STAGE="" STORE="" SUBJECT=""

report_failure() {
  err "$2"
  log_event backup error "store=$STORE" "database=$SUBJECT" "reason=$1"
  REPORTED=1
}
fail() { report_failure "$1" "$2"; exit 1; }

# Runs from the EXIT trap: errexit off, so one failing cleanup step cannot skip the rest.
_finish_one() {
  local rc=$1
  set +e
  if [[ -n $STAGE && -d $STAGE ]]; then rm -rf -- "$STAGE"; fi
  [[ $rc -eq 0 || $REPORTED -eq 1 ]] || report_failure "$FAIL_REASON" "backup of \`$SUBJECT\` failed (exit $rc)"
}

run_each() {
  local status=0 name
  for name in "$@"; do
    set +e
    # errexit stays on inside: the subshell is not part of a condition.
    (
      set -e
      SUBJECT=$name
      trap '_finish_one $?' EXIT
      check_name database "$name" || fail invalid_name "refusing database \`$name\`"
      backup_one "$name"
    )
    # shellcheck disable=SC2181 # `( ... ) || x` would switch errexit off inside
    [[ $? -eq 0 ]] || status=1
    set -e
  done
  return "$status"
}

# publish_artefact <name> <ts> <suffix> <start epoch>: checksums the staged ciphertext
# $STAGE/<ts><suffix>, publishes manifest (if any), checksum and data (data last), prunes,
# writes the freshness metrics and the one log line of the run.
publish_artefact() {
  local name=$1 ts=$2 suffix=$3 start=$4 rel="$STORE/$1" bytes pruned
  FAIL_REASON=publish_failed
  [[ -s $STAGE/$ts$suffix ]] || fail empty_artefact "the encrypted artefact for \`$name\` is empty"
  write_sha256 "$STAGE/$ts$suffix"
  bytes=$(stat -c %s -- "$STAGE/$ts$suffix")
  if [[ -f $STAGE/$ts.manifest.tsv ]]; then dest_put "$STAGE/$ts.manifest.tsv" "$rel/$ts.manifest.tsv"; fi
  dest_put "$STAGE/$ts$suffix.sha256" "$rel/$ts$suffix.sha256"
  dest_put "$STAGE/$ts$suffix" "$rel/$ts$suffix"
  pruned=$(prune_local "$rel" "$suffix")
  metric_set estate_backup_last_success_timestamp_seconds "$STORE" "$name" "$(epoch_now)" \
    "Unix time of the last successful encrypted backup."
  metric_set estate_backup_last_size_bytes "$STORE" "$name" "$bytes" \
    "Size in bytes of the last successful encrypted backup artefact."
  log_event backup ok "store=$STORE" "database=$name" "bytes=$bytes" \
    "duration_seconds=$(($(epoch_now) - start))" "artefact=$rel/$ts$suffix" "pruned=$pruned"
  REPORTED=1
  # The backup is published: a failure to read the drill markers must not fail it.
  log_drill_age "$STORE" "$name" || err "could not read the restore-drill markers of \`$name\`"
}

# ---- restore-drill heartbeat ------------------------------------------------------------------
# A successful drill leaves a marker `<stamp>.drill-ok` under <store>/<database>/drills/ (a new
# object each time: the storage is write-once). Every daily backup then logs the newest marker's
# age, `restore_drill_age status=ok store=... database=... age_seconds=...` (`status=none` before
# any drill), so an alert that sees only two days of logs (Azure log search alerts) can still tell
# that a monthly drill is overdue.

# record_drill_success <store> <database> <artefact> <work dir>
record_drill_success() {
  local store=$1 db=$2 artefact=$3 work=$4 ts
  ts=$(utc_stamp)
  # Two drills finishing within one second: the marker of that second already says a drill
  # succeeded then, and the storage would refuse a second object of that name.
  if dest_list "$store/$db/drills" | grep -qxF -- "$ts.drill-ok"; then return 0; fi
  printf 'restored %s\n' "$artefact" >"$work/$ts.drill-ok"
  dest_put "$work/$ts.drill-ok" "$store/$db/drills/$ts.drill-ok"
}

# stamp_epoch <YYYYMMDDTHHMMSSZ>
stamp_epoch() {
  local s=$1
  date -u -d "${s:0:4}-${s:4:2}-${s:6:2}T${s:9:2}:${s:11:2}:${s:13:2}Z" +%s
}

# log_drill_age <store> <database>
log_drill_age() {
  local store=$1 db=$2 latest age
  latest=$(latest_artefact "$store/$db/drills" .drill-ok)
  if [[ -z $latest ]]; then
    log_event restore_drill_age none "store=$store" "database=$db"
    return 0
  fi
  age=$(($(epoch_now) - $(stamp_epoch "${latest%.drill-ok}")))
  log_event restore_drill_age ok "store=$store" "database=$db" "age_seconds=$age"
}

# ---- Redis ------------------------------------------------------------------------------------

REDIS_ARGS=()

# Sets REDIS_ARGS from REDIS_URL, or REDIS_HOST/REDIS_PORT/REDIS_USER/REDIS_TLS/REDIS_CACERT.
# The password goes to REDISCLI_AUTH, which redis-cli reads itself: never onto argv.
redis_connection() {
  local host=${REDIS_HOST:-127.0.0.1} port=${REDIS_PORT:-6379} user=${REDIS_USER:-} tls=${REDIS_TLS:-false}
  if [[ -n ${REDIS_URL:-} ]]; then
    local re='^(rediss?)://(([^:@/]*)(:([^@/]*))?@)?([^:/?]+)(:([0-9]+))?(/[0-9]*)?$'
    [[ $REDIS_URL =~ $re ]] ||
      die "REDIS_URL is not redis[s]://[user][:password]@host[:port][/db] (value not shown)"
    [[ ${BASH_REMATCH[1]} == rediss ]] && tls=true || tls=false
    user=${BASH_REMATCH[3]} host=${BASH_REMATCH[6]} port=${BASH_REMATCH[8]:-6379}
    # The password is percent-encoded in a URL.
    if [[ -n ${BASH_REMATCH[5]} ]]; then
      local pw=${BASH_REMATCH[5]}
      REDISCLI_AUTH=$(printf '%b' "${pw//%/\\x}")
      export REDISCLI_AUTH
    fi
  fi
  REDIS_ARGS=(-h "$host" -p "$port" --no-auth-warning)
  [[ -z $user ]] || REDIS_ARGS+=(--user "$user")
  case $tls in
    true | 1) REDIS_ARGS+=(--tls); [[ -z ${REDIS_CACERT:-} ]] || REDIS_ARGS+=(--cacert "$REDIS_CACERT") ;;
    false | 0 | "") ;;
    *) die "REDIS_TLS must be true or false, got \`$tls\`" ;;
  esac
}

# Sum of keys over every logical database, from `INFO keyspace` (`db0:keys=3,expires=0,...`).
redis_key_count() {
  local out
  # Bounded: a wrong TLS setting makes redis-cli wait for ever instead of failing.
  out=$(timeout 120 redis-cli "$@" info keyspace) || return 1
  [[ $out == *"# Keyspace"* ]] || { printf '%s\n' "$out" >&2; return 1; }
  awk -F '[:=,]' '/^db[0-9]+:/ { n += $3 } END { print n + 0 }' <<<"$out"
}

# ---- restore drills of one artefact per store ------------------------------------------------
# A drill script sets STORE and DRILL_SUBJECT, defines drill_restore (restores "$DRILL_DATA" and
# writes the restored counts, `name<TAB>count` lines, to "$DRILL_WORK/actual.tsv") and
# drill_cleanup (run on exit), then calls run_drill <data suffix> <tolerance percent> [empty-ok].
# The manifest's non-comment lines are the expected counts. Exit codes (runbook 004): 0 healthy,
# 1 error, 2 unhealthy (restored, counts differ).

DRILL_SUBJECT="" DRILL_WORK="" DRILL_DATA="" DRILL_MANIFEST="" DRILL_LATEST=""

drill_report() {
  err "$3"
  log_event restore_drill "$1" "store=$STORE" "database=$DRILL_SUBJECT" "reason=$2"
  metric_set estate_restore_drill_success "$STORE" "$DRILL_SUBJECT" 0 \
    "1 if the last restore drill restored the newest backup and its counts matched, else 0."
  REPORTED=1
}
# drill_fail <exit code> <reason> <message>
drill_fail() {
  local status=error
  [[ $1 -eq 2 ]] && status=unhealthy
  drill_report "$status" "$2" "$3"
  exit "$1"
}

# Fetches the newest artefact of $STORE/$DRILL_SUBJECT and checks its checksum and manifest.
drill_fetch() {
  local suffix=$1 rel="$STORE/$DRILL_SUBJECT" ts sumfile
  DRILL_LATEST=$(latest_artefact "$rel" "$suffix")
  [[ -n $DRILL_LATEST ]] || drill_fail 1 missing_backup "no backup of \`$DRILL_SUBJECT\` found under $BACKUP_DEST/$rel"
  ts=${DRILL_LATEST%"$suffix"}
  if [[ $DEST_KIND == local ]]; then
    DRILL_DATA=$DEST_ROOT/$rel/$DRILL_LATEST sumfile=$DRILL_DATA.sha256 DRILL_MANIFEST=$DEST_ROOT/$rel/$ts.manifest.tsv
  else
    DRILL_DATA=$DRILL_WORK/$DRILL_LATEST sumfile=$DRILL_DATA.sha256 DRILL_MANIFEST=$DRILL_WORK/$ts.manifest.tsv
    dest_get "$rel/$DRILL_LATEST" "$DRILL_DATA" || drill_fail 1 download_failed "could not download $rel/$DRILL_LATEST"
    dest_get "$rel/$DRILL_LATEST.sha256" "$sumfile" || true
    dest_get "$rel/$ts.manifest.tsv" "$DRILL_MANIFEST" || true
  fi
  [[ -f $sumfile ]] || drill_fail 1 missing_checksum "checksum file $rel/$DRILL_LATEST.sha256 is missing"
  [[ -f $DRILL_MANIFEST ]] || drill_fail 1 missing_manifest "manifest $rel/$ts.manifest.tsv is missing"
  verify_sha256 "$DRILL_DATA" "$sumfile" ||
    drill_fail 1 checksum_mismatch "checksum mismatch for $rel/$DRILL_LATEST: the artefact is corrupt or was altered"
}

# drill_compare <tolerance percent> [empty-ok]: expected (manifest) against actual counts. A
# manifest without counts is a truncated one, unless the store can be empty (a database with no
# tables has nothing to count).
drill_compare() {
  local tolerance=$1 empty_ok=${2:-} diffs
  awk '!/^#/ && NF' "$DRILL_MANIFEST" | LC_ALL=C sort >"$DRILL_WORK/expected.tsv"
  [[ -s $DRILL_WORK/expected.tsv || $empty_ok == empty-ok ]] ||
    drill_fail 1 missing_manifest "manifest of $DRILL_LATEST holds no counts"
  LC_ALL=C sort -o "$DRILL_WORK/actual.tsv" "$DRILL_WORK/actual.tsv"
  diffs=$(LC_ALL=C join -t $'\t' -a 1 -a 2 -e missing -o 0,1.2,2.2 "$DRILL_WORK/expected.tsv" "$DRILL_WORK/actual.tsv" |
    awk -F '\t' -v tol="$tolerance" '
      $2 == "missing" || $3 == "missing" { printf "  %s: manifest=%s restored=%s\n", $1, $2, $3; next }
      { d = $2 - $3; if (d < 0) d = -d; if (d * 100 > tol * $2 || ($2 > 0 && $3 == 0)) printf "  %s: manifest=%s restored=%s\n", $1, $2, $3 }')
  [[ -z $diffs ]] ||
    drill_fail 2 count_mismatch "restored copy of \`$DRILL_SUBJECT\` ($DRILL_LATEST) differs from its manifest:
$diffs"
}

# run_drill <data suffix> <tolerance percent> [empty-ok]
run_drill() {
  local suffix=$1 tolerance=$2 empty_ok=${3:-} start
  start=$(epoch_now)
  REPORTED=0
  DRILL_WORK=$(mktemp -d "${BACKUP_WORK_DIR:-/tmp}/drill.XXXXXX")
  trap 'rc=$?; set +e; drill_cleanup; rm -rf -- "$DRILL_WORK"; [[ $rc -eq 0 || $REPORTED -eq 1 ]] || drill_report error unexpected "drill of \`$DRILL_SUBJECT\` failed (exit $rc)"' EXIT
  check_name database "$DRILL_SUBJECT" || drill_fail 1 invalid_name "refusing database \`$DRILL_SUBJECT\`"
  drill_fetch "$suffix"
  : >"$DRILL_WORK/actual.tsv"
  drill_restore
  drill_compare "$tolerance" "$empty_ok"
  metric_set estate_restore_drill_success "$STORE" "$DRILL_SUBJECT" 1 \
    "1 if the last restore drill restored the newest backup and its counts matched, else 0."
  metric_set estate_restore_drill_last_success_timestamp_seconds "$STORE" "$DRILL_SUBJECT" "$(epoch_now)" \
    "Unix time of the last successful restore drill."
  record_drill_success "$STORE" "$DRILL_SUBJECT" "$DRILL_LATEST" "$DRILL_WORK" ||
    drill_fail 1 record_failed "could not record the drill's success under $STORE/$DRILL_SUBJECT/drills"
  log_event restore_drill ok "store=$STORE" "database=$DRILL_SUBJECT" "artefact=$STORE/$DRILL_SUBJECT/$DRILL_LATEST" \
    "counts=$(awk -F '\t' '{printf "%s%s:%s", (NR > 1 ? "," : ""), $1, $2}' "$DRILL_WORK/actual.tsv")" \
    "duration_seconds=$(($(epoch_now) - start))"
  REPORTED=1
}

# Decrypts "$DRILL_DATA" to stdout; an age failure is reported as decrypt_failed by the caller.
drill_decrypt() { age -d -i "$BACKUP_AGE_IDENTITY_FILE" -- "$DRILL_DATA"; }

require_age_identity() {
  need_cmd age sha256sum
  [[ -n ${BACKUP_AGE_IDENTITY_FILE:-} ]] ||
    die "BACKUP_AGE_IDENTITY_FILE is not set: the drill needs the age private key to decrypt the backup"
  [[ -r $BACKUP_AGE_IDENTITY_FILE ]] ||
    die "BACKUP_AGE_IDENTITY_FILE \`$BACKUP_AGE_IDENTITY_FILE\` is not a readable file"
}
