"""Strange input through the ``ringback`` command: a folder of the time zone database, dates near
year 1 or 9999 in options and in RINGBACK_NOW, a wait of a hundred billion days, YAML nested
thousands deep. Each ends with exit code 1 and one line on standard error naming the problem,
no traceback, and nothing written.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from django.core.management import call_command
from django.db import models

from ringback.accounts.models import Account, Vacation
from ringback.activities.models import Appointment, Touch
from ringback.contacts.models import Contact
from ringback.core.playbook import builtin_text
from ringback.playbooks.models import Enrollment, PlaybookVersion

if TYPE_CHECKING:
    from tests.conftest import Ringback

NOW = "2026-03-02T10:00:00-05:00"
RANGE = "is outside the dates Ringback takes (1900-01-01 to 2200-12-31)"
MODELS: tuple[type[models.Model], ...] = (
    Account,
    Vacation,
    Contact,
    Enrollment,
    Touch,
    Appointment,
    PlaybookVersion,
)


def snapshot() -> dict[str, list[dict[str, Any]]]:
    return {m.__name__: list(m._default_manager.order_by("pk").values()) for m in MODELS}


@pytest.fixture
def seeded(ringback: Any, write_csv: Any) -> Any:
    """An account with Mary in a playbook."""
    ringback.now = NOW
    ringback.ok("import", write_csv([{"name": "Mary Lopez", "phone": "305-555-0142"}]))
    ringback.ok("enroll", "four-calls-two-weeks", "--contact", "Mary Lopez")
    return ringback


def fails(ringback: Ringback, *args: str | Path, now: str | None = None) -> str:
    """Run a command that must fail cleanly; return its one error line."""
    before = snapshot()
    result = ringback(*args, now=now)
    assert result.code == 1, str(result)
    assert "Traceback" not in result.err and "Error:" not in result.err, str(result)
    lines = result.error_lines
    assert len(lines) == 1, f"expected one error line:\n{result}"
    assert lines[0].startswith("error: "), str(result)
    assert snapshot() == before, f"the database changed:\n{result}"
    return lines[0]


# --- time zones ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["America", "America/", "../etc", "Etc", "", "A" * 300, "Amérique/Montréal"])
def test_account_time_zone_must_be_a_real_zone(seeded: Any, name: str) -> None:
    line = fails(seeded, "account", "--time-zone", name)
    assert "time zone" in line, line
    assert Account.objects.get().time_zone != name


@pytest.mark.parametrize("name", ["UTC", "Etc/GMT+5", "America/Argentina/Buenos_Aires"])
def test_account_takes_any_real_zone(seeded: Any, name: str) -> None:
    seeded.ok("account", "--time-zone", name)
    assert Account.objects.get().time_zone == name
    seeded.ok("agenda")


@pytest.mark.parametrize("name", ["America", "Etc", "../etc"])
def test_createuser_refuses_a_folder_for_a_zone(db: None, monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    out, err = io.StringIO(), io.StringIO()
    monkeypatch.setattr(sys, "stdin", io.StringIO("a-long-passphrase-9\n"))
    with pytest.raises(SystemExit) as exited:
        call_command("createuser", "sally", "--password-stdin", "--time-zone", name, stdout=out, stderr=err)
    assert exited.value.code == 1
    assert err.getvalue().startswith("error: ") and "time zone" in err.getvalue(), err.getvalue()
    assert err.getvalue().count("\n") == 1 and "Traceback" not in err.getvalue()
    assert not Account.objects.exists()


# --- dates in options ------------------------------------------------------------------------


@pytest.mark.parametrize("at", ["0001-01-01T00:00+05:00", "9999-12-31T23:59", "1899-12-31T12:00-05:00"])
def test_log_at_outside_the_range(seeded: Any, at: str) -> None:
    line = fails(seeded, "log", "Mary", "voicemail", "--at", at)
    assert line == f"error: --at {at!r} {RANGE}" or ("--at" in line and RANGE in line), line


@pytest.mark.parametrize("at", ["9999-12-31T23:59", "2201-01-01T10:00", "0001-01-01T00:00-05:00"])
def test_appointment_at_outside_the_range(seeded: Any, at: str) -> None:
    line = fails(seeded, "appointment", "Mary", "--at", at)
    assert "--at" in line and RANGE in line, line


@pytest.mark.parametrize(
    ("first", "last"),
    [("9999-12-31", "9999-12-31"), ("2026-12-01", "9999-12-31"), ("0001-01-01", "0001-01-02")],
)
def test_pause_outside_the_range(seeded: Any, first: str, last: str) -> None:
    line = fails(seeded, "pause", "--from", first, "--to", last)
    assert RANGE in line and ("--from" in line or "--to" in line), line


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01", "2201-01-01"])
def test_agenda_date_outside_the_range(seeded: Any, day: str) -> None:
    line = fails(seeded, "agenda", "--date", day)
    assert line == f"error: --date {day} {RANGE}", line


# --- RINGBACK_NOW ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "moment",
    ["9999-12-31T23:59+00:00", "0001-01-01T00:00+05:00", "1899-12-31T23:00+00:00", "2201-01-01T00:00Z"],
)
@pytest.mark.parametrize(
    "command",
    [
        ("agenda",),
        ("log", "Mary", "voicemail"),
        ("contacts",),
        ("playbooks",),
        ("pause", "--from", "2026-04-01", "--to", "2026-04-02"),
    ],
    ids=lambda c: c[0],
)
def test_ringback_now_outside_the_range_names_the_variable(
    seeded: Any, moment: str, command: tuple[str, ...]
) -> None:
    line = fails(seeded, *command, now=moment)
    assert line == f"error: RINGBACK_NOW {moment!r} {RANGE}", line


def test_ringback_now_at_the_end_of_the_range_plans_without_overflow(seeded: Any) -> None:
    late = "2200-12-31T20:00:00-05:00"
    seeded.ok("agenda", now=late)
    seeded.ok("log", "Mary", "voicemail", now=late)
    seeded.ok("pause", "--from", "2200-12-31", "--to", "2200-12-31", now=late)
    seeded.ok("log", "Mary", "voicemail", now=late)
    seeded.ok("agenda", "--date", "2200-12-31", now=late)
    seeded.ok("appointment", "Mary", "--at", "2200-12-31T23:30", "--confirm", now=late)
    seeded.ok("playbooks", "show", "four-calls-two-weeks", now=late)


# --- playbooks -------------------------------------------------------------------------------


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("action", ["validate", "add"])
@pytest.mark.parametrize(
    ("change", "words"),
    [
        (("wait: 3-4 days", "wait: 99999999999 days"), "wait '99999999999 days' is longer than 3650 days"),
        (
            ("offer: special-offer", "offer-expires: 99999 days"),
            "offer-expires 99999 is longer than 3650 days",
        ),
        (("rules: [R9, R1, R4]", "rules: " + "[" * 5000 + "]" * 5000), "nested deeper than 20 levels"),
    ],
    ids=["wait", "offer", "deep"],
)
def test_playbook_limits_name_the_file_and_line(
    seeded: Any, tmp_path: Path, action: str, change: tuple[str, str], words: str
) -> None:
    source = builtin_text("call-mail-call").replace("name: call-mail-call", "name: my-chase")
    assert change[0] in source
    text = source.replace(*change)
    line_no = text[: text.index(change[1])].count("\n") + 1
    line = fails(seeded, "playbooks", action, write(tmp_path, "my-chase.yaml", text))
    assert line.startswith(f"error: my-chase.yaml, line {line_no}: ") and words in line, line


@pytest.mark.parametrize("action", ["validate", "add"])
def test_a_playbook_file_larger_than_the_cap_is_refused_unread(
    seeded: Any, tmp_path: Path, action: str
) -> None:
    path = write(tmp_path, "huge.yaml", "name: huge\n# " + "x" * 1_000_000 + "\n")
    line = fails(seeded, "playbooks", action, path)
    assert line == "error: huge.yaml: the playbook is longer than 100,000 characters", line
