"""The receivers of every cross-app signal, and :func:`connect`, which wires them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.apps import apps
from django.contrib.auth.signals import user_logged_in
from django.db.models.signals import post_migrate

from ringback.accounts.models import Account, Membership, Vacation
from ringback.accounts.signals import account_created, vacation_added
from ringback.activities.selectors import appointment_blocking_enrollment
from ringback.activities.services import touch_notes_add
from ringback.contacts.models import Contact
from ringback.contacts.signals import contacts_merged
from ringback.core.errors import HasAppointment
from ringback.messaging.services import messages_install_builtins, messages_upgrade_builtins
from ringback.playbooks.services import (
    enrollments_replan_for_vacation,
    enrollments_replan_overdue_once_a_day,
    playbooks_install_builtins,
    playbooks_upgrade_builtins,
)
from ringback.playbooks.signals import enrollment_starting


def install_builtin_playbooks(*, account: Account, **_: Any) -> None:
    """A new account gets the starter message library, then the built-in playbooks that use it."""
    messages_install_builtins(account=account)
    playbooks_install_builtins(account=account)


def upgrade_builtin_playbooks(**_: Any) -> None:
    """After ``migrate`` (an upgrade), every account's built-in playbooks follow the shipped
    YAML: new ones are added, changed ones get a new version (as Django adds permissions). The
    starter messages come first, since the built-in playbooks refer to them."""
    messages_upgrade_builtins()
    playbooks_upgrade_builtins()


def replan_vacation(*, account: Account, vacation: Vacation, **_: Any) -> int:
    """Steps planned inside a new vacation move to after it; returns how many moved."""
    return enrollments_replan_for_vacation(account=account, vacation=vacation)


def note_merges(*, account: Account, notes: list[tuple[int, str]], at: datetime, **_: Any) -> None:
    """What an import merged into saved contacts goes on their timelines."""
    touch_notes_add(account=account, notes=notes, at=at)


def replan_on_sign_in(*, user: Any, **_: Any) -> None:
    """Signing in (once a day per account) spreads long-overdue steps over the coming days."""
    membership = Membership.objects.select_related("account").filter(user_id=user.pk).first()
    if membership is not None:
        enrollments_replan_overdue_once_a_day(account=membership.account)


def refuse_enrolling_across_an_appointment(
    *, account: Account, contact: Contact, at: datetime, **_: Any
) -> None:
    """No chase for someone with a phone appointment coming, or booked in the last days: the
    seller is already talking to them (start anyway to override)."""
    refusal = appointment_blocking_enrollment(account=account, contact=contact, at=at)
    if refusal:
        raise HasAppointment(refusal, field="contact")


def connect() -> None:
    """Connect each receiver to its signal (once, whatever the number of calls)."""
    account_created.connect(install_builtin_playbooks, dispatch_uid="ringback.install_builtin_playbooks")
    vacation_added.connect(replan_vacation, dispatch_uid="ringback.replan_vacation")
    post_migrate.connect(
        upgrade_builtin_playbooks,
        sender=apps.get_app_config("playbooks"),
        dispatch_uid="ringback.upgrade_builtin_playbooks",
    )
    contacts_merged.connect(note_merges, dispatch_uid="ringback.note_merges")
    user_logged_in.connect(replan_on_sign_in, dispatch_uid="ringback.replan_on_sign_in")
    enrollment_starting.connect(
        refuse_enrolling_across_an_appointment, dispatch_uid="ringback.refuse_enrolling_across_an_appointment"
    )
