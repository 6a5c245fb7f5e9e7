#!/usr/bin/env bash
# Builds the prebuilt JupyterLab extension (lib/ -> python/jax2onnx_lab/labextension) with
# jupyter-builder, from .venv when it is there (scripts/setup.sh), else from PATH.
set -euo pipefail
cd "$(dirname "$0")/.."
builder=.venv/bin/jupyter-builder
[ -x "$builder" ] || builder=$(command -v jupyter-builder) || { echo "jupyter-builder not found: run bash scripts/setup.sh (it installs it into .venv)" >&2; exit 1; }
# The builder adds this build's hashed chunks beside the last build's: clear them first, so no
# stale asset ships in the wheel (or trips the asset scan in python/tests/test_no_code_from_data.py).
rm -rf python/jax2onnx_lab/labextension/static
exec "$builder" build .
