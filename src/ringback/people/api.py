"""The API's contacts: the list with the web's search, filters and cursor pages; one contact;
adding and changing one; importing a file in the background and reading its report.

Every operation calls the services and selectors the Contacts tab and ``ringback contacts``
call, so the rules and the errors are theirs.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from django.db import transaction
from django.http import HttpRequest
from ninja import Field, File, Query, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import StrictBool

from ringback.accounts.api import api_account
from ringback.contacts.choices import ContactStatus, Warmth
from ringback.contacts.import_jobs import import_job_get, import_job_stalled, import_job_start
from ringback.contacts.models import Contact, ImportJob
from ringback.contacts.selectors import contact_get
from ringback.contacts.services import (
    EmailChange,
    PhoneChange,
    PhoneInput,
    contact_create,
    contact_update,
)
from ringback.contacts.uploads import upload_format, upload_store
from ringback.core.errors import InvalidInput
from ringback.interface.api import COMMON_ERRORS, WRITE_ERRORS, PageOut
from ringback.people.selectors import ContactFilters, contacts_page, decode_cursor, encode_cursor
from ringback.playbooks.models import Enrollment
from ringback.playbooks.selectors import enrollments_running_for

router = Router(tags=["contacts"])

#: The longest page of contacts a request may ask for.
MAX_LIMIT = 200


class PhoneOut(Schema):
    id: int
    number: str
    label: str
    ok_at_work: bool
    bad: bool
    valid: bool
    may_text: bool


class EmailOut(Schema):
    id: int
    address: str
    label: str


class EnrollmentBrief(Schema):
    """The contact's running playbook: where it is and when the next step is due (UTC)."""

    id: int
    playbook: str
    status: str
    step: int
    next_due: datetime | None
    due_until: datetime | None


class ContactSummaryOut(Schema):
    """A line of the contact list."""

    id: int
    name: str
    first_name: str
    last_name: str
    company: str
    status: str
    warmth: str
    time_zone: str
    do_not_contact: bool
    last_called_at: datetime | None
    phones: list[PhoneOut]
    tags: list[str]
    enrollment: EnrollmentBrief | None


class BirthdayIO(Schema):
    month: int = Field(..., ge=1, le=12)
    day: int = Field(..., ge=1, le=31)
    year: int | None = Field(None, ge=1900, le=2100)


class ContactOut(ContactSummaryOut):
    """A contact with every detail."""

    title: str
    notes: str
    emails: list[EmailOut]
    birthday: BirthdayIO | None
    suppressed_until: datetime | None
    created_at: datetime
    updated_at: datetime


class ContactsPageOut(PageOut):
    items: list[ContactSummaryOut]


class ContactFilterIn(Schema):
    """The contact list's search and filters, as on the web (all optional)."""

    search: str = Field("", max_length=200, description="Part of a name, company, number or email")
    tag: str = Field("", max_length=100)
    status: ContactStatus | Literal[""] = ""
    warmth: Warmth | Literal[""] = ""
    playbook: str = Field("", max_length=100, description="Only contacts running this playbook")
    never_called: bool = False
    cursor: str = Field("", max_length=1000, description="`next_cursor` of the page before")
    limit: int = Field(50, ge=1, le=MAX_LIMIT)


class PhoneIn(Schema):
    number: str = Field(..., min_length=1, max_length=40)
    label: str = "mobile"
    ok_at_work: StrictBool = False


class ContactIn(Schema):
    first_name: str = Field("", max_length=100)
    last_name: str = Field("", max_length=100)
    company: str = Field("", max_length=200)
    title: str = Field("", max_length=200)
    phones: list[PhoneIn] = Field(default_factory=list, max_length=10)
    emails: list[str] = Field(default_factory=list, max_length=10)
    tags: list[str] = Field(default_factory=list, max_length=50)
    notes: str = Field("", max_length=10_000)
    warmth: Warmth = Warmth.MET_ONCE
    status: ContactStatus = ContactStatus.PROSPECT
    birthday: BirthdayIO | None = None
    time_zone: str | None = Field(None, max_length=64, description="IANA zone; guessed from the number")


class PhoneChangeIn(Schema):
    """A number to change (``id``), remove (``remove``) or add (no ``id``)."""

    id: int | None = None
    number: str = Field("", max_length=40)
    label: str = "mobile"
    ok_at_work: StrictBool = False
    bad: StrictBool = False
    remove: StrictBool = False


class EmailChangeIn(Schema):
    id: int | None = None
    address: str = Field("", max_length=254)
    label: str = "home"
    remove: StrictBool = False


class ContactPatch(Schema):
    """What to change; what is left out stays as it is. ``tags`` replaces the tags; ``phones`` and
    ``emails`` list changes to existing rows by id, and new rows without one."""

    first_name: str | None = Field(None, max_length=100)
    last_name: str | None = Field(None, max_length=100)
    company: str | None = Field(None, max_length=200)
    title: str | None = Field(None, max_length=200)
    notes: str | None = Field(None, max_length=10_000)
    warmth: Warmth | None = None
    status: ContactStatus | None = None
    time_zone: str | None = Field(None, max_length=64)
    birthday: BirthdayIO | None = None
    clear_birthday: StrictBool = False
    tags: list[str] | None = Field(None, max_length=50)
    phones: list[PhoneChangeIn] | None = Field(None, max_length=10)
    emails: list[EmailChangeIn] | None = Field(None, max_length=10)


class ImportOut(Schema):
    """An import of a contact file: waiting, running, done (with its report) or failed."""

    id: int
    file_name: str
    status: str
    stalled: bool
    error: str
    created_at: datetime
    finished_at: datetime | None
    report: ImportReportOut | None


class ImportReportOut(Schema):
    rows: int
    created: int
    merged: int
    unchanged: int
    skipped: int
    problems: list[list[object]] = Field(description="[row, reason] of each skipped row")
    doubtful: int
    moved: int
    capped: int


ImportOut.model_rebuild()


def _birthday(birthday: BirthdayIO | None) -> tuple[int, int, int | None] | None:
    return (birthday.month, birthday.day, birthday.year) if birthday else None


def _enrollment(enrollment: Enrollment | None) -> EnrollmentBrief | None:
    if enrollment is None:
        return None
    return EnrollmentBrief(
        id=enrollment.pk,
        playbook=enrollment.version.playbook.name,
        status=enrollment.status,
        step=enrollment.step_index,
        next_due=enrollment.due_start,
        due_until=enrollment.due_end,
    )


def _summary(contact: Contact, running: Enrollment | None) -> dict[str, Any]:
    return {
        "id": contact.pk,
        "name": contact.name,
        "first_name": contact.first_name,
        "last_name": contact.last_name,
        "company": contact.company,
        "status": contact.status,
        "warmth": contact.warmth,
        "time_zone": contact.time_zone,
        "do_not_contact": contact.do_not_contact,
        "last_called_at": contact.last_called_at,
        "phones": [
            PhoneOut(
                id=p.pk,
                number=p.number,
                label=p.label,
                ok_at_work=p.ok_at_work,
                bad=p.is_bad,
                valid=p.is_valid,
                may_text=p.may_text,
            )
            for p in contact.phones.all()
        ],
        "tags": [t.name for t in contact.tags.all()],
        "enrollment": _enrollment(running),
    }


def _detail(contact: Contact) -> ContactOut:
    running = enrollments_running_for(contacts=[contact]).get(contact.pk)
    birthday = (
        BirthdayIO(month=contact.birthday_month, day=contact.birthday_day, year=contact.birthday_year)
        if contact.birthday_month and contact.birthday_day
        else None
    )
    return ContactOut(
        **_summary(contact, running),
        title=contact.title,
        notes=contact.notes,
        emails=[EmailOut(id=e.pk, address=e.address, label=e.label) for e in contact.emails.all()],
        birthday=birthday,
        suppressed_until=contact.suppressed_until,
        created_at=contact.created_at,
        updated_at=contact.updated_at,
    )


@router.get("", response={200: ContactsPageOut, **COMMON_ERRORS}, url_name="contacts")
def contacts_list(request: HttpRequest, filters: Query[ContactFilterIn]) -> ContactsPageOut:
    """The contact list in name order, a page at a time, with the web's search and filters."""
    after = decode_cursor(filters.cursor)
    if filters.cursor and after is None:
        raise InvalidInput("the cursor is damaged: pass next_cursor exactly as given", field="cursor")
    page = contacts_page(
        account=api_account(request),
        filters=ContactFilters(
            search=filters.search,
            tag=filters.tag,
            status=str(filters.status),
            warmth=str(filters.warmth),
            playbook=filters.playbook,
            never_called=filters.never_called,
        ),
        after=after,
        size=filters.limit,
    )
    return ContactsPageOut(
        items=[ContactSummaryOut(**_summary(c, page.running.get(c.pk))) for c in page.contacts],
        next_cursor=encode_cursor(page.next_cursor) if page.next_cursor else None,
    )


@router.post("", response={201: ContactOut, **WRITE_ERRORS}, url_name="contact-create")
def contacts_create(request: HttpRequest, payload: ContactIn) -> Status[ContactOut]:
    """Add a contact, with the web form's rules: one contact per number and email address."""
    account = api_account(request)
    contact = contact_create(
        account=account,
        first_name=payload.first_name,
        last_name=payload.last_name,
        company=payload.company,
        title=payload.title,
        phones=[PhoneInput(p.number, p.label, p.ok_at_work) for p in payload.phones],
        emails=payload.emails,
        tags=payload.tags,
        notes=payload.notes,
        warmth=payload.warmth,
        status=payload.status,
        birthday=_birthday(payload.birthday),
        time_zone=payload.time_zone,
    )
    return Status(201, _detail(contact_get(account=account, pk=contact.pk, details=True)))


@router.get("/{int:contact_id}", response={200: ContactOut, **COMMON_ERRORS}, url_name="contact")
def contacts_read(request: HttpRequest, contact_id: int) -> ContactOut:
    """One contact with every detail and the playbook running for them."""
    return _detail(contact_get(account=api_account(request), pk=contact_id, details=True))


@router.patch("/{int:contact_id}", response={200: ContactOut, **WRITE_ERRORS}, url_name="contact-update")
def contacts_update(request: HttpRequest, contact_id: int, payload: ContactPatch) -> ContactOut:
    """Change a contact: everything is checked before anything is written."""
    account = api_account(request)
    contact = contact_get(account=account, pk=contact_id, details=True)
    changes = payload.model_dump(exclude_unset=True)
    contact_update(
        account=account,
        contact=contact,
        first_name=payload.first_name,
        last_name=payload.last_name,
        company=payload.company,
        title=payload.title,
        notes=payload.notes,
        warmth=payload.warmth,
        status=payload.status,
        time_zone=payload.time_zone,
        birthday=_birthday(payload.birthday),
        clear_birthday=payload.clear_birthday,
        tags=payload.tags if "tags" in changes else None,
        phones=[PhoneChange(p.id, p.number, p.label, p.ok_at_work, p.bad, p.remove) for p in payload.phones]
        if payload.phones is not None
        else None,
        emails=[EmailChange(e.id, e.address, e.label, e.remove) for e in payload.emails]
        if payload.emails is not None
        else None,
    )
    return _detail(contact_get(account=account, pk=contact.pk, details=True))


def _import_out(job: ImportJob) -> ImportOut:
    run = job.run
    return ImportOut(
        id=job.pk,
        file_name=job.file_name,
        status=job.status,
        stalled=import_job_stalled(job=job),
        error=job.error,
        created_at=job.created_at,
        finished_at=job.finished_at,
        report=ImportReportOut(
            rows=run.rows,
            created=run.created,
            merged=run.merged,
            unchanged=run.unchanged,
            skipped=run.skipped,
            problems=run.problems,
            doubtful=run.doubtful,
            moved=run.moved,
            capped=run.capped,
        )
        if run is not None
        else None,
    )


@router.post("/imports", response={202: ImportOut, **WRITE_ERRORS}, url_name="contact-import")
def contacts_import(request: HttpRequest, file: File[UploadedFile]) -> Status[ImportOut]:
    """Import a contact file (CSV, vCard, Excel…: the formats of the web's import) in the
    background; read its report at the address returned."""
    account = api_account(request)
    upload = upload_store(account=account, upload=file)
    with transaction.atomic():
        job = import_job_start(account=account, upload=upload, file_format=upload_format(upload))
    return Status(202, _import_out(import_job_get(account=account, pk=job.pk)))


@router.get(
    "/imports/{int:import_id}", response={200: ImportOut, **COMMON_ERRORS}, url_name="contact-import-read"
)
def contacts_import_read(request: HttpRequest, import_id: int) -> ImportOut:
    """An import: whether it is done, and its report once it is."""
    return _import_out(import_job_get(account=api_account(request), pk=import_id))
