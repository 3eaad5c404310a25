"""Fixtures of the security sweep: a frozen clock, quick password hashing, the two accounts, and
Chromium (the browser fixture of tests/browser, loaded from there so both share its launcher and
its skip rule)."""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from security_world import NOW, World, build_world

from ringback.contacts.uploads import upload_delete
from ringback.core import clock

_spec = importlib.util.spec_from_file_location(
    "ringback_browser_fixtures", Path(__file__).resolve().parents[1] / "browser" / "conftest.py"
)
assert _spec is not None and _spec.loader is not None
_browser = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_browser)
chromium = _browser.chromium


@pytest.fixture(autouse=True)
def frozen_clock() -> Iterator[datetime]:
    """Every sweep runs at NOW (Monday morning in New York)."""
    with clock.frozen(NOW):
        yield NOW


@pytest.fixture(autouse=True)
def fast_password_hashing(settings: Any) -> None:
    """The sweep signs in a lot; hash passwords quickly."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def world(db: None, tmp_path: Path) -> Iterator[World]:
    """Account A with one of everything, account B with a little (see security_world)."""
    built = build_world(tmp_path)
    yield built
    for upload in (built.a_upload, built.a_upload_2):
        upload_delete(upload)
