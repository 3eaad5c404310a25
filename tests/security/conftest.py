"""Fixtures of the security sweep: a frozen clock, quick password hashing, the two accounts
(Chromium is tests/conftest.py's, shared with tests/browser)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from security_world import NOW, World, build_world

from ringback.contacts.uploads import upload_delete
from ringback.core import clock


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
