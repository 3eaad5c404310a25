import sys
from typing import Any

from django.core.management.base import CommandParser
from rich.console import Console

from ringback.accounts.choices import MailboxSecurity
from ringback.accounts.commands import AccountCommand
from ringback.accounts.models import Account, Mailbox
from ringback.accounts.services import mailbox_off, mailbox_set
from ringback.core.errors import InvalidInput, RingbackError
from ringback.inbox.services import inbox_poll

ACTIONS = ("show", "set", "check", "off")


def _shown(mailbox: Mailbox | None) -> dict[str, Any]:
    if mailbox is None:
        return {"set": False}
    return {
        "set": True,
        "host": mailbox.host,
        "port": mailbox.port,
        "security": mailbox.security,
        "username": mailbox.username,
        "folder": mailbox.folder,
        "checked_at": mailbox.checked_at.isoformat() if mailbox.checked_at else None,
        "error": mailbox.error,
    }


class Command(AccountCommand):
    help = (
        "The IMAP mailbox replies are read from: show, set (--host, --username, --password or "
        "--password-stdin, --port, --security, --folder), check (read it now), off."
    )
    reads = True

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("action", nargs="?", default="show", choices=ACTIONS)
        parser.add_argument("--host", help="set: the IMAP server, e.g. imap.gmail.com")
        parser.add_argument("--port", type=int, help="set: its port (993 for ssl, 143 otherwise)")
        parser.add_argument("--security", choices=MailboxSecurity.values, default=MailboxSecurity.SSL)
        parser.add_argument("--username", help="set: the user name, usually your email address")
        parser.add_argument("--password", help="set: the password or app password (see --password-stdin)")
        parser.add_argument(
            "--password-stdin", action="store_true", help="set: read the password from standard input"
        )
        parser.add_argument("--folder", default="INBOX", help="set: the folder replies arrive in (INBOX)")

    def handle(self, *args: Any, **options: Any) -> None:
        account = self.account(options)
        action = options["action"]
        if action == "set":
            self._set(account, options)
        elif action == "off":
            was = mailbox_off(account=account)
            self.emit(
                options,
                {"set": False, "was_set": was},
                lambda c: c.print("Ringback no longer reads your mailbox." if was else "No mailbox was set."),
            )
            return
        elif action == "check":
            report = inbox_poll(account=account)
            data = {
                "read": report.read,
                "replies": report.replies,
                "paused": report.paused,
                "bounced": report.bounced,
                "ignored": report.ignored,
                "error": report.error,
            }
            if report.error:
                raise RingbackError(f"your mailbox could not be read: {report.error}")
            self.emit(
                options,
                data,
                lambda c: c.print(
                    f"Read {report.read} new message(s): {report.replies} repl(ies), {report.paused} out of office, {report.bounced} bounce(s)."
                ),
            )
            return
        mailbox = Mailbox.objects.filter(account=account).first()
        self.emit(options, _shown(mailbox), lambda c: _render(c, mailbox))

    def _set(self, account: Account, options: dict[str, Any]) -> None:
        if not options["host"] or not options["username"]:
            raise InvalidInput("mailbox set needs --host and --username", field="host")
        password = options["password"]
        if options["password_stdin"]:
            password = sys.stdin.readline().rstrip("\n")
        mailbox = mailbox_set(
            account=account,
            host=options["host"],
            port=options["port"],
            security=options["security"],
            username=options["username"],
            password=password or None,
            folder=options["folder"],
        )
        self.emit(
            options,
            _shown(mailbox),
            lambda c: c.print(
                f"Saved: Ringback reads {mailbox.username} on {mailbox.host}:{mailbox.port}. `ringback mailbox check` reads it now."
            ),
        )


def _render(console: Console, mailbox: Mailbox | None) -> None:
    if mailbox is None:
        console.print("No mailbox is set: `ringback mailbox set --host H --username U --password-stdin`.")
        return
    console.print(
        f"{mailbox.username} on {mailbox.host}:{mailbox.port} ({mailbox.security}), folder {mailbox.folder}"
    )
    if mailbox.error:
        console.print(f"Last check failed: {mailbox.error}")
    elif mailbox.checked_at:
        console.print(f"Last read at {mailbox.checked_at:%Y-%m-%d %H:%M} UTC")
