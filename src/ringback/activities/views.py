"""Web views for activities. The full web app comes later; for now: today's agenda."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from ringback.accounts.models import Account
from ringback.activities.presenters import window_text
from ringback.activities.selectors import agenda_for_day
from ringback.core import clock
from ringback.playbooks.services import enrollments_replan_overdue


def request_account(request: HttpRequest) -> Account:
    """The account of the signed-in user."""
    return request.user.membership.account  # type: ignore[union-attr]


@login_required
def today(request: HttpRequest) -> HttpResponse:
    """Today's agenda, in order, with the reason and script for each line."""
    account = request_account(request)
    now = clock.now()
    enrollments_replan_overdue(account=account, now=now)
    agenda = agenda_for_day(account=account, now=now)
    rows = [(item, window_text(item)) for item in agenda.items]
    return render(request, "activities/today.html", {"account": account, "agenda": agenda, "rows": rows})
