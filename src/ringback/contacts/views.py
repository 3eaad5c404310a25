"""Web views for contacts."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from ringback.accounts.models import Account
from ringback.accounts.web import account_view
from ringback.contacts.selectors import contact_list


@account_view
def contact_list_view(request: HttpRequest, *, account: Account) -> HttpResponse:
    """The contacts of the account."""
    contacts = contact_list(account=account)[:50]
    return render(request, "contacts/list.html", {"contacts": contacts, "nav": "contacts"})
