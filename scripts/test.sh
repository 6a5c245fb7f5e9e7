#!/usr/bin/env bash
# Everything the tests need, then every test: type checks, generated-code check, jest, pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
npm run --silent typecheck
npm run --silent check:proto
npx jest --silent
.venv/bin/python -m pytest -q "$@"
