#!/usr/bin/env bash
# The main job: set up, then convert the quickstart MLP to mlp.onnx and print a summary.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/python examples/quickstart.py "$@"
