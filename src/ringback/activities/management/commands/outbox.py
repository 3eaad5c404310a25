from typing import Any

from django.core.management.base import CommandParser
from rich.console import Console
from rich.table import Table

from ringback.accounts.commands import AccountCommand
from ringback.activities.emailing import DECISIONS, email_step_queue, outbound_email_decide
from ringback.activities.selectors import day_bounds
from ringback.contacts.choices import SuppressionReason
from ringback.contacts.selectors import contact_find
from ringback.contacts.services import email_suppress
from ringback.core import clock
from ringback.core.errors import InvalidInput
from ringback.core.scheduling import zone
from ringback.outbox.choices import EmailStatus
from ringback.outbox.models import OutboundEmail
from ringback.outbox.selectors import outbox_day, outbox_list
from ringback.playbooks.choices import RUNNING_STATUSES
from ringback.playbooks.models import Enrollment

ACTIONS = ("list", "send", "decide", "stop")


def _row(email: OutboundEmail, tz: Any) -> dict[str, Any]:
    when = email.sent_at or email.queued_at
    return {
        "id": email.pk,
        "contact": email.contact.name,
        "to": email.to_address,
        "subject": email.subject,
        "status": email.status,
        "when": when.astimezone(tz).isoformat(timespec="minutes"),
        "attempts": email.attempts,
        "error": email.last_error if email.status != EmailStatus.SENT else "",
        "reason": email.reason,
        "message_id": email.message_id,
    }


class Command(AccountCommand):
    help = (
        "The email outbox: list (where each email stands), send CONTACT (their email step, now), "
        "decide ID sent|resend|drop (an email that failed or may have gone), stop ADDRESS (no more email to it)."
    )
    reads = True

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("action", nargs="?", default="list", choices=ACTIONS)
        parser.add_argument(
            "target", nargs="?", help="send: the contact; decide: the email's id; stop: the address"
        )
        parser.add_argument("decision", nargs="?", help=f"decide: {', '.join(DECISIONS)}")
        parser.add_argument(
            "--status", choices=EmailStatus.values, help="list: only the emails in this state"
        )
        parser.add_argument(
            "--limit", type=int, default=50, help="list: at most this many (newest first, 50)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        account = self.account(options)
        action, target = options["action"], options["target"]
        tz = zone(account.time_zone)
        if action != "list" and not target:
            raise InvalidInput(f"outbox {action} needs a {'contact' if action == 'send' else 'target'}")
        if action == "send":
            contact = contact_find(account=account, reference=target)
            running = Enrollment.objects.filter(contact=contact, status__in=RUNNING_STATUSES).first()
            if running is None:
                raise InvalidInput(f"{contact.name} is on no playbook: there is no email step to send")
            email = email_step_queue(account=account, contact=contact, enrollment_id=running.pk, manual=True)
            data = _row(email, tz)
            self.emit(
                options,
                data,
                lambda c: c.print(
                    f"Email to {contact.name} ({email.to_address}): {email.get_status_display().lower()}. A worker sends it (`ringback worker`, or `ringback serve`)."
                ),
            )
            return
        if action == "decide":
            if not target.isdigit():
                raise InvalidInput(f"{target!r} is not an email id (see `ringback outbox list`)", field="id")
            email = outbound_email_decide(account=account, pk=int(target), decision=options["decision"] or "")
            data = _row(email, tz)
            self.emit(
                options,
                data,
                lambda c: c.print(
                    f"Email {email.pk} to {email.contact.name}: {email.get_status_display().lower()}."
                ),
            )
            return
        if action == "stop":
            suppression, made = email_suppress(
                account=account,
                address=target,
                reason=SuppressionReason.UNSUBSCRIBED,
                detail="stopped by you",
            )
            data = {"address": suppression.address, "reason": suppression.reason, "new": made}
            said = "No more email goes to" if made else "Already no email to"
            self.emit(
                options,
                data,
                lambda c: c.print(f"{said} {suppression.address} ({suppression.get_reason_display()})."),
            )
            return
        now = clock.now()
        start, end = day_bounds(account=account, day=now.astimezone(tz).date())
        day = outbox_day(account=account, start=start, end=end)
        statuses = (options["status"],) if options["status"] else ()
        rows = [
            _row(e, tz) for e in outbox_list(account=account, statuses=statuses)[: max(options["limit"], 1)]
        ]
        data = {
            "sent_today": day.sent_today,
            "counted_today": day.counted_today,
            "daily_cap": day.cap,
            "in_flight": day.in_flight,
            "needs_you": day.needs_you,
            "emails": rows,
        }

        def render(console: Console) -> None:
            console.print(
                f"{day.sent_today} sent today · {day.counted_today} of your daily cap of {day.cap}"
                + (" (reached: the rest go out tomorrow)" if day.cap_reached else "")
                + (f" · {day.in_flight} on the way" if day.in_flight else "")
                + (
                    f" · {day.needs_you} need you (`ringback outbox decide ID sent|resend|drop`)"
                    if day.needs_you
                    else ""
                )
            )
            if not rows:
                console.print("No emails.")
                return
            table = Table()
            for column in ("id", "contact", "to", "subject", "status", "when", "error"):
                table.add_column(column)
            for row in rows:
                table.add_row(
                    *(
                        str(row[k] or row["reason"] if k == "error" else row[k])
                        for k in ("id", "contact", "to", "subject", "status", "when", "error")
                    )
                )
            console.print(table)

        self.emit(options, data, render)
