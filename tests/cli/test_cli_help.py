"""``ringback help`` lists Ringback's own commands, each with one line saying what it does (issue 11, #23)."""

from __future__ import annotations

import re
from typing import Any

import pytest

RINGBACK_COMMANDS = (
    "account",
    "agenda",
    "appointment",
    "calendar",
    "messages",
    "offers",
    "contact",
    "contacts",
    "createuser",
    "demo",
    "enroll",
    "export",
    "import",
    "imports",
    "insights",
    "log",
    "mail",
    "password",
    "pause",
    "playbooks",
    "serve",
    "simulate",
    "token",
    "undo",
    "webhook",
    "worker",
)


@pytest.mark.parametrize("args", [("help",), ("--help",), ("-h",), ()])
def test_help_lists_only_ringbacks_commands_with_a_line_each(ringback: Any, args: tuple[str, ...]) -> None:
    result = ringback(*args)
    assert result.code == 0, str(result)
    listed = dict(re.findall(r"^  (\S+)\s{2,}(.+)$", result.out, flags=re.MULTILINE))
    assert set(RINGBACK_COMMANDS) <= set(listed), result.out
    for django_only in ("startapp", "flush", "testserver", "sqlflush", "migrate", "makemigrations"):
        assert django_only not in listed, result.out
        assert f" {django_only}\n" not in result.out
    for name in RINGBACK_COMMANDS:
        line = listed[name]
        assert line.strip() and "\n" not in line
        assert len(line) <= 100, line
    assert "ringback help COMMAND" in result.out


def test_help_for_one_command_shows_its_options(ringback: Any) -> None:
    result = ringback("help", "agenda")
    assert result.code == 0, str(result)
    assert "--json" in result.out
    assert "What to do today" in result.out


def test_an_unknown_command_says_so_and_points_to_help(ringback: Any) -> None:
    result = ringback("agneda")
    assert result.code != 0
    assert "agneda" in result.err
    assert "ringback help" in result.err
