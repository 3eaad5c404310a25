"""The calendar feed's file, without a database: what two independent parsers (icalendar and
vobject) read back from it, and the RFC 5545 rules one bad line of which makes Google Calendar
drop a whole feed (lines of at most 75 octets ending in CRLF, text escaped, no control
characters) — for long names and notes full of accents, emoji, commas, semicolons, line breaks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
import vobject
from hypothesis import given, settings
from hypothesis import strategies as st

from ringback.core.calendar_feed import (
    FeedAppointment,
    appointment_uid,
    build_feed,
    event_summary,
    feed_text,
)

BOOKED = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)
NEW_YORK = ZoneInfo("America/New_York")

LONG_NAME = "Zoë-Éléonore Ñúñez-Þórsdóttir 🎉 Bjørn 李小龍 Ελένη Παπαδοπούλου-Αργυροπούλου"
LONG_NOTE = (
    "Rappeler à propos du kit « Printemps », déjà 3 fois reporté; elle préfère le matin, "
    "pas le mercredi.\nDeuxième ligne, avec des virgules, des points-virgules; et un \\ oblique.\r\n"
    "Troisième: 日本語のメモ、とても長い文章です。🎂🎈 Ça va être long, très long, vraiment très long."
)


def appointment(**changes: object) -> FeedAppointment:
    values: dict[str, object] = {
        "id": 7,
        "created_at": BOOKED,
        "changed_at": BOOKED,
        "sequence": 0,
        "starts_at": datetime(2026, 11, 24, 18, 0, tzinfo=UTC),
        "minutes": 15,
        "contact_name": "Mary Smith",
        "their_zone": "America/Los_Angeles",
        "phone": "+13105550123",
        "note": "",
        "cancelled": False,
    }
    values.update(changes)
    return FeedAppointment(**values)  # type: ignore[arg-type]


def feed(*appointments: FeedAppointment) -> bytes:
    return build_feed(title="Ringback (Sally Baker)", time_zone="America/New_York", appointments=appointments)


def lines_of(data: bytes) -> list[bytes]:
    """The raw lines, each still ending in CRLF: the file must end with one."""
    assert data.endswith(b"\r\n")
    body = data[:-2].split(b"\r\n")
    assert all(b"\n" not in line and b"\r" not in line for line in body), "a bare LF or CR"
    return body


def assert_rfc_lines(data: bytes) -> None:
    for line in lines_of(data):
        assert len(line) <= 75, (len(line), line)
        line.decode("utf-8")  # folding never cuts a character in two


def both_parsers(data: bytes) -> tuple[list[Any], list[Any]]:
    """The events as icalendar reads them, and as vobject does."""
    calendar = icalendar.Calendar.from_ical(data)
    events = list(calendar.walk("VEVENT"))
    parsed = vobject.readOne(data.decode("utf-8"))
    return events, list(parsed.vevent_list)


def test_an_appointment_reads_back_the_same_in_both_parsers() -> None:
    data = feed(appointment(note="Wants the host kit"))
    (event,), (other,) = both_parsers(data)
    start = datetime(2026, 11, 24, 18, 0, tzinfo=UTC)
    assert event.decoded("dtstart") == start == other.dtstart.value
    assert event.decoded("dtend") == start + timedelta(minutes=15) == other.dtend.value
    # A calendar in New York shows it at 13:00; the description gives her own 10:00.
    assert other.dtstart.value.astimezone(NEW_YORK).strftime("%H:%M") == "13:00"
    assert str(event["summary"]) == "Call Mary Smith (phone appointment)" == other.summary.value
    assert other.description.value == (
        "Number: +1 310-555-0123\nTheir time: Tue 24 Nov 10:00 PST (America/Los_Angeles)\n"
        "Note: Wants the host kit"
    )
    assert str(event["uid"]) == "appointment-7-20261123T140000000000Z@ringback" == other.uid.value
    assert event["status"] == "CONFIRMED" == other.status.value
    assert event.decoded("sequence") == 0 == int(other.sequence.value)


def test_every_event_has_a_reminder_ten_minutes_before() -> None:
    (event,), (other,) = both_parsers(feed(appointment()))
    (alarm,) = event.walk("VALARM")
    assert alarm["action"] == "DISPLAY"
    assert alarm.decoded("trigger") == timedelta(minutes=-10)
    assert str(alarm["description"]) == "Call Mary Smith (phone appointment)"
    assert other.valarm.trigger.value == timedelta(minutes=-10)


def test_a_cancelled_one_stays_in_the_feed_cancelled_without_a_reminder() -> None:
    (event,), (other,) = both_parsers(feed(appointment(cancelled=True, sequence=1)))
    assert event["status"] == "CANCELLED" == other.status.value
    assert other.summary.value == "Cancelled: Call Mary Smith (phone appointment)"
    assert other.description.value.startswith("Cancelled in Ringback")
    assert int(other.sequence.value) == 1
    assert list(event.walk("VALARM")) == []


def test_the_uid_is_the_appointment_and_when_it_was_booked_never_its_time() -> None:
    first = feed(appointment(sequence=0))
    moved = feed(appointment(starts_at=datetime(2026, 11, 25, 20, 0, tzinfo=UTC), sequence=1))
    (a,), _ = both_parsers(first)
    (b,), _ = both_parsers(moved)
    assert a["uid"] == b["uid"] == appointment_uid(7, BOOKED)
    assert (a.decoded("sequence"), b.decoded("sequence")) == (0, 1)
    # Another server's appointment 7, booked at another instant, is another event.
    assert appointment_uid(7, BOOKED + timedelta(microseconds=1)) != appointment_uid(7, BOOKED)


def test_long_non_ascii_names_and_notes_are_folded_at_75_octets_with_crlf() -> None:
    data = feed(appointment(contact_name=LONG_NAME, note=LONG_NOTE))
    assert_rfc_lines(data)
    assert any(line.startswith(b" ") for line in lines_of(data)), "nothing was folded"
    (event,), (other,) = both_parsers(data)
    assert other.summary.value == f"Call {LONG_NAME} (phone appointment)" == str(event["summary"])
    note = other.description.value.split("Note: ", 1)[1]
    assert note == LONG_NOTE.replace("\r\n", "\n")
    assert str(event["description"]).endswith(note)


def test_commas_semicolons_backslashes_and_line_breaks_are_escaped() -> None:
    data = feed(appointment(note="a, b; c\\d\nsecond line"))
    raw = b"".join(line[1:] if line.startswith(b" ") else b"\n" + line for line in lines_of(data))
    assert b"Note: a\\, b\\; c\\\\d\\nsecond line" in raw
    _, (other,) = both_parsers(data)
    assert other.description.value.endswith("Note: a, b; c\\d\nsecond line")


def test_control_characters_are_left_out_and_odd_line_breaks_become_one() -> None:
    assert feed_text("a\x1b[31mb\x00c\x7fd\x9be") == "a[31mbcde"
    assert feed_text("one\r\ntwo\rthree\u2028four\x85five\tsix") == "one\ntwo\nthree\nfour\nfive\tsix"
    data = feed(appointment(contact_name="Bad\x1bName\x00", note="x\x0cy"))
    assert b"\x1b" not in data and b"\x00" not in data and b"\x0c" not in data
    _, (other,) = both_parsers(data)
    assert other.summary.value == "Call BadName (phone appointment)"


def test_a_name_on_several_lines_is_one_line_in_the_title() -> None:
    assert event_summary(appointment(contact_name="Mary\n  Smith\t")) == "Call Mary Smith (phone appointment)"


def test_a_contact_without_a_number_says_so() -> None:
    _, (other,) = both_parsers(feed(appointment(phone="")))
    assert "Number: none that can be called" in other.description.value


def test_the_calendar_names_itself_and_asks_to_be_fetched_hourly() -> None:
    data = feed()
    calendar = icalendar.Calendar.from_ical(data)
    assert str(calendar["x-wr-calname"]) == "Ringback (Sally Baker)" == str(calendar["name"])
    assert calendar["version"] == "2.0"
    assert b"REFRESH-INTERVAL;VALUE=DURATION:PT1H\r\n" in data
    assert b"X-PUBLISHED-TTL:PT1H\r\n" in data
    assert list(calendar.walk("VEVENT")) == []


def test_the_same_appointments_give_the_same_bytes() -> None:
    many = [appointment(id=n, note=LONG_NOTE) for n in range(5)]
    assert feed(*many) == feed(*many)


# Any text a seller could type or import (no surrogates: they cannot be stored).
TEXT = st.text(st.characters(exclude_categories=["Cs"]), max_size=300)


@settings(max_examples=150, deadline=None)
@given(name=TEXT, note=TEXT, minutes=st.integers(1, 600), cancelled=st.booleans())
def test_any_name_and_note_give_valid_lines_both_parsers_read_alike(
    name: str, note: str, minutes: int, cancelled: bool
) -> None:
    data = feed(appointment(contact_name=name, note=note, minutes=minutes, cancelled=cancelled))
    assert_rfc_lines(data)
    (event,), (other,) = both_parsers(data)
    assert (
        str(event["summary"])
        == other.summary.value
        == event_summary(appointment(contact_name=name, cancelled=cancelled))
    )
    assert str(event["description"]) == other.description.value
    kept = feed_text(note).strip()
    if kept:
        assert other.description.value.endswith(f"Note: {kept}")
    assert other.dtend.value - other.dtstart.value == timedelta(minutes=minutes)
