#!/usr/bin/env bash
# The main job: set up, check the quickstart conversion against JAX, then start JupyterLab on the
# quickstart notebook with the extension active (it prints the URL to open).
#   bash scripts/main.sh [--port N] [--check-only]
set -euo pipefail
cd "$(dirname "$0")/.."
port=8888
check_only=0
while [ $# -gt 0 ]; do
  case "$1" in
    --port) port=$2; shift 2 ;;
    --check-only) check_only=1; shift ;;
    *) echo "usage: bash scripts/main.sh [--port N] [--check-only]" >&2; exit 2 ;;
  esac
done
bash scripts/setup.sh
.venv/bin/python examples/quickstart.py
[ "$check_only" -eq 1 ] && exit 0
.venv/bin/jupyter labextension list 2>&1 | grep -E "jax2onnx-lab .*enabled.*OK"
root_flag=""
[ "$(id -u)" -eq 0 ] && root_flag="--allow-root"
echo "Starting JupyterLab on tutorials/quickstart.ipynb; open the URL it prints (Ctrl-C stops it)."
exec .venv/bin/jupyter lab tutorials/quickstart.ipynb --no-browser --ip=127.0.0.1 --port="$port" $root_flag
