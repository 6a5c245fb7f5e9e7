#!/usr/bin/env bash
# The long fuzz run: the TypeScript properties (bench/fuzz.ts, fast-check) and the Python writer's
# (python/tests/test_capture_fuzz.py, hypothesis), with iteration counts printed.
#   bash bench/fuzz.sh [SECONDS_PER_PROPERTY]   (default 60)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
mkdir -p bench/out
npx esbuild bench/fuzz.ts --bundle --platform=node --target=node18 --format=cjs --outfile=bench/out/fuzz.cjs --log-level=warning
status=0
node bench/out/fuzz.cjs --seconds-per-property "$seconds" || status=1
J2O_FUZZ_SECONDS=$seconds .venv/bin/python -m pytest -q -s -p no:cacheprovider python/tests/test_capture_fuzz.py || status=1
exit $status
