"""The contact search's trigram index: it stays right through every kind of write, and is used."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ringback.accounts.models import Account
from ringback.contacts.models import Contact, Email, Phone
from ringback.contacts.search_index import INDEXED, search_index_drop, search_index_ensure
from ringback.contacts.services import PhoneInput, contact_create
from ringback.contacts.tests.conftest import NOW, make_account
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


def test_search_reads_the_index_not_every_contact(account, zoe):
    """The query plan uses the trigram index instead of reading every contact and email."""
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
        assert found(account, "smithson") == ["Zoë Smithson"]
    sql = queries.captured_queries[-1]["sql"]
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
            for item in INDEXED[:2]:
                assert f"{item.table}_{item.columns[0]}_trgm" in plan, plan


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
