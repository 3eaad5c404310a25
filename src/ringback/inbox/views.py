"""The inbox on the web: "Check now" in Settings → Replies."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from ringback.accounts.models import Account
from ringback.accounts.web import account_view
from ringback.inbox.services import inbox_poll


@account_view
@require_POST
def mailbox_check(request: HttpRequest, *, account: Account) -> HttpResponse:
    """Read the seller's mailbox now, and say what was found or what went wrong."""
    report = inbox_poll(account=account)
    if report.error:
        messages.error(request, f"Your mailbox could not be read: {report.error}.")
    else:
        found = f"{report.read} new message{'s' if report.read != 1 else ''}"
        what = ", ".join(
            f"{n} {label}"
            for n, label in (
                (report.replies, "repl" + ("ies" if report.replies != 1 else "y")),
                (report.paused, "out of office"),
                (report.bounced, "bounce" + ("s" if report.bounced != 1 else "")),
            )
            if n
        )
        messages.success(request, f"Your mailbox was read: {found}{' (' + what + ')' if what else ''}.")
    return redirect(reverse("settings") + "#replies")
