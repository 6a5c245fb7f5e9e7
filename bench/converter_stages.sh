#!/usr/bin/env bash
# The converter alone, stage by stage, on saved captures (bench/converter_stages.ts):
#   bash bench/converter_stages.sh [--cpu-prof] CAPTURE.j2o... [--runs N]
# With --cpu-prof, Node writes a .cpuprofile into bench/out/ (open it in Chrome DevTools).
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p bench/out
npx esbuild bench/converter_stages.ts --bundle --platform=node --target=node18 --format=cjs --outfile=bench/out/converter_stages.cjs --log-level=warning
node_flags=()
if [ "${1:-}" = "--cpu-prof" ]; then
  shift
  node_flags=(--cpu-prof --cpu-prof-dir=bench/out)
fi
exec node "${node_flags[@]}" bench/out/converter_stages.cjs "$@"
