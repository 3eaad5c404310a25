"""Web views for playbooks: the list, one playbook as a timeline, duplicate, edit, preview."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.middleware import HtmxDetails

from ringback.accounts.models import Account
from ringback.accounts.submissions import submitted_once
from ringback.accounts.web import account_view
from ringback.contacts.models import Contact
from ringback.contacts.selectors import contact_get
from ringback.core import clock
from ringback.core.errors import PlaybookError, RingbackError
from ringback.core.lint import lint_playbook
from ringback.core.messages import with_library
from ringback.interface.htmx import wants_fragment
from ringback.messaging.selectors import message_texts, offers_by_name
from ringback.playbooks import presenters
from ringback.playbooks.forms import DuplicateForm, PlaybookSourceForm, PreviewForm
from ringback.playbooks.models import Playbook, PlaybookVersion
from ringback.playbooks.selectors import (
    SAMPLE_LABEL,
    PlaybookSummary,
    playbook_copy_name,
    playbook_for_page,
    playbook_latest_version,
    playbook_overview,
    playbook_preview,
    playbook_version_lines,
    preview_contact_choices,
    version_spec,
)
from ringback.playbooks.services import (
    PlaybookChanged,
    playbook_check,
    playbook_duplicate,
    playbook_update,
)

CHOICES_LIMIT = 50


class HtmxRequest(HttpRequest):
    """A request that went through django-htmx's middleware."""

    htmx: HtmxDetails


def _errors(form: forms.Form, field: str) -> str:
    return " ".join(str(message) for message in form.errors.get(field, ()))


@dataclass(frozen=True, slots=True)
class Card:
    row: PlaybookSummary
    rules: list[tuple[str, str]]


def _playbook_or_404(account: Account, name: str) -> Playbook:
    playbook = playbook_for_page(account=account, name=name)
    if playbook is None:
        raise Http404("No playbook by that name")
    return playbook


@account_view
@require_GET
def playbook_list_view(request: HttpRequest, *, account: Account) -> HttpResponse:
    """The account's playbooks: built-in and own, with what they encode and who runs them."""
    cards = [
        Card(row, [(rule, presenters.rule_text(rule)) for rule in (row.spec.rules if row.spec else ())])
        for row in playbook_overview(account=account)
    ]
    return render(
        request,
        "playbooks/list.html",
        {
            "nav": "playbooks",
            "builtin": [c for c in cards if c.row.playbook.is_builtin],
            "own": [c for c in cards if not c.row.playbook.is_builtin],
        },
    )


def _preview_context(
    *,
    account: Account,
    version: PlaybookVersion,
    contact: Contact | None = None,
    search: str = "",
    error: str = "",
) -> dict[str, Any]:
    choices = preview_contact_choices(account=account, search=search, limit=CHOICES_LIMIT)
    context: dict[str, Any] = {
        "choices": choices[:CHOICES_LIMIT],
        "more": len(choices) > CHOICES_LIMIT,
        "q": search,
        "selected": contact.pk if contact else None,
        "sample_label": SAMPLE_LABEL,
        "preview_error": error,
    }
    if not error:
        try:
            preview = playbook_preview(account=account, version=version, contact=contact, now=clock.now())
        except PlaybookError as exc:
            context["preview_error"] = (
                f"This version can't be read, so there is no plan to show: {exc.message}"
            )
            return context
        context.update(
            preview=preview,
            plan=presenters.plan_rows(preview),
            plan_ending=presenters.plan_ending(preview),
            local_now=presenters.local_now(preview),
            is_sample=contact is None,
        )
    return context


def _detail_context(
    *, account: Account, playbook: Playbook, duplicate_error: str = "", copy_name: str = ""
) -> dict[str, Any]:
    version = playbook_latest_version(playbook=playbook)
    lines = playbook_version_lines(playbook=playbook)
    context: dict[str, Any] = {
        "nav": "playbooks",
        "playbook": playbook,
        "version": version,
        "versions": lines,
        "running": sum(line.running for line in lines),
        "copy_name": copy_name or playbook_copy_name(account=account, name=playbook.name),
        "duplicate_error": duplicate_error,
        "seller_zone": account.time_zone,
    }
    try:
        spec = version_spec(version=version)
    except PlaybookError as exc:
        context["spec_error"] = exc
        return context
    spec = with_library(spec, message_texts(account=account, names=spec.library_refs))
    warnings = lint_playbook(spec)
    context.update(
        spec=spec,
        description=presenters.with_rules(spec.description),
        rules=[(rule, presenters.rule_text(rule)) for rule in spec.rules],
        steps=presenters.timeline(
            spec,
            warnings,
            {
                name: o.valid_days
                for name, o in offers_by_name(account=account, names=spec.offer_refs).items()
            },
        ),
        finish=presenters.finish_text(spec),
        limits=presenters.limits_text(spec),
        scripts=presenters.scripts(spec, warnings, presenters.sample_variables(account)),
        advice_count=len(warnings),
        **_preview_context(account=account, version=version),
    )
    return context


@account_view
@require_GET
def playbook_detail(request: HttpRequest, name: str, *, account: Account) -> HttpResponse:
    """One playbook drawn as a timeline, its scripts with advice, and a plan preview."""
    playbook = _playbook_or_404(account, name)
    return render(request, "playbooks/detail.html", _detail_context(account=account, playbook=playbook))


@account_view
@require_POST
@submitted_once
def playbook_duplicate_view(request: HttpRequest, name: str, *, account: Account) -> HttpResponse:
    """Copy a playbook (a built-in, usually) into a new own one and open it for editing."""
    playbook = _playbook_or_404(account, name)
    form = DuplicateForm(request.POST)
    wanted = request.POST.get("new_name", "")
    if form.is_valid():
        try:
            copy = playbook_duplicate(account=account, name=name, new_name=form.cleaned_data["new_name"])
        except RingbackError as exc:
            error = exc.message
        else:
            messages.success(
                request,
                f"Made {copy.playbook.name}, your own copy of {playbook.title}. "
                "Change it below and press Save.",
            )
            return redirect("playbooks:edit", name=copy.playbook.name)
    else:
        error = _errors(form, "new_name") or "Check the name of your copy."
    context = _detail_context(
        account=account, playbook=playbook, duplicate_error=error, copy_name=wanted[:63] or ""
    )
    return render(request, "playbooks/detail.html", context, status=400)


def _edit_context(
    *, playbook: Playbook, version: PlaybookVersion, source: str, base_version: int | None
) -> dict[str, Any]:
    lines = playbook_version_lines(playbook=playbook)
    return {
        "nav": "playbooks",
        "playbook": playbook,
        "version": version,
        "source": source,
        "base_version": base_version or version.number,
        "running": sum(line.running for line in lines),
        "running_latest": next((line.running for line in lines if line.number == version.number), 0),
        "next_number": version.number + 1,
    }


def _yaml_error_context(exc: PlaybookError, text: str) -> dict[str, Any]:
    return {
        "yaml_error": exc,
        "yaml_error_text": exc.detail,
        "yaml_error_line": exc.line,
        "excerpt": presenters.error_excerpt(text, exc.line),
    }


@account_view
@require_http_methods(["GET", "POST"])
@submitted_once
def playbook_edit(request: HttpRequest, name: str, *, account: Account) -> HttpResponse:
    """Edit the YAML of an own playbook; saving makes a new version. Built-ins are read-only."""
    playbook = _playbook_or_404(account, name)
    version = playbook_latest_version(playbook=playbook)
    if playbook.is_builtin:
        context = _edit_context(playbook=playbook, version=version, source=version.source, base_version=None)
        context["copy_name"] = playbook_copy_name(account=account, name=name)
        if request.method == "POST":
            context["refused"] = True
            return render(request, "playbooks/edit.html", context, status=403)
        return render(request, "playbooks/edit.html", context)
    if request.method == "GET":
        context = _edit_context(playbook=playbook, version=version, source=version.source, base_version=None)
        return render(request, "playbooks/edit.html", context)

    form = PlaybookSourceForm(request.POST)
    submitted = request.POST.get("source", "")
    status = 400
    extra: dict[str, Any] = {}
    base = None
    if form.is_valid():
        text, base = form.cleaned_data["source"], form.cleaned_data["base_version"]
        submitted = text
        try:
            saved = playbook_update(account=account, name=name, text=text, base_version=base)
        except PlaybookChanged as exc:
            status, base = 409, playbook_latest_version(playbook=playbook).number
            extra["error"] = exc.message
        except PlaybookError as exc:
            extra.update(_yaml_error_context(exc, text))
        except RingbackError as exc:
            extra["error"] = exc.message
        else:
            if saved.number == version.number:
                messages.info(request, f"No changes to save: this is still version {saved.number}.")
            else:
                kept = "Contacts already running it stay on the version they started with."
                messages.success(request, f"Version {saved.number} saved. {kept}")
            return redirect("playbooks:edit", name=name)
    else:
        extra["source_error"] = _errors(form, "source") or "Check the YAML and save again."
        extra["error"] = _errors(form, "base_version")
    context = _edit_context(playbook=playbook, version=version, source=submitted, base_version=base)
    context.update(extra, saving=True)
    return render(request, "playbooks/edit.html", context, status=status)


@account_view
@require_POST
def playbook_check_view(request: HtmxRequest, name: str, *, account: Account) -> HttpResponse:
    """Validate the YAML without saving: a partial for HTMX, the edit page otherwise."""
    playbook = _playbook_or_404(account, name)
    form = PlaybookSourceForm(request.POST)
    submitted = request.POST.get("source", "")
    result: dict[str, Any] = {"checked": True}
    if form.is_valid():
        submitted = form.cleaned_data["source"]
        try:
            spec = playbook_check(account=account, name=name, text=submitted)
        except PlaybookError as exc:
            result.update(_yaml_error_context(exc, submitted))
        else:
            result.update(
                checked_spec=spec,
                checked_steps=len(spec.steps),
                checked_advice=[
                    presenters.Advice(w.rule, presenters.rule_text(w.rule), f"{w.template}: {w.message}")
                    for w in lint_playbook(
                        with_library(spec, message_texts(account=account, names=spec.library_refs))
                    )
                ],
            )
    else:
        result["source_error"] = _errors(form, "source") or "Check the YAML."
    if wants_fragment(request):
        return render(request, "playbooks/partials/check.html", result)
    version = playbook_latest_version(playbook=playbook)
    base = form.cleaned_data.get("base_version") if form.is_valid() else None
    context = _edit_context(playbook=playbook, version=version, source=submitted, base_version=base)
    context.update(result)
    if playbook.is_builtin:
        context["copy_name"] = playbook_copy_name(account=account, name=name)
    return render(request, "playbooks/edit.html", context)


@account_view
@require_GET
def playbook_preview_view(request: HtmxRequest, name: str, *, account: Account) -> HttpResponse:
    """The plan the playbook would make for a contact (or the sample), from now."""
    playbook = _playbook_or_404(account, name)
    version = playbook_latest_version(playbook=playbook)
    form = PreviewForm(request.GET)
    contact = None
    error = ""
    search = ""
    if form.is_valid():
        search = form.cleaned_data["q"]
        if form.cleaned_data["contact"] is not None:
            contact = contact_get(account=account, pk=form.cleaned_data["contact"])
    else:
        error = " ".join(_errors(form, field) for field in form.errors)
    context = _preview_context(account=account, version=version, contact=contact, search=search, error=error)
    context.update(playbook=playbook, nav="playbooks")
    if wants_fragment(request):  # htmx swaps only 2xx answers: the message goes in the partial
        return render(request, "playbooks/partials/preview.html", context)
    return render(request, "playbooks/preview.html", context, status=400 if error else 200)


@account_view
@require_GET
def playbook_preview_contacts(request: HttpRequest, name: str, *, account: Account) -> HttpResponse:
    """The contact picker of the preview, narrowed to names matching ``q`` (HTMX partial)."""
    playbook = _playbook_or_404(account, name)
    form = PreviewForm({"q": request.GET.get("q", "")[:100]})  # a NUL byte is no search
    search = form.cleaned_data["q"] if form.is_valid() else ""
    choices = preview_contact_choices(account=account, search=search, limit=CHOICES_LIMIT)
    return render(
        request,
        "playbooks/partials/contact_select.html",
        {
            "playbook": playbook,
            "choices": choices[:CHOICES_LIMIT],
            "more": len(choices) > CHOICES_LIMIT,
            "q": search,
            "selected": None,
            "sample_label": SAMPLE_LABEL,
        },
    )
