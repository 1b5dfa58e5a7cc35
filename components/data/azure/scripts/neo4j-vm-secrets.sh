#!/usr/bin/env bash
# shellcheck shell=bash
# Boot unit of the Neo4j VM (runs before neo4j.service, and daily): reads Neo4j's secrets from
# Key Vault as the VM's managed identity and installs them where Neo4j reads them. Nothing secret
# is in the VM's definition or custom data; this is the only path a secret takes onto the host.
#   - the Bolt TLS key and certificate -> $BOLT_CERT_DIR/{private.key,public.crt}
#   - the neo4j password -> `neo4j-admin dbms set-initial-password`, once, before the first start
# Env (from /etc/estate/neo4j-secrets.env, none of it secret):
#   IDENTITY_CLIENT_ID   client id of the VM's user-assigned identity
#   PASSWORD_SECRET_URI, TLS_KEY_SECRET_URI, TLS_CERT_SECRET_URI   versionless Key Vault secret URIs
#   BOLT_CERT_DIR        base directory of Neo4j's bolt SSL policy (dbms.ssl.policy.bolt.base_directory)
#   IMDS_ENDPOINT (default the Azure instance metadata service), NEO4J_HOME, NEO4J_ADMIN,
#   NEO4J_RESTART (a command run when a certificate changed on a running server; default none),
#   CURL_RETRIES (default 30, 10 s apart)
# Exit 0 when every secret is installed, 1 otherwise (neo4j.service then does not start).
set -euo pipefail

IMDS_ENDPOINT=${IMDS_ENDPOINT:-http://169.254.169.254}
NEO4J_HOME=${NEO4J_HOME:-/var/lib/neo4j}
NEO4J_ADMIN=${NEO4J_ADMIN:-neo4j-admin}
: "${IDENTITY_CLIENT_ID:?set IDENTITY_CLIENT_ID to the client id of the identity the VM runs as}"
: "${PASSWORD_SECRET_URI:?set PASSWORD_SECRET_URI}" "${TLS_KEY_SECRET_URI:?set TLS_KEY_SECRET_URI}"
: "${TLS_CERT_SECRET_URI:?set TLS_CERT_SECRET_URI}" "${BOLT_CERT_DIR:?set BOLT_CERT_DIR}"

# Role assignments reach Key Vault minutes after they are created: retry rather than fail the boot.
CURL=(curl --fail --silent --show-error --retry "${CURL_RETRIES:-30}" --retry-delay 10 --retry-all-errors --max-time 30)

json_field() { python3 -c 'import json, sys; print(json.load(sys.stdin)[sys.argv[1]], end="")' "$1"; }

# IMDS token for Key Vault (learn.microsoft.com/entra/identity/managed-identities-azure-resources/how-to-use-vm-token).
token=$("${CURL[@]}" -H Metadata:true --get \
  --data-urlencode "api-version=2018-02-01" \
  --data-urlencode "resource=https://vault.azure.net" \
  --data-urlencode "client_id=$IDENTITY_CLIENT_ID" \
  "$IMDS_ENDPOINT/metadata/identity/oauth2/token" | json_field access_token)

# Key Vault "Get Secret" REST call; the value goes to stdout only.
secret() { "${CURL[@]}" -H "Authorization: Bearer $token" "$1?api-version=7.4" | json_field value; }

# Writes stdin to $1 with mode $2 through a temporary file in the same directory, so a reader
# never sees half a key; prints "changed" when the content differs from what was there.
install_file() {
  local target=$1 mode=$2 tmp
  tmp=$(mktemp "$target.XXXXXX")
  cat >"$tmp"
  chmod "$mode" "$tmp"
  if [[ -f $target ]] && cmp -s "$tmp" "$target"; then
    rm -f "$tmp"
  else
    mv -f "$tmp" "$target"
    echo changed
  fi
}

umask 077
# Every secret is read before anything is written: a refused read leaves the host as it was.
key=$(secret "$TLS_KEY_SECRET_URI")
cert=$(secret "$TLS_CERT_SECRET_URI")
[[ -n $key && -n $cert ]] || { echo "Key Vault returned an empty Bolt key or certificate" >&2; exit 1; }
certs=$BOLT_CERT_DIR
mkdir -p "$certs"
changed=$(
  printf '%s' "$key" | install_file "$certs/private.key" 0600
  printf '%s' "$cert" | install_file "$certs/public.crt" 0644
)
if id neo4j >/dev/null 2>&1; then chown -R neo4j:neo4j "$certs"; fi

# Neo4j keeps its users in the system database; an initial password has effect only before the
# first start, so it is set once; changing it later is an ALTER USER over Bolt.
if [[ ! -e $NEO4J_HOME/data/dbms/auth.ini && ! -d $NEO4J_HOME/data/databases/system ]]; then
  # neo4j-admin takes the password as an argument: the process lives a second, on this host only.
  password=$(secret "$PASSWORD_SECRET_URI")
  "$NEO4J_ADMIN" dbms set-initial-password "$password"
fi

if [[ -n $changed && -n ${NEO4J_RESTART:-} ]]; then
  echo "Bolt certificate changed: restarting Neo4j" >&2
  $NEO4J_RESTART
fi
