"""Browser tests: Playwright for Python driving Debian's Chromium (no browser download).

The ``chromium`` fixture lives in tests/conftest.py (one browser for the whole run: the security
sweep uses it too). It skips with a message when Chromium is not installed, unless
RINGBACK_REQUIRE_BROWSER=1 (CI), which makes a missing browser a failure.
"""

from __future__ import annotations

from pathlib import Path

import pytest

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"


@pytest.fixture
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
