import sys
from argparse import BooleanOptionalAction
from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser
from rich.console import Console
from rich.table import Table

from ringback.accounts.commands import AccountCommand
from ringback.accounts.models import Account
from ringback.contacts.selectors import contact_find
from ringback.core.checks import MessageKind, Severity
from ringback.core.errors import InvalidInput
from ringback.core.messages import MAX_BODY_CHARS, kind_label, message_check, message_findings
from ringback.messaging.presenters import findings_json, message_json, message_line_json
from ringback.messaging.selectors import (
    message_fill,
    message_get,
    message_latest_version,
    message_list,
    message_variables,
    message_version_get,
)
from ringback.messaging.services import message_add, message_update

ACTIONS = ["list", "show", "add", "edit", "check", "preview"]


def read_text(path: str) -> str:
    """The UTF-8 text of ``path``; a clear error for a missing, unreadable or huge file."""
    try:
        # UTF-8 takes at most four bytes a character: a larger file is refused unread.
        if Path(path).stat().st_size > 4 * MAX_BODY_CHARS:
            raise InvalidInput(f"{path}: a message has at most {MAX_BODY_CHARS:,} characters", field="file")
        return Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise InvalidInput(f"{path}: cannot read the file ({exc.strerror})", field="file") from None
    except UnicodeDecodeError:
        raise InvalidInput(f"{path}: not UTF-8 text", field="file") from None


def _kind(value: str | None) -> MessageKind:
    if value is None:
        raise InvalidInput("say which kind of message it is: --kind voicemail (or opener, card, email, text)")
    return MessageKind(value)


class Command(AccountCommand):
    help = "The message library: list, show NAME, add NAME, edit NAME, check FILE, preview NAME."
    reads = True

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("action", nargs="?", default="list", choices=ACTIONS)
        parser.add_argument("target", nargs="?", help="a message's name, or a file (check)")
        parser.add_argument(
            "--kind", choices=[k.value for k in MessageKind], help="voicemail, opener, card..."
        )
        parser.add_argument("--file", help="the message's words (add, edit, preview), UTF-8 text")
        parser.add_argument("--subject", help="an email's subject")
        parser.add_argument("--title", help="what you call it in the library")
        parser.add_argument("--number", type=int, help="show this version instead of the latest")
        parser.add_argument(
            "--last", action=BooleanOptionalAction, help="a last message: a yes or no, no call-again (R8)"
        )
        parser.add_argument("--contact", help="preview for this contact (id, email, phone or name)")

    def handle(self, *args: Any, **options: Any) -> None:
        action, target = options["action"], options["target"]
        if action not in ("list", "check", "preview") and not target:
            raise InvalidInput(f"messages {action} needs a message name")
        if action == "check":
            self._check(target, options)  # reads the file only: it needs no account
            return
        account = self.account(options)
        getattr(self, f"_{action}")(account, target, options)

    def _check(self, path: str | None, options: dict[str, Any]) -> None:
        """Check a message file as saving it would, then print what the checks that teach say;
        exit 1 when a check fails (advice alone exits 0)."""
        if not path:
            raise InvalidInput("messages check needs a file: messages check FILE --kind voicemail")
        kind = _kind(options["kind"])
        body, subject = read_text(path), options["subject"] or ""
        message_check(body=body, subject=subject, kind=kind)
        findings = message_findings(kind=kind, body=body, subject=subject, last_step=bool(options["last"]))
        failed = any(f.severity is Severity.FAIL for f in findings)

        def render(console: Console) -> None:
            if not findings:
                console.print(f"{path}: this {kind_label(kind).lower()} passes every check.")
            for finding in findings:
                console.print(
                    f"{'fails' if finding.severity is Severity.FAIL else 'advice'}: {finding.message}"
                )

        self.emit(
            options,
            {"file": path, "kind": kind.value, "passes": not failed, "findings": findings_json(findings)},
            render,
        )
        if failed:
            sys.exit(1)

    def _list(self, account: Account, _target: str | None, options: dict[str, Any]) -> None:
        """The library, one row a message, with its latest version."""
        rows: list[dict[str, Any]] = []
        for message in message_list(account=account, kind=options["kind"]).prefetch_related("versions"):
            latest = max(message.versions.all(), key=lambda v: v.number)
            rows.append(message_line_json(message, latest))

        def render(console: Console) -> None:
            table = Table(title="Message library")
            for column in ("name", "kind", "title", "version", "starter"):
                table.add_column(column)
            for row in rows:
                table.add_row(
                    row["name"],
                    row["kind"],
                    row["title"],
                    str(row["version"]),
                    "yes" if row["builtin"] else "",
                )
            console.print(table)

        self.emit(options, rows, render)

    def _show(self, account: Account, name: str, options: dict[str, Any]) -> None:
        """A message's words (the latest version, or ``--version``) and what the checks say."""
        message = message_get(account=account, name=name)
        version = (
            message_version_get(account=account, name=name, number=options["number"])
            if options["number"]
            else message_latest_version(message=message)
        )
        kind = MessageKind(message.kind)
        findings = message_findings(
            kind=kind, body=version.body, subject=version.subject, last_step=message.is_last
        )
        data = message_json(message, version)

        def render(console: Console) -> None:
            console.print(f"{message.title} ({message.name} v{version.number}, {kind_label(kind).lower()})")
            if version.subject:
                console.print(f"Subject: {version.subject}")
            console.print(version.body.rstrip())
            for finding in findings:
                console.print(
                    f"{'fails' if finding.severity is Severity.FAIL else 'advice'}: {finding.message}"
                )

        self.emit(options, data, render)

    def _add(self, account: Account, name: str, options: dict[str, Any]) -> None:
        """Add a message to the library from ``--file``."""
        if not options["file"]:
            raise InvalidInput("messages add needs the words: --file FILE", field="file")
        version = message_add(
            account=account,
            name=name,
            kind=_kind(options["kind"]).value,
            title=options["title"] or name.replace("-", " ").capitalize(),
            body=read_text(options["file"]),
            subject=options["subject"] or "",
        )
        self.emit(
            options, {"name": name, "version": version.number}, lambda c: c.print(f"Added {name} version 1.")
        )

    def _edit(self, account: Account, name: str, options: dict[str, Any]) -> None:
        """Save new words (``--file``), subject or title as the message's next version."""
        message = message_get(account=account, name=name)
        latest = message_latest_version(message=message)
        body = read_text(options["file"]) if options["file"] else latest.body
        subject = options["subject"] if options["subject"] is not None else latest.subject
        version = message_update(
            account=account,
            name=name,
            body=body,
            subject=subject,
            title=options["title"],
            base_version=latest.number,
        )
        saved = "Saved" if version.number != latest.number else "Unchanged:"
        self.emit(
            options,
            {"name": name, "version": version.number},
            lambda c: c.print(f"{saved} {name} version {version.number}."),
        )

    def _preview(self, account: Account, name: str | None, options: dict[str, Any]) -> None:
        """A message filled in for ``--contact`` (the sample contact without one): the saved
        message ``NAME``, or the words of ``--file`` with ``--kind``."""
        if options["file"]:
            kind, body, subject = _kind(options["kind"]), read_text(options["file"]), options["subject"] or ""
            message_check(body=body, subject=subject, kind=kind)
        elif name:
            message = message_get(account=account, name=name)
            version = message_latest_version(message=message)
            kind, body, subject = MessageKind(message.kind), version.body, version.subject
        else:
            raise InvalidInput("messages preview needs a message name or --file FILE --kind KIND")
        contact = contact_find(account=account, reference=options["contact"]) if options["contact"] else None
        filled = message_fill(
            kind=kind,
            body=body,
            subject=subject,
            variables=message_variables(account=account, contact=contact),
        )
        data = {"contact": contact.name if contact else None, "subject": filled.subject, "text": filled.body}

        def render(console: Console) -> None:
            if filled.subject:
                console.print(f"Subject: {filled.subject}")
            console.print(filled.body)

        self.emit(options, data, render)
