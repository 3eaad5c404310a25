"""How long the calendar feed takes for 1,000 appointments, and how many bytes it is (issue 12).

    .venv/bin/python benchmarks/feed.py [--appointments 1000] [--runs 30] [--warmup 3]

Two figures, each the median of ``--runs`` runs after ``--warmup`` runs (wall time, and the
process's CPU time, which suffers less from other load on the machine):

* **build**: ``ringback.core.calendar_feed.build_feed`` alone, from the appointments already read
  (the icalendar library building, escaping and folding the text);
* **request**: ``GET /calendar/SECRET.ics`` through Django's test client on a fresh SQLite file:
  the secret's look-up, the appointments with their contacts and numbers (three queries), the
  build and the ETag, as a calendar app's fetch costs the server.

The account: a seller in New York and 250 contacts in eight US zones (the zone comes from the
number), four appointments each, spread from 60 days back (the feed's window) to a year ahead;
names and notes with accents, commas and semicolons, notes of 80-200 characters; one in ten
cancelled, one in five moved once or twice.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

#: Monday 23 November 2026, 09:00 in New York.
NOW = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)
AREA_CODES = ("212", "305", "312", "415", "503", "602", "808", "907")
FIRST = ("Zoë", "José", "Ana", "Björn", "Chloé", "Mary", "Łukasz", "Renée", "Søren", "Dana")
LAST = ("García-Márquez", "O'Neil", "Smith", "Nguyễn", "Müller", "Lefèvre", "Kowalski", "Brown")
WORDS = ("kit,", "host", "party;", "spring", "line,", "catalogue,", "samples;", "café,", "déjà", "vu")


def setup_django(data_dir: Path) -> None:
    """Point Ringback at a fresh SQLite file in ``data_dir`` and migrate it."""
    os.environ["RINGBACK_DATA_DIR"] = str(data_dir)
    os.environ.pop("RINGBACK_DATABASE_URL", None)
    os.environ.pop("RINGBACK_NOW", None)
    os.environ["RINGBACK_SECRET_KEY"] = "benchmark-only"
    os.environ["DJANGO_SETTINGS_MODULE"] = "ringback.settings"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def build_account(count: int) -> str:
    """The seller, their contacts and ``count`` appointments; the feed's secret."""
    from ringback.accounts.services import account_calendar_on, account_create
    from ringback.activities.models import Appointment
    from ringback.contacts.services import PhoneInput, contact_create

    rng = random.Random(12)
    account = account_create(username="bench", password=None, seller_name="Sally Baker")
    contacts = [
        contact_create(
            account=account,
            first_name=rng.choice(FIRST),
            last_name=f"{rng.choice(LAST)} {n}",
            phones=[PhoneInput(f"{AREA_CODES[n % len(AREA_CODES)]}-555-{n:04d}")],
        )
        for n in range(max(1, count // 4))
    ]
    rows = []
    for n in range(count):
        cancelled = n % 10 == 0
        moved = 0 if cancelled else rng.choice((0, 0, 0, 0, 1, 1, 2, 0, 0, 0))
        starts = NOW + timedelta(days=rng.randint(-59, 365), minutes=30 * rng.randint(0, 24))
        rows.append(
            Appointment(
                account=account,
                contact=contacts[n % len(contacts)],
                starts_at=starts,
                duration_minutes=rng.choice((15, 15, 30)),
                note=" ".join(rng.choice(WORDS) for _ in range(rng.randint(10, 25))),
                status="cancelled" if cancelled else "scheduled",
                created_at=NOW - timedelta(days=70, minutes=n),
                sequence=1 if cancelled else moved,
                changed_at=NOW - timedelta(days=rng.randint(1, 9)) if cancelled or moved else None,
            )
        )
    Appointment.objects.bulk_create(rows)
    return account_calendar_on(account=account)


def median_of(action: Callable[[], object], *, runs: int, warmup: int) -> tuple[float, float]:
    """Median wall and CPU milliseconds of ``action``."""
    for _ in range(warmup):
        action()
    wall, cpu = [], []
    for _ in range(runs):
        cpu_start, wall_start = time.process_time(), time.perf_counter()
        action()
        wall.append(time.perf_counter() - wall_start)
        cpu.append(time.process_time() - cpu_start)
    return statistics.median(wall) * 1000, statistics.median(cpu) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--appointments", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=3)
    args = parser.parse_args()
    data_dir = Path(tempfile.mkdtemp(prefix="ringback-calendar-"))
    try:
        os.environ["RINGBACK_ALLOWED_HOSTS"] = "testserver"
        setup_django(data_dir)
        from django.db import connection
        from django.test import Client

        from ringback.accounts.models import Account
        from ringback.activities.selectors import appointments_for_feed
        from ringback.core import clock
        from ringback.core.calendar_feed import build_feed

        with clock.frozen(NOW):
            token = build_account(args.appointments)
            account = Account.objects.get(calendar_token=token)
            appointments = appointments_for_feed(account=account)
            url = f"/calendar/{token}.ics"
            client = Client()

            def build() -> bytes:
                return build_feed(
                    title="Ringback (Sally Baker)", time_zone=account.time_zone, appointments=appointments
                )

            def fetch() -> None:
                response = client.get(url)
                assert response.status_code == 200, response.status_code

            body = build()
            build_ms = median_of(build, runs=args.runs, warmup=args.warmup)
            request_ms = median_of(fetch, runs=args.runs, warmup=args.warmup)
            queries: list[str] = []

            def counted(execute: Callable[..., object], sql: str, *rest: object) -> object:
                queries.append(sql)
                return execute(sql, *rest)

            with connection.execute_wrapper(counted):
                fetch()
            size = len(client.get(url).content)
        events = body.count(b"BEGIN:VEVENT")
        longest = max(len(line) for line in body.split(b"\r\n"))
        print(
            f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
            f"Python {platform.python_version()}"
        )
        print(f"appointments in the feed: {events:,} (of {args.appointments:,}); runs: {args.runs}")
        print(f"build_feed alone:     {build_ms[0]:8.1f} ms median ({build_ms[1]:.1f} ms CPU)")
        print(
            f"GET /calendar/….ics:  {request_ms[0]:8.1f} ms median ({request_ms[1]:.1f} ms CPU), "
            f"{len(queries)} queries"
        )
        print(
            f"feed size: {size:,} bytes ({size / max(events, 1):,.0f} an event); longest line {longest} octets"
        )
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
