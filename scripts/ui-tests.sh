#!/usr/bin/env bash
# UI tests, as a user gets the product: build the wheel, install it into a fresh venv
# (.venv-ui, with JupyterLab), check that JupyterLab lists the extension as enabled and OK, then
# run the galata tests (ui-tests/) against that JupyterLab in Debian's Chromium.
# Needs scripts/setup.sh first (it builds the bundle and the extension the wheel ships).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -x /usr/bin/chromium ]; then
  as_root=""
  [ "$(id -u)" -eq 0 ] || as_root="sudo"
  $as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $as_root apt-get install -y -qq chromium > /dev/null
fi

rm -rf build/wheel
.venv/bin/python -m pip wheel --quiet --disable-pip-version-check --no-deps --no-build-isolation -w build/wheel .
wheel=$(ls build/wheel/jax2onnx_lab-*.whl)
.venv/bin/python -m zipfile -l "$wheel" | grep "share/jupyter/labextensions/jax2onnx-lab/package.json" > /dev/null || { echo "the wheel lacks the prebuilt extension" >&2; exit 1; }

rm -rf .venv-ui
"${PYTHON:-python3}" -m venv .venv-ui
# The product's own dependencies come from the wheel; JupyterLab, Flax and onnxruntime are what
# the tests' notebooks use. All pinned by the lock file.
.venv-ui/bin/pip install --quiet --disable-pip-version-check -c requirements-lock.txt "$wheel" jupyterlab flax onnxruntime
.venv-ui/bin/jupyter labextension list 2>&1 | tee build/labextension-list.txt | grep -E "jax2onnx-lab v[0-9.]+ .*enabled.*OK" > /dev/null \
  || { echo "JupyterLab does not list jax2onnx-lab as enabled and OK:" >&2; cat build/labextension-list.txt >&2; exit 1; }

cd ui-tests
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
root=$(mktemp -d "${TMPDIR:-/tmp}/j2o-ui-root.XXXXXX")
trap 'rm -rf "$root"' EXIT
log="$PWD/../build/jupyterlab-ui.log"
JUPYTERLAB_GALATA_ROOT_DIR="$root" J2O_UI_JUPYTER="$PWD/../.venv-ui/bin/jupyter" J2O_UI_LOG="$log" npx playwright test "$@" \
  || { echo "UI tests failed; JupyterLab's log (last 60 lines of $log):" >&2; tail -n 60 "$log" >&2; exit 1; }
