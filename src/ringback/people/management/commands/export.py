import contextlib
import os
import tempfile
from pathlib import Path
from typing import Any, TextIO, cast

from django.core.management.base import CommandParser

from ringback.accounts.commands import AccountCommand
from ringback.contacts.choices import ContactStatus
from ringback.contacts.exporting import ExportFormat, contacts_export
from ringback.contacts.selectors import contact_tags
from ringback.core.errors import InvalidInput, RingbackError
from ringback.people.selectors import ContactFilters, contacts_filtered


class Command(AccountCommand):
    help = (
        "Export contacts as a Google Contacts CSV or a vCard 4.0 file. It writes to standard output or "
        "--output FILE: all contacts, or those with --tag, --search, --status."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--format",
            dest="file_format",
            metavar="csv|vcard",
            help="csv (Google Contacts) or vcard (vCard 4.0); default: from the --output name, else csv",
        )
        parser.add_argument(
            "--output", "-o", metavar="FILE", help="write to FILE (default, or -: standard output)"
        )
        parser.add_argument("--tag", help="only contacts with this tag")
        parser.add_argument("--search", help="only contacts the contact list's search finds")
        parser.add_argument(
            "--status", help=f"only contacts with this status ({', '.join(ContactStatus.values)})"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        output = options["output"] if options["output"] != "-" else None
        file_format = _format(options["file_format"], output)
        account = self.account(options)
        tag = (options["tag"] or "").strip()
        if tag and tag not in contact_tags(account=account):
            raise InvalidInput(f"no tag is called {tag!r}")
        status = (options["status"] or "").strip()
        if status and status not in ContactStatus.values:
            raise InvalidInput(f"status {status!r} is not one of {', '.join(ContactStatus.values)}")
        filters = ContactFilters(search=(options["search"] or "").strip(), tag=tag, status=status)
        contacts = contacts_filtered(account=account, filters=filters)
        if output:
            count = _export_to_file(Path(output), account=account, file_format=file_format, contacts=contacts)
            where = f" to {output}"
        else:
            self.stdout.ending = ""  # the file's own line ends, nothing added
            out = cast(TextIO, self.stdout)
            count = contacts_export(account=account, file_format=file_format, out=out, contacts=contacts)
            self.stdout.flush()
            where = ""
        summary = f"Exported {count:,} contact{'' if count == 1 else 's'}{where}"
        self.stderr.write(summary, style_func=lambda text: text)


def _format(text: str | None, output: str | None) -> ExportFormat:
    """The format asked for, or the one the output file's name says (``.vcf``: vCard), or CSV."""
    if text is None:
        suffix = Path(output).suffix.lower() if output else ""
        return ExportFormat.VCARD if suffix in (".vcf", ".vcard") else ExportFormat.CSV
    try:
        return ExportFormat(text.strip().lower())
    except ValueError:
        raise InvalidInput(f"format {text!r} is not one of csv, vcard") from None


def _export_to_file(path: Path, **export: Any) -> int:
    """Export into a temporary file next to ``path``, then rename it over ``path``: a reader
    never sees half a file, and a failed export leaves an existing file as it was."""
    try:
        fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    except OSError as exc:
        raise RingbackError(f"cannot write {path}: {exc.strerror or exc}") from None
    temporary = Path(name)
    try:
        with open(fd, "w", encoding="utf-8", newline="") as handle:
            count = contacts_export(out=handle, **export)
        with contextlib.suppress(OSError):
            # The new file keeps the permissions of the one it replaces; a new one is private.
            os.chmod(temporary, path.stat().st_mode & 0o7777)
        os.replace(temporary, path)
    except OSError as exc:
        temporary.unlink(missing_ok=True)
        raise RingbackError(f"cannot write {path}: {exc.strerror or exc}") from None
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return count
