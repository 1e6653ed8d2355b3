#!/usr/bin/env bash
# README command 2: install test dependencies, start what the tests need, run ruff, mypy and the
# whole pytest suite. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install.sh --dev

services=$(mktemp -d /tmp/secops-test-services.XXXXXX)
chmod 755 "$services"
cleanup() {
  scripts/elasticsearch.sh stop "$services/es" || true
  scripts/postgres.sh stop "$services/pg" || true
  scripts/mysql.sh stop "$services/mysql" || true
  rm -rf "$services"
}
trap cleanup EXIT

if SECOPS_TEST_POSTGRES_URL=$(scripts/postgres.sh start "$services/pg"); then
  export SECOPS_TEST_POSTGRES_URL
else
  echo "secops tests: PostgreSQL did not start; its tests will be skipped" >&2
fi

if SECOPS_TEST_MYSQL_URL=$(scripts/mysql.sh start "$services/mysql"); then
  export SECOPS_TEST_MYSQL_URL
else
  echo "secops tests: MariaDB did not start; the MySQL table tests will be skipped" >&2
fi

# Elasticsearch is not optional: without the node the run fails here, loudly.
if ! SECOPS_TEST_ES_URL=$(scripts/elasticsearch.sh start "$services/es"); then
  echo "secops tests: the Elasticsearch node could not be fetched or started (see above); failing" >&2
  exit 1
fi
export SECOPS_TEST_ES_URL SECOPS_TEST_ES_REQUIRED=1
export SECOPS_TEST_BROWSER_REQUIRED=1 SECOPS_TEST_OFFICE_REQUIRED=1  # install.sh --dev installs chromium, LibreOffice

echo "== ruff"
.venv/bin/ruff check secops tests bench
.venv/bin/ruff format --check secops tests bench
echo "== mypy"
.venv/bin/mypy
echo "== import-linter (the layers of setup.cfg)"
.venv/bin/lint-imports
echo "== pytest"
.venv/bin/python -m pytest "$@"
