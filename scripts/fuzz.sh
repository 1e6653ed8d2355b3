#!/usr/bin/env bash
# Long property-based fuzzing of detection (tests/hostile/test_fuzz_detection.py): every log
# reader and the Sigma loader/compiler/engine, with N examples per property (default 5000) and new
# random examples on every run. CI runs the same properties with 100 examples and a fixed seed.
#   scripts/fuzz.sh                  # 5000 examples per property
#   scripts/fuzz.sh 20000 -x         # more examples; extra arguments go to pytest
#   SECOPS_SIGMAHQ=/path/to/sigma scripts/fuzz.sh   # mutate a SigmaHQ checkout's rules too
set -euo pipefail
cd "$(dirname "$0")/.."
examples=5000
if [[ $# -gt 0 && $1 =~ ^[0-9]+$ ]]; then
  examples=$1
  shift
fi
export SECOPS_FUZZ_EXAMPLES=$examples
exec .venv/bin/pytest -p no:cacheprovider -q tests/hostile/test_fuzz_detection.py "$@"
