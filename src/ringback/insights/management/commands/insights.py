"""``ringback insights``: which messages, steps and times bring responses."""

from __future__ import annotations

import csv
from typing import Any

from django.core.management.base import CommandParser
from rich.console import Console
from rich.table import Table

from ringback.accounts.commands import AccountCommand
from ringback.insights.choices import Dimension
from ringback.insights.presenters import COLUMNS, report_json, table_rows
from ringback.insights.selectors import Report, insights_filters, insights_report
from ringback.insights.services import insights_refresh
from ringback.interface.commands import parse_day


class Command(AccountCommand):
    help = (
        "Which messages, steps, channels and calling times bring responses, with 95 % intervals. "
        "Also the funnel, when people answer, and the messages to change; --csv for every table."
    )
    reads = True

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("--since", help="first day (YYYY-MM-DD; default 90 days before --until)")
        parser.add_argument("--until", help="last day (YYYY-MM-DD; default today)")
        parser.add_argument("--playbook", default="", help="only this playbook")
        parser.add_argument("--csv", action="store_true", help="every table as CSV on standard output")
        parser.add_argument("--table", choices=Dimension.values, help="with --csv: only this table")
        parser.add_argument(
            "--no-refresh", action="store_true", help="show the last count instead of counting again first"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        account = self.account(options)
        filters = insights_filters(
            account=account,
            since=parse_day(options["since"], what="--since") if options["since"] else None,
            until=parse_day(options["until"], what="--until") if options["until"] else None,
            playbook=options["playbook"],
        )
        if not options["no_refresh"]:
            insights_refresh(account=account)
        report = insights_report(account=account, filters=filters)
        if options["csv"]:
            writer = csv.DictWriter(self.stdout, fieldnames=COLUMNS, lineterminator="\n")
            writer.writeheader()
            writer.writerows(table_rows(report, options["table"]))
            return
        self.emit(options, report_json(report), lambda console: _render(console, report))


def _rate(rate: float | None, low: float | None, high: float | None) -> str:
    if rate is None or low is None or high is None:
        return "not enough data yet"
    return f"{rate:.1%} ({low:.1%}–{high:.1%})"


def _render(console: Console, report: Report) -> None:
    f = report.filters
    where = f", playbook {f.playbook}" if f.playbook else ""
    console.print(f"What works, {f.since:%Y-%m-%d} to {f.until:%Y-%m-%d}{where}")
    if report.empty:
        console.print(
            "Nothing to measure yet: log the outcome of your calls, cards and emails (ringback log, "
            "or Today), and within a week or two this shows which messages and times work for you."
        )
        return
    console.print(
        f"{report.credited} responses credited to a message, {report.uncredited} with no message before "
        f"them. A message is finished {report.window_days} days after it was left; a rate shows from "
        f"{report.minimum} finished touches."
    )
    for advice in report.advice:
        usual = advice.usual_responses / advice.usual_touches if advice.usual_touches else 0.0
        console.print(
            f"Change your message: {advice.message.title} ({advice.message.name}) brought "
            f"{advice.responses} of {advice.touches}, against {usual:.1%} usually; the chance it does "
            f"worse is {advice.probability_worse:.0%}."
        )
        for check in advice.checks:
            console.print(f"  - {check}")
    if report.funnel:
        console.print("Funnel: " + " → ".join(f"{label} {count}" for label, count in report.funnel))
    for table in report.tables:
        if not table.rows:
            continue
        grid = Table(title=table.title, title_justify="left")
        for column in (table.title, "Touches", "Responses", "Rate (95 % interval)", "Pending"):
            grid.add_column(column)
        for row in table.rows:
            grid.add_row(
                row.label,
                str(row.touches),
                str(row.responses),
                _rate(row.rate, row.low, row.high),
                str(row.pending),
            )
        console.print(grid)
