"""The message library's rules: kinds, the variables a message may read, rendering by channel.

A message is text a seller writes once and sends many times: a voicemail script, a live-call
opener, a card note, an email (subject and body) or a text. It is filled in by the script sandbox
(:mod:`ringback.core.scripts`) and may read only the documented variables
(:data:`VARIABLES`): naming anything else, or a field a variable does not have, is refused when
the message is saved, with the line (:func:`message_names_check`), instead of coming out blank in
front of a prospect.

What comes out is escaped for where it goes (:func:`render_message`): plain text for a call
script, a card (PDF) or a text; HTML for an email's body, where every character the seller or a
contact wrote is escaped, so a contact called ``<script>`` is printed, never run.
"""

from __future__ import annotations

import html
import re
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass, replace
from enum import StrEnum
from importlib import resources
from types import MappingProxyType

import yaml
from jinja2 import nodes

from ringback.core.checks import Finding, MessageKind, check_message
from ringback.core.errors import PlaybookError, TemplateError
from ringback.core.playbook import OFFER_ADVISED_DAYS, Playbook
from ringback.core.scripts import check_script, compile_script, render_script, script_tree

_KIND_LABELS = {
    MessageKind.VOICEMAIL: "Voicemail script",
    MessageKind.OPENER: "Live-call opener",
    MessageKind.CARD: "Card note",
    MessageKind.EMAIL: "Email",
    MessageKind.TEXT: "Text",
}


def kind_label(kind: MessageKind) -> str:
    """What a kind of message is called on a page ("Voicemail script")."""
    return _KIND_LABELS[kind]


#: The kinds a playbook step of each channel may use (a call step's script is what to say).
KINDS_FOR_CHANNEL: Mapping[str, frozenset[MessageKind]] = MappingProxyType(
    {
        "call": frozenset({MessageKind.VOICEMAIL, MessageKind.OPENER}),
        "mail": frozenset({MessageKind.CARD}),
        "email": frozenset({MessageKind.EMAIL}),
        "sms": frozenset({MessageKind.TEXT}),
        "task": frozenset(MessageKind),
    }
)


class TextForm(StrEnum):
    """Where a filled-in message goes, which decides how it is laid out and escaped."""

    #: Said on the phone: one paragraph.
    SPOKEN = "spoken"
    #: Printed on a card or sent as a text: paragraphs kept, plain characters only.
    PLAIN = "plain"
    #: An email's HTML body: paragraphs as ``<p>``, every character escaped.
    HTML = "html"


#: The variables a message may read, and the fields of each (``None``: a plain value).
VARIABLES: Mapping[str, frozenset[str] | None] = MappingProxyType(
    {
        "contact": frozenset({"first_name", "last_name", "name", "company"}),
        "seller": frozenset({"name", "first_name", "phone", "business", "postal_address"}),
        "offer": frozenset({"name", "details", "expires"}),
        "promise": frozenset({"text", "due"}),
        "attempt": None,
        "next_call_day": None,
        "offer_expires": None,
        "mailed_on": None,
        "unsubscribe_url": None,
    }
)

#: What each variable means, for the editor's help and ``ringback messages show --variables``.
VARIABLE_HELP: Mapping[str, str] = MappingProxyType(
    {
        "contact.first_name": "their first name (their name when it is missing)",
        "contact.last_name": "their last name",
        "contact.name": "their full name",
        "contact.company": "their company",
        "seller.name": "your name",
        "seller.first_name": "your first name",
        "seller.phone": "your number, written to be read aloud",
        "seller.business": "your business",
        "seller.postal_address": "your postal address (emails must carry it)",
        "offer.name": "the offer's name",
        "offer.details": "what the offer is",
        "offer.expires": "the day the offer ends, in their time zone",
        "promise.text": "what you promised them",
        "promise.due": "the day you promised it for",
        "attempt": "which call of the playbook this is (1, 2, …)",
        "next_call_day": "the day you will call again",
        "offer_expires": "the day the offer ends (the same as offer.expires)",
        "mailed_on": "the day the card went out",
        "unsubscribe_url": "the link that stops your emails (emails must carry it)",
    }
)

#: The made-up contact and seller messages are checked and previewed with when no real contact
#: is chosen; read-only (every render copies it).
SAMPLE: Mapping[str, object] = MappingProxyType(
    {
        "contact": {"first_name": "Mary", "last_name": "Smith", "name": "Mary Smith", "company": "Acme"},
        "seller": {
            "name": "Sally Baker",
            "first_name": "Sally",
            "phone": "312 555 0142",
            "business": "Sweet Home",
            "postal_address": "12 Elm Street, Springfield, IL 62701",
        },
        "offer": {
            "name": "Holiday sampler",
            "details": "a free sampler with any order",
            "expires": "Monday, December 7",
        },
        "promise": {"text": "the article on spring gardens", "due": "Friday, March 6"},
        "attempt": 1,
        "next_call_day": "Thursday",
        "offer_expires": "Monday, December 7",
        "mailed_on": "November 24",
        "unsubscribe_url": "https://ringback.example/u/sample",
    }
)
#: The same with every optional value missing, so a message's other branches are tried too.
SPARSE_SAMPLE: Mapping[str, object] = MappingProxyType(
    {
        "contact": {"first_name": "Sam", "last_name": "", "name": "Sam", "company": ""},
        "seller": {"name": "", "first_name": "", "phone": "", "business": "", "postal_address": ""},
        "offer": {"name": "", "details": "", "expires": ""},
        "promise": {"text": "", "due": ""},
        "attempt": 2,
        "next_call_day": "in a few days",
        "offer_expires": "",
        "mailed_on": "last week",
        "unsubscribe_url": "",
    }
)

#: The longest subject an email may have.
MAX_SUBJECT_CHARS = 200
#: The longest message body, in characters (a card holds far less; the sandbox's own limit).
MAX_BODY_CHARS = 5_000
_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def message_name_check(name: str) -> str:
    """The name as a playbook would refer to it; :class:`TemplateError` if it can't be one.

    A name is lower-case letters, digits and dashes, at most 63 characters.
    """
    if not _NAME.match(name):
        raise TemplateError(
            f"the name {name[:40]!r} must be lower-case letters, digits and dashes (at most 63), "
            "like 'did-you-get-it'"
        )
    return name


def _names_used(tree: nodes.Template) -> Iterator[tuple[str, str | None, int]]:
    """Each (variable, field or None, line) the message reads, skipping names it sets itself."""
    assigned = {node.name for node in tree.find_all(nodes.Name) if node.ctx in ("store", "param")}
    seen_attr: set[int] = set()
    for node in tree.find_all((nodes.Getattr, nodes.Getitem)):
        assert isinstance(node, nodes.Getattr | nodes.Getitem)
        target = node.node
        if isinstance(target, nodes.Name) and target.ctx == "load" and target.name not in assigned:
            field: str | None = None
            if isinstance(node, nodes.Getattr):
                field = node.attr
            elif isinstance(node.arg, nodes.Const) and isinstance(node.arg.value, str):
                field = node.arg.value
            if field is not None:
                seen_attr.add(id(target))
                yield target.name, field, node.lineno
    for name in tree.find_all(nodes.Name):
        if name.ctx == "load" and name.name not in assigned and id(name) not in seen_attr:
            yield name.name, None, name.lineno


def message_names_check(text: str) -> None:
    """Refuse a message that reads a variable or field not in :data:`VARIABLES`.

    Raises :class:`TemplateError` with the line and the names it may use instead, so a typo
    (``{{ contact.frist_name }}``) is caught when saving, not in front of a prospect.
    """
    tree = script_tree(text)
    for name, field, line in _names_used(tree):
        if name in {"loop", "range", "dict"}:
            continue
        if name not in VARIABLES:
            known = ", ".join(VARIABLES)
            raise TemplateError(f"{{{{ {name} }}}} is not something a message can use ({known})", line=line)
        fields = VARIABLES[name]
        if field is not None and fields is not None and field not in fields:
            offered = ", ".join(f"{name}.{f}" for f in sorted(fields))
            raise TemplateError(f"{{{{ {name}.{field} }}}} does not exist; use one of {offered}", line=line)


def _about(part: str, exc: TemplateError) -> TemplateError:
    """``exc`` as the error of the message's ``part`` (its subject or body)."""
    exc.template = part
    exc.field = part
    return exc


def message_check(*, body: str, subject: str = "", kind: MessageKind) -> None:
    """Refuse a message, as saving it would: a syntax error, a tag or a variable it may not use,
    a subject on a message that is not an email, a body or subject too long, or text that
    can't be filled in for the sample contacts. Raises :class:`TemplateError` with the line.
    """
    if not body.strip():
        raise _about("body", TemplateError("the message is empty"))
    if len(body) > MAX_BODY_CHARS:
        raise _about("body", TemplateError(f"the message is longer than {MAX_BODY_CHARS:,} characters"))
    if kind is MessageKind.EMAIL and not subject.strip():
        raise _about("subject", TemplateError("an email needs a subject"))
    if subject and kind is not MessageKind.EMAIL:
        raise _about(
            "subject", TemplateError(f"only an email has a subject, not a {kind_label(kind).lower()}")
        )
    if len(subject) > MAX_SUBJECT_CHARS or "\n" in subject.strip():
        raise _about(
            "subject",
            TemplateError(f"the subject must be one line of at most {MAX_SUBJECT_CHARS} characters"),
        )
    for part, text in (("subject", subject), ("body", body)):
        if not text:
            continue
        try:
            compile_script(text)
            message_names_check(text)
            check_script(text, (SAMPLE, SPARSE_SAMPLE))
        except TemplateError as exc:
            raise _about(part, exc) from None


def _paragraphs(rendered: str) -> list[str]:
    """The paragraphs of filled-in text: blank lines separate them, single line ends are kept."""
    text = _CONTROL.sub("", rendered.replace("\r\n", "\n").replace("\r", "\n"))
    blocks = re.split(r"\n\s*\n", text.strip())
    return [
        "\n".join(line.strip() for line in block.splitlines()).strip() for block in blocks if block.strip()
    ]


def render_message(text: str, variables: Mapping[str, object], *, form: TextForm = TextForm.PLAIN) -> str:
    """The message filled in with ``variables`` (in the sandbox, within its limits), laid out
    and escaped for ``form``. Raises :class:`TemplateError` with the line on any failure."""
    if form is TextForm.SPOKEN:
        return render_script(text, variables)
    rendered = render_script(text, variables, keep_lines=True)
    paragraphs = _paragraphs(rendered)
    if form is TextForm.HTML:
        return "\n".join(
            "<p>" + "<br>\n".join(html.escape(line) for line in p.split("\n")) + "</p>" for p in paragraphs
        )
    return "\n\n".join(paragraphs)


def render_subject(text: str, variables: Mapping[str, object]) -> str:
    """An email's subject filled in: one line, control characters (and so header injection) out."""
    return " ".join(_CONTROL.sub("", render_script(text, variables)).split())


def _sample_text(name: str) -> str:
    seller = SAMPLE["seller"]
    assert isinstance(seller, Mapping)
    return str(seller[name])


def message_findings(
    *, kind: MessageKind, body: str, subject: str = "", last_step: bool = False
) -> list[Finding]:
    """What the checks that teach (:mod:`ringback.core.checks`) say about a message, filled in
    for the sample contact: failures first. Raises :class:`TemplateError` if it can't be filled in.
    """
    form = TextForm.SPOKEN if kind in (MessageKind.VOICEMAIL, MessageKind.OPENER) else TextForm.PLAIN
    return check_message(
        kind=kind,
        text=render_message(body, SAMPLE, form=form),
        subject=render_subject(subject, SAMPLE) if subject else "",
        last_step=last_step,
        seller_phone=_sample_text("phone"),
        postal_address=_sample_text("postal_address"),
        unsubscribe_url=str(SAMPLE["unsubscribe_url"]),
        seller_name=_sample_text("name"),
        business_name=_sample_text("business"),
    )


def with_library(playbook: Playbook, texts: Mapping[str, str]) -> Playbook:
    """The playbook as if the library messages its steps name (``texts``, by name) were written
    under its ``templates``: to show and check every word it sends. Names the library lacks stay
    references. Only for reading: what is stored and run is the playbook as written."""
    found = {name: texts[name] for name in playbook.library_refs if name in texts}
    if not found:
        return playbook
    return replace(playbook, templates={**found, **playbook.templates})


def library_refs_check(
    playbook: Playbook,
    *,
    kinds: Mapping[str, MessageKind],
    offers: Collection[str],
    source: str = "<playbook>",
    whose: str = "your library",
) -> None:
    """Raise :class:`PlaybookError` at its line unless every message a step names that is not
    under ``templates`` is in the library (``kinds``: each message's kind, by name) and of a kind
    the step's channel can use, and every offer a step names is one of ``offers``."""
    for number, step in enumerate(playbook.steps, 1):
        allowed = KINDS_FOR_CHANNEL[step.channel.value]
        for name in step.templates:
            if name in playbook.templates:
                continue
            line = step.template_lines.get(name, step.line)
            if name not in kinds:
                raise PlaybookError(
                    f"step {number}: script {name!r} is neither under templates nor a message in {whose}",
                    source=source,
                    line=line,
                )
            if kinds[name] not in allowed:
                fits = " or ".join(sorted(kind_label(k).lower() for k in allowed))
                raise PlaybookError(
                    f"step {number}: {name!r} is a {kind_label(kinds[name]).lower()}; "
                    f"a {step.channel.value} step needs a {fits}",
                    source=source,
                    line=line,
                )
    for name, line in playbook.offer_refs.items():
        if name not in offers:
            raise PlaybookError(f"offer {name!r} is not an offer in {whose}", source=source, line=line)


def builtin_library_texts() -> dict[str, str]:
    """The body of every built-in message, by name."""
    return {name: message.body for name, message in builtin_messages().items()}


# --- The built-in library ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BuiltinMessage:
    """A starter message shipped with Ringback."""

    name: str
    kind: MessageKind
    title: str
    body: str
    subject: str = ""
    version: int = 1
    #: A last message (R8): a yes or no, no call-again.
    last: bool = False


@dataclass(frozen=True, slots=True)
class BuiltinOffer:
    """A starter offer shipped with Ringback (the seller fills in the details)."""

    name: str
    title: str
    details: str
    valid_days: int = 14


def _library() -> dict[str, object]:
    text = resources.files("ringback.core").joinpath("library", "messages.yaml").read_text("utf-8")
    data = yaml.safe_load(text)
    assert isinstance(data, dict)
    return data


def builtin_messages() -> dict[str, BuiltinMessage]:
    """Every built-in message, by name, each checked as saving it would be."""
    found: dict[str, BuiltinMessage] = {}
    messages = _library()["messages"]
    assert isinstance(messages, dict)
    for name, item in messages.items():
        message = BuiltinMessage(
            name=message_name_check(name),
            kind=MessageKind(item["kind"]),
            title=item["title"],
            body=item["body"].strip() + "\n",
            subject=item.get("subject", ""),
            version=int(item.get("version", 1)),
            last=bool(item.get("last", False)),
        )
        message_check(body=message.body, subject=message.subject, kind=message.kind)
        found[name] = message
    return found


def builtin_offers() -> dict[str, BuiltinOffer]:
    """Every built-in offer, by name."""
    offers = _library()["offers"]
    assert isinstance(offers, dict)
    return {
        name: BuiltinOffer(
            name=message_name_check(name),
            title=item["title"],
            details=item.get("details", ""),
            valid_days=int(item.get("valid_days", 14)),
        )
        for name, item in offers.items()
    }


# --- Offers -----------------------------------------------------------------------------------


def offer_days_advice(days: int) -> str:
    """Advice about an offer's validity (an empty string when it follows R9)."""
    if days > OFFER_ADVISED_DAYS:
        return (
            f"{days} days is long for an offer: a date within two weeks gives them a reason to call "
            f"back now (R9)"
        )
    return ""
