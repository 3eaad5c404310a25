"""Reads about activities: the agenda of a day and a contact's timeline."""

from __future__ import annotations

import contextlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery

from ringback.accounts.models import Account
from ringback.accounts.selectors import (
    account_costs,
    account_vacations,
    account_working_days,
    vacations_list,
)
from ringback.activities.choices import AppointmentStatus, Direction
from ringback.activities.choices import Channel as TouchChannel
from ringback.activities.choices import Outcome as TouchOutcome
from ringback.activities.models import Appointment, Touch, TouchUndo
from ringback.contacts.models import Contact, Email, Promise
from ringback.contacts.selectors import (
    contact_phone_choices,
    contact_zone,
    contact_zone_name,
    emails_sendable,
)
from ringback.core import clock
from ringback.core.agenda import (
    WEEKDAYS,
    Agenda,
    AgendaItem,
    Budget,
    Costs,
    ItemKind,
    birthday_greeting,
    call_reason,
    instead_for,
    missing_for,
    plan_day,
    promise_reason,
    timely_reason,
    working_days_after,
)
from ringback.core.calendar_feed import FeedAppointment
from ringback.core.checks import MessageKind
from ringback.core.credit import MESSAGE_OUTCOMES, RESPONSE_OUTCOMES
from ringback.core.engine import enrollment_next_call
from ringback.core.errors import NotFound, TemplateError
from ringback.core.outbox import OutboxStatus, idempotency_key
from ringback.core.phones import (
    PhoneChoice,
    can_be_called,
    can_be_texted,
    choose_phone,
    textable_choice,
)
from ringback.core.playbook import Channel, Send, Step
from ringback.core.playbook import Playbook as PlaybookSpec
from ringback.core.scheduling import Vacation, vacation_from_dates, zone
from ringback.messaging.models import MessageAdvice, MessageVersion, Offer
from ringback.messaging.selectors import (
    message_advice_flagged,
    message_fill,
    message_variables,
    message_versions_latest,
    offers_by_name,
)
from ringback.outbox.models import OutboundEmail
from ringback.playbooks.choices import EnrollmentStatus
from ringback.playbooks.models import Enrollment
from ringback.playbooks.selectors import (
    Learning,
    context_for,
    enrollment_state,
    enrollment_step_text,
    learning_for,
    playbook_latest_version,
    version_spec,
    window_narrowing,
)

_SEND_KINDS = {
    Channel.MAIL: ItemKind.MAIL,
    Channel.EMAIL: ItemKind.EMAIL,
    Channel.SMS: ItemKind.SMS,
    Channel.TASK: ItemKind.TASK,
}


#: The kind of message a step of each channel fills in (a call's script is its voicemail).
_KIND_OF_CHANNEL = {
    Channel.CALL: MessageKind.VOICEMAIL,
    Channel.MAIL: MessageKind.CARD,
    Channel.EMAIL: MessageKind.EMAIL,
    Channel.SMS: MessageKind.TEXT,
    Channel.TASK: MessageKind.CARD,
}


@dataclass(frozen=True, slots=True)
class _Library:
    """What filling in a day's scripts reads besides the enrollments, fetched once for the day."""

    versions: Mapping[str, MessageVersion]
    offers: Mapping[str, Offer]
    #: Each contact's open promise that falls due first.
    promises: Mapping[int, Promise]
    #: What the results say for planning the enrollments' contacts, read only when a text needs
    #: the next call's day (the engine plans it as it will be planned).
    learning: Learning | None = None


def _library_for(
    *, account: Account, enrollments: Sequence[Enrollment], promised: Sequence[Promise] = ()
) -> _Library:
    names: set[str] = set(PROMISE_MESSAGES.values()) if promised else set()
    offers: set[str] = set()
    for enrollment in enrollments:
        spec = version_spec(version=enrollment.version)
        names |= set(spec.library_refs)
        offers |= set(spec.offer_refs)
    promises: dict[int, Promise] = {}
    for promise in Promise.objects.filter(
        account=account, kept_at__isnull=True, contact_id__in=[e.contact_id for e in enrollments]
    ).order_by(F("due_on").asc(nulls_last=True), "pk"):
        promises.setdefault(promise.contact_id, promise)
    versions = message_versions_latest(account=account, names=names)
    texts = [
        *(v.body for v in versions.values()),
        *(t for e in enrollments for t in version_spec(version=e.version).templates.values()),
    ]
    learning = (
        learning_for(account=account, contacts=[e.contact for e in enrollments])
        if any("next_call_day" in text for text in texts)
        else None
    )
    return _Library(
        versions=versions,
        offers=offers_by_name(account=account, names=offers),
        promises=promises,
        learning=learning,
    )


def _offer_step(spec: PlaybookSpec, index: int) -> Step | None:
    """The step whose offer the step at ``index`` speaks of: itself, or the last mail step with
    an offer before it (a call after the card names the card's date)."""
    for step in reversed(spec.steps[: index + 1]):
        if step.offer or step.offer_days is not None:
            return step
    return None


@dataclass(frozen=True, slots=True)
class FilledScript:
    """A step's script filled in for a contact, or why it could not be."""

    text: str = ""
    error: str = ""
    subject: str = ""
    #: The library version it came from (None: the playbook's own text).
    version_id: int | None = None
    #: The library message's name, when the item has no template of its own (a promise's).
    name: str = ""
    offer_title: str = ""
    offer_details: str = ""
    offer_expires: date | None = None


def _step_words(
    spec: PlaybookSpec, name: str, library: _Library
) -> tuple[str, str, MessageVersion | None] | None:
    """The body, subject and library version of the text called ``name`` (the playbook's own
    text first, then the library's newest version); None when neither has it."""
    if name in spec.templates:
        return spec.templates[name], "", None
    version = library.versions.get(name)
    if version is None:
        return None
    return version.body, version.subject, version


def _step_script(
    *,
    account: Account,
    enrollment: Enrollment,
    now: datetime,
    vacations: tuple[Vacation, ...],
    library: _Library,
    unsubscribe_url: str = "",
) -> FilledScript:
    """The script of an enrollment's current step, filled in for this contact.

    A script that fails to fill in affects only this item: the error comes back instead of the
    text. If the playbook was fixed since the enrollment started, the newest version's script of
    the same name is used instead of the broken one.
    """
    contact = enrollment.contact
    spec = version_spec(version=enrollment.version)
    state = enrollment_state(enrollment=enrollment)
    text_name = state.variant or ""
    if not text_name or state.window is None:
        return FilledScript()
    words = _step_words(spec, text_name, library)
    if words is None:
        return FilledScript(
            error=f"The message {text_name!r} is no longer in your library: add it back, or edit {spec.title}."
        )
    text, subject, version = words
    step = spec.steps[state.step]
    tz = contact_zone(contact=contact, account=account)
    window = state.window
    next_call_day = ""
    if "next_call_day" in text:
        context = context_for(
            account=account, contact=contact, vacations=vacations, learning=library.learning
        )
        upcoming = enrollment_next_call(state, spec, at=max(now, window.start), context=context)
        next_call_day = WEEKDAYS[upcoming.start.astimezone(tz).weekday()] if upcoming else ""
    offer_step = _offer_step(spec, state.step)
    offer = library.offers.get(offer_step.offer or "") if offer_step else None
    expires = state.offer_until
    if offer_step is step:
        days = step.offer_days if step.offer_days is not None else (offer.valid_days if offer else None)
        if days is not None:
            expires = window.start.astimezone(tz).date() + timedelta(days=days)
    variables = message_variables(
        account=account,
        contact=contact,
        offer=offer,
        offer_expires=expires,
        promise=library.promises.get(contact.pk),
        attempt=state.attempt,
        next_call_day=next_call_day,
        mailed_on=state.mailed_on,
        unsubscribe_url=unsubscribe_url,
    )
    kind = MessageKind(version.message.kind) if version else _KIND_OF_CHANNEL[step.channel]
    extra = {
        "offer_title": offer.title if offer else "",
        "offer_details": offer.details if offer else "",
        "offer_expires": expires,
    }
    try:
        filled = message_fill(kind=kind, body=text, subject=subject, variables=variables)
        return FilledScript(
            text=filled.body,
            subject=filled.subject,
            version_id=version.pk if version else None,
            **extra,  # type: ignore[arg-type]
        )
    except TemplateError as exc:
        failure = exc
    latest = playbook_latest_version(playbook=enrollment.version.playbook)
    fixed = version_spec(version=latest).templates.get(text_name, "") if latest != enrollment.version else ""
    if fixed:
        with contextlib.suppress(TemplateError):
            filled = message_fill(kind=kind, body=fixed, subject="", variables=variables)
            return FilledScript(text=filled.body, **extra)  # type: ignore[arg-type]
    return FilledScript(error=f"This script could not be filled in: {failure}")


def step_script_filled(
    *, account: Account, enrollment: Enrollment, now: datetime, unsubscribe_url: str = ""
) -> FilledScript:
    """The words of ``enrollment``'s current step filled in for its contact, as the agenda shows
    them (an email's subject and body with its ``unsubscribe_url``), or why they could not be."""
    library = _library_for(account=account, enrollments=[enrollment])
    return _step_script(
        account=account,
        enrollment=enrollment,
        now=now,
        vacations=account_vacations(account=account),
        library=library,
        unsubscribe_url=unsubscribe_url,
    )


#: The ``step`` of the touch that marks a promise kept (it belongs to no playbook).
PROMISE_STEP = "promise"
#: The library message a promise item offers, by how it can go: by email when they have an
#: address, else the voicemail that tells them it is ready (seed 004).
PROMISE_MESSAGES = {"email": "the-resource-by-email", "call": "the-resource-i-promised"}


def _promises_due(*, account: Account, day: date) -> QuerySet[Promise]:
    """The open promises with a due date on or before ``day``, of people who may be contacted."""
    return (
        Promise.objects.filter(account=account, kept_at__isnull=True, due_on__lte=day)
        .filter(contact__do_not_contact=False)
        .select_related("contact")
        .prefetch_related("contact__phones", "contact__emails")
        .order_by("due_on", "pk")
    )


def _promise_item(
    *, account: Account, promise: Promise, day: date, start: datetime, now: datetime
) -> AgendaItem:
    """The agenda line of a promise due (its words are filled in once the day is planned)."""
    contact = promise.contact
    assert promise.due_on is not None  # only promises with a due date are read
    reason, timely = promise_reason(
        first_name=contact.first_name or contact.name, text=promise.text, due_on=promise.due_on, today=day
    )
    emails = list(contact.emails.all())  # prefetched
    return AgendaItem(
        kind=ItemKind.PROMISE,
        contact_id=contact.pk,
        contact_name=contact.name,
        due=start,
        zone=contact_zone_name(contact=contact, account=account),
        reason=reason,
        timely=timely,
        phone=_phone_at(contact=contact, account=account, at=max(now, start)),
        mobile=_mobile_of(contact),
        email=emails[0].address if emails else "",
        notes=contact.notes,
        promise_id=promise.pk,
        overdue=promise.due_on < day,
        overdue_days=(day - promise.due_on).days if promise.due_on < day else 0,
    )


def promise_message_name(*, has_email: bool) -> str:
    """The library message that keeps a promise: the email with the resource when the contact has
    an address, else the voicemail that tells them it is ready."""
    return PROMISE_MESSAGES["email" if has_email else "call"]


def _promise_script(
    *, account: Account, promise: Promise, library: _Library, next_call_day: str
) -> FilledScript:
    """The library's resource message filled in for the promise's contact."""
    contact = promise.contact
    name = promise_message_name(has_email=bool(contact.emails.all()))
    version = library.versions.get(name)
    if version is None:
        return FilledScript(
            error=f"The message {name!r} is no longer in your library: add it back to get its words."
        )
    variables = message_variables(
        account=account, contact=contact, promise=promise, next_call_day=next_call_day
    )
    try:
        filled = message_fill(
            kind=MessageKind(version.message.kind),
            body=version.body,
            subject=version.subject,
            variables=variables,
        )
    except TemplateError as exc:
        return FilledScript(name=name, error=f"This message could not be filled in: {exc}")
    return FilledScript(name=name, text=filled.body, subject=filled.subject, version_id=version.pk)


def _step_item(*, account: Account, enrollment: Enrollment, now: datetime, today: date) -> AgendaItem | None:
    contact = enrollment.contact
    spec = version_spec(version=enrollment.version)
    state = enrollment_state(enrollment=enrollment)
    if state.window is None or state.step >= len(spec.steps):
        return None
    step = spec.steps[state.step]
    tz = contact_zone(contact=contact, account=account)
    window = state.window
    local_start = window.start.astimezone(tz)
    overdue_since = state.overdue_since or (window.end if window.end < now else None)
    choices = contact_phone_choices(contact=contact)
    reach = {
        "textable": can_be_texted(choices),
        "address": bool(contact.addresses.all()),  # prefetched
        "email": getattr(enrollment, "has_email", True),
    }
    blocked = missing_for(step.channel, callable_=can_be_called(choices), **reach)
    if blocked and step.channel is Channel.EMAIL and getattr(enrollment, "has_any_email", False):
        blocked = "an email address that still works (theirs unsubscribed, or bounced)"
    instead = instead_for(step.channel, **reach) if blocked else ()
    overdue_days = max((now - overdue_since).days, 0) if overdue_since else 0
    common = {
        "contact_id": contact.pk,
        "contact_name": contact.name,
        "notes": contact.notes,
        "due": window.start,
        "zone": str(tz.key),
        "window_start": window.start,
        "window_end": window.end,
        "playbook": spec.name,
        "step": step.id,
        "template": state.variant,
        "enrollment_id": enrollment.pk,
        "overdue": overdue_since is not None,
        "overdue_since": overdue_since,
        "overdue_days": overdue_days,
        "timely": timely_reason(spec, state.step, offer_until=state.offer_until, today=today),
        "blocked": blocked,
        "instead": tuple(c.value for c in instead),
        "email": (getattr(enrollment, "first_email", None) or "") if Channel.EMAIL in instead else "",
        "mobile": _mobile_in(choices),
    }
    if step.channel is Channel.CALL:
        last = state.calls[-1] if state.calls else None
        phone = _phone_at(contact=contact, account=account, at=max(now, window.start))
        reason = call_reason(
            attempt=state.attempt,
            playbook_title=spec.title,
            window_start_local=local_start,
            part=window.part,
            last_call=last,
            last_call_local=last.at.astimezone(tz) if last else None,
            overdue_days=overdue_days,
            purpose=step.purpose,
            narrowed=window_narrowing(account=account, contact=contact, window=window),
            best_time=state.window_reason,
        )
        if blocked:
            reason = f"{spec.title}, step {step.id}: needs {blocked}. Add it, skip the step, or stop"
        elif phone is None:
            reason += ". No number to call right now"
        return AgendaItem(
            kind=ItemKind.CALL,
            attempt=state.attempt,
            phone=phone,
            reason=reason,
            new=state.attempt == 1 and contact.last_called_at is None,
            **common,  # type: ignore[arg-type]
        )
    reason = f"{step.channel.value.capitalize()} step '{step.id}' of {spec.title}"
    if blocked:
        reason += f": needs {blocked}. Add it, skip the step, or stop"
    elif step.purpose:
        reason += f": {step.purpose}"
    if overdue_days:
        reason += f" (overdue {overdue_days} day{'s' if overdue_days != 1 else ''})"
    email: dict[str, object] = {}
    if step.channel is Channel.EMAIL:
        email = {
            "send_auto": step.send is Send.AUTO,
            "email_key": idempotency_key(
                enrollment_id=enrollment.pk, step_index=state.step, step_id=step.id, touches=state.touches
            ),
        }
    return AgendaItem(kind=_SEND_KINDS[step.channel], reason=reason, **common, **email)  # type: ignore[arg-type]


def _phone_at(*, contact: Contact, account: Account, at: datetime) -> str | None:
    """The number to call ``contact`` on at ``at`` (their local time decides work or not)."""
    local = at.astimezone(contact_zone(contact=contact, account=account))
    choice = choose_phone(contact_phone_choices(contact=contact), local)
    return choice.number if choice else None


def _mobile_of(contact: Contact) -> str:
    """The contact's mobile number a text can go to, or "" (uses prefetched phones)."""
    return _mobile_in(contact_phone_choices(contact=contact))


def _mobile_in(choices: list[PhoneChoice]) -> str:
    """The first of ``choices`` a text can go to (a mobile not flagged wrong), or ""."""
    return next((p.number for p in choices if textable_choice(p)), "")


def day_bounds(*, account: Account, day: date) -> tuple[datetime, datetime]:
    """The UTC instants where ``day`` starts and ends in the seller's time zone."""
    tz = zone(account.time_zone)
    start = datetime.combine(day, time(0), tz).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), time(0), tz).astimezone(UTC)
    return start, end


def agenda_for_day(*, account: Account, day: date | None = None, now: datetime | None = None) -> Agenda:
    """The seller's agenda for ``day`` (today in the seller's zone by default), ranked.

    Read-only: call :func:`ringback.playbooks.services.enrollments_replan_overdue` first so that
    long-overdue steps are spread over the coming days rather than piled on today.
    """
    now = now or clock.now()
    tz = zone(account.time_zone)
    day = day or now.astimezone(tz).date()
    start, end = day_bounds(account=account, day=day)

    appointments = [
        AgendaItem(
            kind=ItemKind.APPOINTMENT,
            contact_id=a.contact_id,
            contact_name=a.contact.name,
            due=a.starts_at,
            zone=contact_zone_name(contact=a.contact, account=account),
            window_start=a.starts_at,
            window_end=a.starts_at + timedelta(minutes=a.duration_minutes),
            phone=_phone_at(contact=a.contact, account=account, at=a.starts_at),
            mobile=_mobile_of(a.contact),
            notes=a.contact.notes,
            reason="Phone appointment" + (f": {a.note}" if a.note else ""),
            appointment_id=a.pk,
        )
        for a in Appointment.objects.filter(
            account=account,
            status=AppointmentStatus.SCHEDULED,
            starts_at__gte=start,
            starts_at__lt=end,
        )
        .select_related("contact")
        .prefetch_related("contact__phones")
    ]
    responded = Contact.objects.filter(
        account=account,
        callback_requested_at__isnull=False,
        callback_requested_at__lt=end,
        do_not_contact=False,
    )
    messages = callback_messages(account=account, contacts=responded)
    callbacks = [
        AgendaItem(
            kind=ItemKind.CALLBACK,
            contact_id=c.pk,
            contact_name=c.name,
            due=c.callback_requested_at or now,
            zone=contact_zone_name(contact=c, account=account),
            phone=_phone_at(contact=c, account=account, at=now),
            mobile=_mobile_of(c),
            notes=c.notes,
            message=messages[c.pk].said if c.pk in messages else "",
            reason=f"{_responded(messages.get(c.pk))} on {c.callback_requested_at.astimezone(tz):%a %d %b at %H:%M}: call back now",  # type: ignore[union-attr]
        )
        for c in responded.prefetch_related("phones").order_by("callback_requested_at")
    ]
    enrollments = (
        Enrollment.objects.filter(account=account, status=EnrollmentStatus.ACTIVE, due_start__lt=end)
        .filter(Q(contact__suppressed_until__isnull=True) | Q(contact__suppressed_until__lte=now))
        .filter(contact__do_not_contact=False)
        .select_related("contact", "version__playbook")
        .prefetch_related("contact__phones", "contact__addresses")
        .annotate(
            has_email=Exists(emails_sendable().filter(contact=OuterRef("contact"))),
            has_any_email=Exists(Email.objects.filter(contact=OuterRef("contact"))),
            first_email=Subquery(
                emails_sendable().filter(contact=OuterRef("contact")).order_by("pk").values("address")[:1]
            ),
            # The enrollment's newest email in the outbox: an email item shows where it stands.
            **{
                f"outbox_{name}": Subquery(
                    OutboundEmail.objects.filter(enrollment=OuterRef("pk")).order_by("-pk").values(name)[:1]
                )
                for name in ("key", "status", "id", "last_error", "reason")
            },
        )
        .order_by("due_start", "pk")
    )
    calls: list[AgendaItem] = []
    sends: list[AgendaItem] = []
    by_id: dict[int, Enrollment] = {}
    for enrollment in enrollments:
        item = _step_item(account=account, enrollment=enrollment, now=now, today=day)
        if item is None:
            continue
        by_id[enrollment.pk] = enrollment
        (calls if item.kind is ItemKind.CALL else sends).append(item)

    birthday_filter = Q(birthday_month=day.month, birthday_day=day.day)
    if day.month == 2 and day.day == 28 and not _is_leap(day.year):
        birthday_filter |= Q(birthday_month=2, birthday_day=29)
    birthdays = []
    # No ordering: with the model's name ordering SQLite would scan the name index (rank sorts).
    for c in (
        Contact.objects.filter(account=account, do_not_contact=False)
        .filter(birthday_filter)
        .prefetch_related("phones")
        .order_by()
    ):
        age = f", turning {day.year - c.birthday_year}" if c.birthday_year else ""
        birthdays.append(
            AgendaItem(
                kind=ItemKind.BIRTHDAY,
                contact_id=c.pk,
                contact_name=c.name,
                due=start,
                zone=contact_zone_name(contact=c, account=account),
                reason=f"Birthday today{age}: a greeting, no sales message",
                timely="on their birthday",
                phone=_phone_at(contact=c, account=account, at=max(now, start)),
                mobile=_mobile_of(c),
                notes=c.notes,
                script=birthday_greeting(
                    first_name=c.first_name or c.name, seller_first_name=account.seller_first_name
                ),
            )
        )
    greeted = birthdays_greeted(account=account, day=day, contact_ids=[b.contact_id for b in birthdays])
    birthdays = [b for b in birthdays if b.contact_id not in greeted]
    promised = {p.pk: p for p in _promises_due(account=account, day=day)}
    promises = [
        _promise_item(account=account, promise=p, day=day, start=start, now=now) for p in promised.values()
    ]
    costs = account_costs(account=account)
    away = [(v.first_day, v.last_day) for v in vacations_list(account=account)]
    vacations = tuple(vacation_from_dates(first, last, account.time_zone) for first, last in away)
    weekdays = account_working_days(account=account)
    agenda = plan_day(
        [*appointments, *callbacks, *calls, *sends, *birthdays, *promises],
        budget=day_budget(account=account, day=day, now=now, costs=costs, away=away),
        costs=costs,
        new_per_callback=account.new_per_callback,
        next_days=working_days_after(day, weekdays=weekdays, away=away, count=HELD_FORECAST_DAYS),
    )
    # Scripts are filled in only for the items that made the day.
    library = _library_for(
        account=account,
        enrollments=[by_id[item.enrollment_id] for item in agenda.items if item.enrollment_id is not None],
        promised=[promised[item.promise_id] for item in agenda.items if item.promise_id is not None],
    )
    next_call_day = WEEKDAYS[working_days_after(day, weekdays=weekdays, away=away, count=2)[-1].weekday()]
    items = []
    for item in agenda.items:
        if item.promise_id is not None:
            filled = _promise_script(
                account=account,
                promise=promised[item.promise_id],
                library=library,
                next_call_day=next_call_day,
            )
            item = replace(
                item,
                script=filled.text,
                script_error=filled.error,
                subject=filled.subject,
                message_version_id=filled.version_id,
                template=filled.name or None,
            )
        elif item.enrollment_id is not None:
            filled = _step_script(
                account=account,
                enrollment=by_id[item.enrollment_id],
                now=now,
                vacations=vacations,
                library=library,
            )
            item = replace(
                item,
                script=filled.text,
                script_error=filled.error,
                subject=filled.subject,
                message_version_id=filled.version_id,
                offer_title=filled.offer_title,
                offer_details=filled.offer_details,
                offer_expires=filled.offer_expires,
            )
        items.append(item)
    return replace(agenda, items=tuple(_with_outbox(items, by_id)))


def _with_outbox(items: list[AgendaItem], by_id: Mapping[int, Enrollment]) -> list[AgendaItem]:
    """The email items with where their email stands in the outbox (read with the enrollments)."""
    out = []
    for item in items:
        enrollment = by_id.get(item.enrollment_id) if item.email_key and item.enrollment_id else None
        if enrollment is not None and getattr(enrollment, "outbox_key", None) == item.email_key:
            status = str(getattr(enrollment, "outbox_status", ""))
            needs_you = status in (OutboxStatus.FAILED, OutboxStatus.UNKNOWN)
            note = getattr(enrollment, "outbox_last_error" if needs_you else "outbox_reason", "") or ""
            item = replace(
                item, outbox_status=status, outbox_id=getattr(enrollment, "outbox_id", None), outbox_note=note
            )
        out.append(item)
    return out


#: How many working days ahead held items are forecast onto.
HELD_FORECAST_DAYS = 10


def day_budget(
    *,
    account: Account,
    day: date,
    now: datetime,
    costs: Costs,
    away: Sequence[tuple[date, date]] | None = None,
) -> Budget:
    """The seller's time on ``day``: minutes and calls, less what was already done if it is today.

    A day outside the seller's working days, or inside a vacation, has no time for the flow (fixed
    items still show). Minutes already spent are estimated from today's touches at ``costs``.
    """
    working = day.weekday() in account_working_days(account=account) and not any(
        first <= day <= last
        for first, last in (
            away if away is not None else [(v.first_day, v.last_day) for v in vacations_list(account=account)]
        )
    )
    budget = Budget(minutes=account.minutes_per_day, calls=account.daily_call_capacity, working=working)
    if day != now.astimezone(zone(account.time_zone)).date():
        return budget
    start, end = day_bounds(account=account, day=day)
    done = (
        Touch.objects.kept()
        .filter(account=account, direction=Direction.OUT, at__gte=start, at__lt=end)
        .exclude(channel=TouchChannel.NOTE)
    )
    spent = 0.0
    for channel, outcome, step, n in (
        done.order_by().values_list("channel", "outcome", "step").annotate(n=Count("id"))
    ):
        spent += n * costs.of(_spent_kind(channel, outcome, step))
    calls_made = done.filter(channel=TouchChannel.CALL).values("contact").distinct().count()
    return replace(budget, spent_minutes=spent, calls_made=calls_made)


def _spent_kind(channel: str, outcome: str, step: str) -> ItemKind:
    """The kind of agenda item a touch done today stood for, to count its minutes."""
    if step == BIRTHDAY_STEP:
        return ItemKind.BIRTHDAY
    if step == PROMISE_STEP:
        return ItemKind.PROMISE
    if channel == TouchChannel.CALL:
        talked = outcome in (TouchOutcome.CONNECTED, TouchOutcome.APPOINTMENT, TouchOutcome.NOT_INTERESTED)
        return ItemKind.CALLBACK if talked else ItemKind.CALL
    return {
        TouchChannel.MAIL: ItemKind.MAIL,
        TouchChannel.EMAIL: ItemKind.EMAIL,
        TouchChannel.SMS: ItemKind.SMS,
    }.get(TouchChannel(channel), ItemKind.TASK)


@dataclass(frozen=True, slots=True)
class Response:
    """How someone last called or wrote back, and what they said."""

    channel: str
    said: str


def callback_messages(*, account: Account, contacts: QuerySet[Contact]) -> dict[int, Response]:
    """How each of ``contacts`` last called or wrote back and what they said, by contact id (one
    query)."""
    rows = (
        Touch.objects.kept()
        .filter(account=account, contact__in=contacts, direction=Direction.IN, outcome=TouchOutcome.CALLBACK)
        .order_by("contact_id", "-at", "-id")
        .values_list("contact_id", "channel", "note")
    )
    messages: dict[int, Response] = {}
    for contact_id, channel, note in rows:
        messages.setdefault(contact_id, Response(channel=channel, said=note))
    return messages


def _responded(response: Response | None) -> str:
    """ "They wrote back" for an email, "They texted back" for a text, else "They responded"."""
    channel = response.channel if response else ""
    return {"email": "They wrote back", "sms": "They texted back", "mail": "They wrote back"}.get(
        channel, "They responded"
    )


def _is_leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def contact_timeline(*, account: Account, contact: Contact) -> QuerySet[Touch]:
    """Every touch of a contact, newest first."""
    return (
        Touch.objects.filter(account=account, contact=contact).select_related("undo").order_by("-at", "-id")
    )


def appointments_upcoming(*, account: Account, now: datetime | None = None) -> QuerySet[Appointment]:
    """Scheduled appointments from now on."""
    return Appointment.objects.filter(
        account=account, status=AppointmentStatus.SCHEDULED, starts_at__gte=now or clock.now()
    ).select_related("contact")


# --- for the web app's Today and Appointments pages ----------------------------------------------


@dataclass(frozen=True, slots=True)
class DoneToday:
    """What the seller has done since midnight in their time zone."""

    #: People reached out to (calls, mail, email, texts, tasks; notes are not work done).
    done: int = 0
    #: People who called or wrote back.
    callbacks: int = 0
    #: People spoken with (connected, or an appointment booked).
    conversations: int = 0


def touches_done_today(*, account: Account, now: datetime | None = None) -> DoneToday:
    """Counts of today's touches (the seller's day), in one query."""
    now = now or clock.now()
    start, end = day_bounds(account=account, day=now.astimezone(zone(account.time_zone)).date())
    out = Q(direction=Direction.OUT) & ~Q(channel=TouchChannel.NOTE)
    counts = (
        Touch.objects.kept()
        .filter(account=account, at__gte=start, at__lt=end)
        .aggregate(
            done=Count("contact", distinct=True, filter=out),
            callbacks=Count("id", filter=Q(direction=Direction.IN, outcome=TouchOutcome.CALLBACK)),
            conversations=Count(
                "contact",
                distinct=True,
                filter=Q(outcome__in=[TouchOutcome.CONNECTED, TouchOutcome.APPOINTMENT]),
            ),
        )
    )
    return DoneToday(
        done=counts["done"] or 0,
        callbacks=counts["callbacks"] or 0,
        conversations=counts["conversations"] or 0,
    )


@dataclass(frozen=True, slots=True)
class WeekSummary:
    """The last seven days in a line, and the messages the results say to change (R13)."""

    touches: int
    messages: int
    responses: int
    conversations: int
    advice: tuple[MessageAdvice, ...]


def week_summary(*, account: Account, now: datetime | None = None) -> WeekSummary:
    """The seller's last seven days (touches, messages left, responses, conversations) and the
    flagged messages, in two queries."""
    now = now or clock.now()
    left = Q(direction=Direction.OUT, outcome__in=sorted(MESSAGE_OUTCOMES))
    counts = (
        Touch.objects.kept()
        .filter(account=account, at__gte=now - timedelta(days=7), at__lt=now)
        .aggregate(
            touches=Count("id", filter=Q(direction=Direction.OUT) & ~Q(channel=TouchChannel.NOTE)),
            messages=Count("id", filter=left),
            responses=Count("id", filter=Q(outcome__in=sorted(RESPONSE_OUTCOMES))),
            conversations=Count(
                "contact",
                distinct=True,
                filter=Q(outcome__in=[TouchOutcome.CONNECTED, TouchOutcome.APPOINTMENT]),
            ),
        )
    )
    return WeekSummary(
        touches=counts["touches"] or 0,
        messages=counts["messages"] or 0,
        responses=counts["responses"] or 0,
        conversations=counts["conversations"] or 0,
        advice=tuple(message_advice_flagged(account=account)),
    )


#: The ``step`` of the touch that marks a birthday greeted (it belongs to no playbook).
BIRTHDAY_STEP = "birthday"


def birthdays_greeted(*, account: Account, day: date, contact_ids: Sequence[int]) -> set[int]:
    """Which of ``contact_ids`` the seller marked greeted on ``day`` (their zone), in one query."""
    if not contact_ids:
        return set()
    start, end = day_bounds(account=account, day=day)
    return set(
        Touch.objects.kept()
        .filter(
            account=account,
            contact_id__in=list(contact_ids),
            enrollment__isnull=True,
            step=BIRTHDAY_STEP,
            at__gte=start,
            at__lt=end,
        )
        .order_by()
        .values_list("contact_id", flat=True)
    )


def appointments_between(
    *, account: Account, start: datetime, end: datetime | None = None
) -> QuerySet[Appointment]:
    """Every appointment (scheduled, done or cancelled) from ``start`` (to before ``end``), by time."""
    rows = Appointment.objects.filter(account=account, starts_at__gte=start)
    if end is not None:
        rows = rows.filter(starts_at__lt=end)
    return rows.select_related("contact").prefetch_related("contact__phones").order_by("starts_at", "id")


def appointment_phone(*, account: Account, appointment: Appointment) -> str | None:
    """The number to call for ``appointment``: the one the agenda gives at its time (the
    contact's local time decides work or not), or None when they have no usable number."""
    return _phone_at(contact=appointment.contact, account=account, at=appointment.starts_at)


# --- a contact's timeline (the contact page) ------------------------------------------------


class EntryKind(StrEnum):
    TOUCH = "touch"
    ENROLLED = "enrolled"
    ENDED = "ended"
    APPOINTMENT = "appointment"


#: At the same instant: a touch ends an enrollment, which starts the next (newest first: reversed).
_KIND_ORDER = {EntryKind.TOUCH: 0, EntryKind.ENDED: 1, EntryKind.ENROLLED: 2, EntryKind.APPOINTMENT: 3}


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    """One line of a contact's timeline: a touch, an enrollment starting or ending, an appointment."""

    kind: EntryKind
    at: datetime
    touch: Touch | None = None
    enrollment: Enrollment | None = None
    appointment: Appointment | None = None
    step: str = ""

    @property
    def sort_key(self) -> tuple[datetime, int, int]:
        row = self.touch or self.enrollment or self.appointment
        return (self.at, _KIND_ORDER[self.kind], row.pk if row is not None else 0)


@dataclass(frozen=True, slots=True)
class TimelinePage:
    """The newest entries before a point in time; ``older`` is where the next page starts."""

    entries: list[TimelineEntry]
    older: datetime | None


def contact_timeline_page(
    *, account: Account, contact: Contact, before: datetime | None = None, limit: int = 100
) -> TimelinePage:
    """A contact's touches, enrollments and appointments, newest first, at most ``limit``.

    Three queries whatever the history's length. Entries sharing the timestamp of the first
    one left out are left out too, so that the next page (``before=older``) repeats nothing and
    skips nothing.
    """
    touches = contact_timeline(account=account, contact=contact)
    enrollments = Enrollment.objects.filter(account=account, contact=contact).select_related(
        "version__playbook"
    )
    appointments = Appointment.objects.filter(account=account, contact=contact)
    if before is not None:
        touches = touches.filter(at__lt=before)
        enrollments = enrollments.filter(started_at__lt=before)  # it ended after it started
        appointments = appointments.filter(starts_at__lt=before)
    entries = [TimelineEntry(EntryKind.TOUCH, t.at, touch=t) for t in touches[: limit + 1]]
    for enrollment in enrollments.order_by("-started_at", "-id")[: limit + 1]:
        step = enrollment_step_text(enrollment=enrollment)
        if before is None or enrollment.started_at < before:
            entries.append(
                TimelineEntry(EntryKind.ENROLLED, enrollment.started_at, enrollment=enrollment, step=step)
            )
        if enrollment.ended_at is not None and (before is None or enrollment.ended_at < before):
            entries.append(
                TimelineEntry(EntryKind.ENDED, enrollment.ended_at, enrollment=enrollment, step=step)
            )
    entries += [
        TimelineEntry(EntryKind.APPOINTMENT, a.starts_at, appointment=a)
        for a in appointments.order_by("-starts_at", "-id")[: limit + 1]
    ]
    entries.sort(key=lambda e: e.sort_key, reverse=True)
    if len(entries) <= limit:
        return TimelinePage(entries=entries, older=None)
    shown = entries[:limit]
    cut = entries[limit].at
    trimmed = [e for e in shown if e.at > cut]
    if trimmed:
        shown = trimmed
    return TimelinePage(entries=shown, older=shown[-1].at)


def contact_appointments_upcoming(*, account: Account, contact: Contact, now: datetime) -> list[Appointment]:
    """The contact's scheduled appointments from ``now`` on, soonest first."""
    return list(
        Appointment.objects.filter(
            account=account, contact=contact, status=AppointmentStatus.SCHEDULED, starts_at__gte=now
        ).order_by("starts_at", "id")[:20]
    )


def appointment_get(*, account: Account, pk: int) -> Appointment:
    """The account's appointment ``pk``; :class:`NotFound` if it has none."""
    appointment = Appointment.objects.filter(account=account, pk=pk).first()
    if appointment is None:
        raise NotFound("no such appointment")
    return appointment


#: How long after logging an outcome it can be undone.
UNDO_MINUTES = 10


def touch_last_undoable(
    *, account: Account, contact: Contact | None = None, now: datetime | None = None
) -> Touch | None:
    """The last outcome logged (of ``contact``, or of the whole account) if it can still be undone:
    logged less than :data:`UNDO_MINUTES` ago, not undone, and nothing logged for that contact
    since. Notes are not outcomes and do not count. One query."""
    now = now or clock.now()
    touches = Touch.objects.filter(
        account=account, created_at__gte=now - timedelta(minutes=UNDO_MINUTES)
    ).exclude(channel=TouchChannel.NOTE)
    if contact is not None:
        touches = touches.filter(contact=contact)
    last = touches.select_related("contact", "undo").order_by("-created_at", "-id").first()
    if last is None or now - last.created_at > timedelta(minutes=UNDO_MINUTES):
        return None
    try:
        last.undo  # noqa: B018 - loaded by select_related: is there one?
    except TouchUndo.DoesNotExist:
        return last
    return None


#: An appointment booked this many days ago or less still keeps a new chase away.
RECENT_BOOKING_DAYS = 14


def appointment_blocking_enrollment(*, account: Account, contact: Contact, at: datetime) -> str:
    """Why starting a playbook for ``contact`` at ``at`` would cross an appointment ("" if not):
    one scheduled from now on, or one booked in the last :data:`RECENT_BOOKING_DAYS` days."""
    coming = (
        Appointment.objects.filter(
            account=account, contact=contact, status=AppointmentStatus.SCHEDULED, starts_at__gte=at
        )
        .order_by("starts_at")
        .first()
    )
    if coming is not None:
        when = coming.starts_at.astimezone(zone(account.time_zone))
        return f"{contact.name} has a phone appointment on {when:%a %d %b at %H:%M}: no chase needed"
    recent = Appointment.objects.filter(
        account=account, contact=contact, created_at__gte=at - timedelta(days=RECENT_BOOKING_DAYS)
    ).exclude(status=AppointmentStatus.CANCELLED)
    if recent.exists():
        return f"{contact.name} booked a phone appointment in the last {RECENT_BOOKING_DAYS} days"
    return ""


# --- the calendar feed ------------------------------------------------------------------------

#: The calendar feed keeps appointments from this many days back, and every one ahead.
FEED_PAST_DAYS = 60
#: At most this many appointments in the feed, the earliest first (about 1.4 MB).
FEED_LIMIT = 2000


def appointments_for_feed(*, account: Account, now: datetime | None = None) -> list[FeedAppointment]:
    """The account's appointments as its calendar feed shows them: scheduled, done and cancelled
    ones from :data:`FEED_PAST_DAYS` days before ``now`` on (at most :data:`FEED_LIMIT`, the
    earliest first), each with the number to call at its time. Two queries, however many."""
    start = (now or clock.now()) - timedelta(days=FEED_PAST_DAYS)
    return [
        FeedAppointment(
            id=a.pk,
            created_at=a.created_at,
            changed_at=a.changed_at or a.created_at,
            sequence=a.sequence,
            starts_at=a.starts_at,
            minutes=a.duration_minutes,
            contact_name=a.contact.name,
            their_zone=contact_zone_name(contact=a.contact, account=account),
            phone=_phone_at(contact=a.contact, account=account, at=a.starts_at) or "",
            note=a.note,
            cancelled=a.status == AppointmentStatus.CANCELLED,
        )
        for a in appointments_between(account=account, start=start)[:FEED_LIMIT]
    ]
