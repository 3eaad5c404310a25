from typing import Any

from django.core.management.base import CommandParser
from rich.console import Console

from ringback.accounts.commands import AccountCommand
from ringback.contacts.choices import ContactStatus, Warmth
from ringback.contacts.models import Contact
from ringback.contacts.selectors import contact_find
from ringback.contacts.services import contact_update
from ringback.core.errors import InvalidDate
from ringback.core.interchange.values import parse_birthday
from ringback.core.playbook import playbook_for_warmth
from ringback.interface.commands import iso_utc
from ringback.people.forms import birthday_typed
from ringback.playbooks.selectors import enrollments_running_for

#: The options that change the contact, with the service's argument each one sets.
EDITS = ("warmth", "status", "title", "company", "notes", "time_zone")


class Command(AccountCommand):
    help = "Show one contact, or change it: contact REF --warmth customer (also --status, --notes...)."
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

    def handle(self, *args: Any, **options: Any) -> None:
        account = self.account(options)
        contact = contact_find(account=account, reference=options["contact"])
        changes: dict[str, Any] = {key: options[key] for key in EDITS if options[key] is not None}
        if options["birthday"] is not None:
            changes["birthday"] = _birthday(options["birthday"])
        if options["no_birthday"]:
            changes["clear_birthday"] = True
        if changes:
            contact = contact_update(account=account, contact=contact, **changes)
        data = _shown(contact)

        def render(console: Console) -> None:
            if changes:
                console.print(f"Saved {contact.name}.")
            console.print(
                f"{data['name']} (id {data['id']})" + (f", {data['company']}" if data["company"] else "")
            )
            console.print(
                f"  warmth {data['warmth']}, {data['status']}; suggested playbook {data['suggested_playbook']}"
            )
            for phone in data["phones"]:
                console.print(
                    f"  {phone['label']}: {phone['number']}" + (" (wrong number)" if phone["bad"] else "")
                )
            for address in data["emails"]:
                console.print(f"  email: {address}")
            if data["birthday"]:
                console.print(f"  birthday: {data['birthday']}")
            console.print(f"  time zone: {data['time_zone']}")
            if data["playbook"]:
                console.print(f"  in {data['playbook']}, next due {data['next_due'] or '-'} (UTC)")
            if data["notes"]:
                console.print(f"  notes: {data['notes']}")

        self.emit(options, data, render)


def _birthday(text: str) -> tuple[int, int, int | None] | None:
    """The birthday typed after ``--birthday``, checked by the service; InvalidDate if unreadable."""
    birthday = parse_birthday(text, any_year=True)
    if birthday is None:
        raise InvalidDate(
            f"birthday {text!r} is not a date (e.g. 1985-04-12, April 12, or --04-12 without a year)",
            field="birthday",
        )
    return birthday.month, birthday.day, birthday.year


def _shown(contact: Contact) -> dict[str, Any]:
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
            {"number": p.number, "label": p.label, "ok_at_work": p.ok_at_work, "bad": p.is_bad}
            for p in contact.phones.all()
        ],
        "emails": [e.address for e in contact.emails.all()],
        "tags": [t.name for t in contact.tags.all()],
        "birthday": birthday_typed(contact),
        "time_zone": contact.time_zone,
        "notes": contact.notes,
        "do_not_contact": contact.do_not_contact,
        "playbook": enrollment.version.playbook.name if enrollment else None,
        "next_due": iso_utc(enrollment.due_start) if enrollment and enrollment.due_start else None,
    }
