"""How fast is the what-if simulator? 10,000 prospects for 90 days, the product's day plan.

    .venv/bin/python benchmarks/simulate.py [--prospects 10000] [--days 90] [--runs 3]
                                            [--policies day-plan,...] [--profile] [--json]

Times ``ringback.core.simulation.simulate`` end to end (the population drawn, every day planned
by ``core.agenda.plan_day``, every touch recorded by ``core.engine``, the report built) for each
policy alone, the median of ``--runs`` runs after a warm-up run (zone and holiday caches), and
prints the machine, the times and what the run did. Goal: at most 10 s for one policy.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
GOAL_SECONDS = 10.0


def _ensure_project_python() -> None:
    """Re-run with the project's virtualenv when started with a Python that lacks Ringback."""
    try:
        import ringback  # noqa: F401
    except ImportError:
        venv = ROOT / ".venv" / "bin" / "python"
        if venv.exists() and Path(sys.prefix).resolve() != (ROOT / ".venv").resolve():
            os.execv(str(venv), [str(venv), *sys.argv])  # the script that was started
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
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "os": platform.platform(),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
    }


def table(headers: list[str], rows: list[list[str]]) -> str:
    """A plain-text table: the first column left-aligned, the others right-aligned."""
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]

    def line(cells: list[str]) -> str:
        return "  ".join(
            c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        )

    return "\n".join([line(headers), line(["-" * w for w in widths]), *(line(r) for r in rows)])


def measure(policy: str, *, prospects: int, days: int, runs: int, seed: int) -> dict[str, Any]:
    from ringback.core.simulation import simulate, world_load

    world = world_load(f"population:\n  prospects: {prospects}\n", source="benchmark")
    simulate(world=world, policies=[policy], days=days, seed=seed)  # warm-up: zone and holiday caches
    wall: list[float] = []
    cpu: list[float] = []
    report = None
    for _ in range(runs):
        started_cpu, started = time.process_time(), time.perf_counter()
        report = simulate(world=world, policies=[policy], days=days, seed=seed)
        wall.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    assert report is not None
    figures = report.policies[0].metrics
    return {
        "policy": policy,
        "median_s": round(statistics.median(wall), 2),
        "min_s": round(min(wall), 2),
        "cpu_median_s": round(statistics.median(cpu), 2),
        "runs": runs,
        "touches": figures.touches,
        "conversations": figures.conversations,
        "people_touched": figures.people_touched,
        "held_per_day": figures.held_per_day,
    }


def main(argv: Sequence[str] | None = None) -> int:
    _ensure_project_python()
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--prospects", type=int, default=10_000)
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--policies", default="day-plan", help="comma-separated, each timed alone")
    parser.add_argument("--profile", action="store_true", help="print a cProfile of one run")
    parser.add_argument("--json", action="store_true")
    options = parser.parse_args(argv)
    names = [n.strip() for n in options.policies.split(",") if n.strip()]
    if options.profile:
        import cProfile
        import pstats

        from ringback.core.simulation import simulate, world_load

        world = world_load(f"population:\n  prospects: {options.prospects}\n", source="benchmark")
        profiler = cProfile.Profile()
        profiler.enable()
        simulate(world=world, policies=names, days=options.days, seed=options.seed)
        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats("ringback", 30)
    found = [
        measure(name, prospects=options.prospects, days=options.days, runs=options.runs, seed=options.seed)
        for name in names
    ]
    figures = {"machine": machine(), "prospects": options.prospects, "days": options.days, "results": found}
    if options.json:
        print(json.dumps(figures, indent=2))
        return 0
    m = figures["machine"]
    print(
        f"Machine: {m['cpu']} ({m['cores']} cores), Python {m['python']}, load {m['load_average_at_start']}"
    )
    print(
        f"{options.prospects:,} prospects x {options.days} days, seed {options.seed}, median of {options.runs} runs\n"
    )
    rows = [
        [
            r["policy"],
            f"{r['median_s']:.2f} s",
            f"{r['min_s']:.2f} s",
            f"{r['cpu_median_s']:.2f} s",
            f"{r['touches']:,}",
            f"{r['conversations']:,}",
            f"{r['people_touched']:,}",
            f"{r['held_per_day']:.1f}",
        ]
        for r in found
    ]
    print(table(["policy", "median", "best", "CPU", "touches", "conversations", "people", "held/day"], rows))
    worst = max(r["median_s"] for r in found)
    print(f"\ngoal <= {GOAL_SECONDS:.0f} s for one policy: {'met' if worst <= GOAL_SECONDS else 'MISSED'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
