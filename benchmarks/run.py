"""Run every Ringback benchmark and print the figures.

    python benchmarks/run.py                      # engine + agenda at 1,000 / 10,000 / 100,000 contacts
    python benchmarks/run.py --quick              # a smoke run (under a minute)
    python benchmarks/run.py --sizes 1000,10000   # chosen account sizes

Prints plain-text tables and writes everything (query plans included) to
``benchmarks/results/latest.json``. Each account size is built in its own SQLite file in a
temporary directory, by a child process (``benchmarks/agenda.py``), so that the sizes do not
share caches or tables.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESULTS = HERE / "results"


def _ensure_project_python() -> None:
    """Re-run with the project's virtualenv when started with a Python that lacks Ringback."""
    try:
        import ringback  # noqa: F401
    except ImportError:
        venv = ROOT / ".venv" / "bin" / "python"
        if venv.exists() and Path(sys.prefix).resolve() != (ROOT / ".venv").resolve():
            os.execv(str(venv), [str(venv), __file__, *sys.argv[1:]])
        raise


def machine() -> dict[str, Any]:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import django

    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = os.cpu_count() or 0
    try:
        load = os.getloadavg()
    except OSError:
        load = (0.0, 0.0, 0.0)
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "cores_usable": usable,
        "python": platform.python_version(),
        "python_implementation": platform.python_implementation(),
        "sqlite": sqlite3.sqlite_version,
        "django": django.get_version(),
        "os": platform.platform(),
        "load_average_at_start": [round(x, 2) for x in load],
    }


def table(headers: list[str], rows: list[list[str]], *, left: int = 1) -> str:
    """A plain-text table; the first ``left`` columns are left-aligned, the others right-aligned."""
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(headers)]

    def line(cells: list[str]) -> str:
        return "  ".join(
            c.ljust(w) if i < left else c.rjust(w) for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        ).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(headers), rule, *(line(r) for r in rows)])


def run_agenda(size: int, *, runs: int, warmup: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="ringback-bench-run-") as tmp:
        out = Path(tmp) / f"agenda-{size}.json"
        command = [
            sys.executable,
            str(HERE / "agenda.py"),
            "--size",
            str(size),
            "--runs",
            str(runs),
            "--warmup",
            str(warmup),
            "--out",
            str(out),
        ]
        subprocess.run(command, check=True, cwd=ROOT)
        return json.loads(out.read_text())


def fmt_int(value: int) -> str:
    return f"{value:,}"


def engine_section(figures: dict[str, Any]) -> str:
    import engine

    return "Engine (pure core, no Django)\n" + engine.format_report(figures)


def agenda_section(results: list[dict[str, Any]]) -> str:
    out: list[str] = []
    rows = []
    for r in results:
        b = r["built"]
        status = b["enrollment_status"]
        rows.append(
            [
                fmt_int(r["size"]),
                fmt_int(b["touches"]),
                fmt_int(b["phones"]),
                f"{fmt_int(b['enrollments'])} ({fmt_int(status.get('active', 0))})",
                fmt_int(b["appointments"]),
                f"{b['database_mb']}",
                f"{b['seconds']}",
            ]
        )
    out.append("Agenda data (one account per SQLite file; built with bulk_create, states from the engine)")
    out.append(
        table(
            ["contacts", "touches", "phones", "enrollments (active)", "appointments", "db MB", "build s"],
            rows,
        )
    )
    out.append("")
    rows = []
    for r in results:
        c = r["agenda_counts"]
        rows.append(
            [
                fmt_int(r["size"]),
                str(r["due_calls"]),
                str(r["held_calls"]),
                str(r["agenda_items"]),
                " ".join(f"{k}:{v}" for k, v in c.items()),
                str(r["overdue_items"]),
                str(r["replanned_first_of_day"]),
            ]
        )
    out.append(f"The benchmarked day ({results[0]['day']}, now = {results[0]['now']})")
    out.append(
        table(
            ["contacts", "due calls", "held", "items", "items by kind", "overdue", "re-planned"],
            rows,
        )
    )
    out.append("")
    rows = []
    base = results[0]["agenda"]["median_ms"]
    for r in results:
        a, first, later = r["agenda"], r["replan_and_agenda_first_of_day"], r["replan_and_agenda_later"]
        rows.append(
            [
                fmt_int(r["size"]),
                f"{a['median_ms']:.1f}",
                f"{a['cpu_median_ms']:.1f}",
                f"{a['min_ms']:.1f}",
                f"{a['p90_ms']:.1f}",
                f"×{a['median_ms'] / base:.2f}",
                str(r["agenda_queries"]),
                f"{r['sql_share_of_agenda'] * 100:.0f}%",
                f"{first['median_ms']:.1f} / {first['cpu_median_ms']:.1f} "
                f"({r['replan_and_agenda_first_of_day_queries']} q)",
                f"{later['median_ms']:.1f} / {later['cpu_median_ms']:.1f} "
                f"({r['replan_and_agenda_later_queries']} q)",
            ]
        )
    runs = results[0]["agenda"]["runs"]
    out.append(
        f"Agenda timings on SQLite, ms: median wall time of {runs} runs after warm-up, median CPU time\n"
        "(less sensitive to other load on the machine), min and 90th percentile of the wall time;\n"
        "re-plan + agenda is what `ringback agenda` does (the 1st run of a day re-plans the long-overdue)"
    )
    out.append(
        table(
            [
                "contacts",
                "agenda",
                "CPU",
                "min",
                "p90",
                "growth",
                "queries",
                "SQL share",
                "replan+agenda 1st of day (CPU)",
                "replan+agenda later (CPU)",
            ],
            rows,
        )
    )
    out.append("")
    out.append(query_growth(results))
    return "\n".join(out)


def query_growth(results: list[dict[str, Any]]) -> str:
    """Each SQL statement's own time at every size: what grows with the account is a scan."""
    lines = []
    for key, title in (
        ("agenda_query_plans", "agenda_for_day"),
        ("replan_query_plans", "enrollments_replan_overdue"),
    ):
        labels: list[str] = []
        for r in results:
            for q in r[key]:
                if q["query"] not in labels:
                    labels.append(q["query"])
        rows = []
        flagged = []
        for label in labels:
            cells = []
            times = []
            for r in results:
                found = [q for q in r[key] if q["query"] == label]
                total = sum(q["ms"] for q in found)
                times.append(total)
                cells.append(f"{total:.2f}" if found else "-")
            grows = len(times) > 1 and times[0] > 0 and times[-1] / times[0] > 3 and times[-1] > 0.5
            short = label if len(label) <= 92 else label[:91] + "…"
            rows.append([("! " if grows else "  ") + short, *cells])
            if grows:
                plans = {p for r in results[-1:] for q in r[key] if q["query"] == label for p in q["plan"]}
                flagged.append((label, sorted(plans)))
        lines.append(f"SQL statements of {title}: own time in ms by contacts (! = grows with the account)")
        lines.append(table(["statement", *(fmt_int(r["size"]) for r in results)], rows))
        for label, plans in flagged:
            lines.append(f"  ! {label}")
            for plan in plans:
                lines.append(f"      plan: {plan}")
        lines.append("")
    return "\n".join(lines).rstrip()


def goals(engine_figures: dict[str, Any] | None, results: list[dict[str, Any]]) -> str:
    lines = ["Goals"]
    if engine_figures:
        rate = engine_figures["transitions_per_s"]
        verdict = "met" if rate >= engine_figures["goal_per_s"] else "MISSED"
        lines.append(f"  engine ≥ 100,000 transitions/s: {rate:,}/s — {verdict}")
    if results:
        at10k = next((r for r in results if r["size"] == 10_000), None)
        if at10k:
            ms, cpu = at10k["agenda"]["median_ms"], at10k["agenda"]["cpu_median_ms"]
            verdict = "met" if ms <= at10k["goal_ms"] else "MISSED"
            lines.append(
                f"  agenda ≤ 30 ms median at 10,000 contacts: {ms:.1f} ms (CPU {cpu:.1f} ms) — {verdict}"
            )
            later = at10k["replan_and_agenda_later"]["median_ms"]
            first = at10k["replan_and_agenda_first_of_day"]["median_ms"]
            lines.append(
                f"    (what `ringback agenda` does, re-plan + agenda: {first:.1f} ms the first time "
                f"in the day, {later:.1f} ms later)"
            )
        if len(results) > 1:
            small, big = results[0], results[-1]
            ratio = big["agenda"]["median_ms"] / small["agenda"]["median_ms"]
            ratio_cpu = big["agenda"]["cpu_median_ms"] / small["agenda"]["cpu_median_ms"]
            ratio_cmd = (
                big["replan_and_agenda_later"]["median_ms"] / small["replan_and_agenda_later"]["median_ms"]
            )
            verdict = "met" if ratio <= 1.5 else "MISSED"
            lines.append(
                f"  nearly flat from {small['size']:,} to {big['size']:,} contacts (≤ ×1.5): "
                f"agenda ×{ratio:.2f} (CPU ×{ratio_cpu:.2f}) — {verdict}; re-plan + agenda ×{ratio_cmd:.2f}"
            )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    _ensure_project_python()
    sys.path.insert(0, str(HERE))
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="small sizes and few runs: a smoke run")
    parser.add_argument("--sizes", help="account sizes in contacts, e.g. 1000,10000,100000")
    parser.add_argument("--runs", type=int, help="timed runs per agenda measurement (default 30; 10 quick)")
    parser.add_argument("--no-engine", action="store_true", help="skip the engine benchmark")
    parser.add_argument("--no-agenda", action="store_true", help="skip the agenda benchmark")
    parser.add_argument("--out", type=Path, default=RESULTS / "latest.json", help="where to write the JSON")
    options = parser.parse_args(argv)
    sizes = (
        [int(s.replace("_", "")) for s in options.sizes.split(",") if s.strip()]
        if options.sizes
        else ([1_000, 5_000] if options.quick else [1_000, 10_000, 100_000])
    )
    runs = options.runs or (10 if options.quick else 30)
    warmup = 2 if options.quick else 3

    started = time.perf_counter()
    info = machine()
    header = (
        f"Machine: {info['cpu']}, {info['cores']} cores ({info['cores_usable']} usable), "
        f"Python {info['python']}, SQLite {info['sqlite']}, Django {info['django']}, {info['os']}\n"
        f"Load average at start: {' '.join(str(x) for x in info['load_average_at_start'])}"
    )
    print(header, flush=True)

    engine_figures = None
    if not options.no_engine:
        import engine

        print("\nrunning the engine benchmark…", file=sys.stderr, flush=True)
        engine_figures = engine.run(quick=options.quick)
    results: list[dict[str, Any]] = []
    if not options.no_agenda:
        for size in sorted(sizes):
            results.append(run_agenda(size, runs=runs, warmup=warmup))

    report = [header]
    if engine_figures:
        report += ["", engine_section(engine_figures)]
    if results:
        report += ["", agenda_section(results)]
    report += ["", goals(engine_figures, results)]
    elapsed = time.perf_counter() - started
    report += ["", f"(total {elapsed:.0f} s)"]
    print("\n" + "\n".join(report[1:]))

    options.out.parent.mkdir(parents=True, exist_ok=True)
    options.out.write_text(
        json.dumps(
            {
                "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
                "quick": options.quick,
                "machine": info,
                "engine": engine_figures,
                "agenda": results,
                "seconds": round(elapsed, 1),
                "report": "\n".join(report),
            },
            indent=2,
            default=str,
        )
    )
    print(f"\nwrote {options.out.relative_to(ROOT) if options.out.is_relative_to(ROOT) else options.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
