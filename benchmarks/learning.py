"""Does Ringback learn what works? The simulator's acceptance experiment.

    .venv/bin/python benchmarks/learning.py [--seeds 10] [--touches 5000] [--try] [--json]

A world with a known best message and known best hours: three voicemail scripts whose true
call-back rates are 2 %, 4 % and 7 % (``messages`` quality 0.5 / 1 / 1.75 of a 4 % base), and
pick-up rates by weekday and part of the day that differ clearly (evenings, and Wednesday and
Thursday, best: ``answer.best_hours``). 3,000 strangers run ``ab-voicemail`` (four calls in two
weeks, each leaving one of the three scripts); the seller makes up to 150 calls a day. Three
runs over the same people and the same luck (common random numbers):

* **learning**: Thompson sampling on the step's scripts and call windows leaning to the best
  hours, both learnt from results as they come (the product's settings: closed 7-day attribution
  windows only, a 90-day half-life, a 5 % floor per script, a script's results pooled over the
  steps that use it, and only call backs counted as its successes: a later call that connects is
  credited to it in the report, but says more about the hour than about the words);
* **baseline**: ``split: even`` and no call times (rotation only);
* **oracle**: always the best script, and call times from the true pick-up rates.

Responses (calls picked up and call-backs) caused by the first ``--touches`` touches are counted,
for each of ``--seeds`` seeds. Goal: median learning/oracle >= 0.90, and learning clearly above
baseline. Writes the regret curve (oracle minus learning, oracle minus baseline, cumulative
responses against touches, median over seeds) to ``artifacts/regret.svg`` and ``docs/regret.svg``.

``--try [KEYS]`` also runs the learning with changed settings (all of them, or the keys given),
to see which would close the gap.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from simulate import _ensure_project_python, machine, table  # noqa: E402 - a sibling script

WORLD = """\
answer:
  by_part: {morning: 0.10, afternoon: 0.10, evening: 0.10}
  by_weekday: {monday: 1, tuesday: 1, wednesday: 1, thursday: 1, friday: 1, saturday: 1, sunday: 1}
  # The known best hours: evenings, and Wednesday and Thursday, clearly better.
  best_hours:
    monday: {morning: 0.6, evening: 1.6}
    tuesday: {morning: 0.6, evening: 1.6}
    wednesday: {morning: 0.8, afternoon: 1.3, evening: 2.4}
    thursday: {morning: 0.8, afternoon: 1.3, evening: 2.4}
    friday: {morning: 0.6, evening: 1.6}
    saturday: {morning: 0.6, evening: 1.6}
  by_attempt: [1.0]
  spread: 0.5
voicemail: {box: 1.0, callback: 0.04}
# The known best message: true call-back rates 2 %, 4 % and 7 %.
messages: {vm-a: 0.5, vm-b: 1.0, vm-c: 1.75}
population:
  prospects: 3000
  warmth: {stranger: 1.0}
  second_zone: 0.0
  wrong_number: 0.0
seller:
  minutes_per_day: 800
  calls_per_day: 150
"""
PLAYBOOK = "ab-voicemail"
SCRIPTS = ("vm-a", "vm-b", "vm-c")
DAYS = 150
GOAL = 0.90


def policies() -> dict[str, Any]:
    from ringback.core.simulation import Learning, Policy, Times, Variants

    return {
        "learning": Policy("learning", "learnt", playbook=PLAYBOOK, learning=Learning()),
        "baseline": Policy(
            "baseline", "even split, no call times", playbook=PLAYBOOK,
            learning=Learning(variants=Variants.EVEN, times=Times.NONE),
        ),
        "oracle": Policy(
            "oracle", "best script, true call times", playbook=PLAYBOOK,
            learning=Learning(variants=Variants.ORACLE, times=Times.ORACLE),
        ),
    }  # fmt: skip


def tries(wanted: str) -> dict[str, Any]:
    """The learning with settings changed, one at a time and together (``wanted``: "all", or
    the labels' keys, comma-separated)."""
    from ringback.core.simulation import Learning, Policy, Times, Variants

    changed = {
        "no-connects": ("connects not credited to the last voicemail", Learning(credit_connects=False)),
        "pooled": ("results pooled over the steps", Learning(pool_steps=True)),
        "floor": ("floor 5 %", Learning(floor=0.05)),
        "prior": ("prior worth 2 results", Learning(prior_strength=2.0)),
        "half-life": ("half-life 30 days", Learning(half_life_days=30.0)),
        "window": ("attribution window 4 days", Learning(window_days=4)),
        "no-times": ("no call times learnt", Learning(times=Times.NONE)),
        "true-times": ("true call times, messages learnt", Learning(times=Times.ORACLE)),
        "true-message": ("best message known, call times learnt", Learning(variants=Variants.ORACLE)),
        "times-prior-50": ("call-time prior at most 50 calls", Learning(times_prior_strength=50.0)),
        "times-prior-20": ("call-time prior at most 20 calls", Learning(times_prior_strength=20.0)),
        "both": ("not credited + pooled", Learning(credit_connects=False, pool_steps=True)),
        "three": (
            "not credited + pooled + floor 5 %",
            Learning(credit_connects=False, pool_steps=True, floor=0.05),
        ),
        "four": (
            "not credited + pooled + floor 5 % + call-time prior 50",
            Learning(credit_connects=False, pool_steps=True, floor=0.05, times_prior_strength=50.0),
        ),
    }
    keys = list(changed) if wanted == "all" else [k.strip() for k in wanted.split(",") if k.strip()]
    unknown = [k for k in keys if k not in changed]
    if unknown:
        raise SystemExit(f"unknown --try {', '.join(unknown)}; known: {', '.join(changed)}")
    return {
        changed[k][0]: Policy(changed[k][0], changed[k][0], playbook=PLAYBOOK, learning=changed[k][1])
        for k in keys
    }


def responses_by_touch(run: Any, touches: int) -> list[int]:
    """Cumulative responses caused by the first n touches, for n = 1..touches."""
    caused = [0] * touches
    for response in run.responses:
        if response.touch < touches:
            caused[response.touch] += 1
    out, total = [], 0
    for count in caused:
        total += count
        out.append(total)
    return out


def regret_svg(curves: dict[str, list[list[int]]], touches: int) -> str:
    from ringback.core.charts import Series, line_chart

    step = max(touches // 200, 1)
    points = list(range(step - 1, touches, step))
    series = []
    for name in ("learning", "baseline"):
        median = [
            (
                float(i + 1),
                float(
                    statistics.median(
                        o[i] - c[i] for o, c in zip(curves["oracle"], curves[name], strict=True)
                    )
                ),
            )
            for i in points
        ]
        series.append(Series(f"oracle − {name}", median, dashed=name == "baseline"))
    return line_chart(
        series,
        title="Regret: responses the oracle got and the policy missed",
        x_label="touches",
        y_label="responses behind the oracle (median of seeds)",
    )


def main(argv: Sequence[str] | None = None) -> int:
    _ensure_project_python()
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--touches", type=int, default=5000)
    parser.add_argument(
        "--try",
        dest="tries",
        nargs="?",
        const="all",
        help="also run the learning with changed settings (all, or keys: no-connects,pooled,...)",
    )
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--no-svg", action="store_true", help="write no regret chart")
    options = parser.parse_args(argv)

    from ringback.core.playbook import Outcome
    from ringback.core.simulation import playbook_library, population, run_policy, world_load

    world = world_load(WORLD, source="learning world")
    library = playbook_library()
    runs = {**policies(), **(tries(options.tries) if options.tries else {})}
    found: dict[str, list[int]] = {name: [] for name in runs}
    shares: dict[str, list[float]] = {name: [] for name in runs}
    curves: dict[str, list[list[int]]] = {name: [] for name in runs}
    started = time.perf_counter()
    for seed in range(1, options.seeds + 1):
        people = population(world, seed=seed)
        for name, policy in runs.items():
            run = run_policy(
                world=world, policy=policy, people=people, library=library, seed=seed, days=DAYS,
                stop_after_touches=options.touches,
            )  # fmt: skip
            if len(run.touches) < options.touches:
                raise SystemExit(f"{name}, seed {seed}: only {len(run.touches)} touches in {DAYS} days")
            curve = responses_by_touch(run, options.touches)
            curves[name].append(curve)
            found[name].append(curve[-1])
            left = [t.variant for t in run.touches[: options.touches] if t.outcome is Outcome.VOICEMAIL]
            shares[name].append(left.count(SCRIPTS[-1]) / max(len(left), 1))
    seconds = time.perf_counter() - started

    ratio = {name: [a / c for a, c in zip(found[name], found["oracle"], strict=True)] for name in runs}
    figures = {
        "machine": machine(),
        "touches": options.touches,
        "seeds": options.seeds,
        "seconds": round(seconds, 1),
        "responses": found,
        "median_ratio_to_oracle": {name: round(statistics.median(ratio[name]), 3) for name in runs},
        "best_script_share": {name: round(statistics.median(shares[name]), 3) for name in runs},
    }
    if not options.no_svg:
        svg = regret_svg(curves, options.touches)
        for folder in (ROOT / "artifacts", ROOT / "docs"):
            folder.mkdir(exist_ok=True)
            (folder / "regret.svg").write_text(svg, encoding="utf-8")
    if options.json:
        print(json.dumps(figures, indent=2))
        return 0
    m = figures["machine"]
    print(
        f"Machine: {m['cpu']} ({m['cores']} cores), Python {m['python']}, load {m['load_average_at_start']}"
    )
    print(
        f"{options.seeds} seeds, responses caused by the first {options.touches:,} touches "
        f"(calls picked up + call-backs); {seconds:.0f} s\n"
    )
    rows = [
        [
            str(seed + 1),
            *(str(found[name][seed]) for name in ("learning", "baseline", "oracle")),
            f"{ratio['learning'][seed]:.3f}",
            f"{ratio['baseline'][seed]:.3f}",
        ]
        for seed in range(options.seeds)
    ]
    print(table(["seed", "learning (a)", "baseline (b)", "oracle (c)", "(a)/(c)", "(b)/(c)"], rows))
    a, b = figures["median_ratio_to_oracle"]["learning"], figures["median_ratio_to_oracle"]["baseline"]
    print(f"\nmedian (a)/(c) = {a:.3f}   goal >= {GOAL:.2f}: {'met' if a >= GOAL else 'MISSED'}")
    print(f"median (b)/(c) = {b:.3f}   learning above baseline by {100 * (a - b):.1f} points of the oracle")
    print(
        "share of voicemails with the best script (median): "
        + ", ".join(
            f"{name} {figures['best_script_share'][name]:.2f}" for name in ("learning", "baseline", "oracle")
        )
    )
    if options.tries:
        print(
            "\nThe learning with one setting changed (median of the ratio to the oracle, best-script share):"
        )
        rows = [
            [
                name,
                f"{figures['median_ratio_to_oracle'][name]:.3f}",
                f"{figures['best_script_share'][name]:.2f}",
            ]
            for name in runs
            if name not in ("baseline", "oracle")
        ]
        print(table(["setting", "(a)/(c)", "best script"], rows))
    if not options.no_svg:
        print("\nRegret curve: artifacts/regret.svg (and docs/regret.svg)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
