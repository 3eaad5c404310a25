"""Cross-account sweep of every URL of the project.

Every URL pattern (``get_resolver()``, through every include) must be in :data:`ROUTES`, which
says how to fill its arguments with account A's rows (a contact id, a promise of that contact, a
playbook name, an upload token, an import report, a vacation, a password-reset link...) and
what a signed-in user of account B gets for it: 404 (or the deliberate 403/405, or the page
that says the link does not work). A new pattern that is not in the table fails
:func:`test_every_url_pattern_is_in_the_table`, so a new endpoint is swept as soon as it exists.

B asks with GET and POST, plain and as HTMX, with a real CSRF token and the body A's own form
would send; patterns without an object argument are asked with query parameters and bodies that
name A's rows (``?tag=``, ``?playbook=``, ``?contact=``, list cursors, bulk ids, card fields).
No answer may contain any of A's text, and none of A's rows (or uploads, or password) may change.
:func:`test_account_a_gets_through` sends A's own requests the same way, to show that each
probe would have worked for the owner (a POST must change A's rows), so a 404 in the sweep is
the account check and not a malformed request.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, quote_plus

import pytest
from django.db import transaction
from django.http import HttpResponseBase
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from security_world import (
    A_MESSAGE,
    A_OFFER,
    A_PLAYBOOK,
    BUILTIN,
    MARKER,
    World,
    changed,
    reset_token,
    reset_uid,
    signed_in,
    snapshot,
)

from ringback.accounts.models import Account
from ringback.people.selectors import encode_cursor
from ringback.playbooks.models import PlaybookVersion

GET, POST = "GET", "POST"
HTMX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_CURRENT_URL": "http://testserver/"}

Builder = Callable[[World], dict[str, Any]]


def _none(world: World) -> dict[str, Any]:
    return {}


@dataclass(frozen=True)
class Probe:
    """One way to ask for a pattern: its URL arguments, the query or body, and the answers."""

    label: str
    kwargs: Builder = _none
    data: Builder = _none
    #: The methods the view takes; any other gets 405.
    methods: tuple[str, ...] = (GET, POST)
    #: B's answer to each method the view takes (plain and HTMX).
    expect: dict[str, int] = field(default_factory=lambda: {GET: 404, POST: 404})
    #: Where an HTMX request deliberately gets another answer (htmx swaps only 2xx answers).
    htmx: dict[str, int] = field(default_factory=dict)
    #: A's answer to the same request; ``None`` when the probe mixes in B's own rows.
    control: dict[str, int] | None = None
    #: Arguments of A's own request when they differ (a reset link needs A's own token).
    control_kwargs: Builder | None = None
    #: A's POST must change A's rows: proof that the body is one A's form would send.
    changes: bool = False
    #: Runs before B's requests (with B's client).
    prepare: Callable[[World, Client], None] | None = None
    #: More checks of B's answers.
    check: Callable[[World, str, HttpResponseBase, str], None] | None = None
    #: A's control consumes an upload (files are not rolled back): run it last.
    consumes_upload: bool = False


@dataclass(frozen=True)
class Route:
    """How the sweep treats one URL pattern."""

    why: str
    probes: tuple[Probe, ...] = ()


def _contact(world: World) -> dict[str, Any]:
    return {"pk": world.a_contact.pk}


def _a_mobile(world: World) -> int:
    """The id of A's contact's mobile number."""
    return world.a_contact.phones.get(label="mobile").pk


def _b_contact(world: World) -> dict[str, Any]:
    return {"pk": world.b_free.pk}


def _playbook(world: World) -> dict[str, Any]:
    return {"name": A_PLAYBOOK}


def _builtin(world: World) -> dict[str, Any]:
    return {"name": BUILTIN}


def _edit_body(world: World) -> dict[str, Any]:
    """The contact edit form as A's browser sends it for her contact, with a new company."""
    contact = world.a_contact
    body: dict[str, Any] = {
        "first_name": contact.first_name,
        "last_name": contact.last_name,
        "company": "Changed company",
        "title": contact.title,
        "status": contact.status,
        "warmth": contact.warmth,
        "birthday": "",
        "time_zone": contact.time_zone,
        "tags": "qzx-tag",
        "notes": contact.notes,
        "street": "1 Qzx Street",
        "city": "Qzxville",
        "region": "NY",
        "postal_code": "10001",
        "country": "",
        "phone-new-number": "",
        "phone-new-label": "mobile",
        "email-new-address": "",
        "email-new-label": "home",
    }
    for phone in contact.phones.all():
        body[f"phone-{phone.pk}-number"] = phone.number
        body[f"phone-{phone.pk}-label"] = phone.label
        if phone.ok_at_work:
            body[f"phone-{phone.pk}-ok_at_work"] = "on"
    for email in contact.emails.all():
        body[f"email-{email.pk}-address"] = email.address
        body[f"email-{email.pk}-label"] = email.label
    return body


def _playbook_source(world: World) -> dict[str, Any]:
    version = PlaybookVersion.objects.filter(playbook=world.a_playbook).order_by("-number").first()
    assert version is not None
    return {
        "source": version.source.replace("Qzx Secret Chase", "Qzx Secret Chase, edited"),
        "base_version": str(version.number),
    }


def _card(world: World) -> dict[str, Any]:
    return world.a_card()


def _appointment_card(world: World) -> dict[str, Any]:
    return world.a_appointment_card()


def _with(builder: Builder, **more: Any) -> Builder:
    def build(world: World) -> dict[str, Any]:
        return {**builder(world), **more}

    return build


def _status(path: str) -> Builder:
    return lambda world: {"contact_id": getattr(world, path).pk}


def _invalid_link(world: World, method: str, response: HttpResponseBase, body: str) -> None:
    assert "This link doesn't work any more" in body, "the page should say the link is invalid"


def _gone_vacation(world: World, method: str, response: HttpResponseBase, body: str) -> None:
    assert "not in your list any more" in body


def _b_reset_session(world: World, client: Client) -> None:
    """B opens his own reset link: his session now holds his token under 'set-password'."""
    uid = reset_uid(world.b_user)
    response = client.get(reverse("password_reset_confirm", args=[uid, reset_token(world.b_user)]))
    assert response.status_code == 302


def _none_found(world: World, method: str, response: HttpResponseBase, body: str) -> None:
    assert "None of the ticked contacts could be found" in body


def _created_in_b(world: World, method: str, response: HttpResponseBase, body: str) -> None:
    """The first time B's own new contact is made; then it is B's own contact the twin check finds."""
    if method == GET:
        return
    if response.status_code == 302:
        assert "/contacts/" in response["Location"]
    else:
        assert "New already has this number" in body


#: Every URL pattern of the project, by name, and how the sweep fills it.
ROUTES: dict[str, Route] = {
    # --- The message library ------------------------------------------------------------------
    "messaging:library": Route("the signed-in account's library; no object argument"),
    "messaging:new": Route("adds a message to the signed-in account's library; no object argument"),
    "messaging:offer_new": Route("adds an offer to the signed-in account's library; no object argument"),
    "messaging:preview": Route(
        "fills in words being edited for a contact named in the body: another account's is the sample",
        (
            Probe(
                "A's contact",
                data=lambda w: {
                    "kind": "card",
                    "body": "Dear {{ contact.name }}",
                    "contact": str(w.a_contact.pk),
                },
                methods=(POST,),
                expect={POST: 200},
                control={POST: 200},
            ),
        ),
    ),
    "messaging:edit": Route(
        "edits a message named in the URL",
        (
            Probe(
                "A's own message",
                lambda w: {"name": A_MESSAGE},
                lambda w: {"title": "New title", "body": "Dear {{ contact.first_name }}, new words."},
                expect={GET: 404, POST: 404},
                control={GET: 200, POST: 302},
                changes=True,
            ),
        ),
    ),
    "messaging:offer_edit": Route(
        "edits an offer named in the URL",
        (
            Probe(
                "A's own offer",
                lambda w: {"name": A_OFFER},
                lambda w: {"title": "New title", "details": "", "valid_days": "10"},
                expect={GET: 404, POST: 404},
                control={GET: 200, POST: 302},
                changes=True,
            ),
        ),
    ),
    # --- Today and appointments ---------------------------------------------------------------
    "today": Route("the signed-in account's agenda; no object argument"),
    "today_replan": Route("re-plans the signed-in account's own long-overdue steps; no object argument"),
    "appointments": Route("the signed-in account's appointments; no object argument"),
    "today_undo": Route(
        "takes back a contact's last outcome: the contact in the URL",
        (
            Probe(
                "A's contact",
                _status("a_contact"),
                methods=(POST,),
                expect={POST: 404},
                control={POST: 302},
            ),
        ),
    ),
    "today_birthday_greeted": Route(
        "marks a contact's birthday greeted: the contact in the body",
        (
            Probe(
                "A's contact",
                data=lambda w: {"contact": str(w.a_contact.pk)},
                methods=(POST,),
                expect={POST: 404},
                control={POST: 302},
                changes=True,
            ),
        ),
    ),
    "appointment_cancel": Route(
        "cancels an appointment named in the URL",
        (
            Probe(
                "A's appointment",
                lambda w: {"pk": w.a_appointment.pk},
                lambda w: {"note": "Qzx reason"},
                methods=(POST,),
                expect={POST: 404},
                control={POST: 302},
                changes=True,
            ),
        ),
    ),
    "appointment_move": Route(
        "moves an appointment named in the URL",
        (
            Probe(
                "A's appointment",
                lambda w: {"pk": w.a_appointment.pk},
                lambda w: {"starts_at": "2026-11-25T11:00"},
                methods=(POST,),
                expect={POST: 404},
                control={POST: 302},
                changes=True,
            ),
        ),
    ),
    "today_log": Route(
        "a card's outcome: the contact in the URL, the enrollment or appointment in the body",
        (
            Probe(
                "A's contact and card",
                _status("a_contact"),
                _with(_card, outcome="voicemail"),
                methods=(POST,),
                expect={POST: 404},
                control={POST: 302},
                changes=True,
            ),
            Probe(
                "B's contact, A's enrollment in the card",
                _status("b_contact"),
                _with(_card, outcome="voicemail"),
                methods=(POST,),
                expect={POST: 404},
            ),
            Probe(
                "B's contact, A's appointment in the card",
                _status("b_contact"),
                _with(_appointment_card, outcome="done"),
                methods=(POST,),
                expect={POST: 404},
            ),
        ),
    ),
    "today_connected": Route(
        "after 'Connected…': the contact in the URL, the card in the query or body",
        (
            Probe(
                "A's contact and card",
                _status("a_contact"),
                _with(_card, result="connected", said="we talked"),
                control={GET: 200, POST: 302},
                changes=True,
            ),
            Probe(
                "B's contact, A's enrollment in the card",
                _status("b_contact"),
                _with(_card, result="connected", said="we talked"),
            ),
            Probe(
                "B's contact, A's appointment in the card",
                _status("b_contact"),
                _with(_appointment_card, result="connected"),
            ),
        ),
    ),
    "today_note": Route(
        "a note from a card",
        (
            Probe(
                "A's contact and card",
                _status("a_contact"),
                _with(_card, text="a note"),
                control={GET: 200, POST: 302},
                changes=True,
            ),
            Probe("B's contact, A's enrollment in the card", _status("b_contact"), _with(_card, text="x")),
        ),
    ),
    "today_time_hint": Route(
        "the seller's time for a time in the contact's zone",
        (
            Probe(
                "A's contact",
                _status("a_contact"),
                lambda w: {"book_at": "2026-11-25T10:00"},
                methods=(GET,),
                expect={GET: 404},
                control={GET: 200},
            ),
        ),
    ),
    "calendar_feed": Route(
        "the calendar feed: no sign-in, the secret in the URL is the only key",
        (
            Probe(
                "A's replaced secret",
                lambda w: {"token": w.a_calendar_replaced},
                methods=(GET,),
                expect={GET: 404},
                control={GET: 200},
                control_kwargs=lambda w: {"token": Account.objects.get(pk=w.a.pk).calendar_token},
            ),
            Probe(
                "a secret that never was",
                lambda w: {"token": "N" * 43},
                methods=(GET,),
                expect={GET: 404},
            ),
        ),
    ),
    "unsubscribe": Route(
        "an email's unsubscribe link: no sign-in, the signed token in the URL is the only key",
        (
            Probe(
                "A's unsubscribe token, its signature altered",
                lambda w: {
                    "token": w.a_unsubscribe[:-2] + ("AA" if not w.a_unsubscribe.endswith("AA") else "BB")
                },
                methods=(GET, POST),
                expect={GET: 400, POST: 400},
                htmx={GET: 400, POST: 400},
                control={GET: 200, POST: 200},
                control_kwargs=lambda w: {"token": w.a_unsubscribe},
                changes=True,
            ),
            Probe(
                "a token that was never signed",
                lambda w: {"token": "WzEsMSwieEB5LnoiXQ:1abcde:notasignature"},
                methods=(GET, POST),
                expect={GET: 400, POST: 400},
                htmx={GET: 400, POST: 400},
            ),
        ),
    ),
    "today_email_send": Route(
        "Today's Send button: the contact in the URL, the enrollment in the body",
        (
            Probe(
                "A's contact and enrollment",
                _status("a_contact"),
                lambda w: {"enrollment": str(w.a_enrollment.pk)},
                methods=(POST,),
                expect={POST: 404},
                control={POST: 302},
            ),
            Probe(
                "B's contact, A's enrollment",
                _status("b_contact"),
                lambda w: {"enrollment": str(w.a_enrollment.pk)},
                methods=(POST,),
                expect={POST: 404},
            ),
        ),
    ),
    "settings_mailbox": Route("sets the signed-in account's own mailbox; no object argument"),
    "mailbox_check": Route("reads the signed-in account's own mailbox; no object argument"),
    "outbox": Route("the signed-in account's outbox (?status=); no object argument"),
    "outbox_decide": Route(
        "the seller's decision on an email that failed or may have gone",
        (
            Probe(
                "A's failed email",
                lambda w: {"pk": w.a_email.pk},
                lambda w: {"decision": "drop"},
                methods=(POST,),
                expect={POST: 404},
                control={POST: 302},
                changes=True,
            ),
        ),
    ),
    # --- what works -------------------------------------------------------------------------------
    "insights:page": Route(
        "the signed-in account's own results (?since, until, playbook: its own); no object"
    ),
    "insights:csv": Route("the signed-in account's own results as CSV; no object argument"),
    "insights:refresh": Route("counts the signed-in account's own results again; no object argument"),
    "insights:simulate": Route(
        "a simulation with the signed-in account's settings and its own playbook; no object"
    ),
    # --- printing the day's cards -------------------------------------------------------------
    "post:print": Route("the signed-in account's cards of a day (?day=); no object argument"),
    "post:cards_pdf": Route("the signed-in account's cards of a day as a PDF; no object argument"),
    "post:labels_pdf": Route("the signed-in account's address labels of a day; no object argument"),
    "post:settings": Route("the signed-in account's own print settings; no object argument"),
    "post:mark": Route(
        "marks printed cards mailed: each card names an enrollment in the body",
        (
            Probe(
                "A's enrollment as a printed card",
                data=lambda w: {
                    "day": "2026-11-23",
                    "card": [
                        f"{w.a_enrollment.pk}|call-1|{_card(w)['due']}",
                    ],
                    "confirm": "on",
                },
                methods=(POST,),
                expect={POST: 404},
                # A's own card is a call, not a card: it is skipped, and she is sent back to Today.
                control={POST: 302},
            ),
        ),
    ),
    # --- the seller's account -----------------------------------------------------------------
    "login": Route("signing in; no object argument (a signed-in user is sent on)"),
    "logout": Route("signing out; no object argument (B is not signed out by the sweep: GET only)"),
    "settings": Route("the signed-in account's settings; no object argument"),
    "settings_email": Route("the signed-in user's own reset address; no object argument"),
    "settings_calendar": Route("the signed-in account's own calendar feed: on, new secret, off; no argument"),
    "settings_token_create": Route(
        "makes an API token for the signed-in account; A's token's name may be B's too",
        (
            Probe(
                "A's token's name, for B",
                data=lambda w: {"token-name": w.a_api_token.name, "token-scope": "read-write"},
                methods=(POST,),
                expect={POST: 302},
                htmx={POST: 400},  # the plain POST made B's own token by that name already
            ),
        ),
    ),
    "settings_token_revoke": Route(
        "revokes one API token",
        (
            Probe(
                "A's API token",
                lambda w: {"pk": w.a_api_token.pk},
                methods=(POST,),
                expect={POST: 404},
                control={POST: 302},
                changes=True,
            ),
        ),
    ),
    "settings_vacation_add": Route(
        "adds a vacation to the signed-in account; A's days may be B's too",
        (
            Probe(
                "A's vacation days, for B",
                data=lambda w: {"first_day": "2026-12-21", "last_day": "2026-12-27"},
                methods=(POST,),
                expect={POST: 302},
                htmx={POST: 200},
            ),
        ),
    ),
    "settings_vacation_remove": Route(
        "removes one vacation",
        (
            Probe(
                "A's vacation",
                lambda w: {"pk": w.a_vacation.pk},
                methods=(POST,),
                expect={POST: 404},
                htmx={POST: 200},  # the vacations card says it is not in the list
                control={POST: 302},
                changes=True,
                check=_gone_vacation,
            ),
        ),
    ),
    # --- Webhooks (Settings) ---------------------------------------------------------------------
    "hooks:list": Route("the signed-in account's webhooks, and adding one; no object argument"),
    **{
        f"hooks:{name}": Route(
            f"{why} of one webhook",
            (
                Probe(
                    "A's webhook",
                    lambda w: {"pk": w.a_webhook.pk},
                    lambda w: {"active": "off"},
                    methods=(POST,),
                    expect={POST: 404},
                    control={POST: 302},
                    changes=True,
                ),
            ),
        )
        for name, why in (
            ("remove", "removes"),
            ("rotate", "a new secret"),
            ("ping", "a test delivery"),
            ("active", "turns off or on"),
        )
    },
    "hooks:deliveries": Route(
        "the delivery log of one webhook",
        (
            Probe(
                "A's webhook",
                lambda w: {"pk": w.a_webhook.pk},
                methods=(GET,),
                expect={GET: 404},
                control={GET: 200},
            ),
        ),
    ),
    "password_change": Route("the signed-in user's own password; no object argument"),
    "password_reset": Route("asks for a reset link by email; names no row"),
    "password_reset_done": Route("a static page"),
    "password_reset_complete": Route("a static page"),
    "password_reset_confirm": Route(
        "a reset link: A's user id with a token that is not A's",
        (
            Probe(
                "A's user id, B's own valid token",
                lambda w: {"uidb64": w.a_reset_uid(), "token": reset_token(w.b_user)},
                lambda w: {"new_password1": "Bob-owns-this-1", "new_password2": "Bob-owns-this-1"},
                expect={GET: 200, POST: 200},
                control={GET: 302, POST: 302},
                control_kwargs=lambda w: {"uidb64": w.a_reset_uid(), "token": reset_token(w.a_user)},
                check=_invalid_link,
            ),
            Probe(
                "A's user id, B's session token",
                lambda w: {"uidb64": w.a_reset_uid(), "token": "set-password"},
                lambda w: {"new_password1": "Bob-owns-this-1", "new_password2": "Bob-owns-this-1"},
                expect={GET: 200, POST: 200},
                prepare=_b_reset_session,
                check=_invalid_link,
            ),
        ),
    ),
    # --- contacts -----------------------------------------------------------------------------
    "contacts:list": Route(
        "the signed-in account's contacts; filters and cursors name A's rows",
        (
            Probe(
                "filters naming A's tag and playbook",
                data=lambda w: {"tag": "qzx-tag", "playbook": A_PLAYBOOK, "status": "prospect"},
                methods=(GET,),
                expect={GET: 200},
            ),
            Probe(
                "search for A's contact by number and email",
                data=lambda w: {"q": "212-555-0101"},
                methods=(GET,),
                expect={GET: 200},
            ),
            Probe(
                "a page cursor at A's contact",
                data=lambda w: {
                    "after": encode_cursor((w.a_contact.last_name, w.a_contact.first_name, w.a_contact.pk))
                },
                methods=(GET,),
                expect={GET: 200},
            ),
        ),
    ),
    "contacts:add": Route(
        "adds a contact to B; A's number and email must not reveal A's contact",
        (
            Probe(
                "A's contact's number and email",
                data=lambda w: {
                    "first_name": "New",
                    "phone": "212 555 0101",
                    "phone_label": "mobile",
                    "email": "qzx.secret@example.com",
                },
                expect={GET: 200, POST: 302},
                htmx={POST: 400},  # the first POST made B's contact "New" with this number
                check=_created_in_b,
            ),
        ),
    ),
    "contacts:bulk": Route(
        "enroll or tag ticked contacts: ids in the body",
        (
            Probe(
                "tag A's contacts",
                data=lambda w: {
                    "bulk-action": "tag",
                    "bulk-ids": [w.a_contact.pk, w.a_other.pk],
                    "bulk-tag": "taken",
                },
                methods=(POST,),
                expect={POST: 400},
                htmx={POST: 200},
                check=_none_found,
            ),
            Probe(
                "enroll A's contact with B's",
                data=lambda w: {
                    "bulk-action": "enroll",
                    "bulk-ids": [w.a_other.pk, w.b_free.pk],
                    "bulk-playbook": BUILTIN,
                    "bulk-replace": "on",
                },
                methods=(POST,),
                expect={POST: 200},
            ),
        ),
    ),
    "contacts:export": Route(
        "the signed-in account's contacts as a file; filters name A's rows",
        (
            Probe(
                "CSV filtered by A's tag",
                lambda w: {"extension": "csv"},
                lambda w: {"tag": "qzx-tag"},
                methods=(GET,),
                expect={GET: 200},
            ),
            Probe(
                "vCard searched for A's number",
                lambda w: {"extension": "vcf"},
                lambda w: {"q": "212 555 0101"},
                methods=(GET,),
                expect={GET: 200},
            ),
        ),
    ),
    "contacts:import": Route("uploads a file into the signed-in account; the token is new"),
    "contacts:import_job": Route(
        "an import running in the background: its job in the URL",
        (
            Probe(
                "A's import job",
                lambda w: {"pk": w.a_import_job.pk},
                methods=(GET,),
                expect={GET: 404},
                control={GET: 200},
            ),
        ),
    ),
    "contacts:import_confirm": Route(
        "imports a previewed upload",
        (
            Probe(
                "A's upload",
                lambda w: {"token": w.a_upload.token},
                lambda w: {"file_format": "csv"},
                methods=(POST,),
                expect={POST: 404},
                control={POST: 302},
                changes=True,
                consumes_upload=True,
            ),
        ),
    ),
    "contacts:import_preview": Route(
        "previews again an upload waiting to be imported",
        (
            Probe(
                "A's upload",
                lambda w: {"token": w.a_upload.token},
                methods=(GET,),
                expect={GET: 404},
                control={GET: 200},
            ),
        ),
    ),
    "contacts:import_cancel": Route(
        "drops a previewed upload",
        (
            Probe(
                "A's upload",
                lambda w: {"token": w.a_upload_2.token},
                methods=(POST,),
                expect={POST: 404},
                control={POST: 302},
                changes=True,
                consumes_upload=True,
            ),
        ),
    ),
    "contacts:imports": Route("the signed-in account's import reports; no object argument"),
    "contacts:import_report": Route(
        "one import report",
        (
            Probe(
                "A's report",
                lambda w: {"pk": w.a_report.pk},
                methods=(GET,),
                expect={GET: 404},
                control={GET: 200},
            ),
        ),
    ),
    "contacts:detail": Route(
        "the contact page",
        (Probe("A's contact", _contact, methods=(GET,), expect={GET: 404}, control={GET: 200}),),
    ),
    "contacts:edit": Route(
        "edits the contact",
        (Probe("A's contact", _contact, _edit_body, control={GET: 200, POST: 302}, changes=True),),
    ),
    "contacts:timeline": Route(
        "older timeline entries before a cursor",
        (
            Probe(
                "A's contact",
                _contact,
                lambda w: {"before": "2026-11-24T00:00:00+00:00"},
                methods=(GET,),
                expect={GET: 404},
                control={GET: 200},
            ),
            Probe(
                "B's contact, a cursor after A's note",
                _b_contact,
                lambda w: {"before": "2026-11-24T00:00:00+00:00"},
                methods=(GET,),
                expect={GET: 200},
            ),
        ),
    ),
    "contacts:log": Route(
        "logs an outcome",
        (
            Probe(
                "A's contact",
                _contact,
                lambda w: {"log-what": "callback", "log-note": "he called me back"},
                control={GET: 302, POST: 302},
                changes=True,
            ),
        ),
    ),
    "contacts:note": Route(
        "adds a note",
        (
            Probe(
                "A's contact",
                _contact,
                lambda w: {"note-text": "a note"},
                control={GET: 302, POST: 302},
                changes=True,
            ),
        ),
    ),
    "contacts:promise_add": Route(
        "notes a promise",
        (
            Probe(
                "A's contact",
                _contact,
                lambda w: {"promise-text": "the brochure", "promise-due_on": "2026-12-01"},
                control={GET: 302, POST: 302},
                changes=True,
            ),
        ),
    ),
    "contacts:promise_keep": Route(
        "marks a promise kept",
        (
            Probe(
                "A's contact and promise",
                lambda w: {"pk": w.a_contact.pk, "promise_pk": w.a_promise.pk},
                control={GET: 302, POST: 302},
                changes=True,
            ),
            Probe(
                "B's contact, A's promise",
                lambda w: {"pk": w.b_contact.pk, "promise_pk": w.a_promise.pk},
            ),
        ),
    ),
    "contacts:text_consent": Route(
        "records consent to texts on a number",
        (
            Probe(
                "A's contact and number",
                _contact,
                lambda w: {"texts-phone": _a_mobile(w), "texts-how": "in-person", "texts-note": "fair"},
                control={GET: 302, POST: 302},
                changes=True,
            ),
            Probe(
                "B's contact, A's number",
                _b_contact,
                lambda w: {"texts-phone": _a_mobile(w), "texts-how": "in-person"},
                expect={GET: 302, POST: 400},
                htmx={POST: 200},
            ),
        ),
    ),
    "contacts:texts_stop": Route(
        "stops texts to a number",
        (
            Probe(
                "A's contact and number",
                _contact,
                lambda w: {"stop-phone": _a_mobile(w)},
                control={GET: 302, POST: 302},
                changes=True,
            ),
            Probe(
                "B's contact, A's number",
                _b_contact,
                lambda w: {"stop-phone": _a_mobile(w)},
                expect={GET: 302, POST: 400},
                htmx={POST: 200},
            ),
        ),
    ),
    "contacts:enroll": Route(
        "starts a playbook",
        (
            Probe(
                "A's contact",
                _contact,
                lambda w: {"enroll-playbook": BUILTIN, "enroll-replace": "on"},
                control={GET: 302, POST: 302},
                changes=True,
            ),
            Probe(
                "B's contact, A's playbook",
                _b_contact,
                lambda w: {"enroll-playbook": A_PLAYBOOK},
                expect={GET: 302, POST: 400},
                htmx={POST: 200},
            ),
        ),
    ),
    "contacts:enroll_preview": Route(
        "the dates a playbook would plan",
        (
            Probe(
                "A's contact",
                _contact,
                lambda w: {"enroll-playbook": BUILTIN},
                methods=(GET,),
                expect={GET: 404},
                control={GET: 200},
            ),
            Probe(
                "B's contact, A's playbook",
                _b_contact,
                lambda w: {"enroll-playbook": A_PLAYBOOK},
                methods=(GET,),
                expect={GET: 400},
                htmx={GET: 200},
            ),
        ),
    ),
    "contacts:appointment": Route(
        "books a phone appointment",
        (
            Probe(
                "A's contact",
                _contact,
                lambda w: {"appt-starts_at": "2026-11-25T10:00", "appt-duration": "15", "appt-note": "x"},
                control={GET: 302, POST: 302},
                changes=True,
            ),
        ),
    ),
    "contacts:appointment_preview": Route(
        "an appointment time in both zones",
        (
            Probe(
                "A's contact",
                _contact,
                lambda w: {"appt-starts_at": "2026-11-25T10:00"},
                methods=(GET,),
                expect={GET: 404},
                control={GET: 200},
            ),
        ),
    ),
    "contacts:do_not_contact": Route(
        "marks the contact do-not-contact",
        (
            Probe(
                "A's contact",
                _contact,
                lambda w: {"dnc-confirm": "on", "dnc-note": "asked"},
                control={GET: 200, POST: 302},
                changes=True,
            ),
        ),
    ),
    # --- playbooks ----------------------------------------------------------------------------
    "playbooks:list": Route("the signed-in account's playbooks; no object argument"),
    "playbooks:detail": Route(
        "one playbook",
        (
            Probe("A's own playbook", _playbook, methods=(GET,), expect={GET: 404}, control={GET: 200}),
            Probe(
                "a built-in: every account's own read-only copy",
                _builtin,
                methods=(GET,),
                expect={GET: 200},
                control={GET: 200},
            ),
        ),
    ),
    "playbooks:edit": Route(
        "edits an own playbook (a new version)",
        (
            Probe(
                "A's own playbook", _playbook, _playbook_source, control={GET: 200, POST: 302}, changes=True
            ),
            Probe(
                "a built-in (read-only for everyone)",
                _builtin,
                lambda w: {"source": "name: call-mail-call\n", "base_version": "1"},
                expect={GET: 200, POST: 403},
                control={GET: 200, POST: 403},
            ),
        ),
    ),
    "playbooks:check": Route(
        "checks YAML without saving",
        (
            Probe(
                "A's own playbook",
                _playbook,
                _playbook_source,
                methods=(POST,),
                expect={POST: 404},
                control={POST: 200},
            ),
        ),
    ),
    "playbooks:duplicate": Route(
        "copies a playbook into an own one",
        (
            Probe(
                "A's own playbook",
                _playbook,
                lambda w: {"new_name": "taken-copy"},
                methods=(POST,),
                expect={POST: 404},
                control={POST: 302},
                changes=True,
            ),
            Probe(
                "a built-in: B gets his own copy, A's rows stay",
                _builtin,
                lambda w: {"new_name": "bobs-copy"},
                methods=(POST,),
                expect={POST: 302},
                htmx={POST: 400},  # the plain POST made bobs-copy already
            ),
        ),
    ),
    "playbooks:preview": Route(
        "the plan for a contact (?contact=)",
        (
            Probe(
                "A's own playbook",
                _playbook,
                lambda w: {"contact": w.a_contact.pk},
                methods=(GET,),
                expect={GET: 404},
                control={GET: 200},
            ),
            Probe(
                "B's built-in, A's contact",
                _builtin,
                lambda w: {"contact": w.a_contact.pk},
                methods=(GET,),
                expect={GET: 404},
                control={GET: 200},
            ),
        ),
    ),
    "playbooks:preview_contacts": Route(
        "the preview's contact picker",
        (
            Probe(
                "A's own playbook",
                _playbook,
                lambda w: {"q": "Q"},
                methods=(GET,),
                expect={GET: 404},
                control={GET: 200},
            ),
            Probe(
                "B's built-in, searching A's names",
                _builtin,
                lambda w: {"q": "Q"},
                methods=(GET,),
                expect={GET: 200},
            ),
        ),
    ),
}

#: Probes that reveal a defect in another helper's part of issue 9: ``route/label`` → reason.
#: They run as strict xfails in :func:`test_known_defect` and are left out of the sweep.
KNOWN_DEFECTS: dict[str, str] = {}


# --- walking the URL patterns ---------------------------------------------------------------------


@dataclass(frozen=True)
class Pattern:
    name: str
    route: str
    arguments: frozenset[str]


#: The REST API's patterns: a token, not a signed-in session, opens them, so they have their own
#: sweep over every operation of the API's schema (tests/security/test_security_api.py).
API_PATTERNS = ("api-v1:", "api-unknown")


def url_patterns() -> list[Pattern]:
    """Every URL pattern of the project, through every include, with its full name and arguments
    (but the REST API's: see :data:`API_PATTERNS`)."""
    found: list[Pattern] = []

    def walk(resolver: URLResolver, prefix: str, namespace: str, arguments: frozenset[str]) -> None:
        for entry in resolver.url_patterns:
            here = arguments | frozenset(entry.pattern.regex.groupindex)
            if isinstance(entry, URLResolver):
                inner = ":".join(p for p in (namespace, entry.namespace or "") if p)
                walk(entry, prefix + str(entry.pattern), inner, here)
            else:
                assert isinstance(entry, URLPattern)
                assert entry.name, f"the URL pattern {prefix}{entry.pattern} has no name"
                name = f"{namespace}:{entry.name}" if namespace else entry.name
                if not name.startswith(API_PATTERNS):
                    found.append(Pattern(name, prefix + str(entry.pattern), here))

    walk(get_resolver(), "", "", frozenset())
    return found


def _probes() -> Iterator[tuple[str, Probe]]:
    for name, route in ROUTES.items():
        for probe in route.probes:
            yield name, probe


def _id(name: str, probe: Probe) -> str:
    return f"{name}/{probe.label}"


def test_every_url_pattern_is_in_the_table() -> None:
    patterns = {p.name: p for p in url_patterns()}
    assert len(patterns) == len(url_patterns()), "two URL patterns share a name"
    missing = sorted(set(patterns) - set(ROUTES))
    assert not missing, (
        f"URL patterns the cross-account sweep does not know how to fill: {missing}. Add each to "
        "ROUTES in tests/security/test_security_urls.py with probes naming another account's rows."
    )
    stale = sorted(set(ROUTES) - set(patterns))
    assert not stale, f"ROUTES names patterns that no longer exist: {stale}"
    for name, pattern in patterns.items():
        route = ROUTES[name]
        if pattern.arguments - {"extension"}:
            assert any(p.control for p in route.probes), (
                f"{name} takes {set(pattern.arguments)}: it needs a probe with a control"
            )
        for probe in route.probes:
            # A sample world is not needed to know the keys: builders name them literally.
            assert probe.methods, _id(name, probe)
            assert set(probe.expect) == set(probe.methods), (
                f"{_id(name, probe)}: expect one answer per method"
            )
            assert set(probe.htmx) <= set(probe.methods), _id(name, probe)
            if probe.control:
                assert set(probe.control) == set(probe.methods), _id(name, probe)


# --- the sweep ------------------------------------------------------------------------------------


def _body(response: HttpResponseBase) -> str:
    streamed = getattr(response, "streaming_content", None)
    content = b"".join(streamed) if streamed is not None else getattr(response, "content", b"")
    return content.decode("utf-8", "replace") + "\n" + response.get("Location", "")


def _sent_strings(values: dict[str, Any]) -> set[str]:
    out: set[str] = set()
    for value in values.values():
        for item in value if isinstance(value, list) else [value]:
            text = str(item)
            out |= {text, html.escape(text), quote(text), quote_plus(text)}
    return {s for s in out if s}


#: Random tokens (CSRF, uploads, sessions): one may hold the marker's letters by chance.
_RANDOM = re.compile(r"[A-Za-z0-9_-]{20,}")


def leaks(body: str, sent: set[str]) -> bool:
    """True when ``body`` holds account A's marker outside what the request itself sent."""
    for text in sorted(sent, key=len, reverse=True):
        body = body.replace(text, "")
    return MARKER.lower() in _RANDOM.sub("", body).lower()


def _request(client: Client, method: str, url: str, data: dict[str, Any], htmx: bool) -> HttpResponseBase:
    # Any, as the client's **extra (WSGI environ entries) is: not its follow or secure flags.
    headers: dict[str, Any] = HTMX if htmx else {}
    if method == GET:
        return client.get(url, data, **headers)
    return client.post(url, data, **headers)


def sweep_probe(world: World, client: Client, name: str, probe: Probe) -> tuple[list[str], int]:
    """Send ``probe`` as B (GET and POST, plain and HTMX); the problems found and requests made."""
    problems: list[str] = []
    kwargs = probe.kwargs(world)
    data = probe.data(world)
    url = reverse(name, kwargs=kwargs)
    sent = _sent_strings(kwargs) | _sent_strings(data)
    requests = 0
    # B's own changes (a contact he added, a copy he made) go with the probe.
    with transaction.atomic():
        before = snapshot(world.a)
        if probe.prepare:
            probe.prepare(world, client)
        requests = _send(world, client, name, probe, url, data, sent, problems)
        after = snapshot(world.a)
        transaction.set_rollback(True)
    if before != after:
        problems.append(f"{_id(name, probe)} changed account A's rows: {changed(before, after)}")
    return problems, requests


def _send(
    world: World,
    client: Client,
    name: str,
    probe: Probe,
    url: str,
    data: dict[str, Any],
    sent: set[str],
    problems: list[str],
) -> int:
    requests = 0
    for method in (GET, POST):
        for htmx in (False, True):
            response = _request(client, method, url, data, htmx)
            requests += 1
            if method in probe.methods:
                wanted = probe.htmx.get(method, probe.expect[method]) if htmx else probe.expect[method]
            else:
                wanted = 405
            where = f"{_id(name, probe)}: {'HTMX ' if htmx else ''}{method} {url}"
            body = _body(response)
            if response.status_code != wanted:
                problems.append(f"{where} answered {response.status_code}, expected {wanted}")
            if response.status_code >= 500:
                continue
            if leaks(body, sent):
                problems.append(f"{where} shows account A's text ({MARKER}…)")
            if probe.check and method in probe.methods and response.status_code == wanted:
                try:
                    probe.check(world, method, response, body)
                except AssertionError as exc:
                    problems.append(f"{where}: {exc}")
    return requests


def _argless_gets(world: World, client: Client) -> tuple[list[str], int]:
    """Every pattern without an object argument, asked by B with GET (plain and HTMX)."""
    problems: list[str] = []
    requests = 0
    for pattern in url_patterns():
        if pattern.arguments:
            continue
        url = reverse(pattern.name)
        for htmx in (False, True):
            response = _request(client, GET, url, {}, htmx)
            requests += 1
            if response.status_code >= 500 or response.status_code == 404:
                problems.append(f"GET {url} answered {response.status_code}")
            elif leaks(_body(response), set()):
                problems.append(f"GET {url} shows account A's text ({MARKER}…)")
    return problems, requests


def test_account_b_gets_nothing_of_account_a(world: World, record_property: Any) -> None:
    client = signed_in(world.b_user)
    start = snapshot(world.a)
    problems, requests = _argless_gets(world, client)
    for name, probe in _probes():
        if _id(name, probe) in KNOWN_DEFECTS:
            continue
        found, made = sweep_probe(world, client, name, probe)
        problems += found
        requests += made
    record_property("patterns", len(url_patterns()))
    record_property("requests", requests)
    assert changed(start, snapshot(world.a)) == []
    assert not problems, f"{len(problems)} problems in {requests} requests:\n" + "\n".join(problems)
    assert requests >= 4 * sum(len(r.probes) for r in ROUTES.values())


if KNOWN_DEFECTS:  # each known defect runs on its own, as a strict xfail

    @pytest.mark.parametrize(
        ("name", "probe"),
        [
            pytest.param(
                n, p, id=_id(n, p), marks=pytest.mark.xfail(strict=True, reason=KNOWN_DEFECTS[_id(n, p)])
            )
            for n, p in _probes()
            if _id(n, p) in KNOWN_DEFECTS
        ],
    )
    def test_known_defect(world: World, name: str, probe: Probe) -> None:
        problems, _ = sweep_probe(world, signed_in(world.b_user), name, probe)
        assert not problems, "\n".join(problems)


def test_account_a_gets_through(world: World, record_property: Any) -> None:
    """The owner's own requests work: the sweep's 404s are the account check, not bad requests."""
    client = signed_in(world.a_user)
    problems: list[str] = []
    controlled = [(n, p) for n, p in _probes() if p.control]
    controlled.sort(key=lambda item: item[1].consumes_upload)
    for name, probe in controlled:
        assert probe.control is not None
        kwargs = (probe.control_kwargs or probe.kwargs)(world)
        url = reverse(name, kwargs=kwargs)
        data = probe.data(world)
        for method in probe.methods:
            watch = method == POST and probe.changes
            with transaction.atomic():
                before = snapshot(world.a) if watch else None
                response = _request(client, method, url, data, htmx=False)
                after = snapshot(world.a) if watch else None
                transaction.set_rollback(True)
            where = f"{_id(name, probe)}: A's {method} {url}"
            if response.status_code != probe.control[method]:
                problems.append(f"{where} answered {response.status_code}, expected {probe.control[method]}")
            if watch and before == after:
                problems.append(f"{where} changed nothing: the probe's body is not what A's form sends")
    record_property("controls", sum(len(p.methods) for _, p in controlled))
    assert not problems, "\n".join(problems)
