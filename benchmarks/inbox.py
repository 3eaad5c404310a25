"""How long reading a mailbox of 10,000 messages takes, and that a second poll reads nothing
(issue 13).

    .venv/bin/python benchmarks/inbox.py [--messages 10000] [--database-url URL]

A Dovecot on loopback (started here, as the tests do; Debian's ``dovecot-imapd``) holds
``--messages`` messages in one INBOX: one in ten a reply to an email Ringback sent (In-Reply-To),
one in ten an automatic answer, one in fifty an out-of-office with a return date, the rest mail
from strangers (newsletters, other people: left alone). The seller's mailbox is set to read all of
them (as after a first poll long ago). Printed: the first poll (seconds, messages per second, what
it did) and the second (seconds, messages read: must be 0), on SQLite by default or on the
PostgreSQL database ``--database-url`` names (created afresh).
"""

from __future__ import annotations

import argparse
import imaplib
import os
import platform
import shutil
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

NOW = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))


def fresh_database(url: str) -> str:
    """Drop and create the database ``url`` names; ``url``."""
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    return url


def setup_django(data_dir: Path, database_url: str) -> None:
    os.environ.update(
        RINGBACK_DATA_DIR=str(data_dir),
        RINGBACK_SECRET_KEY="benchmark-only",
        DJANGO_SETTINGS_MODULE="ringback.settings",
    )
    if database_url:
        os.environ["RINGBACK_DATABASE_URL"] = fresh_database(database_url)
    else:
        os.environ.pop("RINGBACK_DATABASE_URL", None)
    os.environ.pop("RINGBACK_NOW", None)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def fill(imap: object, user: str, count: int, sent: list[tuple[str, str]]) -> None:
    """``count`` messages in ``user``'s INBOX (APPEND over one connection)."""
    from ringback.testing.imap import PASSWORD, ImapServer

    assert isinstance(imap, ImapServer)
    client = imaplib.IMAP4("127.0.0.1", imap.port, timeout=60)
    client.login(user, PASSWORD)
    for n in range(count):
        if n % 10 == 0 and sent:
            address, message_id = sent[(n // 10) % len(sent)]
            head = f"From: <{address}>\r\nSubject: Re: the resource\r\nIn-Reply-To: {message_id}\r\n"
            body = "Thanks! Call me tomorrow.\r\n\r\nOn Mon, Sally wrote:\r\n> Hi\r\n"
        elif n % 50 == 1 and sent:
            address, message_id = sent[(n // 50) % len(sent)]
            head = f"From: <{address}>\r\nSubject: Out of Office\r\nAuto-Submitted: auto-replied\r\nIn-Reply-To: {message_id}\r\n"
            body = "I am out of the office until December 14.\r\n"
        elif n % 10 == 3:
            head = "From: <noreply@shop.example>\r\nSubject: Your order\r\nPrecedence: bulk\r\n"
            body = "Your order has shipped.\r\n"
        else:
            head = f"From: <stranger{n}@elsewhere.example>\r\nSubject: Hello {n}\r\n"
            body = "A message from someone who is not a contact.\r\n" * 20
        raw = f"{head}Message-ID: <bench-{n}@example.com>\r\nDate: Mon, 23 Nov 2026 10:00:00 -0500\r\n\r\n{body}"
        typ, _ = client.append("INBOX", None, None, raw.encode())
        assert typ == "OK"
    client.logout()


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument(
        "--database-url",
        default="",
        help="a PostgreSQL database URL, dropped and created afresh (default: SQLite)",
    )
    args = parser.parse_args()
    data = Path(tempfile.mkdtemp(prefix="ringback-bench-"))
    imap_root = Path(tempfile.mkdtemp(prefix="ringback-imap-"))
    try:
        setup_django(data, args.database_url)
        from ringback.accounts.models import Mailbox
        from ringback.accounts.services import mailbox_set
        from ringback.activities.emailing import emails_queue_due
        from ringback.core import clock
        from ringback.inbox.services import inbox_poll
        from ringback.outbox.models import OutboundEmail
        from ringback.outbox.services import outbound_email_claim, outbound_email_sending, outbound_email_sent
        from ringback.testing.imap import PASSWORD, ImapServer
        from ringback.testing.outbox import email_due, email_seller

        with clock.frozen(NOW):
            account = email_seller()
            for n in range(200):
                email_due(account, n)
            emails_queue_due(account=account)
            for email in OutboundEmail.objects.all():  # sent, as far as Ringback knows
                claimed = outbound_email_claim(pk=email.pk, worker_id="bench")
                assert claimed is not None and outbound_email_sending(email=claimed)
                outbound_email_sent(email=claimed, at=NOW)
        sent = list(OutboundEmail.objects.values_list("to_address", "message_id"))
        imap = ImapServer(imap_root).start()
        started = time.perf_counter()
        fill(imap, "seller", args.messages, sent)
        filled_in = time.perf_counter() - started
        mailbox_set(
            account=account,
            host="127.0.0.1",
            port=imap.port,
            security="none",
            username="seller",
            password=PASSWORD,
        )
        inbox_poll(account=account)  # starts at what arrives next...
        Mailbox.objects.filter(account=account).update(last_uid=0)  # ...then read everything there
        with clock.frozen(NOW):
            started = time.perf_counter()
            first = inbox_poll(account=account, limit=args.messages)
            first_in = time.perf_counter() - started
            started = time.perf_counter()
            second = inbox_poll(account=account, limit=args.messages)
            second_in = time.perf_counter() - started
        imap.stop()
        db = "PostgreSQL" if args.database_url else "SQLite"
        print(f"Inbox: {args.messages:,} messages in one INBOX on Dovecot (loopback), {db}")
        print(f"machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}")
        print(f"filling the mailbox (APPEND): {filled_in:.1f} s")
        print(
            f"first poll:  {first_in:6.1f} s  {first.read / first_in:6.0f} messages/s  read {first.read:,}: "
            f"{first.replies} replies, {first.paused} out of office, {first.bounced} bounces, "
            f"{first.ignored:,} left alone{'; error: ' + first.error if first.error else ''}"
        )
        print(f"second poll: {second_in:6.2f} s  read {second.read} (nothing twice)")
        return 0 if second.read == 0 and first.read == args.messages else 1
    finally:
        shutil.rmtree(data, ignore_errors=True)
        shutil.rmtree(imap_root, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
