from typing import Any

from django.core.management.base import CommandParser
from rich.console import Console
from rich.table import Table

from ringback.accounts.commands import AccountCommand
from ringback.accounts.models import Account
from ringback.core.errors import InvalidInput
from ringback.hooks.choices import SUBSCRIBABLE
from ringback.hooks.models import Webhook, WebhookDelivery
from ringback.hooks.selectors import webhook_deliveries, webhook_get, webhooks_list
from ringback.hooks.services import (
    webhook_create,
    webhook_delete,
    webhook_ping,
    webhook_secret_rotate,
    webhook_update,
)
from ringback.interface.commands import iso_utc

ACTIONS = ("list", "add", "remove", "ping", "deliveries", "rotate", "on", "off")


def _shown(webhook: Webhook) -> dict[str, Any]:
    return {
        "webhook_id": webhook.pk,
        "url": webhook.url,
        "events": list(webhook.events),
        "description": webhook.description,
        "active": webhook.active,
        "secret": webhook.secret,
        "created_at": iso_utc(webhook.created_at),
    }


def _delivery(delivery: WebhookDelivery) -> dict[str, Any]:
    return {
        "delivery_id": str(delivery.event_id),
        "event": delivery.event,
        "status": delivery.status,
        "created_at": iso_utc(delivery.created_at),
        "delivered_at": iso_utc(delivery.delivered_at) if delivery.delivered_at else None,
        "next_attempt_at": iso_utc(delivery.next_attempt_at) if delivery.next_attempt_at else None,
        "attempts": [
            {
                "number": a.number,
                "at": iso_utc(a.at),
                "status_code": a.status_code,
                "error": a.error,
                "duration_ms": a.duration_ms,
            }
            for a in delivery.attempt_log.all()
        ],
    }


class Command(AccountCommand):
    help = (
        "Webhooks: your other tools' URLs, sent each event signed. add URL --event E [--event E...] "
        "[--description D], list, remove ID, ping ID (a test delivery), deliveries ID [--limit N] "
        "(the delivery log), rotate ID (a new secret), on ID, off ID. Events: "
        + ", ".join(e.value for e in SUBSCRIBABLE)
        + "."
    )
    reads = True

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("action", nargs="?", default="list", choices=ACTIONS)
        parser.add_argument("target", nargs="?", help="add: the URL; the others: the webhook's id")
        parser.add_argument(
            "--event",
            action="append",
            choices=[e.value for e in SUBSCRIBABLE],
            help="add: an event to send (repeat for several)",
        )
        parser.add_argument("--description", default="", help="add: what the URL is (your CRM...)")
        parser.add_argument("--limit", type=int, default=20, help="deliveries: how many, newest first (20)")

    def handle(self, *args: Any, **options: Any) -> None:
        account = self.account(options)
        action = options["action"]
        if action == "list":
            self.list(account, options)
        elif action == "add":
            self.add(account, options)
        elif action == "deliveries":
            self.deliveries(account, options)
        else:
            self.act(account, action, options)

    def webhook_id(self, options: dict[str, Any]) -> int:
        target = (options["target"] or "").strip().lstrip("#")
        if not target.isdigit() or len(target) > 18:
            raise InvalidInput(
                f"{options['action']}: name the webhook by its id (see: ringback webhook list)",
                field="webhook",
            )
        return int(target)

    def list(self, account: Account, options: dict[str, Any]) -> None:
        rows = [_shown(w) for w in webhooks_list(account=account)]

        def render(console: Console) -> None:
            if not rows:
                console.print("No webhooks. Add one with: ringback webhook add URL --event callback.logged")
                return
            table = Table("id", "url", "events", "on", "description")
            for row in rows:
                table.add_row(
                    str(row["webhook_id"]),
                    row["url"],
                    ", ".join(row["events"]),
                    "yes" if row["active"] else "no",
                    row["description"],
                )
            console.print(table)

        self.emit(options, rows, render)

    def add(self, account: Account, options: dict[str, Any]) -> None:
        if not options["target"]:
            raise InvalidInput("add: give the URL to send events to", field="url")
        webhook = webhook_create(
            account=account,
            url=options["target"],
            events=options["event"] or [],
            description=options["description"],
        )
        data = _shown(webhook)

        def render(console: Console) -> None:
            console.print(f"Added webhook {webhook.pk}: {webhook.url} gets {', '.join(webhook.events)}.")
            console.print(f"Its secret (verify the Ringback-Signature header with it): {webhook.secret}")

        self.emit(options, data, render)

    def act(self, account: Account, action: str, options: dict[str, Any]) -> None:
        pk = self.webhook_id(options)
        if action == "remove":
            webhook = webhook_get(account=account, webhook_id=pk)
            webhook_delete(account=account, webhook_id=pk)
            data: dict[str, Any] = {"webhook_id": pk, "removed": True}
            said = f"Removed webhook {pk} ({webhook.url}) and its delivery log."
        elif action == "ping":
            delivery = webhook_ping(account=account, webhook_id=pk)
            data = {"webhook_id": pk, "delivery_id": str(delivery.event_id), "event": delivery.event}
            said = f"Test delivery {delivery.event_id} queued; see it with: ringback webhook deliveries {pk}"
        elif action == "rotate":
            webhook = webhook_secret_rotate(account=account, webhook_id=pk)
            data = _shown(webhook)
            said = f"New secret for webhook {pk}: {webhook.secret} (the old one no longer signs)."
        else:
            webhook = webhook_update(account=account, webhook_id=pk, active=action == "on")
            data = _shown(webhook)
            said = f"Webhook {pk} is {'on' if webhook.active else 'off'}."
        self.emit(options, data, lambda console: console.print(said))

    def deliveries(self, account: Account, options: dict[str, Any]) -> None:
        pk = self.webhook_id(options)
        rows = [
            _delivery(d) for d in webhook_deliveries(account=account, webhook_id=pk, limit=options["limit"])
        ]

        def render(console: Console) -> None:
            if not rows:
                console.print(f"Nothing sent to webhook {pk} yet. Send a test: ringback webhook ping {pk}")
                return
            table = Table("event", "status", "attempt", "at", "answer", "ms")
            for row in rows:
                attempts = row["attempts"] or [None]
                for attempt in attempts:
                    table.add_row(
                        row["event"],
                        row["status"],
                        str(attempt["number"]) if attempt else "",
                        attempt["at"] if attempt else "",
                        (str(attempt["status_code"] or "") + " " + attempt["error"]).strip()
                        if attempt
                        else "",
                        str(attempt["duration_ms"]) if attempt else "",
                    )
            console.print(table)

        self.emit(options, rows, render)
