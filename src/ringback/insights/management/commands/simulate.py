"""``ringback simulate``: what a way of working would do to a seller's weeks, before trying it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser
from rich.console import Console

from ringback.accounts.commands import AccountCommand
from ringback.core.errors import InvalidInput
from ringback.core.simulation.report import SimulationReport, report_chart, report_text
from ringback.insights.simulating import STANDARD_POLICIES, account_simulate


class Command(AccountCommand):
    help = (
        "What a way of working would do to your weeks, on made-up prospects, with your settings. "
        "The same engine and day planner run in memory: conversations per week and per hour, "
        "touches per conversation, people never touched, pest events, side by side. "
        f"Default comparison: {', '.join(STANDARD_POLICIES)}."
    )
    reads = True

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--policy",
            action="append",
            default=[],
            help="a policy or playbook to run (repeat it to compare several; default: the standard comparison)",
        )
        parser.add_argument(
            "--playbook", default="", help="one of your playbooks: what would it do to your week?"
        )
        parser.add_argument("--world", type=Path, help="a YAML file overriding the simulated world's figures")
        parser.add_argument("--days", type=int, default=90, help="how many days to simulate (90)")
        parser.add_argument(
            "--prospects", type=int, help="how many prospects (the world's own number by default)"
        )
        parser.add_argument("--seed", type=int, default=1, help="the same seed gives the same figures (1)")
        parser.add_argument("--chart", type=Path, help="also write the conversations-so-far chart (SVG) here")

    def handle(self, *args: Any, **options: Any) -> None:
        account = self.account(options)
        world_text = None
        if options["world"] is not None:
            try:
                world_text = options["world"].read_text("utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                raise InvalidInput(f"--world {options['world']}: {exc}", field="world") from None
        report = account_simulate(
            account=account,
            policies=options["policy"],
            playbook=options["playbook"],
            days=options["days"],
            prospects=options["prospects"],
            seed=options["seed"],
            world_text=world_text,
        )
        if options["chart"] is not None:
            options["chart"].write_text(report_chart(report), "utf-8")
        self.emit(options, report.as_dict(), lambda console: _render(console, report))


def _render(console: Console, report: SimulationReport) -> None:
    console.print(report_text(report))
    for policy in report.policies:
        console.print(f"{policy.name}: {policy.description}")
