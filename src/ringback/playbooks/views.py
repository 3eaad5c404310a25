"""Web views for playbooks."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from ringback.accounts.models import Account
from ringback.accounts.web import account_view
from ringback.playbooks.selectors import playbook_list


@account_view
def playbook_list_view(request: HttpRequest, *, account: Account) -> HttpResponse:
    """The account's playbooks."""
    return render(
        request, "playbooks/list.html", {"playbooks": playbook_list(account=account), "nav": "playbooks"}
    )
