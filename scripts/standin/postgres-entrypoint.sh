#!/bin/sh
# The postgres:15 stand-in's entry point: the official image's contract that compose.replicas.yaml
# relies on. On an empty $PGDATA: initdb with POSTGRES_USER and POSTGRES_PASSWORD (password auth
# over the network), then POSTGRES_DB created; then PostgreSQL on every interface.
set -eu
PGDATA=${PGDATA:-/var/lib/postgresql/data}
user=${POSTGRES_USER:-postgres}
db=${POSTGRES_DB:-$user}
mkdir -p "$PGDATA"
chown postgres:postgres "$PGDATA"
chmod 0700 "$PGDATA"
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  pw=$(mktemp)
  printf '%s\n' "${POSTGRES_PASSWORD:?POSTGRES_PASSWORD is required}" > "$pw"
  chown postgres "$pw"
  runuser -u postgres -- initdb -D "$PGDATA" -U "$user" --pwfile="$pw" \
    --auth-local=trust --auth-host=scram-sha-256 >/dev/null
  rm -f "$pw"
  echo "host all all all scram-sha-256" >> "$PGDATA/pg_hba.conf"
  if [ "$db" != postgres ]; then
    echo "CREATE DATABASE \"$db\" OWNER \"$user\";" |
      runuser -u postgres -- postgres --single -D "$PGDATA" -j postgres >/dev/null
  fi
fi
[ "${1:-postgres}" = postgres ] && shift || true
exec runuser -u postgres -- postgres -D "$PGDATA" -c listen_addresses='*' "$@"
