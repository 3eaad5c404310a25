"""The email outbox on the web: Today's Send button, the seller's decision on an email that failed
or may have gone, and the Outbox page listing every email and where it stands."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from ringback.accounts.models import Account
from ringback.accounts.submissions import submitted_once
from ringback.accounts.web import account_view
from ringback.activities.emailing import DECISIONS, email_step_queue, outbound_email_decide
from ringback.activities.selectors import day_bounds
from ringback.activities.views.common import HtmxHttpRequest, contact_url
from ringback.activities.views.today import _after_action
from ringback.contacts.selectors import contact_get
from ringback.core import clock
from ringback.core.errors import RingbackError
from ringback.core.outbox import OutboxStatus
from ringback.core.scheduling import zone
from ringback.outbox.choices import EmailStatus
from ringback.outbox.selectors import outbound_email_get, outbox_day, outbox_list
from ringback.playbooks.selectors import enrollment_get

#: Rows the Outbox page lists at most.
SHOWN = 300


class SendForm(forms.Form):
    enrollment = forms.IntegerField(min_value=1)


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=list(DECISIONS.items()))


@require_POST
@account_view
@submitted_once
def today_email_send(request: HtmxHttpRequest, contact_id: int, *, account: Account) -> HttpResponse:
    """Send the email of a contact's current step now (Today's Send button)."""
    contact = contact_get(account=account, pk=contact_id)
    form = SendForm(request.POST)
    if not form.is_valid():
        return _after_action(
            request,
            account=account,
            message="Nothing was sent: that card is not an email.",
            level=messages.ERROR,
        )
    enrollment_get(account=account, pk=form.cleaned_data["enrollment"])  # another account's: 404
    try:
        email = email_step_queue(
            account=account, contact=contact, enrollment_id=form.cleaned_data["enrollment"], manual=True
        )
    except RingbackError as exc:
        return _after_action(
            request, account=account, message=f"Nothing was sent: {exc.message}", level=messages.ERROR
        )
    message = (
        f"Email to {contact.name} ({email.to_address}) is on its way."
        if email.status in (OutboxStatus.QUEUED, OutboxStatus.CLAIMED, OutboxStatus.SENDING)
        else f"That email to {contact.name} is already {email.get_status_display().lower()}."
    )
    return _after_action(request, account=account, message=message, level=messages.SUCCESS)


@require_POST
@account_view
@submitted_once
def outbox_decide(request: HtmxHttpRequest, pk: int, *, account: Account) -> HttpResponse:
    """The seller's decision on an email that failed or may have gone (from Today or the Outbox)."""
    email = outbound_email_get(account=account, pk=pk)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        return _after_action(
            request, account=account, message="Nothing was changed: choose what to do.", level=messages.ERROR
        )
    decision = form.cleaned_data["decision"]
    try:
        outbound_email_decide(account=account, pk=email.pk, decision=decision)
    except RingbackError as exc:
        if request.POST.get("back") == "outbox" and not request.htmx:
            messages.error(request, f"Nothing was changed: {exc.message}")
            return redirect("outbox")
        return _after_action(
            request, account=account, message=f"Nothing was changed: {exc.message}", level=messages.ERROR
        )
    done = {
        "sent": f"Email to {email.contact.name} logged as sent.",
        "resend": f"Email to {email.contact.name} is on its way again.",
        "drop": f"Email to {email.contact.name} will not be sent; its step stays on Today.",
    }[decision]
    if request.POST.get("back") == "outbox" and not request.htmx:
        messages.success(request, done)
        return redirect("outbox")
    return _after_action(request, account=account, message=done, level=messages.SUCCESS)


def outbox_page_response(request: HtmxHttpRequest, *, account: Account) -> HttpResponse:
    """The Outbox page (see :func:`outbox_page`)."""
    now = clock.now()
    tz = zone(account.time_zone)
    start, end = day_bounds(account=account, day=now.astimezone(tz).date())
    wanted = request.GET.get("status", "")
    statuses = (wanted,) if wanted in EmailStatus.values else ()
    rows = list(outbox_list(account=account, statuses=statuses)[:SHOWN])
    return render(
        request,
        "activities/outbox.html",
        {
            "account": account,
            "nav": "today",
            "day": outbox_day(account=account, start=start, end=end),
            "rows": [{"email": r, "contact_url": contact_url(r.contact_id), "zone": tz} for r in rows],
            "status": wanted if statuses else "",
            "statuses": EmailStatus.choices,
            "decisions": DECISIONS,
            "shown": SHOWN,
        },
    )


@require_GET
@account_view
def outbox_page(request: HtmxHttpRequest, *, account: Account) -> HttpResponse:
    """Every email of the account, newest first, with what waits for the seller's decision."""
    return outbox_page_response(request, account=account)
