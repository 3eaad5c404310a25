"""Writes about contacts: create, edit, phones, emails, addresses, flags and promises."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, models, transaction

from ringback.accounts.models import Account
from ringback.accounts.selectors import account_row_check
from ringback.accounts.services import account_lock
from ringback.contacts.choices import (
    ContactStatus,
    EmailLabel,
    PhoneLabel,
    SuppressionReason,
    TextConsentSource,
    TextsStoppedHow,
    Warmth,
)
from ringback.contacts.models import Address, Contact, Email, EmailSuppression, Phone, Promise, Tag
from ringback.contacts.selectors import TOUCHED_FIELDS, contact_duplicate, phone_texts_stopped_text
from ringback.core import clock
from ringback.core.errors import (
    DuplicateContact,
    InvalidDate,
    InvalidInput,
    InvalidPhone,
    NotFound,
    TextsStopped,
)
from ringback.core.phones import ParsedPhone, display_phone, parse_phone
from ringback.core.places import contact_place
from ringback.core.scheduling import check_zone


@dataclass(frozen=True, slots=True)
class PhoneInput:
    number: str
    label: str = PhoneLabel.MOBILE
    ok_at_work: bool = False
    #: How they agreed to texts on it (a :class:`TextConsentSource`), "" when they did not.
    text_consent: str = ""


#: The fields of a contact that other requests change while a page is open.
_LIVE_FIELDS = (
    "do_not_contact",
    "suppressed_until",
    "callback_requested_at",
    "last_touched_at",
    "last_called_at",
    "updated_at",
)


def contact_lock(*, contact: Contact) -> Contact:
    """Lock the contact's row until the transaction ends and re-read what others change.

    Every write that must happen once per contact (a touch, an enrollment, an appointment,
    do-not-contact) takes this lock first, so two at once run one after the other and the second
    sees what the first did. Lock order: the account, then the contact, then its enrollment.
    """
    contact.refresh_from_db(fields=_LIVE_FIELDS, from_queryset=Contact.objects.select_for_update())
    return contact


def _tags(account: Account, names: Iterable[str]) -> list[Tag]:
    wanted = sorted({n.strip() for n in names if n and n.strip()})
    existing = {t.name: t for t in Tag.objects.filter(account=account, name__in=wanted)}
    for name in wanted:
        if name not in existing:
            # get_or_create: a tag made by a request at the same moment is found, not made twice.
            existing[name], _ = Tag.objects.get_or_create(account=account, name=name)
    return [existing[n] for n in wanted]


def _check_choice(value: str, allowed: Sequence[str], *, what: str, field: str | None = None) -> None:
    """Refuse (:class:`InvalidInput`, about ``field``) a ``value`` that is not one of ``allowed``,
    naming them: ``warmth 'hot' is not one of stranger, met-once, …``."""
    if value not in allowed:
        raise InvalidInput(f"{what} {value!r} is not one of {', '.join(allowed)}", field=field)


@transaction.atomic
def contact_create(
    *,
    account: Account,
    first_name: str,
    last_name: str = "",
    company: str = "",
    title: str = "",
    phones: Sequence[PhoneInput] = (),
    emails: Sequence[str] = (),
    tags: Sequence[str] = (),
    notes: str = "",
    warmth: str = Warmth.MET_ONCE,
    status: str = ContactStatus.PROSPECT,
    birthday: tuple[int, int, int | None] | None = None,
    time_zone: str | None = None,
    strict_phones: bool = True,
) -> Contact:
    """Create a contact. Phones go to E.164 with the account's default region; the time zone,
    country and US state come from the first number that tells them, unless given.

    With ``strict_phones`` a number that does not parse raises :class:`InvalidPhone`; without,
    it is kept as written and flagged. A number or email address another contact already has
    raises :class:`DuplicateContact` (checked under a lock of the account, so two adds at once
    make one contact).
    """
    if not (first_name.strip() or last_name.strip() or company.strip()):
        raise InvalidInput("a contact needs a name or a company", field="first_name")
    _check_choice(warmth, Warmth.values, what="warmth", field="warmth")
    _check_choice(status, ContactStatus.values, what="status", field="status")
    parsed: list[tuple[PhoneInput, ParsedPhone]] = []
    for phone in phones:
        result = parse_phone(phone.number, account.default_region)
        if not result.valid and strict_phones:
            raise InvalidPhone(
                f"phone {phone.number!r} is not a number (default region {account.default_region})",
                field="phone",
            )
        _check_choice(phone.label, PhoneLabel.values, what="phone label", field="label")
        if phone.text_consent:
            _check_consent(phone.text_consent, phone.label, result.number)
        parsed.append((phone, result))
    if time_zone:
        time_zone = check_zone(time_zone, field="time_zone")
    addresses = list(dict.fromkeys(e.strip().lower() for e in emails if e and e.strip()))
    _refuse_duplicates(account, [p.number for _, p in parsed if p.valid], addresses)
    guessed_zone, country, subdivision = contact_place(
        [p for _, p in parsed],
        region=None,
        seller_region=account.default_region,
        seller_zone=account.time_zone,
    )
    now = clock.now()
    month, day, year = birthday if birthday else (None, None, None)
    contact = Contact.objects.create(
        account=account,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        company=company.strip(),
        title=title.strip(),
        warmth=warmth,
        status=status,
        notes=notes,
        birthday_month=month,
        birthday_day=day,
        birthday_year=year,
        time_zone=time_zone or guessed_zone,
        time_zone_set=bool(time_zone),
        country=country,
        subdivision=subdivision,
        created_at=now,
        updated_at=now,
    )
    Phone.objects.bulk_create(
        Phone(
            account=account,
            contact=contact,
            number=result.number,
            extension=result.extension,
            label=phone.label,
            ok_at_work=phone.ok_at_work,
            is_valid=result.valid,
            text_consent_at=now if phone.text_consent else None,
            text_consent_source=phone.text_consent,
        )
        for phone, result in parsed
    )
    Email.objects.bulk_create(
        Email(account=account, contact=contact, address=address) for address in addresses
    )
    if tags:
        contact.tags.set(_tags(account, tags))
    return contact


def _refuse_duplicates(account: Account, numbers: Sequence[str], addresses: Sequence[str]) -> None:

    if not numbers and not addresses:
        return
    account_lock(account=account)
    for number in numbers:
        twin = contact_duplicate(account=account, phone=number)
        if twin is not None:
            raise DuplicateContact(
                f"{twin.name} already has the number {number}", twin_id=twin.pk, field="phone"
            )
    for address in addresses:
        twin = contact_duplicate(account=account, email=address)
        if twin is not None:
            raise DuplicateContact(
                f"{twin.name} already has the address {address}", twin_id=twin.pk, field="email"
            )


def contact_tag(*, account: Account, contacts: Sequence[Contact], tags: Sequence[str]) -> None:
    """Add tags to contacts."""
    found = _tags(account, tags)
    for contact in contacts:
        account_row_check(account=account, row=contact, what="contact")
        contact.tags.add(*found)


def contacts_set_warmth(*, account: Account, contacts: Sequence[Contact], warmth: str) -> list[Contact]:
    """Give contacts a warmth (one of :class:`Warmth`, else InvalidInput on the ``warmth``
    field); returns those whose warmth changed. Any contact of another account raises NotFound
    before anything is written."""
    _check_choice(warmth, Warmth.values, what="warmth", field="warmth")
    for contact in contacts:
        account_row_check(account=account, row=contact, what="contact")
    changed = [c for c in contacts if c.warmth != warmth]
    now = clock.now()
    Contact.objects.filter(account=account, pk__in=[c.pk for c in changed]).update(
        warmth=warmth, updated_at=now
    )
    for contact in changed:
        contact.warmth, contact.updated_at = warmth, now
    return changed


def phone_mark_bad(*, phone: Phone, bad: bool = True) -> None:
    """Flag a number as wrong: it is never suggested again (``bad=False`` takes the flag back)."""
    Phone.objects.filter(pk=phone.pk).update(is_bad=bad)
    phone.is_bad = bad


def contact_restore(*, contact: Contact, saved: Mapping[str, object]) -> Contact:
    """Put back what a touch changed on the contact, from ``contact_snapshot`` (an undo)."""
    fields: dict[str, object] = {}
    for name in TOUCHED_FIELDS:
        field = Contact._meta.get_field(name)
        if name in saved and isinstance(field, models.Field):
            fields[name] = field.to_python(saved[name])
    fields["updated_at"] = clock.now()
    for key, value in fields.items():
        setattr(contact, key, value)
    Contact.objects.filter(pk=contact.pk).update(**fields)
    return contact


def promise_add(*, account: Account, contact: Contact, text: str, due_on: date | None = None) -> Promise:
    """Note something you said you would send or do ("the article on X")."""
    account_row_check(account=account, row=contact, what="contact")
    if not text.strip():
        raise InvalidInput("say what you promised", field="text")
    if due_on is not None:
        clock.check_day(due_on, what="the promise's due date", field="due_on")
    return Promise.objects.create(
        account=account, contact=contact, text=text.strip(), due_on=due_on, created_at=clock.now()
    )


def promise_keep(*, account: Account, promise: Promise) -> Promise:
    """Mark a promise kept (the state only: ``ringback.activities.services.promise_kept_log``
    also logs it on the timeline, once, and is what the pages and commands call)."""
    account_row_check(account=account, row=promise, what="promise")
    if promise.kept_at is None:
        promise.kept_at = clock.now()
        promise.save(update_fields=["kept_at"])
    return promise


def promise_reopen(*, account: Account, promise_id: int) -> None:
    """Mark the account's promise ``promise_id`` open again (its keeping was undone)."""
    Promise.objects.filter(pk=promise_id, account=account).update(kept_at=None)


# --- editing a contact (web) -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PhoneChange:
    """One number in an edit: an existing one (``id``) changed or removed, or a new one."""

    id: int | None
    number: str
    label: str = PhoneLabel.MOBILE
    ok_at_work: bool = False
    bad: bool = False
    remove: bool = False


@dataclass(frozen=True, slots=True)
class EmailChange:
    """One email address in an edit: an existing one (``id``) changed or removed, or a new one."""

    id: int | None
    address: str
    label: str = EmailLabel.HOME
    remove: bool = False


@dataclass(frozen=True, slots=True)
class AddressInput:
    """A postal address; all parts blank means "no address"."""

    street: str = ""
    city: str = ""
    region: str = ""
    postal_code: str = ""
    country: str = ""
    label: str = ""

    @property
    def blank(self) -> bool:
        return not any(
            p.strip() for p in (self.street, self.city, self.region, self.postal_code, self.country)
        )

    def check(self) -> None:
        """Raise :class:`InvalidInput` naming the part of the address that is too long to keep."""
        for part, limit in ADDRESS_LIMITS.items():
            value = getattr(self, part).strip()
            if len(value) > limit:
                words = part.replace("_", " ")
                raise InvalidInput(
                    f"the {words} is longer than {limit:,} characters ({len(value):,})", field=part
                )


#: The longest each part of a postal address may be (the columns' sizes; a street is text).
ADDRESS_LIMITS = {"street": 1000, "city": 100, "region": 100, "postal_code": 20, "country": 100, "label": 20}


def check_email(address: str) -> str:
    """The address, trimmed and lower-cased, or :class:`InvalidInput` saying what is wrong."""

    value = address.strip().lower()
    try:
        validate_email(value)
    except ValidationError:
        raise InvalidInput(f"{address.strip()!r} is not an email address") from None
    return value


def check_birthday(month: int, day: int, year: int | None) -> tuple[int, int, int | None]:
    """A birthday that exists (29 February is fine without a year), or :class:`InvalidDate`."""
    try:
        date(year or 2000, month, day)
    except (TypeError, ValueError):
        shown = f"{year:04d}-{month:02d}-{day:02d}" if year else f"--{month:02d}-{day:02d}"
        raise InvalidDate(f"birthday {shown} is not a date") from None
    if year is not None and not clock.EARLIEST_DAY.year <= year <= clock.now().year:
        raise InvalidDate(f"birthday year {year} is not a year someone was born in")
    return month, day, year


def _check_phone_change(account: Account, change: PhoneChange, existing: Phone | None) -> ParsedPhone | None:
    """The parsed number of a new or re-typed phone (``None`` when kept as it was)."""
    _check_choice(change.label, PhoneLabel.values, what="phone label")
    if change.remove:
        return None
    if existing is not None and change.number.strip() in (existing.number, ""):
        return None
    parsed = parse_phone(change.number, account.default_region)
    if not parsed.valid:
        raise InvalidPhone(
            f"phone {change.number.strip()!r} is not a number (default region {account.default_region})"
        )
    return parsed


@dataclass(frozen=True, slots=True)
class _PhoneEdit:
    """A checked change to one of a contact's numbers, ready to write."""

    change: PhoneChange
    #: The number changed or removed; ``None`` for a new one.
    existing: Phone | None
    #: The number as typed, parsed; ``None`` when it is removed or kept as it was.
    parsed: ParsedPhone | None

    def write(self, *, account: Account, contact: Contact) -> None:
        """Remove, add or change the number."""
        change, existing, parsed = self.change, self.existing, self.parsed
        if change.remove:
            if existing is not None:
                existing.delete()
            return
        if existing is None:
            assert parsed is not None
            Phone.objects.create(
                account=account,
                contact=contact,
                number=parsed.number,
                extension=parsed.extension,
                label=change.label,
                ok_at_work=change.ok_at_work,
                is_valid=True,
                is_bad=change.bad,
            )
            return
        existing.label, existing.ok_at_work, existing.is_bad = change.label, change.ok_at_work, change.bad
        if parsed is not None:
            if parsed.number != existing.number:
                # Consent and a stop were given for the old number: the new one has neither.
                for name, value in _NO_TEXT_CONSENT.items():
                    setattr(existing, name, value)
            existing.number, existing.extension, existing.is_valid = parsed.number, parsed.extension, True
        existing.save()


@dataclass(frozen=True, slots=True)
class _EmailEdit:
    """A checked change to one of a contact's email addresses, ready to write."""

    change: EmailChange
    #: The address as typed, checked; ``None`` when it is removed.
    address: str | None

    def write(self, *, account: Account, contact: Contact) -> None:
        """Add, remove or change the address."""
        change = self.change
        if change.id is None:
            assert self.address is not None
            Email.objects.create(account=account, contact=contact, address=self.address, label=change.label)
        elif change.remove:
            Email.objects.filter(pk=change.id, contact=contact).delete()
        else:
            Email.objects.filter(pk=change.id, contact=contact).update(
                address=self.address, label=change.label
            )


def _edited_names(
    contact: Contact, *, first_name: str | None, last_name: str | None, company: str | None
) -> dict[str, str]:
    """The contact's names after an edit: those given, trimmed, and the others as they are;
    :class:`InvalidInput` when that leaves neither a name nor a company."""
    given = {"first_name": first_name, "last_name": last_name, "company": company}
    names = {key: getattr(contact, key) if value is None else value.strip() for key, value in given.items()}
    if not any(names.values()):
        raise InvalidInput("a contact needs a name or a company")
    return names


def _edited_details(
    *,
    title: str | None,
    warmth: str | None,
    status: str | None,
    notes: str | None,
    time_zone: str | None,
    birthday: tuple[int, int, int | None] | None,
    clear_birthday: bool,
) -> dict[str, object]:
    """The other fields an edit sets (those not ``None``; the birthday also when cleared), checked
    in this order: warmth, status, time zone, birthday."""
    if warmth is not None:
        _check_choice(warmth, Warmth.values, what="warmth", field="warmth")
    if status is not None:
        _check_choice(status, ContactStatus.values, what="status", field="status")
    given = {
        "title": None if title is None else title.strip(),
        "warmth": warmth,
        "status": status,
        "notes": notes,
        "time_zone": None if time_zone is None else check_zone(time_zone),
    }
    fields: dict[str, object] = {key: value for key, value in given.items() if value is not None}
    if birthday is not None or clear_birthday:
        month, day, year = (None, None, None) if birthday is None else check_birthday(*birthday)
        fields.update(birthday_month=month, birthday_day=day, birthday_year=year)
    return fields


def _phone_edits(account: Account, contact: Contact, changes: Iterable[PhoneChange]) -> list[_PhoneEdit]:
    """The ``changes`` to the contact's numbers, checked in order; a new row left blank is
    dropped. An id that is not one of the contact's numbers (the page is stale) is refused."""
    current = {p.pk: p for p in contact.phones.all()}
    edits = []
    for change in changes:
        existing = None
        if change.id is not None:
            existing = current.get(change.id)
            if existing is None:
                raise InvalidInput("that phone number is not one of this contact's (reload the page)")
        elif not change.number.strip():
            continue
        edits.append(_PhoneEdit(change, existing, _check_phone_change(account, change, existing)))
    return edits


def _email_edits(contact: Contact, changes: Iterable[EmailChange]) -> list[_EmailEdit]:
    """The ``changes`` to the contact's email addresses, checked in order (an address removed is
    not); a new row left blank, or ticked to be removed, is dropped. An id that is not one of the
    contact's addresses (the page is stale) is refused."""
    current = {e.pk for e in contact.emails.all()}
    edits = []
    for change in changes:
        if change.id is not None and change.id not in current:
            raise InvalidInput("that email address is not one of this contact's (reload the page)")
        if change.id is None and (change.remove or not change.address.strip()):
            continue
        _check_choice(change.label, EmailLabel.values, what="email label")
        edits.append(_EmailEdit(change, None if change.remove else check_email(change.address)))
    return edits


def _first_working_place(account: Account, contact: Contact) -> dict[str, object]:
    """The country and state of the contact's first working number (the oldest neither kept as
    written nor flagged wrong), which the calling-hour rules go by; nothing without one."""
    located = next(
        (
            parse_phone(p.number, account.default_region)
            for p in Phone.objects.filter(contact=contact).order_by("id")
            if p.is_valid and not p.is_bad
        ),
        None,
    )
    if located is None or not located.valid:
        return {}
    return {"country": located.region or account.default_region, "subdivision": located.subdivision or ""}


@transaction.atomic
def contact_update(
    *,
    account: Account,
    contact: Contact,
    first_name: str | None = None,
    last_name: str | None = None,
    company: str | None = None,
    title: str | None = None,
    warmth: str | None = None,
    status: str | None = None,
    notes: str | None = None,
    birthday: tuple[int, int, int | None] | None = None,
    clear_birthday: bool = False,
    time_zone: str | None = None,
    phones: Sequence[PhoneChange] | None = None,
    emails: Sequence[EmailChange] | None = None,
    address: AddressInput | None = None,
    tags: Sequence[str] | None = None,
) -> Contact:
    """Change a contact's details; what is left ``None`` stays as it is.

    Everything is checked before anything is written, so a bad value (a number that is not a
    number, an unknown time zone) changes nothing. ``phones`` and ``emails`` list changes to the
    existing rows by id (re-typed, relabelled, flagged bad, removed) and new rows without an id.
    ``tags`` replaces the contact's tags; ``clear_birthday`` forgets the birthday. The country and state used for calling-hour rules
    follow the first working number when the numbers change. A ``time_zone`` other than the
    contact's marks it as set by the seller: the only zone they are called in.
    """
    account_row_check(account=account, row=contact, what="contact")
    fields: dict[str, object] = {
        **_edited_names(contact, first_name=first_name, last_name=last_name, company=company),
        **_edited_details(
            title=title,
            warmth=warmth,
            status=status,
            notes=notes,
            time_zone=time_zone,
            birthday=birthday,
            clear_birthday=clear_birthday,
        ),
    }
    if fields.get("time_zone", contact.time_zone) != contact.time_zone:
        fields["time_zone_set"] = True  # the seller chose a zone: it is their only zone from now on
    phone_edits = _phone_edits(account, contact, phones or ())
    email_edits = _email_edits(contact, emails or ())
    if address is not None:
        address.check()

    # Everything is valid: write.
    for phone_edit in phone_edits:
        phone_edit.write(account=account, contact=contact)
    if phone_edits:
        fields.update(_first_working_place(account, contact))
    for email_edit in email_edits:
        email_edit.write(account=account, contact=contact)
    if address is not None:
        address_set(account=account, contact=contact, address=address)
    if tags is not None:
        contact.tags.set(_tags(account, tags))

    fields["updated_at"] = clock.now()
    for key, new in fields.items():
        setattr(contact, key, new)
    contact.save(update_fields=list(fields))
    return contact


def phone_add(
    *,
    account: Account,
    contact: Contact,
    number: str,
    label: str = PhoneLabel.MOBILE,
    ok_at_work: bool = False,
) -> Phone:
    """Give a contact another number (it must parse)."""
    account_row_check(account=account, row=contact, what="contact")
    parsed = _check_phone_change(account, PhoneChange(None, number, label, ok_at_work), None)
    assert parsed is not None
    return Phone.objects.create(
        account=account,
        contact=contact,
        number=parsed.number,
        extension=parsed.extension,
        label=label,
        ok_at_work=ok_at_work,
    )


def email_add(*, account: Account, contact: Contact, address: str, label: str = EmailLabel.HOME) -> Email:
    """Give a contact another email address."""
    account_row_check(account=account, row=contact, what="contact")
    _check_choice(label, EmailLabel.values, what="email label")
    return Email.objects.create(account=account, contact=contact, address=check_email(address), label=label)


def address_set(*, account: Account, contact: Contact, address: AddressInput) -> Address | None:
    """Set the contact's postal address (the first one); all parts blank removes it. A part too
    long to keep is refused (:class:`InvalidInput` naming it) and nothing is changed."""
    address.check()
    account_row_check(account=account, row=contact, what="contact")
    current = Address.objects.filter(contact=contact).order_by("id").first()
    if address.blank:
        if current is not None:
            current.delete()
        return None
    values = {
        "label": address.label.strip(),
        "street": address.street.strip(),
        "city": address.city.strip(),
        "region": address.region.strip(),
        "postal_code": address.postal_code.strip(),
        "country": address.country.strip(),
    }
    if current is None:
        return Address.objects.create(account=account, contact=contact, **values)
    for key, value in values.items():
        setattr(current, key, value)
    current.save()
    return current


def contact_touched(
    *,
    contact: Contact,
    at: datetime,
    touched: bool = True,
    called: bool = False,
    wants_callback: bool | None = None,
    suppressed_until: datetime | None = None,
    do_not_contact: bool = False,
) -> Contact:
    """Record on the contact what a touch at ``at`` changed; the one door for these fields.

    ``touched``/``called``: the last touch and the last call move to ``at`` if it is later.
    ``wants_callback``: True when they asked to be called back (the first request's time is
    kept), False when that was answered. ``suppressed_until``: rest until then (not
    interested). ``do_not_contact``: never again. Writes only what changes.
    """
    fields: dict[str, object] = {}
    if touched and (contact.last_touched_at is None or at > contact.last_touched_at):
        fields["last_touched_at"] = at
    if called and (contact.last_called_at is None or at > contact.last_called_at):
        fields["last_called_at"] = at
    if wants_callback is True:
        fields["callback_requested_at"] = contact.callback_requested_at or at
    elif wants_callback is False and contact.callback_requested_at is not None:
        fields["callback_requested_at"] = None
    if suppressed_until is not None:
        fields["suppressed_until"] = suppressed_until
    if do_not_contact:
        fields["do_not_contact"] = True
    if fields:
        fields["updated_at"] = clock.now()
        for key, value in fields.items():
            setattr(contact, key, value)
        Contact.objects.filter(pk=contact.pk).update(**fields)
    return contact


# --- texts: consent and stop, per number --------------------------------------------------------

#: A number's consent and stop as a number never texted has them.
_NO_TEXT_CONSENT: dict[str, object] = {
    "text_consent_at": None,
    "text_consent_source": "",
    "text_consent_note": "",
    "texts_stopped_at": None,
    "texts_stopped_how": "",
    "texts_stopped_by": "",
}
_NOT_STOPPED: dict[str, object] = {"texts_stopped_at": None, "texts_stopped_how": "", "texts_stopped_by": ""}

#: The longest note kept with a consent, and with a stop made by hand.
CONSENT_NOTE_MAX = 500
STOP_NOTE_MAX = 200


def _check_consent(source: str, label: str, number: str) -> None:
    """Refuse a consent source that is none of :class:`TextConsentSource` (field ``how``), and
    consent on a number that is not a mobile (texts go to mobiles only)."""
    _check_choice(source, TextConsentSource.values, what="how they agreed to texts", field="how")
    if label != PhoneLabel.MOBILE:
        raise InvalidInput(
            f"{display_phone(number)} is a {PhoneLabel(label).label.lower()} number: texts go to mobile "
            "numbers only (mark it mobile first)",
            field="phone",
        )


def _number_lock(*, account: Account, number: str) -> list[Phone]:
    """Every row of ``number`` in the account (the same person's number on two contacts), locked
    until the transaction ends, in id order (two writers of one number never deadlock)."""
    return list(Phone.objects.select_for_update().filter(account=account, number=number).order_by("pk"))


def _locked_row(*, account: Account, contact: Contact, phone: Phone) -> tuple[Phone, list[Phone]]:
    """``phone`` read afresh under the lock of its number's rows, and those rows; NotFound when
    it is not the contact's (or was removed meanwhile)."""
    account_row_check(account=account, row=phone, what="number")
    rows = _number_lock(account=account, number=phone.number)
    current = next((r for r in rows if r.pk == phone.pk and r.contact_id == contact.pk), None)
    if current is None:
        raise NotFound("no such number")
    return current, rows


@transaction.atomic
def phone_text_consent(
    *,
    account: Account,
    contact: Contact,
    phone: Phone,
    how: str,
    note: str = "",
    at: datetime | None = None,
    resume: bool = False,
) -> Phone:
    """Record that the owner of the contact's mobile ``phone`` agreed to texts: when (``at``,
    now by default) and ``how`` (one of :class:`TextConsentSource`), with an optional ``note``.
    From then on text steps go to the number. Returns the number, saved.

    Consent belongs to the number: every contact of the account with that number gets it.
    A number whose texts were stopped (a STOP reply, or by hand) raises :class:`TextsStopped`
    and changes nothing, unless ``resume``: they opted back in, and the stop is lifted. So a
    consent recorded at the moment a STOP is logged never undoes the STOP: under the number's
    lock one comes after the other, and either the consent is refused or the STOP follows it.
    A number that is not a mobile, a ``how`` that is none of the sources, a note over
    :data:`CONSENT_NOTE_MAX` characters or a time in the future raise and change nothing.
    """
    account_row_check(account=account, row=contact, what="contact")
    now = clock.now()
    when = clock.check_instant(at, what="the time they agreed", field="at") if at is not None else now
    if when > now:
        raise InvalidDate(f"the time they agreed, {when:%Y-%m-%d %H:%M} UTC, is in the future", field="at")
    note = " ".join(note.split())
    if len(note) > CONSENT_NOTE_MAX:
        raise InvalidInput(f"the note is longer than {CONSENT_NOTE_MAX} characters", field="note")
    contact_lock(contact=contact)
    current, rows = _locked_row(account=account, contact=contact, phone=phone)
    _check_consent(how, current.label, current.number)
    stopped = next((r for r in rows if r.texts_stopped_at is not None), None)
    if stopped is not None and not resume:
        why = phone_texts_stopped_text(phone=stopped, zone_name=account.time_zone)
        raise TextsStopped(
            f"{display_phone(current.number)}: {why[0].lower()}{why[1:]}. Record consent again only if "
            "they asked to get texts again (opted back in)",
            field="resume",
        )
    fields: dict[str, object] = {
        "text_consent_at": when,
        "text_consent_source": how,
        "text_consent_note": note,
        **(_NOT_STOPPED if resume else {}),
    }
    Phone.objects.filter(pk__in=[r.pk for r in rows]).update(**fields)
    for name, value in fields.items():
        setattr(current, name, value)
    return current


@transaction.atomic
def phone_texts_stop(
    *,
    account: Account,
    contact: Contact,
    phones: Sequence[Phone],
    how: str,
    words: str = "",
    at: datetime | None = None,
) -> list[int]:
    """Stop texts to the contact's ``phones`` from ``at`` (now by default), on every playbook:
    no text step goes to them, no Text link offers them, until they opt back in (see
    :func:`phone_text_consent`). ``how`` is :attr:`TextsStoppedHow.REPLY` with their ``words``
    ("STOP"), or :attr:`TextsStoppedHow.BY_HAND` with the seller's reason (at most
    :data:`STOP_NOTE_MAX` characters).

    A stop belongs to the number: every contact of the account with it stops. A number already
    stopped keeps its first stop. Returns the ids of the rows stopped now (what
    :func:`phone_texts_restore` takes back).
    """
    account_row_check(account=account, row=contact, what="contact")
    _check_choice(how, TextsStoppedHow.values, what="how texts stopped", field="how")
    words = " ".join(words.split())
    if len(words) > STOP_NOTE_MAX:
        raise InvalidInput(f"the reason is longer than {STOP_NOTE_MAX} characters", field="note")
    when = clock.check_instant(at, what="the stop", field="at") if at is not None else clock.now()
    contact_lock(contact=contact)
    changed: list[int] = []
    for phone in sorted(phones, key=lambda p: p.pk):
        _, rows = _locked_row(account=account, contact=contact, phone=phone)
        fresh = [r.pk for r in rows if r.texts_stopped_at is None]
        Phone.objects.filter(pk__in=fresh).update(
            texts_stopped_at=when, texts_stopped_how=how, texts_stopped_by=words
        )
        changed += fresh
    return changed


def phone_texts_restore(*, account: Account, ids: Sequence[int]) -> None:
    """Take back a stop (an undo): texts to the rows ``ids`` of the account are no longer stopped."""
    Phone.objects.filter(account=account, pk__in=list(ids)).update(**_NOT_STOPPED)


def email_suppress(
    *, account: Account, address: str, reason: str, detail: str = "", contact: Contact | None = None
) -> tuple[EmailSuppression, bool]:
    """Send no more email to ``address`` (unsubscribed, or bounced): the suppression, and whether
    this call made it. Once per address: a second unsubscribe (a double click, a mail client that
    posts twice) finds the first and changes nothing."""
    _check_choice(reason, SuppressionReason.values, what="suppression reason")
    lowered = address.strip().lower()
    existing = EmailSuppression.objects.filter(account=account, address=lowered).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            made = EmailSuppression.objects.create(
                account=account,
                address=lowered,
                reason=reason,
                detail=detail[:500],
                contact=contact,
                at=clock.now(),
            )
    except IntegrityError:
        return EmailSuppression.objects.get(account=account, address=lowered), False
    return made, True


def email_bounce_clear(*, account: Account, address: str) -> bool:
    """Write to a bounced address again (the seller fixed it, or the mailbox is back); an
    unsubscribe is never lifted here. Whether there was a bounce to clear."""
    deleted, _ = EmailSuppression.objects.filter(
        account=account, address=address.strip().lower(), reason=SuppressionReason.BOUNCED
    ).delete()
    return deleted > 0
