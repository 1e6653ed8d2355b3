#!/usr/bin/env bash
# Starts a throwaway PostgreSQL cluster for the tests (loopback only) and prints its URL.
#   scripts/postgres.sh start DIR   -> prints postgresql+psycopg://... on stdout
#   scripts/postgres.sh stop DIR
set -euo pipefail
action=$1 dir=$2
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[[ -n "$bin" ]] || { echo "postgres.sh: PostgreSQL is not installed (scripts/install.sh --dev installs it)" >&2; exit 2; }
port=${SECOPS_TEST_PG_PORT:-55432}
as_owner=()
if [[ $(id -u) -eq 0 ]]; then
  as_owner=(runuser -u postgres --)  # initdb refuses to run as root
fi
case "$action" in
  start)
    mkdir -p "$dir"
    [[ $(id -u) -eq 0 ]] && chown postgres "$dir"
    if [[ ! -f "$dir/PG_VERSION" ]]; then
      "${as_owner[@]}" "$bin/initdb" -D "$dir" -U secops --auth=trust -E UTF8 >/dev/null
    fi
    "${as_owner[@]}" "$bin/pg_ctl" -D "$dir" -l "$dir/server.log" -w \
      -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$dir -c fsync=off" start >/dev/null
    "$bin/createdb" -h 127.0.0.1 -p "$port" -U secops secops_test 2>/dev/null || true
    echo "postgresql+psycopg://secops@127.0.0.1:$port/secops_test"
    ;;
  stop)
    [[ -f "$dir/postmaster.pid" ]] && "${as_owner[@]}" "$bin/pg_ctl" -D "$dir" -m fast stop >/dev/null || true
    ;;
  *) echo "usage: postgres.sh start|stop DIR" >&2; exit 2 ;;
esac
