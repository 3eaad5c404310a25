"""How long the script sandbox takes: ordinary scripts, and the payloads that used to freeze the server.

    .venv/bin/python benchmarks/sandbox.py [--runs 200]

Prints, for each script, the median time to fill it in (compiled once, as the server does) and
what it gave: the text's length, or the reason it was stopped. The payloads' figures are the
time it takes the sandbox to refuse them; before the limits (issue 9) ``{{ 9**12000000 }}`` held
the interpreter for about 23 s and nested loops for longer.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import time

from ringback.core.errors import TemplateError
from ringback.core.lint import SAMPLE_VARIABLES
from ringback.core.playbook import builtin_playbooks
from ringback.core.scripts import render_script

PAYLOADS = {
    "power": "{{ 9**12000000 }}",
    "repeat text": "{{ 'a' * 100000000 }}",
    "nested range loops": "{% for i in range(900) %}{% for j in range(900) %}{% endfor %}{% endfor %}",
    "nested loops over text": (
        "{% set s = contact.name * 1000 %}{% for a in s %}{% for b in s %}{% endfor %}{% endfor %}"
    ),
    "long output": "{% for i in range(1000) %}{{ 'x' * 100 }}{% endfor %}",
    "padding filter": "{{ 'a' | center(100000000) }}",
    "% formatting": "{{ '%100000000d' % 1 }}",
    "poison the sample": "{{ seller.update({'phone': '1-900-555-0199'}) }}",
    "escape via __class__": "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "division by zero": "{% if contact.company %}{{ 1 / 0 }}{% endif %}",
}


def median_ms(text: str, runs: int) -> tuple[float, str]:
    """Median milliseconds to fill ``text`` in, and what came of it."""
    times = []
    outcome = ""
    for _ in range(runs):
        start = time.perf_counter()
        try:
            outcome = f"{len(render_script(text, SAMPLE_VARIABLES))} characters"
        except TemplateError as exc:
            outcome = f"stopped: {exc}"
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), outcome


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200)
    args = parser.parse_args()
    print(
        f"machine: {platform.machine()}, {platform.processor() or 'cpu'}, Python {platform.python_version()}"
    )
    print(f"{'script':<44} {'median ms':>10}  outcome")
    for name, spec in sorted(builtin_playbooks().items()):
        for template, text in spec.templates.items():
            ms, outcome = median_ms(text, args.runs)
            print(f"{name + ' / ' + template:<44} {ms:>10.3f}  {outcome}")
    for name, text in PAYLOADS.items():
        ms, outcome = median_ms(text, max(args.runs // 10, 5))
        print(f"{'payload: ' + name:<44} {ms:>10.3f}  {outcome[:90]}")


if __name__ == "__main__":
    main()
