#!/usr/bin/env bash
# The widget's engine in a real JupyterLab: in-browser conversion vs the Node converter, and
# parity runs in onnxruntime-web vs the kernel's onnxruntime (bench/widget/engine_bench.mjs).
# Writes bench/widget/engine-results.md.   bash bench/widget/engine_bench.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
bash scripts/setup.sh > /dev/null
root=$(mktemp -d "${TMPDIR:-/tmp}/j2o-engine-bench.XXXXXX")
port=${J2O_BENCH_PORT:-8897}
.venv/bin/python - "$root/engine-bench.ipynb" <<'PY'
import sys, nbformat
nb = nbformat.v4.new_notebook(metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}})
nbformat.write(nb, sys.argv[1])
PY
root_flag=""
[ "$(id -u)" -eq 0 ] && root_flag="--allow-root"
.venv/bin/jupyter lab --no-browser $root_flag --port="$port" --ServerApp.port_retries=0 --IdentityProvider.token= --ServerApp.password= \
  --ServerApp.disable_check_xsrf=True --LabApp.expose_app_in_browser=True --LabApp.news_url=None \
  --ServerApp.root_dir="$root" > "$root/lab.log" 2>&1 &
lab=$!
trap 'kill $lab 2>/dev/null; wait $lab 2>/dev/null; rm -rf "$root"' EXIT
for _ in $(seq 120); do curl -sf "http://127.0.0.1:$port/lab" > /dev/null && break; sleep 1; done
(cd "$root" && node "$OLDPWD/bench/widget/engine_bench.mjs" "http://127.0.0.1:$port")
