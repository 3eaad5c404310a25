"""Naming contacts, playbook versions and accounts through the ``ringback`` command."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from ringback.accounts.services import account_create
from ringback.contacts.models import Contact
from ringback.playbooks.models import Enrollment

NOW = "2026-03-02T07:00:00-05:00"
PEOPLE = [
    {"name": "Mary Lopez", "phone": "305-555-0142", "email": "Mary@Example.com", "tags": "new"},
    {"name": "John Smith", "phone": "212-555-0199", "email": "john@example.com", "tags": "new"},
    {"name": "John Smithers", "phone": "212-555-0188", "email": "js@example.com", "tags": "new"},
]


@pytest.fixture
def people(ringback: Any, write_csv: Any) -> Any:
    ringback.now = NOW
    ringback.ok("import", write_csv(PEOPLE))
    return ringback


@pytest.mark.parametrize(
    "reference",
    [
        "(305) 555-0142",
        "+1 305 555 0142",
        "305.555.0142",
        "+13055550142",
        "MARY@EXAMPLE.COM",
        "lopez",
        "mary lopez",
        "ID",
        "#ID",
    ],
)
def test_a_contact_is_named_by_id_email_phone_or_part_of_the_name(people: Any, reference: str) -> None:
    mary = Contact.objects.get(last_name="Lopez")
    reference = reference.replace("ID", str(mary.pk))
    logged = people.json("log", reference, "callback")
    assert (logged["contact_id"], logged["contact_name"]) == (mary.pk, "Mary Lopez")


def test_an_exact_name_wins_over_a_longer_one(people: Any) -> None:
    assert people.json("log", "john smith", "callback")["contact_name"] == "John Smith"
    assert people.json("log", "smithers", "callback")["contact_name"] == "John Smithers"
    failed = people("log", "smith", "callback")
    assert failed.code != 0 and "'smith' matches 2 contacts" in failed.err


def test_an_enrollment_keeps_the_playbook_version_it_started_on(people: Any, tmp_path: Path) -> None:
    text = (
        "name: my-chase\n"
        "templates:\n"
        "  hello: Hi {{ contact.first_name }}, it's {{ seller.first_name }}.\n"
        "steps:\n"
        "  - {id: one, channel: call, wait: 0 days, script: hello}\n"
        "  - {id: two, channel: call, wait: WAIT, script: hello}\n"
        "finish: stop\n"
    )
    path = tmp_path / "my-chase.yaml"
    path.write_text(text.replace("WAIT", "2 days"))
    assert people.json("playbooks", "add", path) == {"name": "my-chase", "version": 1}
    people.ok("enroll", "my-chase", "--contact", "Mary Lopez")
    path.write_text(text.replace("WAIT", "10 days"))
    assert people.json("playbooks", "add", path) == {"name": "my-chase", "version": 2}
    assert people.json("playbooks", "add", path) == {
        "name": "my-chase",
        "version": 2,
    }  # same text: no new version
    assert people.json("playbooks", "show", "my-chase")["version"] == 2
    people.ok("enroll", "my-chase", "--contact", "John Smith")
    later = "2026-03-02T09:00:00-05:00"
    mary = people.json("log", "Mary Lopez", "voicemail", now=later)["next"]
    john = people.json("log", "John Smith", "voicemail", now=later)["next"]
    assert mary["due"].startswith("2026-03-04"), mary  # version 1: two days
    assert john["due"][:10] >= "2026-03-12", john  # version 2: ten days
    versions = {
        e.contact.name: e.version.number for e in Enrollment.objects.select_related("contact", "version")
    }
    assert versions == {"Mary Lopez": 1, "John Smith": 2}


def test_commands_act_for_one_account(people: Any, write_csv: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    account_create(username="bob", password=None)
    failed = people("contacts")
    assert failed.code != 0
    assert "several accounts" in failed.err and "bob" in failed.err and "seller" in failed.err
    assert people.json("contacts", "--user", "bob") == []
    assert len(people.json("contacts", "--user", "seller")) == 3
    # Bob cannot see or log the seller's contacts; his own import of the same people is his.
    assert "no contact matches" in people("log", "Mary", "voicemail", "--user", "bob").err
    assert people.json("import", write_csv(PEOPLE[:1]), "--user", "bob")["created"] == 1
    monkeypatch.setenv("RINGBACK_USER", "bob")
    (mary,) = people.json("contacts")
    assert mary["name"] == "Mary Lopez"
    assert people.json("log", "Mary", "callback")["contact_id"] == mary["id"]
    seller_mary = Contact.objects.get(account__name="seller", last_name="Lopez")
    assert seller_mary.pk != mary["id"] and seller_mary.callback_requested_at is None


ACCENTED = [
    {"name": "José Pérez", "phone": "305-555-0111", "email": "jose.perez@example.com"},
    {"name": "Ana Núñez", "phone": "305-555-0122", "company": "Lefèvre & Fils", "email": "ana@núñez.example"},
    {"name": "Rene Dubois", "phone": "305-555-0133"},
]


@pytest.fixture
def accented(ringback: Any, write_csv: Any) -> Any:
    ringback.now = NOW
    ringback.ok("import", write_csv(ACCENTED))
    return ringback


@pytest.mark.parametrize("reference", ["Jose", "jose perez", "JOSÉ PÉREZ", "pérez", "Perez"])
def test_a_reference_ignores_accents_and_case(accented: Any, reference: str) -> None:
    """``ringback log Jose voicemail`` is José Pérez: the name is kept as typed, found without it."""
    jose = Contact.objects.get(last_name="Pérez")
    logged = accented.json("log", reference, "voicemail")
    assert (logged["contact_id"], logged["contact_name"]) == (jose.pk, "José Pérez")


def test_a_reference_with_accents_finds_a_name_written_without(accented: Any) -> None:
    assert accented.json("log", "René", "callback")["contact_name"] == "Rene Dubois"
    assert accented.json("log", "RENÉ DUBOIS", "callback")["contact_name"] == "Rene Dubois"
    assert accented.json("log", "lefevre", "callback")["contact_name"] == "Ana Núñez"  # her company
    assert accented.json("log", "ANA@NUNEZ.EXAMPLE", "callback")["contact_name"] == "Ana Núñez"


def test_the_name_spelled_exactly_wins_over_the_same_name_folded(accented: Any) -> None:
    accented.ok("contacts", "add", "Jose Perez", "--phone", "305-555-0144")
    assert accented.json("log", "José Pérez", "callback")["contact_name"] == "José Pérez"
    plain = accented.json("log", "jose perez", "callback")
    assert plain["contact_name"] == "Jose Perez"
    failed = accented("log", "JOSE PÉREZ", "callback")  # spelled as neither
    assert failed.code != 0 and "matches 2 contacts" in failed.err


@pytest.mark.parametrize(
    ("search", "expected"),
    [
        ("nunez", ["Ana Núñez"]),
        ("NÚÑEZ", ["Ana Núñez"]),
        ("lefevre", ["Ana Núñez"]),
        ("josé", ["José Pérez"]),
        ("JOSE", ["José Pérez"]),
        ("rené", ["Rene Dubois"]),
        ("nunez.exa", ["Ana Núñez"]),
    ],
)
def test_contacts_search_ignores_accents_and_case(accented: Any, search: str, expected: list[str]) -> None:
    assert [c["name"] for c in accented.json("contacts", "--search", search)] == expected
