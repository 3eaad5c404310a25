"""Counting what works (R13): credit every response to the message that earned it, pre-count the
results by day for the Insights page, and hand planning what it learns.

One refresh reads the account's touches once, in contact order:

- each contact's touches go through :func:`ringback.core.credit.credit`; every credit is kept
  (:class:`ResponseCredit`, with the chain that led there);
- messages and their credited responses are counted by day (in the seller's zone) for every
  dimension of the page (message, version, A/B variant, step, channel, playbook, part of day,
  weekday, attempt), calls and connects by weekday and part of the day (in the contact's zone) and
  by attempt, responses by delay and by attempts it took, enrollments through the funnel;
- planning gets the Beta posterior of each message of a step with several (closed attribution
  windows only, discounted by the results' half-life) and calls and connects per cell for the
  account, each warmth, each tag and each contact (``playbooks.Learned``);
- the library gets "change your message" advice for each message (``messaging.MessageAdvice``).

Everything is replaced in one transaction, so the page never sees half a refresh.
"""

from __future__ import annotations

import itertools
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.db import connection, transaction
from django.db.models import Max

from ringback.accounts.models import Account
from ringback.activities.models import Appointment, Touch, TouchUndo
from ringback.config import ringback_setting
from ringback.contacts.choices import ContactStatus, Warmth
from ringback.contacts.models import Contact
from ringback.core import clock
from ringback.core.checks import MessageKind
from ringback.core.credit import MESSAGE_OUTCOMES, RESPONSE_OUTCOMES, Credit, TouchFact, credit
from ringback.core.errors import TemplateError
from ringback.core.learning import WEEKDAYS, variant_arms
from ringback.core.messages import message_findings
from ringback.core.scheduling import part_of_day, zone
from ringback.core.stats import Beta, Tally, decay, probability_below
from ringback.insights.choices import ALL_PLAYBOOKS, CreditMatch, Dimension
from ringback.insights.models import InsightCount, InsightRefresh, ResponseCredit
from ringback.messaging.models import Message, MessageAdvice, MessageVersion
from ringback.messaging.services import message_advice_replace
from ringback.playbooks.choices import LearnedKind
from ringback.playbooks.models import Enrollment, Learned, Playbook
from ringback.playbooks.selectors import WARMTH_WHO, playbook_latest_version, version_spec
from ringback.playbooks.services import learned_replace

#: Outcomes of an outbound call that mean they picked up.
ANSWERED = frozenset({"connected", "not-interested", "appointment", "do-not-contact"})
#: Outcomes of an outbound call that were an attempt to reach them (a wrong number was not).
ATTEMPTS = frozenset({"voicemail", "no-answer", "busy"}) | ANSWERED
#: How the time from a message to its response is grouped, in days (upper bounds).
DELAYS = ((1, "the same day"), (2, "the next day"), (4, "2–3 days"), (8, "4–7 days"))
#: The attempts-it-took table stops at this many ("8 or more").
MOST_ATTEMPTS = 8
_BATCH = 2000
#: Rows per INSERT of the counts (8 values each: under SQLite's 32,766 parameters).
_INSERT_BATCH = 500


@dataclass(slots=True)
class _Counts:
    """Rows being counted: (day, playbook, dimension, key) → [touches, responses], with labels."""

    cells: dict[tuple[date, str, str, str], list[int]] = field(default_factory=dict)
    labels: dict[tuple[str, str], str] = field(default_factory=dict)

    def add(
        self, day: date, playbook: str, dimension: str, key: str, label: str, *, touches: int, responses: int
    ) -> None:
        """Count under the playbook and under every playbook (:data:`ALL_PLAYBOOKS`): the page
        without a filter then sums the fewest rows."""
        self.labels.setdefault((dimension, key), label[:300])
        for book in (playbook, ALL_PLAYBOOKS):
            cell = self.cells.get((day, book, dimension, key))
            if cell is None:
                self.cells[(day, book, dimension, key)] = [touches, responses]
            else:
                cell[0] += touches
                cell[1] += responses

    def insert(self, account: Account) -> None:
        """Write the rows with one multi-row INSERT per batch: an account's history makes tens of
        thousands of them, and building a model instance for each took most of a refresh."""
        table = connection.ops.quote_name(InsightCount._meta.db_table)
        columns = ("account_id", "day", "playbook", "dimension", "key", "label", "touches", "responses")
        names = ", ".join(connection.ops.quote_name(c) for c in columns)
        day_value = connection.ops.adapt_datefield_value
        rows = [
            (
                account.pk,
                day_value(day),
                playbook,
                dimension,
                key,
                self.labels[(dimension, key)],
                touches,
                won,
            )
            for (day, playbook, dimension, key), (touches, won) in self.cells.items()
        ]
        with connection.cursor() as cursor:
            for start in range(0, len(rows), _INSERT_BATCH):
                batch = rows[start : start + _INSERT_BATCH]
                values = ", ".join(["(" + ", ".join(["%s"] * len(columns)) + ")"] * len(batch))
                cursor.execute(
                    f"INSERT INTO {table} ({names}) VALUES {values}",
                    [value for row in batch for value in row],
                )


@dataclass(slots=True)
class _Learning:
    """Tallies for planning: per step message (closed windows, discounted), per call cell."""

    #: (playbook, message) → [responses, touches] of the messages of steps with several.
    variants: dict[tuple[str, str], list[float]] = field(default_factory=dict)
    times: dict[str, dict[str, list[float]]] = field(default_factory=lambda: defaultdict(dict))
    who: dict[str, str] = field(default_factory=dict)
    contacts: dict[str, int] = field(default_factory=dict)

    def call(self, keys: Iterable[str], cell: str, *, weight: float, answered: bool) -> None:
        for key in keys:
            tally = self.times[key].setdefault(cell, [0.0, 0.0])
            tally[0] += weight if answered else 0.0
            tally[1] += weight


@dataclass(frozen=True, slots=True)
class _Version:
    message_id: int
    name: str
    title: str
    number: int
    kind: str


def _versions(account: Account) -> dict[int, _Version]:
    rows = MessageVersion.objects.filter(account=account).values_list(
        "pk", "message_id", "message__name", "message__title", "number", "message__kind"
    )
    return {
        pk: _Version(message, name, title, number, kind) for pk, message, name, title, number, kind in rows
    }


def _multi_template_steps(account: Account) -> dict[str, dict[str, tuple[str, ...]]]:
    """The steps with several messages in each playbook's latest version: playbook → step → names."""
    steps: dict[str, dict[str, tuple[str, ...]]] = {}
    for playbook in Playbook.objects.filter(account=account):
        spec = version_spec(version=playbook_latest_version(playbook=playbook))
        found = {step.id: step.templates for step in spec.steps if len(step.templates) > 1}
        if found:
            steps[playbook.name] = found
    return steps


_COLUMNS = (
    "pk", "contact_id", "enrollment_id", "at", "channel", "direction", "outcome", "phone",
    "step", "attempt", "template", "message_version_id", "created_at",
)  # fmt: skip
#: One touch as the refresh reads it (the columns above, in that order).
_Row = tuple[int, int, int | None, datetime, str, str, str, str, str, int | None, str, int | None, datetime]


class _Refresh:
    """One account's refresh: what it reads once, and what it counts as it goes."""

    def __init__(self, account: Account, now: datetime) -> None:
        self.account, self.now = account, now
        self.window = timedelta(days=int(ringback_setting("ATTRIBUTION_DAYS")))
        self.half_life = float(ringback_setting("RESULTS_HALF_LIFE_DAYS"))
        self.seller = zone(account.time_zone)
        self.versions = _versions(account)
        self.multi = _multi_template_steps(account)
        self.contacts = {
            pk: (zone_name or account.time_zone, warmth)
            for pk, zone_name, warmth in Contact.objects.filter(account=account).values_list(
                "pk", "time_zone", "warmth"
            )
        }
        self.tags: dict[int, list[tuple[int, str]]] = defaultdict(list)
        through = Contact.tags.through.objects.filter(contact__account=account)
        for contact_id, tag_id, tag_name in through.values_list("contact_id", "tag_id", "tag__name"):
            self.tags[contact_id].append((tag_id, tag_name))
        self.playbook_of: dict[int, str] = dict(
            Enrollment.objects.filter(account=account).values_list("pk", "version__playbook__name")
        )
        self.counts, self.learning = _Counts(), _Learning()
        self.credits: list[ResponseCredit] = []
        self.advice: dict[int, list[int]] = defaultdict(lambda: [0, 0])  # message → [touches, responses]
        self.responded: set[int] = set()  # enrollments
        self.newest: datetime | None = None
        self.touches = self.responses = self.uncredited = 0

    def weight(self, at: datetime) -> float:
        return decay((self.now - at).total_seconds() / 86400, self.half_life)

    def contact(self, contact_id: int, rows: list[_Row]) -> None:
        """Credit and count one contact's touches (in time order)."""
        self.touches += len(rows)
        zone_name, warmth = self.contacts.get(contact_id, (self.account.time_zone, ""))
        local = zone(zone_name)
        found = credit((TouchFact(r[0], r[3], r[4], r[5], r[6], r[7]) for r in rows), window=self.window)
        by_id = {row[0]: row for row in rows}
        credited = {c.message_id for c in found if c.message_id is not None}
        # What the words themselves brought: their call back or reply. A later call of the
        # seller's that connects is credited in the report, but says more about the time of day
        # than about the words, and is left out of what the A/B picks learn from.
        answered = {
            c.message_id for c in found if c.message_id is not None and by_id[c.response_id][5] == "in"
        }
        own_tags = self.tags.get(contact_id, ())
        keys = (
            "account",
            f"warmth:{warmth}",
            *(f"tag:{tag_id}" for tag_id, _ in own_tags),
            f"contact:{contact_id}",
        )
        self.learning.who.setdefault(f"warmth:{warmth}", WARMTH_WHO.get(Warmth(warmth), "") if warmth else "")
        for tag_id, tag_name in own_tags:
            self.learning.who.setdefault(f"tag:{tag_id}", f"people tagged {tag_name}")
        self.learning.contacts[f"contact:{contact_id}"] = contact_id
        returns = _returned_calls(rows, self.window)
        for row in rows:
            self.touch(
                row,
                local=local,
                won=row[0] in credited,
                answered=row[0] in answered,
                keys=keys,
                attempt_to_reach=row[0] not in returns,
            )
        for found_credit in found:
            self.credit(found_credit, by_id)

    def touch(
        self,
        row: _Row,
        *,
        local: ZoneInfo,
        won: bool,
        answered: bool,
        keys: tuple[str, ...],
        attempt_to_reach: bool = True,
    ) -> None:
        """Count one touch: as a message, as a call attempt, as a response of its enrollment."""
        (
            _pk,
            _,
            enrollment_id,
            at,
            channel,
            direction,
            outcome,
            _,
            step,
            attempt,
            template,
            version_id,
            created,
        ) = row
        self.newest = created if self.newest is None or created > self.newest else self.newest
        playbook = self.playbook_of.get(enrollment_id, "") if enrollment_id else ""
        day = at.astimezone(self.seller).date()
        there = at.astimezone(local)
        cell = (there.weekday(), part_of_day(there).value)
        if direction == "out" and outcome in MESSAGE_OUTCOMES:
            version = self.versions.get(version_id or 0)
            steps = self.multi.get(playbook, {})
            _count_message(
                self.counts, day=day, playbook=playbook, won=won, channel=channel, step=step,
                attempt=attempt, template=template, version=version, cell=cell, variant_steps=steps,
            )  # fmt: skip
            if at + self.window <= self.now:  # closed: it counts for learning and advice
                if step in steps and template:
                    # A message's results are pooled over the steps of the playbook that use it.
                    weight = self.weight(at)
                    tally = self.learning.variants.setdefault((playbook, template), [0.0, 0.0])
                    tally[0] += weight if answered else 0.0
                    tally[1] += weight
                if version is not None:
                    self.advice[version.message_id][0] += 1
                    self.advice[version.message_id][1] += int(won)
        if channel == "call" and direction == "out" and outcome in ATTEMPTS and attempt_to_reach:
            picked_up = int(outcome in ANSWERED)
            label = f"{WEEKDAYS[cell[0]]} {cell[1]}"
            self.counts.add(
                day, playbook, Dimension.REACH, f"{cell[0]}-{cell[1]}", label, touches=1, responses=picked_up
            )
            if attempt:
                self.counts.add(
                    day, playbook, Dimension.REACH_ATTEMPT, f"{attempt:02d}", f"Attempt {attempt}",
                    touches=1, responses=picked_up,
                )  # fmt: skip
            self.learning.call(keys, f"{cell[0]}-{cell[1]}", weight=self.weight(at), answered=bool(picked_up))
        if outcome in RESPONSE_OUTCOMES and enrollment_id:
            self.responded.add(enrollment_id)

    def credit(self, found: Credit, by_id: dict[int, _Row]) -> None:
        """Keep one credit, and count its response by match, delay and attempts it took."""
        self.responses += 1
        response = by_id[found.response_id]
        playbook = self.playbook_of.get(response[2], "") if response[2] else ""
        day = found.at.astimezone(self.seller).date()
        match = CreditMatch(found.match.value)
        self.counts.add(
            day, playbook, Dimension.CREDIT, match.value, str(match.label), touches=1, responses=1
        )
        if found.message_id is None:
            self.uncredited += 1
        else:
            waited = (found.at - by_id[found.message_id][3]).total_seconds() / 86400
            key, label = next(
                ((str(i), text) for i, (days, text) in enumerate(DELAYS) if waited < days),
                ("9", "more than a week"),
            )
            self.counts.add(day, playbook, Dimension.DELAY, key, label, touches=1, responses=1)
        calls = sum(1 for pk in found.chain if by_id[pk][4] == "call")
        calls += int(response[5] == "out" and response[4] == "call")
        if calls:
            took = min(calls, MOST_ATTEMPTS)
            label = f"{took} or more" if took == MOST_ATTEMPTS else str(took)
            self.counts.add(day, playbook, Dimension.REACHED_AT, f"{took:02d}", label, touches=1, responses=1)
        self.credits.append(
            ResponseCredit(
                account=self.account, response_id=found.response_id, message_id=found.message_id,
                match=match.value, chain=list(found.chain), at=found.at,
            )
        )  # fmt: skip


def insights_refresh(*, account: Account, now: datetime | None = None) -> InsightRefresh:
    """Count the account's results again from all its touches (see the module) and replace what
    the page, planning and the library read, in one transaction. Refreshes of one account run one
    after the other (the account's ``InsightRefresh`` row is locked first), so two at once never
    write over each other's rows half-way."""
    started = time.perf_counter()
    now = now or clock.now()
    InsightRefresh.objects.get_or_create(account=account, defaults={"refreshed_at": now})
    with transaction.atomic():
        InsightRefresh.objects.select_for_update().filter(account=account).values_list("pk", flat=True).get()
        run = _Refresh(account, now)
        touches = (
            Touch.objects.kept()
            .filter(account=account)
            .order_by("contact_id", "at", "pk")
            .values_list(*_COLUMNS)
        )
        for contact_id, group in itertools.groupby(
            touches.iterator(chunk_size=_BATCH), key=lambda row: row[1]
        ):
            run.contact(contact_id, list(group))
        _count_funnel(run.counts, account=account, responded=run.responded)
        InsightCount.objects.filter(account=account).delete()
        run.counts.insert(account)
        ResponseCredit.objects.filter(account=account).delete()
        ResponseCredit.objects.bulk_create(run.credits, batch_size=_BATCH)
        learned_replace(account=account, rows=_learned_rows(account, run.learning, run.multi, run.now))
        message_advice_replace(account=account, advice=_advice_rows(account, run.advice, run.now))
        InsightRefresh.objects.filter(account=account).update(
            refreshed_at=run.now,
            newest_touch_at=run.newest,
            touches=run.touches,
            responses=run.responses,
            uncredited=run.uncredited,
            seconds=time.perf_counter() - started,
        )
    return InsightRefresh.objects.get(account=account)


def _returned_calls(rows: list[_Row], window: timedelta) -> set[int]:
    """The seller's calls that return a response (after they called or wrote back, before any new
    message, within the window): a conversation going on, not an attempt to reach them, so they
    say nothing of when the person answers."""
    returns: set[int] = set()
    last_response: datetime | None = None
    for pk, _, _, at, channel, direction, outcome, *_ in rows:
        if outcome in RESPONSE_OUTCOMES and (direction == "in" or last_response is None):
            last_response = at if direction == "in" else last_response
        if direction == "out" and outcome in MESSAGE_OUTCOMES:
            last_response = None
        elif (
            channel == "call"
            and direction == "out"
            and last_response is not None
            and at - last_response <= window
        ):
            returns.add(pk)
    return returns


def _count_message(
    counts: _Counts,
    *,
    day: date,
    playbook: str,
    won: bool,
    channel: str,
    step: str,
    attempt: int | None,
    template: str,
    version: _Version | None,
    cell: tuple[int, str],
    variant_steps: dict[str, tuple[str, ...]],
) -> None:
    """Count one message (and its credited response, ``won``) under every dimension it has."""
    responses = int(won)

    def add(dimension: Dimension, key: str, label: str) -> None:
        counts.add(day, playbook, dimension, key, label, touches=1, responses=responses)

    add(Dimension.CHANNEL, channel, channel)
    add(Dimension.PART, cell[1], cell[1])
    add(Dimension.WEEKDAY, str(cell[0]), WEEKDAYS[cell[0]])
    if playbook:
        add(Dimension.PLAYBOOK, playbook, playbook)
    if step:
        add(Dimension.STEP, f"{playbook}/{step}", f"{playbook}: {step}")
    if attempt:
        add(Dimension.ATTEMPT, f"{attempt:02d}", f"Call {attempt}")
    if version is not None:
        add(Dimension.MESSAGE, f"m{version.message_id}", f"{version.title} ({version.name})")
        add(
            Dimension.VERSION,
            f"v{version.message_id}-{version.number:04d}",
            f"{version.title} v{version.number}",
        )
    elif template:
        add(Dimension.MESSAGE, f"t:{playbook}/{template}", f"{template} (in {playbook or 'no playbook'})")
    if step and template and template in variant_steps.get(step, ()):
        add(Dimension.VARIANT, f"{playbook}/{step}/{template}", f"{playbook}: {step}: {template}")


def _count_funnel(counts: _Counts, *, account: Account, responded: set[int]) -> None:
    """Enrollments by the day they started: enrolled, reached (a response), an appointment booked
    after the start, and people who are customers now."""
    tz = zone(account.time_zone)
    booked: dict[int, list[datetime]] = defaultdict(list)
    for contact_id, created in Appointment.objects.filter(account=account).values_list(
        "contact_id", "created_at"
    ):
        booked[contact_id].append(created)
    rows = Enrollment.objects.filter(account=account).values_list(
        "pk", "contact_id", "started_at", "version__playbook__name", "contact__status"
    )
    for pk, contact_id, started, playbook, status in rows:
        day = started.astimezone(tz).date()
        counts.add(day, playbook, Dimension.FUNNEL, "1-enrolled", "Enrolled", touches=1, responses=1)
        if pk in responded:
            counts.add(day, playbook, Dimension.FUNNEL, "2-reached", "Reached", touches=1, responses=1)
        if any(at >= started for at in booked.get(contact_id, ())):
            counts.add(
                day, playbook, Dimension.FUNNEL, "3-appointment", "Appointment", touches=1, responses=1
            )
        if status == ContactStatus.CUSTOMER:
            counts.add(day, playbook, Dimension.FUNNEL, "4-customer", "Customer", touches=1, responses=1)


def _learned_rows(
    account: Account,
    learning: _Learning,
    multi: dict[str, dict[str, tuple[str, ...]]],
    now: datetime,
) -> list[Learned]:
    rows: list[Learned] = []
    for playbook, steps in multi.items():
        for step, names in steps.items():
            tallies = {name: Tally(*learning.variants.get((playbook, name), [0.0, 0.0])) for name in names}
            arms = variant_arms(tallies)
            data = {
                arm.name: [
                    arm.belief.alpha,
                    arm.belief.beta,
                    arm.retired,
                    tallies[arm.name].successes,
                    tallies[arm.name].trials,
                ]
                for arm in arms
            }
            rows.append(
                Learned(
                    account=account,
                    kind=LearnedKind.VARIANTS,
                    key=f"{playbook}/{step}",
                    data=data,
                    updated_at=now,
                )
            )
    for key, cells in learning.times.items():
        if not cells:
            continue
        contact_id = learning.contacts.get(key)
        if contact_id is not None and not any(connects for connects, _ in cells.values()):
            continue  # a contact who never answered says nothing their segment does not
        times: dict[str, object] = {"cells": cells, "who": learning.who.get(key, "")}
        rows.append(
            Learned(
                account=account,
                kind=LearnedKind.CALL_TIMES,
                key=key,
                contact_id=contact_id,
                data=times,
                updated_at=now,
            )
        )
    return rows


def _advice_rows(account: Account, results: dict[int, list[int]], now: datetime) -> list[MessageAdvice]:
    """'Change your message': each message with results against the usual rate of its kind."""
    minimum = int(ringback_setting("ADVICE_MIN_TOUCHES"))
    threshold = float(ringback_setting("ADVICE_PROBABILITY"))
    messages = {m.pk: m for m in Message.objects.filter(account=account, pk__in=list(results))}
    by_kind: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for message_id, (sent, won) in results.items():
        if message_id in messages:
            by_kind[messages[message_id].kind][0] += sent
            by_kind[messages[message_id].kind][1] += won
    latest = {
        v.message_id: v
        for v in MessageVersion.objects.filter(account=account, message_id__in=list(messages)).order_by(
            "message_id", "number"
        )
    }
    rows = []
    for message_id, (sent, won) in results.items():
        message = messages.get(message_id)
        if message is None or sent == 0:
            continue
        usual_sent = by_kind[message.kind][0] - sent
        usual_won = by_kind[message.kind][1] - won
        worse = probability_below(
            Beta(1 + won, 1 + sent - won), Beta(1 + usual_won, 1 + usual_sent - usual_won)
        )
        flagged = sent >= minimum and usual_sent >= minimum and worse >= threshold
        version = latest.get(message_id)
        checks: list[str] = []
        if flagged and version is not None:
            try:
                checks = [
                    f.message
                    for f in message_findings(
                        kind=MessageKind(message.kind),
                        body=version.body,
                        subject=version.subject,
                        last_step=message.is_last,
                    )
                ]
            except TemplateError as exc:
                checks = [exc.message]
        rows.append(
            MessageAdvice(
                account=account,
                message=message,
                touches=sent,
                responses=won,
                usual_touches=max(usual_sent, 0),
                usual_responses=max(usual_won, 0),
                probability_worse=worse,
                flagged=flagged,
                checks=checks,
                computed_at=now,
            )
        )
    return rows


def insights_refresh_due(
    *, account: Account, now: datetime | None = None, every: timedelta = timedelta(hours=6)
) -> bool:
    """Whether the account's counts are out of date: a touch newer than the last refresh, or no
    refresh for ``every`` (attribution windows close as time passes)."""
    now = now or clock.now()
    refresh = InsightRefresh.objects.filter(account=account).first()
    if refresh is None:
        return Touch.objects.filter(account=account).exists()
    if now - refresh.refreshed_at >= every:
        return True
    newest = Touch.objects.filter(account=account).aggregate(newest=Max("created_at"))["newest"]
    if newest is not None and (refresh.newest_touch_at is None or newest > refresh.newest_touch_at):
        return True
    return TouchUndo.objects.filter(account=account, at__gt=refresh.refreshed_at).exists()


def insights_refresh_all(*, now: datetime | None = None) -> int:
    """Refresh every account whose counts are out of date; return how many were."""
    done = 0
    for account in Account.objects.all():
        if insights_refresh_due(account=account, now=now):
            insights_refresh(account=account, now=now)
            done += 1
    return done
