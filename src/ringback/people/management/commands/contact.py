from typing import Any

from django.core.management.base import CommandParser
from django.db import transaction
from rich.console import Console

from ringback.accounts.commands import AccountCommand
from ringback.accounts.models import Account
from ringback.activities.services import contact_text_consent, contact_texts_stop, promise_kept_log
from ringback.contacts.choices import ContactStatus, TextConsentSource, Warmth
from ringback.contacts.models import Contact
from ringback.contacts.selectors import (
    contact_find,
    contact_get,
    contact_promises,
    phone_find,
    phone_text_status,
)
from ringback.contacts.services import AddressInput, contact_update, promise_add
from ringback.core.errors import InvalidDate, InvalidInput
from ringback.core.interchange.values import parse_birthday
from ringback.core.playbook import playbook_for_warmth
from ringback.interface.commands import iso_utc, parse_day
from ringback.people.forms import birthday_typed
from ringback.playbooks.selectors import enrollments_running_for

#: The options that change the contact, with the service's argument each one sets.
EDITS = ("warmth", "status", "title", "company", "notes", "time_zone")


class Command(AccountCommand):
    help = "Show one contact, or change it: contact REF --warmth customer (also --notes, --text-consent...)."
    reads = True

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("contact", help="id, email, phone or part of the name")
        parser.add_argument("--warmth", choices=Warmth.values, help="how well they know you")
        parser.add_argument("--status", choices=ContactStatus.values, help="prospect, customer, host...")
        parser.add_argument("--title", help="their job title")
        parser.add_argument("--company", help="their company")
        parser.add_argument("--notes", help="the notes (replaces them)")
        parser.add_argument("--time-zone", dest="time_zone", help="their IANA time zone, e.g. America/Denver")
        parser.add_argument("--birthday", help="1980-04-12, or 04-12 without a year")
        parser.add_argument("--no-birthday", action="store_true", help="forget the birthday")
        parser.add_argument("--street", help="postal address: the street (with --city etc.)")
        parser.add_argument("--city", help="postal address: the city")
        parser.add_argument("--region", help="postal address: the state or region, e.g. IL")
        parser.add_argument(
            "--postal-code", dest="postal_code", help="postal address: the ZIP or postal code"
        )
        parser.add_argument("--country", help="postal address: the country (leave out for your own)")
        parser.add_argument("--no-address", action="store_true", help="forget the postal address")
        parser.add_argument(
            "--text-consent",
            dest="text_consent",
            metavar="NUMBER",
            help="record that they agreed to texts on this mobile number (say --how)",
        )
        parser.add_argument(
            "--how", choices=TextConsentSource.values, help="how they agreed to texts (with --text-consent)"
        )
        parser.add_argument(
            "--consent-note", dest="consent_note", help="a note kept with their consent to texts"
        )
        parser.add_argument(
            "--resume-texts",
            action="store_true",
            help="with --text-consent: they asked to get texts again after texts were stopped",
        )
        parser.add_argument(
            "--promise", metavar="TEXT", help='note something you promised them ("the article on X")'
        )
        parser.add_argument(
            "--promise-due",
            dest="promise_due",
            metavar="YYYY-MM-DD",
            help="with --promise: the day it is due (it comes on the agenda then)",
        )
        parser.add_argument(
            "--keep-promise",
            dest="keep_promise",
            type=int,
            metavar="ID",
            help="mark promise ID kept (logged on their timeline; the ids are in the output)",
        )
        parser.add_argument(
            "--stop-texts",
            dest="stop_texts",
            metavar="NUMBER",
            help="stop texts to this number, on every playbook",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        account = self.account(options)
        contact = contact_find(account=account, reference=options["contact"])
        changes = _changes(options, contact)
        with transaction.atomic():  # all the changes asked, or none
            if changes:
                contact = contact_update(account=account, contact=contact, **changes)
            texts = _texts(account, contact, options)
            texts += _promises(account, contact, options)
        if texts:
            contact = contact_get(account=account, pk=contact.pk)
        data = _shown(contact, account)

        said = ([f"Saved {contact.name}."] if changes else []) + texts
        self.emit(options, data, lambda console: _render(console, data, said))


def _render(console: Console, data: dict[str, Any], said: list[str]) -> None:
    """The contact as the command prints it, after what was done (``said``)."""
    for line in said:
        console.print(line)
    console.print(f"{data['name']} (id {data['id']})" + (f", {data['company']}" if data["company"] else ""))
    console.print(
        f"  warmth {data['warmth']}, {data['status']}; suggested playbook {data['suggested_playbook']}"
    )
    for phone in data["phones"]:
        console.print(_phone_line(phone))
    for address in data["emails"]:
        console.print(f"  email: {address}")
    if data["address"]:
        console.print(f"  address: {data['address']}")
    if data["birthday"]:
        console.print(f"  birthday: {data['birthday']}")
    console.print(f"  time zone: {data['time_zone']}")
    if data["playbook"]:
        console.print(f"  in {data['playbook']}, next due {data['next_due'] or '-'} (UTC)")
    if data["notes"]:
        console.print(f"  notes: {data['notes']}")
    for promise in data["promises"]:
        console.print(_promise_line(promise))


#: The options that change the postal address, each a part of it.
ADDRESS_PARTS = ("street", "city", "region", "postal_code", "country")


def _changes(options: dict[str, Any], contact: Contact) -> dict[str, Any]:
    """The contact's fields the options change, as ``contact_update`` takes them."""
    changes: dict[str, Any] = {key: options[key] for key in EDITS if options[key] is not None}
    if options["birthday"] is not None:
        changes["birthday"] = _birthday(options["birthday"])
    if options["no_birthday"]:
        changes["clear_birthday"] = True
    given = {part: options[part] for part in ADDRESS_PARTS if options[part] is not None}
    if options["no_address"] and given:
        raise InvalidInput("--no-address forgets the address: give it alone", field="address")
    if options["no_address"]:
        changes["address"] = AddressInput()
    elif given:  # the parts not given stay as they are
        current = contact.addresses.first()
        kept = {part: getattr(current, part) for part in ADDRESS_PARTS} if current else {}
        changes["address"] = AddressInput(**{**kept, **given})
    return changes


def _phone_line(phone: dict[str, Any]) -> str:
    """``  mobile: +12125550123; Texts OK: told me in person on Mon 23 Nov 2026 (at the fair)``."""
    line = f"  {phone['label']}: {phone['number']}" + (" (wrong number)" if phone["bad"] else "")
    if phone["texts"]:
        line += f"; {phone['texts']}"
    if phone["text_consent_note"] and not phone["texts_stopped_at"]:
        line += f" ({phone['text_consent_note']})"
    return line


def _birthday(text: str) -> tuple[int, int, int | None] | None:
    """The birthday typed after ``--birthday``, checked by the service; InvalidDate if unreadable."""
    birthday = parse_birthday(text, any_year=True)
    if birthday is None:
        raise InvalidDate(
            f"birthday {text!r} is not a date (e.g. 1985-04-12, April 12, or --04-12 without a year)",
            field="birthday",
        )
    return birthday.month, birthday.day, birthday.year


def _texts(account: Account, contact: Contact, options: dict[str, Any]) -> list[str]:
    """Record consent to texts and stop texts as ``--text-consent``, ``--stop-texts`` ask; what
    was done, a line each. The options that go with ``--text-consent`` alone are refused."""
    done: list[str] = []
    number = options["text_consent"]
    if number is None:
        extra = [o for o in ("how", "consent_note") if options[o] is not None] + (
            ["resume_texts"] if options["resume_texts"] else []
        )
        if extra:
            name = "--" + extra[0].replace("_", "-")
            raise InvalidInput(f"{name} goes with --text-consent NUMBER", field="text_consent")
    else:
        if options["how"] is None:
            choices = ", ".join(TextConsentSource.values)
            raise InvalidInput(f"say how they agreed to texts: --how {choices}", field="how")
        phone = phone_find(account=account, contact=contact, number=number, field="text_consent")
        saved = contact_text_consent(
            account=account,
            contact=contact,
            phone=phone,
            how=options["how"],
            note=options["consent_note"] or "",
            resume=options["resume_texts"],
        )
        done.append(f"Texts may go to {saved.number}: {TextConsentSource(saved.text_consent_source).label}.")
    if options["stop_texts"] is not None:
        phone = phone_find(account=account, contact=contact, number=options["stop_texts"], field="stop_texts")
        stopped = contact_texts_stop(account=account, contact=contact, phone=phone)
        done.append(
            f"Texts to {phone.number} are stopped, on every playbook."
            if stopped
            else f"Texts to {phone.number} were already stopped."
        )
    return done


def _promises(account: Account, contact: Contact, options: dict[str, Any]) -> list[str]:
    """Note a promise and mark one kept as ``--promise`` and ``--keep-promise`` ask; what was
    done, a line each."""
    done: list[str] = []
    due = options["promise_due"]
    if options["promise"] is None and due is not None:
        raise InvalidInput("--promise-due goes with --promise TEXT", field="promise_due")
    if options["promise"] is not None:
        day = parse_day(due, what="--promise-due") if due is not None else None
        promise = promise_add(account=account, contact=contact, text=options["promise"], due_on=day)
        when = f", due {promise.due_on:%a %d %b %Y}" if promise.due_on else ""
        done.append(f"Promise {promise.pk} noted: {promise.text}{when}.")
    if options["keep_promise"] is not None:
        promise_kept_log(account=account, contact=contact, promise_id=options["keep_promise"])
        done.append(f"Promise {options['keep_promise']} kept, logged on {contact.name}'s timeline.")
    return done


def _promise_line(promise: dict[str, Any]) -> str:
    """``  promise 12: the article on X, due Fri 04 Dec 2026 (kept)``."""
    due = f", due {promise['due_on']}" if promise["due_on"] else ""
    return f"  promise {promise['id']}: {promise['text']}{due}" + (" (kept)" if promise["kept_at"] else "")


def _shown(contact: Contact, account: Account) -> dict[str, Any]:
    """What the command prints about a contact (the JSON of ``--json``)."""
    enrollment = enrollments_running_for(contacts=[contact]).get(contact.pk)
    return {
        "id": contact.pk,
        "name": contact.name,
        "company": contact.company,
        "title": contact.title,
        "warmth": contact.warmth,
        "status": contact.status,
        "suggested_playbook": playbook_for_warmth(contact.warmth),
        "phones": [
            {
                "number": p.number,
                "label": p.label,
                "ok_at_work": p.ok_at_work,
                "bad": p.is_bad,
                "may_text": p.may_text,
                "texts": phone_text_status(phone=p, zone_name=account.time_zone),
                "text_consent_at": iso_utc(p.text_consent_at) if p.text_consent_at else None,
                "text_consent_source": p.text_consent_source or None,
                "text_consent_note": p.text_consent_note,
                "texts_stopped_at": iso_utc(p.texts_stopped_at) if p.texts_stopped_at else None,
                "texts_stopped_by": p.texts_stopped_by,
            }
            for p in contact.phones.all()
        ],
        "emails": [e.address for e in contact.emails.all()],
        "tags": [t.name for t in contact.tags.all()],
        "address": str(contact.addresses.first() or "") or None,
        "birthday": birthday_typed(contact),
        "time_zone": contact.time_zone,
        "notes": contact.notes,
        "do_not_contact": contact.do_not_contact,
        "playbook": enrollment.version.playbook.name if enrollment else None,
        "next_due": iso_utc(enrollment.due_start) if enrollment and enrollment.due_start else None,
        "promises": [
            {
                "id": p.pk,
                "text": p.text,
                "due_on": p.due_on.isoformat() if p.due_on else None,
                "kept_at": iso_utc(p.kept_at) if p.kept_at else None,
            }
            for p in contact_promises(contact=contact)
        ],
    }
