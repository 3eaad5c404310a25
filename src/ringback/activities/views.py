"""Web views for activities. The full web app comes later; for now: today's agenda."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from ringback.accounts.models import Account
from ringback.accounts.web import account_view
from ringback.activities.presenters import window_text
from ringback.activities.selectors import agenda_for_day, appointments_upcoming
from ringback.core import clock
from ringback.playbooks.services import enrollments_replan_overdue


@account_view
def today(request: HttpRequest, *, account: Account) -> HttpResponse:
    """Today's agenda, in order, with the reason and script for each line."""
    now = clock.now()
    enrollments_replan_overdue(account=account, now=now)
    agenda = agenda_for_day(account=account, now=now)
    rows = [(item, window_text(item)) for item in agenda.items]
    return render(request, "activities/today.html", {"account": account, "agenda": agenda, "rows": rows})


@account_view
def appointments(request: HttpRequest, *, account: Account) -> HttpResponse:
    """Upcoming appointments."""
    upcoming = appointments_upcoming(account=account)
    return render(request, "activities/appointments.html", {"appointments": upcoming, "nav": "appointments"})
