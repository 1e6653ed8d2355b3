#!/usr/bin/env bash
# Installs everything secops needs on a Debian machine: system packages, then a virtualenv in
# .venv with secops and its Python dependencies. Safe to run again; it only adds what is missing.
#   scripts/install.sh          runtime (what `secops demo` needs)
#   scripts/install.sh --dev    plus the test tools and the services the tests start
set -euo pipefail
cd "$(dirname "$0")/.."

dev=0
[[ "${1:-}" == "--dev" ]] && dev=1

runtime_debs=(python3-venv fontconfig fonts-noto-cjk libpango-1.0-0 libpangoft2-1.0-0 poppler-utils nmap iproute2)
# yara: the CLI baseline of bench/yara_scan.py; Java + Maven fetch and run the Elasticsearch node
# (scripts/elasticsearch.sh); chromium + its driver render the center dashboard in the tests;
# MariaDB serves the MySQL table tests of secops data;
# LibreOffice proves the 定级报告/备案表/overview documents open (converted to PDF in the tests)
dev_debs=(postgresql mariadb-server openssh-server redis-server openssl yara default-jre-headless maven unzip curl chromium chromium-driver libreoffice-writer-nogui libreoffice-calc-nogui)
debs=("${runtime_debs[@]}")
(( dev )) && debs+=("${dev_debs[@]}")

missing=()
for pkg in "${debs[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if (( ${#missing[@]} )); then
  echo "secops: installing Debian packages: ${missing[*]}"
  sudo_cmd=()
  if [[ $(id -u) -ne 0 ]]; then
    command -v sudo >/dev/null || { echo "secops: need root or sudo to install ${missing[*]}" >&2; exit 2; }
    sudo_cmd=(sudo)
  fi
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get update -q >/dev/null
  "${sudo_cmd[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
fi

# Documents name the official faces (宋体, 黑体, 仿宋_GB2312) first; this fontconfig alias resolves them
# to the free Noto CJK SC faces, where LibreOffice would otherwise fall back to a sans face.
fonts_conf=/etc/fonts/conf.d/64-secops-official-cjk.conf
if ! cmp -s reports/fonts/64-secops-official-cjk.conf "$fonts_conf"; then
  sudo_cmd=()
  [[ $(id -u) -ne 0 ]] && sudo_cmd=(sudo)
  "${sudo_cmd[@]}" install -m 0644 reports/fonts/64-secops-official-cjk.conf "$fonts_conf"
  fc-cache -f >/dev/null 2>&1 || true
fi

python=""
for candidate in python3.12 python3.11 python3; do
  if command -v "$candidate" >/dev/null && "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    python=$candidate; break
  fi
done
[[ -n "$python" ]] || { echo "secops: Python 3.11 or newer is required" >&2; exit 2; }

if [[ ! -x .venv/bin/python ]]; then
  echo "secops: creating .venv with $($python --version)"
  "$python" -m venv .venv
fi
extras="postgres,mysql"
(( dev )) && extras="postgres,mysql,dev"
stamp=".venv/.secops-installed-$extras"
# Reinstall only when the dependency list changed since the last install.
if [[ ! -f "$stamp" || setup.cfg -nt "$stamp" || pyproject.toml -nt "$stamp" ]]; then
  echo "secops: installing Python packages (.[${extras}])"
  log=.venv/install.log
  # pip's own chatter goes to a log; it is shown only when something fails.
  if ! { .venv/bin/python -m pip install --upgrade pip setuptools wheel &&
         .venv/bin/python -m pip install -e ".[${extras}]"; } >"$log" 2>&1; then
    tail -n 40 "$log" >&2
    echo "secops: installing Python packages failed (full log: $log)" >&2
    exit 1
  fi
  touch "$stamp"
fi
