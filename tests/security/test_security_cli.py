"""Cross-account sweep of the ``ringback`` command.

Every ``ringback`` subcommand must be in :data:`COMMANDS`, with the runs that name account A's
rows (a contact by id, ``#id``, email, number or name; A's own playbook; A's import report;
A's tag) as account B's user, chosen with ``--user`` and with ``RINGBACK_USER`` (how
:mod:`ringback.interface.commands` picks the account). A run that names one of A's rows must fail
with a message; a run that lists or exports must show none of A's rows; and no run may change
any of A's rows. The built-in playbooks are every account's own read-only copy: B sees his.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.core.management import get_commands
from security_world import A_MESSAGE, A_OFFER, A_PLAYBOOK, BUILTIN, MARKER, World, changed, snapshot

Args = Callable[[World, Path], list[str]]


@dataclass(frozen=True)
class Run:
    """One run of a subcommand as B: its arguments and whether it must fail."""

    args: Args
    refused: bool
    #: Text the answer must contain (the message that names the problem, or B's own rows).
    says: str = ""


#: Every way the command line names a contact, filled with A's first contact.
A_REFERENCES: tuple[Callable[[World], str], ...] = (
    lambda w: str(w.a_contact.pk),
    lambda w: f"#{w.a_contact.pk}",
    lambda w: "qzx.secret@example.com",
    lambda w: "212 555 0101",
    lambda w: "+12125550101",
    lambda w: "Qzxlast",
    lambda w: "qzxfirst qzxlast",
)


def _playbook_file(tmp_path: Path) -> Path:
    path = tmp_path / "same-name.yaml"
    path.write_text(
        f"name: {A_PLAYBOOK}\ntitle: Bob's own chase\nsteps:\n  - id: call-1\n    channel: call\n    wait: 0 days\n",
        encoding="utf-8",
    )
    return path


def _csv_with_a_number(tmp_path: Path) -> Path:
    path = tmp_path / "bob.csv"
    path.write_text("name,phone,email\nBob Import,212-555-0101,qzx.secret@example.com\n", encoding="utf-8")
    return path


def _naming(command: str, ref: Callable[[World], str], rest: tuple[str, ...]) -> Args:
    return lambda w, p: [command, ref(w), *rest]


def _naming_after(command: str, action: str, ref: Callable[[World], str]) -> Args:
    return lambda w, p: [command, action, ref(w)]


def _previewing_for(ref: Callable[[World], str]) -> Args:
    return lambda w, p: ["messages", "preview", "yes-or-no", "--contact", ref(w)]


def _per_reference(command: str, *rest: str) -> list[Run]:
    """A run per way of naming A's contact: each gets the answer an unknown contact gets."""
    return [Run(_naming(command, ref, rest), refused=True, says="no contact matches") for ref in A_REFERENCES]


#: Every subcommand of ``ringback``, with B's runs against A's rows (empty: it names no row).
COMMANDS: dict[str, tuple[str, list[Run]]] = {
    "log": ("logs an outcome for a contact", _per_reference("log", "voicemail", "--note", "x")),
    "undo": ("takes back a contact's last outcome", _per_reference("undo")),
    "contact": (
        "shows or changes one contact",
        _per_reference("contact")
        + _per_reference("contact", "--warmth", "customer", "--notes", "x")
        + [
            Run(
                lambda w, p: ["contact", "Bert", "--keep-promise", str(w.a_promise.pk)],
                refused=True,
                says="no such promise",
            )
        ],
    ),
    "appointment": (
        "books an appointment with a contact",
        _per_reference("appointment", "--at", "2026-11-25T10:00"),
    ),
    "enroll": (
        "starts a playbook for contacts (by reference or tag)",
        [
            Run(
                lambda w, p: ["enroll", A_PLAYBOOK, "--contact", str(w.b_free.pk)],
                refused=True,
                says=A_PLAYBOOK,
            ),
            Run(
                lambda w, p: ["enroll", BUILTIN, "--contact", str(w.a_contact.pk)],
                refused=True,
                says="no contact matches",
            ),
            Run(
                lambda w, p: ["enroll", BUILTIN, "--contact", "Qzxlast"],
                refused=True,
                says="no contact matches",
            ),
            Run(lambda w, p: ["enroll", BUILTIN, "--tag", "qzx-tag"], refused=True),
        ],
    ),
    "playbooks": (
        "lists, shows, checks and adds playbooks",
        [
            Run(lambda w, p: ["playbooks", "show", A_PLAYBOOK], refused=True, says=A_PLAYBOOK),
            Run(lambda w, p: ["playbooks", "show", BUILTIN], refused=False, says="Call-Mail-Call"),
            Run(lambda w, p: ["playbooks", "list"], refused=False, says=BUILTIN),
            # B may have a playbook by the same name as A's: his own, A's stays as it is.
            Run(lambda w, p: ["playbooks", "add", str(_playbook_file(p))], refused=False),
        ],
    ),
    "imports": (
        "shows import reports",
        [
            Run(lambda w, p: ["imports", str(w.a_report.pk)], refused=True),
            Run(lambda w, p: ["imports"], refused=False),
        ],
    ),
    "contacts": (
        "lists contacts (by tag or search)",
        [
            Run(lambda w, p: ["contacts", "--tag", "qzx-tag"], refused=False),
            Run(lambda w, p: ["contacts", "--search", "Qzxlast"], refused=False),
            Run(lambda w, p: ["contacts", "--search", "212 555 0101"], refused=False),
            Run(lambda w, p: ["contacts"], refused=False, says="Bella"),
            Run(lambda w, p: ["contacts", "warmth", "customer", "--tag", "qzx-tag"], refused=True),
            Run(lambda w, p: ["contacts", "warmth", "customer", "--search", "Qzxlast"], refused=True),
        ],
    ),
    "export": (
        "writes contacts as CSV or vCard (by tag, search, status)",
        [
            Run(lambda w, p: ["export", "--tag", "qzx-tag"], refused=True, says="no tag"),
            Run(lambda w, p: ["export", "--format", "vcard", "--search", "Qzxlast"], refused=False),
            Run(lambda w, p: ["export"], refused=False, says="Bella"),
        ],
    ),
    "agenda": ("today's agenda", [Run(lambda w, p: ["agenda", "--scripts"], refused=False, says="Bert")]),
    "calendar": (
        "the acting account's own calendar feed URL; names no row",
        [
            Run(lambda w, p: ["calendar", "url"], refused=False, says="/calendar/"),
            Run(lambda w, p: ["calendar", "reset"], refused=False, says="/calendar/"),
            Run(lambda w, p: ["calendar", "off"], refused=False),
        ],
    ),
    "mailbox": (
        "the acting account's own mailbox; names no row",
        [
            Run(lambda w, p: ["mailbox"], refused=False, says="No mailbox is set"),
            Run(lambda w, p: ["mailbox", "check"], refused=True, says="no mailbox is set"),
            Run(lambda w, p: ["mailbox", "off"], refused=False, says="No mailbox was set"),
        ],
    ),
    "outbox": (
        "the acting account's outbox: A's contact is no contact of B's, A's email no email of B's",
        [
            Run(
                lambda w, p: ["outbox", "decide", str(w.a_email.pk), "drop"],
                refused=True,
                says="no such email",
            ),
            Run(lambda w, p: ["outbox", "list"], refused=False, says="sent today"),
            Run(lambda w, p: ["outbox", "--status", "failed"], refused=False, says="No emails"),
        ]
        + [
            Run(_naming_after("outbox", "send", ref), refused=True, says="no contact matches")
            for ref in A_REFERENCES
        ],
    ),
    "insights": (
        "the acting account's own results (a playbook is looked up among its own, as by enroll)",
        [
            Run(lambda w, p: ["insights"], refused=False, says="What works"),
            Run(lambda w, p: ["insights", "--csv"], refused=False, says="table,key,label"),
        ],
    ),
    "simulate": (
        "a simulation with the acting account's settings (a playbook is looked up among its own)",
        [
            Run(
                lambda w, p: ["simulate", "--policy", "day-plan", "--prospects", "20", "--days", "7"],
                refused=False,
                says="day-plan",
            ),
        ],
    ),
    "messages": (
        "the acting account's message library: A's own message is no message of B's",
        [
            Run(lambda w, p: ["messages", "show", A_MESSAGE], refused=True, says=A_MESSAGE),
            Run(lambda w, p: ["messages", "preview", A_MESSAGE], refused=True, says=A_MESSAGE),
            Run(lambda w, p: ["messages", "edit", A_MESSAGE, "--title", "x"], refused=True, says=A_MESSAGE),
            Run(lambda w, p: ["messages", "list"], refused=False, says="yes-or-no"),
            Run(lambda w, p: ["messages", "show", "yes-or-no"], refused=False),
        ]
        + [Run(_previewing_for(ref), refused=True, says="no contact matches") for ref in A_REFERENCES],
    ),
    "offers": (
        "the acting account's offers: A's own offer is no offer of B's",
        [
            Run(lambda w, p: ["offers", "show", A_OFFER], refused=True, says=A_OFFER),
            Run(lambda w, p: ["offers", "edit", A_OFFER, "--days", "10"], refused=True, says=A_OFFER),
            Run(lambda w, p: ["offers", "list"], refused=False, says="special-offer"),
        ],
    ),
    "mail": (
        "prints and marks mailed the acting account's own cards of a day; names no row",
        [
            Run(
                lambda w, p: ["mail", "print", "--date", "2026-11-23", "--output", str(p / "cards.pdf")],
                refused=True,
                says="nothing to print on Monday, November 23",
            ),
            Run(
                lambda w, p: ["mail", "mark-mailed", "--date", "2026-11-23"], refused=False, says="Nothing to"
            ),
            Run(lambda w, p: ["mail", "settings", "--labels", "5160"], refused=False, says="Avery 5160"),
        ],
    ),
    "import": (
        "imports a file into the acting account: A's number and email make B's contact, not a merge",
        [Run(lambda w, p: ["import", str(_csv_with_a_number(p))], refused=False)],
    ),
    "account": ("the acting account's own settings", [Run(lambda w, p: ["account"], refused=False)]),
    "token": (
        "the acting account's API tokens: A's token is no token of B's",
        [
            Run(
                lambda w, p: ["token", "revoke", str(w.a_api_token.pk)],
                refused=True,
                says="no such API token",
            ),
            Run(lambda w, p: ["token", "list"], refused=False, says="No API token yet"),
            # B may name a token as A named hers: his own, A's stays as it is.
            Run(lambda w, p: ["token", "create", w.a_api_token.name], refused=False, says="rb_"),
        ],
    ),
    "pause": (
        "a vacation for the acting account",
        [Run(lambda w, p: ["pause", "--from", "2026-12-21", "--to", "2026-12-27"], refused=False)],
    ),
    "createuser": (
        "makes a new user and account; A's user name is taken",
        [Run(lambda w, p: ["createuser", "alice"], refused=True, says="already exists")],
    ),
    "webhook": (
        "the acting account's webhooks: A's webhook id is no webhook of B's",
        [
            Run(
                _naming_after("webhook", action, lambda w: str(w.a_webhook.pk)),
                refused=True,
                says="no such webhook",
            )
            for action in ("remove", "ping", "deliveries", "rotate", "off", "on")
        ]
        + [
            Run(lambda w, p: ["webhook", "list"], refused=False, says="No webhooks"),
            Run(
                lambda w, p: ["webhook", "add", "http://169.254.169.254/", "--event", "callback.logged"],
                refused=True,
                says="link-local",
            ),
        ],
    ),
    "demo": ("the demo account (its own user); names no row of another account", []),
    "serve": ("runs the web server; names no row", []),
    "worker": ("runs the queued background tasks of every account; names no row", []),
    "password": (
        "the operator's command to reset any login's password, like Django's changepassword: whoever "
        "runs commands against the database administers it; it names a login, no account's rows",
        [],
    ),
}


def ringback_commands() -> set[str]:
    """The subcommands Ringback's own apps add to ``ringback``."""
    return {name for name, app in get_commands().items() if app.startswith("ringback.")}


def test_every_subcommand_is_in_the_table() -> None:
    missing = sorted(ringback_commands() - set(COMMANDS))
    assert not missing, (
        f"ringback subcommands the cross-account sweep does not know: {missing}. Add each to "
        "COMMANDS in tests/security/test_security_cli.py with runs naming another account's rows."
    )
    assert not set(COMMANDS) - ringback_commands(), "COMMANDS names subcommands that no longer exist"


def runs_as_b(how: str) -> Iterator[tuple[str, Run]]:
    """B's runs, with the subcommand of each: every run when B is chosen with ``--user``; with
    ``RINGBACK_USER``, which picks the account as ``--user`` does (one place in console/base.py),
    the first run of each subcommand shows it."""
    for command, (_why, cases) in COMMANDS.items():
        for case in cases if how == "--user" else cases[:1]:
            yield command, case


def run_problems(
    case: Run, args: list[str], result: Any, before: dict[str, Any], after: dict[str, Any]
) -> list[str]:
    """What is wrong with one run of B's, given account A's rows before and after it: each
    problem names the run and shows its output."""
    shown = result.out + result.err
    for sent in args:
        shown = shown.replace(sent, "")  # what B typed may name A's rows; only the answer counts
    # B's own calendar secret is random: it may hold the marker's letters by chance.
    shown = re.sub(r"/calendar/[A-Za-z0-9_-]+\.ics", "/calendar/SECRET.ics", shown)
    shown = re.sub(r"rb_[0-9a-f]+_[A-Za-z0-9_-]+", "rb_TOKEN", shown)  # and a new API token
    checks = (
        (case.refused and result.ok, f"succeeded, but it names account A's row\n{result}"),
        (not case.refused and not result.ok, f"failed\n{result}"),
        (case.refused and not result.error_lines, f"refused without a message\n{result}"),
        ("Traceback" in shown, f"printed a traceback\n{result}"),
        (MARKER.lower() in shown.lower(), f"shows account A's text ({MARKER}…)\n{result}"),
        (
            bool(case.says) and case.says not in result.out + result.err,
            f"does not say {case.says!r}\n{result}",
        ),
        (before != after, f"changed account A's rows: {changed(before, after)}"),
    )
    return [f"ringback {' '.join(args)}: {problem}" for failed, problem in checks if failed]


@pytest.mark.parametrize("how", ["--user", "RINGBACK_USER"])
def test_account_b_cannot_reach_account_a_from_the_command_line(
    world: World,
    ringback: Any,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    how: str,
    record_property: Any,
) -> None:
    if how == "RINGBACK_USER":
        monkeypatch.setenv("RINGBACK_USER", "bob")
    start = snapshot(world.a)
    problems: list[str] = []
    runs = 0
    for command, case in runs_as_b(how):
        args = case.args(world, tmp_path)
        if how == "--user" and command != "createuser":
            args = [*args, "--user", "bob"]
        before = snapshot(world.a)
        result = ringback(*args)
        runs += 1
        problems += run_problems(case, args, result, before, snapshot(world.a))
    record_property("runs", runs)
    assert changed(start, snapshot(world.a)) == []
    assert not problems, f"{len(problems)} problems in {runs} runs:\n" + "\n\n".join(problems)
