"""The contact list: search as you type, filters, pages, bulk actions and the export download."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest, HttpResponse, QueryDict, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from ringback.accounts.models import Account
from ringback.accounts.submissions import submitted_once
from ringback.accounts.web import account_view
from ringback.contacts.choices import Warmth
from ringback.contacts.exporting import ExportFormat, contacts_export_pieces
from ringback.contacts.models import Contact
from ringback.contacts.selectors import (
    contact_tags,
    contact_zone_name,
    contacts_by_ids,
)
from ringback.contacts.services import (
    contact_tag,
    contacts_set_warmth,
)
from ringback.core import clock
from ringback.core.phones import display_phone
from ringback.core.scheduling import zone
from ringback.interface.htmx import wants_fragment
from ringback.people.forms import (
    BulkForm,
    ContactAddForm,
    ContactFilterForm,
)
from ringback.people.selectors import (
    ContactFilters,
    contacts_filtered,
    contacts_page,
    decode_cursor,
    encode_cursor,
)
from ringback.people.views.common import (
    FILTER_KEYS,
    PAGE_SIZE,
    playbook_choices,
)
from ringback.playbooks.models import Enrollment
from ringback.playbooks.selectors import (
    enrollment_step_text,
)
from ringback.playbooks.services import enrollments_start_many

# --- the contact list ------------------------------------------------------------------------


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
                zone=contact_zone_name(contact=contact, account=account),
                url=f"{base}{contact.pk}/",
            )
        )
    return rows


def _list_context(account: Account, data: QueryDict) -> dict[str, Any]:
    playbooks = playbook_choices(account)
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
    if wants_fragment(request):
        return render(request, "people/partials/results.html", context)
    return render(request, "people/list.html", context)


def _filters(account: Account, data: QueryDict) -> ContactFilters:
    """The contact list's search and filters in ``data`` (a value not on offer is ignored)."""
    form = ContactFilterForm(
        {k: v for k, v in data.items() if k in FILTER_KEYS},
        tags=contact_tags(account=account),
        playbooks=playbook_choices(account),
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
            account=account,
            file_format=file_format,
            contacts=contacts_filtered(account=account, filters=_filters(account, request.GET)),
        ),
        content_type=file_format.content_type,
    )
    response["Content-Disposition"] = (
        f'attachment; filename="ringback-contacts-{day.isoformat()}.{file_format.extension}"'
    )
    response["Cache-Control"] = "private, no-store"
    return response


@dataclass(slots=True)
class BulkResult:
    """What a bulk action did: the contacts done (each with the playbook it started, when an
    enrolment by warmth chose it), those skipped and why."""

    action: str
    playbook: str
    #: The tag added, or the warmth given.
    tag: str
    done: list[tuple[Contact, str]]
    skipped: list[tuple[Contact, str]]
    #: How many of ``done`` really changed (a warmth they already had is no change).
    changed: int = 0


@account_view
@require_http_methods(["POST"])
@submitted_once
def contact_bulk_view(request: HttpRequest, *, account: Account) -> HttpResponse:
    """Enroll or tag the ticked contacts; show who was done and who was skipped, and why."""
    playbooks = playbook_choices(account)
    form = BulkForm(request.POST, prefix="bulk", playbooks=playbooks)
    result = None
    if form.is_valid():
        data = form.cleaned_data
        contacts = contacts_by_ids(account=account, ids=data["ids"])
        if not contacts:
            form.add_error("ids", "None of the ticked contacts could be found; reload the page.")
        elif data["action"] == "enroll":
            made, skipped = enrollments_start_many(
                account=account,
                contacts=contacts,
                playbook=data["playbook"] or None,
                replace=data["replace"],
            )
            titles = dict(playbooks)
            title = titles.get(data["playbook"], data["playbook"]) or "the playbook their warmth suggests"
            done = [(e.contact, titles.get(e.version.playbook.name, "")) for e in made]
            result = BulkResult("enroll", title, "", done, list(skipped))
        elif data["action"] == "warmth":
            changed = contacts_set_warmth(account=account, contacts=contacts, warmth=data["warmth"])
            result = BulkResult("warmth", "", Warmth(data["warmth"]).label, [(c, "") for c in contacts], [])
            result.changed = len(changed)
        else:
            tag = data["tag"].strip()
            contact_tag(account=account, contacts=contacts, tags=[tag])
            result = BulkResult("tag", "", tag, [(c, "") for c in contacts], [])
    context = _list_context(account, request.POST)
    context.update(bulk_form=form, bulk_result=result)
    if wants_fragment(request):
        return render(request, "people/partials/results.html", context)
    return render(request, "people/list.html", context, status=200 if result else 400)
