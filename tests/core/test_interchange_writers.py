"""Contact files out: Google Contacts CSV (exact header and cells, formula neutralisation and its
inverse) and vCard 4.0 (exact lines, escaping, folding at 75 octets, parsed back with vobject)."""

from __future__ import annotations

import csv
import io

import pytest
import vobject
from hypothesis import given
from hypothesis import strategies as st

from ringback.core.interchange.records import Birthday, Card, CardAddress, CardEmail, CardPhone
from ringback.core.interchange.writers import (
    fold,
    google_csv_lines,
    google_header,
    neutralise,
    unneutralise,
    write_google_csv,
    write_vcard,
)

ZOE = Card(
    row=1,
    first_name="Zoé",
    last_name="O'Brien",
    company="Crème & Co, Ltd.",
    title="Owner",
    phones=(
        CardPhone("+12125550100", "mobile"),
        CardPhone("+12125550199", "work", extension="12"),
        CardPhone("020 7946 0000", "home"),
    ),
    emails=(CardEmail("zoe@example.com", "home"), CardEmail("zoe@creme.example", "work")),
    addresses=(CardAddress("home", "12 Rue de l'Église\nBât. B", "Montréal", "QC", "H2X 1Y4", "Canada"),),
    birthday=Birthday(month=4, day=12),
    tags=("vip", "party 2025"),
    notes='Met at the fair.\nLikes "dark" roast; call after 5, ok?',
)

MARY = Card(
    row=2,
    first_name="Mary Ann",
    last_name="Smith-Jones",
    phones=(CardPhone("+442079460000", "other"),),
    birthday=Birthday(month=2, day=29, year=1980),
    tags=("a ::: b",),
    notes='=HYPERLINK("http://x")',
)

HEADER = (
    "First Name,Middle Name,Last Name,Phonetic First Name,Phonetic Middle Name,Phonetic Last Name,"
    "Name Prefix,Name Suffix,Nickname,File As,Organization Name,Organization Title,"
    "Organization Department,Birthday,Notes,Photo,Labels,"
    "E-mail 1 - Label,E-mail 1 - Value,E-mail 2 - Label,E-mail 2 - Value,"
    "Phone 1 - Label,Phone 1 - Value,Phone 2 - Label,Phone 2 - Value,Phone 3 - Label,Phone 3 - Value,"
    "Address 1 - Label,Address 1 - Formatted,Address 1 - Street,Address 1 - City,Address 1 - PO Box,"
    "Address 1 - Region,Address 1 - Postal Code,Address 1 - Country,Address 1 - Extended Address\r\n"
)


def google_csv(cards: list[Card], **widest: int) -> str:
    out = io.StringIO(newline="")
    assert write_google_csv(cards, out, **widest) == len(cards)
    return out.getvalue()


def test_google_csv_header_and_cells_exactly():
    text = google_csv([ZOE, MARY])
    assert text == (
        HEADER
        + 'Zoé,,O\'Brien,,,,,,,,"Crème & Co, Ltd.",Owner,,--04-12,'
        + '"Met at the fair.\nLikes ""dark"" roast; call after 5, ok?"'
        + ",,* myContacts ::: vip ::: party 2025,"
        + "Home,zoe@example.com,Work,zoe@creme.example,"
        + "Mobile,+12125550100,Work,+12125550199 ext. 12,Home,020 7946 0000,"
        + 'Home,"12 Rue de l\'Église\nBât. B\nMontréal, QC H2X 1Y4\nCanada","12 Rue de l\'Église\nBât. B",'
        + "Montréal,,QC,H2X 1Y4,Canada,\r\n"
        + 'Mary Ann,,Smith-Jones,,,,,,,,,,,1980-02-29,"\'=HYPERLINK(""http://x"")",,'
        + "* myContacts ::: a :: b,,,,,Other,+442079460000,,,,,,,,,,,,,\r\n"
    )
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert len(rows) == 3 and {len(r) for r in rows} == {36}
    assert rows[1][14] == 'Met at the fair.\nLikes "dark" roast; call after 5, ok?'


def test_header_has_one_group_of_each_at_least_and_as_many_as_asked():
    assert google_header(emails=0, phones=0, addresses=0)[17:] == [
        "E-mail 1 - Label",
        "E-mail 1 - Value",
        "Phone 1 - Label",
        "Phone 1 - Value",
        "Address 1 - Label",
        "Address 1 - Formatted",
        "Address 1 - Street",
        "Address 1 - City",
        "Address 1 - PO Box",
        "Address 1 - Region",
        "Address 1 - Postal Code",
        "Address 1 - Country",
        "Address 1 - Extended Address",
    ]
    assert google_csv([], max_emails=0, max_phones=0, max_addresses=0).count(",") == 29
    assert len(google_header(emails=2, phones=5, addresses=2)) == 17 + 4 + 10 + 18


def test_given_counts_stream_in_one_pass_and_a_one_shot_iterator_needs_them():
    lines = google_csv_lines(iter([ZOE, MARY]), max_emails=2, max_phones=3, max_addresses=1)
    assert next(lines) == HEADER
    assert len(list(lines)) == 2
    with pytest.raises(TypeError):
        next(google_csv_lines(iter([ZOE])))


def test_values_past_the_last_group_are_joined_into_it_not_dropped():
    text = google_csv([ZOE], max_emails=1, max_phones=2, max_addresses=1)
    row = next(r for r in csv.DictReader(io.StringIO(text, newline="")))
    assert row["E-mail 1 - Value"] == "zoe@example.com ::: zoe@creme.example"
    assert row["Phone 2 - Label"] == "Work ::: Home"
    # One part is not E.164, so the cell is neutralised as a whole (it starts with "+").
    assert row["Phone 2 - Value"] == "'+12125550199 ext. 12 ::: 020 7946 0000"
    assert unneutralise(row["Phone 2 - Value"]).split(" ::: ") == ["+12125550199 ext. 12", "020 7946 0000"]


def test_tags_with_the_list_separator_and_custom_labels():
    card = Card(
        row=1,
        first_name="Al",
        phones=(CardPhone("+12125550100", "Pager"),),
        emails=(CardEmail("al@example.com", "other"),),
        addresses=(CardAddress(label="Summer house", city="Nice"), CardAddress(label="home")),
        tags=("x:::y", "z::::w", "ok:colon"),
    )
    row = next(csv.DictReader(io.StringIO(google_csv([card]), newline="")))
    assert row["Labels"] == "* myContacts ::: x::y ::: z::w ::: ok:colon"
    assert row["Phone 1 - Label"] == "Pager"
    assert row["E-mail 1 - Label"] == "Other"
    assert row["Address 1 - Label"] == "Summer house" and row["Address 1 - Formatted"] == "Nice"
    assert "Address 2 - Label" not in row  # the empty address is not written


# --- formula injection -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "written"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("@SUM(1)", "'@SUM(1)"),
        ("-2+3", "'-2+3"),
        ("+1 555", "'+1 555"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("'=1", "''=1"),
        ("plain", "plain"),
        ("'Tis", "'Tis"),
        ("", ""),
    ],
)
def test_neutralise_and_back(cell, written):
    assert neutralise(cell) == written
    assert unneutralise(written) == cell


def test_dangerous_cells_are_neutralised_in_every_column_but_e164_numbers_and_birthdays():
    card = Card(
        row=1,
        first_name="=cmd|' /C calc'!A0",
        last_name="@SUM(1)",
        company="-2+3",
        title="+1 555",
        phones=(
            CardPhone("+12125550100"),
            CardPhone("+12125550101", extension="7"),
            CardPhone("=1+1", "home"),
            CardPhone("+1 555", "work"),
            CardPhone("+12125550102", extension="=1"),
        ),
        emails=(CardEmail("@example.com"),),
        addresses=(
            CardAddress(label="-home", street="=1", city="+1", region="@x", postal_code="-1", country="=2"),
        ),
        birthday=Birthday(4, 12),
        tags=("=evil",),
        notes="+ call back",
    )
    row = next(csv.DictReader(io.StringIO(google_csv([card]), newline="")))
    assert row["First Name"] == "'=cmd|' /C calc'!A0"
    assert row["Last Name"] == "'@SUM(1)"
    assert row["Organization Name"] == "'-2+3"
    assert row["Organization Title"] == "'+1 555"
    assert row["Notes"] == "'+ call back"
    assert row["Labels"] == "* myContacts ::: =evil"  # a formula only at the start of a cell
    assert row["E-mail 1 - Value"] == "'@example.com"
    assert [row[f"Phone {n} - Value"] for n in range(1, 6)] == [
        "+12125550100",
        "+12125550101 ext. 7",
        "'=1+1",
        "'+1 555",
        "'+12125550102 ext. =1",
    ]
    assert row["Birthday"] == "--04-12"
    assert [row[f"Address 1 - {part}"] for part in ("Label", "Street", "City", "Region", "Postal Code")] == [
        "'-home",
        "'=1",
        "'+1",
        "'@x",
        "'-1",
    ]
    for value in row.values():
        assert value[:1] not in set("=+-@\t\r") or value.startswith(("+1212555010", "--04-12"))


@given(st.text())
def test_unneutralise_undoes_neutralise(text):
    assert unneutralise(neutralise(text)) == text


@given(st.text())
def test_a_neutralised_cell_never_starts_a_formula(text):
    assert neutralise(text)[:1] not in {"=", "+", "-", "@", "\t", "\r"}


# --- vCard 4.0 ---------------------------------------------------------------------------------


def vcard(cards: list[Card]) -> str:
    out = io.StringIO(newline="")
    assert write_vcard(cards, out) == len(cards)
    return out.getvalue()


def test_vcard_lines_exactly():
    text = vcard([ZOE, MARY])
    assert text.split("\r\n") == [
        "BEGIN:VCARD",
        "VERSION:4.0",
        "FN:Zoé O'Brien",
        "N:O'Brien;Zoé;;;",
        "ORG:Crème & Co\\, Ltd.",
        "TITLE:Owner",
        "TEL;VALUE=uri;TYPE=cell:tel:+12125550100",
        "TEL;VALUE=uri;TYPE=work:tel:+12125550199;ext=12",
        "TEL;TYPE=home:020 7946 0000",
        "EMAIL;TYPE=home:zoe@example.com",
        "EMAIL;TYPE=work:zoe@creme.example",
        "ADR;TYPE=home:;;12 Rue de l'Église\\nBât. B;Montréal;QC;H2X 1Y4;Canada",
        "BDAY:--0412",
        "CATEGORIES:vip,party 2025",
        'NOTE:Met at the fair.\\nLikes "dark" roast\\; call after 5\\, ok?',
        "END:VCARD",
        "BEGIN:VCARD",
        "VERSION:4.0",
        "FN:Mary Ann Smith-Jones",
        "N:Smith-Jones;Mary Ann;;;",
        "TEL;VALUE=uri;TYPE=other:tel:+442079460000",
        "BDAY:19800229",
        "CATEGORIES:a ::: b",
        'NOTE:=HYPERLINK("http://x")',
        "END:VCARD",
        "",
    ]
    assert "\n" not in text.replace("\r\n", "")


def test_vcard_escapes_text():
    card = Card(
        row=1,
        company="Only; Co",
        tags=("a,b", "back\\slash"),
        notes="one\r\ntwo\rthree\\n, four; five\x07",
    )
    lines = vcard([card]).split("\r\n")
    assert "FN:Only\\; Co" in lines and "N:;;;;" in lines and "ORG:Only\\; Co" in lines
    assert "CATEGORIES:a\\,b,back\\\\slash" in lines
    assert "NOTE:one\\ntwo\\nthree\\\\n\\, four\\; five" in lines


def test_fold_at_75_octets_never_inside_a_character():
    # "NOTE:" + 69 ASCII letters puts the two-octet "é" across octet 75: it moves to the next line.
    line = "NOTE:" + "a" * 69 + "é" * 40 + "€" * 30
    folded = fold(line)
    parts = folded.split("\r\n")
    assert parts[-1] == "" and folded.endswith("\r\n")
    parts = parts[:-1]
    assert parts[0] == "NOTE:" + "a" * 69 and len(parts[0].encode()) == 74
    assert all(len(p.encode()) <= 75 for p in parts)
    assert all(p.startswith(" ") for p in parts[1:])
    assert parts[1] == " " + "é" * 37  # 1 + 74 octets
    assert "".join([parts[0], *(p[1:] for p in parts[1:])]) == line
    assert fold("x" * 75) == "x" * 75 + "\r\n"
    assert fold("x" * 76) == "x" * 75 + "\r\n x\r\n"


def test_a_long_note_with_accents_folds_and_parses_back():
    notes = "Café crème à 5 € — " * 12 + "\nfin; ok, \\ done"
    card = Card(row=1, first_name="Zoé", notes=notes)
    text = vcard([card])
    for line in text.split("\r\n"):
        assert len(line.encode("utf-8")) <= 75, line
    assert vobject.readOne(text).note.value == notes


def test_vobject_reads_back_the_values():
    cards = list(vobject.readComponents(vcard([ZOE, MARY])))
    zoe, mary = cards
    assert zoe.version.value == "4.0"
    assert zoe.fn.value == "Zoé O'Brien"
    assert (zoe.n.value.family, zoe.n.value.given) == ("O'Brien", "Zoé")
    assert zoe.org.value == ["Crème & Co, Ltd."]
    assert zoe.title.value == "Owner"
    assert [(t.value, t.params.get("TYPE")) for t in zoe.tel_list] == [
        ("tel:+12125550100", ["cell"]),
        ("tel:+12125550199;ext=12", ["work"]),
        ("020 7946 0000", ["home"]),
    ]
    assert [(e.value, e.params["TYPE"]) for e in zoe.email_list] == [
        ("zoe@example.com", ["home"]),
        ("zoe@creme.example", ["work"]),
    ]
    address = zoe.adr.value
    assert (address.street, address.city, address.region, address.code, address.country) == (
        "12 Rue de l'Église\nBât. B",
        "Montréal",
        "QC",
        "H2X 1Y4",
        "Canada",
    )
    assert zoe.bday.value == "--0412"
    assert zoe.categories.value == ["vip", "party 2025"]
    assert zoe.note.value == ZOE.notes
    assert mary.bday.value == "19800229"
    assert mary.note.value == MARY.notes
    assert mary.categories.value == ["a ::: b"]


# --- what a reader gets back -----------------------------------------------------------------

_TEXT = st.text(st.characters(blacklist_categories=("Cs", "Cc")) | st.sampled_from("\n\t"), max_size=30)
_LABEL = st.sampled_from(["mobile", "work", "home", "other"])


def _e164() -> st.SearchStrategy[str]:
    return st.from_regex(r"\+[1-9][0-9]{6,13}", fullmatch=True)


_PHONE = st.builds(
    CardPhone,
    value=_e164() | st.from_regex(r"[0-9()=@+ -]{1,15}[0-9]", fullmatch=True).map(str.strip),
    label=_LABEL,
    extension=st.sampled_from(["", "12", "7"]),
)
_CARD = st.builds(
    Card,
    row=st.just(0),
    first_name=_TEXT,
    middle_name=_TEXT,
    last_name=_TEXT,
    company=_TEXT,
    title=_TEXT,
    phones=st.lists(_PHONE, max_size=3).map(tuple),
    emails=st.lists(
        st.builds(CardEmail, address=_TEXT.filter(bool), label=st.sampled_from(["home", "work", "other"])),
        max_size=2,
    ).map(tuple),
    addresses=st.lists(
        st.builds(
            CardAddress,
            label=st.sampled_from(["home", "work", "other"]),
            street=_TEXT,
            city=_TEXT,
            region=_TEXT,
            postal_code=_TEXT,
            country=_TEXT,
        ).filter(lambda a: not a.empty),
        max_size=2,
    ).map(tuple),
    birthday=st.none()
    | st.builds(
        Birthday, month=st.integers(1, 12), day=st.integers(1, 28), year=st.none() | st.integers(1900, 2020)
    ),
    tags=st.lists(_TEXT.filter(lambda t: t and ":::" not in t), max_size=3, unique=True).map(tuple),
    notes=_TEXT,
    warmth=st.just(""),  # not exported
    notices=st.just(()),
)


def _groups(row: dict[str, str], kind: str, *parts: str) -> list[dict[str, str]]:
    """The numbered groups of a kind (``Phone 1``, ``Phone 2``...) that hold a value."""
    found, n = [], 1
    while f"{kind} {n} - Label" in row:
        group = {part: row[f"{kind} {n} - {part}"] for part in ("Label", *parts)}
        if any(group[p] for p in parts):
            found.append(group)
        n += 1
    return found


def _phone(value: str, label: str) -> CardPhone:
    number, _, extension = value.partition(" ext. ")
    return CardPhone(number, label.lower(), extension)


def _birthday(text: str) -> Birthday | None:
    if text.startswith("--"):
        month, day = text[2:].split("-")
        return Birthday(int(month), int(day))
    if text:
        year, month, day = text.split("-")
        return Birthday(int(month), int(day), int(year))
    return None


def read_google_csv(text: str) -> list[Card]:
    """What a reader of the export does: unneutralise every cell, then split lists and numbers."""
    cards = []
    for raw in csv.DictReader(io.StringIO(text, newline="")):
        row = {k: unneutralise(v) for k, v in raw.items()}
        parts = ("Street", "City", "Region", "Postal Code", "Country")
        cards.append(
            Card(
                row=0,
                first_name=row["First Name"],
                middle_name=row["Middle Name"],
                last_name=row["Last Name"],
                company=row["Organization Name"],
                title=row["Organization Title"],
                phones=tuple(_phone(g["Value"], g["Label"]) for g in _groups(row, "Phone", "Value")),
                emails=tuple(
                    CardEmail(g["Value"], g["Label"].lower()) for g in _groups(row, "E-mail", "Value")
                ),
                addresses=tuple(
                    CardAddress(g["Label"].lower(), *(g[p] for p in parts))
                    for g in _groups(row, "Address", *parts)
                ),
                birthday=_birthday(row["Birthday"]),
                tags=tuple(row["Labels"].split(" ::: ")[1:]),
                notes=row["Notes"],
            )
        )
    return cards


@given(st.lists(_CARD, max_size=4))
def test_google_csv_gives_back_what_was_written(cards):
    assert read_google_csv(google_csv(cards)) == cards


_VCARD_TYPES = {"cell": "mobile"}


def read_vcard(text: str) -> list[Card]:
    """The cards vobject reads from the vCard file."""
    cards = []
    for v in vobject.readComponents(text):
        phones = []
        for tel in getattr(v, "tel_list", []):
            label = _VCARD_TYPES.get(tel.params["TYPE"][0], tel.params["TYPE"][0])
            if tel.params.get("VALUE") == ["uri"]:
                number, _, extension = tel.value.removeprefix("tel:").partition(";ext=")
                phones.append(CardPhone(number, label, extension))
            else:
                phones.append(_phone(tel.value, label))
        cards.append(
            Card(
                row=0,
                first_name=v.n.value.given,
                middle_name=v.n.value.additional,
                last_name=v.n.value.family,
                company=v.org.value[0] if hasattr(v, "org") else "",
                title=v.title.value if hasattr(v, "title") else "",
                phones=tuple(phones),
                emails=tuple(CardEmail(e.value, e.params["TYPE"][0]) for e in getattr(v, "email_list", [])),
                addresses=tuple(
                    CardAddress(
                        a.params["TYPE"][0],
                        a.value.street,
                        a.value.city,
                        a.value.region,
                        a.value.code,
                        a.value.country,
                    )
                    for a in getattr(v, "adr_list", [])
                ),
                birthday=_birthday(
                    f"--{v.bday.value[2:4]}-{v.bday.value[4:]}"
                    if hasattr(v, "bday") and v.bday.value.startswith("--")
                    else (
                        f"{v.bday.value[:4]}-{v.bday.value[4:6]}-{v.bday.value[6:]}"
                        if hasattr(v, "bday")
                        else ""
                    )
                ),
                tags=tuple(v.categories.value) if hasattr(v, "categories") else (),
                notes=v.note.value if hasattr(v, "note") else "",
            )
        )
    return cards


@given(st.lists(_CARD, max_size=4))
def test_vcard_gives_back_what_was_written(cards):
    assert read_vcard(vcard(cards)) == cards
