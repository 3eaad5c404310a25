"""Shared fixtures: run the ``ringback`` command in-process against the pytest-django test database.

``ringback(*args, now=...)`` calls :func:`ringback.cli.main` exactly as the console script does,
with ``RINGBACK_NOW`` set for that one call, and returns what it printed and its exit code.
``write_csv(rows)`` writes a contacts CSV into the test's temporary directory.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import shutil
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from ringback.core import clock


@dataclass(frozen=True)
class CliResult:
    """What one run of the command did."""

    args: tuple[str, ...]
    code: int
    out: str
    err: str

    @property
    def ok(self) -> bool:
        return self.code == 0

    def json(self) -> Any:
        """The standard output parsed as JSON (fails the test with the output when it is not)."""
        try:
            return json.loads(self.out)
        except json.JSONDecodeError as exc:  # pragma: no cover - only on failure
            raise AssertionError(
                f"ringback {' '.join(self.args)}: stdout is not JSON ({exc}):\n{self}"
            ) from exc

    @property
    def error_lines(self) -> list[str]:
        """The non-empty lines of standard error that are not the one-off account notice."""
        return [
            line
            for line in self.err.splitlines()
            if line.strip() and not line.startswith("Created the owner account")
        ]

    def __str__(self) -> str:
        return f"$ ringback {' '.join(self.args)}\n[exit {self.code}]\n--- stdout\n{self.out}\n--- stderr\n{self.err}"


def _iso(now: str | datetime) -> str:
    return now.isoformat() if isinstance(now, datetime) else now


class Ringback:
    """Runs ``ringback ARGS`` in this process; ``now`` sets ``RINGBACK_NOW`` for the call and
    ``stdin`` is what the command reads on standard input."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self._monkeypatch = monkeypatch
        self.now: str | None = None

    def __call__(
        self, *args: str | Path, now: str | datetime | None = None, check: bool = False, stdin: str = ""
    ) -> CliResult:
        from django.db import connections

        from ringback.cli import main

        argv = [str(a) for a in args]
        moment = _iso(now) if now is not None else self.now
        out, err = io.StringIO(), io.StringIO()
        code = 0
        with self._monkeypatch.context() as patch:
            if moment is None:
                patch.delenv("RINGBACK_NOW", raising=False)
            else:
                patch.setenv("RINGBACK_NOW", moment)
            # The console script closes every connection when a command ends; inside a test that
            # would throw away the test's transaction, so keep the connection open.
            patch.setattr(connections, "close_all", lambda: None)
            patch.setattr(sys, "stdin", io.StringIO(stdin))
            patch.setattr(sys, "argv", ["ringback", *argv])
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                try:
                    main(argv)
                except SystemExit as exc:
                    code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        result = CliResult(tuple(argv), code, out.getvalue(), err.getvalue())
        if check:
            assert result.code == 0, str(result)
        return result

    def ok(self, *args: str | Path, now: str | datetime | None = None) -> CliResult:
        """Run and require exit code 0."""
        return self(*args, now=now, check=True)

    def json(self, *args: str | Path, now: str | datetime | None = None) -> Any:
        """Run with ``--json``, require success and return the parsed output."""
        return self.ok(*args, "--json", now=now).json()

    def agenda(self, *args: str | Path, now: str | datetime | None = None) -> list[dict[str, Any]]:
        """The items of ``ringback agenda ARGS --json`` (the day's plan, without what was held)."""
        items: list[dict[str, Any]] = self.json("agenda", *args, now=now)["items"]
        return items


@pytest.fixture(autouse=True)
def _running_clock() -> Iterator[None]:
    """No test inherits a fixed clock from another."""
    clock.set_now(None)
    yield
    clock.set_now(None)


@pytest.fixture
def ringback(db: None, monkeypatch: pytest.MonkeyPatch) -> Ringback:
    """The ``ringback`` command, run in-process inside the test database."""
    monkeypatch.delenv("RINGBACK_NOW", raising=False)
    monkeypatch.delenv("RINGBACK_USER", raising=False)
    monkeypatch.setenv("USER", "seller")
    return Ringback(monkeypatch)


@pytest.fixture
def run_cli(ringback: Ringback) -> Ringback:
    """Another name for :func:`ringback`."""
    return ringback


@pytest.fixture
def write_csv(tmp_path: Path) -> Callable[..., Path]:
    """Write a contacts CSV: ``write_csv([{"name": ..., "phone": ...}, ...], name="x.csv")``.

    The header is the union of the rows' keys, in first-seen order, unless ``header`` is given.
    """
    counter = iter(range(1, 10_000))

    def write(
        rows: Sequence[dict[str, str]],
        *,
        name: str | None = None,
        header: Sequence[str] | None = None,
    ) -> Path:
        columns = list(header) if header is not None else list(dict.fromkeys(k for r in rows for k in r))
        path = tmp_path / (name or f"contacts-{next(counter)}.csv")
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=columns, extrasaction="ignore")
            writer.writeheader()
            writer.writerows(rows)
        return path

    return write


# --- the browser ---------------------------------------------------------------------------------

CHROMIUM = os.environ.get("RINGBACK_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    """Debian's Chromium through Playwright, one for the whole run (Playwright's sync API allows
    one at a time in a thread). Skipped with a message when Chromium is not installed, unless
    RINGBACK_REQUIRE_BROWSER=1 (CI), which makes a missing browser a failure."""
    if not Path(CHROMIUM).exists():
        message = f"Debian's Chromium is not installed at {CHROMIUM} (apt-get install chromium)"
        if os.environ.get("RINGBACK_REQUIRE_BROWSER") == "1":
            pytest.fail(message + "; RINGBACK_REQUIRE_BROWSER=1 makes the browser tests mandatory")
        pytest.skip(message + ": browser tests skipped")
    # Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
    # around it are still synchronous.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()
