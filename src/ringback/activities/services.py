"""Writes about activities: logging a touch (which drives the engine) and booking appointments."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction

from ringback.accounts.models import Account
from ringback.accounts.selectors import account_row_check
from ringback.activities.choices import AppointmentStatus, Direction
from ringback.activities.choices import Channel as TouchChannel
from ringback.activities.choices import Outcome as TouchOutcome
from ringback.activities.models import Appointment, PromiseKept, Touch, TouchUndo
from ringback.activities.selectors import (
    BIRTHDAY_STEP,
    PROMISE_STEP,
    birthdays_greeted,
    promise_message_name,
    touch_last_undoable,
)
from ringback.contacts.choices import PhoneLabel, TextConsentSource, TextsStoppedHow
from ringback.contacts.models import Contact, Phone, Promise
from ringback.contacts.selectors import (
    contact_phone_choices,
    contact_recipient,
    contact_snapshot,
    contact_zone,
)
from ringback.contacts.services import (
    contact_lock,
    contact_restore,
    contact_touched,
    phone_mark_bad,
    phone_text_consent,
    phone_texts_restore,
    phone_texts_stop,
    promise_add,
    promise_keep,
    promise_reopen,
)
from ringback.core import clock
from ringback.core.agenda import ItemKind
from ringback.core.engine import EnrollmentState, allowed_outcomes, enrollment_record
from ringback.core.errors import (
    AlreadyBooked,
    AlreadyDoNotContact,
    AppointmentNotScheduled,
    ErrorCode,
    InvalidDate,
    InvalidInput,
    InvalidPhone,
    NotFound,
    OutcomeNotAllowed,
    OutsideCallingHours,
    RingbackError,
    Suppressed,
)
from ringback.core.phones import choose_phone, display_phone, require_phone
from ringback.core.playbook import ENDING, ENGAGING, STEP_OUTCOMES, Channel, Outcome, parse_outcome
from ringback.core.playbook import Playbook as PlaybookSpec
from ringback.core.scheduling import zone
from ringback.core.texting import is_opt_out, opt_out_words
from ringback.hooks.choices import WebhookEvent
from ringback.hooks.services import webhook_event_emit
from ringback.messaging.models import MessageVersion
from ringback.messaging.selectors import message_versions_latest, offers_by_name
from ringback.playbooks.choices import EnrollmentStatus
from ringback.playbooks.models import Enrollment
from ringback.playbooks.selectors import (
    context_for,
    effective_hours,
    enrollment_snapshot,
    enrollment_state,
    version_spec,
)
from ringback.playbooks.services import (
    enrollment_discard,
    enrollment_end,
    enrollment_follow_on,
    enrollment_lock_running,
    enrollment_restore,
    enrollment_save_state,
    enrollment_skip_step,
)

#: A touch may be logged a little ahead of the clock (clock skew), never further.
FUTURE_SLACK = timedelta(minutes=5)

#: Outcomes that say nothing of a call to them: a wrong number reached somebody else, and
#: "do not contact" may come by any channel.
NOT_A_CALL_TO_THEM = frozenset({Outcome.WRONG_NUMBER, Outcome.DO_NOT_CONTACT})

#: Outcomes that answer an earlier message rather than complete the planned step: they called
#: back. (An appointment booked on a call is that call's step, like "connected".)
RESPONSES = frozenset({Outcome.CALLBACK})

#: The longest template name a touch keeps (its column's size).
TEMPLATE_NAME_MAX = 100

_CHANNEL_OF = {
    Outcome.MAILED: Channel.MAIL,
    Outcome.EMAILED: Channel.EMAIL,
    Outcome.TEXTED: Channel.SMS,
    Outcome.DONE: Channel.TASK,
}


#: The outcome that says a written step went out, by the step's channel.
_SENT_BY = {Channel.MAIL: Outcome.MAILED, Channel.EMAIL: Outcome.EMAILED, Channel.SMS: Outcome.TEXTED}


def _sent_instead(step_channel: Channel, result: Outcome) -> bool:
    """Whether ``result`` says a written step went out through another channel: the card's
    note emailed or texted because there is no postal address, an email mailed..."""
    return step_channel in _SENT_BY and result in _SENT_BY.values() and result is not _SENT_BY[step_channel]


def _touch_channel(
    contact: Contact,
    spec: PlaybookSpec | None,
    state: EnrollmentState | None,
    result: Outcome,
    via: str | Channel | None,
) -> tuple[Channel, Outcome]:
    """The channel a touch went through, and the outcome the engine hears (a written step done
    another way counts as the step done). An outcome that fits neither the current step nor a
    response or an ending raises :class:`OutcomeNotAllowed`, listing what fits."""
    step = spec.steps[state.step] if spec and state and state.step < len(spec.steps) else None
    recorded = result
    if step is not None and result in STEP_OUTCOMES[step.channel]:
        channel = step.channel
    elif step is not None and _sent_instead(step.channel, result):
        channel, recorded = _CHANNEL_OF[result], _SENT_BY[step.channel]
    else:
        channel = _CHANNEL_OF.get(result, Channel.CALL)
        if step is not None and state is not None and result not in ENGAGING | ENDING:
            fits = ", ".join(sorted(o.value for o in allowed_outcomes(spec, state)))  # type: ignore[arg-type]
            raise OutcomeNotAllowed(
                f"{contact.name}'s next step is a {step.channel.value} ({step.id}); "
                f"{result.value!r} does not fit it; log one of: {fits}"
            )
    if result in ENDING and step is not None:
        channel = step.channel
    if result is Outcome.CALLBACK and via:
        channel = _response_channel(via)
    return channel, recorded


def _phone_used(account: Account, contact: Contact, at: datetime, number: str | None) -> Phone | None:
    region = account.default_region
    phones = list(contact.phones.all())
    if number:
        wanted = require_phone(number, region).number
        found = next((p for p in phones if p.number == wanted), None)
        if found is None:
            known = ", ".join(p.number for p in phones) or "none"
            raise InvalidPhone(f"{wanted} is not one of {contact.name}'s numbers ({known})", field="phone")
        return found
    choice = choose_phone(
        contact_phone_choices(contact=contact), at.astimezone(contact_zone(contact=contact, account=account))
    )
    return next((p for p in phones if choice and p.pk == choice.id), None)


@transaction.atomic
def touch_log(
    *,
    account: Account,
    contact: Contact,
    outcome: str | Outcome,
    at: datetime | None = None,
    note: str = "",
    template: str | None = None,
    phone: str | None = None,
    via: str | Channel | None = None,
) -> Touch:
    """Log a touch and let the engine react.

    ``via`` says how they reached you for a ``callback``: a call (the default), a text, an email
    or a letter.

    Against the contact's running playbook the outcome completes the current step and plans the
    next one. A written step may go out another way: ``emailed`` or ``texted`` on a card step
    (no postal address) completes it, recorded as an email or a text with the step's words.
    Connected, callback and appointment end the chase at once; a callback (they called
    or wrote back) puts "call back now" at the top of the agenda. Not interested stops and
    suppresses the contact for the account's suppression period; do-not-contact for good (a
    second do-not-contact raises :class:`AlreadyDoNotContact` and logs nothing).

    The contact and its running enrollment are locked and read afresh first, so two outcomes
    logged at once are applied one after the other: the second is checked against the step the
    first left, and each touch names the step it completed.
    """
    result = outcome if isinstance(outcome, Outcome) else parse_outcome(outcome)
    if template and len(template) > TEMPLATE_NAME_MAX:
        raise InvalidInput(
            f"the template name is longer than {TEMPLATE_NAME_MAX} characters", field="template"
        )
    now = clock.now()
    when = clock.check_instant(at, what="the touch time", field="at") if at is not None else now
    if when > now + FUTURE_SLACK:
        raise InvalidDate(f"the touch time {when:%Y-%m-%d %H:%M} UTC is in the future", field="at")
    account_row_check(account=account, row=contact, what="contact")
    contact_lock(contact=contact)
    if result is Outcome.DO_NOT_CONTACT and contact.do_not_contact:
        raise AlreadyDoNotContact(f"{contact.name} is already marked do-not-contact")
    enrollment = enrollment_lock_running(contact=contact)
    spec = version_spec(version=enrollment.version) if enrollment else None
    state = enrollment_state(enrollment=enrollment) if enrollment else None
    step = spec.steps[state.step] if spec and state and state.step < len(spec.steps) else None

    channel, recorded = _touch_channel(contact, spec, state, result, via)
    inbound = result is Outcome.CALLBACK
    if inbound and channel is Channel.SMS and is_opt_out(note):
        return _opt_out_logged(account=account, contact=contact, note=note, phone=phone, at=when, now=now)
    used = (
        _phone_used(account, contact, when, phone)
        if channel in (Channel.CALL, Channel.SMS) and not inbound
        else None
    )
    # The number they called or texted back from, so that credit goes to the message left there.
    heard_on = (
        require_phone(phone, account.default_region).number
        if inbound and phone and channel in (Channel.CALL, Channel.SMS)
        else ""
    )
    before: dict[str, object] = {
        "contact": contact_snapshot(contact=contact),
        "enrollment": enrollment_snapshot(enrollment=enrollment) if enrollment else None,
    }
    if result is Outcome.WRONG_NUMBER and used is not None:
        before["bad_phone"] = used.pk
        phone_mark_bad(phone=used)

    touch = Touch(
        account=account,
        contact=contact,
        enrollment=enrollment,
        channel=channel.value,
        direction=Direction.IN if inbound else Direction.OUT,
        outcome=result.value,
        phone=used.number if used else heard_on,
        note=note,
        at=when,
        created_at=now,
    )
    if enrollment is not None and state is not None and spec is not None:
        if result in RESPONSES:
            # A response answers the message already left, not the step still planned.
            answered = (
                Touch.objects.kept()
                .filter(enrollment=enrollment, direction=Direction.OUT)
                .exclude(outcome__in=[o.value for o in RESPONSES])
                .order_by("-at", "-id")
                .first()
            )
            if answered is not None:
                touch.step, touch.attempt, touch.template = answered.step, answered.attempt, answered.template
                touch.message_version_id = answered.message_version_id
        else:
            touch.step = step.id if step else ""
            touch.attempt = (
                state.attempt if channel is Channel.CALL and step and step.channel is Channel.CALL else None
            )
            same_words = step is not None and (channel is step.channel or recorded is not result)
            touch.template = template or (state.variant if same_words else "") or ""
            if touch.template and touch.template not in spec.templates:
                touch.message_version = message_versions_latest(account=account, names=[touch.template]).get(
                    touch.template
                )
        context = context_for(account=account, contact=contact)
        if step is not None and step.offer and recorded is Outcome.MAILED:
            offer = offers_by_name(account=account, names=[step.offer]).get(step.offer)
            if offer is not None:
                context = replace(context, offer_days={offer.name: offer.valid_days})
        new_state = enrollment_record(state, spec, outcome=recorded, at=when, context=context)
        enrollment_save_state(enrollment=enrollment, state=new_state, at=when)
        follow_on = enrollment_follow_on(account=account, enrollment=enrollment, at=when)
        before["follow_on"] = follow_on.pk if follow_on else None
    else:
        touch.template = template or ""
    touch.before = before
    touch.save()
    _contact_after(
        account=account,
        contact=contact,
        outcome=result,
        at=when,
        called=channel is Channel.CALL and not inbound and result not in NOT_A_CALL_TO_THEM,
    )
    _callback_emit(account=account, contact=contact, touch=touch)
    return touch


def _callback_emit(*, account: Account, contact: Contact, touch: Touch) -> None:
    """Tell the account's webhooks about a callback logged (see ``docs/webhooks.md``)."""
    if touch.outcome != TouchOutcome.CALLBACK:
        return
    webhook_event_emit(
        account=account,
        event=WebhookEvent.CALLBACK_LOGGED,
        data={
            "touch_id": touch.pk,
            "contact_id": contact.pk,
            "contact_name": contact.name,
            "at": touch.at,
            "via": touch.channel,
            "phone": touch.phone or None,
            "note": touch.note,
        },
    )


def _opt_out_logged(
    *, account: Account, contact: Contact, note: str, phone: str | None, at: datetime, now: datetime
) -> Touch:
    """Log a text reply that asks for no more texts (:func:`ringback.core.texting.is_opt_out`).

    Texts stop at once, on every playbook, to the number it came from (``phone``) or, when not
    said, to each of their mobiles (each of their numbers if they have no mobile). The reply goes
    on their timeline as their text (``note`` outcome, inbound), which an undo takes back with the
    stop. It is no call-back: it asks for fewer messages, not a call, so the chase goes on by the
    other channels (a text step shows "send it another way") and Today asks no call back.
    """
    if phone:
        given = _phone_used(account, contact, at, phone)
        found = [given] if given is not None else []
    else:
        numbers = list(Phone.objects.filter(contact=contact).order_by("pk"))
        found = [p for p in numbers if p.label == PhoneLabel.MOBILE] or numbers
    stopped = phone_texts_stop(
        account=account,
        contact=contact,
        phones=found,
        how=TextsStoppedHow.REPLY,
        words=opt_out_words(note),
        at=at,
    )
    touch = Touch(
        account=account,
        contact=contact,
        channel=Channel.SMS.value,
        direction=Direction.IN,
        outcome=TouchOutcome.NOTE,
        phone=found[0].number if phone and found else "",
        note=note,
        at=at,
        created_at=now,
        before={"texts_stopped": stopped, "opt_out": [p.number for p in found]},
    )
    touch.save()
    return touch


def touch_texts_stopped(*, touch: Touch) -> list[str]:
    """The numbers a logged reply stopped texts to (empty for any other touch)."""
    numbers = touch.before.get("opt_out") if isinstance(touch.before, dict) else None
    return [str(n) for n in numbers] if isinstance(numbers, list) else []


#: The ways of saying how they reached you, and the channel each is.
_VIA = {
    "call": Channel.CALL,
    "sms": Channel.SMS,
    "text": Channel.SMS,
    "email": Channel.EMAIL,
    "mail": Channel.MAIL,
}


def _response_channel(via: str | Channel) -> Channel:
    """How they reached you: call, text (sms), email or mail (a clear error otherwise)."""
    channel = _VIA.get(str(via).strip().lower())
    if channel is None:
        raise InvalidInput(
            f"{via!r} is not how they can reach you: call, text (or sms), email or mail", field="via"
        )
    return channel


def _contact_after(
    *, account: Account, contact: Contact, outcome: Outcome, at: datetime, called: bool
) -> None:
    """What the outcome changes about the contact, recorded through the contacts app."""
    wants_callback: bool | None = None
    if outcome is Outcome.CALLBACK:
        wants_callback = True
    elif outcome in (Outcome.CONNECTED, Outcome.APPOINTMENT) or outcome in ENDING:
        wants_callback = False
    contact_touched(
        contact=contact,
        at=at,
        called=called,
        wants_callback=wants_callback,
        suppressed_until=at + timedelta(days=account.suppress_days)
        if outcome is Outcome.NOT_INTERESTED
        else None,
        do_not_contact=outcome is Outcome.DO_NOT_CONTACT,
    )


@transaction.atomic
def appointment_book(
    *,
    account: Account,
    contact: Contact,
    starts_at: datetime,
    note: str = "",
    duration_minutes: int = 15,
    confirm_outside_hours: bool = False,
) -> Appointment:
    """Book a phone appointment: it goes on the agenda at its time and ends the chase.

    A time outside the contact's calling hours (see :func:`appointment_hours_check`) raises
    :class:`OutsideCallingHours` unless ``confirm_outside_hours``. A scheduled appointment with
    the contact at that time already (booked twice, or by two requests at once) raises
    :class:`AlreadyBooked`. Either way nothing is changed.
    """
    now = clock.now()
    _future_check(starts_at, now)
    account_row_check(account=account, row=contact, what="contact")
    contact_lock(contact=contact)
    if contact.do_not_contact:
        raise Suppressed(f"{contact.name} asked not to be contacted")
    appointment_hours_check(
        account=account, contact=contact, starts_at=starts_at, confirmed=confirm_outside_hours
    )
    if Appointment.objects.filter(
        contact=contact, starts_at=starts_at, status=AppointmentStatus.SCHEDULED
    ).exists():
        raise _booked(account, contact, starts_at)
    try:
        with transaction.atomic():
            appointment = Appointment.objects.create(
                account=account,
                contact=contact,
                starts_at=starts_at,
                duration_minutes=duration_minutes,
                note=note,
                status=AppointmentStatus.SCHEDULED,
                created_at=now,
            )
    except IntegrityError:
        # The unique constraint: the same booking committed between our check and our insert.
        raise _booked(account, contact, starts_at) from None
    touch_log(account=account, contact=contact, outcome=Outcome.APPOINTMENT, at=now, note=note)
    webhook_event_emit(
        account=account, event=WebhookEvent.APPOINTMENT_BOOKED, data=_appointment_data(contact, appointment)
    )
    return appointment


def _appointment_data(contact: Contact, appointment: Appointment, **more: object) -> dict[str, object]:
    """What a webhook is told about an appointment (see ``docs/webhooks.md``)."""
    return {
        "appointment_id": appointment.pk,
        "contact_id": contact.pk,
        "contact_name": contact.name,
        "starts_at": appointment.starts_at,
        "duration_minutes": appointment.duration_minutes,
        "note": appointment.note,
        **more,
    }


def _booked(account: Account, contact: Contact, starts_at: datetime) -> AlreadyBooked:
    local = starts_at.astimezone(contact_zone(contact=contact, account=account))
    return AlreadyBooked(
        f"{contact.name} already has an appointment at {local:%a %d %b %H:%M %Z}; nothing was changed",
        field="starts_at",
    )


def _future_check(starts_at: datetime, now: datetime) -> None:
    clock.check_instant(starts_at, what="the appointment time", field="starts_at")
    if starts_at < now:
        raise InvalidDate(
            f"the appointment time {starts_at:%Y-%m-%d %H:%M} UTC is in the past", field="starts_at"
        )


def _their_time(account: Account, contact: Contact, at: datetime) -> str:
    return f"{at.astimezone(contact_zone(contact=contact, account=account)):%a %d %b %H:%M %Z}"


def appointment_hours_check(
    *, account: Account, contact: Contact, starts_at: datetime, confirmed: bool, verb: str = "book"
) -> None:
    """Raise :class:`OutsideCallingHours` (field ``starts_at``) unless ``starts_at`` is inside the
    contact's calling hours or the seller ``confirmed`` it.

    The hours are those the engine plans calls in: the stricter of the seller's and the rules of
    the contact's region, in the contact's time zone. Only the time of day counts: a Sunday or a
    holiday the contact agreed to is not refused.
    """
    if confirmed:
        return
    recipient = contact_recipient(contact=contact, account=account)
    hours = effective_hours(account=account, country=recipient.country, subdivision=recipient.subdivision)
    local = starts_at.astimezone(zone(recipient.zone))
    if hours.start <= local.time() < hours.end:
        return
    raise OutsideCallingHours(
        f"{local:%a %d %b %H:%M %Z} is outside {contact.name}'s calling hours "
        f"({hours.start:%H:%M}-{hours.end:%H:%M} their time); confirm to {verb} it anyway",
        field="starts_at",
    )


def _appointment_lock(
    *, account: Account, appointment: Appointment, verb: str
) -> tuple[Contact, Appointment]:
    """Lock the appointment's contact, then the appointment, read afresh; raise
    :class:`AppointmentNotScheduled` unless it is still scheduled."""
    account_row_check(account=account, row=appointment, what="appointment")
    contact = contact_lock(contact=Contact.objects.get(pk=appointment.contact_id))
    locked = Appointment.objects.select_for_update().get(pk=appointment.pk)
    locked.contact = contact
    if locked.status != AppointmentStatus.SCHEDULED:
        raise AppointmentNotScheduled(
            f"{contact.name}'s appointment at {_their_time(account, contact, locked.starts_at)} is "
            f"{AppointmentStatus(locked.status).label.lower()}: only a scheduled one can be {verb}; "
            "nothing was changed",
            field="appointment",
        )
    return contact, locked


@transaction.atomic
def appointment_cancel(*, account: Account, appointment: Appointment, note: str = "") -> Appointment:
    """Cancel a scheduled appointment: it leaves the agenda, its time is free again, and a note
    on the contact's timeline says so (with ``note``, why). Returns it, cancelled.

    The chase is not restarted: the seller enrolls the contact again if they want to. Another
    account's appointment is :class:`NotFound`; one already done or cancelled (even by a request
    at the same moment) raises :class:`AppointmentNotScheduled` and changes nothing.
    """
    contact, locked = _appointment_lock(account=account, appointment=appointment, verb="cancelled")
    locked.status = AppointmentStatus.CANCELLED
    locked.sequence += 1  # the calendar feed's copy changes
    locked.changed_at = clock.now()
    locked.save(update_fields=["status", "sequence", "changed_at"])
    text = f"Appointment cancelled: {_their_time(account, contact, locked.starts_at)} their time"
    if locked.note:
        text += f" ({locked.note})"
    if note.strip():
        text += f" — {note.strip()}"
    touch_note(account=account, contact=contact, text=text)
    webhook_event_emit(
        account=account,
        event=WebhookEvent.APPOINTMENT_CANCELLED,
        data=_appointment_data(contact, locked, reason=note.strip()),
    )
    return locked


@transaction.atomic
def appointment_move(
    *, account: Account, appointment: Appointment, starts_at: datetime, confirm_outside_hours: bool = False
) -> Appointment:
    """Move a scheduled appointment to ``starts_at`` (in the future), keeping its length and note;
    a note on the contact's timeline gives both times. Returns it, moved.

    The rules of booking apply: outside the contact's calling hours raises
    :class:`OutsideCallingHours` unless ``confirm_outside_hours``; onto a time the contact has
    another appointment at raises :class:`AlreadyBooked`; a contact marked do-not-contact raises
    :class:`Suppressed`. The same time again raises :class:`InvalidDate`. Another account's
    appointment is :class:`NotFound`, one done or cancelled :class:`AppointmentNotScheduled`.
    Nothing is changed when it raises. Webhooks subscribed to ``appointment.moved`` are told.
    """
    _future_check(starts_at, clock.now())
    contact, locked = _appointment_lock(account=account, appointment=appointment, verb="moved")
    before = _their_time(account, contact, locked.starts_at)
    previous = locked.starts_at
    if locked.starts_at == starts_at:
        raise InvalidDate(
            f"{contact.name}'s appointment is already at {before}; nothing was changed", field="starts_at"
        )
    if contact.do_not_contact:
        raise Suppressed(f"{contact.name} asked not to be contacted")
    appointment_hours_check(
        account=account, contact=contact, starts_at=starts_at, confirmed=confirm_outside_hours, verb="move"
    )
    taken = Appointment.objects.filter(
        contact=contact, starts_at=starts_at, status=AppointmentStatus.SCHEDULED
    )
    if taken.exclude(pk=locked.pk).exists():
        raise _booked(account, contact, starts_at)
    changed_at = clock.now()
    try:
        with transaction.atomic():
            Appointment.objects.filter(pk=locked.pk).update(
                starts_at=starts_at, sequence=locked.sequence + 1, changed_at=changed_at
            )
    except IntegrityError:
        raise _booked(account, contact, starts_at) from None
    locked.starts_at = starts_at
    locked.sequence += 1  # the calendar feed's copy changes
    locked.changed_at = changed_at
    after = _their_time(account, contact, starts_at)
    touch_note(
        account=account, contact=contact, text=f"Appointment moved from {before} to {after} (their time)"
    )
    webhook_event_emit(
        account=account,
        event=WebhookEvent.APPOINTMENT_MOVED,
        data=_appointment_data(contact, locked, previous_starts_at=previous),
    )
    return locked


def touch_note(*, account: Account, contact: Contact, text: str, at: datetime | None = None) -> Touch:
    """Add a note to the contact's timeline (what was said, what to remember)."""
    account_row_check(account=account, row=contact, what="contact")
    if not text.strip():
        raise InvalidInput("the note is empty", field="text")
    now = clock.now()
    if at is not None:
        clock.check_instant(at, what="the note's time", field="at")
    touch = Touch(
        account=account,
        contact=contact,
        channel=TouchChannel.NOTE,
        direction=Direction.OUT,
        outcome=TouchOutcome.NOTE,
        note=text.strip(),
        at=at or now,
        created_at=now,
    )
    touch.save()
    return touch


def touch_notes_add(*, account: Account, notes: Sequence[tuple[int, str]], at: datetime) -> int:
    """Put notes on contacts' timelines at once (``(contact id, text)`` each, contacts of
    ``account``); returns how many. The notes record what happened to them (an import merged
    rows into them), so they are inbound, like news about the contact."""
    owned = set(
        Contact.objects.filter(account=account, pk__in={pk for pk, _ in notes}).values_list("pk", flat=True)
    )
    touches = [
        Touch(
            account=account,
            contact_id=pk,
            channel=TouchChannel.NOTE,
            direction=Direction.IN,
            outcome=TouchOutcome.NOTE,
            note=text,
            at=at,
            created_at=at,
        )
        for pk, text in notes
        if pk in owned
    ]
    Touch.objects.bulk_create(touches)
    return len(touches)


# --- acting on a card of the Today page ----------------------------------------------------------


class AlreadyLogged(RingbackError):
    """A card of the agenda that was already dealt with (in another tab), or whose plan moved on:
    a conflict with what is recorded, not a mistake in the request."""

    code = ErrorCode.ALREADY_LOGGED


#: Agenda items that stand for a step of a running playbook.
STEP_KINDS = frozenset({ItemKind.CALL, ItemKind.MAIL, ItemKind.EMAIL, ItemKind.SMS, ItemKind.TASK})

#: What may be logged in one tap on a card of each kind ("connected" has its own form).
CARD_OUTCOMES: dict[ItemKind, tuple[Outcome, ...]] = {
    ItemKind.CALL: (
        Outcome.VOICEMAIL,
        Outcome.NO_ANSWER,
        Outcome.BUSY,
        Outcome.CONNECTED,
        Outcome.WRONG_NUMBER,
        Outcome.NOT_INTERESTED,
    ),
    # A written step may go out through another channel (the card's note by email...).
    ItemKind.MAIL: (Outcome.MAILED, Outcome.EMAILED, Outcome.TEXTED, Outcome.NOT_INTERESTED),
    ItemKind.EMAIL: (Outcome.EMAILED, Outcome.MAILED, Outcome.TEXTED, Outcome.NOT_INTERESTED),
    ItemKind.SMS: (
        Outcome.TEXTED,
        Outcome.EMAILED,
        Outcome.MAILED,
        Outcome.WRONG_NUMBER,
        Outcome.NOT_INTERESTED,
    ),
    ItemKind.TASK: (Outcome.DONE, Outcome.NOT_INTERESTED),
    ItemKind.CALLBACK: (Outcome.DONE,),
    ItemKind.APPOINTMENT: (Outcome.DONE,),
    ItemKind.BIRTHDAY: (Outcome.DONE,),
    ItemKind.PROMISE: (Outcome.DONE,),
}

_DONE_NOTES = {
    ItemKind.CALLBACK: "Call back: done",
    ItemKind.APPOINTMENT: "Phone appointment: done",
    ItemKind.BIRTHDAY: "Birthday greeting",
}


@dataclass(frozen=True, slots=True)
class CardRef:
    """What a card of the agenda was shown for: logging against it checks it still holds."""

    kind: ItemKind
    contact_id: int
    enrollment_id: int | None = None
    step: str = ""
    due: datetime | None = None
    appointment_id: int | None = None
    promise_id: int | None = None


def _stale(contact: Contact, what: str) -> AlreadyLogged:
    return AlreadyLogged(
        f"Already logged: {contact.name}'s {what} was dealt with in another tab, "
        "or the plan has moved on. Nothing was changed."
    )


def agenda_card_check(*, account: Account, contact: Contact, ref: CardRef) -> Appointment | None:
    """Raise :class:`AlreadyLogged` unless the card still shows what is due; lock what it acts on.

    Another account's contact is "no such contact" (:class:`NotFound`), as in every service; a
    card about another contact than ``contact`` is refused with :class:`InvalidInput`. Returns
    the card's appointment, for appointment cards.
    """
    account_row_check(account=account, row=contact, what="contact")
    if ref.contact_id != contact.pk:
        raise InvalidInput("that card belongs to another contact")
    contact_lock(contact=contact)
    if ref.kind in STEP_KINDS:
        _step_card_check(account=account, contact=contact, ref=ref)
        return None
    if ref.kind is ItemKind.APPOINTMENT:
        return _appointment_card_check(account=account, contact=contact, ref=ref)
    _contact_card_check(account=account, contact=contact, ref=ref)
    return None


def _step_card_check(*, account: Account, contact: Contact, ref: CardRef) -> None:
    """Lock the contact's enrollment the step card names; raise :class:`AlreadyLogged` unless it
    is still running and due at the card's step and time."""
    if ref.enrollment_id is None:
        raise InvalidInput("that card names no playbook step")
    enrollment = (
        Enrollment.objects.select_for_update(of=("self",))
        .select_related("version__playbook")
        .filter(pk=ref.enrollment_id, account=account, contact=contact)
        .first()
    )
    if enrollment is None:
        raise InvalidInput(f"that card is not about {contact.name}'s playbook")
    if (
        enrollment.status != EnrollmentStatus.ACTIVE
        or _current_step_id(enrollment) != ref.step
        or enrollment.due_start != ref.due
    ):
        raise _stale(contact, f"{ref.kind.value} ({ref.step or 'step'})")


def _current_step_id(enrollment: Enrollment) -> str:
    """The id of the step the enrollment is at; empty once past its last step."""
    steps = version_spec(version=enrollment.version).steps
    return steps[enrollment.step_index].id if enrollment.step_index < len(steps) else ""


def _appointment_card_check(*, account: Account, contact: Contact, ref: CardRef) -> Appointment:
    """Lock and return the contact's appointment the card names; raise :class:`AlreadyLogged`
    unless it is still scheduled."""
    if ref.appointment_id is None:
        raise InvalidInput("that card names no appointment")
    appointment = (
        Appointment.objects.select_for_update()
        .filter(pk=ref.appointment_id, account=account, contact=contact)
        .first()
    )
    if appointment is None:
        raise InvalidInput(f"that appointment is not {contact.name}'s")
    if appointment.status != AppointmentStatus.SCHEDULED:
        raise _stale(contact, "appointment")
    return appointment


def _contact_card_check(*, account: Account, contact: Contact, ref: CardRef) -> None:
    """Raise :class:`AlreadyLogged` for a call-back card once the call-back was dealt with, and
    for a birthday card once the contact was greeted today (the seller's day)."""
    if ref.kind is ItemKind.CALLBACK and contact.callback_requested_at is None:
        raise _stale(contact, "call back")
    if ref.kind is ItemKind.BIRTHDAY:
        today = clock.now().astimezone(zone(account.time_zone)).date()
        if birthdays_greeted(account=account, day=today, contact_ids=[contact.pk]):
            raise _stale(contact, "birthday greeting")


def _touch_done(
    *,
    account: Account,
    contact: Contact,
    note: str,
    step: str = "",
    before: dict[str, object] | None = None,
    version: MessageVersion | None = None,
) -> Touch:
    """Log a task done for ``contact`` now (with the library ``version`` of the words it used)."""
    now = clock.now()
    touch = Touch(
        before=before or {"contact": contact_snapshot(contact=contact)},
        account=account,
        contact=contact,
        channel=TouchChannel.TASK,
        direction=Direction.OUT,
        outcome=TouchOutcome.DONE,
        step=step,
        template=version.message.name if version is not None else "",
        message_version=version,
        note=note,
        at=now,
        created_at=now,
    )
    touch.save()
    return touch


def _card_done(*, account: Account, contact: Contact, ref: CardRef, appointment: Appointment | None) -> Touch:
    """Mark a call-back, appointment or birthday card done."""
    before: dict[str, object] = {
        "contact": contact_snapshot(contact=contact),
        "appointment_done": appointment.pk if appointment is not None else None,
    }
    if appointment is not None:
        Appointment.objects.filter(pk=appointment.pk).update(status=AppointmentStatus.DONE)
    if ref.kind is ItemKind.CALLBACK:
        contact_touched(contact=contact, at=clock.now(), wants_callback=False, touched=False)
    step = BIRTHDAY_STEP if ref.kind is ItemKind.BIRTHDAY else ""
    return _touch_done(account=account, contact=contact, note=_DONE_NOTES[ref.kind], step=step, before=before)


@transaction.atomic
def birthday_greeting_log(*, account: Account, contact: Contact, note: str = "") -> Touch:
    """Log a birthday greeting (a call or a text, no sales message), whatever playbook runs:
    it completes no step. Once a day: greeting again raises :class:`AlreadyLogged`."""
    account_row_check(account=account, row=contact, what="contact")
    contact_lock(contact=contact)
    today = clock.now().astimezone(zone(account.time_zone)).date()
    if birthdays_greeted(account=account, day=today, contact_ids=[contact.pk]):
        raise AlreadyLogged(f"{contact.name} was already greeted today; nothing was logged")
    return _touch_done(
        account=account, contact=contact, note=note or _DONE_NOTES[ItemKind.BIRTHDAY], step=BIRTHDAY_STEP
    )


@transaction.atomic
def promise_kept_log(*, account: Account, contact: Contact, promise_id: int, note: str = "") -> Touch:
    """Mark the contact's promise kept and log it on their timeline, once (R11, seed 004).

    The touch records the library message the promise's agenda line offered (the resource by
    email when they have an address, else the voicemail). Keeping it again, from another tab or
    at the same moment, raises :class:`AlreadyLogged` and logs nothing; another contact's or
    account's promise is "no such promise" (:class:`NotFound`). Undo reopens it.
    """
    account_row_check(account=account, row=contact, what="contact")
    contact_lock(contact=contact)
    promise = (
        Promise.objects.select_for_update().filter(pk=promise_id, account=account, contact=contact).first()
    )
    if promise is None:
        raise NotFound("no such promise")
    if promise.kept_at is not None:
        when = promise.kept_at.astimezone(zone(account.time_zone))
        raise AlreadyLogged(
            f"“{promise.text}” was already marked kept on {when:%a %d %b at %H:%M %Z}; nothing was logged"
        )
    name = promise_message_name(has_email=contact.emails.exists())
    said = " ".join(note.split())
    touch = _touch_done(
        account=account,
        contact=contact,
        note=f"Kept a promise: {promise.text}" + (f". {said}" if said else ""),
        step=PROMISE_STEP,
        before={"contact": contact_snapshot(contact=contact), "promise_kept": promise.pk},
        version=message_versions_latest(account=account, names=[name]).get(name),
    )
    promise_keep(account=account, promise=promise)
    PromiseKept.objects.create(account=account, promise=promise, touch=touch, at=touch.at)
    return touch


@transaction.atomic
def agenda_card_log(
    *, account: Account, contact: Contact, ref: CardRef, outcome: str, phone: str | None = None
) -> Touch:
    """Log a one-tap outcome on a card of the agenda, once: a stale card changes nothing."""
    result = parse_outcome(outcome)
    allowed = CARD_OUTCOMES[ref.kind]
    if result not in allowed:
        raise OutcomeNotAllowed(
            f"{result.value!r} cannot be logged on a {ref.kind.value} card; "
            f"use one of its buttons ({', '.join(o.value for o in allowed)})"
        )
    if ref.kind is ItemKind.PROMISE:
        if ref.promise_id is None:
            raise InvalidInput("that card names no promise")
        return promise_kept_log(account=account, contact=contact, promise_id=ref.promise_id)
    appointment = agenda_card_check(account=account, contact=contact, ref=ref)
    if ref.kind in STEP_KINDS:
        return touch_log(
            account=account,
            contact=contact,
            outcome=result,
            phone=phone if ref.kind in (ItemKind.CALL, ItemKind.SMS) else None,
        )
    return _card_done(account=account, contact=contact, ref=ref, appointment=appointment)


#: What a card of a step that can't be carried out offers instead of an outcome.
UNBLOCK_CHOICES = {"skip-step": "Skip this step", "stop-playbook": "Stop the playbook"}


@transaction.atomic
def agenda_card_unblock(*, account: Account, contact: Contact, ref: CardRef, choice: str) -> Touch:
    """For a step that can't be carried out (no number, no address): skip it and plan the next,
    or stop the playbook. Logged as a task on the timeline, and undoable like an outcome."""
    if choice not in UNBLOCK_CHOICES:
        raise InvalidInput(f"{choice!r} is not one of {', '.join(UNBLOCK_CHOICES)}", field="outcome")
    account_row_check(account=account, row=contact, what="contact")
    contact_lock(contact=contact)
    agenda_card_check(account=account, contact=contact, ref=ref)
    enrollment = enrollment_lock_running(contact=contact)
    if enrollment is None:
        raise _stale(contact, "step")
    before: dict[str, object] = {
        "contact": contact_snapshot(contact=contact),
        "enrollment": enrollment_snapshot(enrollment=enrollment),
    }
    step = ref.step or ""
    if choice == "skip-step":
        enrollment_skip_step(account=account, enrollment=enrollment)
        before["follow_on"] = None
        note = f"Skipped step {step}: it could not be carried out"
        if enrollment.status != EnrollmentStatus.ACTIVE:
            follow_on = enrollment_follow_on(account=account, enrollment=enrollment, at=clock.now())
            before["follow_on"] = follow_on.pk if follow_on else None
    else:
        enrollment_end(enrollment=enrollment, reason=f"stopped at {step}: no way to reach them")
        note = f"Stopped the playbook at step {step}: no way to reach them"
    return _touch_done(account=account, contact=contact, note=note, step=step, before=before)


@dataclass(frozen=True, slots=True)
class Conversation:
    """What was recorded after talking to someone."""

    touch: Touch | None
    appointment: Appointment | None
    promise: Promise | None
    note: Touch | None


@transaction.atomic
def agenda_card_connected(
    *,
    account: Account,
    contact: Contact,
    ref: CardRef,
    said: str = "",
    promise: str = "",
    promise_due: date | None = None,
    book_at: datetime | None = None,
    book_note: str = "",
    not_interested: bool = False,
    phone: str | None = None,
    confirm_outside_hours: bool = False,
) -> Conversation:
    """Record a conversation from a card: what was said, a promise, a phone appointment, or a no.

    Booking an appointment logs it (which ends the chase); otherwise the call is logged as
    connected, or as not interested. All or nothing: a bad date, or a time outside the contact's
    calling hours not confirmed (:class:`OutsideCallingHours`), changes nothing.
    """
    appointment = agenda_card_check(account=account, contact=contact, ref=ref)
    if appointment is not None:
        Appointment.objects.filter(pk=appointment.pk).update(status=AppointmentStatus.DONE)
    booked = None
    note = None
    touch = None
    said = said.strip()
    dialled = phone if ref.kind is ItemKind.CALL else None
    if not_interested:
        touch = touch_log(
            account=account, contact=contact, outcome=Outcome.NOT_INTERESTED, note=said, phone=dialled
        )
    elif book_at is not None:
        if said:
            note = touch_note(account=account, contact=contact, text=said)
        booked = appointment_book(
            account=account,
            contact=contact,
            starts_at=book_at,
            note=book_note.strip(),
            confirm_outside_hours=confirm_outside_hours,
        )
    else:
        touch = touch_log(
            account=account, contact=contact, outcome=Outcome.CONNECTED, note=said, phone=dialled
        )
    kept = (
        promise_add(account=account, contact=contact, text=promise, due_on=promise_due)
        if promise.strip()
        else None
    )
    if ref.kind is ItemKind.BIRTHDAY:
        _touch_done(account=account, contact=contact, note=_DONE_NOTES[ItemKind.BIRTHDAY], step=BIRTHDAY_STEP)
    return Conversation(touch=touch, appointment=booked, promise=kept, note=note)


def contact_set_do_not_contact(*, account: Account, contact: Contact, note: str = "") -> Touch:
    """Mark a contact do-not-contact for good: the touch is logged and any playbook stops.

    Marking one who already is (even by a request at the same moment) raises
    :class:`AlreadyDoNotContact` and changes nothing (see :func:`touch_log`).
    """
    account_row_check(account=account, row=contact, what="contact")
    return touch_log(account=account, contact=contact, outcome="do-not-contact", note=note.strip())


# --- taking back the last outcome -----------------------------------------------------------------


class NothingToUndo(RingbackError):
    """No outcome of the contact can be taken back (none, too old, or one that can't be)."""


@transaction.atomic
def touch_undo(*, account: Account, contact: Contact) -> Touch:
    """Take back the contact's last outcome, logged less than :data:`UNDO_WINDOW` ago.

    The touch stays in the log, marked undone (once: a second undo finds nothing to undo), and
    what logging it changed is put back exactly: the enrollment's step and plan, a playbook it
    started (a follow-on, discarded), the contact's call-back, rest and do-not-contact, a number
    flagged wrong. Raises :class:`NothingToUndo` with the reason otherwise.
    """
    account_row_check(account=account, row=contact, what="contact")
    contact_lock(contact=contact)
    last = touch_last_undoable(account=account, contact=contact)
    if last is None:
        raise NothingToUndo(f"nothing to undo for {contact.name}: no outcome logged in the last 10 minutes")
    if last.outcome == Outcome.APPOINTMENT:
        raise NothingToUndo(
            f"{contact.name}'s appointment is undone by cancelling it on the Appointments page"
        )
    saved = last.before
    if not saved:
        raise NothingToUndo(
            f"{contact.name}'s last outcome was logged before undo existed; log what happened instead"
        )
    follow_on = saved.get("follow_on")
    if follow_on:
        started = Enrollment.objects.select_for_update().filter(pk=follow_on, account=account).first()
        if started is not None:
            if Touch.objects.filter(enrollment=started).exists():
                raise NothingToUndo(f"{contact.name}'s next playbook has touches logged since")
            enrollment_discard(enrollment=started)
    if saved.get("enrollment"):
        enrollment = Enrollment.objects.select_for_update().get(pk=saved["enrollment"]["id"], account=account)
        enrollment_restore(enrollment=enrollment, saved=saved["enrollment"])
    _undo_phones(account=account, contact=contact, saved=saved)
    if saved.get("appointment_done"):
        Appointment.objects.filter(pk=saved["appointment_done"], account=account).update(
            status=AppointmentStatus.SCHEDULED
        )
    if saved.get("promise_kept"):
        PromiseKept.objects.filter(touch=last, account=account).delete()
        promise_reopen(account=account, promise_id=saved["promise_kept"])
    if saved.get("contact"):
        contact_restore(contact=contact, saved=saved["contact"])
    TouchUndo.objects.create(account=account, touch=last, at=clock.now())
    return last


def _undo_phones(*, account: Account, contact: Contact, saved: dict[str, Any]) -> None:
    """Put back what a touch changed on the contact's numbers: a number flagged wrong, texts
    stopped by their reply."""
    if saved.get("bad_phone"):
        phone = Phone.objects.filter(pk=saved["bad_phone"], contact=contact).first()
        if phone is not None:
            phone_mark_bad(phone=phone, bad=False)
    stopped = saved.get("texts_stopped")
    if isinstance(stopped, list) and stopped:
        phone_texts_restore(account=account, ids=stopped)


# --- texts: consent and stop, noted on the timeline ------------------------------------------------


@transaction.atomic
def contact_texts_stop(*, account: Account, contact: Contact, phone: Phone, note: str = "") -> list[int]:
    """Stop texts to the contact's number by hand (they asked on a call, the number changed
    hands...): at once, on every playbook (see :func:`phone_texts_stop`), with a note on their
    timeline. Returns the rows stopped now: none when the number already was (its first stop
    stays, and nothing is noted)."""
    stopped = phone_texts_stop(
        account=account, contact=contact, phones=[phone], how=TextsStoppedHow.BY_HAND, words=note
    )
    if stopped:
        why = " ".join(note.split())
        touch_note(
            account=account,
            contact=contact,
            text=f"Texts to {display_phone(phone.number)} stopped by hand" + (f": {why}" if why else ""),
        )
    return stopped


@transaction.atomic
def contact_text_consent(
    *, account: Account, contact: Contact, phone: Phone, how: str, note: str = "", resume: bool = False
) -> Phone:
    """Record that the contact agreed to texts on their mobile ``phone`` (see
    :func:`phone_text_consent`: how, a note, ``resume`` after a stop), with a note on their
    timeline. Raises and notes nothing when it is refused."""
    saved = phone_text_consent(
        account=account, contact=contact, phone=phone, how=how, note=note, resume=resume
    )
    text = f"Agreed to texts on {display_phone(saved.number)}: {TextConsentSource(how).label}"
    if saved.text_consent_note:
        text += f" ({saved.text_consent_note})"
    if resume:
        text += "; texts start again"
    touch_note(account=account, contact=contact, text=text)
    return saved
