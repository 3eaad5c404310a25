"""Reads about playbooks and enrollments."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date, datetime, time
from functools import lru_cache

from django.core.exceptions import ImproperlyConfigured
from django.db.models import Count, QuerySet

from ringback.accounts.models import Account
from ringback.accounts.selectors import account_calling_hours, account_vacations
from ringback.config import ringback_setting
from ringback.contacts.models import Contact
from ringback.contacts.selectors import contact_recipient
from ringback.core.engine import Context, EnrollmentState, Status
from ringback.core.errors import UnknownPlaybook
from ringback.core.playbook import PartOfDay, parse_playbook
from ringback.core.playbook import Playbook as PlaybookSpec
from ringback.core.scheduling import CallingHours, CallRecord, Window, calling_hours_for
from ringback.playbooks.choices import RUNNING_STATUSES
from ringback.playbooks.models import Enrollment, Playbook, PlaybookVersion


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
        raise UnknownPlaybook(f"no playbook called {name!r} (playbooks: {known})")
    return found


def playbook_latest_version(*, playbook: Playbook) -> PlaybookVersion:
    """The newest version of a playbook."""
    version = playbook.versions.select_related("playbook").order_by("-number").first()
    assert version is not None, "a playbook always has a version"
    return version


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


def effective_hours(*, account: Account, country: str | None, subdivision: str | None) -> CallingHours:
    """The stricter of the account's calling hours and the rules of the contact's region.

    Region rules come from ``settings.RINGBACK["CALLING_HOURS"]`` and then the built-in table.
    """
    own = account_calling_hours(account=account)
    overrides = _configured_hours(json.dumps(ringback_setting("CALLING_HOURS"), sort_keys=True))
    region = calling_hours_for(country, subdivision, overrides=overrides)
    start, end = max(own.start, region.start), min(own.end, region.end)
    if end <= start:
        return region
    return CallingHours(start, end, region.max_calls_per_24h)


def context_for(
    *,
    account: Account,
    contact: Contact,
    vacations: tuple[tuple[datetime, datetime], ...] | None = None,
) -> Context:
    """The engine context of a contact: zone, region rules, the seller's vacations."""
    recipient = contact_recipient(contact=contact, account=account)
    return Context(
        recipient=recipient,
        hours=effective_hours(account=account, country=recipient.country, subdivision=recipient.subdivision),
        vacations=account_vacations(account=account) if vacations is None else vacations,
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
