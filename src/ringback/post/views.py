"""The Print page: the day's cards, who is left out and why, the PDFs, "Mark batch mailed".

Reads go through :mod:`ringback.post.selectors` (a GET writes nothing: the PDFs are made on the
fly), writes through :mod:`ringback.post.services`.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_GET, require_POST

from ringback.accounts.models import Account
from ringback.accounts.submissions import submitted_once
from ringback.accounts.web import account_view
from ringback.core import clock
from ringback.core.errors import NotFound, RingbackError
from ringback.interface.forms import add_service_error
from ringback.post.forms import DayForm, MarkForm, PrintSettingsForm
from ringback.post.selectors import (
    Batch,
    NothingToPrint,
    batch_cards_pdf,
    batch_day,
    batch_for_day,
    batch_labels_pdf,
    batches_marked,
    print_choice_values,
)
from ringback.post.services import Marked, batch_mark_mailed, print_settings_update

#: How much of each note the page shows.
NOTE_PREVIEW = 140


@lru_cache(maxsize=1)
def _contact_url_pattern() -> str:
    try:
        return reverse("contacts:detail", args=[987654321]).replace("987654321", "{id}")
    except NoReverseMatch:
        return "/contacts/{id}/"


def _contact_url(contact_id: int) -> str:
    return _contact_url_pattern().format(id=contact_id)


def _day_from(request: HttpRequest, account: Account, data: Any) -> tuple[date, str]:
    """The day asked for (today when none), and a notice when the one given is not a day."""
    form = DayForm(data)
    if form.is_valid():
        return batch_day(account=account, day=form.cleaned_data["day"]), ""
    return batch_day(account=account), "That is not a day: here are today's cards."


def _page_url(day: date, today: date) -> str:
    url = reverse("post:print")
    return url if day == today else f"{url}?{urlencode({'day': day.isoformat()})}"


def _context(
    *,
    account: Account,
    day: date,
    batch: Batch | None = None,
    settings_form: PrintSettingsForm | None = None,
    mark_form: MarkForm | None = None,
    notice: str = "",
) -> dict[str, Any]:
    batch = batch or batch_for_day(account=account, day=day)
    today = batch_day(account=account)
    query = "" if day == today else f"?{urlencode({'day': day.isoformat()})}"
    values = print_choice_values(batch.choice)
    return {
        "nav": "today",
        "account": account,
        "batch": batch,
        "day": day,
        "is_today": day == today,
        "query": query,
        "cards": [
            {
                "name": c.name,
                "url": _contact_url(c.contact_id),
                "address": c.address,
                "note": c.card.note[:NOTE_PREVIEW] + ("…" if len(c.card.note) > NOTE_PREVIEW else ""),
                "offer": c.card.offer.line if c.card.offer else "",
            }
            for c in batch.cards
        ],
        "left_out": [
            {"name": o.name, "url": _contact_url(o.contact_id), "reason": o.reason} for o in batch.left_out
        ],
        "marked": batches_marked(account=account, day=day),
        "day_form": DayForm(initial={"day": day}),
        "settings_form": settings_form or PrintSettingsForm(initial={**values, "day": day}),
        "mark_form": mark_form or MarkForm(initial={"day": day, "card": [c.key for c in batch.cards]}),
        "notice": notice,
    }


@require_GET
@account_view
def print_page(request: HttpRequest, *, account: Account) -> HttpResponse:
    """The day's cards (``?day=``, today by default): what prints, who is left out and why."""
    day, notice = _day_from(request, account, request.GET)
    return render(request, "post/print.html", _context(account=account, day=day, notice=notice))


def _pdf(request: HttpRequest, account: Account, *, labels: bool) -> HttpResponse:
    day, notice = _day_from(request, account, request.GET)
    batch = batch_for_day(account=account, day=day)
    try:
        content = batch_labels_pdf(batch=batch) if labels else batch_cards_pdf(batch=batch)
    except RingbackError as exc:
        # Nothing to print (or no label sheet chosen): the page says so instead of a file.
        message = exc.message if isinstance(exc, NothingToPrint) else f"No labels to print: {exc.message}"
        context = _context(
            account=account, day=day, batch=batch, notice=notice or message[:1].upper() + message[1:]
        )
        return render(request, "post/print.html", context)
    response = HttpResponse(content, content_type="application/pdf")
    name = f"ringback-{'labels' if labels else 'cards'}-{day.isoformat()}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@require_GET
@account_view
def print_cards_pdf(request: HttpRequest, *, account: Account) -> HttpResponse:
    """The day's cards as a PDF, one per page (made now: nothing is logged)."""
    return _pdf(request, account, labels=False)


@require_GET
@account_view
def print_labels_pdf(request: HttpRequest, *, account: Account) -> HttpResponse:
    """The day's address labels as a PDF on the chosen sheet (made now: nothing is logged)."""
    return _pdf(request, account, labels=True)


@require_POST
@account_view
@submitted_once
def print_settings(request: HttpRequest, *, account: Account) -> HttpResponse:
    """Save the card format, the label sheet and the calibration offset."""
    form = PrintSettingsForm(request.POST)
    day = batch_day(account=account)
    if form.is_valid():
        data = form.cleaned_data
        day = data["day"] or day
        try:
            print_settings_update(
                account=account,
                card_format=data["card_format"],
                label_sheet=data["label_sheet"],
                offset_x=data["offset_x"],
                offset_y=data["offset_y"],
            )
        except RingbackError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, "Print settings saved.")
            return redirect(_page_url(day, batch_day(account=account)))
    context = _context(account=account, day=day, settings_form=form)
    return render(request, "post/print.html", context, status=400)


def _marked_message(marked: Marked) -> tuple[int, str]:
    skipped = "; ".join(f"{s.name}: {s.reason}" for s in marked.skipped[:10])
    more = f"; and {len(marked.skipped) - 10} more" if len(marked.skipped) > 10 else ""
    if marked.mailed:
        count = len(marked.mailed)
        text = f"{count} card{'s' if count != 1 else ''} logged mailed; the next step of each is planned."
        if marked.skipped:
            text += f" Skipped {len(marked.skipped)}: {skipped}{more}."
        return messages.SUCCESS, text
    if marked.skipped:
        return messages.WARNING, f"Nothing was logged: {skipped}{more}."
    return messages.INFO, "Nothing to mark mailed."


@require_POST
@account_view
@submitted_once
def print_mark(request: HttpRequest, *, account: Account) -> HttpResponse:
    """Mark the printed batch mailed: each card logged once, its next step planned."""
    form = MarkForm(request.POST)
    if not form.is_valid():
        day, _ = _day_from(request, account, request.POST)
        return render(
            request, "post/print.html", _context(account=account, day=day, mark_form=form), status=400
        )
    day = form.cleaned_data["day"]
    try:
        marked = batch_mark_mailed(account=account, day=day, keys=form.cleaned_data["card"])
    except NotFound:
        raise  # another account's card: a 404 (account_view), not a message
    except RingbackError as exc:
        add_service_error(form, exc)
        return render(
            request, "post/print.html", _context(account=account, day=day, mark_form=form), status=400
        )
    level, text = _marked_message(marked)
    messages.add_message(request, level, text)
    today = batch_day(account=account, now=clock.now())
    return redirect("today" if day == today else _page_url(day, today))
