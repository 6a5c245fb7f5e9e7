import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from harness import OrtWeb  # noqa: E402


@pytest.fixture(scope="session")
def ort_web():
    runner = OrtWeb()
    yield runner
    runner.close()
