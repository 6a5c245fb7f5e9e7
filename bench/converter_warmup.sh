#!/usr/bin/env bash
# How V8's tier-up budget changes the converter's early conversions (bench/converter_warmup.ts):
#   bash bench/converter_warmup.sh CAPTURE.j2o... [--runs 100] [--reps 3]
# For each capture, fresh processes with V8's default flags and with the budget src/cli.ts sets
# alternate --reps times; the medians over the repetitions are printed with their ratio.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=100 reps=3 files=()
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs=$2; shift 2 ;;
    --reps) reps=$2; shift 2 ;;
    *) files+=("$1"); shift ;;
  esac
done
mkdir -p bench/out
npx esbuild bench/converter_warmup.ts --bundle --platform=node --target=node18 --format=cjs --outfile=bench/out/converter_warmup.cjs --log-level=warning
budget=$(grep -o -- '--interrupt-budget=[0-9]*' src/cli.ts)
for file in "${files[@]}"; do
  for _ in $(seq "$reps"); do
    echo "default $(node --min-semi-space-size=16 bench/out/converter_warmup.cjs "$file" "$runs")"
    echo "budget $(node --min-semi-space-size=16 "$budget" bench/out/converter_warmup.cjs "$file" "$runs")"
  done | python3 bench/converter_warmup_report.py "$file" "$runs" "$budget"
done
