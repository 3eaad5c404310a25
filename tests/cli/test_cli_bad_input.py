"""Bad input through the ``ringback`` command: a one-line error naming the problem, a non-zero exit,
and nothing written (every row of the database compared before and after)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from django.contrib.auth import get_user_model
from django.db import models

from ringback.accounts.models import Account, Vacation
from ringback.activities.models import Appointment, Touch
from ringback.contacts.models import Contact, Email, Phone, Tag
from ringback.playbooks.models import Enrollment, Playbook, PlaybookVersion

if TYPE_CHECKING:
    from tests.conftest import Ringback

NOW = "2026-03-02T10:00:00-05:00"
MODELS: tuple[type[models.Model], ...] = (
    get_user_model(),
    Account,
    Vacation,
    Contact,
    Phone,
    Email,
    Tag,
    Playbook,
    PlaybookVersion,
    Enrollment,
    Touch,
    Appointment,
)


def snapshot() -> dict[str, list[dict[str, Any]]]:
    """Every row of every Ringback table (the test database is small)."""
    tables = {m.__name__: list(m._default_manager.order_by("pk").values()) for m in MODELS}
    contact_tags: type[models.Model] = Contact.tags.through
    tables["contact_tags"] = list(contact_tags._default_manager.order_by("pk").values())
    return tables


@pytest.fixture
def seeded(ringback: Any, write_csv: Any) -> Any:
    """An account with three contacts (two called Mary), two of them in a playbook."""
    ringback.now = NOW
    rows = [
        {"name": "Mary Lopez", "phone": "305-555-0142", "email": "mary@example.com", "tags": "new"},
        {"name": "Mary Smith", "phone": "212-555-0100", "email": "marys@example.com", "tags": "new"},
        {"name": "John Smith", "phone": "212-555-0199", "email": "john@example.com", "tags": "old"},
    ]
    ringback.ok("import", write_csv(rows))
    ringback.ok("enroll", "four-calls-two-weeks", "--contact", "Mary Lopez", "--contact", "john@example.com")
    return ringback


def fails(ringback: Ringback, *args: str | Path, now: str | None = None) -> str:
    """Run a command that must fail cleanly; return its one error line."""
    before = snapshot()
    result = ringback(*args, now=now)
    assert result.code != 0, str(result)
    assert "Traceback" not in result.err, str(result)
    lines = result.error_lines
    assert len(lines) == 1, f"expected one error line:\n{result}"
    assert lines[0].startswith("error: "), str(result)
    assert snapshot() == before, f"the database changed:\n{result}"
    return lines[0]


# --- playbooks -------------------------------------------------------------------------------

PLAYBOOK = """\
name: my-chase
title: My chase
templates:
  hello: |
    Hi {{ contact.first_name }}, it's {{ seller.first_name }}. Call me at {{ seller.phone }}.
steps:
  - id: one
    channel: call
    wait: 0 days
    script: hello
  - id: two
    channel: call
    wait: 3-4 days
    script: hello
  - id: three
    channel: call
    wait: 3-x days
    script: hello
finish: stop
"""


def write(tmp_path: Path, name: str, text: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("action", ["validate", "add"])
def test_playbook_with_a_bad_wait_names_file_line_and_step(seeded: Any, tmp_path: Path, action: str) -> None:
    path = write(tmp_path, "my-chase.yaml", PLAYBOOK)
    line = fails(seeded, "playbooks", action, path)
    assert "my-chase.yaml, line 17: step 3: wait '3-x days' is not a duration range" in line, line
    assert "my-chase" not in [p["name"] for p in seeded.json("playbooks")]


@pytest.mark.parametrize(
    ("broken", "line_no", "words"),
    [
        (
            PLAYBOOK.replace("    channel: call\n    wait: 3-4", "    channel: fax\n    wait: 3-4"),
            12,
            "step 2: channel 'fax'",
        ),
        (
            PLAYBOOK.replace("script: hello\n  - id: two", "script: goodbye\n  - id: two"),
            10,
            "step 1: script 'goodbye'",
        ),
        (
            PLAYBOOK.replace("  - id: two\n", "  - id: two\n    colour: blue\n"),
            12,
            "step 2: unknown field 'colour'",
        ),
        (
            PLAYBOOK.replace("    channel: call\n    wait: 0 days", "    channel: [call\n    wait: 0 days"),
            None,
            "not valid YAML",
        ),
        (PLAYBOOK.replace("{{ seller.phone }}.", "{{ seller.phone }."), None, "template 'hello'"),
        (PLAYBOOK.replace("name: my-chase\n", ""), 1, "'name' is missing"),
        ("", None, "empty"),
    ],
    ids=["channel", "undefined-script", "unknown-field", "yaml-syntax", "jinja-syntax", "no-name", "empty"],
)
def test_playbook_errors_name_the_file_and_line(
    seeded: Any, tmp_path: Path, broken: str, line_no: int | None, words: str
) -> None:
    path = write(tmp_path, "my-chase.yaml", broken.replace("3-x days", "3-5 days"))
    for action in ("validate", "add"):
        line = fails(seeded, "playbooks", action, path)
        assert "my-chase.yaml" in line, line
        assert words in line, line
        if line_no is not None:
            assert f"line {line_no}:" in line, line


def test_a_fixed_playbook_is_accepted(seeded: Any, tmp_path: Path) -> None:
    """The control: the same file with a real duration validates and is added."""
    path = write(tmp_path, "my-chase.yaml", PLAYBOOK.replace("3-x days", "3-5 days"))
    checked = seeded.json("playbooks", "validate", path)
    assert (checked["valid"], checked["name"], checked["version"], checked["steps"]) == (
        True,
        "my-chase",
        1,
        3,
    )
    assert seeded.json("playbooks", "add", path) == {"name": "my-chase", "version": 1}
    assert "my-chase" in [p["name"] for p in seeded.json("playbooks")]


@pytest.mark.parametrize(
    ("action", "wanted"), [("show", "a name"), ("validate", "a YAML file"), ("add", "a YAML file")]
)
def test_playbooks_action_without_its_target(seeded: Any, action: str, wanted: str) -> None:
    assert fails(seeded, "playbooks", action) == f"error: playbooks {action} needs {wanted}"


def test_validating_a_playbook_prints_its_advice_and_needs_no_account(ringback: Any, tmp_path: Path) -> None:
    """Validating reads the file only: on an empty database it creates no owner account."""
    path = write(tmp_path, "my-chase.yaml", PLAYBOOK.replace("3-x days", "3-5 days"))
    out = " ".join(ringback.ok("playbooks", "validate", path).out.split())  # as read, unwrapped
    assert out.startswith(f"{path}: valid — My chase, 3 steps. advice: hello: Say when you will call")
    warnings = ringback.json("playbooks", "validate", path)["warnings"]
    # What fails first (no call-again), then the warnings (too short: 6 seconds).
    assert [(w["template"], w["rule"]) for w in warnings] == [
        ("hello", "R4"),
        ("hello", "R2"),
        ("hello", "R1"),
        ("hello", "R8"),
    ]
    assert warnings[0]["message"].startswith("Say when you will call again")
    assert warnings[1]["message"].startswith("This takes about 6 seconds to say; take 20–40 seconds")
    for warning in warnings:  # each printed as one line (wrapped), its rule at the end
        assert f"({warning['rule']})" in out
    assert not Account.objects.exists()


def test_an_added_playbook_is_shown_and_listed(seeded: Any, tmp_path: Path) -> None:
    path = write(tmp_path, "my-chase.yaml", PLAYBOOK.replace("3-x days", "3-5 days"))
    assert seeded.ok("playbooks", "add", path).out == "Added my-chase version 1.\n"
    assert seeded.ok("playbooks", "show", "my-chase").out.splitlines() == [
        "My chase (my-chase v1) — ",
        "",
        "┏━━━┳━━━━━━━┳━━━━━━━━━┳━━━━━━━━━━┳━━━━━━━━┓",
        "┃ # ┃ step  ┃ channel ┃ wait     ┃ script ┃",
        "┡━━━╇━━━━━━━╇━━━━━━━━━╇━━━━━━━━━━╇━━━━━━━━┩",
        "│ 1 │ one   │ call    │ 0 days   │ hello  │",
        "│ 2 │ two   │ call    │ 3-4 days │ hello  │",
        "│ 3 │ three │ call    │ 3-5 days │ hello  │",
        "└───┴───────┴─────────┴──────────┴────────┘",
        "When it runs out: stop.",
    ]
    listed = seeded.ok("playbooks", "list").out.splitlines()
    assert (
        "│ my-chase             │ My chase                │ 1       │ 3     │                │          │"
        in listed
    )
    assert seeded.ok("playbooks").out.splitlines() == listed
    shown = seeded.ok("playbooks", "show", "stay-in-touch").out
    assert "on their birthday" in shown and "When it runs out: recontact after" in shown


def test_playbook_file_that_is_missing_or_binary(seeded: Any, tmp_path: Path) -> None:
    line = fails(seeded, "playbooks", "validate", tmp_path / "nope.yaml")
    assert "nope.yaml" in line and "cannot read" in line
    line = fails(seeded, "playbooks", "add", write(tmp_path, "image.yaml", b"\x89PNG\r\n\x1a\n\x00\x00\xff"))
    assert "image.yaml" in line
    line = fails(seeded, "playbooks", "show", "no-such-playbook")
    assert "no-such-playbook" in line and "call-mail-call" in line
    line = fails(seeded, "enroll", "no-such-playbook", "--tag", "new")
    assert "no-such-playbook" in line


# --- log, contacts, dates ----------------------------------------------------------------------


def test_unknown_outcome(seeded: Any) -> None:
    line = fails(seeded, "log", "Mary Lopez", "left-a-message")
    assert "unknown outcome 'left-a-message'" in line
    assert "voicemail" in line and "no-answer" in line  # it lists the valid ones


def test_outcome_that_does_not_fit_the_step(seeded: Any) -> None:
    line = fails(seeded, "log", "Mary Lopez", "mailed")
    assert "Mary Lopez" in line and "call" in line and "voicemail" in line


def test_unknown_contact(seeded: Any) -> None:
    line = fails(seeded, "log", "Zelda", "voicemail")
    assert "no contact matches 'Zelda'" in line
    line = fails(seeded, "enroll", "call-mail-call", "--contact", "zelda@example.com")
    assert "zelda@example.com" in line
    line = fails(seeded, "appointment", "+1 646 555 0100", "--at", "2026-03-03T10:00")
    assert "646" in line


@pytest.mark.parametrize(
    "command",
    [
        ("log", "mary", "voicemail"),
        ("appointment", "mary", "--at", "2026-03-03T10:00"),
        ("enroll", "steady-weekly", "--contact", "mary", "--replace"),
    ],
    ids=["log", "appointment", "enroll"],
)
def test_ambiguous_contact_lists_the_candidates(seeded: Any, command: tuple[str, ...]) -> None:
    line = fails(seeded, *command)
    assert "'mary' matches 2 contacts" in line, line
    lopez, smith = (
        Contact.objects.get(last_name="Lopez"),
        Contact.objects.get(last_name="Smith", first_name="Mary"),
    )
    assert f"#{lopez.pk} Mary Lopez (+13055550142)" in line, line
    assert f"#{smith.pk} Mary Smith (+12125550100)" in line, line


@pytest.mark.parametrize(
    ("command", "words"),
    [
        (("log", "Mary Lopez", "voicemail", "--at", "2026-02-30T10:00"), "--at '2026-02-30T10:00'"),
        (("log", "Mary Lopez", "voicemail", "--at", "tomorrow"), "--at 'tomorrow'"),
        (("log", "Mary Lopez", "voicemail", "--at", "2026-03-02T25:00"), "--at '2026-03-02T25:00'"),
        (("appointment", "Mary Lopez", "--at", "2026-02-30T10:00"), "--at '2026-02-30T10:00'"),
        (("pause", "--from", "2026-13-01", "--to", "2026-12-05"), "--from '2026-13-01'"),
        (("pause", "--from", "2026-12-01", "--to", "2026-12-32"), "--to '2026-12-32'"),
        (("pause", "--from", "2026-12-10", "--to", "2026-12-05"), "ends (2026-12-05) before it starts"),
        (("agenda", "--date", "2026-02-30"), "--date '2026-02-30'"),
    ],
    ids=[
        "log-feb-30",
        "log-word",
        "log-hour-25",
        "appointment-feb-30",
        "pause-month-13",
        "pause-day-32",
        "pause-backwards",
        "agenda-feb-30",
    ],
)
def test_impossible_dates(seeded: Any, command: tuple[str, ...], words: str) -> None:
    line = fails(seeded, *command)
    assert words in line, line


def test_times_in_the_future_or_past(seeded: Any) -> None:
    line = fails(seeded, "log", "Mary Lopez", "voicemail", "--at", "2026-03-03T10:00")
    assert "in the future" in line
    line = fails(seeded, "appointment", "Mary Lopez", "--at", "2026-03-01T10:00")
    assert "in the past" in line


@pytest.mark.parametrize("value", ["2026-02-30T10:00:00-05:00", "yesterday", "2026-03-02T10:00"])
def test_impossible_ringback_now(seeded: Any, value: str) -> None:
    line = fails(seeded, "agenda", "--json", now=value)
    assert "RINGBACK_NOW" in line and value in line


def test_log_with_a_phone_that_is_not_a_number(seeded: Any) -> None:
    line = fails(seeded, "log", "Mary Lopez", "voicemail", "--phone", "not-a-number")
    assert "not-a-number" in line and "phone" in line


def test_enroll_needs_contacts(seeded: Any) -> None:
    assert "--contact" in fails(seeded, "enroll", "call-mail-call")
    assert "'nobody-has-it'" in fails(seeded, "enroll", "call-mail-call", "--tag", "nobody-has-it")


def test_unknown_user(seeded: Any) -> None:
    line = fails(seeded, "agenda", "--user", "mallory")
    assert "mallory" in line


# --- CSV import ---------------------------------------------------------------------------------


def test_csv_with_a_phone_that_is_not_a_number_keeps_it_flagged(seeded: Any, write_csv: Any) -> None:
    path = write_csv(
        [
            {"name": "Ann Lee", "phone": "646-555-0101", "email": "ann@example.com"},
            {"name": "Bob Ray", "phone": "call me maybe", "email": "bob@example.com"},
            {"name": "Cy Young", "phone": "555-12"},
        ],
        name="leads.csv",
    )
    data = seeded.json("import", path)
    assert data["created"] == 3 and data["skipped"] == []
    kept = {p.contact.first_name: (p.number, p.is_valid) for p in Phone.objects.select_related("contact")}
    assert kept["Bob"] == ("call me maybe", False) and kept["Cy"] == ("555-12", False)
    assert kept["Ann"] == ("+16465550101", True)


def test_csv_without_a_name_phone_or_email_column(seeded: Any, write_csv: Any) -> None:
    path = write_csv([{"company_size": "12", "colour": "blue"}], name="leads.csv")
    line = fails(seeded, "import", path)
    assert "leads.csv, row 1" in line and "company_size, colour" in line, line


def test_csv_rows_without_a_name_phone_or_email_are_skipped_and_reported(seeded: Any, write_csv: Any) -> None:
    path = write_csv(
        [
            {"name": "Ann Lee", "phone": "646-555-0101", "tags": ""},
            {"name": "", "phone": "", "tags": "vip"},
            {"name": "Di", "phone": "", "tags": ""},
        ]
    )
    data = seeded.json("import", path)
    assert data["created"] == 2
    assert [s["row"] for s in data["skipped"]] == [3]


def test_a_file_where_no_row_can_be_imported_fails(seeded: Any, tmp_path: Path) -> None:
    before = snapshot()
    line = fails(seeded, "import", write(tmp_path, "junk.csv", "name,phone\n,\n!!!,---\n"))
    assert "junk.csv" in line and "nothing was imported" in line, line
    assert snapshot() == before


def test_empty_csv(seeded: Any, tmp_path: Path) -> None:
    line = fails(seeded, "import", write(tmp_path, "empty.csv", ""))
    assert "empty.csv" in line and "empty" in line.split("empty.csv", 1)[1]


@pytest.mark.parametrize(
    "content",
    [
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10",
        bytes(range(256)) * 8,
        b"name,phone\x00\x00\x01\x02\nAnn,646-555-0101\n",
    ],
    ids=["png", "all-bytes", "nul-bytes"],
)
def test_binary_file(seeded: Any, tmp_path: Path, content: bytes) -> None:
    before = snapshot()
    line = fails(seeded, "import", write(tmp_path, "export.csv", content))
    assert "export.csv" in line and "binary" in line, line
    assert snapshot() == before


def test_windows_1252_csv_is_read(seeded: Any, tmp_path: Path) -> None:
    path = write(tmp_path, "export.csv", "name,phone\nJosé Núñez,646-555-0101\n".encode("cp1252"))
    assert seeded.json("import", path)["created"] == 1
    assert Contact.objects.filter(first_name="José", last_name="Núñez").exists()


def test_missing_csv(seeded: Any, tmp_path: Path) -> None:
    line = fails(seeded, "import", tmp_path / "nope.csv")
    assert "nope.csv" in line and "cannot" in line, line


def test_a_vcard_without_end_imports_nothing_and_names_the_line(seeded: Any, tmp_path: Path) -> None:
    path = write(tmp_path, "phone.vcf", "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ann Lee\r\nTEL:646-555-0101\r\n")
    line = fails(seeded, "import", path)
    assert "phone.vcf" in line and "nothing was imported" in line and "row 1" in line, line
    assert "END:VCARD" in line, line


def test_a_50_mb_cell_skips_its_row_and_keeps_the_others(seeded: Any, tmp_path: Path) -> None:
    path = tmp_path / "huge.csv"
    with path.open("w", encoding="utf-8") as out:
        out.write('name,phone,notes\nAnn Lee,646-555-0101,short\nBob Ray,646-555-0102,"')
        chunk = "x" * 1_000_000
        for _ in range(50):
            out.write(chunk)
        out.write('"\nCy Young,646-555-0103,\n')
    data = seeded.json("import", path)
    assert data["created"] == 2
    assert [s["row"] for s in data["skipped"]] == [3]
    assert "bigger than 1 MB" in data["skipped"][0]["reason"] and "notes" in data["skipped"][0]["reason"]
    assert not Contact.objects.filter(first_name="Bob").exists()


def test_a_utf16_file_without_bom_is_read(seeded: Any, tmp_path: Path) -> None:
    path = write(tmp_path, "old.csv", "name,phone\nJosé Núñez,646-555-0101\n".encode("utf-16-le"))
    assert seeded.json("import", path)["created"] == 1
    assert Contact.objects.filter(first_name="José").exists()


def test_dry_run_writes_nothing(seeded: Any, write_csv: Any) -> None:
    before = snapshot()
    data = seeded.json("import", write_csv([{"name": "Ann Lee", "phone": "646-555-0101"}]), "--dry-run")
    assert data["dry_run"] is True and data["created"] == 1
    assert snapshot() == before


# --- --json on every read command ------------------------------------------------------------------


def test_json_output_of_every_read_command_parses(ringback: Any, write_csv: Any, tmp_path: Path) -> None:
    ringback.now = NOW
    assert ringback.agenda() == []
    assert ringback.json("contacts") == []
    rows = [
        {"name": "Mary Lopez", "phone": "305-555-0142", "email": "mary@example.com", "tags": "new"},
        {"name": "John Smith", "phone": "212-555-0199", "email": "john@example.com", "tags": "new"},
        {"name": "John Smith", "phone": "212-555-0199", "email": "john@example.com", "tags": "new"},
    ]
    imported = ringback.json("import", write_csv(rows, name="people.csv"))
    assert {
        k: imported[k] for k in ("file", "format", "status", "dry_run", "created", "unchanged", "skipped")
    } == {
        "file": "people.csv",
        "format": "csv",
        "status": "done",
        "dry_run": False,
        "created": 2,
        "unchanged": 1,
        "skipped": [],
    }
    playbooks = ringback.json("playbooks")
    assert {p["name"] for p in playbooks} >= {
        "call-mail-call",
        "four-calls-two-weeks",
        "steady-weekly",
        "stranger-series",
        "stay-in-touch",
    }
    assert all(p["builtin"] for p in playbooks)
    assert ringback.json("playbooks", "list") == playbooks
    for name in (
        "call-mail-call",
        "four-calls-two-weeks",
        "steady-weekly",
        "stranger-series",
        "stay-in-touch",
    ):
        shown = ringback.json("playbooks", "show", name)
        assert shown["name"] == name and shown["steps"] and shown["rules"], shown
    path = write(tmp_path, "mine.yaml", PLAYBOOK.replace("3-x days", "3-5 days"))
    assert ringback.json("playbooks", "validate", path)["valid"] is True
    assert ringback.json("playbooks", "add", path)["name"] == "my-chase"
    enrolled = ringback.json("enroll", "four-calls-two-weeks", "--tag", "new")
    assert len(enrolled["enrolled"]) == 2 and enrolled["skipped"] == []
    agenda = ringback.agenda()
    assert [i["kind"] for i in agenda] == ["call", "call"]
    assert isinstance(ringback.agenda("--date", "2026-03-03"), list)
    logged = ringback.json("log", "Mary Lopez", "voicemail")
    assert logged["outcome"] == "voicemail" and logged["next"]["step"] == "call-2"
    booked = ringback.json("appointment", "John", "--at", "2026-03-04T15:00")
    assert booked["at"] == "2026-03-04T20:00:00Z"
    paused = ringback.json("pause", "--from", "2026-03-20", "--to", "2026-03-27")
    assert paused["from"] == "2026-03-20"
    people = ringback.json("contacts", "--tag", "new")
    assert {p["name"] for p in people} == {"Mary Lopez", "John Smith"}
    assert ringback.json("contacts", "--search", "lopez")[0]["phones"][0]["number"] == "+13055550142"
    # and the same commands without --json print text, not JSON
    for command in (("agenda",), ("contacts",), ("playbooks",), ("playbooks", "show", "call-mail-call")):
        with pytest.raises(json.JSONDecodeError):
            json.loads(ringback.ok(*command).out)
