"""The Insights report as people see it: charts (server-rendered SVG, styled by the linked
``ringback/charts.css``: the page's Content-Security-Policy refuses inline styles), table rows
for CSV and JSON, and the words for an empty account."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from django.utils.safestring import SafeString, mark_safe

from ringback.core.charts import Cell, RateBar, Series, funnel, heat_grid, line_chart, rate_bars, unstyled
from ringback.core.learning import WEEKDAYS
from ringback.core.playbook import ALL_PARTS
from ringback.insights.selectors import RateRow, RateTable, Report

#: The columns of every table in CSV and JSON.
COLUMNS = (
    "table", "key", "label", "touches", "responses", "rate", "low", "high", "pending", "pending_responses",
)  # fmt: skip


def _percent(value: float | None) -> str:
    return "" if value is None else f"{100 * value:.1f} %"


def _bar(row: RateRow) -> RateBar:
    return RateBar(row.label, row.rate, row.low, row.high, row.note)


def table_chart(table: RateTable) -> SafeString:
    """A table's rates as bars with their 95 % intervals (the charts escape every label)."""
    return mark_safe(unstyled(rate_bars([_bar(row) for row in table.rows], title=table.title)))


def reach_chart(report: Report) -> SafeString:
    """When people answer: the connect rate of each weekday and part of the day."""
    cells = [
        [
            Cell(
                row.rate if row is not None else None,
                _percent(row.rate) if row is not None and row.rate is not None else "",
                f"{WEEKDAYS[day]} {part.value}: "
                + (
                    f"{_percent(row.rate)} ({row.responses} of {row.touches})"
                    if row and row.rate is not None
                    else "not enough calls yet"
                ),
            )
            for part, row in zip(ALL_PARTS, parts, strict=True)
        ]
        for day, parts in enumerate(report.reach)
    ]
    grid = heat_grid(
        list(WEEKDAYS), [p.value for p in ALL_PARTS], cells, title="When people answer your calls"
    )
    return mark_safe(unstyled(grid))


def funnel_chart(report: Report) -> SafeString:
    return mark_safe(unstyled(funnel(list(report.funnel), title="From enrolled to customer")))


def variant_chart(report: Report) -> SafeString:
    """Each A/B variant's share of its step's touches, week by week."""
    steps: dict[str, dict[date, int]] = {}
    for key, weeks in report.variant_weeks.items():
        step = key.rsplit("/", 1)[0]
        for week, touches, _ in weeks:
            steps.setdefault(step, {})
            steps[step][week] = steps[step].get(week, 0) + touches
    series = []
    for key, weeks in sorted(report.variant_weeks.items()):
        totals = steps[key.rsplit("/", 1)[0]]
        first = min(totals) if totals else None
        points = [
            ((week - first).days / 7 + 1, touches / totals[week])
            for week, touches, _ in weeks
            if first and totals[week]
        ]
        series.append(Series(key.replace("/", ": "), points))
    chart = line_chart(
        series,
        title="A/B variants: share of the step's touches by week",
        x_label="week",
        y_label="share",
        y_percent=True,
    )
    return mark_safe(unstyled(chart))


def table_rows(report: Report, dimension: str | None = None) -> Iterator[dict[str, object]]:
    """Every line of every rate table (or of one), as CSV and JSON write them."""
    for table in report.tables:
        if dimension is not None and table.dimension != dimension:
            continue
        for row in table.rows:
            yield {
                "table": table.dimension,
                "key": row.key,
                "label": row.label,
                "touches": row.touches,
                "responses": row.responses,
                "rate": None if row.rate is None else round(row.rate, 4),
                "low": None if row.low is None else round(row.low, 4),
                "high": None if row.high is None else round(row.high, 4),
                "pending": row.pending,
                "pending_responses": row.pending_responses,
            }


def report_json(report: Report) -> dict[str, object]:
    """The report as ``ringback insights --json`` prints it."""
    return {
        "since": report.filters.since.isoformat(),
        "until": report.filters.until.isoformat(),
        "playbook": report.filters.playbook or None,
        "window_days": report.window_days,
        "minimum_touches": report.minimum,
        "refreshed_at": report.refreshed_at.isoformat() if report.refreshed_at else None,
        "tables": {
            table.dimension: [row for row in table_rows(report, table.dimension)] for table in report.tables
        },
        "when_they_answer": {
            f"{WEEKDAYS[day]} {part.value}": (
                None if row is None else {"calls": row.touches, "answered": row.responses, "rate": row.rate}
            )
            for day, parts in enumerate(report.reach)
            for part, row in zip(ALL_PARTS, parts, strict=True)
        },
        "funnel": dict(report.funnel),
        "attempts_it_took": dict(report.reached_at),
        "time_to_respond": dict(report.delays),
        "responses_credited": report.credited,
        "responses_uncredited": report.uncredited,
        "change_your_message": [
            {
                "message": advice.message.name,
                "touches": advice.touches,
                "responses": advice.responses,
                "usual_rate": advice.usual_responses / advice.usual_touches if advice.usual_touches else None,
                "probability_worse": round(advice.probability_worse, 3),
                "checks": advice.checks,
            }
            for advice in report.advice
        ],
    }
