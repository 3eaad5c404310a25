"""``ringback appointment``: --list, --cancel ID, --move ID --at TIME, and --confirm for a time
outside the contact's calling hours, with the web's rules and errors (issue 11, #15)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from ringback.accounts.services import account_create
from ringback.activities.models import Appointment, Touch
from ringback.contacts.services import PhoneInput, contact_create
from ringback.core import clock

#: Monday 23 November 2026: 09:00 in New York (the seller), 04:00 in Honolulu.
NOW = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)


@pytest.fixture
def seeded(db: None) -> None:
    with clock.frozen(NOW):
        account = account_create(username="sally", password="a-long-password", time_zone="America/New_York")
        contact_create(
            account=account, first_name="Kai", last_name="Akana", phones=[PhoneInput("808-555-0123")]
        )
        account_create(username="bob", password="a-long-password", time_zone="America/New_York")


def run(ringback: Any, *args: str) -> Any:
    return ringback(*args, "--user", "sally", now=NOW)


def test_booking_outside_the_hours_needs_confirm(ringback: Any, seeded: None) -> None:
    # 08:00 in New York is 03:00 in Honolulu.
    refused = run(ringback, "appointment", "Kai", "--at", "2026-11-24T08:00")
    assert refused.code == 1
    assert refused.error_lines == [
        "error: Tue 24 Nov 03:00 HST is outside Kai Akana's calling hours (08:00-21:00 their time); "
        "confirm to book it anyway (--confirm)"
    ]
    assert not Appointment.objects.exists()
    booked = run(ringback, "appointment", "Kai", "--at", "2026-11-24T08:00", "--confirm")
    assert booked.code == 0, booked
    assert "Booked a call with Kai Akana: Tue 24 Nov 08:00 EST your time (03:00 HST theirs)." in booked.out


def test_list_cancel_and_move(ringback: Any, seeded: None) -> None:
    booked = run(ringback, "appointment", "Kai", "--at", "2026-11-24T15:30", "--note", "host kit", "--json")
    pk = booked.json()["appointment_id"]

    listed = run(ringback, "appointment", "--list", "--json")
    assert listed.code == 0, listed
    assert listed.json() == [
        {
            "appointment_id": pk,
            "contact_id": booked.json()["contact_id"],
            "contact_name": "Kai Akana",
            "at": "2026-11-24T20:30:00Z",
            "your_time": "Tue 24 Nov 15:30 EST",
            "their_time": "Tue 24 Nov 10:30 HST",
            "minutes": 15,
            "note": "host kit",
            "phone": "+18085550123",
        }
    ]
    table = run(ringback, "appointment", "--list")
    assert "Kai Akana" in table.out and "+1 808-555-0123" in table.out and "10:30 HST" in table.out

    moved = run(ringback, "appointment", "--move", str(pk), "--at", "2026-11-25T16:00")
    assert moved.code == 0, moved
    assert (
        moved.out.strip()
        == "Moved the call with Kai Akana to Wed 25 Nov 16:00 EST your time (11:00 HST theirs)."
    )
    assert Appointment.objects.get().starts_at == datetime(2026, 11, 25, 21, 0, tzinfo=UTC)

    night = run(ringback, "appointment", "--move", str(pk), "--at", "2026-11-25T07:00")
    assert night.error_lines == [
        "error: Wed 25 Nov 02:00 HST is outside Kai Akana's calling hours (08:00-21:00 their time); "
        "confirm to move it anyway (--confirm)"
    ]
    confirmed = run(
        ringback, "appointment", "--move", str(pk), "--at", "2026-11-25T07:00", "--confirm", "--json"
    )
    assert confirmed.json()["at"] == "2026-11-25T12:00:00Z"

    cancelled = run(ringback, "appointment", "--cancel", str(pk), "--note", "she is away", "--json")
    assert cancelled.code == 0, cancelled
    assert cancelled.json()["status"] == "cancelled"
    assert Appointment.objects.get().status == "cancelled"
    assert Touch.objects.filter(outcome="note").count() == 3

    again = run(ringback, "appointment", "--cancel", str(pk))
    assert again.code == 1
    assert again.error_lines == [
        "error: Kai Akana's appointment at Wed 25 Nov 02:00 HST is cancelled: only a scheduled one can be "
        "cancelled; nothing was changed"
    ]
    assert run(ringback, "appointment", "--list", "--json").json() == []
    assert "No appointments coming up." in run(ringback, "appointment", "--list").out


def test_another_accounts_appointment_is_no_such_appointment(ringback: Any, seeded: None) -> None:
    pk = str(
        run(ringback, "appointment", "Kai", "--at", "2026-11-24T15:30", "--json").json()["appointment_id"]
    )
    for args in (("--cancel", pk), ("--move", pk, "--at", "2026-11-25T16:00")):
        result = ringback("appointment", *args, "--user", "bob", now=NOW)
        assert result.code == 1
        assert result.error_lines == ["error: no such appointment"]
    assert Appointment.objects.get().status == "scheduled"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "error: name a contact to book (with --at), or use --list, --cancel ID or --move ID"),
        (("Kai",), "error: --at is required to book an appointment"),
        (("--move", "1"), "error: --at is required to move an appointment"),
        (
            ("Kai", "--at", "2026-11-24T15:30", "--cancel", "1"),
            "error: use one of: CONTACT, --list, --cancel ID, --move ID",
        ),
        (("--list", "--cancel", "1"), "error: use one of: CONTACT, --list, --cancel ID, --move ID"),
    ],
)
def test_the_forms_do_not_mix(ringback: Any, seeded: None, args: tuple[str, ...], message: str) -> None:
    result = run(ringback, "appointment", *args)
    assert result.code == 1
    assert result.error_lines == [message]
