"""Web views for the seller's account."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from ringback.accounts.models import Account
from ringback.accounts.web import account_view


@account_view
def settings_view(request: HttpRequest, *, account: Account) -> HttpResponse:
    """The seller's profile and settings."""
    return render(request, "accounts/settings.html", {"account": account, "nav": "settings"})
