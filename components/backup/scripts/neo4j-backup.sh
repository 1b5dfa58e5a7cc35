#!/usr/bin/env bash
# Encrypted online Neo4j backup (runbook 003 "backups"), Community edition included: a logical
# export streamed over Bolt. cypher-shell runs APOC's `apoc.export.cypher.all` with
# `stream: true`, so the server never writes a file; each batch of Cypher statements arrives
# base64-encoded (no quoting to undo), is decoded here and piped straight into age. Writes,
# under BACKUP_DEST:
#   neo4j/<database>/<UTC ts>.cypher.age (+ .sha256)   statements in cypher-shell format
#   neo4j/<database>/<UTC ts>.manifest.tsv              node and relationship counts exported
# cypher-shell reads NEO4J_URI, NEO4J_USERNAME and NEO4J_PASSWORD itself (never on argv).
# An export with no result rows, an unexpected header, or rows that do not decode fails the
# run. Exit 0 when every database was exported, 1 otherwise. Env contract: README.md.
. "$(dirname -- "${BASH_SOURCE[0]}")/lib.sh"

STORE=neo4j
require_age_recipients
CYPHER_SHELL=${CYPHER_SHELL:-cypher-shell}
need_cmd "$CYPHER_SHELL" base64 sha256sum
parse_dest
retention_days >/dev/null

# UNWIND_BATCH keeps the replay fast; the counts are the export's own cumulative progress
# (apoc ProgressReporter), so the manifest describes exactly what the artefact holds.
EXPORT_QUERY="CALL apoc.export.cypher.all(null, {stream: true, format: 'cypher-shell', useOptimizations: {type: 'UNWIND_BATCH', unwindBatchSize: 100}, batchSize: 10000})
YIELD nodes, relationships, cypherStatements
RETURN nodes, relationships, apoc.text.base64Encode(cypherStatements) AS statements;"

# Reads cypher-shell's plain output on stdin, writes the decoded statements to stdout and the
# last row's counts to $1. Any deviation from the expected shape is an error, never skipped.
decode_export() {
  local counts=$1 header rows=0 nodes="" rels="" line b64
  IFS= read -r header || { err "the export returned nothing: no header, no rows"; return 1; }
  [[ $header == "nodes, relationships, statements" ]] ||
    { err "unexpected export header \`${header:0:80}\` (is APOC core installed and enabled?)"; return 1; }
  # `|| -n $line`: a last row without its newline is still checked, not dropped.
  while IFS= read -r line || [[ -n $line ]]; do
    [[ $line =~ ^([0-9]+),\ ([0-9]+),\ (\"([A-Za-z0-9+/=]*)\"|NULL)$ ]] ||
      { err "export row $((rows + 1)) is not \`<nodes>, <relationships>, \"<base64>\"\`: ${line:0:80}"; return 1; }
    nodes=${BASH_REMATCH[1]} rels=${BASH_REMATCH[2]} b64=${BASH_REMATCH[4]}
    rows=$((rows + 1))
    if [[ -n $b64 ]]; then
      base64 -d <<<"$b64" || { err "export row $rows does not decode as base64"; return 1; }
      printf '\n'
    fi
  done
  [[ $rows -gt 0 ]] || { err "the export is empty: a header but no rows"; return 1; }
  printf 'nodes\t%s\nrelationships\t%s\n' "$nodes" "$rels" >"$counts"
}

backup_one() {
  local db=$1 ts start rcs
  start=$(epoch_now)
  ts=$(utc_stamp)
  STAGE=$(make_stage "neo4j/$db")
  FAIL_REASON=neo4j_export_failed
  set +e
  printf '%s\n' "$EXPORT_QUERY" |
    "$CYPHER_SHELL" --format plain --non-interactive -d "$db" 2>"$STAGE/cypher-shell.err" |
    decode_export "$STAGE/counts" 2>"$STAGE/decode.err" | encrypt_stream >"$STAGE/$ts.cypher.age"
  rcs=("${PIPESTATUS[@]}")
  set -e
  [[ ${rcs[1]} -eq 0 ]] ||
    fail neo4j_export_failed "cypher-shell export of \`$db\` failed: $(tail -n 3 "$STAGE/cypher-shell.err" | tr '\n' ' ')"
  [[ ${rcs[2]} -eq 0 ]] || fail neo4j_export_invalid "the export of \`$db\` is unusable: $(tr '\n' ' ' <"$STAGE/decode.err")"
  [[ ${rcs[3]} -eq 0 ]] || fail encrypt_failed "age could not encrypt the export of \`$db\`"
  {
    printf '# estate backup manifest: counts exported\n'
    printf '# database\t%s\n# artefact\t%s.cypher.age\n# format\tapoc-cypher-shell\n' "$db" "$ts"
    cat -- "$STAGE/counts"
  } >"$STAGE/$ts.manifest.tsv"
  rm -f -- "$STAGE/counts" "$STAGE/cypher-shell.err" "$STAGE/decode.err"
  publish_artefact "$db" "$ts" .cypher.age "$start"
}

listed=$(split_list "${NEO4J_DATABASES:-neo4j}")
mapfile -t databases <<<"$listed"
run_each "${databases[@]}"
