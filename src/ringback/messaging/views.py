"""Web pages of the message library: the list, a message's editor with its live preview, offers."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ringback.accounts.models import Account
from ringback.accounts.submissions import submitted_once
from ringback.accounts.web import account_view
from ringback.contacts.models import Contact
from ringback.contacts.selectors import contact_get, contacts_for_account
from ringback.core.checks import MessageKind, Severity, spoken_seconds, spoken_words
from ringback.core.errors import NotFound, RingbackError, TemplateError
from ringback.core.messages import VARIABLE_HELP, message_check, message_findings, offer_days_advice
from ringback.interface.forms import add_service_error
from ringback.messaging.forms import MessageForm, OfferForm
from ringback.messaging.models import Message, Offer
from ringback.messaging.selectors import (
    message_advice_flagged,
    message_advice_get,
    message_fill,
    message_get,
    message_latest_version,
    message_list,
    message_variables,
    offer_get,
    offer_list,
)
from ringback.messaging.services import MessageChanged, message_add, message_update, offer_add, offer_update

#: How many contacts the preview offers to fill a message in for.
PREVIEW_CONTACTS = 50


def _preview_contacts(account: Account) -> list[Contact]:
    return list(
        contacts_for_account(account=account).order_by("last_name", "first_name", "pk")[:PREVIEW_CONTACTS]
    )


def _preview(
    *, account: Account, kind: MessageKind, body: str, subject: str, is_last: bool, contact_id: int | None
) -> dict[str, Any]:
    """What the preview pane shows: the message filled in for a contact (the sample without one),
    how long it takes to say, what the checks say; or the error with its line."""
    contact = None
    if contact_id:
        try:
            contact = contact_get(account=account, pk=contact_id)
        except NotFound:
            contact = None
    try:
        message_check(body=body, subject=subject, kind=kind)
        filled = message_fill(
            kind=kind,
            body=body,
            subject=subject,
            variables=message_variables(account=account, contact=contact),
        )
        findings = message_findings(kind=kind, body=body, subject=subject, last_step=is_last)
    except TemplateError as exc:
        return {
            "preview_error": exc.message,
            "preview_error_field": exc.field,
            "preview_error_line": exc.line,
        }
    spoken = kind in (MessageKind.VOICEMAIL, MessageKind.OPENER)
    return {
        "filled": filled,
        "for_name": contact.name if contact else "Mary Smith (a sample contact)",
        "seconds": spoken_seconds(spoken_words(filled.body)) if spoken else None,
        "failures": [f for f in findings if f.severity is Severity.FAIL],
        "advice": [f for f in findings if f.severity is Severity.ADVICE],
    }


@account_view
@require_GET
def library_view(request: HttpRequest, *, account: Account) -> HttpResponse:
    """The library: every message by kind, then the offers."""
    rows = list(message_list(account=account).prefetch_related("versions"))
    groups = []
    for kind in MessageKind:
        items = [(m, max(v.number for v in m.versions.all())) for m in rows if m.kind == kind.value]
        if items:
            groups.append((kind, items))
    flagged = {advice.message_id for advice in message_advice_flagged(account=account)}
    return render(
        request,
        "messaging/library.html",
        {"nav": "library", "groups": groups, "offers": offer_list(account=account), "flagged": flagged},
    )


def _form_context(
    *,
    account: Account,
    form: MessageForm,
    message: Message | None,
    kind: MessageKind,
    preview: dict[str, Any],
) -> dict[str, Any]:
    return {
        "nav": "library",
        "form": form,
        "message": message,
        "kind": kind,
        "kinds": list(MessageKind),
        "contacts": _preview_contacts(account),
        "variables": VARIABLE_HELP.items(),
        **preview,
    }


@account_view
@require_http_methods(["GET", "POST"])
@submitted_once
def message_edit_view(request: HttpRequest, name: str, *, account: Account) -> HttpResponse:
    """Edit a message; saving makes a new version (touches keep the version they used)."""
    try:
        message = message_get(account=account, name=name)
    except NotFound:
        raise Http404("no such message") from None
    latest = message_latest_version(message=message)
    kind = MessageKind(message.kind)
    status = 200
    if request.method == "POST":
        form = MessageForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                saved = message_update(
                    account=account,
                    name=name,
                    body=data["body"],
                    subject=data["subject"],
                    title=data["title"],
                    is_last=data["is_last"],
                    base_version=data["base_version"],
                )
            except MessageChanged as exc:
                form.add_error(None, exc.message)
            except RingbackError as exc:
                add_service_error(form, exc, default="body")
            else:
                if saved.number == latest.number:
                    messages.info(request, f"No changes to the words: this is still version {saved.number}.")
                else:
                    messages.success(
                        request,
                        f"Version {saved.number} saved. Touches already made keep the words they used.",
                    )
                return redirect("messaging:edit", name=name)
        status = 400
        body, subject, is_last = (
            request.POST.get("body", ""),
            request.POST.get("subject", ""),
            bool(request.POST.get("is_last")),
        )
    else:
        form = MessageForm(
            initial={
                "title": message.title,
                "subject": latest.subject,
                "body": latest.body,
                "is_last": message.is_last,
                "base_version": latest.number,
            }
        )
        body, subject, is_last = latest.body, latest.subject, message.is_last
    preview = _preview(
        account=account, kind=kind, body=body, subject=subject, is_last=is_last, contact_id=None
    )
    context = _form_context(account=account, form=form, message=message, kind=kind, preview=preview)
    context["version"] = latest
    context["results"] = message_advice_get(account=account, message=message)
    return render(request, "messaging/message_form.html", context, status=status)


@account_view
@require_http_methods(["GET", "POST"])
@submitted_once
def message_new_view(request: HttpRequest, *, account: Account) -> HttpResponse:
    """Add a message to the library."""
    kind_value = request.POST.get("kind") or request.GET.get("kind") or MessageKind.VOICEMAIL.value
    kind = MessageKind(kind_value) if kind_value in {k.value for k in MessageKind} else MessageKind.VOICEMAIL
    status = 200
    if request.method == "POST":
        form = MessageForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                message_add(
                    account=account,
                    name=data["name"],
                    kind=data["kind"] or kind.value,
                    title=data["title"],
                    body=data["body"],
                    subject=data["subject"],
                    is_last=data["is_last"],
                )
            except RingbackError as exc:
                add_service_error(form, exc, default="body")
            else:
                messages.success(
                    request, f"{data['title']} is in your library. Playbooks can use it as “{data['name']}”."
                )
                return redirect("messaging:edit", name=data["name"])
        status = 400
        preview = _preview(
            account=account,
            kind=kind,
            body=request.POST.get("body", ""),
            subject=request.POST.get("subject", ""),
            is_last=bool(request.POST.get("is_last")),
            contact_id=None,
        )
    else:
        form = MessageForm(initial={"kind": kind.value})
        preview = {}
    context = _form_context(account=account, form=form, message=None, kind=kind, preview=preview)
    return render(request, "messaging/message_form.html", context, status=status)


@account_view
@require_POST
def message_preview_view(request: HttpRequest, *, account: Account) -> HttpResponse:
    """The live preview (HTMX): the words being edited, filled in; stores nothing."""
    form = MessageForm(request.POST)
    form.is_valid()
    data = form.cleaned_data
    kind_value = request.POST.get("kind", "")
    if kind_value not in {k.value for k in MessageKind}:
        return HttpResponse("Unknown kind of message.", status=400, content_type="text/plain; charset=utf-8")
    body = data.get("body") or request.POST.get("body", "")[:6_000]
    preview = _preview(
        account=account,
        kind=MessageKind(kind_value),
        body=body,
        subject=data.get("subject") or "",
        is_last=bool(data.get("is_last")),
        contact_id=data.get("contact"),
    )
    if "body" in form.errors and not preview.get("preview_error"):
        preview = {
            "preview_error": " ".join(str(e) for e in form.errors["body"]),
            "preview_error_field": "body",
        }
    return render(request, "messaging/partials/preview.html", {"kind": MessageKind(kind_value), **preview})


def _offer_page(
    request: HttpRequest, *, form: OfferForm, offer: Offer | None, status: int = 200
) -> HttpResponse:
    days = form["valid_days"].value()
    advice = offer_days_advice(int(days)) if str(days or "").isdigit() else ""
    return render(
        request,
        "messaging/offer_form.html",
        {"nav": "library", "form": form, "offer": offer, "advice": advice},
        status=status,
    )


@account_view
@require_http_methods(["GET", "POST"])
@submitted_once
def offer_new_view(request: HttpRequest, *, account: Account) -> HttpResponse:
    """Add an offer (R9: a date within two weeks)."""
    if request.method == "GET":
        return _offer_page(request, form=OfferForm(), offer=None)
    form = OfferForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            offer_add(
                account=account,
                name=data["name"],
                title=data["title"],
                details=data["details"],
                valid_days=data["valid_days"],
            )
        except RingbackError as exc:
            add_service_error(form, exc, default="name")
        else:
            messages.success(
                request, f"{data['title']} saved. A mail step uses it with “offer: {data['name']}”."
            )
            return redirect("messaging:library")
    return _offer_page(request, form=form, offer=None, status=400)


@account_view
@require_http_methods(["GET", "POST"])
@submitted_once
def offer_edit_view(request: HttpRequest, name: str, *, account: Account) -> HttpResponse:
    """Change an offer; cards already mailed keep the date they announced."""
    try:
        offer = offer_get(account=account, name=name)
    except NotFound:
        raise Http404("no such offer") from None
    if request.method == "GET":
        form = OfferForm(
            initial={"title": offer.title, "details": offer.details, "valid_days": offer.valid_days}
        )
        return _offer_page(request, form=form, offer=offer)
    form = OfferForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            offer_update(
                account=account,
                name=name,
                title=data["title"],
                details=data["details"],
                valid_days=data["valid_days"],
            )
        except RingbackError as exc:
            add_service_error(form, exc, default="title")
        else:
            messages.success(
                request, f"{data['title']} saved. Cards already mailed keep the date they announced."
            )
            return redirect("messaging:library")
    return _offer_page(request, form=form, offer=offer, status=400)
