"""Web views for contacts: the list (search, filters, bulk actions), the contact page, and
importing a contact file (upload, preview, confirm) with the reports kept of each import.

Views read through selectors, write through services, and show a domain error's message next
to the field it is about. A POST from HTMX gets the card it changed back (and, out of band, the
parts of the page that changed with it); without JavaScript it redirects to the contact page,
or renders the page again with the errors.
"""

from __future__ import annotations

import base64
import binascii
import calendar
import json
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo, available_timezones

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, QueryDict, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from ringback.accounts.models import Account
from ringback.accounts.submissions import submitted_once
from ringback.accounts.web import account_view
from ringback.activities.services import appointment_book, contact_set_do_not_contact, touch_note
from ringback.contacts.choices import ImportStatus
from ringback.contacts.exporting import ExportFormat, contacts_export_pieces
from ringback.contacts.forms import (
    AppointmentForm,
    BulkForm,
    ContactAddForm,
    ContactEditForm,
    ContactFilterForm,
    DoNotContactForm,
    EmailRowForm,
    EnrollForm,
    ImportConfirmForm,
    ImportUploadForm,
    NoteForm,
    PhoneRowForm,
    PromiseForm,
    add_service_error,
    parse_local_time,
    tag_names,
)
from ringback.contacts.importing import contacts_import, left_out_text
from ringback.contacts.management.reporting import FORMAT_NAMES
from ringback.contacts.models import Contact, ImportRun, Promise
from ringback.contacts.selectors import (
    ContactFilters,
    Cursor,
    TimelinePage,
    contact_appointments_upcoming,
    contact_enrollment_preview,
    contact_promises,
    contact_tags,
    contact_timeline_page,
    contact_with_details,
    contacts_by_ids,
    contacts_for_account,
    contacts_page,
    enrollment_step_text,
    import_run_for_upload,
    import_run_get,
    import_runs,
)
from ringback.contacts.services import (
    PhoneInput,
    contact_create,
    contact_tag,
    contact_update,
    promise_add,
    promise_keep,
)
from ringback.contacts.uploads import (
    StoredUpload,
    upload_claimed,
    upload_delete,
    upload_format,
    upload_get,
    upload_owned_by_another,
    upload_sample,
    upload_store,
    uploads_clean,
    uploads_waiting,
)
from ringback.core import clock
from ringback.core.errors import (
    AlreadyBooked,
    AlreadyEnrolled,
    DuplicateContact,
    ImportFailed,
    InvalidDate,
    InvalidInput,
    InvalidPhone,
    RingbackError,
    Suppressed,
    UnknownPlaybook,
    UploadsWaiting,
)
from ringback.core.interchange import FileFormat
from ringback.core.interchange.incoming import MAX_ADDRESSES, MAX_EMAILS, MAX_NUMBERS
from ringback.core.phones import display_phone
from ringback.core.scheduling import zone
from ringback.playbooks.models import Enrollment
from ringback.playbooks.selectors import enrollment_running, playbook_list
from ringback.playbooks.services import enrollment_start, enrollments_start_many

PAGE_SIZE = 50
TIMELINE_LIMIT = 100
#: Skipped rows a preview lists one by one (the report keeps them all).
PREVIEW_PROBLEMS = 100
#: People of the file shown in the preview.
PREVIEW_SAMPLE = 10
#: Import reports a page of the list shows.
REPORTS_PAGE = 50
#: What a contact keeps, as the import pages say it.
CAPS = {"numbers": MAX_NUMBERS, "emails": MAX_EMAILS, "addresses": MAX_ADDRESSES}
FILTER_KEYS = ("q", "tag", "status", "warmth", "playbook", "never")


def _partial(request: HttpRequest) -> bool:
    """True for an HTMX request that wants a fragment (not a history restore)."""
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.history_restore_request  # type: ignore[union-attr]


def _playbook_choices(account: Account) -> list[tuple[str, str]]:
    return [(p.name, p.title) for p in playbook_list(account=account)]


# --- the contact list ------------------------------------------------------------------------


def encode_cursor(cursor: Cursor) -> str:
    """A page cursor as a short URL-safe token."""
    raw = json.dumps(list(cursor), separators=(",", ":"), ensure_ascii=False).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(token: str) -> Cursor | None:
    """The cursor in ``token``; a damaged one means the first page."""
    if not token:
        return None
    try:
        value = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        return None
    if (
        isinstance(value, list)
        and len(value) == 3
        and isinstance(value[0], str)
        and isinstance(value[1], str)
        and isinstance(value[2], int)
    ):
        return (value[0], value[1], value[2])
    return None


@dataclass(frozen=True, slots=True)
class ContactRow:
    """One line of the contact list."""

    contact: Contact
    phone: str
    phone_display: str
    running: Enrollment | None
    step: str
    zone: str
    url: str


def _rows(account: Account, contacts: list[Contact], running: Any) -> list[ContactRow]:
    # One reverse() for the page, not one per row: the contact page is "<list>/<id>/".
    base = reverse("contacts:list")
    rows = []
    for contact in contacts:
        phones = [p for p in contact.phones.all() if p.is_valid and not p.is_bad]
        enrollment = running.get(contact.pk)
        rows.append(
            ContactRow(
                contact=contact,
                phone=phones[0].number if phones else "",
                phone_display=display_phone(phones[0].number) if phones else "",
                running=enrollment,
                step=enrollment_step_text(enrollment=enrollment) if enrollment else "",
                zone=contact.time_zone or account.time_zone,
                url=f"{base}{contact.pk}/",
            )
        )
    return rows


def _list_context(account: Account, data: QueryDict) -> dict[str, Any]:
    playbooks = _playbook_choices(account)
    filter_form = ContactFilterForm(
        {k: v for k, v in data.items() if k in FILTER_KEYS},
        tags=contact_tags(account=account),
        playbooks=playbooks,
    )
    filters: ContactFilters = filter_form.filters()
    after = decode_cursor(data.get("after", ""))
    page = contacts_page(account=account, filters=filters, after=after, size=PAGE_SIZE)
    kept = QueryDict(mutable=True)
    for key in FILTER_KEYS:
        value = str(data.get(key, ""))
        if value:
            kept[key] = value
    next_query = ""
    if page.next_cursor is not None:
        following = kept.copy()
        following["after"] = encode_cursor(page.next_cursor)
        next_query = following.urlencode()
    return {
        "filter_form": filter_form,
        "filters": filters,
        "rows": _rows(account, page.contacts, page.running),
        "seller_tz": zone(account.time_zone),
        "next_query": next_query,
        "first_query": kept.urlencode(),
        "paged": after is not None,
        "after": data.get("after", "") if after is not None else "",
        "kept": [(k, kept[k]) for k in kept],
        "playbooks": playbooks,
        "bulk_form": BulkForm(prefix="bulk", playbooks=playbooks),
        "nav": "contacts",
    }


@account_view
@require_GET
def contact_list_view(request: HttpRequest, *, account: Account) -> HttpResponse:
    """Contacts in name order, 50 a page, with search as you type and filters."""
    context = _list_context(account, request.GET)
    if not context["rows"] and not context["filters"].active and not context["paged"]:
        context["add_form"] = ContactAddForm(account=account)
    if _partial(request):
        return render(request, "contacts/partials/results.html", context)
    return render(request, "contacts/list.html", context)


def _filters(account: Account, data: QueryDict) -> ContactFilters:
    """The contact list's search and filters in ``data`` (a value not on offer is ignored)."""
    form = ContactFilterForm(
        {k: v for k, v in data.items() if k in FILTER_KEYS},
        tags=contact_tags(account=account),
        playbooks=_playbook_choices(account),
    )
    return form.filters()


#: The export file for each ending of its address.
EXPORT_FORMATS = {"csv": ExportFormat.CSV, "vcf": ExportFormat.VCARD}


@account_view  # type: ignore[arg-type]  # account_view is typed for HttpResponse; streaming is fine
@require_GET
def contacts_export_view(request: HttpRequest, extension: str, *, account: Account) -> StreamingHttpResponse:
    """Download the seller's contacts, all or those the list's filters show, as a Google
    Contacts CSV (``export.csv``) or vCard 4.0 (``export.vcf``), streamed."""
    file_format = EXPORT_FORMATS[extension]
    day = clock.now().astimezone(zone(account.time_zone)).date()
    response = StreamingHttpResponse(
        contacts_export_pieces(
            account=account, file_format=file_format, filters=_filters(account, request.GET)
        ),
        content_type=file_format.content_type,
    )
    response["Content-Disposition"] = (
        f'attachment; filename="ringback-contacts-{day.isoformat()}.{file_format.extension}"'
    )
    response["Cache-Control"] = "private, no-store"
    return response


# --- importing a contact file ----------------------------------------------------------------


def _plural(count: int, word: str) -> str:
    return f"{count:,} {word}{'' if count == 1 else 's'}"


def format_name(file_format: str) -> str:
    """A kind of contact file as sellers know it (``Google Contacts CSV``)."""
    return FORMAT_NAMES.get(file_format, file_format or "unknown")


def import_done_message(run: ImportRun) -> str:
    """What an import did, in one sentence: ``Imported 120 contacts from google.csv; 3 merged
    into contacts you had.``"""
    text = f"Imported {_plural(run.created, 'contact')} from {run.file_name}"
    if run.merged:
        text += f"; {run.merged:,} merged into contacts you had"
    if run.skipped:
        text += f"; {_plural(run.skipped, 'row')} skipped (see below why)"
    if run.capped:
        text += (
            f"; {_plural(run.capped, 'row')} had more numbers, emails or addresses than a contact keeps"
            " (the rest were left out: see below)"
        )
    return text + "."


def _cut_short_message(run: ImportRun) -> str:
    """What became of an import a crash cut short, from the report it left (or was given)."""
    if run.status == ImportStatus.DONE:
        merged = f", {run.merged:,} merged into contacts you had" if run.merged else ""
        return (
            f"{run.file_name} was imported: {_plural(run.created, 'contact')} created{merged}"
            f" (see report #{run.pk} in your past imports)."
        )
    if run.status == ImportStatus.INTERRUPTED:
        return (
            f"The import of {run.file_name} was interrupted before it finished (the server stopped); "
            "nothing was imported. Choose the file again to import it."
        )
    return f"Nothing was imported from {run.file_name}. {run.error}"


def _report_cut_short(request: HttpRequest, account: Account) -> list[ImportRun]:
    """Clean up old uploads and what imports of this account cut short by a crash left, saying
    what became of each; their reports."""
    runs = [run for run in uploads_clean(account=account).interrupted if run.account_id == account.pk]
    for run in runs:
        _say_cut_short(request, run)
    return runs


def _say_cut_short(request: HttpRequest, run: ImportRun) -> None:
    if run.status == ImportStatus.DONE:
        messages.info(request, _cut_short_message(run))
    else:
        messages.error(request, _cut_short_message(run))


@dataclass(frozen=True, slots=True)
class LeftOutRow:
    """A row of an import report with numbers, emails or addresses left out beyond the caps."""

    row: int
    contact: str
    contact_id: int | None  # to link to, when the contact is saved
    what: str


def _left_out_rows(run: ImportRun, entries: list[dict[str, Any]], account: Account) -> list[LeftOutRow]:
    """The report's left-out rows, linked to their contacts when the import saved them."""
    saved: set[int] = set()
    if run.status == ImportStatus.DONE and entries:
        ids = [e["contact_id"] for e in entries]
        saved = set(contacts_for_account(account=account).filter(pk__in=ids).values_list("pk", flat=True))
    return [
        LeftOutRow(
            e["row"], e["contact"], e["contact_id"] if e["contact_id"] in saved else None, left_out_text(e)
        )
        for e in entries
    ]


GONE = (
    "This file is no longer waiting to be imported: it was imported already, cancelled, or left "
    "for more than a day. Nothing was done; choose the file again to import it."
)


def _import_form_page(
    request: HttpRequest, form: ImportUploadForm, account: Account, status: int = 200
) -> HttpResponse:
    context = {
        "form": form,
        "waiting": uploads_waiting(account=account),
        "seller_tz": zone(account.time_zone),
        "nav": "contacts",
    }
    return render(request, "contacts/import.html", context, status=status)


def _waiting_upload(account: Account, token: str) -> StoredUpload | None:
    """The account's upload with this token; another account's is not found (404)."""
    upload = upload_get(account=account, token=token)
    if upload is None and upload_owned_by_another(account=account, token=token):
        raise Http404("No such upload.")
    return upload


@account_view
@require_http_methods(["GET", "POST"])
def contacts_import_view(request: HttpRequest, *, account: Account) -> HttpResponse:
    """The import page: send a contact file and see what importing it would do (a dry run, kept
    as a report), with the first people in the file. Nothing changes until the seller confirms;
    a file that cannot be read is named with the reason next to the field and not kept. The page
    lists the files waiting to be imported (an account keeps a few at most), and says what became
    of an import a crash cut short."""
    _report_cut_short(request, account)
    if request.method != "POST":
        return _import_form_page(request, ImportUploadForm(), account)
    form = ImportUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _import_form_page(request, form, account, status=400)
    try:
        upload = upload_store(account=account, upload=form.cleaned_data["file"])
    except UploadsWaiting as exc:
        add_service_error(form, exc, "file")
        return _import_form_page(request, form, account, status=400)
    return _preview_page(request, account, upload, form.chosen_format(), form)


def _preview_page(
    request: HttpRequest,
    account: Account,
    upload: StoredUpload,
    chosen: FileFormat | None,
    form: ImportUploadForm | None = None,
) -> HttpResponse:
    """What importing the upload would do (a dry run, kept as a report) and the first people in
    it. A file that cannot be read is deleted and named with the reason: next to the upload
    form's field, or (previewed again) in a message on the import page."""
    try:
        file_format = chosen or upload_format(upload)
        run = contacts_import(
            account=account,
            path=upload.path,
            file_format=file_format,
            dry_run=True,
            label=upload.name,
            upload=upload.token,
        )
        sample = upload_sample(upload, file_format=file_format, limit=PREVIEW_SAMPLE)
    except ImportFailed as exc:
        upload_delete(upload)
        if form is None:
            messages.error(request, f"Nothing was imported. {exc.message}")
            return redirect("contacts:import")
        form.add_error("file", exc.message)
        return _import_form_page(request, form, account, status=400)
    except BaseException:
        upload_delete(upload)  # an upload is kept only for a preview the seller has seen
        raise
    problems = run.problems[:PREVIEW_PROBLEMS]
    left_out = run.left_out[:PREVIEW_PROBLEMS]
    context = {
        "run": run,
        "upload": upload,
        "format_name": format_name(run.file_format),
        "to_import": run.created + run.merged,
        "problems": problems,
        "more_problems": run.skipped - len(problems),
        "left_out": _left_out_rows(run, left_out, account),
        "more_left_out": run.capped - len(left_out),
        "caps": CAPS,
        "sample": sample,
        "nav": "contacts",
    }
    return render(request, "contacts/import_preview.html", context)


@account_view
@require_GET
def contacts_import_preview_view(request: HttpRequest, token: str, *, account: Account) -> HttpResponse:
    """Preview again a file waiting to be imported (listed on the import page), to import or
    cancel it; one no longer waiting is said to be gone, another account's is not found."""
    upload = _waiting_upload(account, token)
    if upload is None:
        _say_gone(request, account, token)
        return redirect("contacts:import")
    return _preview_page(request, account, upload, None)


def _say_gone(request: HttpRequest, account: Account, token: str) -> None:
    """Say why the upload with this token is not waiting any more: what became of it if a crash
    cut its import short, else that it was imported, cancelled or left too long."""
    if any(run.upload == token for run in _report_cut_short(request, account)):
        return
    run = import_run_for_upload(account=account, upload=token)
    if run is not None and run.status == ImportStatus.INTERRUPTED:
        _say_cut_short(request, run)
        return
    messages.info(request, GONE)


@account_view
@require_http_methods(["POST"])
def contacts_import_confirm_view(request: HttpRequest, token: str, *, account: Account) -> HttpResponse:
    """Import the previewed file for real, delete it and show the report. A file already
    imported (or cancelled, or expired) is said to be gone and nothing is done; another
    account's upload is not found."""
    upload = _waiting_upload(account, token)
    if upload is None:
        _say_gone(request, account, token)
        return redirect("contacts:import")
    form = ImportConfirmForm(request.POST)
    file_format = FileFormat(form.cleaned_data["file_format"]) if form.is_valid() else upload_format(upload)
    with upload_claimed(upload) as path:
        if path is None:
            messages.info(request, GONE)
            return redirect("contacts:import")
        try:
            run = contacts_import(
                account=account, path=path, file_format=file_format, label=upload.name, upload=upload.token
            )
        except ImportFailed as exc:
            messages.error(request, f"Nothing was imported. {exc.message}")
            return redirect("contacts:import")
    messages.success(request, import_done_message(run))
    return redirect("contacts:import_report", pk=run.pk)


@account_view
@require_http_methods(["POST"])
def contacts_import_cancel_view(request: HttpRequest, token: str, *, account: Account) -> HttpResponse:
    """Drop a previewed file without importing it (deleting it); cancelling twice is fine."""
    upload = _waiting_upload(account, token)
    if upload is not None:
        upload_delete(upload)
        messages.info(request, f"Cancelled: nothing was imported from {upload.name}.")
    return redirect("contacts:import")


@dataclass(frozen=True, slots=True)
class ReportRow:
    """One import report in the list."""

    run: ImportRun
    format_name: str


@account_view
@require_GET
def import_reports_view(request: HttpRequest, *, account: Account) -> HttpResponse:
    """The account's import reports, newest first, 50 a page (times in the seller's zone)."""
    runs = import_runs(account=account).defer("problems", "left_out")
    page = Paginator(runs, REPORTS_PAGE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "rows": [ReportRow(run, format_name(run.file_format)) for run in page.object_list],
        "seller_tz": zone(account.time_zone),
        "nav": "contacts",
    }
    return render(request, "contacts/imports.html", context)


@account_view
@require_GET
def import_report_view(request: HttpRequest, pk: int, *, account: Account) -> HttpResponse:
    """One import report in full, with every skipped row kept and why; another account's
    report is not found."""
    try:
        run = import_run_get(account=account, pk=pk)
    except InvalidInput:
        raise Http404("No such import report.") from None
    context = {
        "run": run,
        "format_name": format_name(run.file_format),
        "more_problems": run.skipped - len(run.problems),
        "left_out": _left_out_rows(run, run.left_out, account),
        "more_left_out": run.capped - len(run.left_out),
        "caps": CAPS,
        "would": run.status == ImportStatus.DRY_RUN,
        "seller_tz": zone(account.time_zone),
        "nav": "contacts",
    }
    return render(request, "contacts/import_report.html", context)


@dataclass(frozen=True, slots=True)
class BulkResult:
    """What a bulk action did."""

    action: str
    playbook: str
    tag: str
    done: list[Contact]
    skipped: list[tuple[Contact, str]]


@account_view
@require_http_methods(["POST"])
@submitted_once
def contact_bulk_view(request: HttpRequest, *, account: Account) -> HttpResponse:
    """Enroll or tag the ticked contacts; show who was done and who was skipped, and why."""
    playbooks = _playbook_choices(account)
    form = BulkForm(request.POST, prefix="bulk", playbooks=playbooks)
    result = None
    if form.is_valid():
        data = form.cleaned_data
        contacts = contacts_by_ids(account=account, ids=data["ids"])
        if not contacts:
            form.add_error("ids", "None of the ticked contacts could be found; reload the page.")
        elif data["action"] == "enroll":
            made, skipped = enrollments_start_many(
                account=account, contacts=contacts, playbook=data["playbook"], replace=data["replace"]
            )
            enrolled = {e.contact_id for e in made}
            title = dict(playbooks).get(data["playbook"], data["playbook"])
            result = BulkResult("enroll", title, "", [c for c in contacts if c.pk in enrolled], list(skipped))
        else:
            tag = data["tag"].strip()
            contact_tag(account=account, contacts=contacts, tags=[tag])
            result = BulkResult("tag", "", tag, contacts, [])
    context = _list_context(account, request.POST)
    context.update(bulk_form=form, bulk_result=result)
    if _partial(request):
        return render(request, "contacts/partials/results.html", context)
    return render(request, "contacts/list.html", context, status=200 if result else 400)


@account_view
@require_http_methods(["GET", "POST"])
@submitted_once
def contact_add_view(request: HttpRequest, *, account: Account) -> HttpResponse:
    """Add one contact by hand: name, number, email, tags."""
    if request.method != "POST":
        form = ContactAddForm(account=account)
        return render(request, "contacts/add.html", {"form": form, "nav": "contacts"})
    form = ContactAddForm(request.POST, account=account)
    if form.is_valid():
        data = form.cleaned_data
        try:
            contact = contact_create(
                account=account,
                first_name=data["first_name"],
                last_name=data["last_name"],
                company=data["company"],
                phones=[PhoneInput(data["phone"], data["phone_label"])] if data["phone"] else [],
                emails=[data["email"]] if data["email"] else [],
                tags=tag_names(data["tags"]),
            )
        except DuplicateContact as exc:
            twin = contacts_by_ids(account=account, ids=[exc.twin_id])[0]
            what = "number" if exc.field == "phone" else "address"
            form.add_error(exc.field, f"{twin.name} already has this {what}.")
            return render(
                request, "contacts/add.html", {"form": form, "twin": twin, "nav": "contacts"}, status=400
            )
        except InvalidPhone as exc:
            add_service_error(form, exc, "phone")
        except RingbackError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, f"{contact.name} is in your contacts.")
            return redirect("contacts:detail", pk=contact.pk)
    return render(request, "contacts/add.html", {"form": form, "nav": "contacts"}, status=400)


# --- the contact page ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PhoneView:
    """A number as the contact page shows it."""

    label: str
    number: str
    display: str
    href: str
    ok_at_work: bool
    bad: bool
    valid: bool


def _phones(contact: Contact) -> list[PhoneView]:
    return [
        PhoneView(
            label=p.get_label_display(),
            number=p.number,
            display=display_phone(p.number) + (f" ext. {p.extension}" if p.extension else ""),
            href=f"tel:{p.number}" + (f";ext={p.extension}" if p.extension else ""),
            ok_at_work=p.ok_at_work,
            bad=p.is_bad,
            valid=p.is_valid,
        )
        for p in contact.phones.all()
    ]


MONTHS = tuple(calendar.month_name)[1:]


def birthday_text(contact: Contact) -> str:
    """``April 12, 1980`` or ``April 12`` (no year known), or empty."""
    if not (contact.birthday_month and contact.birthday_day):
        return ""
    text = f"{MONTHS[contact.birthday_month - 1]} {contact.birthday_day}"
    return f"{text}, {contact.birthday_year}" if contact.birthday_year else text


def _contact(account: Account, pk: int) -> Contact:
    return get_object_or_404(contact_with_details(account=account), pk=pk)


def _zones(account: Account, contact: Contact) -> tuple[ZoneInfo, ZoneInfo]:
    return zone(contact.time_zone or account.time_zone), zone(account.time_zone)


def _forms(
    account: Account, contact: Contact, now: datetime, playbooks: list[tuple[str, str]]
) -> dict[str, Any]:
    contact_tz, _ = _zones(account, contact)
    return {
        "note_form": NoteForm(prefix="note"),
        "promise_form": PromiseForm(prefix="promise"),
        "enroll_form": EnrollForm(prefix="enroll", playbooks=playbooks),
        "appointment_form": AppointmentForm(prefix="appt", contact_zone=contact_tz, now=now),
        "dnc_form": DoNotContactForm(prefix="dnc"),
    }


def _detail_context(request: HttpRequest, account: Account, contact: Contact, **extra: Any) -> dict[str, Any]:
    now = clock.now()
    contact_tz, seller_tz = _zones(account, contact)
    playbooks = _playbook_choices(account)
    running = enrollment_running(contact=contact)
    context: dict[str, Any] = {
        "account": account,
        "contact": contact,
        "phones": _phones(contact),
        "emails": list(contact.emails.all()),
        "address": next(iter(contact.addresses.all()), None),
        "tags": [t.name for t in contact.tags.all()],
        "promises": contact_promises(contact=contact),
        "running": running,
        "running_step": enrollment_step_text(enrollment=running) if running else "",
        "birthday": birthday_text(contact),
        "today": now.astimezone(seller_tz).date(),
        "local_now_input": now.astimezone(contact_tz).strftime("%Y-%m-%dT%H:%M"),
        "upcoming": contact_appointments_upcoming(account=account, contact=contact, now=now),
        "timeline": contact_timeline_page(account=account, contact=contact, limit=TIMELINE_LIMIT),
        "now": now,
        "contact_tz": contact_tz,
        "seller_tz": seller_tz,
        "same_zone": contact_tz.key == seller_tz.key,
        "suppressed": bool(contact.suppressed_until and contact.suppressed_until > now),
        "playbooks": playbooks,
        "nav": "contacts",
        **_forms(account, contact, now, playbooks),
    }
    context.update(extra)
    return context


def _respond(
    request: HttpRequest,
    account: Account,
    contact: Contact,
    *,
    card: str,
    ok: bool,
    message: str = "",
    also: tuple[str, ...] = (),
    **extra: Any,
) -> HttpResponse:
    """The answer to a POST on the contact page.

    HTMX gets ``card`` (and the ``also`` parts, swapped out of band); a plain form gets a
    redirect to the contact page when it worked, or the whole page with the errors when not.
    """
    if not _partial(request):
        if ok:
            if message:
                messages.success(request, message)
            return redirect(
                reverse("contacts:detail", args=[contact.pk]) + f"#card-{card.removesuffix('_card')}"
            )
        return render(
            request, "contacts/detail.html", _detail_context(request, account, contact, **extra), status=400
        )
    context = _detail_context(request, account, contact, card_message=message, **extra)
    parts = [render_to_string(f"contacts/partials/{card}.html", context, request=request)]
    for name in also:
        parts.append(
            render_to_string(f"contacts/partials/{name}.html", {**context, "oob": True}, request=request)
        )
    return HttpResponse("".join(parts))


@account_view
@require_GET
def contact_detail_view(request: HttpRequest, pk: int, *, account: Account) -> HttpResponse:
    """Everything about one contact, and what to do next with them."""
    contact = _contact(account, pk)
    return render(request, "contacts/detail.html", _detail_context(request, account, contact))


@account_view
@require_GET
def contact_timeline_view(request: HttpRequest, pk: int, *, account: Account) -> HttpResponse:
    """Older entries of the timeline (before ``?before=``)."""
    contact = _contact(account, pk)
    before = None
    if request.GET.get("before"):
        try:
            before = clock.parse_instant(request.GET["before"], what="before")
        except InvalidDate:
            before = None  # a damaged cursor means the first page
    page: TimelinePage = contact_timeline_page(
        account=account, contact=contact, before=before, limit=TIMELINE_LIMIT
    )
    contact_tz, seller_tz = _zones(account, contact)
    context = {
        "contact": contact,
        "timeline": page,
        "contact_tz": contact_tz,
        "seller_tz": seller_tz,
        "same_zone": contact_tz.key == seller_tz.key,
        "now": clock.now(),
        "nav": "contacts",
    }
    if _partial(request):
        return render(request, "contacts/partials/timeline_entries.html", context)
    return render(request, "contacts/timeline.html", context)


def _back_to_contact(contact: Contact, card: str) -> HttpResponse:
    return redirect(reverse("contacts:detail", args=[contact.pk]) + f"#{card}")


@account_view
@require_http_methods(["GET", "POST"])
@submitted_once
def contact_note_view(request: HttpRequest, pk: int, *, account: Account) -> HttpResponse:
    """Add a quick note to the timeline."""
    contact = _contact(account, pk)
    if request.method != "POST":
        return _back_to_contact(contact, "card-note")
    form = NoteForm(request.POST, prefix="note")
    if form.is_valid():
        try:
            touch_note(account=account, contact=contact, text=form.cleaned_data["text"])
        except RingbackError as exc:
            add_service_error(form, exc, "text")
        else:
            return _respond(
                request,
                account,
                contact,
                card="note_card",
                ok=True,
                message="Note added.",
                also=("timeline",),
            )
    return _respond(request, account, contact, card="note_card", ok=False, note_form=form)


@account_view
@require_http_methods(["GET", "POST"])
@submitted_once
def promise_add_view(request: HttpRequest, pk: int, *, account: Account) -> HttpResponse:
    """Note something you said you would send or do."""
    contact = _contact(account, pk)
    if request.method != "POST":
        return _back_to_contact(contact, "card-promises")
    form = PromiseForm(request.POST, prefix="promise")
    if form.is_valid():
        data = form.cleaned_data
        try:
            promise_add(account=account, contact=contact, text=data["text"], due_on=data["due_on"])
        except RingbackError as exc:
            add_service_error(form, exc, "text")
        else:
            contact = _contact(account, pk)
            return _respond(
                request, account, contact, card="promises_card", ok=True, message="Promise noted."
            )
    return _respond(request, account, contact, card="promises_card", ok=False, promise_form=form)


@account_view
@require_http_methods(["GET", "POST"])
@submitted_once
def promise_keep_view(request: HttpRequest, pk: int, promise_pk: int, *, account: Account) -> HttpResponse:
    """Mark a promise kept (a second click says it already was)."""
    contact = _contact(account, pk)
    promise = get_object_or_404(Promise, pk=promise_pk, contact=contact, account=account)
    if request.method != "POST":
        return _back_to_contact(contact, "card-promises")
    if promise.kept_at is not None:
        seller_tz = zone(account.time_zone)
        when = promise.kept_at.astimezone(seller_tz)
        message = f"“{promise.text}” was already marked kept on {when:%a %d %b at %H:%M %Z}."
        if not _partial(request):
            messages.info(request, message)
            return _back_to_contact(contact, "card-promises")
        return _respond(request, account, contact, card="promises_card", ok=True, message=message)
    promise_keep(account=account, promise=promise)
    contact = _contact(account, pk)
    return _respond(
        request, account, contact, card="promises_card", ok=True, message=f"Kept: “{promise.text}”."
    )


@account_view
@require_GET
def enroll_preview_view(request: HttpRequest, pk: int, *, account: Account) -> HttpResponse:
    """The dates a playbook would plan for this contact if started now."""
    contact = _contact(account, pk)
    form = EnrollForm(request.GET, prefix="enroll", playbooks=_playbook_choices(account))
    preview = None
    if form.is_valid():
        try:
            preview = contact_enrollment_preview(
                account=account, contact=contact, playbook=form.cleaned_data["playbook"]
            )
        except UnknownPlaybook as exc:
            add_service_error(form, exc, "playbook")
    contact_tz, _ = _zones(account, contact)
    if _partial(request):
        return render(
            request,
            "contacts/partials/enroll_preview.html",
            {"preview": preview, "form": form, "contact": contact, "contact_tz": contact_tz},
        )
    return render(
        request,
        "contacts/detail.html",
        _detail_context(request, account, contact, enroll_form=form, preview=preview),
        status=200 if preview is not None else 400,
    )


@account_view
@require_http_methods(["GET", "POST"])
@submitted_once
def enroll_view(request: HttpRequest, pk: int, *, account: Account) -> HttpResponse:
    """Start a playbook for this contact (replacing the running one when asked)."""
    contact = _contact(account, pk)
    if request.method != "POST":
        return _back_to_contact(contact, "card-enroll")
    form = EnrollForm(request.POST, prefix="enroll", playbooks=_playbook_choices(account))
    if form.is_valid():
        data = form.cleaned_data
        try:
            enrollment = enrollment_start(
                account=account, contact=contact, playbook=data["playbook"], replace=data["replace"]
            )
        except AlreadyEnrolled:
            running = enrollment_running(contact=contact)
            where = (
                f"{running.version.playbook.title} ({enrollment_step_text(enrollment=running)})"
                if running
                else "a playbook"
            )
            form.add_error(
                "replace",
                f"{contact.name} is already in {where}. Tick “Replace” to stop it and start this one.",
            )
        except UnknownPlaybook as exc:
            add_service_error(form, exc, "playbook")
        except (Suppressed, RingbackError) as exc:
            add_service_error(form, exc)
        else:
            title = enrollment.version.playbook.title
            message = f"{contact.name} is now in {title}."
            if enrollment.due_start is not None:
                contact_tz, _ = _zones(account, contact)
                first = enrollment.due_start.astimezone(contact_tz)
                message += f" First step due {first:%a %d %b} from {first:%H:%M %Z} (their time)."
            elif enrollment.ended_reason:
                message += f" It ended at once: {enrollment.ended_reason}."
            return _respond(
                request,
                account,
                contact,
                card="enroll_card",
                ok=True,
                message=message,
                also=("status", "timeline"),
            )
    return _respond(request, account, contact, card="enroll_card", ok=False, enroll_form=form)


def _equivalent(account: Account, contact: Contact, when: datetime) -> dict[str, Any]:
    contact_tz, seller_tz = _zones(account, contact)
    return {
        "their": when.astimezone(contact_tz),
        "yours": when.astimezone(seller_tz),
        "contact_tz": contact_tz,
        "seller_tz": seller_tz,
        "same_zone": contact_tz.key == seller_tz.key,
    }


@account_view
@require_GET
def appointment_preview_view(request: HttpRequest, pk: int, *, account: Account) -> HttpResponse:
    """The appointment time typed in the contact's zone, told in the seller's."""
    contact = _contact(account, pk)
    contact_tz, _ = _zones(account, contact)
    error = ""
    context: dict[str, Any] = {}
    text = request.GET.get("appt-starts_at", "")
    if text:
        try:
            when = parse_local_time(text, contact_tz, clock.now())
        except forms.ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            context = _equivalent(account, contact, when)
    context.update(error=error, contact=contact)
    return render(request, "contacts/partials/appointment_equiv.html", context)


@account_view
@require_http_methods(["GET", "POST"])
@submitted_once
def appointment_view(request: HttpRequest, pk: int, *, account: Account) -> HttpResponse:
    """Book a phone appointment at a time in the contact's zone."""
    contact = _contact(account, pk)
    if request.method != "POST":
        return _back_to_contact(contact, "card-appointment")
    contact_tz, _ = _zones(account, contact)
    form = AppointmentForm(request.POST, prefix="appt", contact_zone=contact_tz, now=clock.now())
    if form.is_valid():
        data = form.cleaned_data
        starts_at: datetime = data["starts_at"]
        try:
            appointment_book(
                account=account,
                contact=contact,
                starts_at=starts_at,
                note=data["note"].strip(),
                duration_minutes=data["duration"],
            )
        except AlreadyBooked:
            form.add_error("starts_at", "This appointment is already booked; nothing was changed.")
        except InvalidDate as exc:
            add_service_error(form, exc, "starts_at")
        except RingbackError as exc:
            add_service_error(form, exc)
        else:
            eq = _equivalent(account, contact, starts_at)
            message = f"Booked: {eq['their']:%a %d %b at %H:%M %Z} their time"
            if not eq["same_zone"]:
                message += f" ({eq['yours']:%H:%M %Z} your time)"
            contact = _contact(account, pk)
            return _respond(
                request,
                account,
                contact,
                card="appointment_card",
                ok=True,
                message=message + ".",
                also=("status", "timeline"),
            )
    return _respond(request, account, contact, card="appointment_card", ok=False, appointment_form=form)


@account_view
@require_http_methods(["GET", "POST"])
@submitted_once
def do_not_contact_view(request: HttpRequest, pk: int, *, account: Account) -> HttpResponse:
    """Mark the contact do-not-contact, after a confirmation step."""
    contact = _contact(account, pk)
    if request.method != "POST":
        context = _detail_context(request, account, contact, confirming=True)
        if _partial(request):
            return render(request, "contacts/partials/dnc_card.html", context)
        return render(request, "contacts/dnc_confirm.html", context)
    form = DoNotContactForm(request.POST, prefix="dnc")
    if form.is_valid():
        try:
            contact_set_do_not_contact(account=account, contact=contact, note=form.cleaned_data["note"])
        except RingbackError as exc:
            add_service_error(form, exc)
        else:
            contact = _contact(account, pk)
            return _respond(
                request,
                account,
                contact,
                card="dnc_card",
                ok=True,
                message=f"{contact.name} will not be contacted again; their playbook stopped.",
                also=("status", "timeline"),
            )
    if not _partial(request):
        context = _detail_context(request, account, contact, confirming=True, dnc_form=form)
        return render(request, "contacts/dnc_confirm.html", context, status=400)
    return _respond(request, account, contact, card="dnc_card", ok=False, dnc_form=form, confirming=True)


# --- editing ---------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def zone_names() -> tuple[str, ...]:
    """IANA zone names for the time zone field's suggestions."""
    return tuple(
        sorted(z for z in available_timezones() if "/" in z and not z.startswith(("Etc/", "SystemV/")))
    )


@account_view
@require_http_methods(["GET", "POST"])
@submitted_once
def contact_edit_view(request: HttpRequest, pk: int, *, account: Account) -> HttpResponse:
    """Edit the contact's details, numbers, emails, address and tags in one go."""
    contact = _contact(account, pk)
    data = request.POST if request.method == "POST" else None
    main = ContactEditForm(data, initial=ContactEditForm.initial_for(contact))
    phone_rows = [
        PhoneRowForm(
            data,
            prefix=f"phone-{p.pk}",
            account=account,
            phone_id=p.pk,
            initial={"number": p.number, "label": p.label, "ok_at_work": p.ok_at_work, "bad": p.is_bad},
        )
        for p in contact.phones.all()
    ]
    phone_rows.append(PhoneRowForm(data, prefix="phone-new", account=account, phone_id=None))
    email_rows = [
        EmailRowForm(
            data, prefix=f"email-{e.pk}", email_id=e.pk, initial={"address": e.address, "label": e.label}
        )
        for e in contact.emails.all()
    ]
    email_rows.append(EmailRowForm(data, prefix="email-new", email_id=None))
    context = {
        "contact": contact,
        "form": main,
        "phone_rows": phone_rows,
        "email_rows": email_rows,
        "zones": zone_names(),
        "nav": "contacts",
    }
    if data is None:
        return render(request, "contacts/edit.html", context)
    valid = all([main.is_valid(), *(f.is_valid() for f in phone_rows), *(f.is_valid() for f in email_rows)])
    if valid:
        values = main.cleaned_data
        try:
            contact_update(
                account=account,
                contact=contact,
                first_name=values["first_name"],
                last_name=values["last_name"],
                company=values["company"],
                title=values["title"],
                warmth=values["warmth"],
                status=values["status"],
                notes=values["notes"],
                birthday=values["birthday"],
                clear_birthday=values["birthday"] is None,
                time_zone=values["time_zone"],
                phones=[f.change() for f in phone_rows],
                emails=[f.change() for f in email_rows],
                address=main.address(),
                tags=tag_names(values["tags"]),
            )
        except RingbackError as exc:
            add_service_error(main, exc)
        else:
            messages.success(request, f"Saved {contact.name}'s details.")
            return redirect("contacts:detail", pk=contact.pk)
    context["has_errors"] = True
    return render(request, "contacts/edit.html", context, status=400)
