"""The Today page: the agenda as cards, an outcome logged in one tap, the "Connected…" follow-up.

The views stay thin: reads go through :mod:`ringback.activities.selectors`, writes through
:mod:`ringback.activities.services`; a domain error becomes a message next to the card or field.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import reswap, retarget

from ringback.accounts.models import Account
from ringback.accounts.submissions import submitted_once
from ringback.accounts.web import account_view
from ringback.activities.choices import Outcome as TouchOutcome
from ringback.activities.forms import CardForm, ConnectedForm, NoteForm, OutcomeForm
from ringback.activities.presenters import (
    KIND_LABELS,
    Card,
    card_for,
    card_key_for,
    clock_text,
    held_text,
    zone_label,
)
from ringback.activities.selectors import (
    agenda_for_day,
    appointment_get,
    day_bounds,
    touch_last_undoable,
    touches_done_today,
    week_summary,
)
from ringback.activities.services import (
    UNBLOCK_CHOICES,
    AlreadyLogged,
    CardRef,
    agenda_card_connected,
    agenda_card_log,
    agenda_card_unblock,
    birthday_greeting_log,
    touch_note,
    touch_undo,
)
from ringback.activities.views.common import (
    HtmxHttpRequest,
    card_urls,
    contact_url,
    new_contact_url,
    print_url,
)
from ringback.contacts.models import Contact
from ringback.contacts.selectors import contact_get, contact_zone, contact_zone_name, contacts_for_account
from ringback.core import clock
from ringback.core.agenda import ItemKind
from ringback.core.errors import AlreadyBooked, InvalidDate, OutsideCallingHours, RingbackError
from ringback.core.scheduling import read_local_datetime, zone
from ringback.interface.htmx import wants_fragment
from ringback.outbox.selectors import outbox_day
from ringback.playbooks.choices import EnrollmentStatus
from ringback.playbooks.models import Enrollment
from ringback.playbooks.selectors import enrollment_get, enrollments_long_overdue_count, version_spec
from ringback.playbooks.services import enrollments_replan_overdue_once_a_day

#: Held items listed on Today (the rest are counted).
HELD_SHOWN = 200


def _today_context(*, account: Account, now: datetime) -> dict[str, Any]:
    """The agenda as cards, the progress line and the empty state (reads only)."""
    agenda = agenda_for_day(account=account, now=now)
    seller_zone = account.time_zone
    day = now.astimezone(zone(seller_zone)).date()
    items = list(agenda.items)
    cards = [
        card_for(
            item,
            now=now,
            seller_zone=seller_zone,
            contact_url=contact_url(item.contact_id),
            urls=card_urls(item.contact_id),
        )
        for item in items
    ]
    progress = touches_done_today(account=account, now=now)
    day_start, day_end = day_bounds(account=account, day=day)
    total = progress.done + len(cards)
    birthdays = [c for c in cards if c.item.kind is ItemKind.BIRTHDAY]
    has_contacts = bool(cards) or contacts_for_account(account=account).exists()
    return {
        "account": account,
        "nav": "today",
        "cards": cards,
        "blocks": _blocks(cards, birthdays),
        "birthdays": birthdays,
        "day": day,
        "seller_zone": zone_label(seller_zone, now),
        "progress": progress,
        "total": total,
        "call_backs": sum(1 for i in items if i.kind is ItemKind.CALLBACK),
        # "Print today's cards (N)": the day's cards that have an address to go to.
        "print_cards": sum(1 for i in items if i.kind is ItemKind.MAIL and not i.blocked),
        "print_url": print_url(),
        "outbox": outbox_day(account=account, start=day_start, end=day_end),
        "appointments_today": sum(1 for i in items if i.kind is ItemKind.APPOINTMENT),
        "held": [
            {
                "name": h.item.contact_name,
                "url": contact_url(h.item.contact_id),
                "what": KIND_LABELS[h.item.kind],
                "overdue_days": h.item.overdue_days,
                "day": h.day,
            }
            for h in agenda.held[:HELD_SHOWN]
        ],
        "held_more": max(len(agenda.held) - HELD_SHOWN, 0),
        "held_line": held_text(agenda),
        "long_overdue": enrollments_long_overdue_count(account=account, now=now),
        "undoable": touch_last_undoable(account=account, now=now),
        "has_contacts": has_contacts,
        "contacts_url": reverse("contacts:list"),
        "new_contact_url": new_contact_url(),
    }


@require_GET
@account_view
def today(request: HtmxHttpRequest, *, account: Account) -> HttpResponse:
    """Today's agenda: one card per item, in order, with the reason, number and script."""
    now = clock.now()
    context = _today_context(account=account, now=now)
    if wants_fragment(request):
        return render(request, "activities/partials/agenda.html", context)
    context["week"] = week_summary(account=account, now=now)
    return render(request, "activities/today.html", context)


@require_POST
@account_view
@submitted_once
def today_replan(request: HtmxHttpRequest, *, account: Account) -> HttpResponse:
    """Spread the steps overdue by more than a few days over the coming days (the seller asked)."""
    moved = enrollments_replan_overdue_once_a_day(account=account, now=clock.now(), asked=True) or 0
    message = (
        f"{moved} overdue step{'s' if moved != 1 else ''} spread over the coming days."
        if moved
        else "Nothing was long overdue."
    )
    return _after_action(request, account=account, message=message, level=messages.SUCCESS)


def _blocks(cards: list[Card], birthdays: list[Card]) -> list[tuple[str, Any]]:
    """What the page lists, in the agenda's order: each card, except that the day's birthdays
    make one card of greetings, where the first of them falls (a day can hold dozens)."""
    blocks: list[tuple[str, Any]] = []
    for card in cards:
        if card.item.kind is not ItemKind.BIRTHDAY:
            blocks.append(("card", card))
        elif card is birthdays[0]:
            blocks.append(("birthdays", birthdays))
    return blocks


def _after_action(request: HtmxHttpRequest, *, account: Account, message: str, level: int) -> HttpResponse:
    """The refreshed agenda with a message (HTMX), or back to Today with it (no JavaScript)."""
    if not wants_fragment(request):
        messages.add_message(request, level, message)
        return redirect("today")
    context = _today_context(account=account, now=clock.now())
    context["status_message"] = message
    context["status_level"] = messages.DEFAULT_TAGS.get(level, "info")
    return render(request, "activities/partials/agenda.html", context)


def _contact(account: Account, contact_id: int) -> Contact:
    return contact_get(account=account, pk=contact_id)


def _owned(account: Account, form: CardForm) -> None:
    """404 when the card names an enrollment or appointment of another account."""
    data = form.cleaned_data
    if data.get("enrollment"):
        enrollment_get(account=account, pk=data["enrollment"])
    if data.get("appointment"):
        appointment_get(account=account, pk=data["appointment"])


def _form_error(form: CardForm) -> str:
    found: Any = form.errors.get("outcome") or form.non_field_errors() or next(iter(form.errors.values()), [])
    errors = [str(e) for e in found]
    return f"Nothing was logged: {errors[0]}" if errors else "Nothing was logged."


def _outcome_label(outcome: str) -> str:
    try:
        return str(TouchOutcome(outcome).label)
    except ValueError:
        return outcome


def _what_next(*, account: Account, ref: CardRef) -> str:
    """What the playbook plans after a logged step, in words."""
    if ref.enrollment_id is None:
        return ""
    enrollment = (
        Enrollment.objects.select_related("version__playbook")
        .filter(pk=ref.enrollment_id, account=account)
        .first()
    )
    if enrollment is None:
        return ""
    if enrollment.status != EnrollmentStatus.ACTIVE or enrollment.due_start is None:
        return f" Their playbook has ended ({enrollment.get_status_display().lower()})."
    spec = version_spec(version=enrollment.version)
    step = spec.steps[enrollment.step_index] if enrollment.step_index < len(spec.steps) else None
    when = enrollment.due_start.astimezone(zone(account.time_zone))
    what = KIND_LABELS[ItemKind(step.channel.value)].lower() if step else "next step"
    return f" Next: {what}, {when:%a} {when.day} {when:%b}."


@require_POST
@account_view
@submitted_once
def today_log(request: HtmxHttpRequest, contact_id: int, *, account: Account) -> HttpResponse:
    """Log a one-tap outcome on a card, then show the refreshed agenda."""
    contact = _contact(account, contact_id)
    form = OutcomeForm(request.POST)
    if not form.is_valid():
        return _after_action(request, account=account, message=_form_error(form), level=messages.ERROR)
    _owned(account, form)
    ref = form.ref(contact.pk)
    outcome = form.cleaned_data["outcome"]
    if outcome in UNBLOCK_CHOICES:
        try:
            agenda_card_unblock(account=account, contact=contact, ref=ref, choice=outcome)
        except RingbackError as exc:
            return _after_action(
                request, account=account, message=f"Nothing was changed: {exc.message}.", level=messages.ERROR
            )
        done = "step skipped" if outcome == "skip-step" else "playbook stopped"
        return _after_action(
            request, account=account, message=f"{contact.name}: {done}.", level=messages.SUCCESS
        )
    try:
        agenda_card_log(
            account=account,
            contact=contact,
            ref=ref,
            outcome=outcome,
            phone=form.cleaned_data["phone"] or None,
        )
    except AlreadyLogged as exc:
        return _after_action(request, account=account, message=exc.message, level=messages.WARNING)
    except RingbackError as exc:
        return _after_action(
            request, account=account, message=f"Nothing was logged: {exc.message}.", level=messages.ERROR
        )
    done = "promise kept" if ref.kind is ItemKind.PROMISE else _outcome_label(outcome).lower()
    message = f"{contact.name}: {done}, logged."
    if ref.kind is ItemKind.CALL or ref.kind in (ItemKind.MAIL, ItemKind.EMAIL, ItemKind.SMS, ItemKind.TASK):
        message += _what_next(account=account, ref=ref)
    return _after_action(request, account=account, message=message, level=messages.SUCCESS)


def _render_card_form(
    request: HtmxHttpRequest, template: str, context: dict[str, Any], *, key: str, status: int = 200
) -> HttpResponse:
    """A form that opens in a card (HTMX), or on a page of its own (no JavaScript)."""
    if wants_fragment(request):
        response = render(request, f"activities/partials/{template}", context, status=status)
        # A form sent back with errors goes where the form is, not over the agenda.
        retarget(response, f"#extra-{key}")
        reswap(response, "innerHTML")
        return response
    context["form_template"] = f"activities/partials/{template}"
    return render(request, "activities/today_form.html", context, status=status)


def _ref_fields(form: CardForm) -> dict[str, str]:
    data = form.cleaned_data
    return {
        "kind": data["kind"],
        "enrollment": str(data.get("enrollment") or ""),
        "step": data.get("step") or "",
        "due": data["due"].isoformat() if data.get("due") else "",
        "appointment": str(data.get("appointment") or ""),
        "promise_id": str(data.get("promise_id") or ""),
        "phone": data.get("phone") or "",
    }


def _key(form: CardForm, contact_id: int) -> str:
    data = form.cleaned_data
    return card_key_for(
        data["kind"], contact_id, data.get("enrollment") or data.get("appointment") or data.get("promise_id")
    )


def _bad_card(request: HtmxHttpRequest, account: Account, form: CardForm) -> HttpResponse:
    return _after_action(request, account=account, message=_form_error(form), level=messages.ERROR)


def _offset_words(their: datetime, yours: datetime) -> str:
    delta = (their.utcoffset() or timedelta()) - (yours.utcoffset() or timedelta())
    hours = delta.total_seconds() / 3600
    if hours == 0:
        return "They are on your time."
    amount = f"{abs(hours):g} hour{'s' if abs(hours) != 1 else ''}"
    return f"They are {amount} {'ahead of' if hours > 0 else 'behind'} you."


def _connected_context(
    *, account: Account, contact: Contact, form: ConnectedForm, fields: dict[str, str], key: str
) -> dict[str, Any]:
    now = form.now
    their_zone = contact_zone_name(contact=contact, account=account)
    their_now = now.astimezone(zone(their_zone))
    return {
        "nav": "today",
        "contact": contact,
        "form": form,
        "fields": fields,
        "key": key,
        "their_zone": zone_label(their_zone, now),
        "your_zone": zone_label(account.time_zone, now),
        "their_now": clock_text(now, their_zone),
        "your_now": clock_text(now, account.time_zone),
        "offset": _offset_words(their_now, now.astimezone(zone(account.time_zone))),
        "min_at": f"{their_now:%Y-%m-%dT%H:%M}",
    }


@require_http_methods(["GET", "POST"])
@account_view
@submitted_once
def today_connected(request: HtmxHttpRequest, contact_id: int, *, account: Account) -> HttpResponse:
    """After “Connected…”: note what was said, a promise, book a phone appointment, or a no."""
    contact = _contact(account, contact_id)
    tz = contact_zone(contact=contact, account=account)
    now = clock.now()
    if request.method == "GET":
        card = CardForm(request.GET)
        if not card.is_valid():
            return _bad_card(request, account, card)
        _owned(account, card)
        form = ConnectedForm(tz=tz, now=now)
        context = _connected_context(
            account=account, contact=contact, form=form, fields=_ref_fields(card), key=_key(card, contact.pk)
        )
        return _render_card_form(request, "connected_form.html", context, key=context["key"])
    form = ConnectedForm(request.POST, tz=tz, now=now)
    card = CardForm(request.POST)
    if not card.is_valid():
        return _bad_card(request, account, card)
    _owned(account, card)
    key = _key(card, contact.pk)
    outside = False
    if form.is_valid():
        data = form.cleaned_data
        try:
            result = agenda_card_connected(
                account=account,
                contact=contact,
                ref=form.ref(contact.pk),
                said=data["said"],
                promise=data["promise"],
                promise_due=data["promise_due"],
                book_at=data["book_at"],
                book_note=data["book_note"],
                not_interested=data["result"] == "not-interested",
                phone=data["phone"] or None,
                confirm_outside_hours=data["confirm_outside_hours"],
            )
        except AlreadyLogged as exc:
            return _after_action(request, account=account, message=exc.message, level=messages.WARNING)
        except (InvalidDate, AlreadyBooked, OutsideCallingHours) as exc:
            form.add_error("book_at", exc.message)
            outside = isinstance(exc, OutsideCallingHours)
        except RingbackError as exc:
            form.add_error(None, exc.message)
        else:
            return _after_action(
                request,
                account=account,
                message=_connected_message(account=account, contact=contact, result=result, data=data),
                level=messages.SUCCESS,
            )
    context = _connected_context(
        account=account, contact=contact, form=form, fields=_ref_fields(card), key=key
    )
    context["outside_hours"] = outside
    return _render_card_form(request, "connected_form.html", context, key=key)


def _connected_message(*, account: Account, contact: Contact, result: Any, data: dict[str, Any]) -> str:
    parts = []
    if result.appointment is not None:
        at = result.appointment.starts_at
        their = clock_text(at, contact_zone_name(contact=contact, account=account))
        yours = clock_text(at, account.time_zone)
        day = at.astimezone(contact_zone(contact=contact, account=account))
        when = f"{day:%d %b}, {their} their time" + (f" ({yours} your time)" if yours != their else "")
        parts.append(f"Phone appointment with {contact.name} booked for {when}.")
    elif data["result"] == "not-interested":
        parts.append(f"{contact.name}: not interested, logged. They rest for a while.")
    else:
        parts.append(f"{contact.name}: conversation logged.")
    if result.promise is not None:
        parts.append("Promise noted.")
    return " ".join(parts)


@require_http_methods(["GET", "POST"])
@account_view
@submitted_once
def today_note(request: HtmxHttpRequest, contact_id: int, *, account: Account) -> HttpResponse:
    """“Log a note” on a card: a line on the contact's timeline."""
    contact = _contact(account, contact_id)
    card = CardForm(request.POST if request.method == "POST" else request.GET)
    if not card.is_valid():
        return _bad_card(request, account, card)
    _owned(account, card)
    key = _key(card, contact.pk)
    form = NoteForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            touch_note(account=account, contact=contact, text=form.cleaned_data["text"])
        except RingbackError as exc:
            form.add_error("text", exc.message)
        else:
            return _after_action(
                request,
                account=account,
                message=f"Note saved on {contact.name}'s timeline.",
                level=messages.SUCCESS,
            )
    context = {"nav": "today", "contact": contact, "form": form, "fields": _ref_fields(card), "key": key}
    return _render_card_form(request, "note_form.html", context, key=key)


@require_GET
@account_view
def today_time_hint(request: HtmxHttpRequest, contact_id: int, *, account: Account) -> HttpResponse:
    """The seller's time for a date-time typed in the contact's time zone (a line of text)."""
    contact = contact_get(account=account, pk=contact_id)
    text = (request.GET.get("book_at") or "").strip()
    try:
        at = read_local_datetime(text, contact_zone(contact=contact, account=account), what="The date")
    except InvalidDate as exc:
        return render(request, "activities/partials/time_hint.html", {"line": exc.message})
    if at is None:
        return HttpResponse("")
    their = f"{at:%a %d %b %H:%M %Z}"
    yours = f"{at.astimezone(zone(account.time_zone)):%a %d %b %H:%M %Z}"
    line = f"{their} their time is {yours} your time." if their != yours else f"{their}: same time for you."
    return render(request, "activities/partials/time_hint.html", {"line": line})


@require_POST
@account_view
@submitted_once
def today_undo(request: HtmxHttpRequest, contact_id: int, *, account: Account) -> HttpResponse:
    """Take back the contact's last outcome (within 10 minutes), then show Today, or go back to
    the contact's page when the undo was asked for there."""
    contact = _contact(account, contact_id)
    try:
        touch = touch_undo(account=account, contact=contact)
    except RingbackError as exc:
        message, level = f"Nothing was undone: {exc.message}.", messages.WARNING
    else:
        message, level = f"{contact.name}: {_outcome_label(touch.outcome).lower()} undone.", messages.SUCCESS
    if request.POST.get("back") == "contact":
        messages.add_message(request, level, message)
        return redirect(contact_url(contact.pk))
    return _after_action(request, account=account, message=message, level=level)


@require_POST
@account_view
@submitted_once
def today_birthday_greeted(request: HtmxHttpRequest, *, account: Account) -> HttpResponse:
    """Mark the birthday of the contact whose "Greeted" was pressed as greeted (once a day)."""
    contact_id = request.POST.get("contact", "")
    if not contact_id.isdigit() or len(contact_id) > 18:
        return _after_action(
            request,
            account=account,
            message="Nothing was logged: no contact was named.",
            level=messages.ERROR,
        )
    contact = _contact(account, int(contact_id))
    try:
        birthday_greeting_log(account=account, contact=contact)
    except AlreadyLogged as exc:
        return _after_action(request, account=account, message=exc.message, level=messages.WARNING)
    except RingbackError as exc:
        return _after_action(
            request, account=account, message=f"Nothing was logged: {exc.message}.", level=messages.ERROR
        )
    return _after_action(
        request, account=account, message=f"{contact.name}: birthday greeting logged.", level=messages.SUCCESS
    )
