"""The API's playbooks and enrollments: the account's playbooks, one with its steps and YAML,
checking a playbook's YAML without saving it; a contact's enrollments, starting one, and pausing,
resuming or stopping it.

Every operation calls the selectors and services the Playbooks tab, the contact page and
``ringback playbooks`` / ``ringback enroll`` call, so the rules and the errors are theirs.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated

from django.db import transaction
from django.http import HttpRequest
from ninja import Field, P, PathEx, Router, Schema, Status
from pydantic import AwareDatetime, BeforeValidator, StrictBool

from ringback.accounts.api import api_account
from ringback.accounts.models import Account
from ringback.contacts.selectors import contact_get
from ringback.contacts.services import contact_lock
from ringback.core import clock
from ringback.core.checks import Severity
from ringback.core.errors import InvalidInput, NotEnrolled, NotFound, PlaybookError
from ringback.core.lint import LintWarning, lint_playbook
from ringback.core.messages import with_library
from ringback.core.playbook import MAX_SOURCE_CHARS, parse_playbook
from ringback.core.playbook import Playbook as PlaybookSpec
from ringback.interface.api import COMMON_ERRORS, WRITE_ERRORS, PageOut
from ringback.messaging.selectors import message_texts
from ringback.playbooks.choices import EnrollmentStatus
from ringback.playbooks.models import Enrollment
from ringback.playbooks.presenters import playbook_json, playbook_line_json, rule_text
from ringback.playbooks.selectors import (
    enrollment_get,
    playbook_for_page,
    playbook_latest_version,
    playbook_overview,
    playbook_version_lines,
    version_spec,
)
from ringback.playbooks.services import (
    enrollment_end,
    enrollment_lock_running,
    enrollment_pause,
    enrollment_pause_until,
    enrollment_resume,
    enrollment_start,
    playbook_check,
    playbook_text_normalise,
)

router = Router(tags=["playbooks"])

#: The longest playbook name (``Playbook.name``).
NAME_CHARS = 63


# --- Schemas ------------------------------------------------------------------------------------

_ISO_INSTANT = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")


def _iso_text(value: object) -> object:
    """Only ISO 8601 text is a date and time here (not a number of seconds, not a bare day)."""
    if not isinstance(value, str) or not _ISO_INSTANT.match(value):
        raise ValueError("write the date and time in ISO 8601 with its zone: 2026-12-01T09:00:00-05:00")
    return value


#: An instant written in ISO 8601 with its zone.
Instant = Annotated[AwareDatetime, BeforeValidator(_iso_text)]


class AdviceOut(Schema):
    """What the message checks say about one script of the playbook (or one step's offer), as the
    playbook page shows it."""

    template: str = Field(description="The script (or, for an offer's length, the step) it is about")
    rule: str = Field(description="The rule it teaches (R1…R16), a law (CAN-SPAM, TCPA), or `script`")
    meaning: str = Field(description="The rule in words (empty for a law)")
    code: str
    severity: Severity
    message: str


class PlaybookSummaryOut(Schema):
    """A line of the playbook list: the playbook at its latest version, as ``ringback playbooks
    --json`` prints it (``name`` to ``rules``), with what the Playbooks tab adds."""

    name: str
    title: str
    version: int = Field(description="The latest version: new enrollments start on it")
    builtin: bool
    steps: int = Field(description="How many steps it has")
    rules: list[str] = Field(description="The rules it encodes (R1…R16)")
    description: str
    channels: list[str] = Field(description="The channel of each step, in order")
    running: int = Field(description="Contacts running it now (active or paused), on any version")
    error: str = Field(description="Why its latest YAML can't be read (empty when it can)")


class PlaybooksOut(PageOut):
    """Every playbook of the account, built-in first (one page: ``next_cursor`` is null)."""

    items: list[PlaybookSummaryOut]


class StepOut(Schema):
    id: str
    channel: str
    wait: str = Field(description="How long after the step before: `3-4 days`, `2 business days`")
    templates: list[str] = Field(description="Its scripts, or the library's messages it names (A/B)")
    at: list[str] = Field(description="The parts of the day it prefers")
    purpose: str


class FinishOut(Schema):
    recontact_after_days: int | None


class LimitsOut(Schema):
    max_calls: int | None
    within_days: int | None
    min_gap_days: int | None


class VersionOut(Schema):
    number: int
    created_at: datetime
    running: int = Field(description="Contacts still running this version")


class PlaybookOut(Schema):
    """A playbook at its latest version, as ``ringback playbooks show NAME --json`` prints it
    (``name`` to ``source``), with its versions and the advice about its scripts."""

    name: str
    title: str
    version: int
    description: str
    rules: list[str]
    steps: list[StepOut]
    finish: FinishOut
    limits: LimitsOut
    source: str = Field(description="The YAML of the latest version")
    builtin: bool
    versions: list[VersionOut] = Field(description="Every version, newest first")
    advice: list[AdviceOut]


class PlaybookSourceIn(Schema):
    source: str = Field(..., min_length=1, max_length=MAX_SOURCE_CHARS, description="The playbook's YAML")


class PlaybookProblemOut(Schema):
    """Why the YAML can't be saved: the line of the YAML it is about, when known."""

    code: str
    field: str
    line: int | None
    message: str = Field(description="The problem with where it is: `name.yaml, line 3: …`")
    detail: str = Field(description="The problem alone")


class PlaybookCheckOut(Schema):
    """Whether the YAML would be saved, as the edit page's Check and ``ringback playbooks
    validate`` answer: its name, version and steps when it is valid, the problem when not, and
    the advice about its scripts either way it can be read."""

    valid: bool
    name: str | None
    title: str | None
    version: int | None
    steps: int | None
    error: PlaybookProblemOut | None
    warnings: list[AdviceOut]


class EnrollmentOut(Schema):
    """One contact running (or having run) one version of a playbook. Times are UTC."""

    id: int
    contact_id: int
    playbook: str
    playbook_title: str
    version: int
    status: EnrollmentStatus
    step: int = Field(description="The index of its current step, from 0")
    steps: int | None = Field(description="How many steps the version has (null if it can't be read)")
    step_id: str | None = Field(description="The current step's id (null once past the last)")
    channel: str | None = Field(description="The current step's channel")
    next_due: datetime | None = Field(description="When the current step's window opens")
    due_until: datetime | None = Field(description="When it closes")
    started_at: datetime
    ended_at: datetime | None
    ended_reason: str
    recontact_at: datetime | None = Field(description="When a playbook that ran out starts again")
    paused_until: datetime | None = Field(description="When a pause with an end resumes by itself")
    paused_reason: str


class EnrollmentsOut(PageOut):
    """A contact's enrollments, newest first (the whole history is one page)."""

    items: list[EnrollmentOut]


class EnrollIn(Schema):
    """Start a playbook for the contact; as ``ringback enroll`` and the contact page's Enroll."""

    playbook: str | None = Field(
        None,
        max_length=NAME_CHARS,
        description="The playbook's name; left out, the one the contact's warmth suggests",
    )
    replace: StrictBool = Field(False, description="Stop the playbook running for them and start this one")
    force: StrictBool = Field(
        False,
        description="Start anyway: despite an appointment coming, or a first step that can't reach them",
    )


class PauseIn(Schema):
    until: Instant | None = Field(
        None, description="Resume by itself then (with a time zone); left out, until resumed by hand"
    )
    reason: str = Field("", max_length=300, description="Why (with `until`): `out of office`")


class StopIn(Schema):
    reason: str = Field("stopped by hand", min_length=1, max_length=200)


# --- Helpers ------------------------------------------------------------------------------------


def _advice(warnings: list[LintWarning]) -> list[AdviceOut]:
    return [
        AdviceOut(
            template=w.template,
            rule=w.rule,
            meaning=rule_text(w.rule),
            code=w.code,
            severity=w.severity,
            message=w.message,
        )
        for w in warnings
    ]


def _lint(account: Account, spec: PlaybookSpec) -> list[AdviceOut]:
    """The advice about the playbook's scripts and the library's messages it names."""
    return _advice(lint_playbook(with_library(spec, message_texts(account=account, names=spec.library_refs))))


def _enrollment_out(enrollment: Enrollment) -> EnrollmentOut:
    version = enrollment.version
    try:
        spec: PlaybookSpec | None = version_spec(version=version)
    except PlaybookError:
        spec = None
    step = spec.steps[enrollment.step_index] if spec and enrollment.step_index < len(spec.steps) else None
    return EnrollmentOut(
        id=enrollment.pk,
        contact_id=enrollment.contact_id,
        playbook=version.playbook.name,
        playbook_title=version.playbook.title,
        version=version.number,
        status=EnrollmentStatus(enrollment.status),
        step=enrollment.step_index,
        steps=len(spec.steps) if spec else None,
        step_id=step.id if step else None,
        channel=step.channel.value if step else None,
        next_due=enrollment.due_start,
        due_until=enrollment.due_end,
        started_at=enrollment.started_at,
        ended_at=enrollment.ended_at,
        ended_reason=enrollment.ended_reason,
        recontact_at=enrollment.recontact_at,
        paused_until=enrollment.paused_until,
        paused_reason=enrollment.paused_reason,
    )


def _read(account: Account, pk: int) -> Enrollment:
    """The account's enrollment ``pk`` with its playbook (:class:`NotFound` for another's)."""
    enrollment_get(account=account, pk=pk)
    return Enrollment.objects.select_related("version__playbook").get(pk=pk)


def _locked(account: Account, pk: int) -> Enrollment:
    """The account's enrollment ``pk``, read again under its contact's lock (and its own, while it
    runs), as every writer of an enrollment does. Call inside a transaction."""
    enrollment = enrollment_get(account=account, pk=pk)
    contact = contact_lock(contact=enrollment.contact)
    running = enrollment_lock_running(contact=contact)
    if running is not None and running.pk == enrollment.pk:
        running.contact = contact
        return running
    enrollment.refresh_from_db()
    return enrollment


def _not_running(enrollment: Enrollment, doing: str) -> NotEnrolled:
    return NotEnrolled(f"only a running enrollment can be {doing} (this one is {enrollment.status})")


# --- Playbooks ----------------------------------------------------------------------------------


@router.get("/playbooks", response={200: PlaybooksOut, **COMMON_ERRORS}, url_name="playbooks")
def playbooks_list(request: HttpRequest) -> PlaybooksOut:
    """The account's playbooks, built-in first, each at its latest version: what it encodes, its
    steps, and how many contacts run it (``ringback playbooks --json``, with the tab's extras)."""
    items = []
    for row in playbook_overview(account=api_account(request)):
        spec = row.spec
        common: dict[str, object] = (
            playbook_line_json(row.playbook, row.version, spec)
            if spec is not None
            else {
                "name": row.playbook.name,
                "title": row.playbook.title,
                "version": row.version.number,
                "builtin": row.playbook.is_builtin,
                "steps": 0,
                "rules": [],
            }
        )
        items.append(
            PlaybookSummaryOut.model_validate(
                {
                    **common,
                    "description": spec.description if spec else "",
                    "channels": [s.channel.value for s in spec.steps] if spec else [],
                    "running": row.running,
                    "error": row.error,
                }
            )
        )
    return PlaybooksOut(items=items, next_cursor=None)


@router.post(
    "/playbooks/validate", response={200: PlaybookCheckOut, **COMMON_ERRORS}, url_name="playbook-validate"
)
def playbooks_validate(request: HttpRequest, payload: PlaybookSourceIn) -> PlaybookCheckOut:
    """Check a playbook's YAML as saving it would, and store nothing: its syntax and schema, the
    playbooks and the library's messages and offers it names (the account's), and its scripts;
    then the advice of the message checks. Invalid YAML is an answer here (``valid`` false, the
    problem with its line), not an error. A read-only token may use it."""
    account = api_account(request)
    text = playbook_text_normalise(payload.source)
    try:
        parsed = parse_playbook(text, source="playbook.yaml")
        spec = playbook_check(account=account, name=parsed.name, text=text)
    except PlaybookError as exc:
        return PlaybookCheckOut(
            valid=False,
            name=None,
            title=None,
            version=None,
            steps=None,
            error=PlaybookProblemOut(
                code=str(exc.code), field="source", line=exc.line, message=exc.message, detail=exc.detail
            ),
            warnings=[],
        )
    return PlaybookCheckOut(
        valid=True,
        name=spec.name,
        title=spec.title,
        version=spec.version,
        steps=len(spec.steps),
        error=None,
        warnings=_lint(account, spec),
    )


@router.get("/playbooks/{name}", response={200: PlaybookOut, **COMMON_ERRORS}, url_name="playbook")
def playbooks_read(request: HttpRequest, name: PathEx[str, P(max_length=NAME_CHARS)]) -> PlaybookOut:
    """One playbook at its latest version: its steps, finish and limits, its YAML, its versions
    and the advice about its scripts (``ringback playbooks show NAME --json``, and more)."""
    account = api_account(request)
    playbook = playbook_for_page(account=account, name=name)
    if playbook is None:
        raise NotFound(f"no playbook called {name!r}", field="name")
    version = playbook_latest_version(playbook=playbook)
    spec = version_spec(version=version)
    return PlaybookOut.model_validate(
        {
            **playbook_json(spec, version),
            "builtin": playbook.is_builtin,
            "versions": [
                {"number": line.number, "created_at": line.created_at, "running": line.running}
                for line in playbook_version_lines(playbook=playbook)
            ],
            "advice": _lint(account, spec),
        }
    )


# --- Enrollments --------------------------------------------------------------------------------


@router.get(
    "/contacts/{int:contact_id}/enrollments",
    response={200: EnrollmentsOut, **COMMON_ERRORS},
    url_name="contact-enrollments",
    tags=["enrollments"],
)
def enrollments_list(request: HttpRequest, contact_id: int) -> EnrollmentsOut:
    """The contact's enrollments, newest first: the running one (if any) and how each before it
    ended."""
    contact = contact_get(account=api_account(request), pk=contact_id)
    rows = Enrollment.objects.filter(account_id=contact.account_id, contact=contact).select_related(
        "version__playbook"
    )
    return EnrollmentsOut(
        items=[_enrollment_out(e) for e in rows.order_by("-started_at", "-id")], next_cursor=None
    )


@router.post(
    "/contacts/{int:contact_id}/enrollments",
    response={201: EnrollmentOut, **WRITE_ERRORS},
    url_name="contact-enroll",
    tags=["enrollments"],
)
def enrollments_start(request: HttpRequest, contact_id: int, payload: EnrollIn) -> Status[EnrollmentOut]:
    """Start a playbook for the contact (the one their warmth suggests when none is named),
    planning its first step. A contact already running one is a 409 ``already_enrolled`` unless
    ``replace``; a contact who can't be reached by the first step, or has an appointment coming,
    is refused unless ``force``."""
    account = api_account(request)
    contact = contact_get(account=account, pk=contact_id)
    enrollment = enrollment_start(
        account=account,
        contact=contact,
        playbook=payload.playbook or None,
        replace=payload.replace,
        force=payload.force,
    )
    return Status(201, _enrollment_out(_read(account, enrollment.pk)))


@router.get(
    "/enrollments/{int:enrollment_id}",
    response={200: EnrollmentOut, **COMMON_ERRORS},
    url_name="enrollment",
    tags=["enrollments"],
)
def enrollments_read(request: HttpRequest, enrollment_id: int) -> EnrollmentOut:
    """One enrollment: its playbook, where it is and when its next step is due, or how it ended."""
    return _enrollment_out(_read(api_account(request), enrollment_id))


@router.post(
    "/enrollments/{int:enrollment_id}/pause",
    response={200: EnrollmentOut, **WRITE_ERRORS},
    url_name="enrollment-pause",
    tags=["enrollments"],
)
def enrollments_pause(request: HttpRequest, enrollment_id: int, payload: PauseIn) -> EnrollmentOut:
    """Put an active enrollment on hold; it keeps its step. With ``until`` it resumes by itself
    then (an out-of-office pause); without, it waits to be resumed. Only an active enrollment can
    be paused (409 ``not_enrolled``)."""
    account = api_account(request)
    if payload.until is not None and payload.until <= clock.now():
        raise InvalidInput("the pause must end in the future", field="until")
    with transaction.atomic():
        enrollment = _locked(account, enrollment_id)
        if enrollment.status != EnrollmentStatus.ACTIVE:
            raise NotEnrolled(f"only an active enrollment can be paused (this one is {enrollment.status})")
        if payload.until is None:
            enrollment_pause(enrollment=enrollment)
        else:
            enrollment_pause_until(enrollment=enrollment, until=payload.until, reason=payload.reason)
    return _enrollment_out(_read(account, enrollment_id))


@router.post(
    "/enrollments/{int:enrollment_id}/resume",
    response={200: EnrollmentOut, **WRITE_ERRORS},
    url_name="enrollment-resume",
    tags=["enrollments"],
)
def enrollments_resume(request: HttpRequest, enrollment_id: int) -> EnrollmentOut:
    """Take a paused enrollment off hold, planning its current step again from now. Only a paused
    enrollment can be resumed (409 ``not_enrolled``)."""
    account = api_account(request)
    with transaction.atomic():
        enrollment_resume(account=account, enrollment=_locked(account, enrollment_id))
    return _enrollment_out(_read(account, enrollment_id))


@router.post(
    "/enrollments/{int:enrollment_id}/stop",
    response={200: EnrollmentOut, **WRITE_ERRORS},
    url_name="enrollment-stop",
    tags=["enrollments"],
)
def enrollments_stop(request: HttpRequest, enrollment_id: int, payload: StopIn) -> EnrollmentOut:
    """Stop a running (active or paused) enrollment by hand, saying why; nothing more is planned.
    One that already ended is a 409 ``not_enrolled``."""
    account = api_account(request)
    with transaction.atomic():
        enrollment = _locked(account, enrollment_id)
        if enrollment.status not in (EnrollmentStatus.ACTIVE, EnrollmentStatus.PAUSED):
            raise _not_running(enrollment, "stopped")
        enrollment_end(enrollment=enrollment, reason=payload.reason)
    return _enrollment_out(_read(account, enrollment_id))
