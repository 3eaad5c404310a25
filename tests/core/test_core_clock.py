"""The one clock: a test, a demo or a what-if simulation can set "now"."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone

import pytest

from ringback.core import clock
from ringback.core.errors import ErrorCode, InvalidDate

BERLIN_WINTER = timezone(timedelta(hours=1))


@pytest.fixture(autouse=True)
def running_clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Each test starts with a running clock and no RINGBACK_NOW, and leaves it that way."""
    monkeypatch.delenv("RINGBACK_NOW", raising=False)
    clock.set_now(None)
    yield
    clock.set_now(None)


def test_real_time_by_default() -> None:
    before = datetime.now(UTC)
    now = clock.now()
    after = datetime.now(UTC)
    assert before <= now <= after
    assert now.utcoffset() == timedelta(0)


def test_set_now_fixes_the_clock_in_utc() -> None:
    clock.set_now(datetime(2026, 11, 23, 9, 0, tzinfo=BERLIN_WINTER))
    assert clock.now() == datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
    assert clock.now().tzinfo is UTC
    assert clock.now() == clock.now()  # it does not run


def test_set_now_none_lets_it_run_again() -> None:
    clock.set_now(datetime(2001, 1, 1, tzinfo=UTC))
    clock.set_now(None)
    assert clock.now().year >= 2025


def test_set_now_rejects_a_naive_datetime() -> None:
    with pytest.raises(InvalidDate):
        clock.set_now(datetime(2026, 1, 1, 9, 0))  # noqa: DTZ001 - naive on purpose: it is what is refused


def test_frozen_sets_and_restores() -> None:
    outer = datetime(2026, 3, 1, 12, tzinfo=UTC)
    inner = datetime(2026, 6, 1, 12, tzinfo=UTC)
    clock.set_now(outer)
    with clock.frozen(inner):
        assert clock.now() == inner
    assert clock.now() == outer


def test_frozen_restores_a_running_clock_even_after_an_error() -> None:
    with pytest.raises(RuntimeError), clock.frozen(datetime(2000, 1, 1, tzinfo=UTC)):
        assert clock.now().year == 2000
        raise RuntimeError("boom")
    assert clock.now().year >= 2025


def test_frozen_nests() -> None:
    first = datetime(2026, 1, 1, tzinfo=UTC)
    second = datetime(2027, 1, 1, tzinfo=UTC)
    with clock.frozen(first):
        with clock.frozen(second):
            assert clock.now() == second
        assert clock.now() == first


def test_ringback_now_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RINGBACK_NOW", "2026-11-23T09:00+01:00")
    assert clock.now() == datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
    monkeypatch.setenv("RINGBACK_NOW", "2026-11-23T09:00:00Z")
    assert clock.now() == datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def test_set_now_wins_over_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RINGBACK_NOW", "2026-11-23T09:00+01:00")
    fixed = datetime(2030, 5, 5, 5, tzinfo=UTC)
    with clock.frozen(fixed):
        assert clock.now() == fixed
    assert clock.now() == datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


def test_empty_environment_variable_means_real_time(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RINGBACK_NOW", "")
    assert clock.now().year >= 2025


@pytest.mark.parametrize("text", ["2026-11-23T09:00", "2026-11-23 09:00:00", "2026-11-23"])
def test_ringback_now_without_offset_is_rejected(monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    monkeypatch.setenv("RINGBACK_NOW", text)
    with pytest.raises(InvalidDate) as info:
        clock.now()
    assert info.value.code is ErrorCode.INVALID_DATE
    assert "RINGBACK_NOW" in str(info.value)
    assert "offset" in str(info.value)


def test_ringback_now_garbage_is_rejected(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RINGBACK_NOW", "next tuesday")
    with pytest.raises(InvalidDate) as info:
        clock.now()
    assert "'next tuesday'" in str(info.value)
    assert "ISO 8601" in str(info.value)


def test_parse_instant() -> None:
    assert clock.parse_instant(" 2026-07-01T10:30+02:00 ") == datetime(2026, 7, 1, 8, 30, tzinfo=UTC)
    with pytest.raises(InvalidDate) as info:
        clock.parse_instant("2026-07-01T10:30", what="due")
    assert str(info.value).startswith("due '2026-07-01T10:30' has no UTC offset")
