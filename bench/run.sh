#!/usr/bin/env bash
# The benchmark, one command: bash bench/run.sh [--first-runs N]
# Sets up our .venv and bundle (scripts/setup.sh), the reference jax2onnx in bench/.venv-ref
# (bench/requirements-ref.txt), then runs bench/bench.py: prints a table, writes bench/results.md.
# If the reference venv cannot be built, our numbers are still measured and the reason is reported.
set -uo pipefail
cd "$(dirname "$0")/.."

# The bench measures the working tree as it is: rebuild the bundle so TS edits are included.
bash scripts/setup.sh || { echo "bench: scripts/setup.sh failed; cannot measure our converter" >&2; exit 1; }

mkdir -p bench/out
ref_log=bench/out/ref-setup.log
ref_error=""

# Reinstalls only when requirements-ref.txt changed, like scripts/setup.sh does for .venv.
setup_ref() {
  local python=${PYTHON:-python3}
  if [ ! -x bench/.venv-ref/bin/python ]; then
    "$python" -m venv bench/.venv-ref || { echo "'$python -m venv' failed (set PYTHON to a Python >= 3.11)"; return 1; }
  fi
  local stamp=bench/.venv-ref/.requirements-ref.sha
  local want
  want=$(sha256sum bench/requirements-ref.txt | cut -d' ' -f1)
  if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    echo "bench: installing the reference jax2onnx into bench/.venv-ref (log: $ref_log)" >&3
    timeout 1200 bench/.venv-ref/bin/pip install --disable-pip-version-check -r bench/requirements-ref.txt \
      || { echo "pip install -r bench/requirements-ref.txt failed or timed out"; return 1; }
    echo "$want" > "$stamp"
  fi
  # A venv that installed but cannot import is as unusable as none.
  timeout 300 bench/.venv-ref/bin/python -c "import jax2onnx, onnxruntime" \
    || { echo "bench/.venv-ref cannot import jax2onnx"; return 1; }
}

# fd 3 is the console: setup_ref's own output goes to the log.
if ! setup_ref 3>&2 > "$ref_log" 2>&1; then
  ref_error="could not build bench/.venv-ref with bench/requirements-ref.txt: $(tail -n 3 "$ref_log" | tr '\n' ' ')(full log: $ref_log)"
  echo "bench: $ref_error" >&2
fi

exec .venv/bin/python bench/bench.py --ref-error "$ref_error" "$@"
