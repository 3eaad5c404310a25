"""No file crashes the importer: it imports, reports the row, or refuses the file — whole."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ringback.contacts.importing import contacts_import
from ringback.contacts.models import Contact, Phone
from ringback.contacts.tests.conftest import make_account
from ringback.core.errors import ImportFailed

pytestmark = pytest.mark.django_db

HEADERS = (
    "name", "First Name", "Last Name", "Phone 1 - Value", "Phone 1 - Label", "E-mail 1 - Value",
    "Labels", "Notes", "Birthday", "Mobile Phone", "E-mail Address", "Company", "tags", "cell",
    "Address 1 - City", "Address 1 - Region", "Organization Name", "zip",
)  # fmt: skip
CELLS = st.one_of(
    st.text(max_size=30),
    st.sampled_from(
        ("+1 212 555 0100", "555-12", "(646) 555-0101 ext. 7", "ann@example.com", "a@b ::: c@d", "--04-12",
         "1985-13-45", "=SUM(1)", "'+15550100", "* myContacts ::: Friends", "Zoë Ñúñez", "\n", '"')
    ),
)  # fmt: skip
counter = itertools.count()


def accounted(account, run) -> None:
    assert run.rows == run.created + run.merged + run.unchanged + run.skipped
    assert Contact.objects.filter(account=account).count() == run.created
    assert all(isinstance(row, int) and reason for row, reason in run.problems)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    header=st.lists(st.sampled_from(HEADERS), min_size=1, max_size=8, unique=True),
    rows=st.lists(st.lists(CELLS, max_size=9), max_size=8),
    delimiter=st.sampled_from([",", ";", "\t"]),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16"]),
)
def test_no_generated_csv_crashes_the_importer(tmp_path: Path, header, rows, delimiter, encoding) -> None:
    account = make_account(f"fuzz{next(counter)}")
    lines = [delimiter.join(header)] + [
        delimiter.join('"' + c.replace('"', '""') + '"' if delimiter in c or '"' in c else c for c in row)
        for row in rows
    ]
    path = tmp_path / f"fuzz{next(counter)}.csv"
    path.write_bytes("\r\n".join(lines).encode(encoding, errors="replace"))
    try:
        run = contacts_import(account=account, path=path)
    except ImportFailed as exc:
        assert path.name in exc.message
        assert not Contact.objects.filter(account=account).exists()
        return
    accounted(account, run)


VCARD_LINES = st.sampled_from(
    (
        "BEGIN:VCARD", "VERSION:3.0", "VERSION:4.0", "FN:Ann Lee", "N:Lee;Ann;;;", "TEL;TYPE=CELL:+1 212 555 0100",
        "item1.TEL:555-12", "item1.X-ABLabel:_$!<Mobile>!$_", "EMAIL:ann@example.com", "BDAY:--0412",
        "BDAY;X-APPLE-OMIT-YEAR=1604:1604-04-12", "TEL;VALUE=uri:tel:+1-555-555-0100;ext=102",
        "NOTE:Line one\\nLine two\\, with comma", " folded continuation", "CATEGORIES:a,b", "ORG:Acme;Sales",
        "PHOTO;ENCODING=b;TYPE=JPEG:AAAA", "END:VCARD", "garbage without colon", "X-BROKEN;;;=:",
    )
)  # fmt: skip


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(lines=st.lists(st.one_of(VCARD_LINES, st.text(max_size=20)), max_size=25))
def test_no_generated_vcard_crashes_the_importer(tmp_path: Path, lines) -> None:
    account = make_account(f"fuzz{next(counter)}")
    path = tmp_path / f"fuzz{next(counter)}.vcf"
    path.write_text("\r\n".join(lines), encoding="utf-8", errors="replace")
    before = Phone.objects.count()
    try:
        run = contacts_import(account=account, path=path, file_format=None)
    except ImportFailed as exc:
        assert path.name in exc.message
        assert Phone.objects.count() == before
        return
    accounted(account, run)
