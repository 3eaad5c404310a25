"""What every web view shares: the signed-in user's account."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse

from ringback.accounts.models import Account, Membership
from ringback.core.errors import NotFound


def request_account(request: HttpRequest) -> Account:
    """The account of the signed-in user; a login without an account may not use the app."""
    account: Account | None = getattr(request, "_ringback_account", None)
    if account is None:
        user_id = request.user.pk
        assert user_id is not None, "account views are for signed-in users"
        membership = Membership.objects.select_related("account").filter(user_id=user_id).first()
        if membership is None:
            raise PermissionDenied("This login belongs to no Ringback account.")
        account = membership.account
        request._ringback_account = account  # type: ignore[attr-defined]
    return account


def account_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A view for signed-in sellers: passes their account as ``account``; a row the account has
    not (:class:`NotFound`, raised by the ``*_get`` selectors) is a 404."""

    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, account=request_account(request), **kwargs)
        except NotFound as exc:
            raise Http404(exc.message) from None

    return wrapped
