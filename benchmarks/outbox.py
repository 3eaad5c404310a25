"""Emails per second through the outbox into a local SMTP server, with 1 and 2 worker processes on
PostgreSQL (issue 13).

    .venv/bin/python benchmarks/outbox.py [--emails 10000] [--workers 1 2] [--database-url URL]

For each worker count: a fresh PostgreSQL database, a seller and ``--emails`` contacts whose email
step is due (made in bulk from one enrolled through the services), the scheduler run once to queue
them all (timed: it renders each email and takes the locks a real pass takes), then that many
``ringback worker --until-idle`` processes started at once, sending into aiosmtpd on loopback.
Printed: the queueing time, the sending time and emails per second, the duplicate count (a
Message-ID that arrived twice) and the lost count (an email not settled, or settled "sent" without
arriving) — both must be 0 — and the largest peak resident memory of a worker process.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

NOW = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)  # Monday 09:00 in New York
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))


def fresh_database(url: str, name: str) -> str:
    """Drop and create database ``name`` on the server of ``url``; its URL."""
    import psycopg

    base = url.rsplit("/", 1)[0]
    with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    return f"{base}/{name}"


def setup_django(database_url: str, data_dir: Path) -> None:
    os.environ.update(
        RINGBACK_DATA_DIR=str(data_dir),
        RINGBACK_DATABASE_URL=database_url,
        RINGBACK_SECRET_KEY="benchmark-only",
        RINGBACK_PUBLIC_URL="https://ringback.example.com",
        DJANGO_SETTINGS_MODULE="ringback.settings",
    )
    os.environ.pop("RINGBACK_NOW", None)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def build(count: int) -> None:
    """A seller and ``count`` contacts with an email address whose email step is due now."""
    from ringback.accounts.services import account_update
    from ringback.contacts.models import Contact, Email
    from ringback.core import clock
    from ringback.playbooks.models import Enrollment
    from ringback.testing.outbox import email_due, email_seller

    with clock.frozen(NOW):
        account = email_seller()
        account_update(account=account, email_daily_cap=count)
        first = email_due(account, 0)
    model = Enrollment.objects.get(contact=first)
    template = Contact.objects.get(pk=first.pk)
    contacts = [
        Contact(
            account=account,
            first_name=f"Person{n}",
            last_name="Bench",
            time_zone=template.time_zone,
            time_zone_set=template.time_zone_set,
            country=template.country,
            subdivision=template.subdivision,
            created_at=NOW,
            updated_at=NOW,
        )
        for n in range(1, count)
    ]
    made = Contact.objects.bulk_create(contacts, batch_size=1000)
    Email.objects.bulk_create(
        [Email(account=account, contact=c, address=f"person{c.pk}@example.com") for c in made],
        batch_size=1000,
    )
    Enrollment.objects.bulk_create(
        [
            Enrollment(
                account=account,
                contact=c,
                version=model.version,
                status=model.status,
                step_index=model.step_index,
                due_start=model.due_start,
                due_end=model.due_end,
                seed=model.seed + c.pk,
                state=model.state,
                started_at=model.started_at,
                created_at=model.created_at,
            )
            for c in made
        ],
        batch_size=1000,
    )


def run(count: int, workers: int, base_url: str) -> dict[str, float]:
    from django.db import connections

    from ringback.activities.emailing import emails_queue_due
    from ringback.core import clock
    from ringback.outbox.models import OutboundEmail
    from ringback.testing.smtp import SmtpServer

    build(count)
    started = time.perf_counter()
    with clock.frozen(NOW):
        report = emails_queue_due()
    queued_in = time.perf_counter() - started
    assert report.queued == count, report
    connections.close_all()

    smtp = SmtpServer().start()
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(smtp.environment(), RINGBACK_EMAIL_RETRY_SECONDS="1", USER="bench")
    ringback = Path(sys.executable).with_name("ringback")
    started = time.perf_counter()
    processes = [
        subprocess.Popen([str(ringback), "worker", "--until-idle", "--worker-id", f"bench-{n}"], env=env)
        for n in range(workers)
    ]
    for process in processes:
        assert process.wait() == 0
    sent_in = time.perf_counter() - started
    peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    time.sleep(0.5)
    smtp.stop()

    arrived = smtp.mailbox.message_ids()
    statuses = dict(OutboundEmail.objects.values_list("message_id", "status"))
    duplicates = sum(1 for n in arrived.values() if n > 1)
    unsettled = sum(1 for s in statuses.values() if s not in ("sent", "failed", "unknown"))
    sent_missing = sum(1 for mid, s in statuses.items() if s == "sent" and mid not in arrived)
    counts = Counter(statuses.values())
    return {
        "queue_seconds": queued_in,
        "send_seconds": sent_in,
        "per_second": count / sent_in,
        "duplicates": duplicates,
        "lost": unsettled + sent_missing,
        "sent": counts["sent"],
        "peak_mib": peak_kib / 1024,
    }


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--emails", type=int, default=10_000)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument(
        "--database-url",
        default=os.environ.get("RINGBACK_TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/ringback"),
        help="a PostgreSQL server (a database ringback_bench_outbox is created there)",
    )
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child is not None:
        with tempfile.TemporaryDirectory() as data:
            url = fresh_database(args.database_url, "ringback_bench_outbox")
            setup_django(url, Path(data))
            figures = run(args.emails, args.child, url)
        print(" ".join(f"{k}={v:.3f}" if isinstance(v, float) else f"{k}={v}" for k, v in figures.items()))
        return 0
    print(f"Outbox: {args.emails:,} due emails into aiosmtpd on loopback, PostgreSQL")
    print(f"machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}")
    print(
        f"{'workers':>7} {'queue s':>8} {'send s':>7} {'emails/s':>9} {'dupes':>6} {'lost':>5} {'peak MiB':>9}"
    )
    for workers in args.workers:
        # A fresh interpreter per run: one Django set-up, one database, one peak-memory reading.
        done = subprocess.run(
            [
                sys.executable,
                __file__,
                "--child",
                str(workers),
                "--emails",
                str(args.emails),
                "--database-url",
                args.database_url,
            ],
            capture_output=True,
            text=True,
        )
        if done.returncode != 0:
            sys.stderr.write(done.stderr)
            return done.returncode
        figures = dict(item.split("=") for item in done.stdout.split()[-7:])
        print(
            f"{workers:>7} {float(figures['queue_seconds']):>8.1f} {float(figures['send_seconds']):>7.1f} "
            f"{float(figures['per_second']):>9.0f} {figures['duplicates']:>6} {figures['lost']:>5} "
            f"{float(figures['peak_mib']):>9.0f}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
