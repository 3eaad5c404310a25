from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser
from rich.console import Console
from rich.table import Table
from rich.text import Text

from ringback.accounts.commands import AccountCommand
from ringback.accounts.models import Account
from ringback.core.errors import InvalidInput, PlaybookError
from ringback.core.lint import lint_playbook, playbook_scripts_check
from ringback.core.messages import (
    builtin_library_texts,
    builtin_messages,
    builtin_offers,
    library_refs_check,
    with_library,
)
from ringback.core.playbook import MAX_SOURCE_CHARS, parse_playbook
from ringback.core.playbook import Playbook as PlaybookSpec
from ringback.interface.commands import visible
from ringback.playbooks.presenters import playbook_json, playbook_line_json
from ringback.playbooks.selectors import (
    playbook_get,
    playbook_latest_version,
    playbook_list,
    version_spec,
)
from ringback.playbooks.services import playbook_add


def _read(path: str) -> str:
    try:
        # UTF-8 takes at most four bytes a character: a larger file is refused unread.
        if Path(path).stat().st_size > 4 * MAX_SOURCE_CHARS:
            raise PlaybookError(
                f"the playbook is longer than {MAX_SOURCE_CHARS:,} characters", source=Path(path).name
            )
        return Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise InvalidInput(f"{path}: cannot read the file ({exc.strerror})") from None
    except UnicodeDecodeError:
        raise InvalidInput(f"{path}: not UTF-8 text") from None


class Command(AccountCommand):
    help = "Playbooks: list, show NAME, validate FILE, add FILE."
    reads = True

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("action", nargs="?", default="list", choices=["list", "show", "validate", "add"])
        parser.add_argument("target", nargs="?", help="playbook name (show) or YAML file (validate, add)")

    def handle(self, *args: Any, **options: Any) -> None:
        action, target = options["action"], options["target"]
        if action != "list" and not target:
            raise InvalidInput(f"playbooks {action} needs a {'name' if action == 'show' else 'YAML file'}")
        if action == "validate":
            self._validate(target, options)  # reads the file only: it needs no account
            return
        account = self.account(options)
        if action == "add":
            self._add(account, target, options)
        elif action == "show":
            self._show(account, target, options)
        else:
            self._list(account, options)

    def _validate(self, path: str, options: dict[str, Any]) -> None:
        """Check a playbook file as ``add`` would, and print the advice about its scripts."""
        spec = parse_playbook(_read(path), source=Path(path).name)
        playbook_scripts_check(spec)
        # No account: the messages it names are looked up in the starter library (``add`` checks
        # them against the account's own), and checked in its words.
        library_refs_check(
            spec,
            kinds={name: m.kind for name, m in builtin_messages().items()},
            offers=builtin_offers().keys(),
            source=Path(path).name,
            whose="the starter library",
        )
        warnings = lint_playbook(with_library(spec, builtin_library_texts()))
        data = {
            "valid": True,
            "name": spec.name,
            "version": spec.version,
            "steps": len(spec.steps),
            "warnings": [{"template": w.template, "rule": w.rule, "message": w.message} for w in warnings],
        }

        def validated(console: Console) -> None:
            console.print(f"{path}: valid — {spec.title}, {len(spec.steps)} steps.")
            for warning in warnings:
                console.print(f"  advice: {warning}")

        self.emit(options, data, validated)

    def _add(self, account: Account, path: str, options: dict[str, Any]) -> None:
        """Add the playbook file as the next version of the account's playbook of that name."""
        version = playbook_add(account=account, text=_read(path), source=Path(path).name)
        data = {"name": version.playbook.name, "version": version.number}
        self.emit(
            options, data, lambda c: c.print(f"Added {version.playbook.name} version {version.number}.")
        )

    def _show(self, account: Account, name: str, options: dict[str, Any]) -> None:
        """Show the latest version of the account's playbook called ``name``, step by step."""
        version = playbook_latest_version(playbook=playbook_get(account=account, name=name))
        spec = version_spec(version=version)
        self.emit(options, playbook_json(spec, version), lambda c: _print_playbook(c, spec, version.number))

    def _list(self, account: Account, options: dict[str, Any]) -> None:
        """List the account's playbooks, each at its latest version."""
        rows: list[dict[str, Any]] = []
        for playbook in playbook_list(account=account).prefetch_related("versions"):
            latest = max(playbook.versions.all(), key=lambda v: v.number)
            spec = version_spec(version=latest)
            rows.append(playbook_line_json(playbook, latest, spec))
        self.emit(options, rows, lambda c: _print_playbooks(c, rows))


def _print_playbook(console: Console, spec: PlaybookSpec, number: int) -> None:
    """Version ``number`` of a playbook as ``show`` prints it: its title, a table of its steps,
    and what happens when it runs out."""
    console.print(
        Text.assemble((visible(spec.title), "bold"), f" ({spec.name} v{number}) — {', '.join(spec.rules)}")
    )
    console.print(spec.description)
    table = Table(show_header=True)
    for column in ("#", "step", "channel", "wait", "script"):
        table.add_column(column)
    for n, s in enumerate(spec.steps, 1):
        table.add_row(
            str(n),
            s.id,
            s.channel.value,
            "on their birthday" if s.anchor else str(s.wait),
            ", ".join(s.templates),
        )
    console.print(table)
    ending = (
        f"recontact after {spec.finish.recontact_after_days} days"
        if spec.finish.recontact_after_days
        else "stop"
    )
    console.print(f"When it runs out: {ending}.")


def _print_playbooks(console: Console, rows: list[dict[str, Any]]) -> None:
    """The playbooks as ``list`` prints them: a table, one row each."""
    table = Table(title="Playbooks")
    for column in ("name", "title", "version", "steps", "rules", "built-in"):
        table.add_column(column)
    for row in rows:
        table.add_row(
            row["name"],
            row["title"],
            str(row["version"]),
            str(row["steps"]),
            ", ".join(row["rules"]),
            "yes" if row["builtin"] else "",
        )
    console.print(table)
