from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser
from rich.console import Console
from rich.table import Table
from rich.text import Text

from ringback.accounts.commands import AccountCommand
from ringback.core.errors import InvalidInput, PlaybookError
from ringback.core.lint import lint_playbook, playbook_scripts_check
from ringback.core.playbook import MAX_SOURCE_CHARS, parse_playbook
from ringback.interface.commands import visible
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
            spec = parse_playbook(_read(target), source=Path(target).name)
            playbook_scripts_check(spec)
            warnings = lint_playbook(spec)
            data = {
                "valid": True,
                "name": spec.name,
                "version": spec.version,
                "steps": len(spec.steps),
                "warnings": [
                    {"template": w.template, "rule": w.rule, "message": w.message} for w in warnings
                ],
            }

            def validated(console: Console) -> None:
                console.print(f"{target}: valid — {spec.title}, {len(spec.steps)} steps.")
                for warning in warnings:
                    console.print(f"  advice: {warning}")

            self.emit(options, data, validated)
            return
        account = self.account(options)
        if action == "add":
            version = playbook_add(account=account, text=_read(target), source=Path(target).name)
            data = {"name": version.playbook.name, "version": version.number}
            self.emit(
                options,
                data,
                lambda c: c.print(f"Added {version.playbook.name} version {version.number}."),
            )
            return
        if action == "show":
            version = playbook_latest_version(playbook=playbook_get(account=account, name=target))
            spec = version_spec(version=version)
            data = {
                "name": spec.name,
                "title": spec.title,
                "version": version.number,
                "description": spec.description,
                "rules": list(spec.rules),
                "steps": [
                    {
                        "id": s.id,
                        "channel": s.channel.value,
                        "wait": str(s.wait),
                        "templates": list(s.templates),
                        "at": [p.value for p in s.parts],
                        "purpose": s.purpose,
                    }
                    for s in spec.steps
                ],
                "finish": {"recontact_after_days": spec.finish.recontact_after_days},
                "limits": {
                    "max_calls": spec.limits.max_calls,
                    "within_days": spec.limits.within_days,
                    "min_gap_days": spec.limits.min_gap_days,
                },
                "source": version.source,
            }

            def show(console: Console) -> None:
                console.print(
                    Text.assemble(
                        (visible(spec.title), "bold"),
                        f" ({spec.name} v{version.number}) — {', '.join(spec.rules)}",
                    )
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

            self.emit(options, data, show)
            return
        rows: list[dict[str, Any]] = []
        for playbook in playbook_list(account=account).prefetch_related("versions"):
            latest = max(playbook.versions.all(), key=lambda v: v.number)
            spec = version_spec(version=latest)
            rows.append(
                {
                    "name": playbook.name,
                    "title": spec.title,
                    "version": latest.number,
                    "builtin": playbook.is_builtin,
                    "steps": len(spec.steps),
                    "rules": list(spec.rules),
                }
            )

        def render(console: Console) -> None:
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

        self.emit(options, rows, render)
