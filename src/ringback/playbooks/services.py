"""Writes about playbooks and enrollments: install, add versions, enroll, re-plan."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta

from django.db import IntegrityError, models, transaction
from django.db.models import QuerySet

from ringback.accounts.models import Account, Vacation
from ringback.accounts.selectors import account_row_check
from ringback.accounts.services import account_lock, account_replanned_on
from ringback.config import ringback_setting
from ringback.contacts.models import Contact
from ringback.contacts.selectors import contact_phone_choices
from ringback.contacts.services import contact_lock
from ringback.core import clock
from ringback.core.agenda import missing_for
from ringback.core.checks import MessageKind
from ringback.core.engine import (
    EnrollmentState,
    Status,
    enrollment_begin,
    enrollment_replan,
    enrollment_seed,
    enrollment_skip,
    enrollment_stop,
)
from ringback.core.engine import (
    enrollment_pause as engine_pause,
)
from ringback.core.engine import (
    enrollment_resume as engine_resume,
)
from ringback.core.errors import (
    AlreadyEnrolled,
    InvalidInput,
    NotReachable,
    PlaybookError,
    RingbackError,
    Suppressed,
    UnknownPlaybook,
)
from ringback.core.lint import playbook_scripts_check
from ringback.core.messages import library_refs_check
from ringback.core.phones import can_be_called, can_be_texted
from ringback.core.playbook import (
    _NAME,
    BUILTIN_NAMES,
    Channel,
    builtin_text,
    parse_playbook,
    playbook_for_warmth,
)
from ringback.core.playbook import (
    Playbook as PlaybookSpec,
)
from ringback.core.scheduling import vacation_from_dates, zone
from ringback.hooks.choices import WebhookEvent
from ringback.hooks.services import webhook_event_emit
from ringback.messaging.selectors import message_names, offer_list
from ringback.playbooks.choices import RUNNING_STATUSES, EnrollmentStatus
from ringback.playbooks.models import Enrollment, Learned, Playbook, PlaybookVersion
from ringback.playbooks.selectors import (
    STATE_FIELDS,
    context_for,
    enrollment_round,
    enrollment_running,
    enrollment_state,
    playbook_copy_name,
    playbook_get,
    playbook_latest_version,
    version_spec,
)
from ringback.playbooks.signals import enrollment_starting


def playbooks_install_builtins(*, account: Account) -> list[str]:
    """Give the account the built-in playbooks: the ones it lacks, and a new version of each
    whose shipped YAML changed (running enrollments keep theirs). A playbook of the seller's own
    that already has a built-in's name is left alone. Returns the names left out that way."""
    own = set(
        Playbook.objects.filter(account=account, name__in=BUILTIN_NAMES, is_builtin=False).values_list(
            "name", flat=True
        )
    )
    for name in BUILTIN_NAMES:
        if name not in own:
            playbook_add(account=account, text=builtin_text(name), source=f"{name}.yaml", builtin=True)
    return sorted(own)


def playbooks_upgrade_builtins() -> int:
    """Bring every account's built-in playbooks up to the shipped YAML (after an upgrade);
    returns how many accounts were looked at."""
    accounts = list(Account.objects.order_by("pk"))
    for account in accounts:
        with transaction.atomic():
            playbooks_install_builtins(account=account)
    return len(accounts)


@transaction.atomic
def playbook_add(
    *, account: Account, text: str, source: str = "<playbook>", builtin: bool = False
) -> PlaybookVersion:
    """Validate a playbook and store it: a new playbook, or a new version of an existing one.

    Enrollments keep the version they started on. Adding identical YAML changes nothing.
    """
    spec = parse_playbook(text, source=source)
    _check_references(account=account, spec=spec, source=source)
    playbook_scripts_check(spec)
    now = clock.now()
    playbook, _ = Playbook.objects.get_or_create(
        account=account,
        name=spec.name,
        defaults={"title": spec.title, "is_builtin": builtin, "created_at": now},
    )
    latest = playbook.versions.order_by("-number").first()
    if latest is not None and latest.source == text:
        return latest
    if playbook.title != spec.title:
        Playbook.objects.filter(pk=playbook.pk).update(title=spec.title)
    number = max(spec.version, (latest.number + 1) if latest else 1)
    return PlaybookVersion.objects.create(
        account=account, playbook=playbook, number=number, source=text, created_at=now
    )


def _check_references(*, account: Account, spec: PlaybookSpec, source: str) -> None:
    """Every playbook a ``switch`` or ``finish`` names must exist (or be this one)."""
    known = set(Playbook.objects.filter(account=account).values_list("name", flat=True)) | {spec.name}
    known |= set(BUILTIN_NAMES)
    for number, step in enumerate(spec.steps, 1):
        for outcome, branch in step.on.items():
            if branch.target and branch.action.value == "switch" and branch.target not in known:
                raise PlaybookError(
                    f"step {number}: on {outcome.value}: switch names no playbook {branch.target!r}",
                    source=source,
                    line=step.line,
                )
    target = spec.finish.recontact_playbook
    if target and target not in known:
        raise PlaybookError(f"finish: playbook {target!r} names no playbook", source=source)
    _check_library(account=account, spec=spec, source=source)


def _check_library(*, account: Account, spec: PlaybookSpec, source: str) -> None:
    """Every message a step names that is not under ``templates`` is one of the account's
    library, of a kind the step's channel can use; every offer a step names is one of theirs."""
    kinds = {name: MessageKind(kind) for name, kind in message_names(account=account).items()}
    offers = set(offer_list(account=account).values_list("name", flat=True))
    library_refs_check(spec, kinds=kinds, offers=offers, source=source)


def _state_fields(state: EnrollmentState) -> dict[str, object]:
    window = state.window
    return {
        "status": state.status.value,
        "step_index": state.step,
        "due_start": window.start if window else None,
        "due_end": window.end if window else None,
        "ended_reason": state.reason,
        "recontact_at": state.recontact_at,
        "state": {
            "part": window.part.value if window and window.part else None,
            "variant": state.variant,
            "window_reason": state.window_reason,
            "last_touch_at": state.last_touch_at.isoformat() if state.last_touch_at else None,
            "calls": [[c.at.isoformat(), c.part.value, c.weekday] for c in state.calls],
            "touches": state.touches,
            "retries": state.retries,
            "switch_to": state.switch_to,
            "mailed_on": state.mailed_on.isoformat() if state.mailed_on else None,
            "offer_until": state.offer_until.isoformat() if state.offer_until else None,
            "overdue_since": state.overdue_since.isoformat() if state.overdue_since else None,
        },
    }


def enrollment_save_state(*, enrollment: Enrollment, state: EnrollmentState, at: datetime) -> Enrollment:
    """Store an engine state in the enrollment row (and when it ended, if it did)."""
    fields = _state_fields(state)
    ending = state.ended and enrollment.ended_at is None
    if ending:
        fields["ended_at"] = at
    for key, value in fields.items():
        setattr(enrollment, key, value)
    enrollment.save(update_fields=list(fields))
    if ending:
        webhook_event_emit(
            account=enrollment.account,
            event=WebhookEvent.ENROLLMENT_ENDED,
            data=lambda: {
                "enrollment_id": enrollment.pk,
                "contact_id": enrollment.contact_id,
                "playbook": enrollment.version.playbook.name,
                "status": enrollment.status,
                "reason": enrollment.ended_reason,
                "ended_at": at,
            },
        )
    return enrollment


def enrollment_restore(*, enrollment: Enrollment, saved: Mapping[str, object]) -> Enrollment:
    """Put the enrollment back exactly as ``enrollment_snapshot`` saw it (an undo)."""
    fields: dict[str, object] = {}
    for name in STATE_FIELDS:
        field = Enrollment._meta.get_field(name)
        if name in saved and isinstance(field, models.Field):
            fields[name] = field.to_python(saved[name])
    for key, value in fields.items():
        setattr(enrollment, key, value)
    enrollment.save(update_fields=list(fields))
    return enrollment


def enrollment_discard(*, enrollment: Enrollment) -> None:
    """Forget an enrollment that an undone touch started (a follow-on): the caller checks that
    nothing was logged against it."""
    enrollment.delete()


def enrollment_lock_running(*, contact: Contact) -> Enrollment | None:
    """The contact's running enrollment, locked until the transaction ends and read fresh.

    Lock the contact first (:func:`ringback.contacts.services.contact_lock`): that is the order
    every writer follows.
    """
    return (
        Enrollment.objects.select_for_update(of=("self",))
        .select_related("version__playbook")
        .filter(contact=contact, status__in=RUNNING_STATUSES)
        .first()
    )


def _check_first_step(contact: Contact, spec: PlaybookSpec, state: EnrollmentState) -> None:
    """Refuse a playbook whose first step can't reach the contact (no number, no address...)."""
    if state.ended or state.step >= len(spec.steps):
        return
    step = spec.steps[state.step]
    choices = contact_phone_choices(contact=contact)
    missing = missing_for(
        step.channel,
        callable_=can_be_called(choices),
        textable=can_be_texted(choices),
        address=contact.addresses.exists() if step.channel is Channel.MAIL else True,
        email=contact.emails.exists() if step.channel is Channel.EMAIL else True,
    )
    if missing:
        raise NotReachable(
            f"{contact.name} can't be reached by {spec.title}'s first step ({step.id}): it needs {missing}",
            field="contact",
        )


def _check_reachable(contact: Contact, at: datetime) -> None:
    if contact.do_not_contact:
        raise Suppressed(f"{contact.name} asked not to be contacted; Ringback will not enroll them")
    if contact.suppressed_until and contact.suppressed_until > at:
        raise Suppressed(
            f"{contact.name} said not interested; they rest until {contact.suppressed_until:%Y-%m-%d}"
        )


@transaction.atomic
def enrollment_start(
    *,
    account: Account,
    contact: Contact,
    playbook: str | None = None,
    at: datetime | None = None,
    replace: bool = False,
    force: bool = False,
) -> Enrollment:
    """Enroll a contact in the latest version of a playbook, planning the first step; with no
    ``playbook``, the one suggested by the contact's warmth (:func:`playbook_for_warmth`).

    A contact runs at most one playbook: enrolling again raises :class:`AlreadyEnrolled`
    unless ``replace`` stops the running one first. Unless ``force`` (the seller said to start
    anyway), a contact the first step can't reach raises :class:`NotReachable`, and the apps
    above may refuse too (an appointment coming raises :class:`HasAppointment`).
    """
    account_row_check(account=account, row=contact, what="contact")
    started = at or clock.now()
    contact_lock(contact=contact)
    playbook = playbook or playbook_for_warmth(contact.warmth)
    _check_reachable(contact, started)
    version = playbook_latest_version(playbook=playbook_get(account=account, name=playbook))
    running = enrollment_lock_running(contact=contact)
    if running is not None:
        if not replace:
            raise _already(contact, running)
        enrollment_end(enrollment=running, reason=f"replaced by {playbook}", at=started)
    spec = version_spec(version=version)
    seed = enrollment_seed(
        contact_id=contact.pk, version_id=version.pk, round=enrollment_round(contact=contact)
    )
    state = enrollment_begin(
        spec, seed=seed, at=started, context=context_for(account=account, contact=contact)
    )
    if not force:
        _check_first_step(contact, spec, state)
        enrollment_starting.send(sender=Enrollment, account=account, contact=contact, at=started)
    enrollment = Enrollment(
        account=account,
        contact=contact,
        version=version,
        seed=seed,
        started_at=started,
        created_at=clock.now(),
    )
    for key, value in _state_fields(state).items():
        setattr(enrollment, key, value)
    if state.ended:
        enrollment.ended_at = started
    try:
        with transaction.atomic():
            enrollment.save()
    except IntegrityError:
        # The one-running-enrollment constraint caught a writer that did not lock the contact
        # first: say so as the check above would, never as a database error.
        running = enrollment_running(contact=contact)
        if running is None:
            raise
        raise _already(contact, running) from None
    return enrollment


def _already(contact: Contact, running: Enrollment) -> AlreadyEnrolled:
    spec = version_spec(version=running.version)
    return AlreadyEnrolled(
        f"{contact.name} is already in {running.version.playbook.name} "
        f"(step {running.step_index + 1} of {len(spec.steps)}); use --replace to switch"
    )


@transaction.atomic
def enrollment_pause(*, enrollment: Enrollment, at: datetime | None = None) -> Enrollment:
    """Put one contact's running playbook on hold; it keeps its step."""
    state = engine_pause(enrollment_state(enrollment=enrollment))
    return enrollment_save_state(enrollment=enrollment, state=state, at=at or clock.now())


def enrollment_pause_until(*, enrollment: Enrollment, until: datetime, reason: str) -> Enrollment:
    """Hold a running playbook — calls, cards and emails alike — until ``until``, saying why (they
    are out of the office); :func:`enrollments_wake` resumes it then. A later ``until`` moves the
    end; an earlier one keeps the later. The caller holds the contact's and enrollment's locks."""
    if enrollment.status == EnrollmentStatus.ACTIVE:
        enrollment_pause(enrollment=enrollment)
    elif enrollment.status != EnrollmentStatus.PAUSED:
        return enrollment
    elif enrollment.paused_until is None:
        return enrollment  # paused by the seller: only the seller resumes it
    if enrollment.paused_until is None or until > enrollment.paused_until:
        enrollment.paused_until, enrollment.paused_reason = until, reason[:300]
        enrollment.save(update_fields=["paused_until", "paused_reason"])
    return enrollment


def enrollments_wake(*, now: datetime | None = None) -> int:
    """Resume the enrollments whose pause with an end (see :func:`enrollment_pause_until`) is over,
    planning their step again from now; how many. Each under its contact's lock, once."""
    now = now or clock.now()
    woken = 0
    due = Enrollment.objects.filter(status=EnrollmentStatus.PAUSED, paused_until__lte=now).values_list(
        "pk", flat=True
    )
    for pk in list(due[:1000]):
        with transaction.atomic():
            enrollment = Enrollment.objects.select_related("contact", "account", "version").get(pk=pk)
            contact_lock(contact=enrollment.contact)
            enrollment = enrollment_lock_running(contact=enrollment.contact) or enrollment
            if (
                enrollment.pk != pk
                or enrollment.status != EnrollmentStatus.PAUSED
                or enrollment.paused_until is None
            ):
                continue
            if enrollment.paused_until > now:
                continue
            enrollment_resume(account=enrollment.account, enrollment=enrollment, at=now)
            woken += 1
    return woken


@transaction.atomic
def enrollment_resume(*, account: Account, enrollment: Enrollment, at: datetime | None = None) -> Enrollment:
    """Take a paused playbook off hold, planning its current step again from now."""
    when = at or clock.now()
    state = engine_resume(
        enrollment_state(enrollment=enrollment),
        version_spec(version=enrollment.version),
        at=when,
        context=context_for(account=account, contact=enrollment.contact),
    )
    if enrollment.paused_until is not None or enrollment.paused_reason:
        enrollment.paused_until, enrollment.paused_reason = None, ""
        enrollment.save(update_fields=["paused_until", "paused_reason"])
    return enrollment_save_state(enrollment=enrollment, state=state, at=when)


def enrollment_end(*, enrollment: Enrollment, reason: str, at: datetime | None = None) -> Enrollment:
    """Stop a running enrollment by hand."""
    state = enrollment_stop(enrollment_state(enrollment=enrollment), reason=reason)
    return enrollment_save_state(enrollment=enrollment, state=state, at=at or clock.now())


def enrollment_skip_step(
    *, account: Account, enrollment: Enrollment, at: datetime | None = None
) -> Enrollment:
    """Leave out the enrollment's current step (it can't be carried out) and plan the next one;
    a playbook that runs out starts what it asks for next (a recontact)."""
    when = at or clock.now()
    spec = version_spec(version=enrollment.version)
    state = enrollment_skip(
        enrollment_state(enrollment=enrollment),
        spec,
        at=when,
        context=context_for(account=account, contact=enrollment.contact),
    )
    enrollment_save_state(enrollment=enrollment, state=state, at=when)
    return enrollment


def enrollments_start_many(
    *,
    account: Account,
    contacts: Sequence[Contact],
    playbook: str | None = None,
    replace: bool = False,
    at: datetime | None = None,
    force: bool = False,
) -> tuple[list[Enrollment], list[tuple[Contact, str]]]:
    """Enroll several contacts (with no ``playbook``, each in the one its warmth suggests);
    return the enrollments made and the contacts skipped, with why (already running, resting,
    no way to reach them, an appointment coming...)."""

    made: list[Enrollment] = []
    skipped: list[tuple[Contact, str]] = []
    for contact in contacts:
        try:
            with transaction.atomic():
                made.append(
                    enrollment_start(
                        account=account,
                        contact=contact,
                        playbook=playbook,
                        replace=replace,
                        at=at,
                        force=force,
                    )
                )
        except RingbackError as exc:
            skipped.append((contact, exc.message))
    return made, skipped


def enrollment_follow_on(*, account: Account, enrollment: Enrollment, at: datetime) -> Enrollment | None:
    """Start what an ended enrollment asks for: next quarter's recontact, or a switch.

    Returns the new enrollment, if one was started.
    """
    state = enrollment_state(enrollment=enrollment)
    spec = version_spec(version=enrollment.version)
    contact = enrollment.contact
    if state.status is Status.EXHAUSTED and state.recontact_at is not None:
        target = spec.finish.recontact_playbook or spec.name
        return enrollment_start(
            account=account, contact=contact, playbook=target, at=state.recontact_at, force=True
        )
    if state.status is Status.STOPPED and state.switch_to:
        return enrollment_start(account=account, contact=contact, playbook=state.switch_to, at=at, force=True)
    return None


def _replan(
    enrollment: Enrollment, account: Account, at: datetime, not_before: datetime | None = None
) -> None:
    spec: PlaybookSpec = version_spec(version=enrollment.version)
    state = enrollment_state(enrollment=enrollment)
    new = enrollment_replan(
        state,
        spec,
        at=at,
        context=context_for(account=account, contact=enrollment.contact),
        not_before=not_before,
    )
    enrollment_save_state(enrollment=enrollment, state=new, at=at)
    if new.ended:
        enrollment_follow_on(account=account, enrollment=enrollment, at=at)


@transaction.atomic
def enrollments_replan_for_vacation(*, account: Account, vacation: Vacation) -> int:
    """Move every active step due inside a vacation to after it; return how many moved."""

    start, end = vacation_from_dates(vacation.first_day, vacation.last_day, account.time_zone)
    due = _lock_for_replan(
        Enrollment.objects.filter(
            account=account, status=EnrollmentStatus.ACTIVE, due_start__lt=end, due_end__gt=start
        )
    )
    now = clock.now()
    return _replan_spread(account=account, enrollments=due, now=now, first=max(now, end))


@transaction.atomic
def enrollments_replan_overdue(*, account: Account, now: datetime | None = None) -> int:
    """Re-plan steps overdue by more than a few days instead of piling them on today.

    They are spread over the coming days, at most a day's call capacity per day, oldest first.
    """
    now = now or clock.now()
    limit = now - timedelta(days=ringback_setting("OVERDUE_REPLAN_DAYS"))
    overdue = _lock_for_replan(
        # A window starts before it ends: the due_start bound lets the index do the work.
        Enrollment.objects.filter(
            account=account, status=EnrollmentStatus.ACTIVE, due_start__lt=limit, due_end__lt=limit
        )
    )
    return _replan_spread(account=account, enrollments=overdue, now=now, first=now)


@transaction.atomic
def enrollments_replan_overdue_once_a_day(
    *, account: Account, now: datetime | None = None, asked: bool = False
) -> int | None:
    """:func:`enrollments_replan_overdue`, at most once per account per seller's day (``asked``:
    the seller asked for it, so it runs whatever the day).

    Returns how many steps moved, or None when it already ran today (under a lock of the account,
    so two at once re-plan once). Runs when the seller signs in, runs ``ringback agenda``, or asks
    for it on Today; never as a side effect of showing a page.
    """
    now = now or clock.now()
    account_lock(account=account)
    account.refresh_from_db(fields=["overdue_replanned_on"])
    today = now.astimezone(zone(account.time_zone)).date()
    if account.overdue_replanned_on == today and not asked:
        return None
    moved = enrollments_replan_overdue(account=account, now=now)
    account_replanned_on(account=account, day=today)
    return moved


def _lock_for_replan(due: QuerySet[Enrollment]) -> list[Enrollment]:
    """The enrollments to re-plan, locked (their contacts first, as every writer does) and read
    again under the locks: a step logged meanwhile is re-planned from what was logged, or left
    alone when it is no longer due there."""
    contact_ids = list(due.values_list("contact_id", flat=True))
    if not contact_ids:
        return []
    # In one order (by id), so two re-plans at once queue instead of deadlocking.
    list(Contact.objects.select_for_update().filter(pk__in=contact_ids).order_by("pk").values_list("pk"))
    return list(
        due.filter(contact_id__in=contact_ids)
        .select_for_update(of=("self",))
        .select_related("version__playbook", "contact")
        .prefetch_related("contact__phones", "contact__addresses")
        .order_by("due_start", "pk")
    )


def _replan_spread(*, account: Account, enrollments: list[Enrollment], now: datetime, first: datetime) -> int:
    """Plan again from ``first``, oldest first, at most a day's call capacity per day."""
    per_day = max(account.daily_call_capacity, 1)
    for position, enrollment in enumerate(enrollments):
        _replan(enrollment, account, now, not_before=first + timedelta(days=position // per_day))
    return len(enrollments)


# --- Web pages: duplicate a playbook, edit its YAML -------------------------------------------

_KEY_LINE = {key: re.compile(rf"^{key}\s*:.*$", re.MULTILINE) for key in ("name", "title", "version")}


class PlaybookChanged(InvalidInput):
    """An edit based on an older version than the latest: saving it would undo someone's change."""


def _line_of(key: str, text: str) -> int | None:
    match = _KEY_LINE[key].search(text)
    return text.count("\n", 0, match.start()) + 1 if match else None


def playbook_text_normalise(text: str) -> str:
    """The YAML as stored: Unix line ends (browsers send CRLF), one newline at the end."""
    return text.replace("\r\n", "\n").replace("\r", "\n").rstrip() + "\n"


def playbook_check(*, account: Account, name: str, text: str) -> PlaybookSpec:
    """Validate YAML meant as the next version of the playbook ``name``; store nothing.

    Raises :class:`PlaybookError` naming the line, as saving would.
    """
    source = f"{name}.yaml"
    # The core refuses a text too long, too deep, or with anchors, before reading all of it.
    spec = parse_playbook(text, source=source)
    if spec.name != name:
        raise PlaybookError(
            f"name {spec.name!r} must stay {name!r}: to make a new playbook, duplicate this one",
            source=source,
            line=_line_of("name", text),
        )
    _check_references(account=account, spec=spec, source=source)
    playbook_scripts_check(spec)
    return spec


@transaction.atomic
def playbook_update(
    *, account: Account, name: str, text: str, base_version: int | None = None
) -> PlaybookVersion:
    """Save YAML as the next version of the account's own playbook ``name``.

    Built-in playbooks are read-only (duplicate them). ``base_version`` is the version the edit
    started from: when someone saved a newer one meanwhile, :class:`PlaybookChanged` is raised
    and nothing is stored. Saving the latest text again changes nothing. Enrollments keep the
    version they started on.
    """
    playbook = Playbook.objects.select_for_update().filter(account=account, name=name).first()
    if playbook is None:
        raise UnknownPlaybook(f"no playbook called {name!r}", field="playbook")
    if playbook.is_builtin:
        raise InvalidInput(
            f"{playbook.title} is a built-in playbook and can't be changed; "
            "duplicate it to make your own copy, then edit that"
        )
    text = playbook_text_normalise(text)
    latest = playbook_latest_version(playbook=playbook)
    if latest.source == text:
        return latest
    if base_version is not None and base_version != latest.number:
        raise PlaybookChanged(
            f"{playbook.title} changed since you opened it: it is now at version {latest.number}. "
            "Nothing was saved. Compare your text with the latest version, then save again."
        )
    playbook_check(account=account, name=name, text=text)
    return playbook_add(account=account, text=text, source=f"{name}.yaml")


def _rename_source(text: str, *, name: str, title: str) -> str:
    """The YAML with a new top-level ``name`` and ``title`` and ``version: 1``."""
    quoted = json.dumps(title, ensure_ascii=False)
    lines = text.split("\n")
    name_line = _line_of("name", text)
    if name_line is None:
        raise InvalidInput("the playbook has no 'name:' line at the start of a line to rename")
    lines[name_line - 1] = f"name: {name}"
    title_line = _line_of("title", text)
    if title_line is not None:
        lines[title_line - 1] = f"title: {quoted}"
    else:
        lines.insert(name_line, f"title: {quoted}")
    renamed = "\n".join(lines)
    version_line = _line_of("version", renamed)
    if version_line is not None:
        lines = renamed.split("\n")
        lines[version_line - 1] = "version: 1"
        renamed = "\n".join(lines)
    return renamed


@transaction.atomic
def playbook_duplicate(
    *, account: Account, name: str, new_name: str | None = None, title: str | None = None
) -> PlaybookVersion:
    """Copy the latest YAML of playbook ``name`` into a new own playbook (version 1).

    The copy is called ``new_name`` (default ``my-NAME``, then ``my-NAME-2``...) and titled
    ``title`` (default "TITLE (my copy)", or "TITLE (NEW_NAME)" for another name). A name already
    in use is refused, so a double submission copies once.
    """
    original = playbook_get(account=account, name=name)
    version = playbook_latest_version(playbook=original)
    target = (new_name or "").strip() or playbook_copy_name(account=account, name=name)
    if not _NAME.match(target):
        raise InvalidInput(
            f"{target!r} can't be a playbook name: use lower-case letters, digits and dashes "
            "(e.g. my-call-mail-call)"
        )
    if target in BUILTIN_NAMES or Playbook.objects.filter(account=account, name=target).exists():
        raise InvalidInput(f"you already have a playbook called {target!r}; pick another name")
    default_title = (
        f"{original.title} (my copy)" if target == f"my-{name}" else f"{original.title} ({target})"
    )
    new_title = (title or "").strip() or default_title
    text = _rename_source(playbook_text_normalise(version.source), name=target, title=new_title)
    copy = playbook_add(account=account, text=text, source=f"{target}.yaml")
    assert copy.playbook.name == target, "the renamed YAML names the copy"
    return copy


def learned_replace(*, account: Account, rows: Sequence[Learned]) -> int:
    """Replace what planning learned for the account with ``rows`` (unsaved, this account's), in
    one transaction; return how many were written."""
    mine = [row for row in rows if row.account_id == account.pk]
    with transaction.atomic():
        Learned.objects.filter(account=account).delete()
        Learned.objects.bulk_create(mine, batch_size=2000)
    return len(mine)
