"""The cards of a person's page that act on them: a note, a promise, enrolling in a playbook,
booking a phone call, consent to texts and stopping them, do not contact. Each answers as
:func:`~ringback.people.views.person.page_respond` says."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_http_methods

from ringback.accounts.models import Account
from ringback.accounts.submissions import submitted_once
from ringback.accounts.web import account_view
from ringback.activities.services import (
    AlreadyLogged,
    appointment_book,
    contact_set_do_not_contact,
    contact_text_consent,
    contact_texts_stop,
    promise_kept_log,
    touch_log,
    touch_note,
    touch_texts_stopped,
)
from ringback.contacts.models import Contact
from ringback.contacts.selectors import phone_get, promise_get
from ringback.contacts.services import promise_add
from ringback.core import clock
from ringback.core.errors import (
    AlreadyBooked,
    AlreadyEnrolled,
    InvalidDate,
    OutsideCallingHours,
    RingbackError,
    Suppressed,
    UnknownPlaybook,
)
from ringback.core.phones import display_phone
from ringback.interface.forms import add_service_error
from ringback.interface.htmx import wants_fragment
from ringback.people.forms import (
    AppointmentForm,
    DoNotContactForm,
    EnrollForm,
    LogForm,
    NoteForm,
    PromiseForm,
    TextConsentForm,
    TextsStopForm,
    parse_local_time,
)
from ringback.people.views.common import (
    contact_or_404,
    playbook_choices,
)
from ringback.people.views.person import (
    back_to_contact,
    contact_zones,
    page_context,
    page_respond,
    text_phone_choices,
)
from ringback.playbooks.selectors import (
    contact_enrollment_preview,
    enrollment_running,
    enrollment_step_text,
)
from ringback.playbooks.services import enrollment_start


@account_view
@require_http_methods(["GET", "POST"])
@submitted_once
def contact_note_view(request: HttpRequest, pk: int, *, account: Account) -> HttpResponse:
    """Add a quick note to the timeline."""
    contact = contact_or_404(account, pk)
    if request.method != "POST":
        return back_to_contact(contact, "card-note")
    form = NoteForm(request.POST, prefix="note")
    if form.is_valid():
        try:
            touch_note(account=account, contact=contact, text=form.cleaned_data["text"])
        except RingbackError as exc:
            add_service_error(form, exc, default="text")
        else:
            return page_respond(
                request,
                account,
                contact,
                card="note_card",
                ok=True,
                message="Note added.",
                also=("timeline",),
            )
    return page_respond(request, account, contact, card="note_card", ok=False, note_form=form)


@account_view
@require_http_methods(["GET", "POST"])
@submitted_once
def contact_log_view(request: HttpRequest, pk: int, *, account: Account) -> HttpResponse:
    """Log any outcome for the contact (a callback, a reply, a call made), with the same rules
    as Today and ``ringback log``: a callback stops the chase and puts "call back now" on Today."""
    contact = contact_or_404(account, pk)
    if request.method != "POST":
        return back_to_contact(contact, "card-log")
    form = LogForm(request.POST, prefix="log")
    if form.is_valid():
        outcome, via = form.outcome()
        try:
            touch = touch_log(
                account=account, contact=contact, outcome=outcome, via=via, note=form.cleaned_data["note"]
            )
        except RingbackError as exc:
            add_service_error(form, exc, default="what")
        else:
            label = dict(form.fields["what"].choices)[form.cleaned_data["what"]]  # type: ignore[attr-defined]
            message = f"Logged: {str(label).lower()}."
            stopped = touch_texts_stopped(touch=touch)
            if stopped:
                message = (
                    f"Logged their text. It asks to stop: texts to {', '.join(map(display_phone, stopped))} "
                    "are stopped, on every playbook."
                )
                contact = contact_or_404(account, pk)
            return page_respond(
                request,
                account,
                contact,
                card="log_card",
                ok=True,
                message=message,
                also=("timeline", "enroll_card", "details_card", "texts_card"),
            )
    return page_respond(request, account, contact, card="log_card", ok=False, log_form=form)


@account_view
@require_http_methods(["GET", "POST"])
@submitted_once
def promise_add_view(request: HttpRequest, pk: int, *, account: Account) -> HttpResponse:
    """Note something you said you would send or do."""
    contact = contact_or_404(account, pk)
    if request.method != "POST":
        return back_to_contact(contact, "card-promises")
    form = PromiseForm(request.POST, prefix="promise")
    if form.is_valid():
        data = form.cleaned_data
        try:
            promise_add(account=account, contact=contact, text=data["text"], due_on=data["due_on"])
        except RingbackError as exc:
            add_service_error(form, exc, default="text")
        else:
            contact = contact_or_404(account, pk)
            return page_respond(
                request, account, contact, card="promises_card", ok=True, message="Promise noted."
            )
    return page_respond(request, account, contact, card="promises_card", ok=False, promise_form=form)


@account_view
@require_http_methods(["GET", "POST"])
@submitted_once
def promise_keep_view(request: HttpRequest, pk: int, promise_pk: int, *, account: Account) -> HttpResponse:
    """Mark a promise kept and log it on the timeline (a second click says it already was)."""
    contact = contact_or_404(account, pk)
    promise = promise_get(account=account, contact=contact, pk=promise_pk)
    if request.method != "POST":
        return back_to_contact(contact, "card-promises")
    try:
        promise_kept_log(account=account, contact=contact, promise_id=promise.pk)
    except AlreadyLogged as exc:
        if not wants_fragment(request):
            messages.info(request, f"{exc.message}.")
            return back_to_contact(contact, "card-promises")
        return page_respond(
            request, account, contact, card="promises_card", ok=True, message=f"{exc.message}."
        )
    contact = contact_or_404(account, pk)
    return page_respond(
        request,
        account,
        contact,
        card="promises_card",
        ok=True,
        message=f"Kept: “{promise.text}”.",
        also=("timeline",),
    )


@account_view
@require_GET
def enroll_preview_view(request: HttpRequest, pk: int, *, account: Account) -> HttpResponse:
    """The dates a playbook would plan for this contact if started now."""
    contact = contact_or_404(account, pk)
    form = EnrollForm(
        request.GET, prefix="enroll", playbooks=playbook_choices(account), warmth=contact.warmth
    )
    preview = None
    if form.is_valid():
        try:
            preview = contact_enrollment_preview(
                account=account, contact=contact, playbook=form.cleaned_data["playbook"]
            )
        except UnknownPlaybook as exc:
            add_service_error(form, exc, default="playbook")
    contact_tz, _ = contact_zones(account, contact)
    if wants_fragment(request):
        return render(
            request,
            "people/partials/enroll_preview.html",
            {"preview": preview, "form": form, "contact": contact, "contact_tz": contact_tz},
        )
    return render(
        request,
        "people/detail.html",
        page_context(request, account, contact, enroll_form=form, preview=preview),
        status=200 if preview is not None else 400,
    )


@account_view
@require_http_methods(["GET", "POST"])
@submitted_once
def enroll_view(request: HttpRequest, pk: int, *, account: Account) -> HttpResponse:
    """Start a playbook for this contact (replacing the running one when asked)."""
    contact = contact_or_404(account, pk)
    if request.method != "POST":
        return back_to_contact(contact, "card-enroll")
    form = EnrollForm(
        request.POST, prefix="enroll", playbooks=playbook_choices(account), warmth=contact.warmth
    )
    if form.is_valid():
        data = form.cleaned_data
        try:
            enrollment = enrollment_start(
                account=account,
                contact=contact,
                playbook=data["playbook"],
                replace=data["replace"],
                force=data["force"],
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
            add_service_error(form, exc, default="playbook")
        except (Suppressed, RingbackError) as exc:
            add_service_error(form, exc)
        else:
            title = enrollment.version.playbook.title
            message = f"{contact.name} is now in {title}."
            if enrollment.due_start is not None:
                contact_tz, _ = contact_zones(account, contact)
                first = enrollment.due_start.astimezone(contact_tz)
                message += f" First step due {first:%a %d %b} from {first:%H:%M %Z} (their time)."
            elif enrollment.ended_reason:
                message += f" It ended at once: {enrollment.ended_reason}."
            return page_respond(
                request,
                account,
                contact,
                card="enroll_card",
                ok=True,
                message=message,
                also=("status", "timeline"),
            )
    return page_respond(request, account, contact, card="enroll_card", ok=False, enroll_form=form)


def _equivalent(account: Account, contact: Contact, when: datetime) -> dict[str, Any]:
    contact_tz, seller_tz = contact_zones(account, contact)
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
    contact = contact_or_404(account, pk)
    contact_tz, _ = contact_zones(account, contact)
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
    return render(request, "people/partials/appointment_equiv.html", context)


@account_view
@require_http_methods(["GET", "POST"])
@submitted_once
def appointment_view(request: HttpRequest, pk: int, *, account: Account) -> HttpResponse:
    """Book a phone appointment at a time in the contact's zone."""
    contact = contact_or_404(account, pk)
    if request.method != "POST":
        return back_to_contact(contact, "card-appointment")
    contact_tz, _ = contact_zones(account, contact)
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
                confirm_outside_hours=data["confirm_outside_hours"],
            )
        except AlreadyBooked:
            form.add_error("starts_at", "This appointment is already booked; nothing was changed.")
        except (InvalidDate, OutsideCallingHours) as exc:
            form.outside_hours = isinstance(exc, OutsideCallingHours)
            add_service_error(form, exc, default="starts_at")
        except RingbackError as exc:
            add_service_error(form, exc)
        else:
            eq = _equivalent(account, contact, starts_at)
            message = f"Booked: {eq['their']:%a %d %b at %H:%M %Z} their time"
            if not eq["same_zone"]:
                message += f" ({eq['yours']:%H:%M %Z} your time)"
            contact = contact_or_404(account, pk)
            return page_respond(
                request,
                account,
                contact,
                card="appointment_card",
                ok=True,
                message=message + ".",
                also=("status", "timeline"),
            )
    return page_respond(request, account, contact, card="appointment_card", ok=False, appointment_form=form)


@account_view
@require_http_methods(["GET", "POST"])
@submitted_once
def do_not_contact_view(request: HttpRequest, pk: int, *, account: Account) -> HttpResponse:
    """Mark the contact do-not-contact, after a confirmation step."""
    contact = contact_or_404(account, pk)
    if request.method != "POST":
        context = page_context(request, account, contact, confirming=True)
        if wants_fragment(request):
            return render(request, "people/partials/dnc_card.html", context)
        return render(request, "people/dnc_confirm.html", context)
    form = DoNotContactForm(request.POST, prefix="dnc")
    if form.is_valid():
        try:
            contact_set_do_not_contact(account=account, contact=contact, note=form.cleaned_data["note"])
        except RingbackError as exc:
            add_service_error(form, exc)
        else:
            contact = contact_or_404(account, pk)
            return page_respond(
                request,
                account,
                contact,
                card="dnc_card",
                ok=True,
                message=f"{contact.name} will not be contacted again; their playbook stopped.",
                also=("status", "timeline"),
            )
    if not wants_fragment(request):
        context = page_context(request, account, contact, confirming=True, dnc_form=form)
        return render(request, "people/dnc_confirm.html", context, status=400)
    return page_respond(request, account, contact, card="dnc_card", ok=False, dnc_form=form, confirming=True)


@account_view
@require_http_methods(["GET", "POST"])
@submitted_once
def text_consent_view(request: HttpRequest, pk: int, *, account: Account) -> HttpResponse:
    """Record that they agreed to texts on one of their mobile numbers, and how."""
    contact = contact_or_404(account, pk)
    if request.method != "POST":
        return back_to_contact(contact, "card-texts")
    form = TextConsentForm(request.POST, prefix="texts", phones=text_phone_choices(contact))
    if form.is_valid():
        data = form.cleaned_data
        try:
            phone = phone_get(account=account, contact=contact, pk=data["phone"])
            contact_text_consent(
                account=account,
                contact=contact,
                phone=phone,
                how=data["how"],
                note=data["note"],
                resume=data["resume"],
            )
        except RingbackError as exc:
            add_service_error(form, exc, default="phone")
        else:
            contact = contact_or_404(account, pk)
            return page_respond(
                request,
                account,
                contact,
                card="texts_card",
                ok=True,
                message=f"Texts may go to {display_phone(phone.number)}.",
                also=("details_card", "timeline"),
            )
    return page_respond(request, account, contact, card="texts_card", ok=False, texts_form=form)


@account_view
@require_http_methods(["GET", "POST"])
@submitted_once
def texts_stop_view(request: HttpRequest, pk: int, *, account: Account) -> HttpResponse:
    """Stop texts to one of their numbers by hand, on every playbook (a second tap says they
    already were)."""
    contact = contact_or_404(account, pk)
    if request.method != "POST":
        return back_to_contact(contact, "card-texts")
    phones = [(p.pk, display_phone(p.number)) for p in contact.phones.all()]
    form = TextsStopForm(request.POST, prefix="stop", phones=phones)
    if form.is_valid():
        try:
            phone = phone_get(account=account, contact=contact, pk=form.cleaned_data["phone"])
            stopped = contact_texts_stop(account=account, contact=contact, phone=phone)
        except RingbackError as exc:
            add_service_error(form, exc, default="phone")
        else:
            shown = display_phone(phone.number)
            message = (
                f"Texts to {shown} are stopped, on every playbook."
                if stopped
                else f"Texts to {shown} were already stopped."
            )
            contact = contact_or_404(account, pk)
            return page_respond(
                request,
                account,
                contact,
                card="texts_card",
                ok=True,
                message=message,
                also=("details_card", "timeline"),
            )
    return page_respond(request, account, contact, card="texts_card", ok=False, stop_form=form)
