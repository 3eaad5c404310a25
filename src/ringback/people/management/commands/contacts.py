from typing import Any

from django.core.management.base import CommandParser
from rich.console import Console
from rich.table import Table

from ringback.accounts.commands import AccountCommand
from ringback.accounts.models import Account
from ringback.contacts.choices import PhoneLabel, Warmth
from ringback.contacts.selectors import contacts_matching
from ringback.contacts.services import PhoneInput, contact_create, contacts_set_warmth
from ringback.core.errors import InvalidInput
from ringback.interface.commands import iso_utc
from ringback.playbooks.selectors import enrollments_running_for


class Command(AccountCommand):
    help = "List contacts (--tag, --search, --warmth), add one, or set warmth: contacts warmth W --tag T."
    reads = True

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("action", nargs="?", default="list", choices=["list", "add", "warmth"])
        parser.add_argument(
            "name",
            nargs="?",
            help="add: the name (the last word is the last name); warmth: the warmth to give "
            f"({', '.join(Warmth.values)})",
        )
        parser.add_argument("--warmth", choices=Warmth.values, help="list: only contacts this warm")
        parser.add_argument("--tag", help="list: only contacts with this tag; add: give this tag")
        parser.add_argument("--search", help="part of a name, company or email (accents and case ignored)")
        parser.add_argument("--limit", type=int, default=200, help="at most this many (default 200)")
        parser.add_argument("--phone", help="add: their number")
        parser.add_argument(
            "--label", default=PhoneLabel.MOBILE, choices=PhoneLabel.values, help="add: the kind of number"
        )
        parser.add_argument("--email", help="add: their email address")
        parser.add_argument("--company", default="", help="add: their company")

    def handle(self, *args: Any, **options: Any) -> None:
        account = self.account(options)
        if options["action"] == "add":
            self._add(account, options)
            return
        if options["action"] == "warmth":
            self._warmth(account, options)
            return
        if options["name"]:
            raise InvalidInput(f"contacts list takes no name; to find {options['name']!r} use --search")
        contacts = list(
            contacts_matching(
                account=account,
                tag=options["tag"] or "",
                search=options["search"] or "",
                warmth=options["warmth"] or "",
            ).prefetch_related("phones", "emails", "tags")[: options["limit"]]
        )
        running = enrollments_running_for(contacts=contacts)
        data: list[dict[str, Any]] = []
        for c in contacts:
            e = running.get(c.pk)
            data.append(
                {
                    "id": c.pk,
                    "name": c.name,
                    "company": c.company,
                    "warmth": c.warmth,
                    "status": c.status,
                    "phones": [
                        {
                            "number": p.number,
                            "label": p.label,
                            "ok_at_work": p.ok_at_work,
                            "bad": p.is_bad,
                            "valid": p.is_valid,
                        }
                        for p in c.phones.all()
                    ],
                    "emails": [e.address for e in c.emails.all()],
                    "tags": [t.name for t in c.tags.all()],
                    "time_zone": c.time_zone,
                    "do_not_contact": c.do_not_contact,
                    "suppressed_until": iso_utc(c.suppressed_until) if c.suppressed_until else None,
                    "playbook": e.version.playbook.name if e else None,
                    "enrollment_status": e.status if e else None,
                    "next_due": iso_utc(e.due_start) if e and e.due_start else None,
                }
            )

        def render(console: Console) -> None:
            if not data:
                console.print("No contacts yet. Import some: ringback import contacts.csv")
                return
            table = Table(title=f"{len(data)} contacts")
            for column in ("id", "name", "phone", "email", "tags", "playbook", "next due (UTC)"):
                table.add_column(column, overflow="fold")
            for row in data:
                table.add_row(
                    str(row["id"]),
                    row["name"],
                    ", ".join(p["number"] for p in row["phones"]),
                    ", ".join(row["emails"]),
                    ", ".join(row["tags"]),
                    row["playbook"] or ("do not contact" if row["do_not_contact"] else ""),
                    (row["next_due"] or "")[:16].replace("T", " "),
                )
            console.print(table)

        self.emit(options, data, render)

    def _warmth(self, account: Account, options: dict[str, Any]) -> None:
        """Give every contact with ``--tag`` (and matching ``--search``) the warmth named."""
        warmth = options["name"]
        if not warmth:
            raise InvalidInput(
                f"contacts warmth needs the warmth: one of {', '.join(Warmth.values)}", field="warmth"
            )
        if not (options["tag"] or options["search"]):
            raise InvalidInput("contacts warmth needs --tag or --search to say whose warmth to set")
        contacts = list(
            contacts_matching(account=account, tag=options["tag"] or "", search=options["search"] or "")
        )
        if not contacts:
            raise InvalidInput("no contact matches; nothing was changed")
        changed = contacts_set_warmth(account=account, contacts=contacts, warmth=warmth)
        data = {
            "warmth": warmth,
            "matched": len(contacts),
            "changed": [{"id": c.pk, "name": c.name} for c in changed],
        }
        self.emit(
            options,
            data,
            lambda c: c.print(
                f"{len(changed)} of {len(contacts)} contact{'s' if len(contacts) != 1 else ''} "
                f"now {warmth} (the others were already)."
                if len(changed) != len(contacts)
                else f"{len(changed)} contact{'s' if len(changed) != 1 else ''} now {warmth}."
            ),
        )

    def _add(self, account: Account, options: dict[str, Any]) -> None:
        """Add one contact, with the same rules as the web form (one contact per number)."""
        name = (options["name"] or "").strip()
        if not name and not options["company"].strip():
            raise InvalidInput("contacts add needs a name (or --company)")
        first, _, last = name.rpartition(" ") if " " in name else (name, "", "")
        contact = contact_create(
            account=account,
            first_name=first,
            last_name=last,
            company=options["company"],
            phones=[PhoneInput(options["phone"], options["label"])] if options["phone"] else [],
            emails=[options["email"]] if options["email"] else [],
            tags=[options["tag"]] if options["tag"] else [],
        )
        data = {
            "id": contact.pk,
            "name": contact.name,
            "phones": [p.number for p in contact.phones.all()],
            "emails": [e.address for e in contact.emails.all()],
            "time_zone": contact.time_zone,
        }
        self.emit(options, data, lambda c: c.print(f"Added {contact.name} (id {contact.pk})."))
