"""The Webhooks page (under Settings): the account's webhooks, adding one, removing, a new secret,
a test delivery, turning one off and on, and each one's delivery log."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from ringback.accounts.models import Account
from ringback.accounts.web import account_view
from ringback.core.errors import RingbackError
from ringback.hooks.addresses import private_allowed
from ringback.hooks.delivery import MAX_ATTEMPTS, RETRY_AFTER
from ringback.hooks.forms import WebhookForm
from ringback.hooks.selectors import webhook_deliveries, webhook_get, webhooks_list
from ringback.hooks.services import (
    webhook_create,
    webhook_delete,
    webhook_ping,
    webhook_secret_rotate,
    webhook_update,
)
from ringback.interface.forms import add_service_error


def _list_url(pk: int | None = None) -> str:
    return reverse("hooks:list") + (f"#webhook-{pk}" if pk else "")


def _page(
    request: HttpRequest, account: Account, *, form: WebhookForm | None = None, status: int = 200
) -> HttpResponse:
    context = {
        "nav": "settings",
        "webhooks": list(webhooks_list(account=account)),
        "form": form or WebhookForm(),
        "private_allowed": private_allowed(),
    }
    return render(request, "hooks/webhooks.html", context, status=status)


@account_view
@require_http_methods(["GET", "HEAD", "POST"])
def webhooks_view(request: HttpRequest, *, account: Account) -> HttpResponse:
    """The account's webhooks and the form that adds one."""
    if request.method != "POST":
        return _page(request, account)
    form = WebhookForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            webhook = webhook_create(
                account=account, url=data["url"], events=data["events"], description=data["description"]
            )
        except RingbackError as exc:
            add_service_error(form, exc, default="url")
        else:
            messages.success(
                request, f"Webhook added: {webhook.url} gets {len(webhook.events)} kind(s) of event."
            )
            return redirect(_list_url(webhook.pk))
    return _page(request, account, form=form, status=400)


@account_view
@require_POST
def webhook_remove_view(request: HttpRequest, pk: int, *, account: Account) -> HttpResponse:
    """Remove a webhook, with its delivery log."""
    webhook = webhook_get(account=account, webhook_id=pk)
    webhook_delete(account=account, webhook_id=pk)
    messages.success(request, f"Webhook removed: nothing more goes to {webhook.url}.")
    return redirect(_list_url())


@account_view
@require_POST
def webhook_rotate_view(request: HttpRequest, pk: int, *, account: Account) -> HttpResponse:
    """Give a webhook a new secret: the old one stops signing at once."""
    webhook_secret_rotate(account=account, webhook_id=pk)
    messages.success(request, "New secret made: put it in your receiver; the old one no longer signs.")
    return redirect(_list_url(pk))


@account_view
@require_POST
def webhook_ping_view(request: HttpRequest, pk: int, *, account: Account) -> HttpResponse:
    """Send a test delivery (event ``ping``)."""
    webhook_ping(account=account, webhook_id=pk)
    messages.success(request, "Test delivery queued: see how it went in the delivery log.")
    return redirect(reverse("hooks:deliveries", args=[pk]))


@account_view
@require_POST
def webhook_active_view(request: HttpRequest, pk: int, *, account: Account) -> HttpResponse:
    """Turn a webhook off (``active`` absent or "off") or on ("on")."""
    on = request.POST.get("active") == "on"
    webhook = webhook_update(account=account, webhook_id=pk, active=on)
    messages.success(request, f"Webhook {'on' if webhook.active else 'off'}: {webhook.url}.")
    return redirect(_list_url(pk))


def _wait(seconds: float) -> str:
    minutes = int(seconds // 60)
    return f"{minutes // 60} h" if minutes >= 60 else f"{minutes} min"


@account_view
@require_http_methods(["GET", "HEAD"])
def webhook_deliveries_view(request: HttpRequest, pk: int, *, account: Account) -> HttpResponse:
    """A webhook's latest deliveries, each with every attempt: when, the answer, how long."""
    webhook = webhook_get(account=account, webhook_id=pk)
    context = {
        "nav": "settings",
        "webhook": webhook,
        "deliveries": webhook_deliveries(account=account, webhook_id=pk, limit=50),
        "retries": ", ".join(_wait(w.total_seconds()) for w in RETRY_AFTER),
        "max_attempts": MAX_ATTEMPTS,
    }
    return render(request, "hooks/deliveries.html", context)
