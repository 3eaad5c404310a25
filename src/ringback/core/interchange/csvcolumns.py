"""What the columns of a contact CSV hold: Google's exports (current and legacy), Outlook's, and
any other CSV, whose columns are guessed from their names or mapped by the user (``--map``).

Field specs (for ``--map COLUMN=SPEC``): ``first_name``, ``middle_name``, ``last_name``,
``name`` (a full name, split by :func:`~ringback.core.interchange.values.split_full_name`),
``company``, ``title``, ``phone[:mobile|work|home|other]``, ``email[:home|work|other]``,
``tags``, ``notes``, ``birthday``, ``warmth``, ``street``, ``city``, ``region``, ``postal_code``,
``country`` (each address part may carry ``:home|work|other``, which also says which address it
belongs to) and ``ignore``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from ringback.core.errors import ImportFailed
from ringback.core.interchange.records import FileFormat

_PHONE_LABELS = ("mobile", "work", "home", "other")
_EMAIL_LABELS = ("home", "work", "other")
_ADDRESS_LABELS = ("home", "work", "other")
ADDRESS_PARTS = ("street", "city", "region", "postal_code", "country")

FIELDS: dict[str, tuple[str, ...]] = {
    "first_name": (),
    "middle_name": (),
    "last_name": (),
    "name": (),
    "company": (),
    "title": (),
    "phone": _PHONE_LABELS,
    "email": _EMAIL_LABELS,
    "tags": (),
    "notes": (),
    "birthday": (),
    "warmth": (),
    **{part: _ADDRESS_LABELS for part in ADDRESS_PARTS},
    "ignore": (),
}
"""Field specs a user may map a column to, with the labels each accepts."""

#: Fields that name a contact, and fields that reach one: a file needs a column of either.
NAMING = frozenset({"name", "first_name", "middle_name", "last_name", "company", "nickname"})
REACHING = frozenset({"phone", "email"})
#: Fields whose value is one line: a line end in one means a quote went astray.
ONE_LINE = frozenset({"name", "first_name", "middle_name", "last_name", "phone", "email"})

_NOT_LETTERS = re.compile(r"[\W_]+")


def key(name: str) -> str:
    """A column name with case, spaces and punctuation taken out: ``E-mail Address`` is
    ``emailaddress``."""
    return _NOT_LETTERS.sub("", name.casefold())


# --------------------------------------------------------------------------- field specs


def parse_spec(spec: str) -> str:
    """``spec`` in its canonical form (``Phone:Mobile`` is ``phone:mobile``); ValueError says
    what is wrong with it."""
    what, _, label = (part.strip() for part in spec.strip().lower().partition(":"))
    if what not in FIELDS:
        raise ValueError(f"unknown field {what!r}; use one of {', '.join(FIELDS)}")
    if not label:
        return what
    allowed = FIELDS[what]
    if not allowed:
        raise ValueError(f"{what} takes no label")
    if label not in allowed:
        raise ValueError(f"{what} labels are {', '.join(allowed)}, not {label!r}")
    return f"{what}:{label}"


def parse_mapping(specs: Sequence[str]) -> dict[str, str]:
    """Parse ``--map`` arguments such as ``Cell=phone:mobile`` into {column: field spec}.

    The column is everything before the last ``=`` (stripped); it matches a CSV column name
    ignoring case. Field specs, canonical in the result: first_name, middle_name, last_name,
    name (a full name: the last word is the last name, the rest the first name; "Smith, John"
    is last name first; "John Smith Jr." keeps Jr. with Smith), company, title,
    phone[:mobile|work|home|other], email[:home|work|other], tags, notes, birthday, warmth, street,
    city, region, postal_code, country (address parts may take :home|work|other) and ignore.
    A missing ``=``, an empty column, a column given twice (ignoring case) or a bad spec raises
    :class:`ImportFailed` naming the argument.
    """
    mapping: dict[str, str] = {}
    seen: set[str] = set()
    for argument in specs:
        column, equals, spec = argument.rpartition("=")
        column = column.strip()
        if not equals or not column:
            raise ImportFailed(
                f"column mapping {argument!r}: write it as COLUMN=FIELD, e.g. 'Cell=phone:mobile'"
            )
        if column.casefold() in seen:
            raise ImportFailed(f"column mapping {argument!r}: column {column!r} is mapped twice")
        try:
            mapping[column] = parse_spec(spec)
        except ValueError as exc:
            raise ImportFailed(f"column mapping {argument!r}: {exc}") from None
        seen.add(column.casefold())
    return mapping


# --------------------------------------------------------------------------- what each format's columns mean


@dataclass(frozen=True, slots=True)
class Column:
    """What one column holds. The label is fixed, or read from another column in each row."""

    index: int
    name: str
    field: str
    label: str = ""
    label_index: int | None = None
    group: str = ""


def spec_column(index: int, name: str, spec: str) -> Column:
    """Column ``index`` called ``name``, holding what the canonical field ``spec`` says."""
    what, _, label = spec.partition(":")
    group = (label or "main") if what in ADDRESS_PARTS else ""
    return Column(index, name, what, label, group=group)


def _table(specs: dict[str, str]) -> dict[str, str]:
    """{column key: field spec} from {field spec: "column keys separated by spaces"}."""
    return {name: spec for spec, names in specs.items() for name in names.split()}


_GUESSES = _table(
    {
        "name": "name fullname contactname displayname contact person",
        "first_name": "firstname givenname forename first prenom vorname",
        "middle_name": "middlename additionalname middle middleinitial",
        "last_name": "lastname familyname surname last nom nachname",
        "company": "company companyname organization organisation organizationname org employer firma",
        "title": "title jobtitle position role jobrole",
        "phone": "phone phonenumber telephone telephonenumber tel number phoneno telefon",
        "phone:mobile": "mobile mobilephone mobilenumber cell cellphone cellnumber handy mobil",
        "phone:work": "workphone businessphone officephone worknumber officenumber",
        "phone:home": "homephone homenumber privatephone",
        "phone:other": "otherphone mainphone othernumber",
        "email": "email emailaddress mail emailadresse courriel",
        "email:work": "workemail businessemail officeemail",
        "email:home": "homeemail personalemail privateemail",
        "email:other": "otheremail",
        "tags": "tags tag labels label groups group categories category",
        "notes": "notes note comments comment remarks description",
        "birthday": "birthday dob dateofbirth birthdate bday geburtstag",
        "warmth": "warmth relationship temperature leadtemperature",
        "street": "street address streetaddress addressline adresse strasse",
        "city": "city town locality ville ort stadt",
        "region": "state region province county stateprovince stateregion",
        "postal_code": "zip zipcode postalcode postcode postal plz",
        "country": "country countryregion nation land pays",
    }
)


def guess(name: str) -> str:
    """The field spec a column name suggests (``ignore`` if none): case, spaces and
    punctuation do not count, nor does a trailing number (``Phone 2`` is a phone)."""
    found = key(name)
    return _GUESSES.get(found) or _GUESSES.get(found.rstrip("0123456789"), "ignore")


_GOOGLE = _table(
    {
        "first_name": "firstname",
        "middle_name": "middlename",
        "last_name": "lastname",
        "nickname": "nickname",
        "company": "organizationname",
        "title": "organizationtitle",
        "birthday": "birthday",
        "notes": "notes",
        "tags": "labels",
        "ignore": "phoneticfirstname phoneticmiddlename phoneticlastname nameprefix namesuffix fileas"
        " organizationdepartment photo",
    }
)

_GOOGLE_LEGACY = _table(
    {
        "name": "name",
        "first_name": "givenname",
        "middle_name": "additionalname",
        "last_name": "familyname",
        "nickname": "nickname",
        "birthday": "birthday",
        "notes": "notes",
        "tags": "groupmembership",
        "ignore": "shortname yominame givennameyomi additionalnameyomi familynameyomi nameprefix namesuffix"
        " initials maidenname gender location billinginformation directoryserver mileage occupation hobby"
        " sensitivity priority subject language photo",
    }
)

_OUTLOOK = _table(
    {
        "first_name": "firstname",
        "middle_name": "middlename",
        "last_name": "lastname",
        "nickname": "nickname",
        "company": "company",
        "title": "jobtitle",
        "birthday": "birthday",
        "notes": "notes",
        "tags": "categories",
        "email": "emailaddress email2address email3address",
        "phone:home": "homephone homephone2",
        "phone:work": "businessphone businessphone2 companymainphone",
        "phone:mobile": "mobilephone carphone",
        "phone:other": "otherphone primaryphone callback radiophone pager ttytddphone assistantsphone isdn"
        " businessfax homefax otherfax",
        # Outlook's "Title" is Mr/Ms/Dr, not a job title.
        "ignore": "title suffix givenyomi surnameyomi companyyomi telex imaddress department officelocation"
        " managersname assistantsname personalwebpage webpage spouse schools hobby location anniversary"
        " account billinginformation directoryserver gender governmentidnumber initials internetfreebusy"
        " keywords language mileage organizationalidnumber priority private profession referredby"
        " sensitivity children user1 user2 user3 user4 emailtype emaildisplayname email2type"
        " email2displayname email3type email3displayname",
    }
)
for _where, _label in (("business", "work"), ("home", "home"), ("other", "other")):
    _OUTLOOK.update(
        _table(
            {
                f"street:{_label}": f"{_where}street {_where}street2 {_where}street3 {_where}addresspobox",
                f"city:{_label}": f"{_where}city",
                f"region:{_label}": f"{_where}state",
                f"postal_code:{_label}": f"{_where}postalcode",
                f"country:{_label}": f"{_where}countryregion {_where}country",
            }
        )
    )

_GROUPED = re.compile(r"^(e-?mail|phone|address|event|organization)\s*(\d+)\s*-\s*(.+)$", re.IGNORECASE)
_GOOGLE_ADDRESS = {
    "street": "street",
    "city": "city",
    "region": "region",
    "postalcode": "postal_code",
    "country": "country",
    "pobox": "po_box",
    "extendedaddress": "extended",
    "formatted": "formatted",
}

_OUTLOOK_MARKS = frozenset(
    (
        "e-mail address",
        "e-mail 2 address",
        "mobile phone",
        "business phone",
        "home phone",
        "primary phone",
        "business fax",
        "business street",
        "home street",
        "business country/region",
    )
)


def header_format(header: Sequence[str]) -> FileFormat:
    """Which export a header row comes from (see :func:`~ringback.core.interchange.detect.detect_format`).

    Column names are compared as the exports write them (ignoring case and runs of spaces):
    someone's own "FIRST_NAME, Labels" is any other CSV, not Google's.
    """
    names = {" ".join(name.lower().split()) for name in header}
    parts = {key(found.group(3)) for name in header if (found := _GROUPED.match(name.strip()))}
    if "first name" in names and ("labels" in names or parts & {"value", "label"}):
        return FileFormat.GOOGLE
    if {"given name", "family name"} <= names or "group membership" in names or "type" in parts:
        return FileFormat.GOOGLE_LEGACY
    if names & {"first name", "last name"} and names & _OUTLOOK_MARKS:
        return FileFormat.OUTLOOK
    return FileFormat.CSV


def _google_columns(header: Sequence[str], legacy: bool) -> list[Column]:
    table = _GOOGLE_LEGACY if legacy else _GOOGLE
    labels: dict[tuple[str, str], int] = {}
    for index, name in enumerate(header):
        found = _GROUPED.match(name.strip())
        if found and key(found.group(3)) in ("label", "type"):
            labels[(key(found.group(1)), found.group(2))] = index
    columns: list[Column] = []
    for index, name in enumerate(header):
        found = _GROUPED.match(name.strip())
        if not found:
            spec = table.get(key(name)) or guess(name)
            columns.append(spec_column(index, name, spec))
            continue
        kind, number, part = key(found.group(1)), found.group(2), key(found.group(3))
        label_index = labels.get((kind, number))
        if kind in ("email", "phone", "event") and part == "value":
            columns.append(Column(index, name, kind, label_index=label_index))
        elif kind == "address" and part in _GOOGLE_ADDRESS:
            what = _GOOGLE_ADDRESS[part]
            columns.append(Column(index, name, what, label_index=label_index, group=f"address {number}"))
        elif kind == "organization" and part in ("name", "title"):
            columns.append(Column(index, name, "company" if part == "name" else "title"))
    return columns


def columns_for(file_format: FileFormat, header: Sequence[str]) -> list[Column]:
    """What each column of ``header`` holds in a file of ``file_format``; columns a format does
    not know are guessed from their names."""
    if file_format in (FileFormat.GOOGLE, FileFormat.GOOGLE_LEGACY):
        return _google_columns(header, legacy=file_format == FileFormat.GOOGLE_LEGACY)
    table = _OUTLOOK if file_format == FileFormat.OUTLOOK else {}
    return [
        spec_column(index, name, table.get(key(name)) or guess(name)) for index, name in enumerate(header)
    ]
