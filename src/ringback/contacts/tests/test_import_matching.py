"""Whom an import merges (issue 11, #17): only on personal evidence (a mobile, an email) or the
same name. A number that is a line (called work or home, or a landline by its numbering plan)
shared by people whose names differ is a doubtful match: reported, not merged."""

from __future__ import annotations

import csv
import itertools
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from ringback.contacts.importing import contacts_import
from ringback.contacts.models import Contact, Email, Phone
from ringback.contacts.services import PhoneInput, contact_create
from ringback.contacts.tests.conftest import make_account
from ringback.core.errors import ImportFailed
from ringback.core.interchange.incoming import person_key

pytestmark = pytest.mark.django_db

counter = itertools.count()
COLUMNS = {"mobile": "mobile", "work": "work phone", "home": "home phone", "other": "other phone"}
HEADER = ["first name", "last name", "email", "cell", *COLUMNS.values()]


def write(tmp_path: Path, rows: list[dict[str, str]]) -> Path:
    path = tmp_path / f"rows{next(counter)}.csv"
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.DictWriter(out, fieldnames=HEADER, restval="")
        writer.writeheader()
        writer.writerows(rows)
    return path


NAMES = st.text(alphabet="abcéAB -", max_size=6)
LINES = st.sampled_from(["+12125550100", "+442079460000", "+34911234567"])


def row(first: str, last: str, label: str, number: str, mobile: str, email: str) -> dict[str, str]:
    return {"first name": first, "last name": last, COLUMNS[label]: number, "cell": mobile, "email": email}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    names=st.tuples(NAMES, NAMES, NAMES, NAMES),
    labels=st.tuples(st.sampled_from(list(COLUMNS)), st.sampled_from(list(COLUMNS))),
    shared=LINES,
    mobiles=st.tuples(st.booleans(), st.booleans()),
    mails=st.tuples(st.booleans(), st.booleans()),
    saved_first=st.booleans(),
)
def test_two_rows_sharing_only_a_line_whose_names_differ_never_become_one_contact(
    tmp_path: Path, names, labels, shared, mobiles, mails, saved_first
) -> None:
    first_a, last_a, first_b, last_b = names
    label_a, label_b = labels
    # A number is personal evidence only when the later row calls it a mobile and the contact
    # who has it does not call it a line; a landline by its plan never is.
    line = shared != "+12125550100" or label_b != "mobile" or label_a in ("work", "home")
    assume(line and person_key(first_a, last_a, "") != person_key(first_b, last_b, ""))
    a = row(
        first_a,
        last_a,
        label_a,
        shared,
        "917-555-0101" if mobiles[0] else "",
        "a@example.com" if mails[0] else "",
    )
    b = row(
        first_b,
        last_b,
        label_b,
        shared,
        "917-555-0202" if mobiles[1] else "",
        "b@example.com" if mails[1] else "",
    )
    account = make_account(f"match{next(counter)}")
    nobody = not (person_key(first_b, last_b, "") or mobiles[1] or mails[1])  # without the line
    if saved_first:
        assert contacts_import(account=account, path=write(tmp_path, [a])).created == 1
        try:
            run = contacts_import(account=account, path=write(tmp_path, [b]))
        except ImportFailed as failed:
            assert nobody and "not merged" in failed.message  # B's row was all there was
            assert Contact.objects.filter(account=account).count() == 1
            return
    else:
        run = contacts_import(account=account, path=write(tmp_path, [a, b]))
    assert (run.merged, run.unchanged, run.skipped, run.doubtful) == (0, 0, int(nobody), int(not nobody))
    assert Contact.objects.filter(account=account).count() == 2 - nobody
    # B's own details are never on A's contact, and the shared number stays with A.
    owner = Phone.objects.get(account=account, number=shared).contact
    assert not owner.phones.filter(number="+19175550202").exists()
    assert not Email.objects.filter(contact=owner, address="b@example.com").exists()
    assert person_key(owner.first_name, owner.last_name, "") == person_key(first_a, last_a, "")


def test_a_landline_by_its_plan_is_no_personal_evidence_even_called_a_mobile(account, tmp_path):
    contact_create(
        account=account, first_name="Mary", last_name="Smith", phones=[PhoneInput("+44 20 7946 0000")]
    )
    run = contacts_import(
        account=account, path=write(tmp_path, [row("Bob", "Jones", "mobile", "+44 20 7946 0000", "", "")])
    )
    assert (run.created, run.merged, run.doubtful) == (1, 0, 1)
    assert Contact.objects.filter(account=account).count() == 2


def test_a_shared_line_merges_on_the_same_name_whatever_the_case_and_accents(account, tmp_path):
    contact_create(account=account, first_name="Zoë", last_name="Núñez",
                   phones=[PhoneInput("212-555-0100", label="work")])  # fmt: skip
    path = write(
        tmp_path, [{**row("ZOE", "nunez", "work", "(212) 555-0100", "", ""), "email": "zoe@example.com"}]
    )
    run = contacts_import(account=account, path=path)
    assert (run.created, run.merged, run.doubtful) == (0, 1, 0)
    assert Email.objects.get(account=account).contact.first_name == "Zoë"
