"""The playbook pages: list, timeline, duplicate, edit with inline errors, plan preview."""

from __future__ import annotations

import html
import itertools
import re
from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from pytest_django import Settings

from ringback.accounts.models import Account
from ringback.accounts.services import account_create
from ringback.contacts.models import Contact
from ringback.contacts.services import PhoneInput, contact_create
from ringback.core import clock
from ringback.core.playbook import BUILTIN_NAMES, builtin_text, parse_playbook
from ringback.playbooks.models import Enrollment, Playbook, PlaybookVersion
from ringback.playbooks.services import enrollment_start, playbook_add, playbook_duplicate

pytestmark = pytest.mark.django_db

#: Monday 23 November 2026, 09:00 in New York.
NOW = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)
BUILTIN_TITLES = (
    "Call-Mail-Call",
    "Four calls in two weeks",
    "Steady weekly",
    "Stranger series",
    "Stay in touch",
    "Customer care",
)


@pytest.fixture(autouse=True)
def frozen(settings: Settings) -> Iterator[None]:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast test logins
    with clock.frozen(NOW):
        yield


def shipped(name: str) -> int:
    """The version a built-in playbook's YAML ships as: a new account's first version of it."""
    return parse_playbook(builtin_text(name)).version


def make_account(username: str = "sally") -> Account:
    return account_create(
        username=username,
        password="a-long-password",
        seller_name="Sally Baker",
        seller_phone="312-555-0142",
        business_name="Sweet Home",
    )


def client_for(account: Account, **kwargs: object) -> Client:
    client = Client(**kwargs)  # type: ignore[arg-type]
    client.force_login(get_user_model().objects.get(membership__account=account))
    return client


def page(response) -> str:
    """The response as a person reads it: entities decoded."""
    return html.unescape(response.content.decode())


_numbers = itertools.count(100)


def add_contact(account: Account, first: str, phone: str = "", **kwargs: object) -> Contact:
    # A New York number of their own (a number already in the contacts is refused).
    phone = phone or f"212-555-{next(_numbers):04d}"
    return contact_create(account=account, first_name=first, phones=[PhoneInput(phone)], **kwargs)  # type: ignore[arg-type]


@pytest.fixture
def sally() -> Account:
    return make_account()


@pytest.fixture
def client(sally: Account) -> Client:
    return client_for(sally)


# --- List -----------------------------------------------------------------------------------


def test_list_shows_the_six_builtins_with_what_they_encode_and_who_runs_them(sally, client):
    for name in ("Mary", "Ann"):
        enrollment_start(account=sally, contact=add_contact(sally, name), playbook="call-mail-call")
    response = client.get("/playbooks/")
    assert response.status_code == 200
    text = page(response)
    for title in BUILTIN_TITLES:
        assert title in text
    for name in BUILTIN_NAMES:
        assert f'href="/playbooks/{name}/"' in text
    assert text.count("Built-in</span>") == 6
    assert f"call-mail-call</code> · version {shipped('call-mail-call')} · 3 steps" in text
    assert f"steady-weekly</code> · version {shipped('steady-weekly')} · 5 steps" in text
    assert ">R9</abbr>" in text and ">R12</abbr>" in text
    assert "<strong>2</strong> contacts running it" in text
    assert "You haven't made a playbook of your own yet" in text


def test_list_shows_own_playbooks_and_a_bounded_number_of_queries(sally, client):
    with CaptureQueriesContext(connection) as few:
        assert client.get("/playbooks/").status_code == 200
    for number in range(8):
        copy = playbook_duplicate(account=sally, name="four-calls-two-weeks", new_name=f"mine-{number}")
        enrollment_start(account=sally, contact=add_contact(sally, f"P{number}"), playbook=copy.playbook.name)
    playbook_add(account=sally, text=builtin_text("steady-weekly").replace("7-10 days", "6-9 days", 1))
    with CaptureQueriesContext(connection) as many:
        response = client.get("/playbooks/")
    text = page(response)
    assert "mine-7" in text and "Yours</span>" in text
    assert f"steady-weekly</code> · version {shipped('steady-weekly') + 1}" in text
    assert "You haven't made a playbook of your own yet" not in text
    assert len(many) == len(few) <= 8


# --- Detail ---------------------------------------------------------------------------------


def test_detail_draws_the_steps_in_order_with_their_waits_and_the_finish_rule(client):
    text = page(client.get("/playbooks/call-mail-call/"))
    order = [
        "Right away",
        "Step 1: Call",
        "announce-the-note",
        "The same day or the next",
        "Step 2: Card in the mail",
        "Offer: special-offer, good for 14 days after mailing.",
        "Wait 3–4 days",
        "Step 3: Call",
        "did-you-get-my-note",
        "Then leave them alone.",
    ]
    positions = [text.index(part) for part in order]
    assert positions == sorted(positions)
    assert "Announce the note so they look for it." in text
    assert 'title="Call-Mail-Call: announce a note' in text  # R9 explained in the description
    assert "Sarah Robinson's Call-Mail-Call (<abbr" in text
    # The scripts as text, filled in with the seller's details, and as written.
    assert "Hi Mary, this is Sally with Sweet Home." in text
    assert "{{ seller.phone }}" in text

    four = page(client.get("/playbooks/four-calls-two-weeks/"))
    assert "Then recontact after 90 days." in four
    assert "At most 4 calls within 14 days." in four
    assert "Scripts, one per contact (A/B)" in four

    touch = page(client.get("/playbooks/stay-in-touch/"))
    assert "On their birthday (skipped when it is more than 90 days away)" in touch
    assert "Wait 30–45 days" in touch
    assert "At least 30 days between two touches." in touch


OWN = """\
name: wrong-numbers
title: Wrong numbers
rules: [R1]
description: Tries the other number (R1).
templates:
  intro: |
    Hi {{ contact.first_name }}, I'm calling to introduce myself.
  follow: |
    Hi {{ contact.first_name }}, {{ seller.first_name }} again. Call me at {{ seller.phone }}.
steps:
  - id: first
    channel: call
    wait: 0 days
    script: intro
    at: [morning, afternoon]
    on:
      wrong-number: retry
      no-answer: {goto: last}
  - id: last
    channel: call
    wait: 2-3 business days
    script: follow
finish:
  recontact-after: 30 days
"""


def test_detail_shows_branches_parts_of_day_and_advice_next_to_the_script(sally, client):
    playbook_add(account=sally, text=OWN)
    text = page(client.get("/playbooks/wrong-numbers/"))
    assert "wrong number → retry on the other number" in text
    assert "no answer → go to step 2 (last)" in text
    assert "In the morning or afternoon" in text
    assert "Wait 2–3 business days" in text
    assert "Then recontact after 30 days." in text
    intro = text[text.index('id="script-intro"') : text.index('id="script-follow"')]
    assert ">R3</abbr> “introduce myself” is about you, not them" in intro
    assert ">R1</abbr> Leave your phone number so they can call you back" in intro
    assert ">R4</abbr> Say when you will call again" in intro
    follow = text[text.index('id="script-follow"') :]
    assert ">R3</abbr>" not in follow
    assert "Edit YAML" in text and "Yours</span>" in text


def test_detail_preview_and_versions_with_a_bounded_number_of_queries(sally, client):
    with CaptureQueriesContext(connection) as few:
        assert client.get("/playbooks/call-mail-call/").status_code == 200
    for number in range(30):
        enrollment_start(account=sally, contact=add_contact(sally, f"P{number}"), playbook="call-mail-call")
    playbook_add(account=sally, text=builtin_text("call-mail-call").replace("3-4 days", "4-5 days"))
    with CaptureQueriesContext(connection) as many:
        response = client.get("/playbooks/call-mail-call/")
    text = page(response)
    assert "<strong>30</strong> contacts running it" in text
    version = shipped("call-mail-call")
    assert f"Version {version + 1} · saved Mon 23 Nov 2026, 09:00 EST · nobody on it" in text
    assert f"Version {version} · saved Mon 23 Nov 2026, 09:00 EST · 30 contacts on it" in text
    assert "Wait 4–5 days" in text
    assert len(many) == len(few) <= 15


# --- Duplicate and edit ---------------------------------------------------------------------


def test_duplicate_then_edit_with_an_error_shows_it_inline_at_the_line_and_saves_nothing(sally, client):
    response = client.post("/playbooks/call-mail-call/duplicate/", {"new_name": "my-call-mail-call"})
    assert response.status_code == 302
    assert response["Location"] == "/playbooks/my-call-mail-call/edit/"
    copy = Playbook.objects.get(account=sally, name="my-call-mail-call")
    assert not copy.is_builtin and copy.title == "Call-Mail-Call (my copy)"

    edit = client.get(response["Location"])
    text = page(edit)
    assert "Made my-call-mail-call, your own copy of Call-Mail-Call" in text
    assert '<textarea id="yaml-source" name="source"' in text
    assert '<label for="yaml-source">Playbook YAML' in text
    assert ">Save</button>" in text and ">Check</button>" in text
    source = edit.context["source"]
    assert source.startswith("name: my-call-mail-call\ntitle: ")

    bad = source.replace("wait: 3-4 days", "wait: 3-x days")
    line = bad.split("\n").index("    wait: 3-x days") + 1
    versions = PlaybookVersion.objects.count()
    response = client.post("/playbooks/my-call-mail-call/edit/", {"source": bad, "base_version": "1"})
    assert response.status_code == 400
    text = page(response)
    block = text[text.index('<div id="yaml-error"') :]
    block = block[: block.index("</div>")]
    assert 'role="alert"' in block
    assert f"Line {line}:</strong> step 3: wait '3-x days' is not a duration range (e.g. '3-4 days')" in block
    assert '<li class="is-error" aria-current="true"><code>    wait: 3-x days</code>' in block
    assert f'start="{line - 3}"' in block
    assert "Nothing was saved" in block
    assert 'aria-invalid="true"' in text and f'data-error-line="{line}"' in text
    assert "    wait: 3-x days" in text[text.index("<textarea") : text.index("</textarea>")]
    assert PlaybookVersion.objects.count() == versions


def test_check_validates_without_saving_as_an_htmx_partial(sally, client):
    playbook_duplicate(account=sally, name="call-mail-call")
    source = PlaybookVersion.objects.get(playbook__name="my-call-mail-call").source
    versions = PlaybookVersion.objects.count()
    bad = source.replace("channel: mail", "channel: pigeon")
    response = client.post(
        "/playbooks/my-call-mail-call/check/", {"source": bad, "base_version": "1"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    text = page(response)
    assert "<html" not in text and 'id="yaml-error"' in text
    assert "step 2: channel 'pigeon' is not one of call, mail, email, sms, task" in text
    own = (
        "templates:\n  my-opener: |\n    Hi {{ contact.first_name }}, it's {{ seller.first_name }}. "
        "I'm calling to introduce myself. I'll call again on {{ next_call_day }}: {{ seller.phone }}.\n"
    )
    good = source.replace("script: announce-the-note", "script: my-opener") + own
    text = page(client.post("/playbooks/my-call-mail-call/check/", {"source": good}, HTTP_HX_REQUEST="true"))
    assert "Looks good:</strong> Call-Mail-Call (my copy), 3 steps. Not saved yet" in text
    assert ">R3</abbr> my-opener: “introduce myself” is about you, not them" in text
    # Without JavaScript the button posts the form and gets the whole edit page back.
    full = client.post("/playbooks/my-call-mail-call/check/", {"source": bad, "base_version": "1"})
    assert full.status_code == 200 and "<html" in page(full) and 'id="yaml-error"' in page(full)
    assert PlaybookVersion.objects.count() == versions


def test_a_valid_edit_saves_version_2_and_running_enrollments_keep_version_1(sally, client):
    playbook_duplicate(account=sally, name="call-mail-call")
    mary = add_contact(sally, "Mary")
    enrollment = enrollment_start(account=sally, contact=mary, playbook="my-call-mail-call")
    source = client.get("/playbooks/my-call-mail-call/edit/").context["source"]
    changed = source.replace("wait: 3-4 days", "wait: 5-6 days").replace("\n", "\r\n")
    response = client.post("/playbooks/my-call-mail-call/edit/", {"source": changed, "base_version": "1"})
    assert response.status_code == 302
    text = page(client.get(response["Location"]))
    assert "Version 2 saved. Contacts already running it stay on the version they started with." in text
    assert "You are editing version 2" in text
    latest = PlaybookVersion.objects.get(playbook__name="my-call-mail-call", number=2)
    assert "\r" not in latest.source and "wait: 5-6 days" in latest.source
    enrollment.refresh_from_db()
    assert enrollment.version.number == 1
    detail = page(client.get("/playbooks/my-call-mail-call/"))
    assert "version 2" in detail and "Wait 5–6 days" in detail
    assert "Version 1 · saved" in detail and "1 contact on it" in detail


def test_stale_and_repeated_submissions_get_a_clear_message_and_change_nothing(sally, client):
    playbook_duplicate(account=sally, name="call-mail-call")
    source = PlaybookVersion.objects.get(playbook__name="my-call-mail-call").source
    first = source.replace("wait: 3-4 days", "wait: 5-6 days")
    url = "/playbooks/my-call-mail-call/edit/"
    assert client.post(url, {"source": first, "base_version": "1"}).status_code == 302
    # The same form sent twice (a double tap): nothing new.
    again = client.post(url, {"source": first, "base_version": "1"}, follow=True)
    assert "No changes to save: this is still version 2." in page(again)
    # Another tab still on version 1 with other changes: refused, nothing saved.
    stale = client.post(url, {"source": source.replace("0-1 days", "1-2 days"), "base_version": "1"})
    assert stale.status_code == 409
    assert "changed since you opened it: it is now at version 2. Nothing was saved." in page(stale)
    assert 'name="base_version" value="2"' in page(stale)
    assert PlaybookVersion.objects.filter(playbook__name="my-call-mail-call").count() == 2
    # Duplicating twice under the same name copies once.
    playbooks = Playbook.objects.count()
    twice = client.post("/playbooks/call-mail-call/duplicate/", {"new_name": "my-call-mail-call"})
    assert twice.status_code == 400
    text = page(twice)
    assert "you already have a playbook called 'my-call-mail-call'; pick another name" in text
    assert 'id="new-name-error" role="alert"' in text
    bad_name = client.post("/playbooks/call-mail-call/duplicate/", {"new_name": "My Copy!"})
    assert bad_name.status_code == 400
    assert "can't be a playbook name: use lower-case letters, digits and dashes" in page(bad_name)
    assert Playbook.objects.count() == playbooks
    # The next free name is offered.
    assert 'value="my-call-mail-call-2"' in page(client.get("/playbooks/call-mail-call/"))


def test_builtins_are_read_only_and_offer_a_copy(sally, client):
    response = client.get("/playbooks/call-mail-call/edit/")
    text = page(response)
    assert response.status_code == 200
    assert 'name="source"' not in text
    assert "is built in, so it can't be changed" in text and ">Duplicate</button>" in text
    versions = PlaybookVersion.objects.count()
    refused = client.post(
        "/playbooks/call-mail-call/edit/",
        {"source": builtin_text("call-mail-call").replace("3-4 days", "5-6 days"), "base_version": "1"},
    )
    assert refused.status_code == 403
    assert "can't be changed: nothing was saved" in page(refused)
    assert PlaybookVersion.objects.count() == versions
    detail = page(client.get("/playbooks/call-mail-call/"))
    assert "Built-in playbooks are read-only" in detail and "Edit YAML" not in detail


def test_renaming_or_bad_input_is_refused_at_the_line(sally, client):
    playbook_duplicate(account=sally, name="call-mail-call")
    source = PlaybookVersion.objects.get(playbook__name="my-call-mail-call").source
    url = "/playbooks/my-call-mail-call/edit/"
    renamed = client.post(url, {"source": source.replace("name: my-call-mail-call", "name: call-mail-call")})
    assert renamed.status_code == 400
    assert "Line 1:</strong> name 'call-mail-call' must stay 'my-call-mail-call'" in page(renamed)
    aliased = source.replace("rules: [R9, R1, R4]", "rules: &r [R9]\nlimits: *r")
    text = page(client.post(url, {"source": aliased}))
    assert "Line 4:</strong> YAML anchors and aliases (&name, *name) are not allowed" in text
    empty = client.post(url, {"source": "   "})
    assert empty.status_code == 400
    assert 'id="source-error" role="alert">The playbook is empty' in page(empty)
    assert PlaybookVersion.objects.filter(playbook__name="my-call-mail-call").count() == 1
    assert Playbook.objects.filter(account=sally, name="call-mail-call", is_builtin=True).exists()


# --- Preview --------------------------------------------------------------------------------


def _rows(text: str) -> list[tuple[str, datetime, datetime]]:
    found = re.findall(r'data-channel="(\w+)" data-start="([^"]+)" data-end="([^"]+)"', text)
    return [(c, datetime.fromisoformat(s), datetime.fromisoformat(e)) for c, s, e in found]


def test_preview_plans_from_now_inside_calling_hours_in_the_contacts_zone(sally, client):
    # A Los Angeles number: the plan is in Pacific time; a Florida one keeps Florida's 8-20 hours.
    # The seller works every day here: this checks zones, not how a Monday-Friday week fits four
    # calls into two weeks (with some seeds only three fit: see the session note of issue 11).
    from ringback.accounts.services import account_update

    account_update(account=sally, working_days="mon-sun")
    lee = add_contact(sally, "Lee", phone="213-555-0147", last_name="Park")
    response = client.get(
        f"/playbooks/four-calls-two-weeks/preview/?contact={lee.pk}", HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    text = page(response)
    assert "<html" not in text
    assert "plan for <strong>Lee Park</strong>, starting now (Mon 23 Nov, 06:00 PST)" in text
    assert "local time: <strong>America/Los_Angeles</strong>" in text
    rows = _rows(text)
    assert [c for c, _, _ in rows] == ["call"] * 4
    assert rows[0][1] >= NOW
    for _, start, end in rows:
        assert start.utcoffset() == timedelta(hours=-8)
        assert time(8) <= start.time() and end.time() <= time(21) and start < end
    assert "PST" in text and "Then the playbook has run out; Ringback starts again around" in text

    flo = add_contact(sally, "Flo", phone="305-555-0100")
    rows = _rows(page(client.get(f"/playbooks/steady-weekly/preview/?contact={flo.pk}")))
    assert len(rows) == 5
    assert all(time(8) <= s.time() and e.time() <= time(20) for _, s, e in rows)


def test_preview_of_the_sample_and_of_someone_who_asked_not_to_be_contacted(sally, client):
    detail = page(client.get("/playbooks/call-mail-call/"))
    assert "plan for <strong>a prospect in New York</strong>, starting now (Mon 23 Nov, 09:00 EST)" in detail
    rows = _rows(detail)
    assert [c for c, _, _ in rows] == ["call", "mail", "call"]
    # The first call is today, in one of the parts of the day the seed picks (ids differ by database).
    first = rows[0][1]
    assert first.date().isoformat() == "2026-11-23" and first.utcoffset() == timedelta(hours=-5)
    assert first >= NOW and time(8) <= first.time() < time(21)
    assert "Card in the mail · step 2 · script <code>note-with-offer</code>" in detail
    sample = page(client.get("/playbooks/call-mail-call/preview/?contact=sample"))
    assert _rows(sample) == rows and "<html" in sample
    nope = add_contact(sally, "Nope")
    Contact.objects.filter(pk=nope.pk).update(do_not_contact=True)
    text = page(client.get(f"/playbooks/call-mail-call/preview/?contact={nope.pk}", HTTP_HX_REQUEST="true"))
    assert "Nope asked not to be contacted, so Ringback would not enroll them." in text
    assert _rows(text) == []
    bad = client.get("/playbooks/call-mail-call/preview/?contact=abc")
    assert bad.status_code == 400 and "Pick someone from the list." in page(bad)


def test_preview_picker_lists_fifty_names_and_searches_and_escapes(sally, client):
    for number in range(52):
        add_contact(sally, f"Person{number:02d}", last_name="Zed")
    add_contact(sally, "<script>alert(1)</script>", last_name="Aaron")
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/playbooks/call-mail-call/")
    raw = response.content.decode()
    assert "<script>alert(1)</script>" not in raw and "&lt;script&gt;alert(1)&lt;/script&gt; Aaron" in raw
    assert raw.count('<option value="') == 51  # the sample and 50 contacts
    assert "Showing the first 50 by name" in raw
    assert len(queries) <= 15
    found = client.get("/playbooks/call-mail-call/preview/contacts/?q=person51", HTTP_HX_REQUEST="true")
    text = page(found)
    assert "Person51 Zed" in text and "Person50" not in text and "Contacts matching “person51”" in text
    none = page(client.get("/playbooks/call-mail-call/preview/contacts/?q=nobody"))
    assert "No contact matches “nobody”" in none
    evil = Contact.objects.get(first_name="<script>alert(1)</script>")
    shown = client.get(f"/playbooks/call-mail-call/preview/?contact={evil.pk}", HTTP_HX_REQUEST="true")
    assert "<script>alert(1)</script>" not in shown.content.decode()


def test_preview_picker_search_ignores_accents_and_case(sally, client):
    add_contact(sally, "José", last_name="Pérez")
    add_contact(sally, "Ana", last_name="Nunez")
    for query, shown, hidden in [("jose", "José Pérez", "Ana Nunez"), ("NÚÑEZ", "Ana Nunez", "José Pérez")]:
        text = page(
            client.get(f"/playbooks/call-mail-call/preview/contacts/?q={query}", HTTP_HX_REQUEST="true")
        )
        assert shown in text and hidden not in text, query


# --- Accounts, security ---------------------------------------------------------------------


def test_another_account_gets_404_for_its_own_playbooks_and_sees_its_own_builtins(sally, client):
    playbook_duplicate(account=sally, name="call-mail-call")
    mary = add_contact(sally, "Mary")
    enrollment_start(account=sally, contact=mary, playbook="call-mail-call")
    playbook_add(account=sally, text=builtin_text("call-mail-call").replace("3-4 days", "4-5 days"))
    bob = make_account("bob")
    other = client_for(bob)
    base = "/playbooks/my-call-mail-call/"
    for url in (base, base + "edit/", base + "preview/", base + "preview/contacts/"):
        assert other.get(url).status_code == 404, url
    for url in (base + "edit/", base + "check/", base + "duplicate/"):
        assert other.post(url, {"source": "name: x", "new_name": "stolen"}).status_code == 404, url
    assert other.get(f"/playbooks/call-mail-call/preview/?contact={mary.pk}").status_code == 404
    assert not Playbook.objects.filter(account=bob, name="stolen").exists()
    # Built-in names are the other account's own copies.
    text = page(other.get("/playbooks/call-mail-call/"))
    assert f"version {shipped('call-mail-call')}" in text and "nobody is running it right now" in text
    assert "Wait 3–4 days" in text
    assert "my-call-mail-call" not in page(other.get("/playbooks/"))
    assert other.get("/playbooks/no-such-playbook/").status_code == 404


def test_csrf_is_enforced_and_pages_need_a_login(sally):
    strict = client_for(sally, enforce_csrf_checks=True)
    playbooks = Playbook.objects.count()
    assert strict.post("/playbooks/call-mail-call/duplicate/", {"new_name": "sneaky"}).status_code == 403
    assert strict.post("/playbooks/call-mail-call/check/", {"source": "x"}).status_code == 403
    assert Playbook.objects.count() == playbooks
    # With the token from the page it goes through.
    token = re.search(
        r'name="csrfmiddlewaretoken" value="([^"]+)"',
        strict.get("/playbooks/call-mail-call/").content.decode(),
    )
    assert token is not None
    ok = strict.post(
        "/playbooks/call-mail-call/duplicate/", {"new_name": "fine", "csrfmiddlewaretoken": token.group(1)}
    )
    assert ok.status_code == 302
    anonymous = Client()
    for url in ("/playbooks/", "/playbooks/call-mail-call/", "/playbooks/call-mail-call/edit/"):
        response = anonymous.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/login/")
    assert Client().get("/playbooks/").status_code == 302
    assert client_for(sally).get("/playbooks/call-mail-call/duplicate/").status_code == 405
    assert Enrollment.objects.count() == 0


def test_a_stored_version_that_no_longer_reads_shows_why_and_can_be_fixed(sally, client):
    copy = playbook_duplicate(account=sally, name="steady-weekly")
    broken = copy.source.replace("channel: call", "channel: fax", 1)
    PlaybookVersion.objects.create(
        account=sally, playbook=copy.playbook, number=2, source=broken, created_at=NOW
    )
    assert "This version can't be read: my-steady-weekly.yaml" in page(client.get("/playbooks/"))
    detail = client.get("/playbooks/my-steady-weekly/")
    assert detail.status_code == 200
    assert "channel 'fax' is not one of" in page(detail) and "Fix it in the editor" in page(detail)
    preview = client.get("/playbooks/my-steady-weekly/preview/", HTTP_HX_REQUEST="true")
    assert "there is no plan to show" in page(preview)
    fixed = client.post("/playbooks/my-steady-weekly/edit/", {"source": copy.source, "base_version": "2"})
    assert fixed.status_code == 302
    assert PlaybookVersion.objects.get(playbook=copy.playbook, number=3).source == copy.source
