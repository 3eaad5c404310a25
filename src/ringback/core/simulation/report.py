"""What a simulation says: the figures of each policy side by side, and a chart.

Definitions (each over the simulated days):

- **touches**: outbound touches of the chase (calls, including wrong numbers; cards; emails;
  texts; tasks). Returning a call-back is not one.
- **conversations**: a call picked up, a call-back after a voicemail or a card, or a reply to an
  email or a text; at most one per person (after it the chase stops). An automatic answer is none.
- **conversations per week** and **per hour** of the seller's time (minutes spent at the agenda's
  costs: a call that became a conversation costs a conversation, a returned call-back too).
- **touches per conversation**, **calls per day** (per working day), **cards per week**.
- **never touched**: prospects no touch reached.
- **pest events**, each touch counted once if it is any of: a call within 24 hours of an
  unanswered call (voicemail, no answer, busy) to the same person; a call that makes five or
  more calls to the person within 14 days; any touch after they said "not interested".
- **appointments** and **not interested**: what conversations became.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from ringback.core.charts import Series, line_chart
from ringback.core.playbook import Channel, Outcome
from ringback.core.simulation.records import PolicyRun, TouchRecord

_UNANSWERED = frozenset({Outcome.VOICEMAIL, Outcome.NO_ANSWER, Outcome.BUSY})
#: A call this soon after an unanswered one to the same person is a pest event.
PEST_GAP = timedelta(hours=24)
#: The fifth call (or more) to a person within this many days is a pest event.
PEST_WINDOW = timedelta(days=14)
PEST_CALLS = 5


@dataclass(frozen=True, slots=True)
class Metrics:
    """One policy's figures (see the module for what each means)."""

    touches: int
    calls: int
    cards: int
    emails: int
    texts: int
    people_touched: int
    never_touched: int
    conversations: int
    connects: int
    callbacks: int
    appointments: int
    not_interested: int
    auto_replies: int
    conversations_per_week: float
    conversations_per_hour: float
    touches_per_conversation: float | None
    calls_per_day: float
    cards_per_week: float
    seller_hours: float
    held_per_day: float
    pest_events: int


def pest_events(touches: Sequence[TouchRecord], refused: Mapping[int, datetime] | None = None) -> list[int]:
    """The indices of the touches that are pest events (see the module)."""
    by_person: dict[int, list[int]] = defaultdict(list)
    for n, touch in enumerate(touches):
        by_person[touch.person].append(n)
    refused_at = refused or {}
    found = []
    for person, indices in by_person.items():
        ordered = sorted(indices, key=lambda n: (touches[n].at, n))
        calls: list[TouchRecord] = []
        no = refused_at.get(person)
        for n in ordered:
            touch = touches[n]
            pest = no is not None and touch.at > no
            if touch.channel is Channel.CALL and touch.outcome is not Outcome.WRONG_NUMBER:
                if calls and calls[-1].outcome in _UNANSWERED and touch.at - calls[-1].at < PEST_GAP:
                    pest = True
                recent = [c for c in calls if touch.at - c.at < PEST_WINDOW]
                if len(recent) + 1 >= PEST_CALLS:
                    pest = True
                calls.append(touch)
            if pest:
                found.append(n)
    return sorted(found)


def metrics(run: PolicyRun) -> Metrics:
    """The figures of one run."""
    touches = run.touches
    by_channel: dict[Channel, int] = defaultdict(int)
    for touch in touches:
        by_channel[touch.channel] += 1
    people = len({t.person for t in touches})
    conversations = len(run.responses)
    weeks = run.days / 7
    working = sum(1 for d in run.day_logs if d.working) or 1
    hours = run.minutes_spent / 60
    held = sum(d.held for d in run.day_logs if d.working) / working
    return Metrics(
        touches=len(touches),
        calls=by_channel[Channel.CALL],
        cards=by_channel[Channel.MAIL],
        emails=by_channel[Channel.EMAIL],
        texts=by_channel[Channel.SMS],
        people_touched=people,
        never_touched=run.people - people,
        conversations=conversations,
        connects=sum(1 for r in run.responses if r.kind == "connected"),
        callbacks=sum(1 for r in run.responses if r.kind != "connected"),
        appointments=sum(1 for r in run.responses if r.appointment),
        not_interested=sum(1 for r in run.responses if r.not_interested),
        auto_replies=run.auto_replies,
        conversations_per_week=round(conversations / weeks, 3) if weeks else 0.0,
        conversations_per_hour=round(conversations / hours, 3) if hours else 0.0,
        touches_per_conversation=round(len(touches) / conversations, 2) if conversations else None,
        calls_per_day=round(by_channel[Channel.CALL] / working, 2),
        cards_per_week=round(by_channel[Channel.MAIL] / weeks, 2) if weeks else 0.0,
        seller_hours=round(hours, 2),
        held_per_day=round(held, 2),
        pest_events=len(pest_events(touches, run.refused)),
    )


def cumulative_conversations(run: PolicyRun) -> list[int]:
    """Conversations so far at the end of each simulated day."""
    per_day = [0] * run.days
    for response in run.responses:
        if 0 <= response.day < run.days:
            per_day[response.day] += 1
    out, total = [], 0
    for count in per_day:
        total += count
        out.append(total)
    return out


@dataclass(frozen=True, slots=True)
class PolicyReport:
    name: str
    description: str
    metrics: Metrics
    cumulative_conversations: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class SimulationReport:
    """Every policy's figures for one world, seed and number of days."""

    seed: int
    days: int
    prospects: int
    start: str
    policies: tuple[PolicyReport, ...]

    def as_dict(self) -> dict[str, object]:
        """The report as plain JSON-able values (the same for the same seed)."""
        return {
            "seed": self.seed,
            "days": self.days,
            "prospects": self.prospects,
            "start": self.start,
            "policies": [
                {
                    "name": p.name,
                    "description": p.description,
                    "metrics": asdict(p.metrics),
                    "cumulative_conversations": list(p.cumulative_conversations),
                }
                for p in self.policies
            ],
        }


def policy_report(run: PolicyRun) -> PolicyReport:
    """One run's part of the report."""
    return PolicyReport(
        run.policy.name, run.policy.description, metrics(run), tuple(cumulative_conversations(run))
    )


#: The rows of the side-by-side table, in order, with their labels.
ROWS: tuple[tuple[str, str], ...] = (
    ("conversations", "conversations"),
    ("conversations_per_week", "conversations / week"),
    ("conversations_per_hour", "conversations / hour"),
    ("touches_per_conversation", "touches / conversation"),
    ("appointments", "appointments"),
    ("not_interested", "not interested"),
    ("connects", "calls picked up"),
    ("callbacks", "call-backs and replies"),
    ("touches", "touches"),
    ("calls_per_day", "calls / working day"),
    ("cards_per_week", "cards / week"),
    ("emails", "emails"),
    ("texts", "texts"),
    ("people_touched", "people touched"),
    ("never_touched", "never touched"),
    ("pest_events", "pest events"),
    ("held_per_day", "held / working day"),
    ("seller_hours", "seller hours"),
)


def report_rows(report: SimulationReport) -> list[dict[str, object]]:
    """The side-by-side table: one row per figure, a column per policy."""
    rows = []
    for key, label in ROWS:
        row: dict[str, object] = {"figure": label}
        for policy in report.policies:
            row[policy.name] = getattr(policy.metrics, key)
        rows.append(row)
    return rows


def _cell(value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:,.2f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def report_text(report: SimulationReport) -> str:
    """The side-by-side table as aligned text (figures right-aligned), for the command line."""
    names = [p.name for p in report.policies]
    grid = [["", *names]] + [
        [str(row["figure"]), *(_cell(row[name]) for name in names)] for row in report_rows(report)
    ]
    widths = [max(len(line[i]) for line in grid) for i in range(len(grid[0]))]
    lines = []
    for line in grid:
        cells = [line[0].ljust(widths[0])] + [c.rjust(w) for c, w in zip(line[1:], widths[1:], strict=True)]
        lines.append("  ".join(cells).rstrip())
    head = f"{report.prospects:,} prospects, {report.days} days from {report.start}, seed {report.seed}"
    return "\n".join([head, *lines])


def report_chart(report: SimulationReport) -> str:
    """Cumulative conversations per day for each policy, as an SVG line chart."""
    series = [
        Series(
            p.name, [(float(day + 1), float(total)) for day, total in enumerate(p.cumulative_conversations)]
        )
        for p in report.policies
    ]
    return line_chart(series, title="Conversations so far, by policy", x_label="day", y_label="conversations")
