#!/usr/bin/env bash
# A real Elasticsearch node on loopback for the tests, the benchmarks and a center on one machine.
#   scripts/elasticsearch.sh start DIR   -> fetches the node from Maven Central (once), starts it
#                                           with its data in DIR, waits for health, prints its URL
#   scripts/elasticsearch.sh stop DIR
# Elastic's integration-test distribution: server + HTTP, no bundled JDK (Java 17 runs 8.x), no
# security module. It refuses to run as root, so as root it runs as the system user secops-es.
set -euo pipefail
cd "$(dirname "$0")/.."
ES_VERSION=${SECOPS_ES_VERSION:-8.19.16}  # in step with the elasticsearch client pin (8.x)
action=${1:-} dir=${2:-}
[[ -n "$action" && -n "$dir" ]] || { echo "usage: elasticsearch.sh start|stop DIR" >&2; exit 2; }
home=$PWD/.es/elasticsearch-$ES_VERSION

fail() { echo "elasticsearch.sh: $*" >&2; exit 1; }

fetch() {
  local zip=$HOME/.m2/repository/org/elasticsearch/distribution/integ-test-zip/elasticsearch/$ES_VERSION/elasticsearch-$ES_VERSION.zip
  [[ -d "$home" ]] && return 0
  command -v java >/dev/null || fail "Java is not installed (scripts/install.sh --dev installs it)"
  if [[ ! -f "$zip" ]]; then
    command -v mvn >/dev/null || fail "Maven is not installed (scripts/install.sh --dev installs it)"
    echo "elasticsearch.sh: fetching Elasticsearch $ES_VERSION from Maven Central" >&2
    mvn -B -q org.apache.maven.plugins:maven-dependency-plugin:3.6.1:get -Dtransitive=false \
      -Dartifact="org.elasticsearch.distribution.integ-test-zip:elasticsearch:$ES_VERSION:zip" >&2 \
      || fail "cannot fetch org.elasticsearch.distribution.integ-test-zip:elasticsearch:$ES_VERSION:zip from Maven Central; the Elasticsearch tests cannot run without it"
  fi
  mkdir -p .es
  local tmp
  tmp=$(mktemp -d .es/unzip.XXXXXX)
  unzip -q "$zip" -d "$tmp" || fail "cannot unzip $zip"
  mv "$tmp/elasticsearch-$ES_VERSION" "$home"
  rmdir "$tmp"
}

free_port() {
  local port=${SECOPS_ES_PORT:-9200}
  while (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((port + 1)); done
  echo "$port"
}

start() {
  fetch
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  local port as_user=()
  port=$(free_port)
  # Config per run (copied) so parallel nodes do not share settings, data or logs.
  rm -rf "$dir/config"
  cp -r "$home/config" "$dir/config"
  {
    echo "cluster.name: secops-$port"
    echo "discovery.type: single-node"
    echo "network.host: 127.0.0.1"
    echo "http.port: $port"
    echo "path.data: $dir/data"
    echo "path.logs: $dir/logs"
    echo "action.destructive_requires_name: false"
    echo "cluster.routing.allocation.disk.threshold_enabled: false"
    [[ -d "$home/modules/x-pack-security" ]] && echo "xpack.security.enabled: false"
  } >>"$dir/config/elasticsearch.yml"
  if [[ $(id -u) -eq 0 ]]; then
    id secops-es >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin secops-es
    chown -R secops-es "$dir"
    chmod -R a+rX "$home"
    as_user=(runuser -u secops-es --)
  fi
  local java_home
  java_home=${ES_JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")}
  ES_JAVA_HOME="$java_home" ES_PATH_CONF="$dir/config" ES_JAVA_OPTS="${SECOPS_ES_HEAP:--Xms1g -Xmx1g}" \
    "${as_user[@]}" "$home/bin/elasticsearch" -d -p "$dir/pid" >/dev/null 2>"$dir/start.err" \
    || { cat "$dir/start.err" >&2; fail "the node did not start (log: $dir/logs)"; }
  local url="http://127.0.0.1:$port"
  for _ in $(seq 1 180); do
    if curl -fsS "$url/_cluster/health?wait_for_status=yellow&timeout=1s" >/dev/null 2>&1; then
      echo "$url"
      return 0
    fi
    sleep 1
  done
  tail -n 30 "$dir"/logs/*.log >&2 2>/dev/null || true
  stop
  fail "the node at $url did not become healthy within 180 s (log: $dir/logs)"
}

stop() {
  [[ -f "$dir/pid" ]] || return 0
  local pid
  pid=$(cat "$dir/pid")
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
  kill -9 "$pid" 2>/dev/null || true
  rm -f "$dir/pid"
}

case "$action" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: elasticsearch.sh start|stop DIR" >&2; exit 2 ;;
esac
