#!/usr/bin/env bash
# Everything the tests need, then every test: type checks, generated-code check, jest, pytest
# (plugin cases, models, widget kernel side, tutorials), and the UI tests in a real JupyterLab
# and Chromium (scripts/ui-tests.sh: the wheel in a fresh venv, galata).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
npm run --silent typecheck
npm run --silent check:proto
npx jest --silent
.venv/bin/python -m pytest -q "$@"
bash scripts/ui-tests.sh
