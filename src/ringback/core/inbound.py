"""Reading what arrives in the seller's mailbox, in plain Python: is it a reply from a person, an
automatic answer (an out-of-office among them, with the day they are back), a bounce, or the
seller's own mail; which sent messages it answers; and the first lines of what they wrote.

Automatic answers follow RFC 3834 (``Auto-Submitted`` other than ``no``) and the headers mail
systems use instead (``X-Autoreply``, ``X-Autorespond``, ``Precedence: auto_reply|bulk|junk``,
``X-Auto-Response-Suppress``, an empty ``Return-Path``), and the subjects out-of-office notices
carry when they set none of those. A bounce is a delivery status notification (RFC 3464:
``multipart/report; report-type=delivery-status``) with a failed recipient.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from email.message import EmailMessage, Message
from email.utils import parseaddr, parsedate_to_datetime
from enum import StrEnum

from ringback.core.interchange.values import MONTHS

#: Subjects of out-of-office notices (English, and the common ones of other languages).
_OOO_SUBJECT = re.compile(
    r"\b(out of (the )?office|ooo\b|automatic reply|auto[- ]?reply|autoreply|auto:|away from (my|the) "
    r"(desk|office)|on (vacation|holiday|leave)|vacation reply|abwesenheit|absence|absent|"
    r"r[ée]ponse automatique|respuesta autom[áa]tica|risposta automatica)",
    re.IGNORECASE,
)
#: Words that make an automatic answer an out-of-office one (in its subject or text).
_OOO_TEXT = re.compile(
    r"\b(out of (the )?office|away|vacation|holiday|leave|travel(l)?ing|return|back (in|on)|"
    r"limited access|abwesend|absent)\b",
    re.IGNORECASE,
)
_MONTH = r"(?P<month>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_DAY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?\b"
_YEAR = r"(?:,?\s+(?P<year>20\d\d))?"
#: "back on Monday, December 14", "returning 14 December 2026", "until Dec. 14th", "on 12/14/2026",
#: "2026-12-14": after a word saying when they are back.
_RETURN_CUE = (
    r"(?:back|return(?:ing)?|returns|until|till|through|thru|reachable again|in the office)\b[^.\n]{0,40}?"
)
_WEEKDAY = r"(?:(?:mon|tues?|wed(?:nes)?|thu(?:rs)?|fri|sat(?:ur)?|sun)(?:day)?\.?,?\s+)?"
_DATE_PATTERNS = (
    re.compile(_RETURN_CUE + _WEEKDAY + _MONTH + r"\s+" + _DAY + _YEAR, re.IGNORECASE),
    re.compile(_RETURN_CUE + _WEEKDAY + _DAY + r"\s+(?:of\s+)?" + _MONTH + _YEAR, re.IGNORECASE),
    re.compile(_RETURN_CUE + r"(?P<iso>20\d\d-[01]\d-[0-3]\d)", re.IGNORECASE),
    re.compile(
        _RETURN_CUE + _WEEKDAY + r"(?P<m>[01]?\d)/(?P<d>[0-3]?\d)(?:/(?P<y>(?:20)?\d\d))?", re.IGNORECASE
    ),
)
#: Where a reply's quoted text begins: "On ... wrote:", Outlook's header block, a signature.
_QUOTE_START = re.compile(
    r"^(on .{0,200}wrote:\s*$|-{2,}\s*original message\s*-{2,}|_{5,}|from:\s.+|sent from my \w+|-- ?$|"
    r"le .{0,200}a écrit\s*:|am .{0,200}schrieb .{0,100}:)",
    re.IGNORECASE,
)


class InboundKind(StrEnum):
    """What a message in the seller's mailbox is."""

    REPLY = "reply"
    OUT_OF_OFFICE = "out-of-office"
    AUTO_REPLY = "auto-reply"
    BOUNCE = "bounce"
    OWN = "own"


@dataclass(frozen=True, slots=True)
class Inbound:
    """A message read: its kind, who sent it, what it answers, and what it says."""

    kind: InboundKind
    sender: str
    message_id: str
    #: The Message-IDs it answers (``In-Reply-To`` first, then ``References`` newest first).
    answers: tuple[str, ...]
    subject: str
    #: The first lines of what they wrote, quoted text and signature left out.
    first_lines: str
    sent_at: datetime | None
    #: An out-of-office's return day, when the text says it.
    back_on: date | None = None
    #: A bounce's failed recipient and what the server said.
    bounced: str = ""
    diagnostic: str = ""


def _header(message: Message, name: str) -> str:
    value = message.get(name)
    return " ".join(str(value).split()) if value is not None else ""


def message_ids(text: str) -> tuple[str, ...]:
    """The ``<...>`` Message-IDs in a header value, in order, without duplicates."""
    found: list[str] = []
    for token in re.findall(r"<[^<>\s]+>", text or ""):
        if token not in found:
            found.append(token)
    return tuple(found)


def is_automatic(message: Message) -> bool:
    """Whether a message says it was sent by a machine, not a person (see the module's docstring)."""
    auto = _header(message, "Auto-Submitted").lower()
    if auto and auto.split(";")[0].strip() != "no":
        return True
    if message.get("X-Autoreply") is not None or message.get("X-Autorespond") is not None:
        return True
    if _header(message, "Precedence").lower() in ("auto_reply", "bulk", "junk"):
        return True
    if message.get("X-Auto-Response-Suppress") is not None:
        return True
    return_path = message.get("Return-Path")
    if return_path is not None and parseaddr(str(return_path))[1] == "" and "<>" in str(return_path):
        return True
    return bool(_OOO_SUBJECT.search(_header(message, "Subject")))


def _text_of(message: Message, limit: int = 20_000) -> str:
    """The message's plain text (its first text/plain part, else its first text/html part with
    the tags taken out), at most ``limit`` characters; "" when it has none that can be read."""
    candidates = [p for p in message.walk() if not p.is_multipart() and p.get_content_maintype() == "text"]
    part = next((p for p in candidates if p.get_content_subtype() == "plain"), None)
    part = part or next((p for p in candidates if p.get_content_subtype() == "html"), None)
    if part is None:
        return ""
    try:
        payload = part.get_payload(decode=True)
        if not isinstance(payload, bytes):
            return ""
        text = payload.decode(part.get_content_charset() or "utf-8", errors="replace")
    except (LookupError, ValueError, AssertionError):
        return ""
    if part.get_content_subtype() == "html":
        text = re.sub(r"(?is)<(script|style).*?</\1>", " ", text)
        text = re.sub(r"(?i)<br\s*/?>|</p>|</div>", "\n", text)
        text = re.sub(r"<[^>]+>", " ", text)
    return text[:limit]


def first_lines(text: str, *, lines: int = 4, limit: int = 400) -> str:
    """What a reply says before the quoted message, the signature or the phone's "Sent from":
    its first non-empty ``lines`` lines, at most ``limit`` characters."""
    kept: list[str] = []
    for raw in text.replace("\r\n", "\n").split("\n"):
        line = raw.strip()
        if line.startswith(">") or _QUOTE_START.match(line):
            break
        if line:
            kept.append(" ".join(line.split()))
        if len(kept) >= lines:
            break
    said = " ".join(kept)
    return said if len(said) <= limit else said[: limit - 1].rstrip() + "…"


def return_date(text: str, *, received: date) -> date | None:
    """The day an out-of-office says they are back (English dates: "back on Monday, December 14",
    "returning 14 December", "until Dec. 11th", "on 12/14", "2026-12-14"): the first such date on
    or after ``received``, a date without a year taken in the coming twelve months. None when the
    text says no date."""
    matches = sorted(
        (found for pattern in _DATE_PATTERNS for found in pattern.finditer(text)), key=lambda m: m.end()
    )
    for found in matches:
        day = _date_of(found.groupdict(), received)
        if day is not None and received <= day <= received + timedelta(days=366):
            return day
    return None


def _date_of(parts: dict[str, str | None], received: date) -> date | None:
    try:
        if parts.get("iso"):
            return date.fromisoformat(str(parts["iso"]))
        if parts.get("m"):
            month, day = int(str(parts["m"])), int(str(parts["d"]))
            year_text = parts.get("y")
            year = (int(year_text) + (2000 if len(year_text) == 2 else 0)) if year_text else None
        else:
            month, day = MONTHS[str(parts["month"]).lower().rstrip(".")], int(str(parts["day"]))
            year = int(str(parts["year"])) if parts.get("year") else None
        if year is not None:
            return date(year, month, day)
        candidate = date(received.year, month, day)
        return candidate if candidate >= received else date(received.year + 1, month, day)
    except (ValueError, KeyError):
        return None


def _bounce(message: Message) -> tuple[str, str, tuple[str, ...]] | None:
    """A delivery status notification's failed recipient, diagnostic and the Message-IDs of the
    message that bounced (from its returned headers); None when it is not a failure report."""
    if message.get_content_type() != "multipart/report":
        return None
    if str(message.get_param("report-type", "")).lower() != "delivery-status":
        return None
    recipient, diagnostic, action = "", "", ""
    returned: tuple[str, ...] = ()
    for part in message.walk():
        kind = part.get_content_type()
        if kind == "message/delivery-status":
            for block in part.get_payload() if isinstance(part.get_payload(), list) else []:
                if not isinstance(block, Message):
                    continue
                if block.get("Final-Recipient") and not recipient:
                    recipient = str(block["Final-Recipient"]).split(";")[-1].strip()
                    action = str(block.get("Action", "")).strip().lower()
                    diagnostic = " ".join(str(block.get("Diagnostic-Code", block.get("Status", ""))).split())
        elif kind in ("message/rfc822", "text/rfc822-headers", "message/rfc822-headers"):
            inner = part.get_payload()
            headers = inner[0] if isinstance(inner, list) and inner else None
            if isinstance(headers, Message):
                returned = message_ids(str(headers.get("Message-ID", "")))
            else:
                text = part.get_payload(decode=True)
                if isinstance(text, bytes):
                    found = re.search(rb"(?im)^message-id:\s*(<[^>]+>)", text)
                    returned = (found.group(1).decode(errors="replace"),) if found else ()
    if not recipient or action not in ("failed", ""):
        return None
    return recipient.lower(), diagnostic[:300], returned


def read_inbound(message: EmailMessage | Message, *, own_addresses: frozenset[str], today: date) -> Inbound:
    """Classify a message of the seller's mailbox (see :class:`InboundKind`); ``own_addresses``
    are the seller's (lower-case): their own mail, copied into the inbox, is never a reply.
    ``today`` is the day it is read: an out-of-office without a date of its own is read from it."""
    sender = parseaddr(_header(message, "From"))[1].lower()
    subject = _header(message, "Subject")
    try:
        sent_at = parsedate_to_datetime(_header(message, "Date")) if message.get("Date") else None
    except (TypeError, ValueError):
        sent_at = None
    if sent_at is not None and sent_at.tzinfo is None:
        sent_at = None
    answers = message_ids(_header(message, "In-Reply-To")) + tuple(
        reversed(message_ids(_header(message, "References")))
    )
    answers = tuple(dict.fromkeys(answers))
    common = {
        "sender": sender,
        "message_id": (message_ids(_header(message, "Message-ID")) or ("",))[0],
        "subject": subject[:300],
        "sent_at": sent_at,
    }
    bounce = _bounce(message)
    if bounce is not None:
        recipient, diagnostic, returned = bounce
        return Inbound(
            kind=InboundKind.BOUNCE,
            answers=returned + answers,
            first_lines="",
            bounced=recipient,
            diagnostic=diagnostic,
            **common,  # type: ignore[arg-type]
        )
    if sender in own_addresses:
        return Inbound(kind=InboundKind.OWN, answers=answers, first_lines="", **common)  # type: ignore[arg-type]
    text = _text_of(message)
    lines = first_lines(text)
    if is_automatic(message):
        received = min(sent_at.date(), today) if sent_at is not None else today
        if _OOO_SUBJECT.search(subject) or _OOO_TEXT.search(text[:2000]):
            back = return_date(subject + "\n" + text[:5000], received=received)
            return Inbound(
                kind=InboundKind.OUT_OF_OFFICE,
                answers=answers,
                first_lines=lines,
                back_on=back,
                **common,  # type: ignore[arg-type]
            )
        return Inbound(kind=InboundKind.AUTO_REPLY, answers=answers, first_lines=lines, **common)  # type: ignore[arg-type]
    return Inbound(kind=InboundKind.REPLY, answers=answers, first_lines=lines, **common)  # type: ignore[arg-type]
