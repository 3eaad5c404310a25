"""The calendar feed: a seller's phone appointments as an iCalendar file (RFC 5545).

A calendar app subscribes to the feed's address and fetches it again every so often; it shows
what the latest copy holds. So every appointment keeps one UID for its whole life (moving it
changes the event, not its identity), its SEQUENCE goes up each time it is moved or cancelled,
and a cancelled one stays in the feed with ``STATUS:CANCELLED`` so that calendars take it away
rather than keep the copy they had. Times are in UTC (``...Z``): every calendar shows them at
the right local time, in the seller's zone or wherever the phone is, with no VTIMEZONE to get
wrong. The text is built and escaped by the ``icalendar`` library, which folds long lines at 75
octets with CRLF (a character is never cut in two): one bad line and Google drops a whole feed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from icalendar import Alarm, Calendar, Event, vDuration

from ringback.core.phones import display_phone
from ringback.core.scheduling import zone

#: Minutes before an appointment its reminder goes off.
REMINDER_MINUTES = 10
#: How often calendar apps are asked to fetch the feed again (each app has its own floor:
#: Google Calendar takes several hours whatever the feed says).
REFRESH = timedelta(hours=1)
PRODID = "-//Ringback//Phone appointments//EN"
#: The right-hand side of every UID: Ringback's own, not a host name that may change.
UID_DOMAIN = "ringback"

#: Line breaks other than a line feed: a parser that splits lines on them (Python's own
#: ``str.splitlines`` does) would cut the content line in two.
_BREAKS = re.compile(r"\r\n|[\r\x85\u2028\u2029]")
#: Characters RFC 5545 does not allow in text (controls but tab and line feed), DEL and the C1
#: controls.
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class FeedAppointment:
    """What the feed shows of one appointment (times are aware, any zone)."""

    id: int
    #: When it was booked: part of the UID (unique across installations), never changed.
    created_at: datetime
    #: When it was last moved or cancelled (its ``created_at`` if never).
    changed_at: datetime
    #: How many times it was moved or cancelled.
    sequence: int
    starts_at: datetime
    minutes: int
    contact_name: str
    #: The contact's time zone (an IANA name): their local time is given in the description.
    their_zone: str
    #: The number to call at that time (E.164, "" when they have none that can be called).
    phone: str
    note: str
    cancelled: bool


def appointment_uid(appointment_id: int, created_at: datetime) -> str:
    """The appointment's UID: its id and the instant it was booked, so two Ringback servers
    (a demo and the real one, subscribed in one calendar) never share one; stable for life."""
    return f"appointment-{appointment_id}-{created_at.astimezone(UTC):%Y%m%dT%H%M%S%fZ}@{UID_DOMAIN}"


def feed_text(text: str) -> str:
    """``text`` as iCalendar text may hold it: line breaks as ``\\n``, no control characters
    (a name imported from a file may carry one; a calendar would refuse the line)."""
    return _CONTROLS.sub("", _BREAKS.sub("\n", text))


def _one_line(text: str) -> str:
    return _SPACES.sub(" ", feed_text(text)).strip()


def event_summary(appointment: FeedAppointment) -> str:
    """The event's title: who to call and the kind of call ("Cancelled: " first when it is)."""
    title = f"Call {_one_line(appointment.contact_name)} (phone appointment)"
    return f"Cancelled: {title}" if appointment.cancelled else title


def event_description(appointment: FeedAppointment) -> str:
    """The event's details: the number to call, the contact's own time, the note."""
    theirs = appointment.starts_at.astimezone(zone(appointment.their_zone))
    lines = ["Cancelled in Ringback: no call is planned."] if appointment.cancelled else []
    number = display_phone(appointment.phone) if appointment.phone else "none that can be called"
    lines += [
        f"Number: {number}",
        f"Their time: {theirs:%a %d %b %H:%M %Z} ({appointment.their_zone})",
    ]
    note = feed_text(appointment.note).strip()
    if note:
        lines.append(f"Note: {note}")
    return "\n".join(lines)


def _event(appointment: FeedAppointment, reminder_minutes: int) -> Event:
    event = Event()
    event.add("uid", appointment_uid(appointment.id, appointment.created_at))
    event.add("dtstamp", appointment.changed_at.astimezone(UTC))
    event.add("created", appointment.created_at.astimezone(UTC))
    event.add("last-modified", appointment.changed_at.astimezone(UTC))
    event.add("sequence", appointment.sequence)
    event.add("dtstart", appointment.starts_at.astimezone(UTC))
    event.add("dtend", (appointment.starts_at + timedelta(minutes=appointment.minutes)).astimezone(UTC))
    event.add("summary", event_summary(appointment))
    event.add("description", event_description(appointment))
    event.add("status", "CANCELLED" if appointment.cancelled else "CONFIRMED")
    if not appointment.cancelled and reminder_minutes > 0:
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", event_summary(appointment))
        alarm.add("trigger", timedelta(minutes=-reminder_minutes))
        event.add_component(alarm)
    return event


def build_feed(
    *,
    title: str,
    time_zone: str,
    appointments: Iterable[FeedAppointment],
    reminder_minutes: int = REMINDER_MINUTES,
) -> bytes:
    """The iCalendar file (UTF-8, CRLF lines of at most 75 octets) with one event per
    appointment, in the order given; ``title`` names the calendar, ``time_zone`` is the
    seller's (a hint for calendars; every time is in UTC). The same appointments give the
    same bytes."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("name", _one_line(title))
    calendar.add("x-wr-calname", _one_line(title))
    calendar.add("x-wr-timezone", time_zone)
    calendar.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", vDuration(REFRESH))
    for appointment in appointments:
        calendar.add_component(_event(appointment, reminder_minutes))
    data: bytes = calendar.to_ical()
    return data
