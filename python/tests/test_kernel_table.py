"""The kernel table (src/core/lower/kernel-table.generated.ts, docs/kernels.md) is a measurement of
the installed onnxruntime and onnxruntime-web: measured again, it must be what is committed, so
an upgrade of either runtime cannot leave the converter deciding from stale facts."""

import subprocess
import sys

from harness import ROOT


def test_committed_kernel_table_is_what_the_runtimes_do():
    result = subprocess.run([sys.executable, str(ROOT / "scripts" / "measure-kernels.py"), "--check"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, f"{result.stdout}{result.stderr}\nrun .venv/bin/python scripts/measure-kernels.py"
