#!/usr/bin/env bash
# Starts a throwaway MariaDB (MySQL protocol) server for the tests, loopback only, and prints its URL.
#   scripts/mysql.sh start DIR   -> prints mysql+pymysql://... on stdout
#   scripts/mysql.sh stop DIR
# The server runs without grant tables (any user, no password): it holds test data only and
# listens on 127.0.0.1 alone.
set -euo pipefail
action=$1 dir=$2
command -v mariadbd >/dev/null || [[ -x /usr/sbin/mariadbd ]] ||
  { echo "mysql.sh: MariaDB is not installed (scripts/install.sh --dev installs it)" >&2; exit 2; }
server=$(command -v mariadbd || echo /usr/sbin/mariadbd)
port=${SECOPS_TEST_MYSQL_PORT:-53306}
owner=()
[[ $(id -u) -eq 0 ]] && owner=(--user=mysql)  # mariadbd refuses to run as root without it
case "$action" in
  start)
    mkdir -p "$dir/data"
    [[ $(id -u) -eq 0 ]] && chown -R mysql "$dir"
    if [[ ! -d "$dir/data/mysql" ]]; then
      mariadb-install-db --no-defaults "${owner[@]}" --datadir="$dir/data" --auth-root-authentication-method=normal \
        --skip-test-db >"$dir/install.log" 2>&1 || { cat "$dir/install.log" >&2; exit 1; }
    fi
    # --no-defaults must come first; the server's output goes to its log, not to our stdout (the URL)
    setsid "$server" --no-defaults "${owner[@]}" --datadir="$dir/data" --socket="$dir/mysqld.sock" \
      --pid-file="$dir/mysqld.pid" --port="$port" --bind-address=127.0.0.1 --skip-grant-tables \
      --character-set-server=utf8mb4 --collation-server=utf8mb4_unicode_ci \
      --innodb-buffer-pool-size=64M --innodb-flush-log-at-trx-commit=0 --log-error="$dir/server.log" \
      </dev/null >/dev/null 2>&1 &
    for _ in $(seq 1 100); do
      if mariadb --no-defaults -S "$dir/mysqld.sock" -u root -e "SELECT 1" >/dev/null 2>&1; then
        mariadb --no-defaults -S "$dir/mysqld.sock" -u root \
          -e "CREATE DATABASE IF NOT EXISTS secops_test CHARACTER SET utf8mb4" >/dev/null
        echo "mysql+pymysql://root@127.0.0.1:$port/secops_test?charset=utf8mb4"
        exit 0
      fi
      sleep 0.2
    done
    echo "mysql.sh: the server did not come up; its log:" >&2
    tail -n 20 "$dir/server.log" >&2 || true
    exit 1
    ;;
  stop)
    if [[ -f "$dir/mysqld.pid" ]]; then
      pid=$(cat "$dir/mysqld.pid")
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    fi
    ;;
  *) echo "usage: mysql.sh start|stop DIR" >&2; exit 2 ;;
esac
