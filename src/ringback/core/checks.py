"""Checks that teach: does a message follow what the seeds say earns a call back?

Each finding is one plain sentence for the seller that names the rule it comes from:

- R1: a voicemail is a short commercial that gives a reason to call back and leaves your number,
  best near the end, where it is easy to catch.
- R2: 20–40 seconds spoken, about 50–100 words at 150 words a minute (a phone number is read
  digit by digit).
- R3: about *them*: "calling to introduce myself", "just checking in" almost never get a call back.
- R4: say when you will call again (except on the last message).
- R8: the last message asks for an easy yes or no, and says either is fine.
- CAN-SPAM: a commercial email has a subject, an unsubscribe link and the sender's postal address.
- TCPA: a text says who is writing and how to stop the texts ("Reply STOP…", CTIA's wording).

The text checked is the message already filled in with sample values; the seller's number,
postal address and unsubscribe link are passed in as those sample values, so the checks look for
them, not for the template variables. The checks are heuristics written to teach: a finding
that fails (``Severity.FAIL``) breaks a rule; advice (``Severity.ADVICE``) is a nudge.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType

__all__ = [
    "CODES",
    "FIRST_PERSON_MIN",
    "FIRST_PERSON_RATIO",
    "MAX_SECONDS",
    "MAX_WORDS",
    "MIN_SECONDS",
    "MIN_WORDS",
    "RULE_NAMES",
    "SELF_CENTRED_PHRASES",
    "WORDS_PER_MINUTE",
    "Finding",
    "MessageKind",
    "Severity",
    "check_message",
    "self_centred_phrases",
    "spoken_seconds",
    "spoken_words",
]

WORDS_PER_MINUTE = 150
MIN_SECONDS, MAX_SECONDS = 20, 40
#: The 20–40 seconds of R2 in words at 150 words a minute: 50 to 100 words.
MIN_WORDS = MIN_SECONDS * WORDS_PER_MINUTE // 60
MAX_WORDS = MAX_SECONDS * WORDS_PER_MINUTE // 60


class MessageKind(StrEnum):
    VOICEMAIL = "voicemail"
    OPENER = "opener"
    CARD = "card"
    EMAIL = "email"
    TEXT = "text"


class Severity(StrEnum):
    FAIL = "fail"
    ADVICE = "advice"


@dataclass(frozen=True, slots=True)
class Finding:
    """One thing to change in a message: the rule, a stable code, how serious, and the sentence
    the seller reads (it ends by naming the rule, "… (R2).")."""

    rule: str
    code: str
    severity: Severity
    message: str

    @property
    def fails(self) -> bool:
        return self.severity is Severity.FAIL


#: Every code a finding can carry, with its rule. ``no_number`` fails on a voicemail and is advice
#: on a card; every other code always has the same severity (see ``check_message``).
CODES: Mapping[str, str] = MappingProxyType(
    {
        "too_short": "R2",
        "too_long": "R2",
        "self_centred_phrase": "R3",
        "more_me_than_you": "R3",
        "no_number": "R1",
        "number_early": "R1",
        "no_reason": "R1",
        "no_call_again": "R4",
        "no_yes_or_no": "R8",
        "no_subject": "CAN-SPAM",
        "no_unsubscribe": "CAN-SPAM",
        "no_postal_address": "CAN-SPAM",
        "no_sender": "TCPA",
        "no_stop": "TCPA",
    }
)

#: The rules that are laws rather than the seeds' advice, in words, for a page that explains them.
RULE_NAMES: Mapping[str, str] = MappingProxyType(
    {
        "CAN-SPAM": "The US law on commercial email: an honest subject, a way to unsubscribe, "
        "and your postal address.",
        "TCPA": "The US rules on business texts: say who you are and how to stop the texts.",
    }
)

# Curly quotes and apostrophes as typed on phones, dashes and no-break spaces, read as plain ones.
_PLAIN = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u02bc": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u00a0": " ",
        "\u202f": " ",
        "\u2010": "-",
        "\u2011": "-",
    }
)


#: The phrases that are about the seller, not the listener (seed 004), each with the pattern of it
#: and its close variants. Matched case-insensitively, as whole words.
SELF_CENTRED_PHRASES: Mapping[str, str] = MappingProxyType(
    {
        "introduce myself": r"\bintroduc(?:e|ing)\s+(?:myself|ourselves|(?:my|our)\s+"
        r"(?:company|business|services?|products?))\b",
        "tell you about my services": r"\b(?:tell|talk\s+to)\s+you\s+(?:a\s+(?:little\s+)?(?:bit\s+)?|all\s+|"
        r"more\s+)?about\s+(?:my|our|me|us|myself|what\s+(?:i|we)\s+(?:do|offer|sell))\b",
        "touching base": r"\btouch(?:ing)?\s+base\b",
        "just checking in": r"\bcheck(?:ing)?(?:\s+|-)in\b(?!-|\s+(?:date|time|desk|counter))",
        "following up": r"\bfollowing(?:\s+|-)up\b|\b(?:just|calling\s+to|writing\s+to|wanted\s+to|want\s+to|"
        r"i'm|i\s+am)\s+follow(?:\s+|-)up\b",
        "just reaching out": r"\bjust\s+(?:wanted\s+to\s+)?reach(?:ing)?\s+out\b",
        "still trying to reach you": r"\bstill\s+trying\s+to\s+(?:reach|get\s+hold\s+of|get\s+a\s+hold\s+of|"
        r"get\s+in\s+touch\s+with)\s+you\b",
    }
)
_SELF_CENTRED = {label: re.compile(pattern, re.IGNORECASE) for label, pattern in SELF_CENTRED_PHRASES.items()}
_FIRST_PERSON = re.compile(r"\b(?:i|me|my|mine|myself)\b", re.IGNORECASE)
_SECOND_PERSON = re.compile(r"\b(?:you|your|yours|yourself|yourselves|ya)\b", re.IGNORECASE)
#: "Many more I/me/my than you/your": at least this many, and three times as many or more.
FIRST_PERSON_MIN, FIRST_PERSON_RATIO = 6, 3
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")

# A phone number: digits with spaces, dots, dashes or brackets between them.
_PHONE_LIKE = re.compile(r"\+?\(?\d[\d\s().\-]{5,}\d")
_DAY = (
    r"(?:mon|tues?|wed(?:nes)?|thu(?:rs)?|fri|sat(?:ur)?|sun)(?:day)?|tomorrow|tonight|"
    r"jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|"
    r"oct(?:ober)?|nov(?:ember)?|dec(?:ember)?|\d"
)
_YES_OR_NO = re.compile(
    r"\byes\b[^.?!]{0,80}?\bor\b[^.?!]{0,12}?\bno\b|\bone\s+way\s+or\s+(?:the\s+)?(?:other|another)\b|"
    r"\b(?:know|tell\s+me)\s+either\s+way\b|"
    r"\beither\s+(?:answer|way)\s+is\s+(?:\w+\s+)?(?:fine|ok|okay|great)\b",
    re.IGNORECASE,
)
# A reason to call back: a benefit, an offer, something to share, a question, a date to act by.
_REASON = re.compile(
    r"\?|\b(?:offer|special|save[sd]?|saving|free|gift|discount|deal|sale|tips?|ideas?|resource|"
    r"article|samples?|invit\w*|event|party|class|workshop|benefit|help\w*|easier|useful|share|"
    r"exclusive|bonus|reward|expir\w*|deadline|limited)\b|\bfor\s+you\b|"
    r"\byou(?:'ll|\s+will|'d|\s+would)\s+(?:really\s+)?(?:love|like|enjoy)\b|"
    rf"\b(?:by|until|till|before|through)\s+(?:next\s+|this\s+|the\s+end\s+of\s+)?(?:{_DAY})",
    re.IGNORECASE,
)
_I_WILL = r"(?:i'll|i\s+will|i'm\s+going\s+to|i\s+am\s+going\s+to|i\s+plan\s+to)"
_CALL_AGAIN = re.compile(
    rf"\b{_I_WILL}\s+(?:[\w,]+\s+){{0,3}}?(?:call|try|ring|phone|reach|catch|check\s+back)\b|"
    rf"\b{_I_WILL}\s+be\s+in\s+touch\b|\byou(?:'ll|\s+will)\s+hear\s+from\s+me\b|"
    r"\b(?:call|try|ring)\s+(?:you\s+)?again\b",
    re.IGNORECASE,
)
_UNSUBSCRIBE = re.compile(r"\bunsubscribe\b|\bopt(?:\s+|-)?out\b", re.IGNORECASE)
_STREET = re.compile(
    r"\b\d+[a-z]?\s+(?:[\w.'-]+\s+){1,4}?(?:street|st|avenue|ave|road|rd|boulevard|blvd|lane|ln|drive|dr|"
    r"way|court|ct|place|pl|parkway|pkwy|highway|hwy|circle|cir|terrace|square|sq)\b|"
    r"\bp\.?\s?o\.?\s+box\s+\d",
    re.IGNORECASE,
)
_STOP = re.compile(
    r"\b(?:reply|text|send|respond\s+with)\s+\"?stop\b|"
    r"\bstop\"?\s+to\s+(?:opt\s+out|unsubscribe|end|cancel|stop|quit)\b",
    re.IGNORECASE,
)
_SAYS_WHO = re.compile(
    r"\b(?:this\s+is|it's|it\s+is)\s+\w+|^\W*\w+\s+(?:here|from)\b|[-—–]\s*\w+\W*$", re.IGNORECASE
)


def _plain(text: str) -> str:
    return text.translate(_PLAIN)


def spoken_words(text: str) -> int:
    """The words it takes to say ``text``: each run of characters between spaces is one, except
    that a run of three digits or more is read digit by digit ("312 555 0142" is ten)."""
    count = 0
    for word in text.split():
        digits = sum(c.isdigit() for c in word)
        count += digits if digits >= 3 else 1
    return count


def spoken_seconds(words: int) -> int:
    """Seconds it takes to say ``words`` words at a natural pace (150 words a minute), rounded."""
    return round(words * 60 / WORDS_PER_MINUTE)


def self_centred_phrases(text: str) -> list[str]:
    """The self-centred phrases (R3) found in ``text``, by the name of their family, in the order of
    ``SELF_CENTRED_PHRASES``; curly apostrophes and any case are read as plain ones."""
    plain = _plain(text)
    return [label for label, pattern in _SELF_CENTRED.items() if pattern.search(plain)]


def _finding(rule: str, code: str, severity: Severity, sentence: str) -> Finding:
    return Finding(rule=rule, code=code, severity=severity, message=f"{sentence} ({rule}).")


def _quoted(labels: list[str]) -> str:
    quoted = [f"“{label}”" for label in labels]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " and " + quoted[-1]


def _times(count: int) -> str:
    return {0: "not once", 1: "once", 2: "twice"}.get(count, f"{count} times")


def _about_them(text: str) -> list[Finding]:
    """R3: the self-centred phrases, and many more I/me/my than you/your."""
    findings = []
    phrases = self_centred_phrases(text)
    if phrases:
        verb, gets = ("is", "gets") if len(phrases) == 1 else ("are", "get")
        findings.append(
            _finding(
                "R3",
                "self_centred_phrase",
                Severity.FAIL,
                f"{_quoted(phrases)} {verb} about you, not them, and almost never {gets} a call back; "
                "give them a reason that is about them instead",
            )
        )
    # The answers a last message offers them ("yes, I'm still interested, or no, I've changed my
    # mind", seed 000) are in their voice, not the seller's: those sentences are not counted.
    counted = " ".join(s for s in _SENTENCE_END.split(text) if not _YES_OR_NO.search(s))
    first = len(_FIRST_PERSON.findall(counted))
    second = len(_SECOND_PERSON.findall(counted))
    if first >= FIRST_PERSON_MIN and first >= FIRST_PERSON_RATIO * second:
        findings.append(
            _finding(
                "R3",
                "more_me_than_you",
                Severity.ADVICE,
                f"It says I, me or my {_times(first)} and you or your {_times(second)}; "
                "turn it around so it is about them",
            )
        )
    return findings


def _digits(text: str) -> str:
    return "".join(c for c in text if c.isdigit())


def _number_at(text: str, seller_phone: str) -> list[int]:
    """Where the seller's number (or, without one, any phone number) starts in ``text``."""
    wanted = _digits(seller_phone)
    starts = []
    for match in _PHONE_LIKE.finditer(text):
        digits = _digits(match.group())
        if len(digits) < 7:
            continue
        if not wanted or digits in wanted or (len(wanted) >= 7 and wanted in digits):
            starts.append(match.start())
    return starts


def _length(text: str) -> list[Finding]:
    """R2: 20–40 seconds spoken. The seconds shown are rounded away from the band, so that a
    message just outside it never reads as "about 20 seconds"."""
    words = spoken_words(text)
    exact = words * 60 / WORDS_PER_MINUTE
    if words < MIN_WORDS:
        seconds = math.floor(exact)
        return [
            # A warning: a short message loses less than a long one, which people stop listening to.
            _finding(
                "R2",
                "too_short",
                Severity.ADVICE,
                f"This takes about {seconds} seconds to say; take {MIN_SECONDS}–{MAX_SECONDS} seconds, "
                "enough for who you are, a reason to call back and your number",
            )
        ]
    if words > MAX_WORDS:
        seconds = math.ceil(exact)
        return [
            _finding(
                "R2",
                "too_long",
                Severity.FAIL,
                f"This takes about {seconds} seconds to say and people stop listening after "
                f"{MAX_SECONDS}; trim it to {MIN_SECONDS}–{MAX_SECONDS} seconds",
            )
        ]
    return []


def _voicemail(text: str, *, last_step: bool, seller_phone: str) -> list[Finding]:
    """R1, R2, R4 and R8 on a voicemail."""
    findings = _length(text)
    starts = _number_at(text, seller_phone)
    if not starts:
        findings.append(
            _finding(
                "R1",
                "no_number",
                Severity.FAIL,
                "Leave your phone number so they can call you back, even if caller ID shows it, "
                "best near the end",
            )
        )
    elif max(starts) < len(text.rstrip()) / 2:
        findings.append(
            _finding(
                "R1",
                "number_early",
                Severity.ADVICE,
                "Your number only comes early on; say it again near the end, when they have a pen ready",
            )
        )
    yes_or_no = bool(_YES_OR_NO.search(text))
    if last_step and not yes_or_no:
        findings.append(
            _finding(
                "R8",
                "no_yes_or_no",
                Severity.FAIL,
                "As this is your last message, ask for an easy yes or no and say either answer is fine",
            )
        )
    if not last_step and not _CALL_AGAIN.search(text):
        findings.append(
            _finding(
                "R4",
                "no_call_again",
                Severity.FAIL,
                "Say when you will call again, for example “I'll try you again on Thursday”",
            )
        )
    if not yes_or_no and not _REASON.search(text):
        findings.append(
            _finding(
                "R1",
                "no_reason",
                Severity.ADVICE,
                "Give them a reason to call back: something they gain, an offer with a date, or a question",
            )
        )
    return findings


def _squash(text: str) -> str:
    return " ".join(re.sub(r"[\W_]+", " ", text.casefold()).split())


def _email(text: str, *, subject: str, postal_address: str, unsubscribe_url: str) -> list[Finding]:
    """CAN-SPAM: a subject, an unsubscribe link, the sender's postal address."""
    findings = []
    if not subject.strip():
        findings.append(
            _finding(
                "CAN-SPAM",
                "no_subject",
                Severity.FAIL,
                "Give the email a subject that says honestly what it is about",
            )
        )
    has_link = unsubscribe_url.strip() in text if unsubscribe_url.strip() else bool(_UNSUBSCRIBE.search(text))
    if not has_link:
        findings.append(
            _finding(
                "CAN-SPAM",
                "no_unsubscribe",
                Severity.FAIL,
                "Add an unsubscribe link so they can stop your emails in one click; the law requires it",
            )
        )
    address = _squash(postal_address)
    has_address = address in _squash(text) if address else bool(_STREET.search(text))
    if not has_address:
        findings.append(
            _finding(
                "CAN-SPAM",
                "no_postal_address",
                Severity.FAIL,
                "Put your postal address at the foot of the email; the law requires it",
            )
        )
    return findings


def _names_the_sender(text: str, names: tuple[str, ...]) -> bool:
    wanted = [name for name in names if name]
    if not wanted:
        return bool(_SAYS_WHO.search(text))
    return any(re.search(rf"(?<!\w){re.escape(name)}(?!\w)", text, re.IGNORECASE) for name in wanted)


def _text(text: str, *, seller_name: str, business_name: str) -> list[Finding]:
    """TCPA (and CTIA's wording): who is writing, and how to stop."""
    findings = []
    first_name = seller_name.split()[0] if seller_name.split() else ""
    if not _names_the_sender(text, (seller_name.strip(), first_name, business_name.strip())):
        findings.append(
            _finding(
                "TCPA",
                "no_sender",
                Severity.FAIL,
                "Say who is writing, your name or your business, so they know the text is from you",
            )
        )
    if not _STOP.search(text):
        findings.append(
            _finding(
                "TCPA",
                "no_stop",
                Severity.FAIL,
                "Tell them how to stop your texts, for example “Reply STOP to opt out”",
            )
        )
    return findings


def check_message(
    *,
    kind: MessageKind,
    text: str,
    subject: str = "",
    last_step: bool = False,
    seller_phone: str = "",
    postal_address: str = "",
    unsubscribe_url: str = "",
    seller_name: str = "",
    business_name: str = "",
) -> list[Finding]:
    """What to change in a message, failures first, each once; an empty list means it passes.

    ``text`` is the message filled in with sample values; ``seller_phone``, ``postal_address``,
    ``unsubscribe_url``, ``seller_name`` and ``business_name`` are the sample values it was filled
    in with (left empty, a phone number, a street address, the word "unsubscribe" or a "this is …"
    stand in for them). ``last_step`` says the message is the last of its playbook: it needs no
    call-again (R4) but asks for a yes or a no (R8). Every kind is checked for R3; a voicemail for
    R1, R2, R4 and R8; a card for a phone number (advice); an email for CAN-SPAM; a text for TCPA.
    The same arguments always give the same findings, and every code is one of ``CODES``.
    """
    plain = _plain(text)
    findings: list[Finding] = []
    if kind is MessageKind.VOICEMAIL:
        findings += _voicemail(plain, last_step=last_step, seller_phone=seller_phone)
    elif kind is MessageKind.CARD and not _number_at(plain, seller_phone):
        findings.append(
            _finding(
                "R1",
                "no_number",
                Severity.ADVICE,
                "Add your phone number, so that calling you is easy the moment the card arrives",
            )
        )
    elif kind is MessageKind.EMAIL:
        findings += _email(
            plain, subject=_plain(subject), postal_address=postal_address, unsubscribe_url=unsubscribe_url
        )
    elif kind is MessageKind.TEXT:
        findings += _text(plain, seller_name=seller_name, business_name=business_name)
    findings += _about_them(plain)
    return sorted(findings, key=lambda finding: finding.severity is not Severity.FAIL)
