import os
import tempfile
from dataclasses import replace
from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser
from rich.console import Console

from ringback.accounts.commands import AccountCommand
from ringback.accounts.models import Account
from ringback.core.errors import InvalidInput, RingbackError
from ringback.interface.commands import parse_day
from ringback.post.choices import CardFormatChoice, LabelSheetChoice
from ringback.post.selectors import (
    Batch,
    batch_cards_pdf,
    batch_day,
    batch_for_day,
    batch_labels_pdf,
    batches_marked,
    print_choice_values,
    print_settings_get,
)
from ringback.post.services import batch_mark_mailed, print_settings_update
from ringback.printing.cards import card_format
from ringback.printing.labels import sheet_name
from ringback.printing.pieces import day_text

ACTIONS = ("print", "mark-mailed", "settings")


def write_private(path: Path, content: bytes) -> None:
    """Write ``content`` to ``path`` readable by its owner only (0600, whatever the umask), through
    a temporary file renamed over it: a reader never sees half a file, and a failed write leaves
    an existing file as it was."""
    try:
        fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    except OSError as exc:
        raise RingbackError(f"cannot write {path}: {exc.strerror or exc}") from None
    temporary = Path(name)
    try:
        with open(fd, "wb") as handle:
            handle.write(content)
        os.chmod(temporary, 0o600)
        os.replace(temporary, path)
    except OSError as exc:
        temporary.unlink(missing_ok=True)
        raise RingbackError(f"cannot write {path}: {exc.strerror or exc}") from None
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def labels_path(output: Path) -> Path:
    """Where the labels go: next to the cards, ``NAME-labels.pdf``."""
    return output.with_name(f"{output.stem}-labels{output.suffix or '.pdf'}")


class Command(AccountCommand):
    help = (
        "Print the day's cards and labels to PDF, mark the batch mailed, or change the print settings. "
        "Printing logs nothing; mark-mailed logs each card once and plans the next steps."
    )
    reads = True

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("action", choices=ACTIONS, help="print, mark-mailed or settings")
        parser.add_argument("--date", help="the day, YYYY-MM-DD (default: today in your time zone)")
        parser.add_argument(
            "--output", "-o", metavar="FILE", help="print: the cards' PDF (default ringback-cards-DAY.pdf)"
        )
        parser.add_argument(
            "--format",
            dest="card_format",
            metavar="FORMAT",
            help=f"print, settings: the card format ({', '.join(CardFormatChoice.values)})",
        )
        parser.add_argument(
            "--labels",
            dest="label_sheet",
            metavar="SHEET",
            help=f"print, settings: the label sheet ({', '.join(LabelSheetChoice.values)})",
        )
        parser.add_argument(
            "--offset-x", dest="offset_x", metavar="MM", help="settings: move labels right, mm"
        )
        parser.add_argument(
            "--offset-y", dest="offset_y", metavar="MM", help="settings: move labels down, mm"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action != "settings" and (options["offset_x"] is not None or options["offset_y"] is not None):
            raise InvalidInput("--offset-x and --offset-y belong to 'ringback mail settings'")
        if action != "print" and options["output"] is not None:
            raise InvalidInput("--output belongs to 'ringback mail print'")
        account = self.account(options)
        if action == "settings":
            self._settings(account, options)
            return
        day = batch_day(
            account=account, day=parse_day(options["date"], what="--date") if options["date"] else None
        )
        if action == "print":
            self._print(account, day, options)
        else:
            if options["card_format"] is not None or options["label_sheet"] is not None:
                raise InvalidInput("--format and --labels belong to 'ringback mail print' and 'settings'")
            self._mark(account, day, options)

    def _print(self, account: Account, day: Any, options: dict[str, Any]) -> None:
        """Write the day's cards (and labels) to PDF files; who was left out, and why."""
        choice = print_settings_get(account=account)
        if options["card_format"] is not None:
            choice = replace(choice, card_format=card_format(options["card_format"]))
        if options["label_sheet"] is not None:
            text = options["label_sheet"].strip().lower()
            choice = replace(choice, label_sheet=None if text == LabelSheetChoice.NONE else sheet_name(text))
        batch = batch_for_day(account=account, day=day, choice=choice)
        output = Path(options["output"] or f"ringback-cards-{day.isoformat()}.pdf")
        cards = batch_cards_pdf(batch=batch)
        labels = batch_labels_pdf(batch=batch) if choice.label_sheet is not None else None
        write_private(output, cards)
        if labels is not None:
            write_private(labels_path(output), labels)
        data = _printed_json(batch, output, labels_path(output) if labels is not None else None)

        def render(console: Console) -> None:
            count = len(batch.cards)
            console.print(
                f"Wrote {count} card{'s' if count != 1 else ''} for {batch.day_text} to {output} "
                f"({choice.card_title}s)."
            )
            if labels is not None:
                console.print(f"Wrote their address labels to {labels_path(output)} ({choice.sheet_title}).")
            elif choice.envelope:
                console.print("Folded cards go in envelopes: address them, or print labels with --labels.")
            if batch.sender_problem:
                console.print(f"Note: {batch.sender_problem}.")
            if batch.left_out:
                console.print(f"Left out ({len(batch.left_out)}), never printed half-addressed:")
                for line in batch.left_out:
                    console.print(f"  {line.name}: {line.reason}")
            console.print(
                f"Nothing was logged. When they are in the mail: ringback mail mark-mailed --date {day}"
            )

        self.emit(options, data, render)

    def _mark(self, account: Account, day: Any, options: dict[str, Any]) -> None:
        """Log the day's printed cards mailed, once; say how many, and which were skipped."""
        marked = batch_mark_mailed(account=account, day=day)
        earlier = [b for b in batches_marked(account=account, day=day) if b != marked.batch]
        data = {
            "day": day,
            "mailed": list(marked.mailed),
            "skipped": [{"name": s.name, "reason": s.reason} for s in marked.skipped],
            "marked_before": sum(b.mailed for b in earlier),
        }

        def render(console: Console) -> None:
            when = day_text(day)
            count = len(marked.mailed)
            if count:
                console.print(
                    f"Logged {count} card{'s' if count != 1 else ''} mailed for {when}; "
                    "the next step of each is planned."
                )
            else:
                before = sum(b.mailed for b in earlier)
                already = f" ({before} already marked mailed)" if before else ""
                console.print(f"Nothing to mark mailed for {when}{already}.")
            for line in marked.skipped:
                console.print(f"  skipped {line.name}: {line.reason}")

        self.emit(options, data, render)

    def _settings(self, account: Account, options: dict[str, Any]) -> None:
        """Show the print settings, after changing those given."""
        if options["date"] is not None:
            raise InvalidInput("--date belongs to 'ringback mail print' and 'mark-mailed'")
        keys = ("card_format", "label_sheet", "offset_x", "offset_y")
        changes = {key: options[key] for key in keys if options[key] is not None}
        choice = (
            print_settings_update(account=account, **changes)
            if changes
            else print_settings_get(account=account)
        )
        data = {key: str(value) for key, value in print_choice_values(choice).items()}

        def render(console: Console) -> None:
            console.print("Print settings" + (" (updated)" if changes else "") + ":")
            console.print(f"  cards: {choice.card_title} ({data['card_format']})")
            console.print(f"  labels: {choice.sheet_title or 'none'} ({data['label_sheet']})")
            console.print(f"  label offset: {data['offset_x']} mm right, {data['offset_y']} mm down")

        self.emit(options, data, render)


def _printed_json(batch: Batch, output: Path, labels: Path | None) -> dict[str, Any]:
    return {
        "day": batch.day,
        "cards": len(batch.cards),
        "output": str(output),
        "labels": str(labels) if labels is not None else None,
        "card_format": batch.choice.card_format.value,
        "label_sheet": batch.choice.label_sheet.value if batch.choice.label_sheet else None,
        "left_out": [
            {"contact_id": o.contact_id, "name": o.name, "reason": o.reason} for o in batch.left_out
        ],
        "contacts": [c.name for c in batch.cards],
    }
