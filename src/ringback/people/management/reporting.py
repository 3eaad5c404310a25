"""How the import commands show a report: as JSON data or drawn with rich."""

from __future__ import annotations

from typing import Any

from rich.console import Console

from ringback.contacts.choices import ImportStatus
from ringback.contacts.importing import DOUBTFUL, MOVED, left_out_text, report_notices
from ringback.contacts.models import ImportRun
from ringback.interface.commands import iso_utc

FORMAT_NAMES = {
    "google": "Google Contacts CSV",
    "google-legacy": "Google Contacts CSV (legacy)",
    "outlook": "Outlook CSV",
    "vcard": "vCard",
    "csv": "CSV",
}


def import_run_data(run: ImportRun) -> dict[str, Any]:
    """The report as JSON-ready data."""
    return {
        "report": run.pk,
        "file": run.file_name,
        "format": run.file_format,
        "status": run.status,
        "dry_run": run.status == ImportStatus.DRY_RUN,
        "at": iso_utc(run.started_at),
        "rows": run.rows,
        "created": run.created,
        "merged": run.merged,
        "unchanged": run.unchanged,
        "skipped": [{"row": row, "reason": reason} for row, reason in run.problems],
        "skipped_count": run.skipped,
        "left_out": run.left_out,
        "left_out_count": run.capped,
        "doubtful": report_notices(run.notices, DOUBTFUL),
        "doubtful_count": run.doubtful,
        "moved": report_notices(run.notices, MOVED),
        "moved_count": run.moved,
        "error": run.error,
    }


def import_run_render(run: ImportRun, console: Console) -> None:
    """The report in a few lines: what was (or would be) created, merged, skipped and why."""
    kind = FORMAT_NAMES.get(run.file_format, run.file_format)
    if run.status in (ImportStatus.FAILED, ImportStatus.INTERRUPTED):
        console.print(f"{run.file_name}: {run.get_status_display()} — {run.error}")
        return
    verb = "Would create" if run.status == ImportStatus.DRY_RUN else "Created"
    console.print(
        f"{run.file_name} ({kind}): {verb} {run.created:,} contact{'' if run.created == 1 else 's'}, merged {run.merged:,}, "
        f"unchanged {run.unchanged:,}, skipped {run.skipped:,}."
    )
    for row, reason in run.problems:
        console.print(f"  row {row}: {reason}", markup=False)
    if run.skipped > len(run.problems):
        console.print(f"  … and {run.skipped - len(run.problems):,} more skipped rows")
    if run.capped:
        console.print(
            f"{run.capped:,} row{'' if run.capped == 1 else 's'} had more than a contact keeps; the first ones "
            "were imported, the rest left out:"
        )
    for entry in run.left_out:
        console.print(
            f"  row {entry['row']} ({entry['contact']}): left out {left_out_text(entry)}", markup=False
        )
    if run.capped > len(run.left_out):
        console.print(f"  … and {run.capped - len(run.left_out):,} more rows")
    _render_notices(run, console)
    if run.status == ImportStatus.DRY_RUN:
        console.print("Dry run: nothing was saved.")
    else:
        console.print(f"Report #{run.pk} is kept: ringback imports {run.pk}")


def _render_notices(run: ImportRun, console: Console) -> None:
    """The doubtful matches not merged, and the values moved to the notes or left out, one line
    each (with the row, the field and the value)."""
    doubtful, moved = report_notices(run.notices, DOUBTFUL), report_notices(run.notices, MOVED)
    if run.doubtful:
        console.print(
            f"{run.doubtful:,} doubtful match{'' if run.doubtful == 1 else 'es'} not merged (a row that shares only a "
            "work or home number with someone is merged only if the name is the same):"
        )
    for entry in doubtful:
        console.print(
            f"  row {entry['row']} ({entry['contact']}), {entry['field']} {entry['value']}: {entry['reason']}",
            markup=False,
        )
    if run.doubtful > len(doubtful):
        console.print(f"  … and {run.doubtful - len(doubtful):,} more")
    if run.moved:
        console.print(f"{run.moved:,} value{'' if run.moved == 1 else 's'} moved to the notes or left out:")
    for entry in moved:
        console.print(
            f"  row {entry['row']} ({entry['contact']}), {entry['field']} {entry['value']!r}: {entry['reason']}",
            markup=False,
        )
    if run.moved > len(moved):
        console.print(f"  … and {run.moved - len(moved):,} more")
