"""The Appointments page: phone appointments by day, in both time zones, with the number to call;
a scheduled one can be moved (to a time typed in the contact's zone) or cancelled.

Moving and cancelling answer HTMX with the page's body (``#appointments-body``) and a plain form
with a redirect back to the page (a message says what happened), or the page with the error
next to the field (400). The rules are the services'."""

from __future__ import annotations

from datetime import datetime, timedelta
from itertools import groupby
from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from ringback.accounts.models import Account
from ringback.accounts.submissions import submitted_once
from ringback.accounts.web import account_view
from ringback.activities.choices import AppointmentStatus
from ringback.activities.forms import CancelAppointmentForm, MoveAppointmentForm
from ringback.activities.models import Appointment
from ringback.activities.presenters import (
    zone_label,
)
from ringback.activities.selectors import (
    appointment_get,
    appointment_phone,
    appointments_between,
    day_bounds,
)
from ringback.activities.services import appointment_cancel, appointment_move
from ringback.activities.views.common import HtmxHttpRequest, contact_url, new_contact_url
from ringback.contacts.selectors import contact_zone, contact_zone_name, contacts_for_account
from ringback.core import clock
from ringback.core.errors import OutsideCallingHours, RingbackError
from ringback.core.phones import display_phone
from ringback.core.scheduling import zone
from ringback.interface.forms import add_service_error, sentence
from ringback.interface.htmx import wants_fragment

#: How far back the Appointments page looks.
PAST_DAYS = 30
#: At most this many upcoming appointments on one page.
UPCOMING_LIMIT = 300


def _row(
    appointment: Appointment, *, account: Account, now: datetime, move_form: MoveAppointmentForm | None
) -> dict[str, Any]:
    """One appointment with both local times, and for a scheduled one the number to call and the
    move form (``move_form`` when it comes back with an error)."""
    their_zone = contact_zone_name(contact=appointment.contact, account=account)
    starts = appointment.starts_at
    yours = starts.astimezone(zone(account.time_zone))
    theirs = starts.astimezone(zone(their_zone))
    scheduled = appointment.status == AppointmentStatus.SCHEDULED
    phone = appointment_phone(account=account, appointment=appointment) if scheduled else None
    return {
        "appointment": appointment,
        "day": yours.date(),
        "yours": f"{yours:%H:%M}",
        "ends": f"{yours + timedelta(minutes=appointment.duration_minutes):%H:%M}",
        "theirs": f"{theirs:%H:%M %Z}" if theirs.tzname() != yours.tzname() else "",
        "contact_url": contact_url(appointment.contact_id),
        "missed": scheduled and starts < now,
        "scheduled": scheduled,
        "phone": phone,
        "phone_display": display_phone(phone) if phone else "",
        "their_zone": their_zone,
        "their_input": f"{theirs:%Y-%m-%dT%H:%M}",
        "min_at": f"{now.astimezone(zone(their_zone)):%Y-%m-%dT%H:%M}",
        "move_form": move_form,
        "outside_hours": bool(move_form and move_form.outside_hours),
    }


def _by_day(
    appointments: list[Appointment],
    *,
    account: Account,
    now: datetime,
    move_form: MoveAppointmentForm | None = None,
    open_pk: int | None = None,
) -> list[dict[str, Any]]:
    """Appointments grouped by day in the seller's time zone, each with both local times."""
    seller = zone(account.time_zone)
    rows = [
        _row(a, account=account, now=now, move_form=move_form if a.pk == open_pk else None)
        for a in appointments
    ]
    return [
        {"day": day, "rows": list(group), "is_today": day == now.astimezone(seller).date()}
        for day, group in groupby(rows, key=lambda r: r["day"])
    ]


def _page_context(
    *,
    account: Account,
    now: datetime,
    move_form: MoveAppointmentForm | None = None,
    open_pk: int | None = None,
) -> dict[str, Any]:
    today_start, _ = day_bounds(account=account, day=now.astimezone(zone(account.time_zone)).date())
    upcoming = list(appointments_between(account=account, start=today_start)[: UPCOMING_LIMIT + 1])
    past = list(
        appointments_between(account=account, start=today_start - timedelta(days=PAST_DAYS), end=today_start)
    )

    def by_day(rows: list[Appointment]) -> list[dict[str, Any]]:
        return _by_day(rows, account=account, now=now, move_form=move_form, open_pk=open_pk)

    return {
        "nav": "appointments",
        "upcoming_days": by_day(upcoming[:UPCOMING_LIMIT]),
        "more_upcoming": len(upcoming) > UPCOMING_LIMIT,
        "upcoming_limit": UPCOMING_LIMIT,
        "past_days": by_day(past)[::-1],
        "past_span": PAST_DAYS,
        "seller_zone": zone_label(account.time_zone, now),
        "has_contacts": bool(upcoming or past) or contacts_for_account(account=account).exists(),
        "contacts_url": reverse("contacts:list"),
        "new_contact_url": new_contact_url(),
    }


@require_GET
@account_view
def appointments(request: HtmxHttpRequest, *, account: Account) -> HttpResponse:
    """Phone appointments by day: from today on, and the past 30 days."""
    return render(request, "activities/appointments.html", _page_context(account=account, now=clock.now()))


def _when(account: Account, appointment: Appointment) -> str:
    """ "Tue 24 Nov at 14:30 CST (10:30 HST their time)", or without the brackets in one zone."""
    yours = appointment.starts_at.astimezone(zone(account.time_zone))
    theirs = appointment.starts_at.astimezone(contact_zone(contact=appointment.contact, account=account))
    text = f"{yours:%a %d %b} at {yours:%H:%M %Z}"
    return text + (f" ({theirs:%H:%M %Z} their time)" if theirs.tzname() != yours.tzname() else "")


def _done(request: HtmxHttpRequest, *, account: Account, message: str, level: int) -> HttpResponse:
    """After a move or a cancel: the page's body with the message (HTMX), or back to the page."""
    if not wants_fragment(request):
        messages.add_message(request, level, message)
        return redirect("appointments")
    context = _page_context(account=account, now=clock.now())
    context.update(status_message=message, status_level=messages.DEFAULT_TAGS.get(level, "info"))
    return render(request, "activities/partials/appointments_body.html", context)


@require_POST
@account_view
@submitted_once
def appointment_cancel_view(request: HtmxHttpRequest, pk: int, *, account: Account) -> HttpResponse:
    """Cancel a scheduled appointment (another account's is a 404)."""
    appointment = appointment_get(account=account, pk=pk)
    form = CancelAppointmentForm(request.POST)
    if not form.is_valid():
        problem = " ".join(str(e) for errors in form.errors.values() for e in errors)
        context = _page_context(account=account, now=clock.now())
        context.update(status_message=f"Nothing was cancelled: {problem}", status_level="error")
        if wants_fragment(request):
            return render(request, "activities/partials/appointments_body.html", context)
        return render(request, "activities/appointments.html", context, status=400)
    try:
        cancelled = appointment_cancel(
            account=account, appointment=appointment, note=form.cleaned_data["note"]
        )
    except RingbackError as exc:
        return _done(request, account=account, message=sentence(exc.message) + ".", level=messages.ERROR)
    message = f"Cancelled the call with {cancelled.contact.name} on {_when(account, cancelled)}."
    return _done(request, account=account, message=message, level=messages.SUCCESS)


@require_POST
@account_view
@submitted_once
def appointment_move_view(request: HtmxHttpRequest, pk: int, *, account: Account) -> HttpResponse:
    """Move a scheduled appointment to a time typed in the contact's zone; outside their calling
    hours the form comes back asking to confirm."""
    appointment = appointment_get(account=account, pk=pk)
    now = clock.now()
    tz = contact_zone(contact=appointment.contact, account=account)
    form = MoveAppointmentForm(request.POST, tz=tz, now=now)
    if form.is_valid():
        try:
            moved = appointment_move(
                account=account,
                appointment=appointment,
                starts_at=form.cleaned_data["starts_at"],
                confirm_outside_hours=form.cleaned_data["confirm_outside_hours"],
            )
        except RingbackError as exc:
            form.outside_hours = isinstance(exc, OutsideCallingHours)
            add_service_error(form, exc, default="starts_at")
        else:
            message = f"Moved the call with {moved.contact.name} to {_when(account, moved)}."
            return _done(request, account=account, message=message, level=messages.SUCCESS)
    context = _page_context(account=account, now=now, move_form=form, open_pk=appointment.pk)
    if wants_fragment(request):
        return render(request, "activities/partials/appointments_body.html", context)
    return render(request, "activities/appointments.html", context, status=400)
