"""The API's touches, agenda and appointments: logging an outcome, a contact's timeline, the day's
agenda, and booking, moving and cancelling phone appointments.

Every operation calls the services, selectors and presenters that Today, the contact page, the
Appointments page and ``ringback log``, ``agenda``, ``appointment`` call, so the rules and the
errors are theirs. Instants come and go as ISO 8601 with an offset (out: in UTC, with a ``Z``);
a time without one is refused (422), as the services refuse it.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
import re
from typing import Annotated, Any, Literal

from django.db.models import Q
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from pydantic import AwareDatetime, BeforeValidator, PlainSerializer, WithJsonSchema

from ringback.accounts.api import api_account
from ringback.accounts.models import Account
from ringback.activities.choices import AppointmentStatus, Direction
from ringback.activities.choices import Channel as TouchChannel
from ringback.activities.choices import Outcome as TouchOutcome
from ringback.activities.models import Appointment, Touch
from ringback.activities.presenters import agenda_json, birthday_logged_json, touch_logged_json
from ringback.activities.selectors import (
    EntryKind,
    TimelineEntry,
    agenda_for_day,
    appointment_get,
    appointment_phone,
    appointments_between,
    contact_timeline_page,
)
from ringback.activities.services import (
    appointment_book,
    appointment_cancel,
    appointment_move,
    birthday_greeting_log,
    touch_log,
    touch_texts_stopped,
)
from ringback.contacts.selectors import contact_get, contact_zone
from ringback.core import clock
from ringback.core.agenda import ItemKind
from ringback.core.errors import InvalidInput
from ringback.core.scheduling import zone
from ringback.interface.api import COMMON_ERRORS, WRITE_ERRORS, PageOut
from ringback.interface.commands import iso_utc
from ringback.playbooks.choices import EnrollmentStatus
from ringback.playbooks.models import Enrollment
from ringback.playbooks.selectors import enrollment_running
from ringback.playbooks.services import enrollments_replan_overdue_once_a_day

router = Router()

#: The longest page of a timeline or of appointments a request may ask for.
MAX_LIMIT = 200
#: The outcomes ``log`` takes that are a birthday greeting, not a playbook outcome.
BIRTHDAY_OUTCOMES = ("birthday", "greeted")

_DATE_TIME = WithJsonSchema({"type": "string", "format": "date-time"})

#: An instant, written in UTC with a ``Z`` exactly as the command line's ``--json`` writes it.
Instant = Annotated[dt.datetime, PlainSerializer(iso_utc, return_type=str), _DATE_TIME]
#: An instant in a local time, written with its own offset (an agenda item's window).
LocalInstant = Annotated[
    dt.datetime, PlainSerializer(lambda value: value.isoformat(), return_type=str), _DATE_TIME
]


_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def _iso_8601(value: object) -> object:
    """ISO 8601 text only: no number of seconds since 1970 (which pydantic would take)."""
    if isinstance(value, dt.date) or (isinstance(value, str) and _ISO_DAY.match(value.strip())):
        return value
    raise ValueError("write an ISO 8601 date-time with its offset, e.g. 2026-11-24T15:30:00-05:00")


def _iso_day(value: object) -> object:
    """A day as YYYY-MM-DD only."""
    if isinstance(value, dt.date) or (isinstance(value, str) and _ISO_DAY.fullmatch(value.strip())):
        return value
    raise ValueError("write a day as YYYY-MM-DD")


#: An instant given to the API: ISO 8601 with an offset (a time without one is refused).
InstantIn = Annotated[AwareDatetime, BeforeValidator(_iso_8601)]
#: A day given to the API: YYYY-MM-DD.
DayIn = Annotated[dt.date, BeforeValidator(_iso_day)]


def _page_limit(default: int) -> Any:
    return Field(default, ge=1, le=MAX_LIMIT, description=f"How many at most (1 to {MAX_LIMIT})")


def _cursor_field() -> Any:
    return Field("", max_length=200, description="`next_cursor` of the page before")


def _damaged_cursor() -> InvalidInput:
    return InvalidInput("the cursor is damaged: pass next_cursor exactly as given", field="cursor")


# --- touches -------------------------------------------------------------------------------------


class TouchIn(Schema):
    """What happened, as ``ringback log CONTACT OUTCOME`` takes it."""

    outcome: str = Field(
        ...,
        min_length=1,
        max_length=40,
        description=(
            "What happened: "
            + ", ".join(o.value for o in TouchOutcome if o not in (TouchOutcome.DONE, TouchOutcome.NOTE))
            + ", done; or `birthday` (a birthday greeting, whatever playbook runs)"
        ),
    )
    note: str = Field("", max_length=5000, description="What was said")
    at: InstantIn | None = Field(None, description="When it happened (default: now); not in the future")
    template: str | None = Field(
        None, max_length=100, description="The script or template used, if not the planned one"
    )
    phone: str | None = Field(None, max_length=40, description="The number used, if not the suggested one")
    via: str | None = Field(
        None, max_length=10, description="For a callback: how they reached you (call, text, email, mail)"
    )


class NextStepOut(Schema):
    """The running playbook's next step and when it is due (UTC)."""

    playbook: str
    step: str
    channel: str
    due: Instant
    until: Instant | None


class TouchLoggedOut(Schema):
    """The touch logged, and what the playbook plans next: the fields of ``ringback log --json``."""

    touch_id: int
    contact_id: int
    contact_name: str
    outcome: str = Field(description="The outcome recorded (`birthday` for a greeting)")
    channel: TouchChannel
    at: Instant
    step: str | None = Field(description="The playbook step it completed")
    phone: str | None = None
    next: NextStepOut | None
    texts_stopped: list[str] = Field(
        default_factory=list, description="Numbers a reply asking to stop stopped texts to"
    )


@router.post(
    "/contacts/{int:contact_id}/touches",
    response={201: TouchLoggedOut, **WRITE_ERRORS},
    url_name="touch-log",
    tags=["touches"],
)
def touches_log(request: HttpRequest, contact_id: int, payload: TouchIn) -> Status[TouchLoggedOut]:
    """Log what happened with a contact (a call, a callback, a card mailed...), exactly as
    `ringback log` does: against the running playbook the outcome completes the current step
    and plans the next one. `birthday` logs a birthday greeting, once a day, whatever playbook
    runs (it uses only `note`)."""
    account = api_account(request)
    contact = contact_get(account=account, pk=contact_id)
    if payload.outcome.strip().lower() in BIRTHDAY_OUTCOMES:
        touch = birthday_greeting_log(account=account, contact=contact, note=payload.note)
        return Status(201, TouchLoggedOut.model_validate(birthday_logged_json(touch=touch, contact=contact)))
    touch = touch_log(
        account=account,
        contact=contact,
        outcome=payload.outcome,
        at=payload.at,
        note=payload.note,
        template=payload.template,
        phone=payload.phone,
        via=payload.via,
    )
    data = touch_logged_json(
        touch=touch,
        contact=contact,
        running=enrollment_running(contact=contact),
        texts_stopped=touch_texts_stopped(touch=touch),
    )
    return Status(201, TouchLoggedOut.model_validate(data))


# --- a contact's timeline ------------------------------------------------------------------------


class TimelineTouchOut(Schema):
    id: int
    channel: TouchChannel
    direction: Direction = Field(description="`in` when they reached you")
    outcome: TouchOutcome
    phone: str | None
    step: str | None
    attempt: int | None
    template: str | None
    note: str
    undone_at: Instant | None = Field(description="When it was undone (it no longer counts)")


class TimelineEnrollmentOut(Schema):
    id: int
    playbook: str
    playbook_title: str
    version: int
    status: EnrollmentStatus
    progress: str = Field(description="`step 2 of 3: the-note (mail)`, or how far it got")
    next_due: Instant | None
    ended_reason: str
    recontact_at: Instant | None


class TimelineAppointmentOut(Schema):
    id: int
    starts_at: Instant
    duration_minutes: int
    status: AppointmentStatus
    note: str


class TimelineEntryOut(Schema):
    """One line of the timeline: a touch, a playbook starting (``enrolled``) or ending
    (``ended``), or an appointment; the object of its kind is set, the others are null."""

    kind: EntryKind
    at: Instant
    touch: TimelineTouchOut | None
    enrollment: TimelineEnrollmentOut | None
    appointment: TimelineAppointmentOut | None


class TimelinePageOut(PageOut):
    items: list[TimelineEntryOut]


class TimelineQuery(Schema):
    cursor: str = _cursor_field()
    limit: int = _page_limit(50)


def _timeline_touch(touch: Touch) -> TimelineTouchOut:
    undo = getattr(touch, "undo", None)  # select_related: None when not undone
    return TimelineTouchOut(
        id=touch.pk,
        channel=TouchChannel(touch.channel),
        direction=Direction(touch.direction),
        outcome=TouchOutcome(touch.outcome),
        phone=touch.phone or None,
        step=touch.step or None,
        attempt=touch.attempt,
        template=touch.template or None,
        note=touch.note,
        undone_at=undo.at if undo is not None else None,
    )


def _timeline_enrollment(entry: TimelineEntry, enrollment: Enrollment) -> TimelineEnrollmentOut:
    return TimelineEnrollmentOut(
        id=enrollment.pk,
        playbook=enrollment.version.playbook.name,
        playbook_title=enrollment.version.playbook.title,
        version=enrollment.version.number,
        status=EnrollmentStatus(enrollment.status),
        progress=entry.step,
        next_due=enrollment.due_start,
        ended_reason=enrollment.ended_reason,
        recontact_at=enrollment.recontact_at,
    )


def _timeline_entry(entry: TimelineEntry) -> TimelineEntryOut:
    return TimelineEntryOut(
        kind=entry.kind,
        at=entry.at,
        touch=_timeline_touch(entry.touch) if entry.touch is not None else None,
        enrollment=_timeline_enrollment(entry, entry.enrollment) if entry.enrollment is not None else None,
        appointment=TimelineAppointmentOut(
            id=entry.appointment.pk,
            starts_at=entry.appointment.starts_at,
            duration_minutes=entry.appointment.duration_minutes,
            status=AppointmentStatus(entry.appointment.status),
            note=entry.appointment.note,
        )
        if entry.appointment is not None
        else None,
    )


def _timeline_before(cursor: str) -> dt.datetime | None:
    """The instant a timeline page ends at (its ``next_cursor``); None for the first page."""
    if not cursor:
        return None
    try:
        before = dt.datetime.fromisoformat(cursor)
    except ValueError:
        raise _damaged_cursor() from None
    if before.tzinfo is None:
        raise _damaged_cursor()
    return clock.check_instant(before, what="the cursor", field="cursor")


@router.get(
    "/contacts/{int:contact_id}/timeline",
    response={200: TimelinePageOut, **COMMON_ERRORS},
    url_name="contact-timeline",
    tags=["touches"],
)
def contact_timeline(request: HttpRequest, contact_id: int, query: Query[TimelineQuery]) -> TimelinePageOut:
    """A contact's history as their page shows it, newest first: touches (undone ones marked),
    playbooks started and ended, and appointments; a page at a time (a few queries whatever the
    history's length)."""
    account = api_account(request)
    before = _timeline_before(query.cursor)
    contact = contact_get(account=account, pk=contact_id)
    page = contact_timeline_page(account=account, contact=contact, before=before, limit=query.limit)
    return TimelinePageOut(
        items=[_timeline_entry(entry) for entry in page.entries],
        next_cursor=page.older.isoformat() if page.older is not None else None,
    )


# --- the agenda ----------------------------------------------------------------------------------


class WindowOut(Schema):
    """When to do it, in the contact's local time."""

    start: LocalInstant
    end: LocalInstant
    zone: str


class OfferOut(Schema):
    title: str
    details: str
    expires: dt.date


class AgendaItemOut(Schema):
    """One line of the agenda, as ``ringback agenda --json`` gives it."""

    kind: ItemKind
    contact_id: int
    contact_name: str
    due: Instant
    window: WindowOut | None
    playbook: str | None
    step: str | None
    attempt: int | None
    phone: str | None
    reason: str
    script: str
    script_error: str
    template: str | None
    subject: str | None
    message_version_id: int | None
    offer: OfferOut | None
    overdue: bool
    overdue_days: int
    new: bool
    timely: str
    minutes: float
    notes: str
    message: str
    blocked: str
    instead: list[str]
    text_link: str | None
    enrollment_id: int | None
    appointment_id: int | None
    promise_id: int | None
    email: str | None


class HeldItemOut(AgendaItemOut):
    """An item that did not fit the day, and the working day it is expected to fit."""

    expected_on: dt.date | None


class HeldOut(Schema):
    count: int
    calls: int
    items: list[HeldItemOut]


class BudgetOut(Schema):
    """The seller's time for the day and what is used of it."""

    working_day: bool
    minutes: float
    spent_minutes: float
    planned_minutes: float
    calls: int
    calls_made: int


class AgendaOut(Schema):
    """The day's agenda: ``ringback agenda --json``, field for field."""

    day: dt.date
    items: list[AgendaItemOut]
    held: HeldOut
    budget: BudgetOut


class AgendaQuery(Schema):
    date: DayIn | None = Field(None, description="The day, YYYY-MM-DD (default: today, your time zone)")


@router.get("/agenda", response={200: AgendaOut, **COMMON_ERRORS}, url_name="agenda", tags=["agenda"])
def agenda(request: HttpRequest, query: Query[AgendaQuery]) -> AgendaOut:
    """What to do on a day, in order, with the reason for each line, what was held for later days
    and the day's time budget: the same as `ringback agenda --json` (long-overdue steps are
    spread over the coming days first, once a day, as there)."""
    account = api_account(request)
    day = clock.check_day(query.date, what="date", field="date") if query.date is not None else None
    now = clock.now()
    enrollments_replan_overdue_once_a_day(account=account, now=now)
    agenda = agenda_for_day(account=account, day=day, now=now)
    data = agenda_json(agenda, day=day or now.astimezone(zone(account.time_zone)).date())
    return AgendaOut.model_validate(data)


# --- appointments --------------------------------------------------------------------------------


class AppointmentOut(Schema):
    """A phone appointment, with its times in the seller's and the contact's zones and, while it
    is scheduled, the number to call."""

    id: int
    contact_id: int
    contact_name: str
    starts_at: Instant
    ends_at: Instant
    duration_minutes: int
    status: AppointmentStatus
    note: str
    your_time: str = Field(description="`Tue 24 Nov 10:30 EST`, in your time zone")
    their_time: str = Field(description="The same in the contact's time zone")
    their_zone: str
    phone: str | None = Field(description="The number to call (null when done, cancelled or none usable)")
    missed: bool = Field(description="Scheduled, and its time has passed")
    created_at: Instant
    changed_at: Instant | None = Field(description="When it was last moved or cancelled")


class AppointmentsPageOut(PageOut):
    items: list[AppointmentOut]


class AppointmentsQuery(Schema):
    """Which appointments: by default the scheduled ones from now on, soonest first."""

    start: InstantIn | None = Field(None, description="From this instant on (default: now)")
    end: InstantIn | None = Field(None, description="Before this instant")
    status: AppointmentStatus | Literal[""] = Field(
        AppointmentStatus.SCHEDULED, description="Only this status (empty: every status)"
    )
    contact_id: int | None = Field(None, description="Only this contact's")
    cursor: str = _cursor_field()
    limit: int = _page_limit(50)


class AppointmentIn(Schema):
    """A phone appointment to book, as ``ringback appointment CONTACT --at`` books it."""

    contact_id: int = Field(strict=True)
    starts_at: InstantIn = Field(description="When, with its offset; in the future")
    duration_minutes: int = Field(15, ge=1, le=480, strict=True)
    note: str = Field("", max_length=1000, description="What the call is about")
    confirm_outside_hours: bool = Field(
        False, strict=True, description="Book it even outside the contact's calling hours (their time)"
    )


class AppointmentMoveIn(Schema):
    starts_at: InstantIn = Field(description="The new time, with its offset; in the future")
    confirm_outside_hours: bool = Field(
        False, strict=True, description="Move it even outside the contact's calling hours (their time)"
    )


class AppointmentCancelIn(Schema):
    note: str = Field("", max_length=500, description="Why (goes on the contact's timeline)")


def _appointment(appointment: Appointment, *, account: Account, now: dt.datetime) -> AppointmentOut:
    contact = appointment.contact
    starts = appointment.starts_at
    theirs = contact_zone(contact=contact, account=account)
    scheduled = appointment.status == AppointmentStatus.SCHEDULED
    return AppointmentOut(
        id=appointment.pk,
        contact_id=contact.pk,
        contact_name=contact.name,
        starts_at=starts,
        ends_at=starts + dt.timedelta(minutes=appointment.duration_minutes),
        duration_minutes=appointment.duration_minutes,
        status=AppointmentStatus(appointment.status),
        note=appointment.note,
        your_time=f"{starts.astimezone(zone(account.time_zone)):%a %d %b %H:%M %Z}",
        their_time=f"{starts.astimezone(theirs):%a %d %b %H:%M %Z}",
        their_zone=theirs.key,
        phone=appointment_phone(account=account, appointment=appointment) if scheduled else None,
        missed=scheduled and starts < now,
        created_at=appointment.created_at,
        changed_at=appointment.changed_at,
    )


def _encode_after(appointment: Appointment) -> str:
    raw = json.dumps([appointment.starts_at.isoformat(), appointment.pk], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _decode_after(cursor: str) -> tuple[dt.datetime, int] | None:
    """Where a page of appointments starts (after this time and id); None for the first page."""
    if not cursor:
        return None
    try:
        value = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        at = dt.datetime.fromisoformat(value[0])
        pk = value[1]
    except (binascii.Error, ValueError, UnicodeDecodeError, TypeError, IndexError, KeyError):
        raise _damaged_cursor() from None
    if at.tzinfo is None or not isinstance(pk, int) or isinstance(pk, bool):
        raise _damaged_cursor()
    return clock.check_instant(at, what="the cursor", field="cursor"), pk


@router.get(
    "/appointments",
    response={200: AppointmentsPageOut, **COMMON_ERRORS},
    url_name="appointments",
    tags=["appointments"],
)
def appointments_list(request: HttpRequest, query: Query[AppointmentsQuery]) -> AppointmentsPageOut:
    """Phone appointments by time, soonest first, a page at a time: by default the scheduled
    ones from now on (as `ringback appointment --list`); `start`, `end`, `status` and
    `contact_id` choose others (the Appointments page's past days: `start` 30 days ago, any
    status)."""
    account = api_account(request)
    now = clock.now()
    after = _decode_after(query.cursor)
    start = clock.check_instant(query.start, what="start", field="start") if query.start else now
    end = clock.check_instant(query.end, what="end", field="end") if query.end else None
    rows = appointments_between(account=account, start=start, end=end)
    if query.status:
        rows = rows.filter(status=query.status)
    if query.contact_id is not None:
        rows = rows.filter(contact=contact_get(account=account, pk=query.contact_id))
    if after is not None:
        rows = rows.filter(Q(starts_at__gt=after[0]) | Q(starts_at=after[0], pk__gt=after[1]))
    found = list(rows[: query.limit + 1])
    shown = found[: query.limit]
    return AppointmentsPageOut(
        items=[_appointment(a, account=account, now=now) for a in shown],
        next_cursor=_encode_after(shown[-1]) if len(found) > query.limit else None,
    )


def _read(account: Account, pk: int) -> AppointmentOut:
    """The appointment afresh, with its contact and numbers."""
    appointment = appointment_get(account=account, pk=pk)
    return _appointment(appointment, account=account, now=clock.now())


@router.post(
    "/appointments",
    response={201: AppointmentOut, **WRITE_ERRORS},
    url_name="appointment-book",
    tags=["appointments"],
)
def appointments_book(request: HttpRequest, payload: AppointmentIn) -> Status[AppointmentOut]:
    """Book a phone appointment: it goes on the agenda at its time and ends the chase. Outside
    the contact's calling hours it is refused (422 `outside_calling_hours`) unless
    `confirm_outside_hours`; the contact already booked at that time is a 409 `already_booked`."""
    account = api_account(request)
    contact = contact_get(account=account, pk=payload.contact_id)
    appointment = appointment_book(
        account=account,
        contact=contact,
        starts_at=payload.starts_at,
        note=payload.note,
        duration_minutes=payload.duration_minutes,
        confirm_outside_hours=payload.confirm_outside_hours,
    )
    return Status(201, _read(account, appointment.pk))


@router.get(
    "/appointments/{int:appointment_id}",
    response={200: AppointmentOut, **COMMON_ERRORS},
    url_name="appointment",
    tags=["appointments"],
)
def appointments_read(request: HttpRequest, appointment_id: int) -> AppointmentOut:
    """One phone appointment."""
    return _read(api_account(request), appointment_id)


@router.post(
    "/appointments/{int:appointment_id}/move",
    response={200: AppointmentOut, **WRITE_ERRORS},
    url_name="appointment-move",
    tags=["appointments"],
)
def appointments_move(
    request: HttpRequest, appointment_id: int, payload: AppointmentMoveIn
) -> AppointmentOut:
    """Move a scheduled appointment to another time, keeping its length and note, with the
    rules of booking (calling hours, already booked); a note on the timeline gives both times.
    A done or cancelled one is a 409 `appointment_not_scheduled`."""
    account = api_account(request)
    appointment = appointment_get(account=account, pk=appointment_id)
    appointment_move(
        account=account,
        appointment=appointment,
        starts_at=payload.starts_at,
        confirm_outside_hours=payload.confirm_outside_hours,
    )
    return _read(account, appointment_id)


@router.post(
    "/appointments/{int:appointment_id}/cancel",
    response={200: AppointmentOut, **WRITE_ERRORS},
    url_name="appointment-cancel",
    tags=["appointments"],
)
def appointments_cancel(
    request: HttpRequest, appointment_id: int, payload: AppointmentCancelIn
) -> AppointmentOut:
    """Cancel a scheduled appointment: it leaves the agenda and a note on the contact's timeline
    says so (with `note`, why). The chase is not restarted. A done or cancelled one is a 409
    `appointment_not_scheduled`."""
    account = api_account(request)
    appointment = appointment_get(account=account, pk=appointment_id)
    appointment_cancel(account=account, appointment=appointment, note=payload.note)
    return _read(account, appointment_id)
