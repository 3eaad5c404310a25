"""Server time of the web pages a seller uses most: Today, a Contact, Contacts search.

Builds accounts with the agenda benchmark's builder (10,000 contacts with 50,000 touches, and
100,000 contacts) on SQLite, signs in the seller with Django's test client and times complete
requests (middleware, views, queries and templates): median of N runs after warm-up.

    .venv/bin/python benchmarks/web.py [--sizes 10000,100000] [--runs 30]

Goals (issue 3): each page ≤ 50 ms median at 10,000 contacts; at 100,000 contacts within 1.5×
of the 10,000 figure.

The seller works every day and has ``--minutes`` a day for follow-up (default 240, four hours:
the demo's seller); Today shows what fits that time (issue 11), so its size does not grow with
the account. ``--minutes 1440`` shows every item due, as before issue 11: then the page grows
with the number of items due that day (38 cards at 10,000 contacts, 84 at 100,000).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import agenda as bench

GOAL_MS = 50.0
GROWTH = 1.5
RESULTS = Path(__file__).resolve().parent / "results"


def run_size(size: int, *, runs: int, warmup: int, minutes: int = 240) -> dict[str, Any]:
    data_dir = Path(tempfile.mkdtemp(prefix=f"ringback-web-{size}-"))
    try:
        os.environ["RINGBACK_ALLOWED_HOSTS"] = "testserver,127.0.0.1,localhost"
        bench.setup_django(data_dir)
        from django.contrib.auth import get_user_model
        from django.db.models import Count
        from django.test import Client

        from ringback.accounts.models import Account, Membership
        from ringback.contacts.models import Contact
        from ringback.core import clock

        bench.log(f"web benchmark: building {size:,} contacts in {data_dir}")
        built = bench.Builder(size).build()
        account = Account.objects.get(name="Bench Seller")
        from ringback.accounts.services import account_update

        account_update(account=account, minutes_per_day=minutes)
        membership = account.memberships.select_related("user").first()
        if membership is None:
            user = get_user_model().objects.create_user("bench-web", password="bench-password-1")
            Membership.objects.create(user=user, account=account)
        else:
            user = membership.user
        busiest = (
            Contact.objects.filter(account=account)
            .annotate(n=Count("touches"))
            .order_by("-n", "pk")
            .values_list("pk", "n")
            .first()
        )
        assert busiest is not None
        common = (
            Contact.objects.filter(account=account).order_by("pk").values_list("last_name", flat=True)[7][:4]
        )
        client = Client()
        client.force_login(user)
        pages = {
            "today": "/",
            "contact": f"/contacts/{busiest[0]}/",
            "contacts_search": f"/contacts/?q={common}",
            "contacts_search_htmx": f"/contacts/?q={common}",
            "contacts_search_rare": "/contacts/?q=zzqx",
        }

        def get(name: str, path: str) -> Any:
            headers = {"HTTP_HX_REQUEST": "true"} if name.endswith("_htmx") else {}

            def action() -> None:
                response = client.get(path, **headers)
                assert response.status_code == 200, (path, response.status_code)

            return action

        with clock.frozen(bench.NOW):
            actions = [get(name, path) for name, path in pages.items()]
            samples = bench.repeat(*actions, runs=runs, warmup=warmup)
            cards = client.get("/").content.decode().count(" data-card ")
        return {
            "size": size,
            "minutes_per_day": minutes,
            "today_cards": cards,
            "touches": built.touches,
            "busiest_contact_touches": busiest[1],
            "search_term": common,
            "pages": {name: bench.summary(s) for name, s in zip(pages, samples, strict=True)},
        }
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--sizes", default="10000,100000", help="account sizes in contacts")
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--minutes", type=int, default=240, help="the seller's minutes a day for follow-up")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    # Each size gets a fresh process so that Django is set up on its own database.
    if len(sizes) > 1:
        results = []
        for size in sizes:
            out = RESULTS / f"web-{size}.json"
            RESULTS.mkdir(exist_ok=True)
            code = os.spawnv(
                os.P_WAIT,
                sys.executable,
                [
                    sys.executable,
                    __file__,
                    "--sizes",
                    str(size),
                    "--runs",
                    str(args.runs),
                    "--warmup",
                    str(args.warmup),
                    "--minutes",
                    str(args.minutes),
                ],
            )
            if code != 0:
                return code
            results.append(json.loads(out.read_text()))
        report(results)
        (RESULTS / "web.json").write_text(json.dumps(results, indent=2))
        return 0
    result = run_size(sizes[0], runs=args.runs, warmup=args.warmup, minutes=args.minutes)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"web-{sizes[0]}.json").write_text(json.dumps(result, indent=2))
    report([result])
    return 0


def report(results: list[dict[str, Any]]) -> None:
    print(
        f"Machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    print(f"Seller: every day, {results[0].get('minutes_per_day', '?')} minutes a day for follow-up")
    print("cards on Today: " + ", ".join(f"{r.get('today_cards', '?')} at {r['size']:,}" for r in results))
    names = list(results[0]["pages"])
    print(f"{'page':24}" + "".join(f"{r['size']:>14,}" for r in results) + "   (median ms; CPU ms)")
    for name in names:
        cells = "".join(
            f"{r['pages'][name]['median_ms']:>8.1f} ({r['pages'][name]['cpu_median_ms']:.0f})"
            for r in results
        )
        print(f"{name:24}{cells}")
    base = results[0]["pages"]
    for name in names:
        verdict = "met" if base[name]["median_ms"] <= GOAL_MS else "MISSED"
        line = f"  {name}: {base[name]['median_ms']:.1f} ms at {results[0]['size']:,} (goal ≤ {GOAL_MS:.0f} ms: {verdict})"
        if len(results) > 1:
            ratio = results[-1]["pages"][name]["median_ms"] / base[name]["median_ms"]
            line += f"; ×{ratio:.2f} at {results[-1]['size']:,} (goal ≤ ×{GROWTH}: {'met' if ratio <= GROWTH else 'MISSED'})"
        print(line)


if __name__ == "__main__":
    sys.exit(main())
