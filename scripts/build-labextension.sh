#!/usr/bin/env bash
# Builds the prebuilt JupyterLab extension (lib/ -> python/jax2onnx_lab/labextension) with
# jupyter-builder, from .venv when it is there (scripts/setup.sh), else from PATH.
set -euo pipefail
cd "$(dirname "$0")/.."
builder=.venv/bin/jupyter-builder
[ -x "$builder" ] || builder=$(command -v jupyter-builder) || { echo "jupyter-builder not found: run bash scripts/setup.sh (it installs it into .venv)" >&2; exit 1; }
exec "$builder" build .
