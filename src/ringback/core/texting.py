"""Texts: reading an opt-out in a reply, and the ``sms:`` link that opens a text already written.

**Opt-out.** A reply stops texts when it is one of the opt-out words the FCC and the carriers
name (STOP, STOPALL, QUIT, END, REVOKE, OPT OUT, CANCEL, UNSUBSCRIBE) or a plain request to
stop ("please stop texting me", "no more texts", "take me off your list"). The rule, on the
reply folded (case, accents and look-alike letters ignored), its punctuation and emoji read as
spaces and its apostrophes dropped ("don't" is "dont"):

1. *The word alone*: what is left after a polite lead-in ("please", "can you", "I want to") is
   opt-out words and filler only ("please", "now", "it", "me", "all", "thanks"...): "STOP.",
   "stop please", "Stop!!", "🛑 STOP", "unsubscribe me". One other word and it is not: "don't
   stop", "end of the week works", "stop by tomorrow", "cancel my order".
2. *A request*: a phrase that asks for no more texts wherever it stands in the reply: "stop
   texting me", "quit messaging me", "don't text me", "no more texts", "take me off your list",
   "remove my number", "leave me alone", and "unsubscribe", "opt out" or "revoke" not
   negated ("I'd like to opt out" yes, "no need to unsubscribe" no).

A missed opt-out is worse than a text stopped by mistake (consent can be recorded again), so
the requests are read generously; the bare words, being everyday words, only alone.

**Links.** :func:`sms_uri` writes RFC 5724's ``sms:<number>?body=<text>``, the text
percent-encoded as UTF-8 with nothing left reserved (a space is ``%20``, never ``+``; ``&``,
``?``, ``#`` and line breaks are encoded), which both iOS and Android read.
"""

from __future__ import annotations

import re
from urllib.parse import quote

from ringback.core.folding import fold

__all__ = ["OPT_OUT_WORDS", "STOPPED_WORDS_MAX", "is_opt_out", "opt_out_words", "sms_uri"]

#: The opt-out keywords (FCC 2024 order, CTIA): each alone is an opt-out.
OPT_OUT_WORDS = ("stop", "stopall", "quit", "end", "revoke", "optout", "cancel", "unsubscribe")

#: The longest reply kept as "the words that stopped them".
STOPPED_WORDS_MAX = 160

#: Words that may stand around an opt-out word without changing what it says.
# fmt: off
_FILLER = frozenset((
    "please", "pls", "plz", "plse", "kindly", "now", "right", "immediately", "asap", "already", "just",
    "ok", "okay", "k", "yes", "yeah", "yep", "it", "this", "that", "all", "me", "us", "my", "number",
    "texts", "text", "messages", "sms", "thanks", "thank", "you", "thx", "ty", "u", "sorry", "again",
    "hi", "hello", "hey", "sir", "maam",
))
# fmt: on

#: Polite lead-ins, taken off the start before rule 1 (longest first).
_LEAD_INS = tuple(
    sorted(
        (
            "i want to",
            "i wish to",
            "i would like to",
            "id like to",
            "i need to",
            "i want you to",
            "i need you to",
            "can you",
            "could you",
            "would you",
            "will you",
            "can u",
            "could u",
            "please",
            "pls",
            "plz",
        ),
        key=len,
        reverse=True,
    )
)

#: Words that, among the three before a request, turn it around ("don't stop texting me").
_NEGATIONS = frozenset(
    [
        "dont",
        "not",
        "never",
        "cant",
        "cannot",
        "wont",
        "didnt",
        "doesnt",
        "shouldnt",
        "wouldnt",
        "couldnt",
        "isnt",
        "arent",
    ]
)

_MESSAGING = r"(?:text|texts|texting|txt|txts|txting|message|messages|messaging|msg|msgs|sms|sending|contacting|spamming|bothering)"

#: Rule 2: requests that say "no more texts" wherever they stand, unless negated just before.
_REQUESTS = tuple(
    re.compile(pattern)
    for pattern in (
        # "stop texting me", "quit messaging me", "stop with the texts", "stop sending".
        rf"\b(?:stop|quit|cease)(?: (?:with|the|these|those|your|ur|all|of|me|us|this|that))* {_MESSAGING}\b",
        # "no more texts", "no texts please", "no more messages".
        r"\bno (?:more|further) (?:texts|txts|text messages|messages|msgs|sms)\b",
        r"\bno (?:texts|txts|text messages|sms)\b",
        # "take me off your list", "remove my number from your contacts".
        r"\b(?:take|remove|delete|drop|get) (?:me|my number|this number|us)(?: \w+){0,2}? "
        r"(?:off|from) (?:of )?(?:(?:your|the|this|ur|all|any|my) )?(?:list|lists|texts|contacts|database|system)\b",
        r"\b(?:remove|delete) (?:me|my number|this number)\b",
        r"\bleave me alone\b",
        # The words that are an opt-out wherever they stand.
        r"\b(?:unsubscribe|optout|revoke|stopall)\b",
    )
)

#: Rule 2: "don't text me", "do not message this number", "never contact me again" (the negation
#: is the request here).
_DO_NOT = re.compile(
    r"\b(?:dont|do not|never) (?:ever )?(?:text|txt|message|msg|sms|contact)(?: or call)?"
    r"(?: me| us| this number| my number| here)\b"
)

#: Where a clause ends: sentence marks, commas, semicolons, colons, line breaks.
_CLAUSE_END = re.compile(r"[.!?;:,\n\r…。！？]+")

_APOSTROPHES = str.maketrans("", "", "'’ʼ‘`´")
_NOT_WORD = re.compile(r"[\W_]+")


def _words(text: str) -> str:
    """``text`` folded, without apostrophes, with everything but letters and digits a space;
    "opt out" and "opt-out" read as one word, as "stop all" does."""
    plain = _NOT_WORD.sub(" ", fold(text).translate(_APOSTROPHES)).strip()
    plain = re.sub(r"\bopt (?=out\b)", "opt", plain)
    return re.sub(r"\bstop (?=all\b)", "stop", plain)


def _negated(words: str, start: int) -> bool:
    """Whether one of the three words before ``start`` negates what follows ("don't", "can't",
    "don't want to"), or "no need to" does."""
    before = words[:start].split()[-3:]
    return any(w in _NEGATIONS for w in before) or before == ["no", "need", "to"]


def _asks_to_stop(clause: str) -> bool:
    """Rule 2: a request for no more texts in one clause of the reply, not negated."""
    if _DO_NOT.search(clause):
        return True
    return any(
        not _negated(clause, match.start()) for pattern in _REQUESTS for match in pattern.finditer(clause)
    )


def _without_lead_in(words: str) -> str:
    changed = True
    while changed:
        changed = False
        for lead in _LEAD_INS:
            if words == lead or words.startswith(lead + " "):
                words = words[len(lead) :].lstrip()
                changed = True
                break
    return words


def _is_keyword_reply(words: str) -> bool:
    """Rule 1: opt-out words and filler only, after a lead-in, with one opt-out word at least."""
    tokens = _without_lead_in(words).split()
    found = False
    for token in tokens:
        if token in OPT_OUT_WORDS:
            found = True
        elif token not in _FILLER:
            return False
    return found


def is_opt_out(text: str) -> bool:
    """Whether a reply asks for no more texts (see the module's rule); never raises.

    Rule 1 reads the whole reply; rule 2 each clause (between sentence marks and commas), so a
    negation counts only in its own clause: "Please don't. Stop texting me." is an opt-out."""
    if _is_keyword_reply(_words(text)):
        return True
    return any(_asks_to_stop(_words(clause)) for clause in _CLAUSE_END.split(text))


def opt_out_words(text: str) -> str:
    """The reply as kept with the stop ("the words that stopped them"): trimmed, on one line,
    at most :data:`STOPPED_WORDS_MAX` characters (cut with an ellipsis)."""
    line = " ".join(text.split())
    if len(line) <= STOPPED_WORDS_MAX:
        return line
    return line[: STOPPED_WORDS_MAX - 1].rstrip() + "…"


def sms_uri(number: str, body: str = "") -> str:
    """An RFC 5724 ``sms:`` link to ``number`` (E.164; spaces and dashes dropped) with ``body``
    written in: ``sms:+12125550123?body=Hi%20Mary%2C%20...``. Line breaks are sent as ``%0A``;
    no ``body`` gives the bare ``sms:<number>``."""
    target = "".join(c for c in number if c.isdigit() or c == "+")
    if not body:
        return f"sms:{target}"
    text = body.replace("\r\n", "\n").replace("\r", "\n")
    return f"sms:{target}?body={quote(text, safe='')}"
