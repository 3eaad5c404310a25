"""Import worst cases within the upload limit: huge cells, many numbers, many rows (issue 9).

    .venv/bin/python benchmarks/import_worst.py [--mb 100] [--cases a,b] [--timeout 900]

Each case is a file an ordinary account could send (at most the import page's 100 MB), written to a
temporary folder, then, each in a fresh process on a fresh SQLite file:

* ``read``: the file read and its rows prepared (``incoming_batches``, in-process) — the reader's
  share, no database;
* ``cli``: ``contacts_import`` as ``ringback import`` runs it (a second process reads);
* ``preview``: the import page's POST through Django's test client — the upload stored, the dry
  run, the sample of the first people, the page rendered — one server thread's time;
* ``confirm``: the preview's "Import" button, the import for real.

The cases:

* ``cell-numbers``: one person whose number cell holds 20,000 different numbers (400 KB, Google's
  " ::: " between them; ``--cell`` changes the count) — the finding's case;
* ``cell-numbers-emails``: the same with 20,000 emails in the email cell too (850 KB);
* ``vcard-tel``: one vCard with 20,000 TEL lines (560 KB);
* ``huge-cells``: rows whose number and email cells are each just under the 1 MB cell limit
  (about 50,000 numbers and 45,000 emails a row), as many rows as fit in ``--mb``;
* ``one-person``: ``--mb`` of rows that are all the same person (the same email) bringing 20 new
  numbers each, written so that they do not parse (kept as written): every row is a merge;
* ``ordinary``: ``--mb`` of ordinary rows (one person a row, a number and an email), the yardstick.

A step that takes longer than ``--timeout`` seconds is stopped and reported as such (the code before
issue 9 needs hours for some). Figures are wall time and CPU time (the step's process and its reader
process) of one run: on a shared machine wall time varies with the other jobs, CPU time much less.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import agenda as bench  # noqa: E402

RESULTS = HERE / "results"
CELL = 20_000
HEADER = "First Name,Last Name,Phone 1 - Label,Phone 1 - Value,E-mail 1 - Label,E-mail 1 - Value\n"
STEPS = ("read", "cli", "preview", "confirm")


def _number(i: int) -> str:
    return f"+1 212 {200 + i // 10_000 % 800:03} {i % 10_000:04}"


def _row(first: str, last: str, numbers: list[str], emails: list[str]) -> str:
    return f'{first},{last},Mobile,"{" ::: ".join(numbers)}",Home,"{" ::: ".join(emails)}"\n'


def _up_to(size: int, value: Callable[[int], str]) -> list[str]:
    """``value(0)``, ``value(1)``… as many as fit in a cell of ``size`` characters (just under
    the reader's 1 MB cell limit)."""
    values: list[str] = []
    total = 0
    while total + len(value(len(values))) + 5 <= size:
        total += len(value(len(values))) + 5
        values.append(value(len(values)))
    return values


def _fill(path: Path, limit: int, row: Callable[[int], str]) -> None:
    """The header and rows ``row(0)``, ``row(1)``… while the file stays under ``limit`` bytes."""
    with path.open("w", encoding="utf-8") as out:
        out.write(HEADER)
        size, at = len(HEADER), 0
        while True:
            text = row(at)
            if size + len(text.encode()) > limit:
                return
            out.write(text)
            size, at = size + len(text.encode()), at + 1


def write_case(case: str, folder: Path, limit: int, cell: int = CELL) -> Path:
    """Write the case's file (at most ``limit`` bytes for the sized cases; ``cell`` values in the
    one-person cells)."""
    if case == "vcard-tel":
        path = folder / "many.vcf"
        tels = "".join(f"TEL;TYPE=cell:{_number(i)}\n" for i in range(cell))
        path.write_text(f"BEGIN:VCARD\nVERSION:3.0\nFN:Ann Many\n{tels}END:VCARD\n", encoding="utf-8")
        return path
    path = folder / f"{case}.csv"
    if case in ("cell-numbers", "cell-numbers-emails"):
        emails = [f"p{i}@example.org" for i in range(cell)] if case == "cell-numbers-emails" else []
        path.write_text(
            HEADER + _row("Ann", "Many", [_number(i) for i in range(cell)], emails), encoding="utf-8"
        )
    elif case == "huge-cells":
        _fill(
            path,
            limit,
            lambda at: _row(
                f"Person{at}",
                "Huge",
                _up_to(1_000_000, lambda i: _number(at * 60_000 + i)),
                _up_to(1_000_000, lambda i: f"{i}@x{at}.example"),
            ),
        )
    elif case == "one-person":
        _fill(
            path,
            limit,
            lambda at: _row(
                "Cy", "Often", [f"ask at the bakery {at}-{i}" for i in range(20)], ["cy@example.org"]
            ),
        )
    elif case == "ordinary":
        _fill(path, limit, lambda at: _row(f"Person{at}", "Plain", [_number(at)], [f"p{at}@example.org"]))
    else:
        raise SystemExit(f"unknown case {case!r}")
    return path


# --- the steps, each in its own process -----------------------------------------------------------


class Clock:
    """Wall time and CPU time (this process's and its finished children's, i.e. the reader
    process) from when it is made; CPU time suffers less from other jobs on a shared machine."""

    def __init__(self) -> None:
        self.wall, self.cpu = time.perf_counter(), self._cpu()

    @staticmethod
    def _cpu() -> float:
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        return time.process_time() + children.ru_utime + children.ru_stime

    def read(self) -> dict[str, float]:
        return {"seconds": time.perf_counter() - self.wall, "cpu_seconds": self._cpu() - self.cpu}


def child_read(path: Path) -> dict[str, Any]:
    from ringback.core.interchange.incoming import Seller, incoming_batches

    clock = Clock()
    _, batches = incoming_batches(path, seller=Seller(region="US", time_zone="America/New_York"))
    rows = sum(len(batch.rows) for batch in batches)
    return {**clock.read(), "rows": rows}


def _account() -> Any:
    from ringback.accounts.services import account_create

    return account_create(username="bench-worst", password=None, time_zone="America/New_York")


def _facts(run: Any) -> dict[str, Any]:
    facts = {"rows": run.rows, "created": run.created, "merged": run.merged, "skipped": run.skipped}
    facts["capped"] = getattr(run, "capped", None)  # None: the code before issue 9 has no caps
    return facts


def child_cli(path: Path) -> dict[str, Any]:
    from ringback.contacts.importing import contacts_import

    account = _account()
    clock = Clock()
    run = contacts_import(account=account, path=path, workers=1)
    return {**clock.read(), **_facts(run)}


def child_web(path: Path, confirm: bool) -> dict[str, Any]:
    import re

    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client

    from ringback.contacts.models import ImportRun

    account = _account()
    client = Client()
    client.force_login(account.memberships.get().user)
    upload = SimpleUploadedFile(path.name, path.read_bytes(), content_type="text/csv")
    clock = Clock()
    response = client.post("/contacts/import/", {"file": upload, "file_format": ""})
    times = clock.read()
    html = response.content.decode()
    result: dict[str, Any] = {"status": response.status_code, "page_kb": len(html) / 1024}
    if not confirm:
        result.update(times)
        result.update(_facts(ImportRun.objects.latest("id")))
        return result
    found = re.search(r'<form method="post" action="(/contacts/import/[^/"]+/)">(.*?)</form>', html, re.S)
    assert found, html[:2000]
    fields = dict(re.findall(r'<input type="hidden" name="(?!csrf)([^"]+)" value="([^"]*)">', found.group(2)))
    clock = Clock()
    response = client.post(found.group(1), fields)
    result.update(clock.read())
    result["status"] = response.status_code
    result.update(_facts(ImportRun.objects.latest("id")))
    return result


def child(step: str, path: Path, out: Path) -> int:
    data_dir = Path(tempfile.mkdtemp(prefix=f"ringback-worst-{step}-"))
    os.environ["RINGBACK_ALLOWED_HOSTS"] = "testserver"
    try:
        bench.setup_django(data_dir)
        from ringback.core import clock

        with clock.frozen(bench.NOW):
            if step == "read":
                result = child_read(path)
            elif step == "cli":
                result = child_cli(path)
            else:
                result = child_web(path, confirm=step == "confirm")
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)
    result["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    result["reader_peak_mb"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    out.write_text(json.dumps(result))
    return 0


def run_child(step: str, path: Path, timeout: float) -> dict[str, Any]:
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as handle:
        out = Path(handle.name)
    try:
        subprocess.run(
            [sys.executable, __file__, "--child", step, str(path), str(out)], check=True, timeout=timeout
        )
    except subprocess.TimeoutExpired:
        return {"timeout": timeout}
    result: dict[str, Any] = json.loads(out.read_text())
    out.unlink()
    return result


CASES = ("cell-numbers", "cell-numbers-emails", "vcard-tel", "huge-cells", "one-person", "ordinary")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--mb", type=float, default=100, help="size of the sized cases, in MiB (at most 100)")
    parser.add_argument("--cases", default=",".join(CASES))
    parser.add_argument("--steps", default=",".join(STEPS))
    parser.add_argument("--cell", type=int, default=CELL, help="values in the cells of the one-person cases")
    parser.add_argument("--timeout", type=float, default=900, help="seconds before a step is stopped")
    parser.add_argument("--child", nargs=3, metavar=("STEP", "FILE", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        step, file, out = args.child
        return child(step, Path(file), Path(out))
    limit = int(min(args.mb, 100) * 1024 * 1024) - 4096  # under the import page's limit
    work = Path(tempfile.mkdtemp(prefix="ringback-worst-files-"))
    results: dict[str, Any] = {}
    print(
        f"Machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}"
    )
    print(
        f"{'case':22}{'size':>10}"
        + "".join(f"{step:>16}" for step in args.steps.split(","))
        + "   (seconds: wall (CPU))"
    )
    for case in args.cases.split(","):
        bench.log(f"worst-case import: writing {case}")
        path = write_case(case, work, limit, args.cell)
        size = path.stat().st_size
        cells = []
        results[case] = {"bytes": size}
        for step in args.steps.split(","):
            bench.log(f"  {case} ({size / 1e6:.1f} MB): {step}")
            result = run_child(step, path, args.timeout)
            results[case][step] = result
            cells.append(
                f"> {result['timeout']:.0f}"
                if "timeout" in result
                else f"{result['seconds']:.2f} ({result['cpu_seconds']:.2f})"
            )
        path.unlink()
        print(f"{case:22}{size / 1e6:>8.1f}MB" + "".join(f"{cell:>16}" for cell in cells), flush=True)
        for step in args.steps.split(","):
            detail = {k: v for k, v in results[case][step].items() if k not in ("seconds",)}
            print(f"    {step}: {detail}")
    shutil.rmtree(work, ignore_errors=True)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "import_worst.json").write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
