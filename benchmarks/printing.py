"""How long printing takes: 1,000 cards and 1,000 address labels to PDF, and the memory it needs (issue 12).

    .venv/bin/python benchmarks/printing.py [--count 1000] [--runs 5]

The renderer alone (``ringback.printing``: plain Python and fpdf2, no Django, no database), fed
what the ``post`` app gives it: cards with a personal note of 40-110 words (names and words with
accents), the seller's return address, the recipient's address, an offer line on half of them;
labels with three to five address lines. For each card format and each label sheet: the median
of ``--runs`` runs of

* **layout**: every card or label laid out (sizes chosen, lines wrapped), which is also what the
  Print page and ``ringback mail print`` do first to list the cards that can't be printed whole;
* **pdf**: the whole PDF made (layout, drawing, fonts subset and embedded, compression),

as wall time and the process's CPU time (which suffers less from other load on the machine), and
the PDF's size. Then one more run of each under ``tracemalloc``: the peak of memory Python
allocated while making it; and the process's peak resident size at the end (``ru_maxrss``).
"""

from __future__ import annotations

import argparse
import platform
import random
import resource
import statistics
import time
import tracemalloc
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ringback.printing.pieces import Card, Label

CREATED = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)
FIRST = ("Zoë", "José", "Ana", "Björn", "Chloé", "Mary", "Łukasz", "Renée", "Søren", "Dana", "Iñigo")
LAST = ("García-Márquez", "O'Neil", "Smith", "Müller", "Lefèvre", "Kowalski", "Brown", "Weiß")
TEXT = (
    "thank you for your order and for your trust it means a lot to me this season gets busy so "
    "here is a little tip that saves time people tell me it is their favourite if it is useful "
    "there are more like it café déjà vu crème brûlée naïve façade straße smörgåsbord"
)
WORDS = TEXT.split()
STREETS = ("Main Street", "Oak Lane", "Hauptstraße", "Calle Mayor", "Rue de la Paix", "Nørregade")
TOWNS = ("Springfield, IL 62701", "Albany, NY 12207", "Santa Fe, NM 87501", "Dover, DE 19901")


def people(count: int, seed: int = 12) -> tuple[list[Card], list[Label]]:
    """``count`` cards and as many labels, the same every run."""
    from ringback.printing.pieces import Card, Label, Offer

    rng = random.Random(seed)
    cards, labels = [], []
    for n in range(count):
        name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        address = [name, f"{rng.randrange(1, 9999)} {rng.choice(STREETS)}"]
        if rng.random() < 0.3:
            address.append(f"Apartment {rng.randrange(1, 40)}{rng.choice('ABCD')}")
        address.append(rng.choice(TOWNS))
        body = " ".join(rng.choice(WORDS) for _ in range(rng.randrange(40, 110)))
        note = f"Dear {name.split()[0]},\n\n{body.capitalize()}.\n\nWarmly, Sally"
        offer = Offer(name="Spring gift set", details="20% off", until=date(2026, 12, 8)) if n % 2 else None
        cards.append(
            Card(
                contact=name,
                note=note,
                recipient=tuple(address),
                sender=("Sally Baker", "Sweet Home", "4 Oak Lane", "Chicago, IL 60601"),
                offer=offer,
            )
        )
        labels.append(Label(contact=name, lines=tuple(address)))
    return cards, labels


def timed(action: Callable[[], object], runs: int) -> tuple[float, float, object]:
    """Median wall and CPU seconds of ``runs`` runs of ``action`` (after one warm-up), and its result."""
    result = action()
    walls, cpus = [], []
    for _ in range(runs):
        wall, cpu = time.perf_counter(), time.process_time()
        result = action()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return statistics.median(walls), statistics.median(cpus), result


def peak_mib(action: Callable[[], object]) -> float:
    """The peak of memory Python allocated while ``action`` ran, in MiB."""
    tracemalloc.start()
    try:
        action()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak / 2**20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    from ringback.printing.cards import CardFormat, card_layout, cards_pdf
    from ringback.printing.faces import em_width
    from ringback.printing.labels import SHEETS, Offset, SheetName, label_check, labels_pdf

    cards, labels = people(args.count)
    print(
        f"machine: {platform.machine()}, {platform.processor() or 'cpu'}, Python {platform.python_version()}; "
        f"{args.count:,} cards and labels, median of {args.runs} runs"
    )
    print(
        f"{'what':<30} {'layout CPU s':>12} {'pdf wall s':>11} {'pdf CPU s':>10} {'peak MiB':>9} {'PDF KB':>8}"
    )
    for card_format in CardFormat:

        def lay_cards(f: CardFormat = card_format) -> list[object]:
            em_width.cache_clear()  # cold: no word measured before
            return [card_layout(c, f) for c in cards]

        def make_cards(f: CardFormat = card_format) -> bytes:
            em_width.cache_clear()
            return cards_pdf(cards, card_format=f, created=CREATED)

        _, layout_cpu, _ = timed(lay_cards, args.runs)
        wall, cpu, pdf = timed(make_cards, args.runs)
        assert isinstance(pdf, bytes)
        print(
            f"{'cards, ' + card_format.value:<30} {layout_cpu:>12.3f} {wall:>11.3f} {cpu:>10.3f} "
            f"{peak_mib(make_cards):>9.1f} {len(pdf) / 1024:>8.0f}"
        )
    for sheet in SheetName:

        def lay_labels(s: SheetName = sheet) -> None:
            em_width.cache_clear()
            for label in labels:
                label_check(label, sheet=s)

        def make_labels(s: SheetName = sheet) -> bytes:
            em_width.cache_clear()
            return labels_pdf(labels, sheet=s, offset=Offset(0.5, -0.5), created=CREATED)

        _, layout_cpu, _ = timed(lay_labels, args.runs)
        wall, cpu, pdf = timed(make_labels, args.runs)
        assert isinstance(pdf, bytes)
        pages = -(-len(labels) // SHEETS[sheet].per_page)
        print(
            f"{'labels, ' + SHEETS[sheet].title + f' ({pages} pages)':<30} {layout_cpu:>12.3f} {wall:>11.3f} "
            f"{cpu:>10.3f} {peak_mib(make_labels):>9.1f} {len(pdf) / 1024:>8.0f}"
        )
    maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"process peak resident size: {maxrss:.0f} MiB")


if __name__ == "__main__":
    main()
