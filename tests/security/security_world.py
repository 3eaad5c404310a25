"""What the security sweep shares: two accounts with one of everything, row snapshots, clients.

Account A (``alice``) owns a contact with numbers, an email, an address, tags, a note, a promise,
an enrollment in her own playbook, a second contact with an appointment, a vacation, an import
report and two uploads waiting for confirmation. Account B (``bob``) has contacts of his own.
Every piece of A's text carries the marker ``Qzx`` so that a leak into one of B's answers is
found by looking for it (B never sends it: his requests name A's rows by id, token or name only).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.test import Client
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from ringback.accounts.models import Account, Vacation
from ringback.accounts.services import (
    account_calendar_on,
    account_calendar_reset,
    account_create,
    account_update,
    api_token_create,
    vacation_add,
)
from ringback.activities.models import Appointment
from ringback.activities.services import appointment_book, touch_note
from ringback.contacts.importing import contacts_import
from ringback.contacts.models import Contact, ImportJob, ImportRun, Promise
from ringback.contacts.services import AddressInput, PhoneInput, address_set, contact_create, promise_add
from ringback.contacts.uploads import StoredUpload, upload_store, uploads_dir
from ringback.hooks.services import webhook_create
from ringback.messaging.services import message_add, offer_add
from ringback.outbox.services import outbound_email_create, outbound_email_failed, unsubscribe_token
from ringback.playbooks.models import Enrollment, Playbook
from ringback.playbooks.services import enrollment_start, playbook_duplicate

#: Monday 23 November 2026, 09:00 in New York: a working morning for both sellers.
NOW = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)
PASSWORD = "a-long-password-1"
#: In every piece of text account A owns; never in anything account B sends.
MARKER = "Qzx"
#: A's own playbook (B has none by this name; each account has its own copy of the built-ins).
#: Names travel in URLs, so it carries no marker; its title does.
A_PLAYBOOK = "alice-chase"
BUILTIN = "call-mail-call"
#: A's own message and offer in her library (B has none by these names).
A_MESSAGE = "alice-words"
A_OFFER = "alice-offer"


@dataclass
class World:
    """Account A with one of everything, account B with a little, and what names A's rows."""

    a: Account
    b: Account
    a_contact: Contact  # enrolled in A's own playbook, with a note and a promise
    a_other: Contact  # with an appointment
    a_promise: Promise
    a_appointment: Appointment
    a_enrollment: Enrollment
    a_playbook: Playbook
    a_vacation: Vacation
    a_report: ImportRun
    a_upload: StoredUpload  # for "confirm"
    a_upload_2: StoredUpload  # for "cancel"
    b_contact: Contact  # enrolled in B's copy of a built-in
    b_free: Contact  # in no playbook
    b_enrollment: Enrollment
    #: A's calendar feed secret before she made a new one (A's feed is on, with another one).
    a_calendar_replaced: str = ""
    #: An email to A's contact that failed (waits for A's decision), and A's unsubscribe link's token.
    a_email: Any = None
    a_unsubscribe: str = ""
    #: An import of A's started on the web, waiting for the worker.
    a_import_job: Any = None
    #: A's live API token (its row; the token itself is never needed).
    a_api_token: Any = None

    #: A's webhook (its URL and description carry the marker).
    a_webhook: Any = None

    @property
    def a_user(self) -> Any:
        return self.a.memberships.get().user

    @property
    def b_user(self) -> Any:
        return self.b.memberships.get().user

    def a_card(self) -> dict[str, str]:
        """The hidden fields of the Today card of A's enrolled contact (valid for A)."""
        enrollment = Enrollment.objects.select_related("version").get(pk=self.a_enrollment.pk)
        assert enrollment.due_start is not None
        return {
            "kind": "call",
            "enrollment": str(enrollment.pk),
            "step": "call-1",
            "due": enrollment.due_start.isoformat(),
            "phone": "+12125550101",
        }

    def a_appointment_card(self) -> dict[str, str]:
        return {"kind": "appointment", "appointment": str(self.a_appointment.pk)}

    def a_reset_uid(self) -> str:
        return reset_uid(self.a_user)


def _csv(text: str, name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode(), content_type="text/csv")


def make_account(username: str, seller_name: str) -> Account:
    """A seller with the time for everything due on any day, so that every script the sweeps
    write is shown on Today and by ``ringback agenda``."""
    account = account_create(
        username=username,
        password=PASSWORD,
        seller_name=seller_name,
        business_name=f"{seller_name} Co",
        seller_phone="312 555 0142",
        time_zone="America/New_York",
    )
    return account_update(
        account=account, working_days="mon-sun", minutes_per_day=24 * 60, daily_call_capacity=1000
    )


def build_world(tmp_path: Path) -> World:
    """Both accounts and their rows, made through the services."""
    a = make_account("alice", "Alice Qzxseller")
    b = make_account("bob", "Bob Other")
    a_contact = contact_create(
        account=a,
        first_name="Qzxfirst",
        last_name="Qzxlast",
        company="Qzx Company",
        title="Qzx Title",
        phones=[PhoneInput("212 555 0101"), PhoneInput("212 555 0111", "work", ok_at_work=True)],
        emails=["qzx.secret@example.com"],
        tags=["qzx-tag"],
        notes="Qzx private notes",
    )
    address_set(
        account=a,
        contact=a_contact,
        address=AddressInput(street="1 Qzx Street", city="Qzxville", region="NY", postal_code="10001"),
    )
    a_other = contact_create(
        account=a, first_name="Qzxother", last_name="Person", phones=[PhoneInput("212 555 0102")]
    )
    a_playbook = playbook_duplicate(
        account=a, name="four-calls-two-weeks", new_name=A_PLAYBOOK, title="Qzx Secret Chase"
    ).playbook
    a_enrollment = enrollment_start(account=a, contact=a_contact, playbook=A_PLAYBOOK)
    touch_note(account=a, contact=a_contact, text="Qzx note of a private talk")
    a_promise = promise_add(
        account=a, contact=a_contact, text="Qzx promised article", due_on=date(2026, 12, 1)
    )
    a_appointment = appointment_book(
        account=a,
        contact=a_other,
        starts_at=datetime(2026, 11, 24, 15, 0, tzinfo=UTC),
        note="Qzx appointment about the offer",
    )
    message_add(
        account=a,
        name=A_MESSAGE,
        kind="card",
        title="Qzx secret words",
        body="Dear {{ contact.first_name }}, Qzx secret words. Call me at {{ seller.phone }}.",
    )
    offer_add(account=a, name=A_OFFER, title="Qzx secret offer", details="Qzx secret details")
    a_vacation = vacation_add(account=a, first_day=date(2026, 12, 21), last_day=date(2026, 12, 27)).vacation
    a_calendar_replaced = account_calendar_on(account=a)
    account_calendar_reset(account=a)
    source = tmp_path / "qzx-import.csv"
    source.write_text("name,phone,email\nQzximported Person,212-555-0103,qzx.imported@example.com\n")
    a_report = contacts_import(account=a, path=source, dry_run=True, label="qzx-import.csv")
    a_upload = upload_store(
        account=a, upload=_csv("name,phone\nQzxupload One,212-555-0104\n", "qzx-upload.csv")
    )
    a_upload_2 = upload_store(
        account=a, upload=_csv("name,phone\nQzxupload Two,212-555-0105\n", "qzx-upload-2.csv")
    )
    a_email, _ = outbound_email_create(
        account=a,
        contact=a_contact,
        enrollment=None,
        step="",
        key="security-world/a-email",
        to_address="qzx.secret@example.com",
        subject="Qzx secret subject",
        body="Qzx secret email body",
        version=None,
        template="",
        manual=True,
    )
    outbound_email_failed(email=a_email, error="refused: 550 Qzx secret refusal")
    a_api_token, _ = api_token_create(
        account=a, user=a.memberships.get().user, name="Qzx secret key", scope="read"
    )
    a_import_job = ImportJob.objects.create(
        account=a, upload="qzx-upload-job", file_name="qzx-job.csv", created_at=a.created_at
    )
    a_unsubscribe = unsubscribe_token(
        account_id=a.pk, contact_id=a_contact.pk, address="qzx.secret@example.com"
    )
    a_webhook = webhook_create(
        account=a,
        url="https://93.184.215.14/qzx-hook",
        events=["callback.logged"],
        description="Qzx secret webhook",
    )
    b_contact = contact_create(
        account=b, first_name="Bert", last_name="Bee", phones=[PhoneInput("212 555 0201")]
    )
    b_free = contact_create(
        account=b, first_name="Bella", last_name="Free", phones=[PhoneInput("212 555 0202")]
    )
    b_enrollment = enrollment_start(account=b, contact=b_contact, playbook="four-calls-two-weeks")
    return World(
        a=a,
        b=b,
        a_contact=a_contact,
        a_other=a_other,
        a_promise=a_promise,
        a_appointment=a_appointment,
        a_enrollment=a_enrollment,
        a_playbook=a_playbook,
        a_vacation=a_vacation,
        a_report=a_report,
        a_upload=a_upload,
        a_upload_2=a_upload_2,
        a_calendar_replaced=a_calendar_replaced,
        a_email=a_email,
        a_unsubscribe=a_unsubscribe,
        a_import_job=a_import_job,
        a_api_token=a_api_token,
        a_webhook=a_webhook,
        b_contact=b_contact,
        b_free=b_free,
        b_enrollment=b_enrollment,
    )


def reset_uid(user: Any) -> str:
    """The user id as a password-reset link carries it."""
    return urlsafe_base64_encode(force_bytes(user.pk))


def reset_token(user: Any) -> str:
    """A valid password-reset token for ``user``."""
    return default_token_generator.make_token(user)


def signed_in(user: Any) -> Client:
    """A browser signed in as ``user`` that sends a real CSRF token with every POST."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    client.get("/settings/")  # a page with a form: sets the CSRF cookie
    token = client.cookies["csrftoken"].value
    client.defaults["HTTP_X_CSRFTOKEN"] = token
    return client


# --- snapshots of an account's rows --------------------------------------------------------------

#: Models whose rows belong to an account through another row (not an ``account`` column).
_THROUGH_CONTACT = {"contacts.Contact_tags": "contact__account"}
#: Models of the project that hold no account's data.
_NOT_ACCOUNT_DATA: set[str] = {
    # A worker's lease on a queued task: which worker, until when (the task names its account).
    "jobs.TaskLease",
    # When each periodic task is next due (one row per job for the whole installation).
    "jobs.ScheduledJob",
}


def _ringback_models() -> list[type[models.Model]]:
    return [
        m
        for m in apps.get_models(include_auto_created=True)
        if m._meta.app_config is not None and m._meta.app_config.name.startswith("ringback.")
    ]


def snapshot(account: Account) -> dict[str, Any]:
    """Every row of the account, every row its user owns, and its waiting uploads.

    Fails when the project has a model this cannot place in an account, so a new table is
    covered (or listed here) rather than silently left out.
    """
    rows: dict[str, Any] = {}
    for model in _ringback_models():
        label = f"{model._meta.app_label}.{model._meta.object_name}"
        qs: models.QuerySet[models.Model]
        if model is Account:
            qs = Account.objects.filter(pk=account.pk)
        elif any(f.name == "account" for f in model._meta.get_fields()):
            qs = model._default_manager.filter(account=account)
        elif label in _THROUGH_CONTACT:
            qs = model._default_manager.filter(**{_THROUGH_CONTACT[label]: account})
        elif label in _NOT_ACCOUNT_DATA:
            continue
        else:
            raise AssertionError(f"the sweep does not know whose rows {label} holds: add it to conftest.py")
        rows[label] = list(qs.order_by("pk").values())
    rows["auth.User"] = list(
        get_user_model()
        .objects.filter(membership__account=account)
        .order_by("pk")
        .values("pk", "username", "password", "email", "is_active", "last_login")
    )
    folder = uploads_dir()
    rows["uploads"] = sorted(p.name for p in folder.glob(f"{account.pk}-*")) if folder.is_dir() else []
    return rows


def changed(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """The tables whose rows differ between two snapshots."""
    return sorted(key for key in before.keys() | after.keys() if before.get(key) != after.get(key))
