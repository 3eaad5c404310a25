"""Writes about cards in the mail: the print settings, and marking a printed batch mailed.

Printing logs nothing. "Mark batch mailed" logs each card of the batch through the same service
as the Mailed button of a card on Today (``agenda_card_log``), so the next steps are planned,
all in one transaction that first locks the account: two marks at once (a second click, another
tab, the command) run one after the other, and the second finds the cards already logged.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction

from ringback.accounts.models import Account
from ringback.accounts.services import account_lock
from ringback.activities.choices import Outcome as TouchOutcome
from ringback.activities.models import Touch, TouchUndo
from ringback.activities.services import AlreadyLogged, CardRef, agenda_card_log
from ringback.contacts.models import Contact
from ringback.core import clock
from ringback.core.agenda import ItemKind
from ringback.core.errors import InvalidInput, RingbackError
from ringback.core.scheduling import zone
from ringback.playbooks.selectors import enrollment_get
from ringback.post.choices import CardFormatChoice, CardState, LabelSheetChoice
from ringback.post.models import OFFSET_BOUND, PrintBatch, PrintBatchCard, PrintSettings
from ringback.post.selectors import PrintChoice, batch_for_day, card_key_parse, print_settings_get

#: What a card logged mailed another way counts as (the note emailed or texted instead).
_SENT = (TouchOutcome.MAILED, TouchOutcome.EMAILED, TouchOutcome.TEXTED)


def _offset(value: str | Decimal | float | None, *, axis: str) -> Decimal | None:
    """A calibration offset in millimetres (one decimal), or :class:`InvalidInput` naming it."""
    if value is None:
        return None
    text = str(value).strip().replace(",", ".")
    field = f"offset_{axis}"
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise InvalidInput(
            f"the label offset {axis} {text!r} is not a number of millimetres", field=field
        ) from None
    if not number.is_finite() or abs(number) > OFFSET_BOUND:
        raise InvalidInput(
            f"the label offset {axis} of {text} mm is out of range: use -{OFFSET_BOUND} to {OFFSET_BOUND} mm",
            field=field,
        )
    return number.quantize(Decimal("0.1"))


def _choice(value: str | None, choices: Sequence[str], *, what: str, field: str) -> str | None:
    if value is None:
        return None
    text = value.strip().lower()
    if text not in choices:
        raise InvalidInput(f"{value!r} is not {what}: use one of {', '.join(choices)}", field=field)
    return text


@transaction.atomic
def print_settings_update(
    *,
    account: Account,
    card_format: str | None = None,
    label_sheet: str | None = None,
    offset_x: str | Decimal | float | None = None,
    offset_y: str | Decimal | float | None = None,
) -> PrintChoice:
    """Change the account's print settings (what is given); a bad value is refused with an error
    naming its field and nothing is changed. Returns the settings now in effect."""
    card = _choice(card_format, CardFormatChoice.values, what="a card format", field="card_format")
    sheet = _choice(label_sheet, LabelSheetChoice.values, what="a label sheet", field="label_sheet")
    x = _offset(offset_x, axis="x")
    y = _offset(offset_y, axis="y")
    account_lock(account=account)
    current = print_settings_get(account=account)
    row = PrintSettings.objects.filter(account=account).first() or PrintSettings(
        account=account,
        card_format=current.card_format.value,
        label_sheet=current.label_sheet.value if current.label_sheet else LabelSheetChoice.NONE,
    )
    if card is not None:
        row.card_format = card
    if sheet is not None:
        row.label_sheet = sheet
    if x is not None:
        row.offset_x = x
    if y is not None:
        row.offset_y = y
    row.updated_at = clock.now()
    row.save()
    return print_settings_get(account=account)


@dataclass(frozen=True, slots=True)
class Skipped:
    """A card of the batch that was not logged, and why."""

    name: str
    reason: str


@dataclass(frozen=True, slots=True)
class Marked:
    """What marking a batch mailed did: the batch recorded (None when nothing was logged), whom
    it logged mailed, and the cards it skipped."""

    day: date
    batch: PrintBatch | None
    mailed: tuple[str, ...] = ()
    skipped: tuple[Skipped, ...] = ()


class AlreadyMarked(RingbackError):
    """The cards were logged mailed by another batch at the same moment."""


def batch_mark_mailed(*, account: Account, day: date, keys: Sequence[str] | None = None) -> Marked:
    """Log every card of the day's printed batch mailed, once, and plan each one's next step.

    ``keys`` are the cards that were printed (as the Print page lists them, see
    :func:`~ringback.post.selectors.card_key`); without them, the batch is the day's cards as
    printing them now would give. A card already logged (its Mailed button on Today, another
    batch) or whose plan has moved on is skipped and said so; nothing is logged twice. A card of
    another account is "no such enrollment" (:class:`NotFound`) and nothing is logged at all.
    """
    try:
        return _mark(account=account, day=day, keys=keys)
    except IntegrityError:
        raise AlreadyMarked(
            "these cards were marked mailed by another batch at the same moment; nothing was logged twice"
        ) from None


@dataclass(frozen=True, slots=True)
class _Printed:
    contact: Contact
    ref: CardRef

    @property
    def enrollment_id(self) -> int:
        assert self.ref.enrollment_id is not None, "a card in the mail belongs to an enrollment"
        return self.ref.enrollment_id

    @property
    def due(self) -> datetime:
        assert self.ref.due is not None, "a card in the mail has a due time"
        return self.ref.due


def _printed(*, account: Account, day: date, keys: Sequence[str] | None) -> list[_Printed]:
    """The printed cards to mark, each with its contact (looked up for this account only)."""
    if keys is None:
        return [
            _Printed(contact=Contact.objects.get(account=account, pk=c.contact_id), ref=c.ref)
            for c in batch_for_day(account=account, day=day).cards
        ]
    printed = []
    for key in dict.fromkeys(keys):
        enrollment_id, step, due = card_key_parse(key)
        enrollment = enrollment_get(account=account, pk=enrollment_id)
        contact = Contact.objects.get(account=account, pk=enrollment.contact_id)
        ref = CardRef(
            kind=ItemKind.MAIL, contact_id=contact.pk, enrollment_id=enrollment.pk, step=step, due=due
        )
        printed.append(_Printed(contact=contact, ref=ref))
    return printed


def _batch_lock(account: Account) -> None:
    """Lock the account's row against another "Mark batch mailed" until the transaction ends.

    ``FOR NO KEY UPDATE``, not the ``FOR UPDATE`` of ``account_lock``: a Mailed button on Today
    holds its contact's lock and then inserts a touch, whose foreign key to the account takes a
    key-share lock on this row. ``FOR UPDATE`` would wait for that button while it waits for
    us (a deadlock); ``FOR NO KEY UPDATE`` lets it through and still queues two batches.
    """
    Account.objects.select_for_update(no_key=True).filter(pk=account.pk).values_list("pk", flat=True).get()


@transaction.atomic
def _mark(*, account: Account, day: date, keys: Sequence[str] | None) -> Marked:
    _batch_lock(account)
    printed = _printed(account=account, day=day, keys=keys)
    now = clock.now()
    mailed: list[str] = []
    skipped: list[Skipped] = []
    rows: list[PrintBatchCard] = []
    for card in printed:
        why = _marked_before(account=account, card=card)
        touch = None
        if not why:
            try:
                touch = agenda_card_log(
                    account=account, contact=card.contact, ref=card.ref, outcome=TouchOutcome.MAILED
                )
            except AlreadyLogged:
                why = _why_stale(account=account, card=card)
            except RingbackError as exc:
                why = f"not logged: {exc.message}"
        rows.append(
            PrintBatchCard(
                account=account,
                contact=card.contact,
                enrollment_id=card.enrollment_id,
                step=card.ref.step,
                due=card.due,
                state=CardState.MAILED if touch is not None else CardState.SKIPPED,
                touch=touch,
                note=why[:300],
            )
        )
        if touch is not None:
            mailed.append(card.contact.name)
        else:
            skipped.append(Skipped(card.contact.name, why))
    if not mailed:
        return Marked(day=day, batch=None, skipped=tuple(skipped))
    batch = PrintBatch.objects.create(
        account=account, day=day, marked_at=now, mailed=len(mailed), skipped=len(skipped)
    )
    for row in rows:
        row.batch = batch
    PrintBatchCard.objects.bulk_create(rows)
    return Marked(day=day, batch=batch, mailed=tuple(mailed), skipped=tuple(skipped))


def _marked_before(*, account: Account, card: _Printed) -> str:
    """Why the card can't be marked because a batch already logged it ("" when none did). A card a
    batch logged and Undo took back may be marked again: its old record becomes ``undone``."""
    earlier = (
        PrintBatchCard.objects.filter(
            account=account,
            enrollment_id=card.enrollment_id,
            step=card.ref.step,
            due=card.due,
            state=CardState.MAILED,
        )
        .select_related("batch")
        .first()
    )
    if earlier is None:
        return ""
    if earlier.touch_id is not None and TouchUndo.objects.filter(touch_id=earlier.touch_id).exists():
        PrintBatchCard.objects.filter(pk=earlier.pk).update(state=CardState.UNDONE)
        return ""
    when = earlier.batch.marked_at.astimezone(zone(account.time_zone))
    return f"already marked mailed with the batch of {when:%a %d %b at %H:%M}"


def _why_stale(*, account: Account, card: _Printed) -> str:
    """Why a card of the batch could not be logged: it was logged already, or its plan moved on."""
    done = (
        Touch.objects.kept()
        .filter(account=account, enrollment_id=card.enrollment_id, step=card.ref.step, outcome__in=_SENT)
        .order_by("-at", "-id")
        .first()
    )
    if done is not None:
        when = done.at.astimezone(zone(account.time_zone))
        return f"already marked {done.get_outcome_display().lower()} on its own, {when:%a %d %b at %H:%M}"
    return "its playbook has moved on since it was printed (stopped, skipped or changed); nothing was logged"
