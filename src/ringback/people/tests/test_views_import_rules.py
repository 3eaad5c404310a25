"""The import page's preview and report say what an import did not do as the file has it
(issue 11): doubtful matches not merged (#17), rows that hold no person skipped (#18), values
moved to the notes or left out (#19), a warmth that is not one (#21)."""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path

import pytest
from django.urls import reverse

from ringback.contacts.choices import ImportStatus
from ringback.contacts.models import Contact, ImportRun
from ringback.contacts.services import PhoneInput, contact_create
from ringback.people.tests.test_views_import import confirm_form, text_file, upload

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def data_dir(settings, tmp_path: Path) -> Path:
    """Uploads go to this test's own folder."""
    settings.DATA_DIR = tmp_path
    return tmp_path


RULES = (
    "name,work phone,mobile,email,birthday,warmth\n"
    "Mary Smith,(212) 555-0100,917-555-0101,mary@example.com,,customer\n"
    "Bob Jones,212 555 0100,917-555-0202,bob@example.com,1988-02-30,hot\n"
    ",,n/a,,,\n"
)


def text_of(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def section(html: str, title: str) -> str:
    """The text of the part of the page under the heading ``title``, up to the next heading."""
    found = re.search(rf"<h2[^>]*>{re.escape(title)}</h2>(.*?)(?=<h2|</article>)", html, re.S)
    assert found, f"no section {title!r} in:\n{text_of(html)}"
    return text_of(found.group(1))


def link(contact: Contact) -> str:
    return f'<a href="{reverse("contacts:detail", args=[contact.pk])}">{contact.name}</a>'


def test_the_preview_and_the_report_say_what_was_not_merged_skipped_moved_or_left_out(account, client):
    html = upload(client, text_file("rules.csv", RULES)).content.decode()
    found = re.search(r'<ul class="import-counts">(.*?)</ul>', html, re.S)
    assert found, html
    counts = text_of(found.group(1))
    assert "2 new contacts would be created" in counts and "1 doubtful match would not be merged" in counts
    doubtful = section(html, "Doubtful matches, not merged")
    assert "3 Bob Jones phone +12125550100 Mary Smith" in doubtful
    moved = section(html, "Values moved to the notes or left out")
    assert "3 Bob Jones birthday 1988-02-30" in moved and "notes" in moved
    assert "3 Bob Jones warmth hot" in moved and "stranger, met-once, acquainted or customer" in moved
    skipped = section(html, "Rows that would be skipped")
    assert "4 no name, no email" in skipped and "'n/a'" in skipped
    assert not Contact.objects.exists()

    action, hidden = confirm_form(html)
    done = client.post(action, hidden, follow=True)
    page = done.content.decode()
    assert ImportRun.objects.get(status=ImportStatus.DONE).doubtful == 1
    assert (
        "Imported 2 contacts from rules.csv; 1 row skipped (see below why); 1 doubtful match not merged"
        " (see below); 2 values moved to the notes or left out (see below)." in text_of(page)
    )
    mary, bob = Contact.objects.get(first_name="Mary"), Contact.objects.get(first_name="Bob")
    assert [p.number for p in bob.phones.all()] == ["+19175550202"]
    assert [e.address for e in bob.emails.all()] == ["bob@example.com"]
    assert bob.notes == "Birthday: 1988-02-30" and (mary.warmth, bob.warmth) == ("customer", "met-once")
    assert "3 Bob Jones phone +12125550100 Mary Smith" in section(page, "Doubtful matches, not merged")
    assert link(bob) in page and link(mary) in page
    assert "3 Bob Jones birthday 1988-02-30" in section(page, "Values moved to the notes or left out")
    assert "4 no name, no email" in section(page, "Skipped rows")


def test_a_doubtful_match_with_a_saved_contact_links_to_them_in_the_preview(account, client):
    mary = contact_create(
        account=account,
        first_name="Mary",
        last_name="Smith",
        phones=[PhoneInput("212-555-0100", label="work")],
    )
    html = upload(client, text_file("bob.csv", "name,work phone\nBob Jones,212 555 0100\n")).content.decode()
    assert "2 Bob Jones phone +12125550100 Mary Smith" in section(html, "Doubtful matches, not merged")
    assert link(mary) in html
    assert "1 new contact would be created" in text_of(html)


def test_a_report_without_notices_has_no_such_sections(account, client):
    html = upload(client, text_file("ok.csv", "name,phone\nAnn Lee,646-555-0101\n")).content.decode()
    assert "Doubtful matches" not in html and "moved to the notes" not in html
