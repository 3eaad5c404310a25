"""The contact search's trigram index: it stays right through every kind of write, and is used."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ringback.accounts.models import Account
from ringback.contacts.importing import contacts_import
from ringback.contacts.models import Contact, Email, Phone
from ringback.contacts.search_index import search_index_drop, search_index_ensure
from ringback.contacts.services import EmailChange, PhoneInput, contact_create, contact_update
from ringback.contacts.tests.conftest import NOW, make_account
from ringback.core.folding import fold
from ringback.people.selectors import ContactFilters, contacts_filtered

pytestmark = pytest.mark.django_db


def found(account: Account, query: str) -> list[str]:
    return [c.name for c in contacts_filtered(account=account, filters=ContactFilters(search=query))]


@pytest.fixture
def zoe(account: Account) -> Contact:
    return contact_create(
        account=account,
        first_name="Zoë",
        last_name="Smithson",
        company="Ñúñez Bakes",
        phones=[PhoneInput("+44 20 7946 0123")],
        emails=["zoe.smithson@example.co.uk"],
    )


def test_any_part_of_a_word_any_case_accents_included(account, zoe):
    for query in ("mith", "SMITHSON", "zoë", "ZOË SMI", "ñúñ", "bakes", "example.co", "7946 0123", "46012"):
        assert found(account, query) == ["Zoë Smithson"], query
    for query in ("zoe", "ZOE SMI", "nunez", "NUÑEZ", "SMÎTHSÖN", "ëxample.co", "zo", "zö", "ÑU"):
        assert found(account, query) == ["Zoë Smithson"], query
    for query in ("smithsonian", "zoe.smithson@example.com", "79460999"):
        assert found(account, query) == [], query


def test_short_words_are_matched_too(account, zoe):
    assert found(account, "zo") == ["Zoë Smithson"]
    assert found(account, "sm th") == ["Zoë Smithson"]
    assert found(account, "qq") == []


def test_the_index_follows_renames_new_emails_and_numbers_and_deletions(account, zoe):
    Contact.objects.filter(pk=zoe.pk).update(last_name="Whitfield")
    assert found(account, "smithson") == ["Zoë Whitfield"]  # still in her email address
    Email.objects.filter(contact=zoe).update(address="zoe@whitfield.example")
    assert found(account, "smithson") == []
    assert found(account, "whitf") == ["Zoë Whitfield"]
    Email.objects.create(account=account, contact=zoe, address="bakes@orchard.example")
    Phone.objects.create(account=account, contact=zoe, number="+12125550199")
    assert found(account, "orchard") == ["Zoë Whitfield"]
    assert found(account, "5550199") == ["Zoë Whitfield"]
    zoe.delete()
    assert found(account, "whitf") == [] and found(account, "orchard") == []


def test_bulk_inserts_are_indexed(account):
    Contact.objects.bulk_create(
        Contact(account=account, first_name=f"Bulk{i:03}", last_name="Quokka", created_at=NOW, updated_at=NOW)
        for i in range(30)
    )
    assert len(found(account, "quokk")) == 30
    assert found(account, "bulk007") == ["Bulk007 Quokka"]


def test_another_accounts_contacts_never_match(account, zoe):
    other = make_account("olga")
    contact_create(account=other, first_name="Zoë", last_name="Smithson")
    assert found(other, "smithson") == ["Zoë Smithson"]
    assert [
        c.account_id for c in contacts_filtered(account=other, filters=ContactFilters(search="mith"))
    ] == [other.pk]


def test_a_lost_index_is_rebuilt_after_migrate(account, zoe):
    """A later migration that rebuilds a table on SQLite drops its triggers: migrate puts them back."""
    if connection.vendor == "postgresql":  # no index changes with deferred checks pending
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    search_index_drop(connection=connection)
    made = search_index_ensure(connection=connection)
    assert made and found(account, "mith") == ["Zoë Smithson"]
    assert search_index_ensure(connection=connection) == []
    contact_create(account=account, first_name="Mithra", last_name="Jones")
    assert found(account, "mith") == ["Mithra Jones", "Zoë Smithson"]


def test_the_sqlite_index_keeps_no_ranking_sizes(account, zoe):
    """Search never ranks, so FTS5 keeps no per-row column sizes (a table written per row)."""
    if connection.vendor != "sqlite":
        pytest.skip("FTS5 is SQLite's")
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE name LIKE 'contacts_%_fts%'")
        tables = {row[0] for row in cursor.fetchall()}
    assert "contacts_contact_fts" in tables and not any(name.endswith("_docsize") for name in tables)


@pytest.mark.parametrize("query", ["smithson", "SMÎTHSÖN"])
def test_search_reads_the_index_not_every_contact(account, zoe, query):
    """The query plan uses the trigram index of the folded columns instead of reading every
    contact and email, with accents typed or not."""
    Contact.objects.bulk_create(
        Contact(account=account, first_name=f"Filler{i}", last_name="Person", created_at=NOW, updated_at=NOW)
        for i in range(3000)
    )
    Email.objects.bulk_create(
        Email(account=account, contact=c, address=f"{c.first_name.lower()}@example.com")
        for c in Contact.objects.filter(last_name="Person")
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    with CaptureQueriesContext(connection) as queries:
        assert found(account, query) == ["Zoë Smithson"]
    sql = queries.captured_queries[-1]["sql"]
    assert "smithson" in sql and "SMÎTHSÖN" not in sql  # the folded word is what is compared
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}")
            plan = " | ".join(str(row[-1]) for row in cursor.fetchall())
            assert "VIRTUAL TABLE INDEX" in plan and "contacts_contact_fts" in plan, plan
            assert "SEARCH contacts_contact USING INTEGER PRIMARY KEY" in plan, plan
            assert not re.search(r"SCAN contacts_(contact|email)(?!_fts)", plan), plan
        else:
            cursor.execute("SET enable_seqscan = off")
            cursor.execute(f"EXPLAIN {sql}")
            plan = " | ".join(row[0] for row in cursor.fetchall())
            cursor.execute("RESET enable_seqscan")
            for index in ("contacts_contact_search_name_trgm", "contacts_email_search_text_trgm"):
                assert index in plan, plan


def test_common_and_rare_words_list_the_same_contacts_in_name_order(account, monkeypatch):
    """A common word walks the name order and stops after a page, a rare one sorts its matches:
    the list is the same either way."""
    from ringback.contacts import selectors

    for first, last in [("Ann", "Greenwood"), ("Bob", "Green"), ("Cy", "Evergreen"), ("Di", "Gray")]:
        contact_create(account=account, first_name=first, last_name=last, emails=[f"{first}@greens.example"])
    contact_create(account=account, first_name="Ed", last_name="Stone", emails=["ed@green.example"])
    expected = ["Cy Evergreen", "Di Gray", "Bob Green", "Ann Greenwood", "Ed Stone"]
    assert not selectors.search_is_common("green") and found(account, "green") == expected
    monkeypatch.setattr(selectors, "COMMON_MATCHES", 3)
    assert selectors.search_is_common("green") == (connection.vendor == "sqlite")  # PostgreSQL plans itself
    assert found(account, "green") == expected
    assert not selectors.search_is_common("green stone") and found(account, "green stone") == ["Ed Stone"]


# --- the folded columns search compares --------------------------------------------------------


def assert_folded(account: Account) -> None:
    """Every contact's and email's search columns are its names, company and address folded."""
    for contact in Contact.objects.filter(account=account):
        assert contact.search_name == fold(f"{contact.first_name} {contact.last_name}"), contact.name
        assert contact.search_company == fold(contact.company), contact.name
    for email in Email.objects.filter(account=account):
        assert email.search_text == fold(email.address), email.address


def test_the_folded_columns_follow_every_write(account, zoe):
    """Search compares stored folded copies: every way a name, company or address is written
    keeps them right (saves, updates, bulk writes, edits), and the names stay as typed."""
    assert (zoe.search_name, zoe.search_company) == ("zoe smithson", "nunez bakes")
    assert Contact.objects.get(pk=zoe.pk).first_name == "Zoë"
    assert_folded(account)
    contact_update(
        account=account,
        contact=zoe,
        first_name="Zoé",
        company="Café Ñandú",
        emails=[EmailChange(zoe.emails.get().pk, "Zoe@CAFÉ.example")],
    )
    assert_folded(account)
    assert found(account, "cafe nandu") == found(account, "zoe@cafe") == ["Zoé Smithson"]
    assert found(account, "smithson@") == []

    Contact.objects.filter(pk=zoe.pk).update(last_name="Ørsted")  # one of the names only
    assert_folded(account)
    Email.objects.filter(contact=zoe).update(address="zoe@ørsted.example")
    assert_folded(account)
    assert found(account, "orsted") == ["Zoé Ørsted"]

    zoe.refresh_from_db()
    zoe.last_name = "Ångström"
    zoe.save(update_fields=["last_name"])
    assert_folded(account)
    light = Contact.objects.only("id", "first_name").get(pk=zoe.pk)
    light.first_name = "Chloé"
    light.save()  # saves only the fields it loaded, and the folded name with them
    assert_folded(account)
    Contact.objects.bulk_update([Contact(pk=zoe.pk, first_name="Noël", last_name="Ångström")], ["first_name"])
    assert_folded(account)
    assert found(account, "noel angstrom") == ["Noël Ångström"]

    Contact.objects.bulk_create(
        Contact(account=account, first_name="Élodie", last_name=f"Rémy{i}", created_at=NOW, updated_at=NOW)
        for i in range(3)
    )
    Email.objects.bulk_create([Email(account=account, contact=zoe, address="noël@exämple.fr")])
    assert_folded(account)
    assert found(account, "elodie remy1") == ["Élodie Rémy1"]
    assert found(account, "noel@example") == ["Noël Ångström"]


def test_imports_fill_the_folded_columns_for_new_and_merged_contacts(account, tmp_path: Path):
    first = tmp_path / "first.csv"
    first.write_text(
        "name,phone,email\nAna Núñez,305-555-0122,\nRené Dubois,305-555-0133,rené@dubois.example\n"
    )
    contacts_import(account=account, path=first)
    assert_folded(account)
    again = tmp_path / "again.csv"
    again.write_text("name,phone,email,company\nAna Núñez,305-555-0122,ana@lefèvre.example,Lefèvre SA\n")
    run = contacts_import(account=account, path=again)
    assert run.merged == 1
    assert_folded(account)
    assert (
        found(account, "nunez")
        == found(account, "LEFEVRE SA")
        == found(account, "ana@lefevre")
        == ["Ana Núñez"]
    )
    assert found(account, "rene@") == ["René Dubois"]


def test_a_search_that_folds_to_nothing_lists_everyone(account, zoe):
    assert found(account, "\u0301") == ["Zoë Smithson"]  # a lone accent
