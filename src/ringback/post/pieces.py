"""What goes on a card and a label, from the agenda and the address book: the note set as a note
(greeting, body, closing on their own lines), the recipient's address lines and the sender's."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ringback.core.places import country_code

#: "Dear Mary," "Hi Mary!" "Happy birthday, Mary!" at the start of a one-line note.
_GREETING = re.compile(
    r"^((?:Dear|Hi|Hello|Hey)\b[^,.!?\n]{0,60}[,!]|Happy birthday(?:,?\s+[^,.!?\n]{1,40})?[!,.])\s+(?=\S)",
    re.IGNORECASE,
)
#: "Warmly, Sally" "Best wishes, Sally Baker, Sweet Home" at the end of a one-line note.
_CLOSING = re.compile(
    r"\s+((?:Warmly|Warm regards|Warm wishes|Best|Best wishes|All the best|Love|Cheers|Thanks|"
    r"Thank you|Sincerely|Kind regards|Regards|Yours|Yours truly|With love|Fondly|Talk soon|"
    r"See you soon),\s+[^.!?\n]{1,80})$",
    re.IGNORECASE,
)

#: Countries whose addresses end "City, Region Postal code"; the others "Postal code City".
_CITY_FIRST = {"US", "CA", "AU"}
#: Countries whose postal code has a line of its own, after the city.
_CODE_BELOW = {"GB", "IE"}


def note_text(script: str) -> str:
    """A filled-in note as a card shows it, in paragraphs (separated by a blank line).

    A line end in the middle of a sentence (a template written on several lines: the line does
    not end in punctuation and the next starts in lower case) is a space; other line ends are
    kept. A paragraph written on one line gets its greeting and its closing on their own
    ("Dear Mary," / the body / "Warmly, Sally").
    """
    blocks = re.split(r"\n\s*\n", script.replace("\r\n", "\n").replace("\r", "\n").strip())
    found: list[str] = []
    for block in blocks:
        lines = [line.strip() for line in block.split("\n") if line.strip()]
        if not lines:
            continue
        joined = [lines[0]]
        for line in lines[1:]:
            if joined[-1][-1] not in _LINE_ENDS and line[0].islower():
                joined[-1] = f"{joined[-1]} {line}"
            else:
                joined.append(line)
        found += _greeting_and_closing(joined[0]) if len(joined) == 1 else ["\n".join(joined)]
    return "\n\n".join(found)


#: A line ending in one of these ends where it was written.
_LINE_ENDS = frozenset(",.;:!?")


def _greeting_and_closing(text: str) -> list[str]:
    parts: list[str] = []
    greeting = _GREETING.match(text)
    if greeting:
        parts.append(greeting.group(1))
        text = text[greeting.end() :]
    closing = _CLOSING.search(text)
    if closing and closing.start() > 0:
        parts += [text[: closing.start()], closing.group(1)]
    else:
        parts.append(text)
    return parts


@dataclass(frozen=True, slots=True)
class PostalAddress:
    """The parts of a postal address, as the address book keeps them."""

    street: str = ""
    city: str = ""
    region: str = ""
    postal_code: str = ""
    country: str = ""
    label: str = ""


def address_problem(address: PostalAddress | None) -> str:
    """Why ``address`` can't take a card ("" when it can): a street and a city or postal code
    are needed, so that nothing is ever printed half-addressed."""
    if address is None:
        return "no postal address"
    if not address.street.strip():
        return "the postal address has no street"
    if not (address.city.strip() or address.postal_code.strip()):
        return "the postal address has no city or postal code"
    return ""


def recipient_lines(*, name: str, company: str, address: PostalAddress, home_country: str) -> tuple[str, ...]:
    """The lines of the recipient's address: their name, their company when it is a work address,
    the street, the town line as the country writes it, and the country unless it is the
    seller's own (``home_country``, an ISO code)."""
    lines = [name.strip()]
    if company.strip() and address.label.strip().lower() == "work":
        lines.append(company.strip())
    lines += [line.strip() for line in address.street.splitlines() if line.strip()]
    country = address.country.strip()
    code = country_code(country, default=home_country)
    city, region, postal = address.city.strip(), address.region.strip(), address.postal_code.strip()
    if code in _CITY_FIRST:
        town = ", ".join(p for p in (city, " ".join(p for p in (region, postal) if p)) if p)
        lines.append(town)
    elif code in _CODE_BELOW:
        lines += [p for p in (city, region, postal) if p]
    else:
        lines += [p for p in (" ".join(p for p in (postal, city) if p), region) if p]
    if country and code != home_country.upper():
        lines.append(country.upper())
    return tuple(line for line in lines if line)


def sender_lines(*, seller_name: str, business_name: str, postal_address: str) -> tuple[str, ...]:
    """The return address: the seller's name, their business and their postal address (its lines);
    nothing when the seller has no postal address."""
    address = [line.strip() for line in postal_address.splitlines() if line.strip()]
    if not address:
        return ()
    head = [p.strip() for p in (seller_name, business_name) if p.strip()]
    return (*head, *address)
