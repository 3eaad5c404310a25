"""The ``ringback`` command: Django's management utility with Ringback's settings.

Applies pending migrations on first use, so that a fresh SQLite default just works.
"""

from __future__ import annotations

import os
import sys

#: Commands that must run before (or without) migrations being applied.
_NO_AUTO_MIGRATE = {
    "makemigrations",
    "migrate",
    "help",
    "--help",
    "-h",
    "version",
    "--version",
    "check",
    "showmigrations",
    "sqlmigrate",
    "shell",
}


def _migrate_if_needed() -> None:
    from django.core.management import call_command
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        call_command("migrate", verbosity=0, interactive=False)


_HELP_WORDS = {"help", "--help", "-h"}


def _ringback_help() -> str:
    """Ringback's own commands, one line each: what ``ringback`` and ``ringback help`` print.

    Django's commands (migrate, flush, startapp...) still run, but a seller has no use for them,
    so they are left out of the list.
    """
    from django.core.management import get_commands, load_command_class

    lines = [
        "Ringback: whom to call today, and why.",
        "",
        "Usage: ringback COMMAND [options]",
        "",
        "Commands:",
    ]
    ours = sorted(name for name, app in get_commands().items() if app.startswith("ringback"))
    width = max(map(len, ours))
    for name in ours:
        summary = " ".join(str(load_command_class(get_commands()[name], name).help).split())
        first = summary.split(". ")[0].rstrip(".")
        lines.append(f"  {name.ljust(width)}  {first}.")
    lines += ["", "Run 'ringback help COMMAND' for a command's options."]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    """Run ``ringback ARGS`` (``serve``, ``demo``, ``agenda``, ``log``...)."""
    import django
    from django.core.management import ManagementUtility

    from ringback.core import clock
    from ringback.core.errors import RingbackError

    try:
        clock.now()  # a RINGBACK_NOW that is no date-time, or out of range, stops every command
    except RingbackError as exc:
        sys.stderr.write(f"error: {exc.message}\n")
        raise SystemExit(1) from None
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ringback.settings")
    args = list(sys.argv[1:] if argv is None else argv)
    django.setup()
    if not args or (args[0] in _HELP_WORDS and len(args) == 1):
        sys.stdout.write(_ringback_help())
        return
    if args and args[0] not in _NO_AUTO_MIGRATE:
        _migrate_if_needed()
    ManagementUtility(["ringback", *args]).execute()


if __name__ == "__main__":
    main()
