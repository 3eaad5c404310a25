"""The Appointments page: phone appointments by day, in both time zones."""

from __future__ import annotations

from datetime import datetime, timedelta
from itertools import groupby
from typing import Any

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from ringback.accounts.models import Account
from ringback.accounts.web import account_view
from ringback.activities.choices import AppointmentStatus
from ringback.activities.models import Appointment
from ringback.activities.presenters import (
    zone_label,
)
from ringback.activities.selectors import (
    appointments_between,
    day_bounds,
)
from ringback.activities.views.common import HtmxHttpRequest, contact_url, new_contact_url
from ringback.contacts.selectors import contact_zone_name, contacts_for_account
from ringback.core import clock
from ringback.core.scheduling import zone

#: How far back the Appointments page looks.
PAST_DAYS = 30
#: At most this many upcoming appointments on one page.
UPCOMING_LIMIT = 300


def _by_day(appointments: list[Appointment], *, account: Account, now: datetime) -> list[dict[str, Any]]:
    """Appointments grouped by day in the seller's time zone, each with both local times."""
    seller = zone(account.time_zone)
    rows = []
    for appointment in appointments:
        their_zone = contact_zone_name(contact=appointment.contact, account=account)
        starts = appointment.starts_at
        yours = starts.astimezone(seller)
        theirs = starts.astimezone(zone(their_zone))
        rows.append(
            {
                "appointment": appointment,
                "day": yours.date(),
                "yours": f"{yours:%H:%M}",
                "ends": f"{yours + timedelta(minutes=appointment.duration_minutes):%H:%M}",
                "theirs": f"{theirs:%H:%M %Z}" if theirs.tzname() != yours.tzname() else "",
                "contact_url": contact_url(appointment.contact_id),
                "missed": appointment.status == AppointmentStatus.SCHEDULED and starts < now,
            }
        )
    return [
        {"day": day, "rows": list(group), "is_today": day == now.astimezone(seller).date()}
        for day, group in groupby(rows, key=lambda r: r["day"])
    ]


@require_GET
@account_view
def appointments(request: HtmxHttpRequest, *, account: Account) -> HttpResponse:
    """Phone appointments by day: from today on, and the past 30 days."""
    now = clock.now()
    today_start, _ = day_bounds(account=account, day=now.astimezone(zone(account.time_zone)).date())
    upcoming = list(appointments_between(account=account, start=today_start)[: UPCOMING_LIMIT + 1])
    past = list(
        appointments_between(account=account, start=today_start - timedelta(days=PAST_DAYS), end=today_start)
    )
    context = {
        "nav": "appointments",
        "upcoming_days": _by_day(upcoming[:UPCOMING_LIMIT], account=account, now=now),
        "more_upcoming": len(upcoming) > UPCOMING_LIMIT,
        "upcoming_limit": UPCOMING_LIMIT,
        "past_days": _by_day(past, account=account, now=now)[::-1],
        "past_span": PAST_DAYS,
        "seller_zone": zone_label(account.time_zone, now),
        "has_contacts": bool(upcoming or past) or contacts_for_account(account=account).exists(),
        "contacts_url": reverse("contacts:list"),
        "new_contact_url": new_contact_url(),
    }
    return render(request, "activities/appointments.html", context)
