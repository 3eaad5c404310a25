"""A person's page: their details, history and plan (the cards that act on them are in
:mod:`ringback.people.views.cards`).

A POST from HTMX gets the card it changed back (and, out of band, the parts of the page that
changed with it); without JavaScript it redirects to the contact page, or renders the page again
with the errors."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_GET

from ringback.accounts.models import Account
from ringback.accounts.web import account_view
from ringback.activities.selectors import (
    TimelinePage,
    contact_appointments_upcoming,
    contact_timeline_page,
    touch_last_undoable,
)
from ringback.contacts.models import Contact
from ringback.contacts.selectors import (
    contact_promises,
    contact_zone,
    phone_text_status,
)
from ringback.core import clock
from ringback.core.errors import (
    InvalidDate,
)
from ringback.core.interchange.records import Birthday
from ringback.core.phones import PhoneLabel, display_phone
from ringback.core.scheduling import zone
from ringback.interface.htmx import wants_fragment
from ringback.people.forms import (
    AppointmentForm,
    DoNotContactForm,
    EnrollForm,
    LogForm,
    NoteForm,
    PromiseForm,
    TextConsentForm,
)
from ringback.people.views.common import (
    TIMELINE_LIMIT,
    contact_or_404,
    playbook_choices,
)
from ringback.playbooks.selectors import (
    enrollment_running,
    enrollment_step_text,
)

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
    #: The row's id (the Texts card's forms name it).
    id: int = 0
    #: What may be texted to it: "Texts OK: ...", "Texts stopped on ... (they replied "STOP")",
    #: "No consent to texts yet" (mobiles), or "".
    texts: str = ""
    #: A text may go to it now (a mobile that agreed to texts and did not stop them).
    may_text: bool = False
    stopped: bool = False
    mobile: bool = False


def _phones(contact: Contact, zone_name: str) -> list[PhoneView]:
    return [
        PhoneView(
            label=p.get_label_display(),
            number=p.number,
            display=display_phone(p.number) + (f" ext. {p.extension}" if p.extension else ""),
            href=f"tel:{p.number}" + (f";ext={p.extension}" if p.extension else ""),
            ok_at_work=p.ok_at_work,
            bad=p.is_bad,
            valid=p.is_valid,
            id=p.pk,
            texts=phone_text_status(phone=p, zone_name=zone_name),
            may_text=p.may_text,
            stopped=p.texts_stopped_at is not None,
            mobile=p.label == PhoneLabel.MOBILE,
        )
        for p in contact.phones.all()
    ]


def text_phone_choices(contact: Contact) -> list[tuple[int, str]]:
    """(id, number as shown) of the contact's mobile numbers, valid and not flagged wrong: those
    consent to texts can be recorded for."""
    return [
        (p.pk, display_phone(p.number))
        for p in contact.phones.all()
        if p.label == PhoneLabel.MOBILE and p.is_valid and not p.is_bad
    ]


def birthday_text(contact: Contact) -> str:
    """``April 12, 1980`` or ``April 12`` (no year known), or empty."""
    if not (contact.birthday_month and contact.birthday_day):
        return ""
    return Birthday(contact.birthday_month, contact.birthday_day, contact.birthday_year).words()


def contact_zones(account: Account, contact: Contact) -> tuple[ZoneInfo, ZoneInfo]:
    return contact_zone(contact=contact, account=account), zone(account.time_zone)


def _forms(
    account: Account, contact: Contact, now: datetime, playbooks: list[tuple[str, str]]
) -> dict[str, Any]:
    contact_tz, _ = contact_zones(account, contact)
    return {
        "note_form": NoteForm(prefix="note"),
        "log_form": LogForm(prefix="log"),
        "promise_form": PromiseForm(prefix="promise"),
        "enroll_form": EnrollForm(prefix="enroll", playbooks=playbooks, warmth=contact.warmth),
        "appointment_form": AppointmentForm(prefix="appt", contact_zone=contact_tz, now=now),
        "dnc_form": DoNotContactForm(prefix="dnc"),
        "texts_form": TextConsentForm(prefix="texts", phones=text_phone_choices(contact)),
    }


def page_context(request: HttpRequest, account: Account, contact: Contact, **extra: Any) -> dict[str, Any]:
    now = clock.now()
    contact_tz, seller_tz = contact_zones(account, contact)
    playbooks = playbook_choices(account)
    running = enrollment_running(contact=contact)
    context: dict[str, Any] = {
        "account": account,
        "contact": contact,
        "phones": _phones(contact, account.time_zone),
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
        "undoable": touch_last_undoable(account=account, contact=contact, now=now),
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


def page_respond(
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
    if not wants_fragment(request):
        if ok:
            if message:
                messages.success(request, message)
            return redirect(
                reverse("contacts:detail", args=[contact.pk]) + f"#card-{card.removesuffix('_card')}"
            )
        return render(
            request, "people/detail.html", page_context(request, account, contact, **extra), status=400
        )
    context = page_context(request, account, contact, card_message=message, **extra)
    parts = [render_to_string(f"people/partials/{card}.html", context, request=request)]
    for name in also:
        parts.append(
            render_to_string(f"people/partials/{name}.html", {**context, "oob": True}, request=request)
        )
    return HttpResponse("".join(parts))


@account_view
@require_GET
def contact_detail_view(request: HttpRequest, pk: int, *, account: Account) -> HttpResponse:
    """Everything about one contact, and what to do next with them."""
    contact = contact_or_404(account, pk)
    return render(request, "people/detail.html", page_context(request, account, contact))


@account_view
@require_GET
def contact_timeline_view(request: HttpRequest, pk: int, *, account: Account) -> HttpResponse:
    """Older entries of the timeline (before ``?before=``)."""
    contact = contact_or_404(account, pk)
    before = None
    if request.GET.get("before"):
        try:
            before = clock.parse_instant(request.GET["before"], what="before")
        except InvalidDate:
            before = None  # a damaged cursor means the first page
    page: TimelinePage = contact_timeline_page(
        account=account, contact=contact, before=before, limit=TIMELINE_LIMIT
    )
    contact_tz, seller_tz = contact_zones(account, contact)
    context = {
        "contact": contact,
        "timeline": page,
        "contact_tz": contact_tz,
        "seller_tz": seller_tz,
        "same_zone": contact_tz.key == seller_tz.key,
        "now": clock.now(),
        "nav": "contacts",
    }
    if wants_fragment(request):
        return render(request, "people/partials/timeline_entries.html", context)
    return render(request, "people/timeline.html", context)


def back_to_contact(contact: Contact, card: str) -> HttpResponse:
    return redirect(reverse("contacts:detail", args=[contact.pk]) + f"#{card}")
