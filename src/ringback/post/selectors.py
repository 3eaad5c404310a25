"""Reads about cards in the mail: the print settings in effect, the day's batch, its PDFs.

A day's batch is the mail items of the day's agenda (what Today shows as cards), each with the
contact's postal address. A card that can't be printed whole is left out and listed with the
reason: no usable postal address, a note that could not be filled in, a note or an address too
long for the card or the label. Nothing here writes: printing logs nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from ringback.accounts.models import Account
from ringback.activities.selectors import agenda_for_day
from ringback.activities.services import CardRef
from ringback.contacts.models import Address, Contact
from ringback.core import clock
from ringback.core.agenda import AgendaItem, ItemKind
from ringback.core.clock import parse_instant
from ringback.core.errors import InvalidDate, InvalidInput, RingbackError
from ringback.core.scheduling import zone
from ringback.post.choices import LabelSheetChoice
from ringback.post.models import PrintBatch, PrintSettings
from ringback.post.pieces import (
    PostalAddress,
    address_problem,
    note_text,
    recipient_lines,
    sender_lines,
)
from ringback.printing.cards import GEOMETRIES, CardFormat, card_layout, cards_pdf, sender_check
from ringback.printing.fitting import DoesNotFit
from ringback.printing.labels import SHEETS, Offset, SheetName, label_check, labels_pdf
from ringback.printing.pieces import Card, Label, Offer, day_text

#: Regions whose sellers get US sizes by default (4×6 postcards, Avery 5160); A6 elsewhere.
_US_SIZES = {"US", "CA", "MX", "PR"}


@dataclass(frozen=True, slots=True)
class PrintChoice:
    """How a batch is printed: the card format, the label sheet (None: no labels), the offset."""

    card_format: CardFormat
    label_sheet: SheetName | None
    offset: Offset = field(default_factory=Offset)

    @property
    def card_title(self) -> str:
        return GEOMETRIES[self.card_format].title

    @property
    def sheet_title(self) -> str:
        return SHEETS[self.label_sheet].title if self.label_sheet is not None else ""

    @property
    def envelope(self) -> bool:
        """Whether the cards go in envelopes (their addresses on labels or by hand)."""
        return GEOMETRIES[self.card_format].envelope


def print_settings_default(*, account: Account) -> PrintChoice:
    """The print settings of an account that never set any: postcards of its region's size
    (they carry the address, so no labels)."""
    us = account.default_region.upper() in _US_SIZES
    return PrintChoice(card_format=CardFormat.POSTCARD if us else CardFormat.A6, label_sheet=None)


def print_settings_get(*, account: Account) -> PrintChoice:
    """The account's print settings: its own, or the defaults for its region."""
    row = PrintSettings.objects.filter(account=account).first()
    if row is None:
        return print_settings_default(account=account)
    return PrintChoice(
        card_format=CardFormat(row.card_format),
        label_sheet=None if row.label_sheet == LabelSheetChoice.NONE else SheetName(row.label_sheet),
        offset=Offset(float(row.offset_x), float(row.offset_y)),
    )


def print_choice_values(choice: PrintChoice) -> dict[str, str | Decimal]:
    """The settings as the settings form and the command show them."""
    return {
        "card_format": choice.card_format.value,
        "label_sheet": choice.label_sheet.value if choice.label_sheet else LabelSheetChoice.NONE.value,
        "offset_x": Decimal(str(choice.offset.x)).quantize(Decimal("0.1")),
        "offset_y": Decimal(str(choice.offset.y)).quantize(Decimal("0.1")),
    }


@dataclass(frozen=True, slots=True)
class BatchCard:
    """One card of the batch: the agenda step it stands for, what is printed, where it goes."""

    contact_id: int
    name: str
    ref: CardRef
    card: Card
    label: Label
    #: The address on one line, for the page and the command.
    address: str

    @property
    def key(self) -> str:
        """The card as the "Mark batch mailed" form sends it back."""
        return card_key(self.ref)


@dataclass(frozen=True, slots=True)
class LeftOut:
    """A card due that is not in the batch, and why."""

    contact_id: int
    name: str
    reason: str


@dataclass(frozen=True, slots=True)
class Batch:
    """The cards to print on a day, those left out, and how they are printed."""

    day: date
    choice: PrintChoice
    cards: tuple[BatchCard, ...]
    left_out: tuple[LeftOut, ...] = ()
    #: Mail items that did not fit the seller's time that day (they come on a later day).
    held: int = 0
    #: A problem with the seller's own return address (the cards print without it).
    sender_problem: str = ""
    #: The seller has no postal address: postcards print without a return address.
    no_sender: bool = False

    @property
    def day_text(self) -> str:
        return day_text(self.day)


def card_key(ref: CardRef) -> str:
    """A card as ``enrollment|step|due``: what the page's form sends back to mark it mailed."""
    assert ref.due is not None
    return f"{ref.enrollment_id}|{ref.step}|{ref.due.isoformat()}"


def card_key_parse(key: str) -> tuple[int, str, datetime]:
    """``(enrollment id, step, due)`` of a :func:`card_key`; :class:`InvalidInput` for one that
    is not (a form out of date, or made up)."""
    parts = key.split("|", 2)
    stale = InvalidInput("this batch is out of date: reload the page and print again", field="card")
    if len(parts) != 3 or not parts[0].isdigit() or len(parts[0]) > 18 or not 0 < len(parts[1]) <= 63:
        raise stale
    try:
        due = parse_instant(parts[2])
    except InvalidDate:
        raise stale from None
    return int(parts[0]), parts[1], due


def batch_day(*, account: Account, day: date | None = None, now: datetime | None = None) -> date:
    """``day``, or today in the seller's time zone."""
    return day or (now or clock.now()).astimezone(zone(account.time_zone)).date()


def _offer(item: AgendaItem) -> Offer | None:
    if item.offer_expires is None and not item.offer_title:
        return None
    return Offer(name=item.offer_title, details=item.offer_details, until=item.offer_expires)


def _postal(address: Address) -> PostalAddress:
    return PostalAddress(
        street=address.street,
        city=address.city,
        region=address.region,
        postal_code=address.postal_code,
        country=address.country,
        label=address.label,
    )


def _address_of(contact: Contact | None) -> tuple[PostalAddress | None, str]:
    """The contact's first usable postal address, or None and why (the first address's problem)."""
    addresses = [_postal(a) for a in contact.addresses.all()] if contact is not None else []
    for address in addresses:
        if not address_problem(address):
            return address, ""
    return None, address_problem(addresses[0] if addresses else None)


@dataclass(frozen=True, slots=True)
class _Sender:
    lines: tuple[str, ...]
    problem: str = ""


def _sender(*, account: Account, choice: PrintChoice) -> _Sender:
    """The return address printed on postcards, or why it can't be (then they print without it)."""
    lines = sender_lines(
        seller_name=account.seller_name or account.name,
        business_name=account.business_name,
        postal_address=account.postal_address,
    )
    try:
        sender_check(lines, choice.card_format)
    except DoesNotFit as exc:
        return _Sender(lines=(), problem=f"{exc.message}. The cards print without it")
    return _Sender(lines=lines)


def _card_or_reason(
    item: AgendaItem, contact: Contact | None, *, account: Account, choice: PrintChoice, sender: _Sender
) -> BatchCard | LeftOut:
    """The item as a card of the batch, or as left out with the reason."""
    name = item.contact_name
    if item.script_error:
        return LeftOut(item.contact_id, name, f"its note could not be filled in ({item.script_error})")
    address, problem = _address_of(contact)
    if address is None or contact is None:
        return LeftOut(item.contact_id, name, problem)
    lines = recipient_lines(
        name=name, company=contact.company, address=address, home_country=account.default_region
    )
    card = Card(
        contact=name,
        note=note_text(item.script),
        recipient=lines,
        sender=sender.lines,
        offer=_offer(item),
    )
    label = Label(contact=name, lines=lines)
    try:
        card_layout(card, choice.card_format)
        if choice.label_sheet is not None:
            label_check(label, sheet=choice.label_sheet)
    except DoesNotFit as exc:
        return LeftOut(item.contact_id, name, exc.message)
    ref = CardRef(
        kind=ItemKind.MAIL,
        contact_id=item.contact_id,
        enrollment_id=item.enrollment_id,
        step=item.step or "",
        due=item.due,
    )
    return BatchCard(item.contact_id, name, ref, card, label, ", ".join(lines[1:]))


def batch_for_day(
    *,
    account: Account,
    day: date | None = None,
    now: datetime | None = None,
    choice: PrintChoice | None = None,
) -> Batch:
    """The cards to print on ``day`` (today by default): the mail items of that day's agenda, in
    its order, with those that can't be printed whole left out and listed with the reason.

    ``choice`` overrides the account's print settings (the command's ``--format``, ``--labels``).
    """
    now = now or clock.now()
    day = batch_day(account=account, day=day, now=now)
    choice = choice or print_settings_get(account=account)
    agenda = agenda_for_day(account=account, day=day, now=now)
    mail = [item for item in agenda.items if item.kind is ItemKind.MAIL]
    contacts = {
        c.pk: c
        for c in Contact.objects.filter(
            account=account, pk__in=[i.contact_id for i in mail]
        ).prefetch_related("addresses")
    }
    sender = _sender(account=account, choice=choice)
    cards: list[BatchCard] = []
    left_out: list[LeftOut] = []
    for item in mail:
        found = _card_or_reason(
            item, contacts.get(item.contact_id), account=account, choice=choice, sender=sender
        )
        (cards if isinstance(found, BatchCard) else left_out).append(found)  # type: ignore[arg-type]
    return Batch(
        day=day,
        choice=choice,
        cards=tuple(cards),
        left_out=tuple(left_out),
        held=sum(1 for h in agenda.held if h.item.kind is ItemKind.MAIL),
        sender_problem=sender.problem,
        no_sender=not sender.lines and not sender.problem and not choice.envelope,
    )


class NothingToPrint(RingbackError):
    """No card of the day can be printed: none is due, or every one is left out."""


def nothing_to_print(batch: Batch) -> NothingToPrint:
    """The error for a batch with no card, saying why."""
    when = batch.day_text
    if not batch.left_out:
        return NothingToPrint(f"nothing to print on {when}: no card is due that day", field="day")
    reasons = "; ".join(f"{o.name}: {o.reason}" for o in batch.left_out[:5])
    more = f"; and {len(batch.left_out) - 5} more" if len(batch.left_out) > 5 else ""
    count = len(batch.left_out)
    return NothingToPrint(
        f"nothing to print on {when}: {count} card{'s' if count != 1 else ''} due, all left out ({reasons}{more})",
        field="day",
    )


def batch_cards_pdf(*, batch: Batch, now: datetime | None = None) -> bytes:
    """The batch's cards as a PDF, one per page; :class:`NothingToPrint` when it has none."""
    if not batch.cards:
        raise nothing_to_print(batch)
    return cards_pdf(
        [c.card for c in batch.cards],
        card_format=batch.choice.card_format,
        created=now or clock.now(),
        title=f"Cards for {batch.day_text}",
    )


def batch_labels_pdf(*, batch: Batch, now: datetime | None = None) -> bytes:
    """The batch's address labels as a PDF; :class:`NothingToPrint` when it has no card, and
    :class:`InvalidInput` when the settings print no labels."""
    if not batch.cards:
        raise nothing_to_print(batch)
    if batch.choice.label_sheet is None:
        raise InvalidInput("no label sheet is chosen: choose one in the print settings", field="label_sheet")
    return labels_pdf(
        [c.label for c in batch.cards],
        sheet=batch.choice.label_sheet,
        offset=batch.choice.offset,
        created=now or clock.now(),
        title=f"Address labels for {batch.day_text}",
    )


def batches_marked(*, account: Account, day: date) -> list[PrintBatch]:
    """The batches of ``day`` already marked mailed, in the order they were."""
    return list(PrintBatch.objects.filter(account=account, day=day).order_by("marked_at", "id"))
