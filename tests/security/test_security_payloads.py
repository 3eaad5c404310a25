"""The payload corpus run through every field a seller can write, on the web and the command line.

Every payload of :mod:`security_payloads` goes through every writable field, the way a browser
(or a crafted request) sends it: the contact forms (add, edit, numbers, emails, address, tags),
notes, promises, appointment notes, do-not-contact notes, bulk tags, the "Connected…" follow-up
and note of a Today card, the settings profile (fed into scripts as values), a playbook's YAML
(title, description, step purpose, script text) and the cells and name of an imported file. The
pages that show the value must answer 200 and hold it HTML-escaped, never raw; a template
payload (``{{7*7}}``) in a name is shown as typed in the agenda's script, never evaluated; CSV
exports neutralise formulas and vCard exports keep line breaks inside their property; the
``ringback`` command prints values literally (no rich markup, no terminal escapes). A NUL byte
is refused with a message everywhere, and so is text longer than a field's limit; nothing
answers 500.

:func:`test_every_writable_field_is_covered` lists the text fields of every form of the project,
every text option of every ``ringback`` subcommand and every field of an imported card: a new
one must be added to the sweep (or to the exemptions, saying why) for the suite to pass.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pytest
import vobject
from django import forms as django_forms
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import get_commands, load_command_class
from django.db import transaction
from django.test import Client
from django.urls import reverse
from security_payloads import KEPT, REFUSED, SCRIPT_LINK, TERMINAL_CONTROLS, Payload, playbook_yaml, raw_in
from security_world import make_account, signed_in

from ringback.accounts.models import ApiToken
from ringback.activities.models import Appointment
from ringback.activities.services import appointment_book
from ringback.contacts.models import Contact, Phone, Promise
from ringback.contacts.services import CONSENT_NOTE_MAX, PhoneInput, contact_create
from ringback.core.interchange.records import Card, CardAddress, CardEmail, CardPhone
from ringback.hooks.models import Webhook
from ringback.playbooks.models import Enrollment
from ringback.playbooks.services import enrollment_start, playbook_duplicate

# --- what is covered ------------------------------------------------------------------------------

#: Every text field of every form, as ``Form.field``, and how the sweep writes it.
FORM_FIELDS: dict[str, str] = {
    "ContactAddForm.first_name": "contacts:add",
    "ContactAddForm.last_name": "contacts:add",
    "ContactAddForm.company": "contacts:add",
    "ContactAddForm.tags": "contacts:add",
    "ContactAddForm.phone": "contacts:add (checked: refused with the value named)",
    "ContactAddForm.email": "contacts:add (checked: refused with the value named)",
    "ContactEditForm.first_name": "contacts:edit",
    "ContactEditForm.last_name": "contacts:edit",
    "ContactEditForm.company": "contacts:edit",
    "ContactEditForm.title": "contacts:edit",
    "ContactEditForm.notes": "contacts:edit",
    "ContactEditForm.tags": "contacts:edit",
    "ContactEditForm.street": "contacts:edit",
    "ContactEditForm.city": "contacts:edit",
    "ContactEditForm.region": "contacts:edit",
    "ContactEditForm.postal_code": "contacts:edit (payloads up to its 20 characters)",
    "ContactEditForm.country": "contacts:edit",
    "ContactEditForm.birthday": "contacts:edit (checked: refused)",
    "ContactEditForm.time_zone": "contacts:edit (checked: refused)",
    "PhoneRowForm.number": "contacts:edit phone-new (checked: refused)",
    "EmailRowForm.address": "contacts:edit email-new (checked: refused)",
    "people.NoteForm.text": "contacts:note",
    "LogForm.note": "contacts:log",
    "PromiseForm.text": "contacts:promise_add",
    "PrintSettingsForm.offset_x": "post:settings (checked: refused, a number of millimetres)",
    "PrintSettingsForm.offset_y": "post:settings (checked: refused, a number of millimetres)",
    "TextConsentForm.note": "contacts:text_consent (how they agreed, on the texts card and timeline)",
    "AppointmentForm.note": "contacts:appointment",
    "AppointmentForm.starts_at": "contacts:appointment_preview (checked: refused)",
    "DoNotContactForm.note": "contacts:do_not_contact",
    "CancelAppointmentForm.note": "appointment_cancel (the note on the timeline)",
    "MoveAppointmentForm.starts_at": "appointment_move (checked: refused)",
    "BulkForm.tag": "contacts:bulk",
    "ContactFilterForm.q": "contacts:list ?q= (reflected in the search box)",
    "CardForm.step": "today_connected ?step= (reflected in the hidden fields)",
    "CardForm.phone": "today_connected ?phone= (reflected in the hidden fields)",
    "CardForm.due": "today_connected ?due= (checked: refused)",
    "OutcomeForm.step": "as CardForm",
    "OutcomeForm.phone": "as CardForm",
    "OutcomeForm.due": "as CardForm",
    "OutcomeForm.outcome": "today_log (checked: refused)",
    "ConnectedForm.step": "as CardForm",
    "ConnectedForm.phone": "as CardForm",
    "ConnectedForm.due": "as CardForm",
    "ConnectedForm.said": "today_connected",
    "ConnectedForm.promise": "today_connected",
    "ConnectedForm.book_note": "today_connected",
    "ConnectedForm.book_at": "today_connected (checked: refused)",
    "activities.NoteForm.text": "today_note",
    "SettingsForm.seller_name": "settings",
    "SettingsForm.business_name": "settings",
    "SettingsForm.postal_address": "settings",
    "SettingsForm.seller_phone": "settings (checked: refused)",
    "SettingsForm.time_zone_other": "settings (checked: refused)",
    "SettingsForm.default_region": "settings (checked: refused)",
    "SettingsForm.email_from": "settings (checked: refused, an email address)",
    "MailboxForm.host": "settings_mailbox (checked: refused, a server name)",
    "MailboxForm.username": "settings_mailbox, shown in the form and the mailbox's status line",
    "MailboxForm.folder": "settings_mailbox (checked: refused when a character can't be in a folder name)",
    "PlaybookSourceForm.source": "playbooks:edit (title, description, step purpose, script text)",
    "MessageForm.name": "checked: refused (lower-case letters, digits and dashes)",
    "MessageForm.title": "messaging:new, shown in the library and the editor",
    "MessageForm.subject": "messaging:new (an email's subject), shown filled in by the preview",
    "MessageForm.body": "messaging:new and messaging:preview (the words), shown filled in by the preview",
    "OfferForm.name": "checked: refused (lower-case letters, digits and dashes)",
    "OfferForm.title": "messaging:offer_new, shown in the library",
    "OfferForm.details": "messaging:offer_new, shown in the library",
    "DuplicateForm.new_name": "playbooks:duplicate (checked: refused)",
    "PreviewForm.contact": "playbooks:preview (checked: refused)",
    "PreviewForm.q": "playbooks:preview_contacts ?q= (reflected)",
    "LoginEmailForm.email": "settings_email (checked: refused)",
    "ApiTokenForm.name": "settings_token_create, shown in Settings' list of API tokens",
    "WebhookForm.url": "hooks:list (checked: refused unless http(s) to an address on the internet)",
    "WebhookForm.description": "hooks:list, shown on the Webhooks page",
    "FiltersForm.playbook": "insights:page ?playbook= (checked: refused unless one of the account's playbooks)",
    "SimulateForm.playbook": "insights:simulate ?playbook= (checked: refused unless one of the account's)",
}

#: Every text option of every ``ringback`` subcommand, and how the sweep writes it.
CLI_OPTIONS: dict[str, str] = {
    "account --name": "kept, shown by `ringback account`",
    "account --business": "kept, shown by `ringback account`",
    "account --address": "kept, shown by `ringback account`",
    "account --phone": "checked: refused",
    "account --time-zone": "checked: refused",
    "account --region": "checked: refused",
    "account --email-from": "checked: refused (an email address)",
    "outbox target": "send: a contact reference (no contact matches another account's); decide: an id "
    "(checked: refused); stop: an address, kept lower-case in the account's own list",
    "outbox decision": "checked: refused (sent, resend or drop)",
    "mailbox --host": "checked: refused (a server name)",
    "mailbox --username": "kept, shown by `ringback mailbox` (and in Settings)",
    "mailbox --password": "kept, never shown",
    "mailbox --folder": "checked: refused when a character can't be in a folder name",
    "worker --worker-id": "checked: refused past 64 characters; kept only in the task rows it runs",
    "insights --since": "checked: refused (a date)",
    "insights --until": "checked: refused (a date)",
    "insights --playbook": "checked: refused unless one of the account's playbooks",
    "simulate --policy": "checked: refused unless a policy or playbook the simulator knows",
    "simulate --playbook": "checked: refused unless one of the account's playbooks",
    "account --calling-hours": "checked: refused",
    "account --working-days": "checked: refused (tests/day)",
    "account --item-minutes": "checked: refused (tests/day)",
    "log contact": "a reference: refused (no contact matches)",
    "log outcome": "checked: refused",
    "log --note": "kept, shown on the contact page",
    "log --at": "checked: refused",
    "log --template": "kept (the touch's template name)",
    "log --phone": "checked: refused",
    "log --via": "checked: refused (tests/day)",
    "undo contact": "a reference: refused (no contact matches)",
    "contact contact": "a reference: refused (no contact matches)",
    "contact --title": "kept, shown by `ringback contact`",
    "contact --company": "kept, shown by `ringback contact`",
    "contact --notes": "kept, shown by `ringback contact`",
    "contact --time-zone": "checked: refused",
    "contact --birthday": "checked: refused",
    "contact --text-consent": "checked: refused (one of their mobile numbers)",
    "contact --stop-texts": "checked: refused (one of their numbers)",
    "contact --consent-note": "kept with their consent, shown by `ringback contact`",
    "contact --promise": "kept, shown by `ringback contact` and on the agenda",
    "contact --street": "kept, shown by `ringback contact` and printed on cards",
    "contact --city": "kept, shown by `ringback contact` and printed on cards",
    "contact --region": "kept, shown by `ringback contact` and printed on cards",
    "contact --postal-code": "checked: refused past 20 characters (else kept, as the web's)",
    "contact --country": "kept, shown by `ringback contact` and printed on cards",
    "contact --promise-due": "checked: refused",
    "appointment contact": "a reference: refused",
    "appointment --at": "checked: refused",
    "appointment --note": "kept, shown on the contact page",
    "createuser username": "kept as the new user's name",
    "password username": "a reference to a login: refused when no user has that name",
    "createuser --seller-name": "kept, shown by `ringback account`",
    "createuser --business": "kept, shown by `ringback account`",
    "createuser --time-zone": "checked: refused",
    "createuser --email": "checked: refused",
    "createuser --phone": "checked: refused",
    "createuser --region": "checked: refused",
    "contacts --tag": "a filter: refused or nothing found",
    "contacts name": "kept (contacts add), shown by `ringback contacts`",
    "contacts --company": "kept (contacts add), shown by `ringback contacts`",
    "contacts --phone": "checked: refused",
    "contacts --email": "checked: refused",
    "contacts --search": "a filter: nothing found",
    "export --tag": "a filter: refused",
    "export --search": "a filter: nothing found",
    "export --status": "checked: refused",
    "export --output": "a file path of the user's own choosing (not swept)",
    "export --format": "checked: refused",
    "import file": "a file path; its cells are swept",
    "import --map": "checked: refused",
    "enroll playbook": "a reference: refused",
    "enroll --contact": "a reference: refused",
    "enroll --tag": "a filter: refused",
    "playbooks target": "a name or file path; the YAML's text is swept",
    "agenda --date": "checked: refused",
    "mail --date": "checked: refused",
    "mail --output": "a file path of the user's own choosing (not swept)",
    "mail --format": "checked: refused",
    "mail --labels": "checked: refused",
    "mail --offset-x": "checked: refused",
    "mail --offset-y": "checked: refused",
    "pause --from": "checked: refused",
    "pause --to": "checked: refused",
    "serve --host": "an address (not swept)",
    "calendar --base-url": "checked: refused (tests/cli/test_cli_calendar.py)",
    "messages target": "a message's name (a reference: refused when unknown) or a file path of the user's own",
    "messages --file": "a file path of the user's own choosing; its words are checked as the web's",
    "messages --subject": "kept (an email's subject), checked as the web's",
    "messages --title": "kept, shown by `ringback messages`",
    "messages --contact": "a reference: refused (no contact matches)",
    "offers target": "an offer's name: checked, refused when unknown",
    "offers --title": "kept, shown by `ringback offers`",
    "offers --details": "kept, shown by `ringback offers`",
    "webhook target": "add: a URL (checked: refused unless http(s) to an address on the internet); "
    "the others: a webhook id (checked: refused)",
    "webhook --description": "kept, shown by `ringback webhook list` and on the Webhooks page",
    "token target": "create: the token's name, kept, shown by `ringback token`; revoke: an id (checked: refused)",
}

#: Every field of a card read from a contact file, and the Google CSV column the sweep fills.
IMPORT_FIELDS: dict[str, str] = {
    "first_name": "First Name",
    "middle_name": "Middle Name",
    "last_name": "Last Name",
    "company": "Organization Name",
    "title": "Organization Title",
    "notes": "Notes",
    "tags": "Labels",
    "birthday": "Birthday",
    "phones.value": "Phone 1 - Value",
    "phones.label": "Phone 1 - Label",
    "phones.extension": "Phone 1 - Value (an extension is written into the number)",
    "emails.address": "E-mail 1 - Value",
    "emails.label": "E-mail 1 - Label",
    "addresses.label": "Address 1 - Label",
    "addresses.street": "Address 1 - Street",
    "addresses.city": "Address 1 - City",
    "addresses.region": "Address 1 - Region",
    "addresses.postal_code": "Address 1 - Postal Code",
    "addresses.country": "Address 1 - Country",
    "warmth": "Warmth",
    # What the reader moved to the notes or left out, shown in the preview and the report: a
    # birthday that is no date, an email with no address, a warmth that is none.
    "notices": "Birthday (the second person's), E-mail 1 - Value (theirs), Warmth",
}

#: Form fields that are not text a person types: chosen from a list, ticked, or numbers.
_NOT_TEXT = (
    django_forms.ChoiceField,
    django_forms.BooleanField,
    django_forms.IntegerField,
    django_forms.FloatField,
    django_forms.DateField,
    django_forms.TimeField,
    django_forms.FileField,
)


def _ringback_forms() -> Iterator[type[django_forms.Form]]:
    import ringback.accounts.forms
    import ringback.activities.forms
    import ringback.hooks.forms
    import ringback.messaging.forms
    import ringback.people.forms
    import ringback.playbooks.forms
    import ringback.post.forms  # noqa: F401

    seen: set[type[django_forms.Form]] = set()
    todo: list[type[django_forms.Form]] = [django_forms.Form]
    while todo:
        cls = todo.pop()
        for sub in cls.__subclasses__():
            if sub not in seen:
                seen.add(sub)
                todo.append(sub)
                if sub.__module__.startswith("ringback."):
                    yield sub


def _form_key(form: type[django_forms.Form], name: str) -> str:
    if form.__name__ == "NoteForm":
        return f"{form.__module__.split('.')[1]}.NoteForm.{name}"
    return f"{form.__name__}.{name}"


def writable_form_fields() -> set[str]:
    """``Form.field`` for every field a person types text into (hidden and password fields aside)."""
    found = set()
    for form in _ringback_forms():
        for name, f in form.base_fields.items():
            if isinstance(f, _NOT_TEXT) or isinstance(
                f.widget, django_forms.HiddenInput | django_forms.PasswordInput
            ):
                continue
            found.add(_form_key(form, name))
    return found


def writable_cli_options() -> set[str]:
    """``command --option`` (or ``command argument``) for every option of a ringback subcommand
    that takes free text: not a flag, not a number, not a fixed choice."""
    found = set()
    for name, app in get_commands().items():
        if not app.startswith("ringback."):
            continue
        parser = load_command_class(app, name).create_parser("ringback", name)
        for action in parser._actions:
            if action.nargs == 0 or action.choices or action.type not in (None, str):
                continue
            if action.dest in ("help", "settings", "pythonpath", "traceback", "verbosity", "user"):
                continue
            if action.dest in ("no_color", "force_color", "skip_checks"):
                continue
            label = max(action.option_strings, key=len) if action.option_strings else action.dest
            found.add(f"{name} {label}")
    return found


def card_fields() -> set[str]:
    """Every field an imported card carries (the parts of numbers, emails and addresses too)."""
    parts: dict[str, type[CardPhone | CardEmail | CardAddress]] = {
        "phones": CardPhone,
        "emails": CardEmail,
        "addresses": CardAddress,
    }
    found = set()
    for name in Card._fields:
        if name == "row":
            continue
        if name in parts:
            found |= {f"{name}.{inner}" for inner in parts[name]._fields}
        else:
            found.add(name)
    return found


def test_every_writable_field_is_covered() -> None:
    forms_now = writable_form_fields()
    assert forms_now == set(FORM_FIELDS), (
        f"text fields no payload goes through: {sorted(forms_now - set(FORM_FIELDS))}; "
        f"fields the sweep lists that are gone: {sorted(set(FORM_FIELDS) - forms_now)}. "
        "Add new fields to FORM_FIELDS in tests/security/test_security_payloads.py and to the writer."
    )
    options_now = writable_cli_options()
    assert options_now == set(CLI_OPTIONS), (
        f"ringback options no payload goes through: {sorted(options_now - set(CLI_OPTIONS))}; "
        f"options the sweep lists that are gone: {sorted(set(CLI_OPTIONS) - options_now)}."
    )
    assert card_fields() == set(IMPORT_FIELDS), (
        f"fields of an imported card no payload goes through: {sorted(card_fields() - set(IMPORT_FIELDS))}"
    )


# --- sending and checking -------------------------------------------------------------------------


@dataclass
class Sweep:
    """A signed-in browser that checks every answer against the whole corpus."""

    client: Client
    problems: list[str] = field(default_factory=list)
    requests: int = 0
    #: (payload, field) pairs that went through a writer.
    written: set[tuple[str, str]] = field(default_factory=set)

    def send(
        self,
        method: str,
        url: str,
        data: dict[str, Any] | None = None,
        *,
        what: str,
        expect: tuple[int, ...] = (200,),
        htmx: bool = False,
        shows: tuple[Payload, ...] = (),
        page: bool = True,
    ) -> tuple[int, str, Any]:
        """Send one request in a savepoint (a 500 on PostgreSQL must not end the test's
        transaction); check its answer: the status, no payload raw, no script link, and each
        payload of ``shows`` HTML-escaped."""
        headers: dict[str, Any] = {"HTTP_HX_REQUEST": "true"} if htmx else {}
        self.requests += 1
        try:
            with transaction.atomic():
                if method == "GET":
                    response = self.client.get(url, data or {}, **headers)
                else:
                    response = self.client.post(url, data or {}, **headers)
        except Exception as exc:  # noqa: BLE001 - a 500: the test client re-raises the view's exception
            self.problems.append(f"{what}: {method} {url} failed with {type(exc).__name__}: {exc}"[:600])
            return 500, "", None
        streamed = getattr(response, "streaming_content", None)
        content = b"".join(streamed) if streamed is not None else response.content
        body = content.decode("utf-8", "replace")
        if response.status_code not in expect:
            self.problems.append(
                f"{what}: {method} {url} answered {response.status_code}, expected {expect}: "
                f"{_errors(body)[:400]}"
            )
        if page:  # an export is not HTML: its own checks apply
            self.check(body, what=what, shows=shows)
        return response.status_code, body, response

    def check(self, body: str, *, what: str, shows: tuple[Payload, ...] = ()) -> None:
        for payload in KEPT:
            if raw_in(body, payload):
                self.problems.append(f"{what}: shows {payload.key} raw (unescaped)")
        if SCRIPT_LINK.search(body):
            self.problems.append(f"{what}: has a javascript: link")
        if "class &#x27;object&#x27;" in body or "<class 'object'>" in body:
            self.problems.append(f"{what}: evaluated a template payload (shows a Python class)")
        for payload in shows:
            if payload.fragment not in body:
                self.problems.append(f"{what}: does not show {payload.key} as {payload.fragment!r}")


def _errors(body: str) -> str:
    """The error messages of a page, for a failure message."""
    found = re.findall(r'(?:class="(?:error|errorlist|field-error)[^"]*"[^>]*>)(.*?)<', body, re.S)
    return " | ".join(f.strip() for f in found if f.strip()) or body[:200]


def _location_id(response: Any) -> int:
    match = re.search(r"/contacts/(\d+)/", response["Location"])
    assert match, response["Location"]
    return int(match.group(1))


def _fits(payload: Payload, limit: int) -> str:
    """The payload where a field this short takes it, else a plain value."""
    return payload.text if len(payload.stripped) <= limit else "fits"


def _edit_body(contact: Contact, payload: Payload) -> dict[str, Any]:
    value = payload.text
    body: dict[str, Any] = {
        "first_name": value,
        "last_name": value,
        "company": value,
        "title": value,
        "status": "prospect",
        "warmth": "met-once",
        "birthday": "",
        "time_zone": "America/New_York",
        "tags": value,
        "notes": value,
        "street": value,
        "city": value,
        "region": value,
        "postal_code": _fits(payload, 20),
        "country": value,
        "phone-new-number": "",
        "phone-new-label": "mobile",
        "email-new-address": "",
        "email-new-label": "home",
    }
    for phone in contact.phones.all():
        body[f"phone-{phone.pk}-number"] = phone.number
        body[f"phone-{phone.pk}-label"] = phone.label
    for email in contact.emails.all():
        body[f"email-{email.pk}-address"] = email.address
        body[f"email-{email.pk}-label"] = email.label
    return body


def _card(contact_id: int) -> dict[str, str]:
    enrollment = Enrollment.objects.get(contact_id=contact_id, status="active")
    assert enrollment.due_start is not None
    return {
        "kind": "call",
        "enrollment": str(enrollment.pk),
        "step": "call-1",
        "due": enrollment.due_start.isoformat(),
        "phone": "",
    }


CONTACT_FIELDS = (
    "ContactAddForm.first_name",
    "ContactAddForm.last_name",
    "ContactAddForm.company",
    "ContactAddForm.tags",
    "ContactEditForm.first_name",
    "ContactEditForm.last_name",
    "ContactEditForm.company",
    "ContactEditForm.title",
    "ContactEditForm.notes",
    "ContactEditForm.tags",
    "ContactEditForm.street",
    "ContactEditForm.city",
    "ContactEditForm.region",
    "ContactEditForm.country",
    "BulkForm.tag",
)


def write_contact(sweep: Sweep, payload: Payload, n: int) -> int:
    """A contact whose every text field is the payload, enrolled so Today shows its script."""
    what = f"{payload.key} contact"
    value = payload.text
    status, _, response = sweep.send(
        "POST",
        reverse("contacts:add"),
        {
            "first_name": value,
            "last_name": value,
            "company": value,
            "tags": value,
            "phone": f"212 555 {n:04d}",
            "phone_label": "mobile",
            "email": f"p{n}@example.com",
        },
        what=f"{what}: add",
        expect=(302,),
    )
    assert status == 302, sweep.problems[-1]
    contact_id = _location_id(response)
    contact = Contact.objects.prefetch_related("phones", "emails").get(pk=contact_id)
    sweep.send(
        "POST",
        reverse("contacts:edit", args=[contact_id]),
        _edit_body(contact, payload),
        what=f"{what}: edit",
        expect=(302,),
    )
    if len(payload.stripped) <= 20:
        sweep.written.add((payload.key, "ContactEditForm.postal_code"))
    # Enrolling takes no text: done directly, so Today shows the contact's script.
    enrollment_start(account=contact.account, contact=contact, playbook="four-calls-two-weeks")
    sweep.send(
        "POST",
        reverse("contacts:bulk"),
        # The list shown after it keeps the page's filters: one that finds nobody keeps it short.
        {"bulk-action": "tag", "bulk-ids": [contact_id], "bulk-tag": value, "q": "nobody-at-all"},
        what=f"{what}: bulk tag",
        htmx=True,
    )
    sweep.written |= {(payload.key, f) for f in CONTACT_FIELDS}
    return contact_id


ACTIVITY_FIELDS = (
    "ConnectedForm.said",
    "ConnectedForm.promise",
    "ConnectedForm.book_note",
    "activities.NoteForm.text",
    "people.NoteForm.text",
    "LogForm.note",
    "PromiseForm.text",
    "TextConsentForm.note",
    "AppointmentForm.note",
    "DoNotContactForm.note",
    "CancelAppointmentForm.note",
)


def write_activities(sweep: Sweep, payload: Payload, contact_id: int) -> None:
    """The payload as everything said and noted about the contact, from Today and their page."""
    what = f"{payload.key} activity"
    value = payload.text
    card = _card(contact_id)
    reflected = {**card, "step": value, "phone": value}
    if payload.html:  # the card's fields come back in the form: a reflection check
        sweep.send(
            "GET",
            reverse("today_connected", args=[contact_id]),
            reflected,
            what=f"{what}: card fields reflected",
            shows=(payload,),
        )
        sweep.written |= {(payload.key, "CardForm.step"), (payload.key, "CardForm.phone")}
    sweep.send(
        "POST",
        reverse("today_connected", args=[contact_id]),
        {
            **card,
            "result": "connected",
            "said": value,
            "promise": value,
            "book_at": "2026-11-24T10:00",
            "book_note": value,
        },
        what=f"{what}: connected",
        expect=(302,),
    )
    sweep.send(
        "POST",
        reverse("today_note", args=[contact_id]),
        {**card, "text": value},
        what=f"{what}: Today note",
        expect=(302,),
    )
    sweep.send(
        "POST",
        reverse("contacts:note", args=[contact_id]),
        {"note-text": value},
        what=f"{what}: note",
        expect=(302,),
    )
    sweep.send(
        "POST",
        reverse("contacts:log", args=[contact_id]),
        {"log-what": "callback-email", "log-note": value},
        what=f"{what}: reply logged",
        expect=(302,),
    )
    sweep.send(
        "POST",
        reverse("contacts:promise_add", args=[contact_id]),
        {"promise-text": value},
        what=f"{what}: promise",
        expect=(302,),
    )
    promise = Promise.objects.filter(contact_id=contact_id).order_by("-pk").first()
    assert promise is not None
    sweep.send(
        "POST",
        reverse("contacts:promise_keep", args=[contact_id, promise.pk]),
        {},
        what=f"{what}: keep",
        expect=(302,),
    )
    mobile = Phone.objects.filter(contact_id=contact_id, label="mobile").first()
    assert mobile is not None, "the sweep's contact has a mobile number texts can go to"
    sweep.send(
        "POST",
        reverse("contacts:text_consent", args=[contact_id]),
        {"texts-phone": mobile.pk, "texts-how": "in-person", "texts-note": value[:CONSENT_NOTE_MAX]},
        what=f"{what}: consent to texts",
        expect=(302,),
    )
    sweep.send(
        "POST",
        reverse("contacts:appointment", args=[contact_id]),
        {"appt-starts_at": "2026-11-23T16:00", "appt-duration": "15", "appt-note": value},
        what=f"{what}: appointment",
        expect=(302,),
    )
    booked = Appointment.objects.filter(contact_id=contact_id, status="scheduled").order_by("-pk").first()
    assert booked is not None
    sweep.send(
        "POST",
        reverse("appointment_cancel", args=[booked.pk]),
        {"note": value},
        what=f"{what}: cancel an appointment",
        expect=(302,),
    )
    sweep.send(
        "POST",
        reverse("contacts:do_not_contact", args=[contact_id]),
        {"dnc-confirm": "on", "dnc-note": value},
        what=f"{what}: do not contact",
        expect=(302,),
    )
    sweep.written |= {(payload.key, f) for f in ACTIVITY_FIELDS}


SETTINGS_FIELDS = ("SettingsForm.seller_name", "SettingsForm.business_name", "SettingsForm.postal_address")


def _settings_body(value: str) -> dict[str, Any]:
    return {
        "seller_name": value,
        "seller_phone": "312 555 0142",
        "business_name": value,
        "postal_address": value,
        "time_zone": "America/New_York",
        "time_zone_other": "",
        "default_region": "US",
        "calling_start": "08:00",
        "calling_end": "21:00",
        "daily_call_capacity": "25",
        "new_per_callback": "1",
        "suppress_days": "180",
        "working_days": ["mon", "tue", "wed", "thu", "fri"],
        "minutes_per_day": "60",
        "mail_lead_days": "4",
        "email_daily_cap": "200",
        "email_from": "",
    }


def write_mailbox(sweep: Sweep, payload: Payload) -> None:
    """The payload as the mailbox's user name (the server is never reached: no check is asked)."""
    what = f"{payload.key} mailbox"
    body = {
        "host": "imap.example.com",
        "port": "993",
        "security": "ssl",
        "username": payload.text,
        "password": "an-app-password",
        "folder": "INBOX",
    }
    sweep.send("POST", reverse("settings_mailbox"), body, what=f"{what}: save", expect=(302,))
    if payload.html:
        sweep.send("GET", reverse("settings"), what=f"{what}: settings page", shows=(payload,))
    sweep.written.add((payload.key, "MailboxForm.username"))


def write_webhook(sweep: Sweep, payload: Payload) -> None:
    """The payload as a webhook's description, shown on the Webhooks page (then the webhook is
    removed: an account has at most 20)."""
    what = f"{payload.key} webhook"
    body = {"url": "https://93.184.215.14/hook", "events": ["callback.logged"], "description": payload.text}
    sweep.send("POST", reverse("hooks:list"), body, what=f"{what}: add", expect=(302,))
    sweep.send("GET", reverse("hooks:list"), what=f"{what}: the page", shows=(payload,))
    for pk in Webhook.objects.values_list("pk", flat=True):
        sweep.send("POST", reverse("hooks:remove", args=[pk]), what=f"{what}: remove", expect=(302,))
    sweep.written.add((payload.key, "WebhookForm.description"))


def write_api_token(sweep: Sweep, payload: Payload) -> None:
    """The payload as an API token's name, shown in the list (then revoked: two payloads are the
    same name once stripped, and a revoked token's name is free again)."""
    what = f"{payload.key} API token"
    body = {"token-name": payload.text, "token-scope": "read"}
    sweep.send("POST", reverse("settings_token_create"), body, what=f"{what}: make", expect=(302,))
    sweep.send("GET", reverse("settings"), what=f"{what}: settings page", shows=(payload,))
    token = ApiToken.objects.order_by("-pk").first()
    if token is not None:
        revoke = reverse("settings_token_revoke", args=[token.pk])
        sweep.send("POST", revoke, what=f"{what}: revoke", expect=(302,))
    sweep.written.add((payload.key, "ApiTokenForm.name"))


def write_settings(sweep: Sweep, payload: Payload) -> None:
    """The payload as the seller's name, business and address: values in every script."""
    what = f"{payload.key} settings"
    sweep.send("POST", reverse("settings"), _settings_body(payload.text), what=f"{what}: save", expect=(302,))
    if payload.html:
        sweep.send("GET", reverse("settings"), what=f"{what}: settings page", shows=(payload,))
    if payload.is_template:  # a built-in's scripts say "with {{ seller.business }}": the value, as typed
        sweep.send(
            "GET",
            reverse("playbooks:detail", args=["four-calls-two-weeks"]),
            what=f"{what}: scripts filled in",
            shows=(payload,),
        )
    sweep.written |= {(payload.key, f) for f in SETTINGS_FIELDS}


def write_playbook(sweep: Sweep, payload: Payload) -> None:
    what = f"{payload.key} playbook"
    sweep.send(
        "POST",
        reverse("playbooks:edit", args=["my-chase"]),
        {"source": playbook_yaml(payload)},
        what=f"{what}: save",
        expect=(302,),
    )
    sweep.send("GET", reverse("playbooks:detail", args=["my-chase"]), what=f"{what}: page", shows=(payload,))
    if payload.html:
        sweep.send("GET", reverse("playbooks:edit", args=["my-chase"]), what=f"{what}: YAML editor")
    sweep.written.add((payload.key, "PlaybookSourceForm.source"))


def write_library(sweep: Sweep, payload: Payload, n: int) -> None:
    """The payload as a message's title, an email's subject and words, and an offer's title and
    details: a template payload may be refused (with its line), never run."""
    what = f"{payload.key} library"
    body = {
        "name": f"words-{n}",
        "kind": "email",
        "title": _fits(payload, 200),
        "subject": _fits(payload, 200),
        "body": f"Dear {{{{ contact.first_name }}}}, {payload.text}",
    }
    status, _, _ = sweep.send(
        "POST", reverse("messaging:new"), body, what=f"{what}: new message", expect=(302, 400)
    )
    if status == 302:
        sweep.send("GET", reverse("messaging:edit", args=[f"words-{n}"]), what=f"{what}: editor")
    sweep.send("POST", reverse("messaging:preview"), body, what=f"{what}: preview", htmx=True)
    offer = {
        "name": f"offer-{n}",
        "title": _fits(payload, 200),
        "details": _fits(payload, 1000),
        "valid_days": "14",
    }
    sweep.send("POST", reverse("messaging:offer_new"), offer, what=f"{what}: new offer", expect=(302, 400))
    sweep.send("GET", reverse("messaging:library"), what=f"{what}: library")
    sweep.written |= {
        (payload.key, f)
        for f in (
            "MessageForm.title",
            "MessageForm.subject",
            "MessageForm.body",
            "OfferForm.title",
            "OfferForm.details",
        )
    }


GOOGLE_HEADER = [
    "First Name",
    "Middle Name",
    "Last Name",
    "Organization Name",
    "Organization Title",
    "Notes",
    "Labels",
    "Birthday",
    "E-mail 1 - Label",
    "E-mail 1 - Value",
    "Phone 1 - Label",
    "Phone 1 - Value",
    "Address 1 - Label",
    "Address 1 - Street",
    "Address 1 - City",
    "Address 1 - Region",
    "Address 1 - Postal Code",
    "Address 1 - Country",
    "Warmth",
]


def import_file(payloads: tuple[Payload, ...]) -> bytes:
    """A Google Contacts CSV: per payload a person with it in every text cell and good contact
    details, and a person with it as number, email, label and birthday."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(GOOGLE_HEADER)
    for n, payload in enumerate(payloads):
        v = payload.text
        writer.writerow(
            [
                v,
                v,
                v,
                v,
                v,
                v,
                v,
                "",
                v,
                f"i{n}@example.com",
                v,
                f"+1 646 555 {n:04d}",
                v,
                v,
                v,
                v,
                v[:20],
                v,
                v,
            ]
        )
        writer.writerow(
            [f"Bad{n}", "", "Cells", "", "", "", "", v, "Home", v, "Mobile", v, "", "", "", "", "", "", ""]
        )
    return out.getvalue().encode("utf-8")


def write_import(sweep: Sweep, payloads: tuple[Payload, ...]) -> None:
    """Upload, preview and import the file; its name is a payload too."""
    upload = SimpleUploadedFile(
        '"><img src=x onerror=alert(1)>.csv', import_file(payloads), content_type="text/csv"
    )
    status, body, _ = sweep.send(
        "POST", reverse("contacts:import"), {"file": upload, "file_format": ""}, what="import: preview"
    )
    token = re.search(r"/contacts/import/([A-Za-z0-9_-]{22})/\"", body)
    if status != 200 or token is None:
        sweep.problems.append("import: the preview has no Import button")
        return
    status, _, response = sweep.send(
        "POST",
        reverse("contacts:import_confirm", args=[token.group(1)]),
        {"file_format": "google"},
        what="import: confirm",
        expect=(302,),
    )
    if status == 302:
        sweep.send("GET", response["Location"], what="import: report")
    sweep.send("GET", reverse("contacts:imports"), what="import: reports")
    for payload in payloads:
        sweep.written |= {(payload.key, f"import {column}") for column in set(IMPORT_FIELDS.values())}


def _single_line(payload: Payload) -> bool:
    return "\n" not in payload.stripped and "\r" not in payload.stripped


def check_csv_export(sweep: Sweep, body: str) -> None:
    """No cell of the CSV export starts a formula, and each formula payload is there, quoted."""
    rows = list(csv.reader(io.StringIO(body)))
    cells = [cell for row in rows[1:] for cell in row]
    for cell in cells:
        if cell[:1] in ("=", "+", "-", "@", "\t", "\r") and not re.fullmatch(
            r"\+[1-9][0-9]{1,14}( ext\. [0-9]+)?|--[0-9]{2}-[0-9]{2}|[0-9]{4}-[0-9]{2}-[0-9]{2}", cell
        ):
            sweep.problems.append(f"CSV export: the cell {cell[:40]!r} starts a formula")
    for payload in KEPT:
        if payload.is_formula and "'" + payload.stripped not in cells:
            sweep.problems.append(f"CSV export: {payload.key} is not there as '{payload.stripped}")


def check_vcard_export(sweep: Sweep, body: str, contacts: int) -> None:
    """The vCard export holds one card per contact, and a line break inside a value stays in it."""
    cards = list(vobject.readComponents(body))
    if len(cards) != contacts:
        sweep.problems.append(f"vCard export: {len(cards)} cards for {contacts} contacts (a value broke out)")
    names = [card.fn.value for card in cards]
    if any(name.startswith("Injected") for name in names):
        sweep.problems.append("vCard export: a value started a card of its own")


def expected_writes() -> set[tuple[str, str]]:
    """(payload, field) pairs the web sweep must have written, by what FORM_FIELDS says."""
    pairs = set()
    for name, how in FORM_FIELDS.items():
        if "checked" in how or how.startswith("as "):
            continue  # refused values: test_a_refused_value_is_shown_back_escaped and the NUL test
        for payload in KEPT:
            if "reflected" in how and not payload.html:
                continue
            if "up to its 20 characters" in how and len(payload.stripped) > 20:
                continue
            pairs.add((payload.key, name))
    return pairs


def test_payloads_on_the_web(db: None, ringback: Any, record_property: Any) -> None:
    account = make_account("sally", "Sally Seller")
    playbook_duplicate(account=account, name="four-calls-two-weeks", new_name="my-chase", title="My chase")
    sweep = Sweep(signed_in(account.memberships.get().user))
    ids = {p.key: write_contact(sweep, p, n) for n, p in enumerate(KEPT)}

    # Today before anything is logged: every name on a card and in its script, as typed.
    _, today, _ = sweep.send("GET", reverse("today"), what="Today", shows=KEPT)
    agenda = ringback.agenda("--scripts", "--user", "sally")
    scripts = {item["contact_id"]: item.get("script") or "" for item in agenda}
    for payload in KEPT:
        if _single_line(payload):
            if f"Hi {payload.fragment}," not in today:
                sweep.problems.append(f"Today: the script does not say 'Hi {payload.fragment},'")
            if f"Hi {payload.stripped}," not in scripts.get(ids[payload.key], ""):
                sweep.problems.append(f"ringback agenda: the script does not say 'Hi {payload.stripped},'")

    for payload in KEPT:
        write_activities(sweep, payload, ids[payload.key])
    for payload in KEPT:
        contact_id = ids[payload.key]
        sweep.send(
            "GET",
            reverse("contacts:detail", args=[contact_id]),
            what=f"{payload.key}: contact page",
            shows=(payload,),
        )
        if not payload.html:
            continue  # the pages below only reflect the value again: they matter for markup
        sweep.send(
            "GET",
            reverse("contacts:edit", args=[contact_id]),
            what=f"{payload.key}: edit form",
            shows=(payload,),
        )
        sweep.send(
            "GET",
            reverse("contacts:timeline", args=[contact_id]),
            {"before": "2026-12-01T00:00:00+00:00"},
            what=f"{payload.key}: timeline",
            htmx=True,
            shows=(payload,),
        )
        sweep.send(
            "GET",
            reverse("contacts:list"),
            {"q": payload.text},
            what=f"{payload.key}: search",
            shows=(payload,),
        )
        sweep.send(
            "GET",
            reverse("playbooks:preview_contacts", args=["my-chase"]),
            {"q": payload.text[:100]},
            what=f"{payload.key}: preview search",
        )
        sweep.written |= {(payload.key, "ContactFilterForm.q"), (payload.key, "PreviewForm.q")}

    sweep.send("GET", reverse("contacts:list"), what="contact list", shows=KEPT)
    sweep.send("GET", reverse("contacts:list"), what="contact list (HTMX)", htmx=True, shows=KEPT)
    sweep.send("GET", reverse("appointments"), what="appointments", shows=KEPT)
    sweep.send("GET", reverse("playbooks:preview", args=["my-chase"]), what="playbook preview")
    _, body, _ = sweep.send("GET", reverse("contacts:export", args=["csv"]), what="CSV export", page=False)
    check_csv_export(sweep, body)
    _, body, _ = sweep.send("GET", reverse("contacts:export", args=["vcf"]), what="vCard export", page=False)
    check_vcard_export(sweep, body, Contact.objects.filter(account=account).count())

    for n, payload in enumerate(KEPT):
        write_settings(sweep, payload)
        write_mailbox(sweep, payload)
        write_api_token(sweep, payload)
        write_webhook(sweep, payload)
        write_playbook(sweep, payload)
        write_library(sweep, payload, n)
    write_import(sweep, KEPT)
    sweep.send("GET", reverse("contacts:list"), what="contact list after the import")
    _, body, _ = sweep.send(
        "GET", reverse("contacts:export", args=["csv"]), what="CSV export after the import", page=False
    )
    check_csv_export(sweep, body)
    _, body, _ = sweep.send(
        "GET", reverse("contacts:export", args=["vcf"]), what="vCard export after the import", page=False
    )
    check_vcard_export(sweep, body, Contact.objects.filter(account=account).count())

    record_property("requests", sweep.requests)
    record_property("payloads x fields", len(sweep.written))
    record_property("of which import cells", sum(1 for _, f in sweep.written if f.startswith("import ")))
    assert not sorted(expected_writes() - sweep.written), "FORM_FIELDS says these were written"
    assert not sweep.problems, f"{len(sweep.problems)} problems in {sweep.requests} requests:\n" + "\n".join(
        sweep.problems
    )


# --- refused everywhere ---------------------------------------------------------------------------


def refused_requests(
    contact_id: int, card: dict[str, str], value: str
) -> list[tuple[str, str, str, dict[str, Any]]]:
    """(what, method, url, data) for every form of the web app, with ``value`` in all its text
    fields (a card's hidden fields too)."""
    contact = Contact.objects.prefetch_related("phones", "emails").get(pk=contact_id)
    edit = {k: (value if k in _EDIT_TEXT else v) for k, v in _edit_body(contact, Payload("x", "x")).items()}
    edit |= {"birthday": value, "time_zone": value, "phone-new-number": value, "email-new-address": value}
    text_card = {**card, "step": value, "phone": value, "due": value}
    appointment = Appointment.objects.filter(contact=contact, status="scheduled").first() or appointment_book(
        account=contact.account, contact=contact, starts_at=datetime(2026, 11, 26, 15, 0, tzinfo=UTC)
    )
    return [
        (
            "appointment_cancel",
            "POST",
            reverse("appointment_cancel", args=[appointment.pk]),
            {"note": value},
        ),
        (
            "appointment_move",
            "POST",
            reverse("appointment_move", args=[appointment.pk]),
            {"starts_at": value},
        ),
        (
            "contacts:add",
            "POST",
            reverse("contacts:add"),
            {k: value for k in ("first_name", "last_name", "company", "tags", "phone", "email")}
            | {"phone_label": "mobile"},
        ),
        ("contacts:edit", "POST", reverse("contacts:edit", args=[contact_id]), edit),
        ("contacts:note", "POST", reverse("contacts:note", args=[contact_id]), {"note-text": value}),
        (
            "contacts:log",
            "POST",
            reverse("contacts:log", args=[contact_id]),
            {"log-what": "callback", "log-note": value},
        ),
        (
            "contacts:promise_add",
            "POST",
            reverse("contacts:promise_add", args=[contact_id]),
            {"promise-text": value},
        ),
        (
            "contacts:appointment",
            "POST",
            reverse("contacts:appointment", args=[contact_id]),
            {"appt-starts_at": "2026-11-25T10:00", "appt-duration": "15", "appt-note": value},
        ),
        (
            "contacts:appointment_preview",
            "GET",
            reverse("contacts:appointment_preview", args=[contact_id]),
            {"appt-starts_at": value},
        ),
        (
            "contacts:do_not_contact",
            "POST",
            reverse("contacts:do_not_contact", args=[contact_id]),
            {"dnc-confirm": "on", "dnc-note": value},
        ),
        (
            "contacts:bulk",
            "POST",
            reverse("contacts:bulk"),
            {"bulk-action": "tag", "bulk-ids": [contact_id], "bulk-tag": value},
        ),
        ("contacts:list", "GET", reverse("contacts:list"), {"q": value}),
        ("today_log", "POST", reverse("today_log", args=[contact_id]), {**text_card, "outcome": value}),
        (
            "today_connected",
            "POST",
            reverse("today_connected", args=[contact_id]),
            {**card, "said": value, "promise": value, "book_note": value, "book_at": "2026-11-24T10:00"},
        ),
        ("today_connected (card)", "GET", reverse("today_connected", args=[contact_id]), text_card),
        (
            "today_connected (time)",
            "POST",
            reverse("today_connected", args=[contact_id]),
            {**card, "book_at": value},
        ),
        ("today_note", "POST", reverse("today_note", args=[contact_id]), {**card, "text": value}),
        ("today_time_hint", "GET", reverse("today_time_hint", args=[contact_id]), {"book_at": value}),
        (
            "settings",
            "POST",
            reverse("settings"),
            _settings_body(value) | {"seller_phone": value, "time_zone": "other", "time_zone_other": value},
        ),
        (
            "settings (region)",
            "POST",
            reverse("settings"),
            _settings_body("Sally") | {"default_region": value},
        ),
        (
            "settings_email",
            "POST",
            reverse("settings_email"),
            {"email": value, "password": "a-long-password-1"},
        ),
        (
            "settings_token_create",
            "POST",
            reverse("settings_token_create"),
            {"token-name": value, "token-scope": "read"},
        ),
        (
            "playbooks:edit",
            "POST",
            reverse("playbooks:edit", args=["my-chase"]),
            {"source": _raw_yaml(value)},
        ),
        (
            "playbooks:check",
            "POST",
            reverse("playbooks:check", args=["my-chase"]),
            {"source": _raw_yaml(value)},
        ),
        (
            "playbooks:duplicate",
            "POST",
            reverse("playbooks:duplicate", args=["my-chase"]),
            {"new_name": value},
        ),
        (
            "playbooks:preview",
            "GET",
            reverse("playbooks:preview", args=["my-chase"]),
            {"contact": value, "q": value},
        ),
        (
            "playbooks:preview_contacts",
            "GET",
            reverse("playbooks:preview_contacts", args=["my-chase"]),
            {"q": value},
        ),
        ("insights:page", "GET", reverse("insights:page"), {"playbook": value}),
        (
            "insights:simulate",
            "GET",
            reverse("insights:simulate"),
            {"playbook": value, "prospects": "10", "days": "7", "seed": "1"},
        ),
    ]


def _raw_yaml(value: str) -> str:
    """A playbook with ``value`` as typed in its title (a NUL byte as the byte, not an escape)."""
    return playbook_yaml(Payload("x", value)).replace("\\u0000", "\x00")


_EDIT_TEXT = {
    "first_name",
    "last_name",
    "company",
    "title",
    "tags",
    "notes",
    "street",
    "city",
    "region",
    "postal_code",
    "country",
}

#: Fields with no length limit of their own: a very long value is kept there (no 500 either way).
UNLIMITED = {"contacts:edit": "notes and street", "contacts:do_not_contact": "the note"}
#: Card buttons go back to Today (without JavaScript) with what went wrong as a message.
BACK_TO_TODAY = {"today_log", "today_connected (card)"}


def _nul_stored() -> list[str]:
    """Every stored text that holds a NUL byte, as ``Model.field``."""
    from django.apps import apps

    found = []
    for model in apps.get_models():
        if not model._meta.app_config or not model._meta.app_config.name.startswith("ringback."):
            continue
        text_fields = [
            f.name for f in model._meta.fields if f.get_internal_type() in ("CharField", "TextField")
        ]
        for row in model._default_manager.values(*text_fields):
            found += [f"{model.__name__}.{k}" for k, v in row.items() if isinstance(v, str) and "\x00" in v]
    return found


@pytest.mark.parametrize("payload", REFUSED, ids=[p.key for p in REFUSED])
def test_refused_payloads_get_a_message_not_a_500(db: None, payload: Payload) -> None:
    account = make_account("sally", "Sally Seller")
    playbook_duplicate(account=account, name="four-calls-two-weeks", new_name="my-chase", title="My chase")
    sweep = Sweep(signed_in(account.memberships.get().user))
    contact = Contact.objects.get(pk=write_contact(sweep, Payload("plain", "Plain Person"), 1))
    card = _card(contact.pk)
    for what, method, url, data in refused_requests(contact.pk, card, payload.text):
        status, body, _ = sweep.send(
            method, url, data, what=f"{payload.key} in {what}", expect=(200, 302, 400, 409)
        )
        if what in BACK_TO_TODAY and status == 302:
            _, body, _ = sweep.send("GET", reverse("today"), what=f"{payload.key} in {what}: the message")
            if "Nothing was logged" not in body:
                sweep.problems.append(f"{payload.key} in {what}: Today does not say why nothing was logged")
            continue
        if status == 302 and not (payload.long and what in UNLIMITED):
            sweep.problems.append(f"{payload.key} in {what}: accepted")
        said = re.search(r"Null characters are not allowed|NUL|null character", body, re.I)
        if status in (200, 400) and payload.key == "nul" and method == "POST" and not said:
            sweep.problems.append(f"{payload.key} in {what}: answered {status} without saying why")
    stored = _nul_stored()
    assert not stored, f"NUL bytes were stored in {stored}"
    assert not sweep.problems, "\n".join(sweep.problems)


def test_a_nul_escaped_in_playbook_yaml_is_refused(db: None) -> None:
    account = make_account("sally", "Sally Seller")
    playbook_duplicate(account=account, name="four-calls-two-weeks", new_name="my-chase", title="My chase")
    sweep = Sweep(signed_in(account.memberships.get().user))
    source = playbook_yaml(Payload("nul", "a\x00b"))
    assert "\\u0000" in source and "\x00" not in source
    sweep.send(
        "POST",
        reverse("playbooks:edit", args=["my-chase"]),
        {"source": source},
        what="escaped NUL",
        expect=(400,),
    )
    assert _nul_stored() == []
    assert not sweep.problems, "\n".join(sweep.problems)


# --- the command line -----------------------------------------------------------------------------

#: Box-drawing characters of rich's tables, and whitespace (rich wraps long lines).
_LAYOUT = re.compile(r"[\s\u2500-\u257f]+")


def _squash(text: str) -> str:
    return _LAYOUT.sub("", text)


@dataclass
class Terminal:
    """Runs ``ringback`` for the seller and checks what it prints."""

    ringback: Any
    problems: list[str] = field(default_factory=list)
    runs: int = 0

    def run(
        self,
        *args: str,
        what: str,
        ok: bool = True,
        literal: tuple[str, ...] = (),
        stdin: str = "",
        data: bool = False,
    ) -> Any:
        """Run in a savepoint (PostgreSQL refuses a value: the test's transaction lives on);
        never a traceback, no terminal control character (but in ``data``: a file's content, or
        the caller's own argument echoed), and each of ``literal`` as typed."""
        self.runs += 1
        try:
            with transaction.atomic():
                user = () if args[0] == "createuser" else ("--user", "sally")
                result = self.ringback(*args, *user, stdin=stdin)
        except Exception as exc:  # noqa: BLE001 - an uncaught error is a traceback for the user
            self.problems.append(f"{what}: ringback {args[0]} crashed with {type(exc).__name__}: {exc}"[:500])
            return None
        if ok and not result.ok:
            self.problems.append(f"{what}: failed\n{result}"[:800])
        if not ok and (result.ok or not result.error_lines):
            self.problems.append(f"{what}: should be refused with a message\n{result}"[:800])
        printed = result.out + result.err
        if "Traceback" in printed:
            self.problems.append(f"{what}: printed a traceback")
        if not data and TERMINAL_CONTROLS.search(printed):
            self.problems.append(f"{what}: printed a terminal control character: {printed[:300]!r}")
        for text in literal:
            if _squash(text) not in _squash(printed):
                self.problems.append(f"{what}: does not print {text!r} as typed:\n{printed[:600]}")
        return result


#: The payloads every command takes (the rest go through `account` and `log` only: the same
#: printing, and a new account per run is slow).
CLI_SUBSET = {"jinja-math", "rich-markup", "rich-close", "rich-emoji", "terminal-escape", "vcard-break"}


ALL_OPTIONS = ("account --name", "account --business", "account --address", "log --note", "log --template")
SUBSET_OPTIONS = (
    "appointment --note",
    "contact --title",
    "contact --company",
    "contact --notes",
    "contact --consent-note",
    "contact --promise",
    "contact --street",
    "contact --city",
    "contact --region",
    "contact --country",
    "contacts name",
    "contacts --company",
    "createuser --seller-name",
    "createuser --business",
    "playbooks target",
    "token target",
    "webhook --description",
)


def cli_text(payload: Payload) -> str:
    """How the command line prints a value: as typed, with each control character a terminal
    would act on written as its escape (``\\x1b``), so it shows instead of acting."""
    return TERMINAL_CONTROLS.sub(lambda m: f"\\x{ord(m.group()):02x}", payload.stripped)


def test_payloads_on_the_command_line(db: None, ringback: Any, tmp_path: Any, record_property: Any) -> None:
    account = make_account("sally", "Sally Seller")
    terminal = Terminal(ringback)
    written: set[tuple[str, str]] = set()
    ids: dict[str, int] = {}
    for n, payload in enumerate(KEPT):
        value = payload.text
        contact = contact_create(
            account=account,
            first_name=payload.stripped,
            last_name=payload.stripped,
            phones=[PhoneInput(f"212 555 {n:04d}")],
        )
        ids[payload.key] = contact.pk
        enrollment_start(account=account, contact=contact, playbook="four-calls-two-weeks")
        shown = cli_text(payload)
        terminal.run(
            "account",
            f"--name={value}",
            f"--business={value}",
            f"--address={value}",
            what=f"{payload.key}: account",
            literal=(shown,),
        )
        terminal.run(
            "log",
            str(contact.pk),
            "voicemail",
            f"--note={value}",
            f"--template={value}",
            what=f"{payload.key}: log",
            literal=(shown,),
        )
        written |= {(payload.key, option) for option in ALL_OPTIONS}
        if payload.key not in CLI_SUBSET:
            continue
        terminal.run(
            "appointment",
            str(contact.pk),
            "--at",
            "2026-11-25T10:00",
            f"--note={value}",
            what=f"{payload.key}: appointment",
            literal=(shown,),
        )
        terminal.run(
            "createuser",
            f"user{n}",
            f"--seller-name={value}",
            f"--business={value}",
            "--password-stdin",
            what=f"{payload.key}: createuser",
            stdin="a-long-password-1\n",
            data=True,  # it echoes the name just typed
        )
        terminal.run(
            "contact",
            str(contact.pk),
            f"--title={value}",
            f"--company={value}",
            f"--notes={value}",
            what=f"{payload.key}: contact",
            literal=(shown,),
        )
        terminal.run(
            "contact",
            str(contact.pk),
            "--text-consent",
            f"212 555 {n:04d}",
            "--how",
            "in-person",
            f"--consent-note={value}",
            what=f"{payload.key}: consent to texts",
        )
        terminal.run(
            "contact",
            str(contact.pk),
            f"--street={value}",
            f"--city={value}",
            f"--region={value}",
            f"--country={value}",
            what=f"{payload.key}: address",
            literal=(shown,),
        )
        terminal.run(
            "contact",
            str(contact.pk),
            f"--promise={value}",
            "--promise-due",
            "2026-11-23",
            what=f"{payload.key}: promise",
            literal=(shown,),
        )
        terminal.run(
            "contacts",
            "add",
            value,
            f"--company={value}",
            "--phone",
            f"646 555 {n:04d}",
            what=f"{payload.key}: contacts add",
        )
        path = tmp_path / f"p{n}.yaml"
        path.write_text(playbook_yaml(payload).replace("name: my-chase", f"name: p{n}"), encoding="utf-8")
        terminal.run("playbooks", "add", str(path), what=f"{payload.key}: playbooks add")
        terminal.run("playbooks", "show", f"p{n}", what=f"{payload.key}: playbooks show", literal=(shown,))
        terminal.run("token", "create", value, what=f"{payload.key}: token create", literal=(shown,))
        terminal.run(
            "webhook",
            "add",
            "https://93.184.215.14/hook",
            "--event=callback.logged",
            f"--description={value}",
            what=f"{payload.key}: webhook add",
        )
        written |= {(payload.key, option) for option in SUBSET_OPTIONS}
    listed = terminal.run("contacts", "--json", what="contacts --json")
    if listed is not None:
        names = {row["id"]: row["name"] for row in listed.json()}
        for payload in KEPT:
            if names.get(ids[payload.key]) != f"{payload.stripped} {payload.stripped}":
                terminal.problems.append(f"contacts --json: {payload.key} is {names.get(ids[payload.key])!r}")
    terminal.run("contacts", what="contacts")
    terminal.run("agenda", "--scripts", what="agenda")
    terminal.run("playbooks", "list", what="playbooks list")
    terminal.run("token", "list", what="token list")
    terminal.run("webhook", "list", what="webhook list")
    source = tmp_path / "payloads.csv"
    source.write_bytes(import_file(KEPT))
    terminal.run("import", str(source), what="import")
    terminal.run("imports", what="imports")
    export = terminal.run("export", what="export", data=True)
    if export is not None:
        sweep = Sweep(Client())
        check_csv_export(sweep, export.out)
        terminal.problems += sweep.problems
    record_property("runs", terminal.runs)
    record_property("payloads x options", len(written))
    assert not terminal.problems, (
        f"{len(terminal.problems)} problems in {terminal.runs} runs:\n" + "\n\n".join(terminal.problems)
    )


def test_refused_payloads_on_the_command_line(db: None, ringback: Any, tmp_path: Any) -> None:
    """Text longer than a field's column, or with a NUL byte (in a file: a shell cannot pass one),
    is refused with a message; nothing crashes with a traceback (PostgreSQL refuses both)."""
    account = make_account("sally", "Sally Seller")
    contact = contact_create(account=account, first_name="Plain", phones=[PhoneInput("212 555 0100")])
    terminal = Terminal(ringback)
    huge = next(p for p in REFUSED if p.long).text
    for option in ("--name", "--business", "--address"):
        terminal.run("account", f"{option}={huge}", what=f"huge account {option}", ok=False)
    terminal.run(
        "log", str(contact.pk), "voicemail", f"--template={huge}", what="huge log --template", ok=False
    )
    terminal.run(
        "createuser",
        "newbie",
        f"--seller-name={huge}",
        "--password-stdin",
        what="huge createuser --seller-name",
        ok=False,
        stdin="a-long-password-1\n",
    )
    for kind in ("huge", "nul"):
        value = next(p for p in REFUSED if p.key == kind).text
        source = tmp_path / f"{kind}.csv"
        source.write_bytes(import_file((Payload(kind, value),)))
        terminal.run("import", str(source), what=f"{kind} import", ok=False)
    assert _nul_stored() == []
    assert not terminal.problems, "\n\n".join(terminal.problems)


#: The forms of :func:`refused_requests` with checked fields (a number, an address, a date, a
#: zone, a name): their error messages name the value typed, so they show it back.
CHECKED = {
    "contacts:add",
    "contacts:edit",
    "contacts:appointment_preview",
    "today_log",
    "today_connected (card)",
    "today_connected (time)",
    "today_time_hint",
    "settings",
    "settings (region)",
    "settings_email",
    "playbooks:duplicate",
    "playbooks:preview",
    "insights:page",
    "insights:simulate",
}


def test_a_refused_value_is_shown_back_escaped(db: None) -> None:
    """Markup typed into a checked field (a phone number, a birthday, a time zone, a date, a
    playbook name...) is refused with a message that shows it escaped."""
    account = make_account("sally", "Sally Seller")
    playbook_duplicate(account=account, name="four-calls-two-weeks", new_name="my-chase", title="My chase")
    sweep = Sweep(signed_in(account.memberships.get().user))
    contact = Contact.objects.get(pk=write_contact(sweep, Payload("plain", "Plain Person"), 1))
    card = _card(contact.pk)
    # Breaking out of an element, of a "-quoted and a '-quoted attribute, and of a textarea.
    for payload in (p for p in KEPT if p.key in ("script", "img-onerror", "attr-single", "textarea")):
        for what, method, url, data in refused_requests(contact.pk, card, payload.text):
            if what not in CHECKED:
                continue
            status, _, _ = sweep.send(
                method, url, data, what=f"{payload.key} in {what}", expect=(200, 302, 400, 409)
            )
            if what in BACK_TO_TODAY and status == 302:
                sweep.send("GET", reverse("today"), what=f"{payload.key} in {what}: the message")
    assert not sweep.problems, "\n".join(sweep.problems)
