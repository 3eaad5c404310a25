"""Writes about activities: logging a touch (which drives the engine) and booking appointments."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction

from ringback.accounts.models import Account
from ringback.activities.choices import AppointmentStatus, Direction
from ringback.activities.choices import Channel as TouchChannel
from ringback.activities.choices import Outcome as TouchOutcome
from ringback.activities.models import Appointment, Touch
from ringback.contacts.models import Contact, Phone
from ringback.contacts.selectors import contact_phone_choices
from ringback.contacts.services import phone_mark_bad
from ringback.core import clock
from ringback.core.engine import allowed_outcomes, enrollment_record
from ringback.core.errors import InvalidDate, InvalidInput, InvalidPhone, OutcomeNotAllowed, Suppressed
from ringback.core.phones import choose_phone, require_phone
from ringback.core.playbook import ENDING, ENGAGING, STEP_OUTCOMES, Channel, Outcome, parse_outcome
from ringback.core.scheduling import zone
from ringback.playbooks.selectors import (
    context_for,
    enrollment_running,
    enrollment_state,
    version_spec,
)
from ringback.playbooks.services import enrollment_follow_on, enrollment_save_state

#: A touch may be logged a little ahead of the clock (clock skew), never further.
FUTURE_SLACK = timedelta(minutes=5)

#: Outcomes that answer an earlier message rather than complete the planned step.
RESPONSES = frozenset({Outcome.CALLBACK, Outcome.APPOINTMENT})

_CHANNEL_OF = {
    Outcome.MAILED: Channel.MAIL,
    Outcome.EMAILED: Channel.EMAIL,
    Outcome.TEXTED: Channel.SMS,
    Outcome.DONE: Channel.TASK,
}


def _phone_used(contact: Contact, at: datetime, number: str | None, region: str) -> Phone | None:
    phones = list(contact.phones.all())
    if number:
        wanted = require_phone(number, region).number
        found = next((p for p in phones if p.number == wanted), None)
        if found is None:
            known = ", ".join(p.number for p in phones) or "none"
            raise InvalidPhone(f"{wanted} is not one of {contact.name}'s numbers ({known})")
        return found
    choice = choose_phone(
        contact_phone_choices(contact=contact), at.astimezone(zone(contact.time_zone or "UTC"))
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
) -> Touch:
    """Log a touch and let the engine react.

    Against the contact's running playbook the outcome completes the current step and plans the
    next one. Connected, callback and appointment end the chase at once; a callback (they called
    or wrote back) puts "call back now" at the top of the agenda. Not interested stops and
    suppresses the contact for the account's suppression period; do-not-contact for good.
    """
    result = outcome if isinstance(outcome, Outcome) else parse_outcome(outcome)
    now = clock.now()
    when = at or now
    if when > now + FUTURE_SLACK:
        raise InvalidDate(f"the touch time {when:%Y-%m-%d %H:%M} UTC is in the future")
    if contact.account_id != account.pk:
        raise Suppressed("that contact belongs to another account")
    enrollment = enrollment_running(contact=contact)
    spec = version_spec(version=enrollment.version) if enrollment else None
    state = enrollment_state(enrollment=enrollment) if enrollment else None
    step = spec.steps[state.step] if spec and state and state.step < len(spec.steps) else None

    if step is not None and result in STEP_OUTCOMES[step.channel]:
        channel = step.channel
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
    inbound = result is Outcome.CALLBACK
    used = (
        _phone_used(contact, when, phone, account.default_region)
        if channel in (Channel.CALL, Channel.SMS) and not inbound
        else None
    )
    if result is Outcome.WRONG_NUMBER and used is not None:
        phone_mark_bad(phone=used)

    touch = Touch(
        account=account,
        contact=contact,
        enrollment=enrollment,
        channel=channel.value,
        direction=Direction.IN if inbound else Direction.OUT,
        outcome=result.value,
        phone=used.number if used else "",
        note=note,
        at=when,
        created_at=now,
    )
    if enrollment is not None and state is not None and spec is not None:
        if result in RESPONSES:
            # A response answers the message already left, not the step still planned.
            answered = (
                Touch.objects.filter(enrollment=enrollment, direction=Direction.OUT)
                .exclude(outcome__in=[o.value for o in RESPONSES])
                .order_by("-at", "-id")
                .first()
            )
            if answered is not None:
                touch.step, touch.attempt, touch.template = answered.step, answered.attempt, answered.template
        else:
            touch.step = step.id if step else ""
            touch.attempt = (
                state.attempt if channel is Channel.CALL and step and step.channel is Channel.CALL else None
            )
            touch.template = (
                template or (state.variant if step is not None and channel is step.channel else "") or ""
            )
        new_state = enrollment_record(
            state,
            spec,
            outcome=result,
            at=when,
            context=context_for(account=account, contact=contact),
        )
        enrollment_save_state(enrollment=enrollment, state=new_state, at=when)
        enrollment_follow_on(account=account, enrollment=enrollment, at=when)
    else:
        touch.template = template or ""
    touch.save()
    _contact_after(
        account=account, contact=contact, outcome=result, at=when, channel=channel, inbound=inbound
    )
    return touch


def _contact_after(
    *, account: Account, contact: Contact, outcome: Outcome, at: datetime, channel: Channel, inbound: bool
) -> None:
    fields: dict[str, object] = {}
    if contact.last_touched_at is None or at > contact.last_touched_at:
        fields["last_touched_at"] = at
    called = channel is Channel.CALL and not inbound and outcome is not Outcome.WRONG_NUMBER
    if called and (contact.last_called_at is None or at > contact.last_called_at):
        fields["last_called_at"] = at
    if outcome is Outcome.CALLBACK:
        fields["callback_requested_at"] = contact.callback_requested_at or at
    elif outcome in (Outcome.CONNECTED, Outcome.APPOINTMENT) or outcome in ENDING:
        fields["callback_requested_at"] = None
    if outcome is Outcome.NOT_INTERESTED:
        fields["suppressed_until"] = at + timedelta(days=account.suppress_days)
    if outcome is Outcome.DO_NOT_CONTACT:
        fields["do_not_contact"] = True
    if fields:
        fields["updated_at"] = clock.now()
        for key, value in fields.items():
            setattr(contact, key, value)
        Contact.objects.filter(pk=contact.pk).update(**fields)


@transaction.atomic
def appointment_book(
    *,
    account: Account,
    contact: Contact,
    starts_at: datetime,
    note: str = "",
    duration_minutes: int = 15,
) -> Appointment:
    """Book a phone appointment: it goes on the agenda at its time and ends the chase."""
    now = clock.now()
    if starts_at < now:
        raise InvalidDate(f"the appointment time {starts_at:%Y-%m-%d %H:%M} UTC is in the past")
    if contact.do_not_contact:
        raise Suppressed(f"{contact.name} asked not to be contacted")
    appointment = Appointment.objects.create(
        account=account,
        contact=contact,
        starts_at=starts_at,
        duration_minutes=duration_minutes,
        note=note,
        status=AppointmentStatus.SCHEDULED,
        created_at=now,
    )
    touch_log(account=account, contact=contact, outcome=Outcome.APPOINTMENT, at=now, note=note)
    return appointment


def touch_note(*, account: Account, contact: Contact, text: str, at: datetime | None = None) -> Touch:
    """Add a note to the contact's timeline (what was said, what to remember)."""
    if contact.account_id != account.pk:
        raise Suppressed("that contact belongs to another account")
    if not text.strip():
        raise InvalidInput("the note is empty")
    now = clock.now()
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
