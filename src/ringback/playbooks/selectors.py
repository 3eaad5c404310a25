"""Reads about playbooks and enrollments."""

from __future__ import annotations

import json
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache

from django.core.exceptions import ImproperlyConfigured
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery

from ringback.accounts.models import Account
from ringback.accounts.selectors import account_calling_hours, account_vacations, account_working_days
from ringback.config import ringback_setting
from ringback.contacts.choices import Warmth
from ringback.contacts.models import Contact
from ringback.contacts.selectors import contact_recipient, contact_whereabouts, contact_zone_name
from ringback.core import clock
from ringback.core.agenda import narrowing_note
from ringback.core.engine import (
    Context,
    EnrollmentState,
    PlannedTouch,
    Status,
    enrollment_seed,
    enrollment_simulate,
)
from ringback.core.errors import NotFound, PlaybookError, UnknownPlaybook
from ringback.core.folding import fold
from ringback.core.learning import Level, call_times
from ringback.core.places import state_name
from ringback.core.playbook import Channel, PartOfDay, parse_playbook
from ringback.core.playbook import Playbook as PlaybookSpec
from ringback.core.scheduling import (
    CallingHours,
    CallRecord,
    CallTimes,
    Cell,
    Place,
    Recipient,
    Window,
    WorkWeek,
    calling_hours_for,
    strictest_hours,
    zone,
)
from ringback.core.stats import Arm, Beta, Tally
from ringback.playbooks.choices import RUNNING_STATUSES, EnrollmentStatus, LearnedKind
from ringback.playbooks.models import Enrollment, Learned, Playbook, PlaybookVersion


@lru_cache(maxsize=256)
def _parse(source: str, name: str) -> PlaybookSpec:
    return parse_playbook(source, source=f"{name}.yaml")


def version_spec(*, version: PlaybookVersion) -> PlaybookSpec:
    """The parsed playbook of a stored version (parsed once per process)."""
    return _parse(version.source, version.playbook.name)


def playbook_list(*, account: Account) -> QuerySet[Playbook]:
    """The account's playbooks, built-in and own."""
    return Playbook.objects.filter(account=account).order_by("-is_builtin", "name")


def playbook_get(*, account: Account, name: str) -> Playbook:
    """The account's playbook called ``name``."""
    found = Playbook.objects.filter(account=account, name=name).first()
    if found is None:
        known = ", ".join(playbook_list(account=account).values_list("name", flat=True))
        raise UnknownPlaybook(f"no playbook called {name!r} (playbooks: {known})", field="playbook")
    return found


def playbook_latest_version(*, playbook: Playbook) -> PlaybookVersion:
    """The newest version of a playbook."""
    version = playbook.versions.select_related("playbook").order_by("-number").first()
    assert version is not None, "a playbook always has a version"
    return version


def enrollment_round(*, contact: Contact) -> int:
    """How many enrollments the contact has had (the next one's ``round`` for its seed)."""
    return Enrollment.objects.filter(contact=contact).count()


def enrollment_running(*, contact: Contact) -> Enrollment | None:
    """The contact's active or paused enrollment, if any."""
    return (
        Enrollment.objects.select_related("version__playbook")
        .filter(contact=contact, status__in=RUNNING_STATUSES)
        .first()
    )


@lru_cache(maxsize=1)
def _configured_hours(config: str) -> dict[str, CallingHours]:
    table = json.loads(config)
    try:
        return {
            key.upper(): CallingHours(
                time.fromisoformat(rule["start"]),
                time.fromisoformat(rule["end"]),
                rule.get("max_calls_per_24h"),
            )
            for key, rule in table.items()
        }
    except (KeyError, TypeError, ValueError) as exc:
        raise ImproperlyConfigured(f"RINGBACK['CALLING_HOURS'] is not valid: {exc}") from None


def effective_hours(
    *,
    account: Account,
    country: str | None,
    subdivision: str | None,
    also_places: Sequence[Place] = (),
) -> CallingHours:
    """The strictest of the account's calling hours and the rules of every place of the contact
    (their own ``country``/``subdivision`` and ``also_places``, e.g. their address's state): the
    latest start, the earliest end, the smallest cap on calls per 24 h.

    Region rules come from ``settings.RINGBACK["CALLING_HOURS"]`` and then the built-in table.
    """
    rules = [hours for _, hours in place_rules(places=((country, subdivision), *also_places))]
    return strictest_hours(account_calling_hours(account=account), rules)


def place_rules(*, places: Sequence[Place]) -> list[tuple[Place, CallingHours]]:
    """The calling-hour rule of each place (the default hours where no rule is known)."""
    overrides = _configured_hours(json.dumps(ringback_setting("CALLING_HOURS"), sort_keys=True))
    return [(place, calling_hours_for(*place, overrides=overrides)) for place in places]


def context_for(
    *,
    account: Account,
    contact: Contact,
    vacations: tuple[tuple[datetime, datetime], ...] | None = None,
    learning: Learning | None = None,
) -> Context:
    """The engine context of a contact: their zones, the strictest rules of their places, the
    seller's vacations and working days, and what the account's results say (``learning``, read
    for this contact when not given: pass it to plan many contacts in a few queries)."""
    recipient = contact_recipient(contact=contact, account=account)
    learned = learning if learning is not None else learning_for(account=account, contacts=[contact])
    return Context(
        recipient=recipient,
        hours=effective_hours(
            account=account,
            country=recipient.country,
            subdivision=recipient.subdivision,
            also_places=recipient.also_places,
        ),
        vacations=account_vacations(account=account) if vacations is None else vacations,
        mail_lead_days=account.mail_lead_days,
        workweek=WorkWeek(account_working_days(account=account), account.time_zone),
        variants=learned.variants,
        variant_floor=float(ringback_setting("VARIANT_MIN_SHARE")),
        call_times=learned.for_contact(contact),
    )


WARMTH_WHO = {
    Warmth.STRANGER: "strangers",
    Warmth.MET_ONCE: "people you met once",
    Warmth.ACQUAINTED: "people you know",
    Warmth.CUSTOMER: "customers",
}


def cell_key(cell: Cell) -> str:
    """How a weekday and part of the day is stored: "1-evening"."""
    return f"{cell[0]}-{cell[1].value}"


def _cells(data: Mapping[str, Sequence[float]]) -> dict[Cell, Tally]:
    cells: dict[Cell, Tally] = {}
    for key, (connects, calls) in data.items():
        day, _, part = key.partition("-")
        cells[(int(day), PartOfDay(part))] = Tally(float(connects), float(calls))
    return cells


@dataclass(frozen=True, slots=True)
class Learning:
    """What the account's results say for planning some contacts, read at once: the arms of
    every step with several messages, by (playbook, step); the calls per cell of the account, of
    each segment (warmth, tag) and of each of the contacts (by ``Learned`` key); each contact's
    tag keys."""

    variants: Mapping[tuple[str, str], tuple[Arm, ...]]
    levels: Mapping[str, Level]
    tags: Mapping[int, tuple[str, ...]]

    def for_contact(self, contact: Contact) -> CallTimes | None:
        """When ``contact`` is likely to answer (None until the account has results)."""
        account = self.levels.get("account")
        if account is None:
            return None
        keys = (f"warmth:{contact.warmth}", *self.tags.get(contact.pk, ()))
        segments = sorted(
            (self.levels[key] for key in keys if key in self.levels), key=lambda level: level.who
        )
        own = self.levels.get(f"contact:{contact.pk}")
        if own is not None:
            own = Level(contact.first_name or contact.name, own.cells)
        return call_times(account, segments, own)


def learning_for(*, account: Account, contacts: Sequence[Contact]) -> Learning:
    """What planning needs to know of the account's results for ``contacts``, in two queries."""
    ids = [contact.pk for contact in contacts]
    tags: dict[int, list[str]] = {}
    for contact_id, tag_id in Contact.tags.through.objects.filter(contact_id__in=ids).values_list(
        "contact_id", "tag_id"
    ):
        tags.setdefault(contact_id, []).append(f"tag:{tag_id}")
    segments = {f"warmth:{contact.warmth}" for contact in contacts} | {
        key for keys in tags.values() for key in keys
    }
    rows = Learned.objects.filter(account=account).filter(
        Q(kind=LearnedKind.VARIANTS)
        | Q(
            kind=LearnedKind.CALL_TIMES,
            key__in=["account", *sorted(segments), *(f"contact:{pk}" for pk in ids)],
        )
    )
    variants: dict[tuple[str, str], tuple[Arm, ...]] = {}
    levels: dict[str, Level] = {}
    for row in rows:
        if row.kind == LearnedKind.VARIANTS:
            playbook, _, step = row.key.partition("/")
            variants[(playbook, step)] = tuple(
                Arm(name, Beta(alpha, beta), bool(retired))
                for name, (alpha, beta, retired, *_rest) in sorted(row.data.items())
            )
        else:
            who = "people" if row.key == "account" else str(row.data.get("who") or "people like them")
            levels[row.key] = Level(who, _cells(row.data.get("cells", {})))
    return Learning(variants, levels, {pk: tuple(keys) for pk, keys in tags.items()})


def window_narrowing(*, account: Account, contact: Contact, window: Window) -> str:
    """What narrowed a contact's call ``window`` when their address and number put them in
    different zones or states, e.g. "until 19:00: Florida's rule, 20:00 Eastern time (address in
    Orlando, number from Illinois)"; "" for a contact with one place, or a window nothing of
    theirs narrowed. Uses prefetched phones and addresses when present."""
    recipient = contact_recipient(contact=contact, account=account)
    if not (recipient.also_zones or recipient.also_places):
        return ""
    rules = place_rules(places=recipient.places)
    own = account_calling_hours(account=account)
    return narrowing_note(
        window=window,
        recipient=recipient,
        hours=strictest_hours(own, [hours for _, hours in rules]),
        own=own,
        rules=[(state_name(country, sub), hours) for (country, sub), hours in rules if country and sub],
        where=contact_whereabouts(contact=contact, account=account),
    )


def _dt(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _d(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def enrollment_state(*, enrollment: Enrollment) -> EnrollmentState:
    """The engine state stored in an enrollment row."""
    data = enrollment.state or {}
    window = None
    if enrollment.due_start is not None and enrollment.due_end is not None:
        part = data.get("part")
        window = Window(enrollment.due_start, enrollment.due_end, PartOfDay(part) if part else None)
    return EnrollmentState(
        status=Status(enrollment.status),
        step=enrollment.step_index,
        seed=enrollment.seed,
        started_at=enrollment.started_at,
        window=window,
        variant=data.get("variant"),
        window_reason=data.get("window_reason", ""),
        last_touch_at=_dt(data.get("last_touch_at")),
        calls=tuple(
            CallRecord(datetime.fromisoformat(at), PartOfDay(part), wd)
            for at, part, wd in data.get("calls", [])
        ),
        touches=data.get("touches", 0),
        retries=data.get("retries", 0),
        reason=enrollment.ended_reason,
        recontact_at=enrollment.recontact_at,
        switch_to=data.get("switch_to"),
        mailed_on=_d(data.get("mailed_on")),
        offer_until=_d(data.get("offer_until")),
        overdue_since=_dt(data.get("overdue_since")),
    )


def enrollments_running_for(*, contacts: Sequence[Contact]) -> dict[int, Enrollment]:
    """The running enrollment of each contact, by contact id."""
    rows = Enrollment.objects.filter(contact__in=contacts, status__in=RUNNING_STATUSES).select_related(
        "version__playbook"
    )
    return {e.contact_id: e for e in rows}


def enrollment_status_counts(*, account: Account) -> dict[str, int]:
    """How many enrollments are in each state."""
    rows = Enrollment.objects.filter(account=account).values("status").annotate(n=Count("id"))
    return {row["status"]: row["n"] for row in rows}


# --- Web pages: the playbook list, one playbook's versions, plan previews -----------------------


@dataclass(frozen=True, slots=True)
class PlaybookSummary:
    """One line of the playbook list: the latest version, parsed, and how many run it."""

    playbook: Playbook
    version: PlaybookVersion
    spec: PlaybookSpec | None
    error: str
    running: int


def playbook_running_counts(*, account: Account) -> dict[int, int]:
    """How many contacts run each playbook (active or paused, any version), by playbook id."""
    rows = (
        Enrollment.objects.filter(account=account, status__in=RUNNING_STATUSES)
        .values("version__playbook_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {row["version__playbook_id"]: row["n"] for row in rows}


def _spec_or_error(version: PlaybookVersion) -> tuple[PlaybookSpec | None, str]:
    try:
        return version_spec(version=version), ""
    except PlaybookError as exc:
        return None, exc.message


def playbook_overview(*, account: Account) -> list[PlaybookSummary]:
    """Every playbook of the account with its latest version and running count (three queries)."""
    latest = PlaybookVersion.objects.filter(playbook=OuterRef("pk")).order_by("-number").values("pk")[:1]
    playbooks = list(playbook_list(account=account).annotate(latest_id=Subquery(latest)))
    versions = {
        v.pk: v
        for v in PlaybookVersion.objects.filter(account=account, pk__in=[p.latest_id for p in playbooks])
    }
    running = playbook_running_counts(account=account)
    rows = []
    for playbook in playbooks:
        version = versions.get(playbook.latest_id)
        if version is None:  # a playbook is stored with its first version: never seen
            continue
        version.playbook = playbook
        spec, error = _spec_or_error(version)
        rows.append(PlaybookSummary(playbook, version, spec, error, running.get(playbook.pk, 0)))
    return rows


def playbook_for_page(*, account: Account, name: str) -> Playbook | None:
    """The account's playbook called ``name``, or ``None`` (another account's name is unknown here)."""
    return Playbook.objects.filter(account=account, name=name).first()


@dataclass(frozen=True, slots=True)
class VersionLine:
    """One version of a playbook and how many contacts still run it."""

    number: int
    created_at: datetime
    running: int


def playbook_version_lines(*, playbook: Playbook) -> list[VersionLine]:
    """The playbook's versions, newest first, with the contacts running each (two queries)."""
    counts = dict(
        Enrollment.objects.filter(
            account_id=playbook.account_id, version__playbook=playbook, status__in=RUNNING_STATUSES
        )
        .values("version_id")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("version_id", "n")
    )
    versions = playbook.versions.order_by("-number").only("id", "playbook_id", "number", "created_at")
    return [VersionLine(v.number, v.created_at, counts.get(v.pk, 0)) for v in versions]


def playbook_copy_name(*, account: Account, name: str) -> str:
    """A free name for a copy of ``name``: ``my-NAME``, then ``my-NAME-2``, ``my-NAME-3``..."""
    base = (name if name.startswith("my-") else f"my-{name}")[:60].rstrip("-")
    taken = set(
        Playbook.objects.filter(account=account, name__startswith=base).values_list("name", flat=True)
    )
    if base not in taken:
        return base
    number = 2
    while f"{base}-{number}" in taken:
        number += 1
    return f"{base}-{number}"


def preview_contact_choices(*, account: Account, search: str = "", limit: int = 50) -> list[Contact]:
    """Contacts to preview a plan for, by name or company (accents and case ignored): the first
    ``limit`` (plus one, to tell there are more)."""
    qs = Contact.objects.filter(account=account)
    text = fold(search)
    if text:
        qs = qs.filter(Q(search_name__contains=text) | Q(search_company__contains=text))
    return list(
        qs.order_by("last_name", "first_name", "id").only("id", "first_name", "last_name", "company")[
            : limit + 1
        ]
    )


#: The built-in sample for previews: a prospect in New York with one phone number.
SAMPLE_RECIPIENT = Recipient(zone="America/New_York", country="US", subdivision="NY")
SAMPLE_LABEL = "a prospect in New York"


@dataclass(frozen=True, slots=True)
class PlanPreview:
    """What a playbook would plan for someone if nobody answered, starting at ``start``."""

    who: str
    zone: str
    start: datetime
    touches: tuple[PlannedTouch, ...]
    end: EnrollmentState | None
    refused: str = ""


def _refusal(contact: Contact, at: datetime) -> str:
    if contact.do_not_contact:
        return f"{contact.name} asked not to be contacted, so Ringback would not enroll them."
    if contact.suppressed_until and contact.suppressed_until > at:
        return (
            f"{contact.name} said not interested; they rest until "
            f"{contact.suppressed_until:%Y-%m-%d}, so Ringback would not enroll them now."
        )
    return ""


def _simulate(
    *,
    account: Account,
    version: PlaybookVersion,
    contact: Contact,
    start: datetime,
    max_touches: int | None = None,
) -> tuple[Context, list[PlannedTouch], EnrollmentState]:
    """Run ``version`` for ``contact`` from ``start`` as enrolling them then would (the same seed),
    nobody answering; nothing is saved. The contact's phones should be prefetched."""
    context = context_for(account=account, contact=contact)
    seed = enrollment_seed(
        contact_id=contact.pk, version_id=version.pk, round=enrollment_round(contact=contact)
    )
    spec = version_spec(version=version)
    if max_touches is None:
        touches, end = enrollment_simulate(spec, seed=seed, start=start, context=context)
    else:
        touches, end = enrollment_simulate(
            spec, seed=seed, start=start, context=context, max_touches=max_touches
        )
    return context, list(touches), end


def playbook_preview(
    *, account: Account, version: PlaybookVersion, contact: Contact | None = None, now: datetime
) -> PlanPreview:
    """The touches the version would plan from ``now`` for a contact (or the New York sample).

    The contact's phones should be prefetched. The seed is the one enrolling them now would use.
    """
    if contact is None:
        context = Context(
            recipient=SAMPLE_RECIPIENT,
            hours=effective_hours(
                account=account, country=SAMPLE_RECIPIENT.country, subdivision=SAMPLE_RECIPIENT.subdivision
            ),
            vacations=account_vacations(account=account),
        )
        seed = zlib.crc32(f"sample:{version.pk}:{now.isoformat()}".encode())
        touches, end = enrollment_simulate(
            version_spec(version=version), seed=seed, start=now, context=context, max_touches=30
        )
        return PlanPreview(SAMPLE_LABEL, context.recipient.zone, now, tuple(touches), end)
    refused = _refusal(contact, now)
    if refused:
        return PlanPreview(
            contact.name, contact_zone_name(contact=contact, account=account), now, (), None, refused
        )
    context, planned, end = _simulate(
        account=account, version=version, contact=contact, start=now, max_touches=30
    )
    return PlanPreview(contact.name, context.recipient.zone, now, tuple(planned), end)


def enrollment_step_text(*, enrollment: Enrollment) -> str:
    """``step 2 of 3: the-note (mail)`` for a running enrollment, else how far it got."""
    spec = version_spec(version=enrollment.version)
    total = len(spec.steps)
    if enrollment.step_index < total:
        step = spec.steps[enrollment.step_index]
        return f"step {enrollment.step_index + 1} of {total}: {step.id} ({step.channel.value})"
    return f"all {total} steps done"


@dataclass(frozen=True, slots=True)
class PlannedTouchView:
    """One touch a playbook would plan, in the contact's local time."""

    number: int
    step: str
    channel: str
    purpose: str
    attempt: int | None
    start: datetime
    end: datetime
    part: str


@dataclass(frozen=True, slots=True)
class EnrollmentPreview:
    """What enrolling a contact in a playbook now would plan if nobody answers."""

    playbook: str
    title: str
    zone: str
    touches: list[PlannedTouchView]
    ending: str
    recontact_at: datetime | None


def contact_enrollment_preview(
    *, account: Account, contact: Contact, playbook: str, at: datetime | None = None
) -> EnrollmentPreview:
    """Run the playbook's latest version for the contact from ``at`` (now) without saving anything.

    The seed is the one :func:`enrollment_start` would use at the same instant, so the plan shown
    is the plan made. Each touch assumes nobody answers (voicemail, note mailed, email sent).
    """
    start = at or clock.now()
    version = playbook_latest_version(playbook=playbook_get(account=account, name=playbook))
    spec = version_spec(version=version)
    context, planned, end = _simulate(account=account, version=version, contact=contact, start=start)
    tz = zone(context.recipient.zone)
    touches = [
        PlannedTouchView(
            number=n,
            step=p.step.id,
            channel=p.step.channel.value,
            purpose=p.step.purpose,
            attempt=p.attempt if p.step.channel is Channel.CALL else None,
            start=p.window.start.astimezone(tz),
            end=p.window.end.astimezone(tz),
            part=p.window.part.value if p.window.part else "",
        )
        for n, p in enumerate(planned, 1)
    ]
    return EnrollmentPreview(
        playbook=spec.name,
        title=spec.title,
        zone=tz.key,
        touches=touches,
        ending=end.reason,
        recontact_at=end.recontact_at,
    )


def enrollment_get(*, account: Account, pk: int) -> Enrollment:
    """The account's enrollment ``pk``; :class:`NotFound` if it has none."""
    enrollment = Enrollment.objects.filter(account=account, pk=pk).first()
    if enrollment is None:
        raise NotFound("no such enrollment")
    return enrollment


def enrollments_long_overdue_count(*, account: Account, now: datetime) -> int:
    """How many active steps are overdue by more than the re-plan threshold (what
    :func:`~ringback.playbooks.services.enrollments_replan_overdue` would spread over the days)."""
    limit = now - timedelta(days=ringback_setting("OVERDUE_REPLAN_DAYS"))
    return Enrollment.objects.filter(
        account=account, status=EnrollmentStatus.ACTIVE, due_start__lt=limit, due_end__lt=limit
    ).count()


#: The enrollment fields an outcome may change (``enrollment_save_state`` writes them).
STATE_FIELDS = (
    "status",
    "step_index",
    "due_start",
    "due_end",
    "state",
    "ended_at",
    "ended_reason",
    "recontact_at",
    "paused_until",
    "paused_reason",
)


def enrollment_snapshot(*, enrollment: Enrollment) -> dict[str, object]:
    """The enrollment's state as JSON values: what ``enrollment_restore`` puts back."""
    out: dict[str, object] = {"id": enrollment.pk}
    for name in STATE_FIELDS:
        value = getattr(enrollment, name)
        out[name] = value.isoformat() if hasattr(value, "isoformat") else value
    return out
