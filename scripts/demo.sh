#!/usr/bin/env bash
# README command 1: install everything, then run the main job end to end on the embedded default.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install.sh
exec .venv/bin/secops demo "$@"
