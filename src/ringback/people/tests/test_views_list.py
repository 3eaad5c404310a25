"""The contact list: search as you type, filters, keyset pages, bulk actions, adding a contact."""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ringback.accounts.models import Account
from ringback.activities.services import touch_log
from ringback.contacts.models import Contact, Tag
from ringback.contacts.services import PhoneInput, contact_create, contact_tag
from ringback.people.tests.conftest import NOW, make_account, signed_in
from ringback.playbooks.models import Enrollment
from ringback.playbooks.services import enrollment_start

LIST = reverse("contacts:list")
BULK = reverse("contacts:bulk")
ADD = reverse("contacts:add")

pytestmark = pytest.mark.django_db


def person(
    account: Account, first: str, last: str = "", phone: str | None = "212-555-0100", **extra
) -> Contact:
    phones = [PhoneInput(phone)] if phone else []
    return contact_create(account=account, first_name=first, last_name=last, phones=phones, **extra)


def names(html: str) -> list[str]:
    """The contact names listed, in order."""
    return [unescape(n) for n in re.findall(r'class="contact-name">([^<]*)</a>', html)]


def test_sign_in_required():
    response = Client().get(LIST)
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_search_by_name_company_email_and_phone_full_page_and_partial(account, client):
    person(account, "Mary", "Smith", company="Acme Bakery", emails=["mary@example.com"], phone="212-555-0123")
    person(account, "Tom", "Jones", company="Jones & Sons", emails=["tom@example.org"], phone="212-555-0177")
    person(account, "Ann", "Lee", phone=None)

    page = client.get(LIST, {"q": "smith"}).content.decode()
    assert names(page) == ["Mary Smith"]
    assert "<html" in page and 'hx-trigger="input changed delay:250ms, search"' in page
    assert re.search(r'<label for="id_q">Search contacts</label>', page)

    for query, expected in [
        ("acme", ["Mary Smith"]),
        ("MARY@EX", ["Mary Smith"]),
        ("example.org", ["Tom Jones"]),
        ("mary smith", ["Mary Smith"]),
        ("555-0177", ["Tom Jones"]),
        ("(212) 555-0123", ["Mary Smith"]),
        ("+1 212 555 0123", ["Mary Smith"]),
        ("jones sons", ["Tom Jones"]),
        ("", ["Tom Jones", "Ann Lee", "Mary Smith"]),
    ]:
        partial = client.get(LIST, {"q": query}, HTTP_HX_REQUEST="true").content.decode()
        assert "<html" not in partial, query
        assert names(partial) == expected, query

    nothing = client.get(LIST, {"q": "zebra"}, HTTP_HX_REQUEST="true").content.decode()
    assert names(nothing) == [] and "No contact matches “zebra”" in nothing


def test_search_ignores_accents_and_case_both_ways(account, client):
    """Typed with or without accents, in any case: "nunez" finds Ana Núñez and "JOSÉ" finds jose."""
    person(account, "Ana", "Núñez", phone="212-555-0101")
    person(account, "Claire", "Lefèvre", company="Crème Brûlée SARL", phone="212-555-0102")
    person(account, "jose", "perez", phone="212-555-0103")
    person(account, "Zoë", "Smith", emails=["zoë@exämple.fr"], phone="212-555-0104")
    person(account, "Nunez", "Bakery", phone="212-555-0105")
    for query, expected in [
        ("nunez", ["Nunez Bakery", "Ana Núñez"]),
        ("NÚÑEZ", ["Nunez Bakery", "Ana Núñez"]),
        ("ana nunez", ["Ana Núñez"]),
        ("lefevre", ["Claire Lefèvre"]),
        ("LEFÈVRE", ["Claire Lefèvre"]),
        ("creme brulee", ["Claire Lefèvre"]),
        ("JOSÉ", ["jose perez"]),
        ("josé pérez", ["jose perez"]),
        ("Pé", ["jose perez"]),  # shorter than a trigram: read from the rows, folded all the same
        ("ñu", ["Nunez Bakery", "Ana Núñez"]),
        ("zoe", ["Zoë Smith"]),
        ("example.fr", ["Zoë Smith"]),
    ]:
        partial = client.get(LIST, {"q": query}, HTTP_HX_REQUEST="true").content.decode()
        assert names(partial) == expected, query
    # The names are kept as typed.
    page = client.get(LIST, {"q": "nunez"}).content.decode()
    assert "Ana Núñez" in unescape(page)


def test_history_restore_gets_the_whole_page(account, client):
    person(account, "Mary", "Smith")
    response = client.get(LIST, {"q": "mary"}, HTTP_HX_REQUEST="true", HTTP_HX_HISTORY_RESTORE_REQUEST="true")
    assert "<html" in response.content.decode()


def test_each_filter(account, client):
    mary = person(account, "Mary", "Smith", status="customer", warmth="customer", tags=["vip"])
    tom = person(account, "Tom", "Jones", phone="212-555-0101")
    ann = person(account, "Ann", "Lee", warmth="stranger", phone="212-555-0102")
    enrollment_start(account=account, contact=tom, playbook="call-mail-call")
    enrollment_start(account=account, contact=ann, playbook="four-calls-two-weeks")
    touch_log(account=account, contact=ann, outcome="voicemail")

    def listed(**params: str) -> list[str]:
        return names(client.get(LIST, params, HTTP_HX_REQUEST="true").content.decode())

    assert listed(tag="vip") == ["Mary Smith"]
    assert listed(status="customer") == ["Mary Smith"]
    assert listed(warmth="stranger") == ["Ann Lee"]
    assert listed(playbook="call-mail-call") == ["Tom Jones"]
    assert listed(playbook="four-calls-two-weeks") == ["Ann Lee"]
    assert listed(never="on") == ["Tom Jones", "Mary Smith"]
    assert listed(never="on", tag="vip") == ["Mary Smith"]
    assert listed(tag="nope") == ["Tom Jones", "Ann Lee", "Mary Smith"]  # not a choice: ignored
    assert mary.pk and Contact.objects.get(pk=ann.pk).last_called_at == NOW

    page = client.get(LIST, {"playbook": "call-mail-call"}).content.decode()
    assert "Call-Mail-Call · step 1 of 3" in page and "Never called" in page


def walk(client: Client, params: dict[str, str] | None = None) -> tuple[list[list[str]], list[str]]:
    """Follow the "Next page" links from the first page; return each page's names and the texts."""
    pages, texts = [], []
    url = LIST + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else "")
    for _ in range(50):
        html = client.get(url).content.decode()
        pages.append(names(html))
        texts.append(html)
        found = re.search(r'href="(/contacts/\?[^"]*after=[^"]+)"', html)
        if not found:
            break
        url = unescape(found.group(1))
    return pages, texts


def test_keyset_pages_repeat_nobody_and_skip_nobody(account, client):
    people = []
    for n in range(125):
        last = ["Smith", "Jones", "Brown", "Smith"][n % 4]
        first = ["Ann", "Bob", "Cy"][n % 3]  # many exact duplicates of a whole name
        people.append(person(account, first, last, phone=None))
    pages, texts = walk(client)
    assert [len(p) for p in pages] == [50, 50, 25]
    seen = [n for page in pages for n in page]
    expected = sorted(people, key=lambda c: (c.last_name, c.first_name, c.pk))
    assert seen == [c.name for c in expected]
    hrefs = [re.findall(r'href="/contacts/(\d+)/"', t) for t in texts]
    ids = [int(i) for page in hrefs for i in page]
    assert ids == [c.pk for c in expected] and len(set(ids)) == 125
    assert "Showing 50" in texts[0] and "Showing 25" in texts[2]
    assert "Next page" not in texts[2] and "First page" in texts[1]

    # Pages keep the filters.
    vip = [c for c in people if c.last_name == "Smith"][:60]
    contact_tag(account=account, contacts=vip, tags=["vip"])
    pages, _ = walk(client, {"tag": "vip"})
    assert [len(p) for p in pages] == [50, 10]


def test_damaged_cursor_shows_the_first_page(account, client):
    person(account, "Mary", "Smith")
    for token in ("garbage!", "WzEsMiwzXQ", "e30"):
        response = client.get(LIST, {"after": token})
        assert response.status_code == 200 and names(response.content.decode()) == ["Mary Smith"]


def _list_queries(client: Client, **params: str) -> tuple[int, list[str]]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(LIST, params)
    assert response.status_code == 200
    return len(queries), [q["sql"] for q in queries.captured_queries]


def test_a_page_costs_the_same_queries_for_10_and_60_contacts(account, client):
    def add(count: int, start: int) -> None:
        for n in range(start, start + count):
            contact = person(account, f"P{n:03d}", "Same", phone=f"212-555-{n:04d}", tags=["t1", "t2"])
            if n % 2:
                enrollment_start(account=account, contact=contact, playbook="call-mail-call")

    add(10, 0)
    small, _ = _list_queries(client)
    add(50, 10)
    large, sqls = _list_queries(client)
    assert small == large <= 10
    joined = " ".join(sqls).upper()
    assert "OFFSET" not in joined and "COUNT(" not in joined
    searched, _ = _list_queries(client, q="same", tag="t1", never="on")
    assert searched <= 10


def test_bulk_enroll_reports_enrolled_and_skipped_with_reasons(account, client):
    mary = person(account, "Mary", "Smith")
    tom = person(account, "Tom", "Jones", phone="212-555-0101")
    ann = person(account, "Ann", "Lee", phone="212-555-0102")
    enrollment_start(account=account, contact=tom, playbook="four-calls-two-weeks")
    Contact.objects.filter(pk=ann.pk).update(do_not_contact=True)

    response = client.post(
        BULK,
        {"bulk-action": "enroll", "bulk-playbook": "call-mail-call", "bulk-ids": [mary.pk, tom.pk, ann.pk]},
        HTTP_HX_REQUEST="true",
    )
    html = unescape(response.content.decode())
    assert response.status_code == 200 and "<html" not in html
    assert "Enrolled 1 in Call-Mail-Call" in html and "skipped 2" in html
    assert "Tom Jones</a>: Tom Jones is already in four-calls-two-weeks" in html
    assert "Ann Lee</a>: Ann Lee asked not to be contacted" in html
    assert Enrollment.objects.get(contact=mary).version.playbook.name == "call-mail-call"
    assert not Enrollment.objects.filter(contact=ann).exists()

    # Replace switches the running one; without JavaScript the whole page comes back.
    response = client.post(
        BULK,
        {
            "bulk-action": "enroll",
            "bulk-playbook": "call-mail-call",
            "bulk-replace": "on",
            "bulk-ids": [tom.pk],
        },
    )
    assert (
        "<html" in response.content.decode() and "Enrolled 1 in Call-Mail-Call" in response.content.decode()
    )
    assert Enrollment.objects.get(contact=tom, status="active").version.playbook.name == "call-mail-call"


def test_bulk_tag_and_bad_bulk_input(account, client):
    mary = person(account, "Mary", "Smith")
    tom = person(account, "Tom", "Jones", phone="212-555-0101")
    response = client.post(
        BULK,
        {"bulk-action": "tag", "bulk-tag": " party 2026 ", "bulk-ids": [mary.pk, tom.pk]},
        HTTP_HX_REQUEST="true",
    )
    assert "Tagged 2 contacts “party 2026”" in unescape(response.content.decode())
    assert set(Tag.objects.get(account=account, name="party 2026").contacts.all()) == {mary, tom}

    for data, message in [
        ({"bulk-action": "tag", "bulk-tag": "x"}, "Tick at least one contact first."),
        ({"bulk-action": "tag", "bulk-ids": [mary.pk]}, "Type the tag to add."),
        ({"bulk-action": "warmth", "bulk-ids": [mary.pk]}, "Choose the warmth to give them."),
        (
            {"bulk-action": "warmth", "bulk-warmth": "hot", "bulk-ids": [mary.pk]},
            "Pick one of the warmths listed.",
        ),
        (
            {"bulk-action": "enroll", "bulk-playbook": "nope", "bulk-ids": [mary.pk]},
            "not one of the available",
        ),
    ]:
        response = client.post(BULK, data)
        assert response.status_code == 400
        assert message in response.content.decode()
    assert not Enrollment.objects.exists()
    assert Tag.objects.filter(account=account).count() == 1


def test_bulk_never_touches_another_accounts_contacts(account, client):
    other = make_account("olga")
    theirs = person(other, "Olga", "Other")
    response = client.post(BULK, {"bulk-action": "tag", "bulk-tag": "mine", "bulk-ids": [theirs.pk]})
    assert response.status_code == 400
    assert "None of the ticked contacts could be found" in response.content.decode()
    assert not theirs.tags.exists() and not Tag.objects.filter(name="mine").exists()
    assert names(client.get(LIST, {"q": "olga"}).content.decode()) == []


def test_empty_state_says_what_to_do_and_offers_the_add_form(client):
    html = client.get(LIST).content.decode()
    assert f'No contacts yet — <a href="{reverse("contacts:import")}">import the ones you have</a>' in html
    assert f'action="{ADD}"' in html and 'for="id_phone"' in html and 'for="id_tags"' in html


def test_add_contact_errors_next_to_the_field_and_nothing_created(account, client):
    cases = [
        ({"first_name": "Mary", "phone": "12", "phone_label": "mobile"}, "phone", "is not a phone number"),
        ({"first_name": "", "phone": "", "phone_label": "mobile"}, "first_name", "Give a first name"),
        (
            {"first_name": "Mary", "email": "not-an-email", "phone_label": "mobile"},
            "email",
            "not an email address",
        ),
        ({"first_name": "Mary", "phone_label": "satellite"}, "phone_label", "Select a valid choice"),
    ]
    for data, field, message in cases:
        response = client.post(ADD, data)
        html = unescape(response.content.decode())
        assert response.status_code == 400
        error = re.search(
            rf'<small id="id_{field}_error" class="field-error" role="alert">([^<]*)</small>', html
        )
        assert error and message in error.group(1), (field, html[:300])
        assert (
            f'aria-describedby="id_{field}_error"' in html
            or f'aria-describedby="id_{field}_helptext id_{field}_error"' in html
        )
        assert 'aria-invalid="true"' in html
    assert not Contact.objects.exists()


def test_add_contact_creates_and_a_second_submit_says_it_exists(account, client):
    data = {
        "first_name": "Mary",
        "last_name": "Smith",
        "phone": "(312) 555-0123",
        "phone_label": "work",
        "email": "Mary@Example.com",
        "tags": "vip, party",
    }
    response = client.post(ADD, data)
    mary = Contact.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("contacts:detail", args=[mary.pk])
    assert mary.time_zone == "America/Chicago"
    assert mary.phones.get().label == "work" and mary.emails.get().address == "mary@example.com"
    assert sorted(t.name for t in mary.tags.all()) == ["party", "vip"]

    again = client.post(ADD, data)
    assert again.status_code == 400
    assert "Mary Smith already has this number." in again.content.decode()
    assert Contact.objects.count() == 1


def test_csrf_is_enforced(account):
    client = signed_in(account, Client(enforce_csrf_checks=True))
    response = client.post(ADD, {"first_name": "Mary"})
    assert response.status_code == 403 and not Contact.objects.exists()
    page = client.get(ADD).content.decode()
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert found is not None
    token = found.group(1)
    response = client.post(ADD, {"first_name": "Mary", "phone_label": "mobile", "csrfmiddlewaretoken": token})
    assert response.status_code == 302 and Contact.objects.count() == 1


def test_a_script_in_a_name_is_shown_as_text(account, client):
    person(account, "<script>alert(1)</script>", "Smith", tags=["<b>x</b>"])
    for html in (client.get(LIST).content.decode(), client.get(LIST, {"q": "<script>"}).content.decode()):
        assert "<script>alert(1)</script>" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
        assert "<b>x</b>" not in html
