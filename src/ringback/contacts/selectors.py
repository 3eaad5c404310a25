"""Reads about contacts, always scoped to one account."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.db import connection
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.db.models.functions import Lower

from ringback.accounts.models import Account
from ringback.contacts.choices import ImportStatus, TextConsentSource, TextsStoppedHow
from ringback.contacts.models import Contact, Email, EmailSuppression, ImportRun, Phone, Promise, Tag
from ringback.contacts.search_index import CONTACT, EMAIL, MIN_TERM, PHONE, fts_phrase
from ringback.core.errors import ContactAmbiguous, ContactNotFound, InvalidInput, NotFound
from ringback.core.folding import fold
from ringback.core.phones import PhoneChoice, PhoneLabel, parse_phone
from ringback.core.places import address_place, country_code, state_name, zone_label
from ringback.core.scheduling import Recipient, zone


def contacts_for_account(*, account: Account) -> QuerySet[Contact]:
    """Every contact of the account."""
    return Contact.objects.filter(account=account)


def contacts_matching(
    *,
    account: Account,
    search: str = "",
    tag: str = "",
    status: str = "",
    warmth: str = "",
    never_called: bool = False,
    among: QuerySet[Any] | None = None,
) -> QuerySet[Contact]:
    """The account's contacts matching every filter given, in name order (no joins that repeat
    rows): ``search`` (every word in the name, company, an email or a number), a ``tag``, a
    ``status``, a ``warmth``, never called, and ``among`` (a query of contact ids an app above
    narrows the list to, e.g. those running a playbook)."""
    qs = contacts_for_account(account=account)
    few = tag or among is not None or (search and not search_is_common(search))
    if few and connection.vendor == "sqlite":
        # SQLite would walk the name index to avoid sorting and test every contact until it has
        # a page: right when most contacts match, slow when few do. For a tag, a playbook or a
        # rare search word (a short list of ids) reading the matches and sorting them costs the
        # matches, not the whole book.
        qs = Contact.objects.alias(in_account=F("account_id") + 0).filter(in_account=account.pk)
    if search:
        qs = contacts_search(qs, account=account, text=search)
    if tag:
        qs = qs.filter(
            pk__in=Contact.tags.through.objects.filter(tag__account=account, tag__name=tag).values(
                "contact_id"
            )
        )
    if status:
        qs = qs.filter(status=status)
    if warmth:
        qs = qs.filter(warmth=warmth)
    if among is not None:
        qs = qs.filter(pk__in=among)
    if never_called:
        qs = qs.filter(last_called_at__isnull=True)
    return qs.order_by("last_name", "first_name", "id")


def _describe(contact: Contact) -> str:
    phones = [p.number for p in contact.phones.all()][:1]
    return f"#{contact.pk} {contact.name}" + (f" ({phones[0]})" if phones else "")


def contact_find(*, account: Account, reference: str) -> Contact:
    """The one contact named by id, email, phone or a unique part of the name or company;
    accents and case are ignored ("jose" names José Pérez, "JOSÉ" names Jose Perez).

    A whole name wins over a longer one that contains it, and among people whose names differ
    only by accents or case the one spelled exactly as given wins. An unknown reference raises
    :class:`ContactNotFound`; one that matches several people raises :class:`ContactAmbiguous`
    listing them.
    """
    ref = reference.strip()
    if not ref:
        raise ContactNotFound("an empty contact reference names nobody")
    base = contacts_for_account(account=account).prefetch_related("phones")
    text = ref[1:] if ref.startswith("#") else ref
    if text.isdigit() and len(text) < 10:
        found = base.filter(pk=int(text)).first()
        if found is not None:
            return found
    matches: Sequence[Contact]
    folded = fold(ref)
    if "@" in ref:
        matches = list(base.filter(emails__address__iexact=ref).distinct()) or list(
            base.filter(emails__search_text=folded).distinct()
        )
    else:
        matches = []
        parsed = parse_phone(ref, account.default_region)
        if parsed.valid and sum(c.isdigit() for c in ref) >= 7:
            matches = list(base.filter(phones__number=parsed.e164).distinct())
        if not matches and folded:
            exact = _spelled_as(list(base.filter(search_name=folded)), ref)
            matches = exact or list(
                base.filter(Q(search_name__contains=folded) | Q(search_company__contains=folded)).order_by(
                    "last_name", "first_name", "id"
                )[:50]
            )
    if not matches:
        raise ContactNotFound(
            f"no contact matches {reference!r} (give an id, email, phone or part of the name)"
        )
    if len(matches) > 1:
        raise ContactAmbiguous(reference, [_describe(c) for c in matches])
    return matches[0]


def _spelled_as(contacts: list[Contact], reference: str) -> list[Contact]:
    """Of ``contacts`` (whose names fold as ``reference`` does), the one whose name is spelled as
    ``reference`` (case aside) when there are several and exactly one is; else all of them."""
    if len(contacts) < 2:
        return contacts
    wanted = " ".join(reference.casefold().split())
    spelled = [c for c in contacts if " ".join(f"{c.first_name} {c.last_name}".casefold().split()) == wanted]
    return spelled if len(spelled) == 1 else contacts


def contact_phone_choices(*, contact: Contact) -> list[PhoneChoice]:
    """The contact's numbers as the agenda weighs them (uses prefetched phones when present)."""
    return [
        PhoneChoice(
            id=p.pk,
            number=p.number,
            label=PhoneLabel(p.label),
            ok_at_work=p.ok_at_work,
            bad=p.is_bad or not p.is_valid,
            texts=p.text_consent_at is not None and p.texts_stopped_at is None,
        )
        for p in contact.phones.all()
    ]


def contact_zone_name(*, contact: Contact, account: Account) -> str:
    """The time zone a contact's times are in (days counted, times shown): their own if known,
    else the seller's. The other zone they may be in is in :func:`contact_recipient`."""
    return contact.time_zone or account.time_zone


def contact_zone(*, contact: Contact, account: Account) -> ZoneInfo:
    """:func:`contact_zone_name` as a zone to convert times with."""
    return zone(contact_zone_name(contact=contact, account=account))


@dataclass(frozen=True, slots=True)
class AddressPlace:
    """Where a contact's postal address is: its zone, country and state, and its city."""

    zone: str
    country: str
    subdivision: str | None
    city: str


def contact_address_place(*, contact: Contact, account: Account) -> AddressPlace | None:
    """Where the contact's (first) postal address puts them, or ``None`` when it has no state or
    province the zone table knows (uses prefetched addresses when present)."""
    address = next(iter(contact.addresses.all()), None)
    if address is None or not address.region.strip():
        return None
    country = country_code(address.country, default=contact.country or account.default_region)
    found = address_place(country, address.region) if country else None
    if country is None or found is None:
        return None
    return AddressPlace(found[0], country, found[1], address.city.strip())


def contact_recipient(*, contact: Contact, account: Account) -> Recipient:
    """What scheduling needs to know about the contact: their zone, place and birthday, and the
    other zone and place they may be in.

    The zone and place are the contact's own (from their number, or as the seller set them).
    When their postal address is in another zone, that zone is added (calls then fall inside the
    hours of both), unless the seller set the contact's zone: a zone set by hand is the only
    zone. When the address is in another state or country, its rules and holidays apply too.
    Uses prefetched phones and addresses when present.
    """
    birthday = (
        (contact.birthday_month, contact.birthday_day)
        if contact.birthday_month and contact.birthday_day
        else None
    )
    usable = sum(1 for p in contact.phones.all() if p.is_valid and not p.is_bad)
    own_zone = contact_zone_name(contact=contact, account=account)
    country = contact.country or account.default_region
    subdivision = contact.subdivision or None
    also_zones: tuple[str, ...] = ()
    also_places: tuple[tuple[str | None, str | None], ...] = ()
    where = contact_address_place(contact=contact, account=account)
    if where is not None:
        if where.zone != own_zone and not contact.time_zone_set:
            also_zones = (where.zone,)
        if (where.country, where.subdivision) != (country, subdivision):
            also_places = ((where.country, where.subdivision),)
    return Recipient(
        zone=own_zone,
        country=country,
        subdivision=subdivision,
        birthday=birthday,
        numbers=usable,
        also_zones=also_zones,
        also_places=also_places,
    )


def contact_whereabouts(*, contact: Contact, account: Account) -> str:
    """Why a contact has more than one place, for a card: "address in Orlando, number from
    Illinois"; "" when the address tells no other zone or state than the number."""
    where = contact_address_place(contact=contact, account=account)
    if where is None:
        return ""
    country = contact.country or account.default_region
    if (where.zone, where.country, where.subdivision) == (
        contact_zone_name(contact=contact, account=account),
        country,
        contact.subdivision or None,
    ):
        return ""
    address = where.city or (state_name(where.country, where.subdivision) if where.subdivision else "")
    if contact.time_zone_set:
        number = "zone set by you"
    elif contact.subdivision:
        number = f"number from {state_name(country, contact.subdivision)}"
    else:
        number = f"number in {zone_label(contact_zone_name(contact=contact, account=account))} time"
    return f"address in {address}, {number}" if address else number


#: At most this many words of a search are used (each must match).
SEARCH_TERMS = 4

#: A search word with at least this many matches is common (see :func:`search_is_common`).
COMMON_MATCHES = 500


_PHONE_CHARS = frozenset("0123456789+()-./ ")


def _fts_ids(*, names: str = "", numbers: str = "") -> RawSQL:
    """Ids of contacts whose folded name, company or an email holds ``names``, or a number holds
    the digits ``numbers``, from SQLite's FTS5 trigram tables."""
    parts, params = [], []
    if names:
        parts.append(f"SELECT rowid FROM {CONTACT.fts} WHERE {CONTACT.fts} MATCH %s")
        parts.append(
            f"SELECT contact_id FROM {EMAIL.table} WHERE id IN "
            f"(SELECT rowid FROM {EMAIL.fts} WHERE {EMAIL.fts} MATCH %s)"
        )
        params += [fts_phrase(names)] * 2
    if numbers:
        parts.append(
            f"SELECT contact_id FROM {PHONE.table} WHERE id IN "
            f"(SELECT rowid FROM {PHONE.fts} WHERE {PHONE.fts} MATCH %s)"
        )
        params.append(fts_phrase(numbers))
    return RawSQL(" UNION ".join(parts), params)


def _term_ids(term: str, *, digits: str) -> RawSQL | QuerySet[Any]:
    """Ids of the contacts a search word finds: ``term`` (folded; empty for none) in their folded
    name, company or an email address, or ``digits`` in a number. One query of ids, read through
    the trigram index: FTS5 on SQLite, ``pg_trgm`` on PostgreSQL (each branch of the UNION uses its
    index; an OR of subqueries would read every contact)."""
    if (
        connection.vendor == "sqlite"
        and (not term or len(term) >= MIN_TERM)
        and (not digits or len(digits) >= MIN_TERM)
    ):
        return _fts_ids(names=term, numbers=digits)
    # No account filter in here: the caller's query keeps only the account's contacts, and an
    # account condition would tempt PostgreSQL to read the account's rows instead of the index.
    parts: list[QuerySet[Any]] = []
    if term:
        named = Q(search_name__contains=term) | Q(search_company__contains=term)
        parts.append(Contact.objects.filter(named).order_by().values("id"))
        parts.append(Email.objects.filter(search_text__contains=term).order_by().values("contact_id"))
    if digits:
        parts.append(Phone.objects.filter(number__contains=digits).order_by().values("contact_id"))
    return parts[0].union(*parts[1:]) if len(parts) > 1 else parts[0]


def _search_terms(text: str) -> tuple[str, list[tuple[str, str]]]:
    """How a search is read: ``("number", [("", digits)])`` for a whole phone number, else
    ``("words", [(folded word, digits or "")…])`` — digits when the word looks like part of a
    number. A word that folds to nothing (a lone accent) and has no digits is left out."""
    digits = "".join(c for c in text if c.isdigit())
    if len(digits) >= 7 and set(text) <= _PHONE_CHARS:
        return "number", [("", digits)]
    terms = []
    for term in text.split()[:SEARCH_TERMS]:
        digits = "".join(c for c in term if c.isdigit())
        by_number = len(digits) >= 3 and len(digits) >= len(term.strip("+()-. ")) - 2
        folded = fold(term)
        if folded or by_number:
            terms.append((folded, digits if by_number else ""))
    return "words", terms


def search_is_common(text: str) -> bool:
    """Whether every word of the search matches at least :data:`COMMON_MATCHES` names, emails or
    numbers (SQLite; one cheap query reading at most that many index entries per word)."""
    kind, terms = _search_terms(text)
    if connection.vendor != "sqlite" or kind == "number" or not terms:
        return False
    if any(len(term) < MIN_TERM for term, _ in terms):
        return True  # a word this short is tested on every row either way: stop after a page
    counts, params = [], []
    for term, digits in terms:
        tables = [(CONTACT, term), (EMAIL, term)] + ([(PHONE, digits)] if digits else [])
        counts.append(
            " + ".join(
                f"(SELECT count(*) FROM (SELECT 1 FROM {t.fts} WHERE {t.fts} MATCH %s LIMIT {COMMON_MATCHES}))"
                for t, _ in tables
            )
        )
        params += [fts_phrase(value) for _, value in tables]
    least = counts[0] if len(counts) == 1 else f"min({', '.join(counts)})"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {least}", params)
        row = cursor.fetchone()
    return bool(row and row[0] >= COMMON_MATCHES)


def contacts_search(qs: QuerySet[Contact], *, account: Account, text: str) -> QuerySet[Contact]:
    """Every word must appear in the name, company, an email address or (digits) a number,
    whatever the accents and case on either side ("nunez" finds Núñez, "JOSÉ" finds jose).

    Text that looks like a whole phone number ("020 7946 0000") finds that number.
    """
    kind, terms = _search_terms(text)
    if kind == "number":
        digits = terms[0][1]
        match = Q(pk__in=_term_ids("", digits=digits))
        parsed = parse_phone(text, account.default_region)
        if parsed.valid:
            exact = Phone.objects.filter(account=account, number=parsed.e164).values("contact_id")
            match |= Q(pk__in=exact)
        return qs.filter(match)
    for term, digits in terms:
        qs = qs.filter(pk__in=_term_ids(term, digits=digits))
    return qs


def contact_tags(*, account: Account) -> list[str]:
    """The names of the account's tags."""
    return list(Tag.objects.filter(account=account).order_by("name").values_list("name", flat=True))


def contacts_by_ids(*, account: Account, ids: Sequence[int]) -> list[Contact]:
    """The account's contacts among ``ids`` (others' ids are ignored), with their numbers."""
    return list(
        contacts_for_account(account=account)
        .filter(pk__in=list(ids))
        .prefetch_related("phones")
        .order_by("last_name", "first_name", "id")
    )


def contact_get(*, account: Account, pk: int, details: bool = False) -> Contact:
    """The account's contact ``pk`` with its numbers (and, with ``details``, everything the contact
    page shows); :class:`ContactNotFound` if the account has none, whoever else might."""
    rows = (
        contact_with_details(account=account)
        if details
        else contacts_for_account(account=account).prefetch_related("phones")
    )
    contact = rows.filter(pk=pk).first()
    if contact is None:
        raise ContactNotFound("no such contact")
    return contact


def promise_get(*, account: Account, contact: Contact, pk: int) -> Promise:
    """The contact's promise ``pk``; :class:`NotFound` for another contact's or account's."""
    promise = Promise.objects.filter(account=account, contact=contact, pk=pk).first()
    if promise is None:
        raise NotFound("no such promise")
    return promise


def phone_get(*, account: Account, contact: Contact, pk: int) -> Phone:
    """The contact's number ``pk``; :class:`NotFound` for another contact's or account's."""
    phone = Phone.objects.filter(account=account, contact=contact, pk=pk).first()
    if phone is None:
        raise NotFound("no such number")
    return phone


def phone_find(*, account: Account, contact: Contact, number: str, field: str = "phone") -> Phone:
    """The contact's number written ``number`` (any way it is typed, read with the account's
    region); :class:`InvalidInput` naming their numbers when it is none of them."""
    wanted = parse_phone(number, account.default_region).number
    phones = list(Phone.objects.filter(account=account, contact=contact).order_by("pk"))
    found = next((p for p in phones if p.number == wanted), None)
    if found is None:
        known = ", ".join(p.number for p in phones) or "none"
        raise InvalidInput(
            f"{number.strip()!r} is not one of {contact.name}'s numbers ({known})", field=field
        )
    return found


def phone_texts_stopped_text(*, phone: Phone, zone_name: str) -> str:
    """Why texts to ``phone`` stopped, in words: 'Texts stopped on 5 Mar 2026 (they replied
    "STOP")' or '... (you stopped them: moved abroad)'; "" when they were not stopped."""
    if phone.texts_stopped_at is None:
        return ""
    day = phone.texts_stopped_at.astimezone(zone(zone_name))
    if phone.texts_stopped_how == TextsStoppedHow.REPLY:
        why = f"they replied “{phone.texts_stopped_by}”" if phone.texts_stopped_by else "they replied"
    else:
        why = "you stopped them" + (f": {phone.texts_stopped_by}" if phone.texts_stopped_by else "")
    return f"Texts stopped on {day:%a} {day.day} {day:%b %Y} ({why})"


def phone_text_status(*, phone: Phone, zone_name: str) -> str:
    """What may be texted to ``phone``, in words, as the contact page and ``ringback contact``
    say it: the stop (see :func:`phone_texts_stopped_text`), 'Texts OK: told me in person on
    3 Mar 2026', or 'No consent to texts yet'; "" for a number that is not a mobile and has
    neither consent nor a stop."""
    stopped = phone_texts_stopped_text(phone=phone, zone_name=zone_name)
    if stopped:
        return stopped
    if phone.text_consent_at is not None:
        day = phone.text_consent_at.astimezone(zone(zone_name))
        how = TextConsentSource(phone.text_consent_source).label
        return f"Texts OK: {how} on {day:%a} {day.day} {day:%b %Y}"
    if phone.label == PhoneLabel.MOBILE:
        return "No consent to texts yet"
    return ""


def contact_with_details(*, account: Account) -> QuerySet[Contact]:
    """The account's contacts with what the contact page shows prefetched."""
    return contacts_for_account(account=account).prefetch_related(
        "phones", "emails", "addresses", "tags", "promises"
    )


def contact_promises(*, contact: Contact) -> list[Promise]:
    """Open promises first (soonest due first), then kept ones (latest first); uses prefetch."""
    promises = list(contact.promises.all())
    open_ = sorted(
        (p for p in promises if p.kept_at is None), key=lambda p: (p.due_on is None, p.due_on, p.pk)
    )
    kept = sorted(
        (p for p in promises if p.kept_at is not None), key=lambda p: (p.kept_at, p.pk), reverse=True
    )
    return open_ + kept


def contact_duplicate(*, account: Account, phone: str = "", email: str = "") -> Contact | None:
    """A contact of the account that already has this number (E.164) or email address."""
    match = Q()
    if phone:
        match |= Q(pk__in=Phone.objects.filter(account=account, number=phone).values("contact_id"))
    if email:
        match |= Q(pk__in=Email.objects.filter(account=account, address=email.lower()).values("contact_id"))
    if not match:
        return None
    return contacts_for_account(account=account).filter(match).order_by("id").first()


# --- import reports ---------------------------------------------------------------------------


def import_runs(*, account: Account) -> QuerySet[ImportRun]:
    """The account's import reports, newest first."""
    return ImportRun.objects.filter(account=account).order_by("-started_at", "-id")


def import_run_get(*, account: Account, pk: int) -> ImportRun:
    """One of the account's import reports; another account's number is not found."""
    run = import_runs(account=account).filter(pk=pk).first()
    if run is None:
        raise InvalidInput(f"there is no import report #{pk} (list them with: ringback imports)")
    return run


def import_run_for_upload(*, account: Account, upload: str) -> ImportRun | None:
    """The report of the import (not the preview) of the account's uploaded file with this token,
    newest first; ``None`` if it was never imported."""
    return (
        import_runs(account=account)
        .filter(upload=upload)
        .exclude(status=ImportStatus.DRY_RUN)
        .order_by("-id")
        .first()
    )


#: The contact fields a touch may change (see ``contacts.services.contact_touched``).
TOUCHED_FIELDS = (
    "last_touched_at",
    "last_called_at",
    "callback_requested_at",
    "suppressed_until",
    "do_not_contact",
)


def contact_snapshot(*, contact: Contact) -> dict[str, object]:
    """The fields a touch may change, as JSON values: what ``contact_restore`` puts back."""
    out: dict[str, object] = {}
    for name in TOUCHED_FIELDS:
        value = getattr(contact, name)
        out[name] = value.isoformat() if hasattr(value, "isoformat") else value
    return out


def emails_sendable() -> QuerySet[Email]:
    """Email addresses that may be written to: not unsubscribed, not bounced (no
    :class:`EmailSuppression` of their account for the address, compared without case). Filter it
    further, e.g. by contact (``OuterRef`` works)."""
    suppressed = EmailSuppression.objects.filter(account_id=OuterRef("account_id"), address=OuterRef("lower"))
    return Email.objects.annotate(lower=Lower("address")).exclude(Exists(suppressed))


def email_suppression(*, account: Account, address: str) -> EmailSuppression | None:
    """Why the account sends no email to ``address`` (None: it may)."""
    return EmailSuppression.objects.filter(account=account, address=address.strip().lower()).first()


def contact_email_to(*, account: Account, contact: Contact) -> tuple[str, str]:
    """The address an email to ``contact`` goes to (their first one that may be written to) and,
    when there is none, why: "" and "no email address", or "" and "unsubscribed on ..."."""
    addresses = list(Email.objects.filter(contact=contact).order_by("pk").values_list("address", flat=True))
    if not addresses:
        return "", "no email address"
    stopped = {
        s.address: s
        for s in EmailSuppression.objects.filter(account=account, address__in=[a.lower() for a in addresses])
    }
    for address in addresses:
        if address.lower() not in stopped:
            return address, ""
    first = stopped[addresses[0].lower()]
    return "", f"{first.address} {first.get_reason_display()} on {first.at:%Y-%m-%d}"
