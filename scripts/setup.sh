#!/usr/bin/env bash
# Sets up a fresh checkout: .venv/ with the locked Python packages and this package (editable),
# node_modules/ from package-lock.json, the converter bundle and the JupyterLab extension (linked
# into .venv's JupyterLab), and the venv's Python as a Jupyter kernel. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
stamp=.venv/.requirements-lock.sha
want=$(sha256sum requirements-lock.txt pyproject.toml | sha256sum | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  .venv/bin/pip install --quiet --disable-pip-version-check -r requirements-lock.txt
  .venv/bin/pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
  echo "$want" > "$stamp"
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
npm run --silent build
if [ ! -e .venv/share/jupyter/labextensions/jax2onnx-lab ]; then
  .venv/bin/jupyter labextension develop --overwrite . > /dev/null
fi
if [ ! -e .venv/share/jupyter/kernels/python3/kernel.json ]; then
  .venv/bin/python -m ipykernel install --sys-prefix > /dev/null
fi
