"""Importing a contact file on the web: upload, preview, confirm or cancel, and the reports kept of each import."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods
from django_htmx.middleware import HtmxDetails

from ringback.accounts.models import Account
from ringback.accounts.web import account_view
from ringback.contacts.choices import ImportJobStatus, ImportStatus
from ringback.contacts.import_jobs import (
    import_job_get,
    import_job_stalled,
    import_job_start,
    import_progress_read,
)
from ringback.contacts.importing import DOUBTFUL, MOVED, contacts_import, left_out_text, report_notices
from ringback.contacts.models import ImportRun
from ringback.contacts.selectors import (
    contacts_for_account,
    import_run_for_upload,
    import_run_get,
    import_runs,
)
from ringback.contacts.uploads import (
    StoredUpload,
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
    ImportFailed,
    InvalidInput,
    UploadsWaiting,
)
from ringback.core.interchange import FileFormat
from ringback.core.scheduling import zone
from ringback.interface.forms import add_service_error
from ringback.people.forms import (
    ImportConfirmForm,
    ImportUploadForm,
)
from ringback.people.management.reporting import FORMAT_NAMES
from ringback.people.views.common import (
    CAPS,
    PREVIEW_PROBLEMS,
    PREVIEW_SAMPLE,
    REPORTS_PAGE,
)

# --- importing a contact file ----------------------------------------------------------------

#: After this long still queued, the import page asks whether a worker is running.
WAITING_LONG_SECONDS = 10


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


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
    if run.doubtful:
        text += f"; {run.doubtful:,} doubtful match{'' if run.doubtful == 1 else 'es'} not merged (see below)"
    if run.moved:
        text += f"; {_plural(run.moved, 'value')} moved to the notes or left out (see below)"
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


@dataclass(frozen=True, slots=True)
class NoticeRow:
    """A doubtful match not merged, or a value moved to the notes or left out, as a report lists
    it: the row, its contact (and who else has the number, for a doubtful match), linked to when
    they are saved."""

    row: int
    contact: str
    contact_id: int | None
    field: str
    value: str
    reason: str
    other: str = ""
    other_id: int | None = None


def _notice_rows(run: ImportRun, kind: str, account: Account, *, fresh: bool = False) -> list[NoticeRow]:
    """The report's notices of ``kind``, the first :data:`PREVIEW_PROBLEMS` of them on a preview
    (``fresh``: shown right after the dry run, when the contacts that exist are the ones it
    found), linked to their contacts where they are saved (once imported, or found by a
    preview)."""
    entries = report_notices(run.notices, kind)
    if fresh:
        entries = entries[:PREVIEW_PROBLEMS]
    saved: set[int] = set()
    if entries and (fresh or run.status == ImportStatus.DONE):
        ids = {e["contact_id"] for e in entries} | {e["other_id"] for e in entries if e.get("other_id")}
        saved = set(contacts_for_account(account=account).filter(pk__in=ids).values_list("pk", flat=True))

    def linked(pk: int | None) -> int | None:
        return pk if pk in saved else None

    return [
        NoticeRow(
            e["row"],
            e["contact"],
            linked(e["contact_id"]),
            e["field"],
            e["value"],
            e["reason"],
            e.get("other", ""),
            linked(e.get("other_id")),
        )
        for e in entries
    ]


def _notices_context(run: ImportRun, account: Account, *, fresh: bool = False) -> dict[str, Any]:
    """What the preview and the report show of the doubtful matches and the values moved."""
    doubtful = _notice_rows(run, DOUBTFUL, account, fresh=fresh)
    moved = _notice_rows(run, MOVED, account, fresh=fresh)
    return {
        "doubtful": doubtful,
        "more_doubtful": run.doubtful - len(doubtful),
        "moved": moved,
        "more_moved": run.moved - len(moved),
    }


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
    return render(request, "people/import.html", context, status=status)


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
        add_service_error(form, exc, default="file")
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
        **_notices_context(run, account, fresh=True),
    }
    return render(request, "people/import_preview.html", context)


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
    job = import_job_start(account=account, upload=upload, file_format=file_format)
    return redirect("contacts:import_job", pk=job.pk)


@account_view
@require_GET
def contacts_import_job_view(request: HtmxHttpRequest, pk: int, *, account: Account) -> HttpResponse:
    """An import running in the background: how far it is, updating by itself (the page asks
    every second, without a reload); once done, the report (another account's: not found)."""
    job = import_job_get(account=account, pk=pk)
    if job.status == ImportJobStatus.DONE and job.run is not None:
        report = reverse("contacts:import_report", args=[job.run.pk])
        if request.htmx:
            response = HttpResponse(status=200)
            response["HX-Redirect"] = report
            messages.success(request, import_done_message(job.run))
            return response
        messages.success(request, import_done_message(job.run))
        return redirect(report)
    context = {
        "job": job,
        "progress": import_progress_read(job=job),
        "stalled": import_job_stalled(job=job),
        "waiting_long": job.status == ImportJobStatus.QUEUED
        and (clock.now() - job.created_at).total_seconds() > WAITING_LONG_SECONDS,
        "nav": "contacts",
    }
    if request.htmx:
        return render(request, "people/partials/import_job.html", context)
    return render(request, "people/import_job.html", context)


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
    runs = import_runs(account=account).defer("problems", "left_out", "notices")
    page = Paginator(runs, REPORTS_PAGE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "rows": [ReportRow(run, format_name(run.file_format)) for run in page.object_list],
        "seller_tz": zone(account.time_zone),
        "nav": "contacts",
    }
    return render(request, "people/imports.html", context)


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
        **_notices_context(run, account),
    }
    return render(request, "people/import_report.html", context)
