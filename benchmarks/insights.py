"""The Insights page on SQLite: 10,000 contacts / 50,000 touches against 100,000 / 500,000.

Each account is the agenda benchmark's (``benchmarks/agenda.py``: contacts in many US zones,
five touches each from real engine walks with realistic outcomes, enrollments in every built-in
playbook). Then:

* the refresh that credits every response and pre-counts the results (``insights_refresh``,
  what the worker runs every ten minutes when touches changed): once, timed;
* the Insights page as a signed-in seller opens it (``GET /insights/``, the last 90 days, every
  playbook, through Django's test client: the view, the report, the charts, the template),
  median of ``--runs`` after warm-up, and its SQL query count;
* the same with a playbook filter and a year's range.

Goal: the page in ≤ 100 ms at both sizes, growing ≤ 1.5× from the small to the large one, with
the same query count.

    .venv/bin/python benchmarks/insights.py [--sizes 10000,100000] [--runs 20]
"""

from __future__ import annotations

import argparse
import json
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from agenda import NOW, Builder, log, setup_django

GOAL_MS = 100.0
GOAL_GROWTH = 1.5


def _timed(action: Any, runs: int, warmup: int = 3) -> tuple[float, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(warmup):
        action()
    samples = []
    with CaptureQueriesContext(connection) as queries:
        action()
    for _ in range(runs):
        started = time.perf_counter()
        action()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples), len(queries)


def run_size(size: int, *, runs: int, profile: bool = False) -> dict[str, Any]:
    data_dir = Path(tempfile.mkdtemp(prefix=f"ringback-insights-{size}-"))
    try:
        setup_django(data_dir)
        from django.test import Client

        from ringback.accounts.models import Account
        from ringback.activities.models import Touch
        from ringback.core import clock
        from ringback.insights.models import InsightCount
        from ringback.insights.selectors import insights_filters, insights_report
        from ringback.insights.services import insights_refresh

        log(f"insights benchmark: building {size:,} contacts in {data_dir}")
        built = Builder(size).build()
        account = Account.objects.get(name="Bench Seller")
        clock.set_now(NOW)
        started = time.perf_counter()
        if profile:
            import cProfile
            import pstats

            profiler = cProfile.Profile()
            refresh = profiler.runcall(insights_refresh, account=account)
            pstats.Stats(profiler, stream=sys.stderr).sort_stats("cumulative").print_stats(30)
        else:
            refresh = insights_refresh(account=account)
        refresh_s = time.perf_counter() - started
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(account.memberships.get().user)

        def page(query: str = "") -> None:
            response = client.get(f"/insights/{query}")
            assert response.status_code == 200, response.status_code

        filters = insights_filters(account=account)

        def report() -> None:
            insights_report(account=account, filters=filters)

        # The test client's request resets Django's query log: the report's queries are counted
        # on the selector itself (the view adds the session's and the user's).
        report_ms, page_queries = _timed(report, runs)
        page_ms, _ = _timed(page, runs)
        filtered_ms, _ = _timed(lambda: page("?playbook=four-calls-two-weeks"), runs)
        year_ms, _ = _timed(lambda: page(f"?since={NOW.date().replace(year=NOW.year - 1)}"), runs)
        return {
            "contacts": built.contacts,
            "touches": Touch.objects.count(),
            "counted_rows": InsightCount.objects.count(),
            "responses": refresh.responses,
            "refresh_s": round(refresh_s, 1),
            "page_ms": round(page_ms, 1),
            "report_ms": round(report_ms, 1),
            "page_queries": page_queries,
            "page_playbook_ms": round(filtered_ms, 1),
            "page_year_ms": round(year_ms, 1),
        }
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--sizes", default="10000,100000", help="contacts per account, comma-separated")
    parser.add_argument("--runs", type=int, default=20, help="timed page loads per measurement")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.add_argument("--profile", action="store_true", help="print a cProfile of the refresh (one size)")
    options = parser.parse_args(argv)
    sizes = [int(s) for s in options.sizes.split(",")]
    if len(sizes) == 1:
        rows = [run_size(sizes[0], runs=options.runs, profile=options.profile)]
    else:
        # Django is set up once per process, on one database: each size runs in its own.
        rows = []
        for size in sizes:
            done = subprocess.run(
                [sys.executable, __file__, "--sizes", str(size), "--runs", str(options.runs), "--json"],
                check=True,
                capture_output=True,
                text=True,
            )
            rows.extend(json.loads(done.stdout)["rows"])
    growth = rows[-1]["page_ms"] / rows[0]["page_ms"] if len(rows) > 1 and rows[0]["page_ms"] else 1.0
    if options.json:
        print(json.dumps({"rows": rows, "growth": round(growth, 2)}, indent=2))
        return 0
    print(
        f"machine: {platform.processor() or platform.machine()}, Python {platform.python_version()}, SQLite"
    )
    print(
        f"{'contacts':>9} {'touches':>8} {'rows':>7} {'refresh':>8} {'page':>8} {'report':>8} {'queries':>7}"
        f" {'playbook':>9} {'a year':>8}"
    )
    for r in rows:
        print(
            f"{r['contacts']:>9,} {r['touches']:>8,} {r['counted_rows']:>7,} {r['refresh_s']:>7.1f}s"
            f" {r['page_ms']:>6.1f}ms {r['report_ms']:>6.1f}ms {r['page_queries']:>7}"
            f" {r['page_playbook_ms']:>7.1f}ms {r['page_year_ms']:>6.1f}ms"
        )
    worst = max(r["page_ms"] for r in rows)
    print(
        f"goal: page ≤ {GOAL_MS:.0f} ms ({'met' if worst <= GOAL_MS else 'NOT met'}: {worst:.1f} ms), growth ≤"
        f" {GOAL_GROWTH}× ({'met' if growth <= GOAL_GROWTH else 'NOT met'}: {growth:.2f}×)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
