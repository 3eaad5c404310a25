"""What these view tests share: a frozen clock, a seller in New York, a signed-in client."""

from typing import Any

import pytest

from ringback.testing.sellers import NOW, account, client, frozen_clock, make_account, signed_in

__all__ = ["NOW", "account", "client", "frozen_clock", "make_account", "signed_in"]


@pytest.fixture(autouse=True)
def tasks_at_once(settings: Any) -> None:
    """A confirmed import runs as a background task: in these tests at once, inside the request
    (tests/test_import_job.py runs it in the background worker, with its progress)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
