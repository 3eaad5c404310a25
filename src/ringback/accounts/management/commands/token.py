import os
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.core.management.base import CommandParser
from rich.console import Console
from rich.table import Table

from ringback.accounts.choices import TokenScope
from ringback.accounts.commands import AccountCommand
from ringback.accounts.models import Account, ApiToken, Membership
from ringback.accounts.selectors import api_token_get, api_tokens_list
from ringback.accounts.services import api_token_create, api_token_revoke
from ringback.core.errors import InvalidInput
from ringback.core.scheduling import zone
from ringback.interface.commands import iso_utc

ACTIONS = ("list", "create", "revoke")


def _shown(token: ApiToken) -> dict[str, Any]:
    """A token as ``--json`` gives it: never the token itself, only its public start."""
    return {
        "id": token.pk,
        "name": token.name,
        "scope": token.scope,
        "prefix": token.shown,
        "created_at": iso_utc(token.created_at),
        "last_used_at": iso_utc(token.last_used_at) if token.last_used_at else None,
        "revoked_at": iso_utc(token.revoked_at) if token.revoked_at else None,
    }


def _acting_user(account: Account, options: dict[str, Any]) -> AbstractBaseUser | None:
    """The login a new token is recorded as made by: ``--user`` (or RINGBACK_USER), else the
    account's first login."""
    memberships = Membership.objects.filter(account=account).select_related("user").order_by("pk")
    username = options.get("user") or os.environ.get("RINGBACK_USER")
    if username:
        memberships = memberships.filter(user__username=username)
    membership = memberships.first()
    return membership.user if membership is not None else None


def _token_id(text: str | None) -> int:
    value = (text or "").strip().lstrip("#")
    if not value.isascii() or not value.isdigit():
        raise InvalidInput(
            f"token revoke needs the token's id, a number (see `ringback token list`), not {text!r}",
            field="token_id",
        )
    return int(value)


class Command(AccountCommand):
    help = (
        "Personal access tokens of the REST API: list, create NAME [--scope read], revoke ID. "
        "A new token is shown once; only its start (rb_<prefix>_…) is shown after."
    )
    reads = True

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("action", nargs="?", default="list", choices=ACTIONS)
        parser.add_argument("target", nargs="?", help="create: the token's name; revoke: its id")
        parser.add_argument(
            "--scope",
            choices=TokenScope.values,
            default=TokenScope.READ_WRITE.value,
            help="create: what it may do, read or read-write (default read-write)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        account = self.account(options)
        action = options["action"]
        if action == "create":
            self._create(account, options)
        elif action == "revoke":
            self._revoke(account, options)
        else:
            tokens = api_tokens_list(account=account)
            self.emit(options, [_shown(t) for t in tokens], lambda c: _print_tokens(c, account, tokens))

    def _create(self, account: Account, options: dict[str, Any]) -> None:
        if options["target"] is None:
            raise InvalidInput(
                "token create needs the token's name: ringback token create NAME", field="name"
            )
        token, raw = api_token_create(
            account=account,
            user=_acting_user(account, options),
            name=options["target"],
            scope=options["scope"],
        )
        data = {**_shown(token), "token": raw}

        def render(console: Console) -> None:
            console.print(
                f"Made the API token {token.name} ({token.get_scope_display().lower()}), id {token.pk}:"
            )
            # soft_wrap: the token is never cut across lines, whatever the terminal's width.
            console.print(raw, soft_wrap=True)
            console.print(
                "It will not be shown again: copy it now. Programs send it as: Authorization: Bearer <token>"
            )

        self.emit(options, data, render)

    def _revoke(self, account: Account, options: dict[str, Any]) -> None:
        token_id = _token_id(options["target"])
        was_live = api_token_get(account=account, token_id=token_id).revoked_at is None
        token = api_token_revoke(account=account, token_id=token_id)
        said = (
            f"Revoked the API token {token.name} ({token.shown}): it no longer works."
            if was_live
            else f"The API token {token.name} ({token.shown}) was already revoked, on {_when(token.revoked_at, account)}."
        )
        self.emit(options, {**_shown(token), "was_live": was_live}, lambda c: c.print(said))


def _when(value: Any, account: Account) -> str:
    return f"{value.astimezone(zone(account.time_zone)):%Y-%m-%d %H:%M}" if value else ""


def _print_tokens(console: Console, account: Account, tokens: list[ApiToken]) -> None:
    if not tokens:
        console.print("No API token yet: `ringback token create NAME` makes one.")
        return
    table = Table(title=f"API tokens (times in {account.time_zone})")
    for column in ("id", "name", "scope", "token", "created", "last used", "revoked"):
        table.add_column(column)
    for token in tokens:
        table.add_row(
            str(token.pk),
            token.name,
            token.scope,
            token.shown,
            _when(token.created_at, account),
            _when(token.last_used_at, account) or "never",
            _when(token.revoked_at, account),
        )
    console.print(table)
