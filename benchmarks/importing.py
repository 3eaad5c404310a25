"""Import speed and memory: a 100,000-row Google Contacts CSV into an empty account on SQLite.

    .venv/bin/python benchmarks/importing.py [--rows 100000] [--repeat 5]

Writes a realistic Google Contacts export (Ringback's own Google CSV writer: one to three
numbers in the ways people type them, US and abroad, one or two emails, labels, addresses,
birthdays, multi-line notes, 2 % of rows repeating an earlier person so that deduplication
merges them), then, each in a fresh process and a fresh SQLite file:

* ``import``: ``contacts_import`` as ``ringback import`` runs it (the file read and its rows
  prepared in a second process) — read, normalise (E.164, zones), deduplicate, write, commit;
  rows per second, and the peak resident memory (``ru_maxrss``) of both processes;
* ``import-single``: the same in one process, as the web import runs;
* ``floor``: the same rows, already normalised, inserted with bare ``executemany`` into the same
  tables in one transaction, the search index filled a table at a time as the import does — the
  least any import can cost with every index kept up to date row by row.

Shared machines are noisy (the same run varies by ±15 % here): ``import`` and ``floor`` run
``--repeat`` times and the medians are reported, with the spread.

Goals (issue 4): ≥ 20,000 rows/s and peak memory under 200 MB.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import agenda as bench  # noqa: E402

GOAL_ROWS_PER_S = 20_000
GOAL_MB = 200
RESULTS = HERE / "results"
AREA_CODES = ("212", "646", "718", "305", "415", "512", "312", "617", "206", "404", "702", "919")
ABROAD = ("+44 20 7946 {:04}", "+33 1 42 68 {:02} {:02}", "+61 412 {:03} {:03}", "+49 30 {:08}")
CITIES = (("Miami", "FL", "33101"), ("Austin", "TX", "78701"), ("Seattle", "WA", "98101"), ("", "", ""))


def _number(rng: random.Random, i: int) -> str:
    if rng.random() < 0.08:
        pattern = rng.choice(ABROAD)
        if "{:08}" in pattern:
            return pattern.format(10_000_000 + i)
        if "{:04}" in pattern:
            return pattern.format(i % 10_000)
        if "{:03}" in pattern:
            return pattern.format(i // 1000 % 1000, i % 1000)
        return pattern.format(i // 100 % 100, i % 100)
    area = rng.choice(AREA_CODES)
    exchange = 200 + (i // 10_000) % 800
    line = i % 10_000
    return rng.choice(
        (
            f"({area}) {exchange}-{line:04}",
            f"{area}-{exchange}-{line:04}",
            f"+1 {area} {exchange} {line:04}",
            f"{area}.{exchange}.{line:04}",
        )
    )


def write_file(path: Path, rows: int, seed: int = 7) -> None:
    """A Google Contacts export of ``rows`` people (2 % of them repeats of earlier ones)."""
    from ringback.core.interchange import Birthday, Card, CardAddress, CardEmail, CardPhone
    from ringback.core.interchange.writers import write_google_csv

    rng = random.Random(seed)
    cards: list[Card] = []

    def people() -> Any:
        for i in range(rows):
            if cards and rng.random() < 0.02:
                earlier = rng.choice(cards)
                yield Card(row=0, first_name=earlier.first_name, last_name=earlier.last_name,
                           phones=earlier.phones[:1], emails=(CardEmail(f"new{i}@example.org"),))  # fmt: skip
                continue
            first, last = rng.choice(bench.FIRST_NAMES), rng.choice(bench.LAST_NAMES)
            phones = [CardPhone(_number(rng, i), "mobile")]
            if rng.random() < 0.4:
                phones.append(CardPhone(_number(rng, i + 1_000_000), rng.choice(("work", "home"))))
            emails = [CardEmail(f"{first}.{last}{i}@example.com".lower())]
            if rng.random() < 0.3:
                emails.append(CardEmail(f"{first[0]}{last}{i}@work.example".lower(), "work"))
            city, state, postal = rng.choice(CITIES)
            addresses = (CardAddress("home", f"{i} Main St", city, state, postal, "US"),) if city else ()
            card = Card(
                row=0,
                first_name=first,
                last_name=last,
                company=rng.choice(bench.COMPANIES),
                phones=tuple(phones),
                emails=tuple(emails),
                addresses=addresses,
                birthday=Birthday(rng.randint(1, 12), rng.randint(1, 28), rng.choice((None, 1980, 1991)))
                if rng.random() < 0.3
                else None,
                tags=tuple(rng.sample(bench.TAGS, rng.randint(0, 2))),
                notes="Met at the fair.\nCall after 5." if rng.random() < 0.1 else "",
            )
            if len(cards) < 5000:
                cards.append(card)
            yield card

    with path.open("w", encoding="utf-8", newline="") as out:
        write_google_csv(people(), out, max_emails=2, max_phones=2, max_addresses=1)


def child_import(path: Path, workers: int) -> dict[str, Any]:
    from ringback.accounts.services import account_create
    from ringback.contacts.importing import contacts_import

    account = account_create(username="bench-import", password=None, time_zone="America/New_York")
    start = time.perf_counter()
    run = contacts_import(account=account, path=path, workers=workers)
    seconds = time.perf_counter() - start
    return {
        "seconds": seconds,
        "rows": run.rows,
        "created": run.created,
        "merged": run.merged,
        "unchanged": run.unchanged,
        "skipped": run.skipped,
    }


def child_floor(path: Path) -> dict[str, Any]:
    """Read the rows back as the importer would, then time bare executemany of the same values."""
    from django.db import connection, transaction

    from ringback.accounts.services import account_create
    from ringback.contacts.folded import folded
    from ringback.contacts.models import Contact
    from ringback.contacts.search_index import search_index_deferred
    from ringback.core.interchange.cards import open_cards
    from ringback.core.phones import parse_phone

    account = account_create(username="bench-floor", password=None, time_zone="America/New_York")
    now = datetime.now(UTC).isoformat()
    contacts, phones, emails, addresses, links = [], [], [], [], []
    next_id = (Contact.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
    with open_cards(path) as reader:
        for number, card in enumerate(c for c in reader if not hasattr(c, "reason")):
            pk = next_id + number
            b = card.birthday
            contacts.append((pk, account.pk, card.first_name, card.last_name, card.company, card.title,
                             "met-once", "prospect", card.notes, b.month if b else None, b.day if b else None,
                             b.year if b else None, "America/New_York", "US", "", False, now, now,
                             folded(card.first_name, card.last_name), folded(card.company)))  # fmt: skip
            for phone in card.phones:
                parsed = parse_phone(phone.value, "US")
                phones.append((account.pk, pk, parsed.number, parsed.extension, phone.label, False,
                               parsed.valid, False))  # fmt: skip
            emails += [(account.pk, pk, e.address, e.label, folded(e.address)) for e in card.emails]
            addresses += [(account.pk, pk, a.label, a.street, a.city, a.region, a.postal_code, a.country)
                          for a in card.addresses]  # fmt: skip
            links += [(pk, t) for t in card.tags]
    tag_ids: dict[str, int] = {}
    start = time.perf_counter()
    with transaction.atomic(), search_index_deferred(connection=connection), connection.cursor() as cursor:
        for name in sorted({t for _, t in links}):
            cursor.execute("INSERT INTO contacts_tag (account_id, name) VALUES (%s, %s)", [account.pk, name])
            tag_ids[name] = cursor.lastrowid
        cursor.executemany(
            "INSERT INTO contacts_contact (id, account_id, first_name, last_name, company, title, warmth, status, "
            "notes, birthday_month, birthday_day, birthday_year, time_zone, country, subdivision, do_not_contact, "
            "created_at, updated_at, search_name, search_company) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
            contacts,
        )
        cursor.executemany(
            "INSERT INTO contacts_phone (account_id, contact_id, number, extension, label, ok_at_work, is_valid, "
            "is_bad) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
            phones,
        )
        cursor.executemany(
            "INSERT INTO contacts_email (account_id, contact_id, address, label, search_text) "
            "VALUES (%s, %s, %s, %s, %s)",
            emails,
        )
        cursor.executemany(
            "INSERT INTO contacts_address (account_id, contact_id, label, street, city, region, postal_code, "
            "country) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
            addresses,
        )
        cursor.executemany(
            "INSERT INTO contacts_contact_tags (contact_id, tag_id) VALUES (%s, %s)",
            [(pk, tag_ids[t]) for pk, t in links],
        )
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "rows": len(contacts)}


def child(kind: str, path: Path, out: Path) -> int:
    data_dir = Path(tempfile.mkdtemp(prefix=f"ringback-import-{kind}-"))
    bench.setup_django(data_dir)
    if kind == "floor":
        result = child_floor(path)
    else:
        result = child_import(path, workers=1 if kind == "import" else 0)
    result["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    result["worker_peak_mb"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    out.write_text(json.dumps(result))
    return 0


def run_child(kind: str, path: Path) -> dict[str, Any]:
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as handle:
        out = Path(handle.name)
    subprocess.run([sys.executable, __file__, "--child", kind, str(path), str(out)], check=True)
    result: dict[str, Any] = json.loads(out.read_text())
    out.unlink()
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5, help="runs of the import and of the floor")
    parser.add_argument("--child", nargs=3, metavar=("KIND", "FILE", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        kind, file, out = args.child
        return child(kind, Path(file), Path(out))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ringback.settings")
    work = Path(tempfile.mkdtemp(prefix="ringback-import-file-"))
    path = work / "google-contacts.csv"
    bench.log(f"import benchmark: writing {args.rows:,} rows to {path}")
    import django

    os.environ["RINGBACK_DATA_DIR"] = str(work)
    django.setup()
    write_file(path, args.rows)
    size_mb = path.stat().st_size / 1e6
    imports, floors = [], []
    for number in range(args.repeat):
        bench.log(f"  {size_mb:.1f} MB; import {number + 1} of {args.repeat}, then the floor")
        imports.append(run_child("import", path))
        floors.append(run_child("floor", path))
    bench.log("  in one process (no reader process)")
    single = run_child("import-single", path)
    imported = sorted(imports, key=lambda r: r["seconds"])[len(imports) // 2]
    floor = sorted(floors, key=lambda r: r["seconds"])[len(floors) // 2]
    rate = imported["rows"] / imported["seconds"]
    single_rate = single["rows"] / single["seconds"]
    ratio = imported["seconds"] / floor["seconds"]
    rates = sorted(r["rows"] / r["seconds"] for r in imports)
    result = {"rows": args.rows, "file_mb": size_mb, "import": imported, "imports": imports, "floors": floors,
              "import_single": single, "floor": floor, "rows_per_s": rate, "single_rows_per_s": single_rate,
              "ratio_to_floor": ratio, "machine": platform.processor() or platform.machine(),
              "cpus": os.cpu_count(), "python": platform.python_version()}  # fmt: skip
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "importing.json").write_text(json.dumps(result, indent=2))
    met = "met" if rate >= GOAL_ROWS_PER_S else "MISSED"
    mem = "met" if max(r["peak_mb"] for r in imports) < GOAL_MB else "MISSED"
    print(
        f"Import of a {args.rows:,}-row Google Contacts CSV ({size_mb:.1f} MB) on SQLite, {os.cpu_count()} CPUs"
    )
    print(f"  created {imported['created']:,}, merged {imported['merged']:,}, "
          f"unchanged {imported['unchanged']:,}, skipped {imported['skipped']:,}")  # fmt: skip
    print(f"  import (as `ringback import`: file read and rows prepared in a second process), median of "
          f"{len(imports)}: {imported['seconds']:.2f} s = {rate:,.0f} rows/s "
          f"(runs {rates[0]:,.0f}–{rates[-1]:,.0f}; goal ≥ {GOAL_ROWS_PER_S:,}: {met})")  # fmt: skip
    print(f"  import in one process: {single['seconds']:.2f} s = {single_rate:,.0f} rows/s")
    print(f"  peak memory: {max(r['peak_mb'] for r in imports):.0f} MB importing process (goal < {GOAL_MB} MB: {mem}),"
          f" {max(r['worker_peak_mb'] for r in imports):.0f} MB reader process;"
          f" {single['peak_mb']:.0f} MB in one process")  # fmt: skip
    print(
        f"  floor (bare executemany of the same rows), median of {len(floors)}: {floor['seconds']:.2f} s"
        f" = {floor['rows'] / floor['seconds']:,.0f} rows/s; import = ×{ratio:.2f} the floor"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
