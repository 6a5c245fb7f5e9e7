#!/usr/bin/env bash
# The widget bench: standalone viewer page in headless Chromium (playwright-core), generated graphs
# of 1k/5k/10k nodes, screenshots of real models into bench/out/, results into bench/widget/results.md.
#   bash bench/widget/run.sh            (J2O_BENCH_SIZES=1000,5000 to choose sizes)
set -euo pipefail
cd "$(dirname "$0")/../.."
mkdir -p bench/out
npx tsc -p bench/widget/tsconfig.json
.venv/bin/python examples/quickstart.py --output bench/out/mlp.onnx > /dev/null
.venv/bin/python bench/widget/two_scopes.py bench/out/two_scopes.onnx
node bench/widget/bench.mjs
