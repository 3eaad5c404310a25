"""Reading what works: the Insights report, summed from the pre-counted rows in a few queries
whatever the number of touches (the refresh did the counting)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import Case, F, IntegerField, Q, QuerySet, Sum, When

from ringback.accounts.models import Account
from ringback.config import ringback_setting
from ringback.core import clock
from ringback.core.errors import InvalidDate, UnknownPlaybook
from ringback.core.playbook import ALL_PARTS
from ringback.core.scheduling import zone
from ringback.core.stats import wilson
from ringback.insights.choices import ALL_PLAYBOOKS, WINDOWED, Dimension
from ringback.insights.models import InsightCount, InsightRefresh
from ringback.messaging.models import MessageAdvice
from ringback.messaging.selectors import message_advice_flagged
from ringback.playbooks.models import Playbook

#: The tables of rates the page and the command show, in order, with their titles.
RATE_TABLES: tuple[tuple[Dimension, str], ...] = (
    (Dimension.MESSAGE, "Messages"),
    (Dimension.VERSION, "Message versions"),
    (Dimension.VARIANT, "A/B variants"),
    (Dimension.STEP, "Steps"),
    (Dimension.CHANNEL, "Channels"),
    (Dimension.PLAYBOOK, "Playbooks"),
    (Dimension.PART, "Part of the day"),
    (Dimension.WEEKDAY, "Weekday"),
    (Dimension.ATTEMPT, "Call attempt"),
    (Dimension.REACH_ATTEMPT, "Calls answered, by attempt"),
)
#: How far back the page looks when no date is given.
DEFAULT_DAYS = 90


@dataclass(frozen=True, slots=True)
class RateRow:
    """One line of a table: finished touches and their responses, with a 95 % Wilson interval
    (``rate`` None below the minimum), and the touches still in their window."""

    key: str
    label: str
    touches: int
    responses: int
    pending: int
    pending_responses: int
    rate: float | None
    low: float | None
    high: float | None

    @property
    def note(self) -> str:
        """'8 of 64' (and '+ 12 pending' while windows are open)."""
        text = f"{self.responses} of {self.touches}"
        return text + (f", {self.pending} pending" if self.pending else "")


@dataclass(frozen=True, slots=True)
class RateTable:
    dimension: str
    title: str
    rows: tuple[RateRow, ...]
    #: The account's rate over the same rows (None below the minimum).
    overall: RateRow | None = None


@dataclass(frozen=True, slots=True)
class Filters:
    since: date
    until: date
    playbook: str = ""


@dataclass(frozen=True, slots=True)
class Report:
    """Everything the Insights page shows for a date range and a playbook."""

    filters: Filters
    tables: tuple[RateTable, ...]
    #: Connect rate by weekday (rows) and part of the day (columns).
    reach: tuple[tuple[RateRow | None, ...], ...]
    funnel: tuple[tuple[str, int], ...]
    reached_at: tuple[tuple[str, int], ...]
    delays: tuple[tuple[str, int], ...]
    credited: int
    uncredited: int
    advice: tuple[MessageAdvice, ...]
    refreshed_at: datetime | None
    window_days: int
    minimum: int
    playbooks: tuple[str, ...] = ()
    variant_weeks: dict[str, list[tuple[date, int, int]]] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        """Nothing counted yet in this range (a new account, or a range before its first touch)."""
        return not any(table.rows for table in self.tables) and not self.funnel

    def table(self, dimension: str) -> RateTable:
        return next(t for t in self.tables if t.dimension == dimension)


def insights_filters(
    *, account: Account, since: date | None = None, until: date | None = None, playbook: str = ""
) -> Filters:
    """The report's filters: ``since`` to ``until`` (default the last 90 days to today in the
    seller's zone), one of the account's playbooks or all; refused with the field named."""
    today = clock.now().astimezone(zone(account.time_zone)).date()
    until = until or today
    since = since or until - timedelta(days=DEFAULT_DAYS - 1)
    if since > until:
        raise InvalidDate(f"the start {since:%Y-%m-%d} is after the end {until:%Y-%m-%d}", field="since")
    if playbook and not Playbook.objects.filter(account=account, name=playbook).exists():
        raise UnknownPlaybook(f"no playbook called {playbook!r}", field="playbook")
    return Filters(since, until, playbook)


def _row(
    key: str, label: str, touches: int, responses: int, pending: int, pending_won: int, minimum: int
) -> RateRow:
    if touches >= minimum and touches > 0:
        interval = wilson(responses, touches)
        return RateRow(
            key,
            label,
            touches,
            responses,
            pending,
            pending_won,
            responses / touches,
            interval.low,
            interval.high,
        )
    return RateRow(key, label, touches, responses, pending, pending_won, None, None, None)


def insights_report(*, account: Account, filters: Filters, now: datetime | None = None) -> Report:
    """The Insights report (see :class:`Report`): three queries, whatever the number of touches."""
    now = now or clock.now()
    window = int(ringback_setting("ATTRIBUTION_DAYS"))
    minimum = int(ringback_setting("INSIGHTS_MIN_TOUCHES"))
    today = now.astimezone(zone(account.time_zone)).date()
    # A day's messages are finished once the window of its last minute has closed.
    closed_until = today - timedelta(days=window + 1)
    rows = InsightCount.objects.filter(
        account=account,
        playbook=filters.playbook or ALL_PLAYBOOKS,
        day__gte=filters.since,
        day__lte=filters.until,
    )
    windowed = Q(dimension__in=[d.value for d in WINDOWED])
    finished = Q(day__lte=closed_until) | ~windowed
    sums = rows.values("dimension", "key", "label").annotate(
        done=Sum(Case(When(finished, then=F("touches")), default=0, output_field=IntegerField())),
        done_won=Sum(Case(When(finished, then=F("responses")), default=0, output_field=IntegerField())),
        open=Sum(Case(When(finished, then=0), default=F("touches"), output_field=IntegerField())),
        open_won=Sum(Case(When(finished, then=0), default=F("responses"), output_field=IntegerField())),
    )
    grouped: dict[str, list[RateRow]] = defaultdict(list)
    for item in sums:
        grouped[item["dimension"]].append(
            _row(
                item["key"],
                item["label"],
                item["done"],
                item["done_won"],
                item["open"],
                item["open_won"],
                minimum,
            )
        )
    tables = []
    for dimension, title in RATE_TABLES:
        lines = sorted(grouped.get(dimension, []), key=lambda r: r.key)
        if dimension in (Dimension.MESSAGE, Dimension.STEP, Dimension.VERSION, Dimension.VARIANT):
            lines.sort(key=lambda r: (-(r.rate if r.rate is not None else -1), r.label))
        total = _row(
            "all", "All", sum(r.touches for r in lines), sum(r.responses for r in lines),
            sum(r.pending for r in lines), sum(r.pending_responses for r in lines), minimum,
        )  # fmt: skip
        tables.append(RateTable(dimension, title, tuple(lines), total if lines else None))
    cells = {r.key: r for r in grouped.get(Dimension.REACH, [])}
    reach = tuple(tuple(cells.get(f"{day}-{part.value}") for part in ALL_PARTS) for day in range(7))
    counted = {
        d: sorted(grouped.get(d, []), key=lambda r: r.key)
        for d in (Dimension.FUNNEL, Dimension.REACHED_AT, Dimension.DELAY, Dimension.CREDIT)
    }
    credit = {r.key: r.touches + r.pending for r in counted[Dimension.CREDIT]}
    refresh = InsightRefresh.objects.filter(account=account).first()
    return Report(
        filters=filters,
        tables=tuple(tables),
        reach=reach,
        funnel=tuple((r.label, r.touches + r.pending) for r in counted[Dimension.FUNNEL]),
        reached_at=tuple((r.label, r.touches + r.pending) for r in counted[Dimension.REACHED_AT]),
        delays=tuple((r.label, r.touches + r.pending) for r in counted[Dimension.DELAY]),
        credited=credit.get("number", 0) + credit.get("last", 0),
        uncredited=credit.get("none", 0),
        advice=tuple(message_advice_flagged(account=account)),
        refreshed_at=refresh.refreshed_at if refresh else None,
        window_days=window,
        minimum=minimum,
        playbooks=tuple(
            Playbook.objects.filter(account=account).order_by("name").values_list("name", flat=True)
        ),
        variant_weeks=_variant_weeks(rows),
    )


def _variant_weeks(rows: QuerySet[InsightCount]) -> dict[str, list[tuple[date, int, int]]]:
    """Each A/B variant's touches and responses by week (Monday), for shares over time."""
    weeks: dict[str, dict[date, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    for day, key, touches, responses in rows.filter(dimension=Dimension.VARIANT).values_list(
        "day", "key", "touches", "responses"
    ):
        monday = day - timedelta(days=day.weekday())
        weeks[key][monday][0] += touches
        weeks[key][monday][1] += responses
    return {key: sorted((week, t, r) for week, (t, r) in by_week.items()) for key, by_week in weeks.items()}
