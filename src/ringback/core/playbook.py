"""Playbooks: the schema, YAML parsing and validation.

A playbook is a named, versioned sequence of steps. Each step is one planned touch: a channel,
a wait since the previous step, the script or template(s) to use (several mean A/B variants),
preferred parts of the day, and optional branches on the outcome of its touch.

Errors name the file, the line and the field: ``call-mail-call.yaml, line 14: step 3: wait
'3-x days' is not a duration range``.

A playbook is written by a user, so its size is capped: the text (:data:`MAX_SOURCE_CHARS`), the
nesting (:data:`MAX_DEPTH`, refused while the YAML is read, before the rest of it), the number of
steps and templates, and every duration (:data:`MAX_DAYS`), so that no plan can overflow a date.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence, Set
from dataclasses import dataclass, field
from enum import StrEnum
from importlib import resources
from types import MappingProxyType
from typing import Any

import yaml

from ringback.core.clock import MAX_DAYS
from ringback.core.errors import PlaybookError, TemplateError, UnknownOutcome
from ringback.core.scripts import script_syntax_check

#: An offer runs at least a day and at most this many after the card is sent; past
#: :data:`OFFER_ADVISED_DAYS` the sense of urgency is gone (R9), which is advice, not a refusal.
OFFER_MAX_DAYS = 90
OFFER_ADVISED_DAYS = 14


def offer_days_problem(days: int) -> str:
    """Why ``days`` can't be an offer's validity ("" when it can): the same words for an offer of
    the library and a playbook step's ``offer-expires``."""
    if not 1 <= days <= OFFER_MAX_DAYS:
        return f"an offer runs from 1 to {OFFER_MAX_DAYS} days after the card is sent, not {days}"
    return ""


class Channel(StrEnum):
    CALL = "call"
    MAIL = "mail"
    EMAIL = "email"
    SMS = "sms"
    TASK = "task"


class PartOfDay(StrEnum):
    MORNING = "morning"
    AFTERNOON = "afternoon"
    EVENING = "evening"


ALL_PARTS: tuple[PartOfDay, ...] = (PartOfDay.MORNING, PartOfDay.AFTERNOON, PartOfDay.EVENING)


class Outcome(StrEnum):
    CONNECTED = "connected"
    VOICEMAIL = "voicemail"
    NO_ANSWER = "no-answer"
    BUSY = "busy"
    WRONG_NUMBER = "wrong-number"
    NOT_INTERESTED = "not-interested"
    CALLBACK = "callback"
    APPOINTMENT = "appointment"
    DO_NOT_CONTACT = "do-not-contact"
    MAILED = "mailed"
    EMAILED = "emailed"
    TEXTED = "texted"
    DONE = "done"


def parse_outcome(text: str) -> Outcome:
    """Return the outcome named ``text`` or raise :class:`UnknownOutcome` listing the valid ones."""
    try:
        return Outcome(text.strip().lower().replace("_", "-"))
    except ValueError:
        names = ", ".join(o.value for o in Outcome)
        raise UnknownOutcome(f"unknown outcome {text!r}; use one of: {names}", field="outcome") from None


#: Outcomes that end the chase whatever the playbook says.
ENGAGING: frozenset[Outcome] = frozenset({Outcome.CONNECTED, Outcome.CALLBACK, Outcome.APPOINTMENT})
ENDING: frozenset[Outcome] = frozenset({Outcome.NOT_INTERESTED, Outcome.DO_NOT_CONTACT})
#: Outcomes that complete a step of the given channel (and may branch).
STEP_OUTCOMES: Mapping[Channel, frozenset[Outcome]] = {
    Channel.CALL: frozenset({Outcome.VOICEMAIL, Outcome.NO_ANSWER, Outcome.BUSY, Outcome.WRONG_NUMBER}),
    Channel.MAIL: frozenset({Outcome.MAILED}),
    Channel.EMAIL: frozenset({Outcome.EMAILED}),
    Channel.SMS: frozenset({Outcome.TEXTED, Outcome.WRONG_NUMBER}),
    Channel.TASK: frozenset({Outcome.DONE}),
}
BRANCHABLE: frozenset[Outcome] = frozenset().union(*STEP_OUTCOMES.values())


class Action(StrEnum):
    NEXT = "next"
    GOTO = "goto"
    RETRY = "retry"
    END = "end"
    SWITCH = "switch"


@dataclass(frozen=True, slots=True)
class Branch:
    action: Action
    target: str | None = None


class Send(StrEnum):
    """How an email step goes out: by itself at its due time, or when the seller presses Send."""

    AUTO = "auto"
    MANUAL = "manual"


class Split(StrEnum):
    """How a step with several messages shares them out: learning which brings more responses
    (Thompson sampling), or evenly whatever the results."""

    LEARN = "learn"
    EVEN = "even"


class Anchor(StrEnum):
    BIRTHDAY = "birthday"


@dataclass(frozen=True, slots=True)
class Wait:
    """A wait range in days since the previous step (or since the start, for the first)."""

    min_days: int
    max_days: int
    business: bool = False

    def __str__(self) -> str:
        span = f"{self.min_days}" if self.min_days == self.max_days else f"{self.min_days}-{self.max_days}"
        unit = "business day" if self.business else "day"
        return f"{span} {unit}{'' if span == '1' else 's'}"


@dataclass(frozen=True, slots=True)
class Step:
    id: str
    channel: Channel
    wait: Wait
    templates: tuple[str, ...] = ()
    parts: tuple[PartOfDay, ...] = ALL_PARTS
    on: Mapping[Outcome, Branch] = field(default_factory=dict)
    anchor: Anchor | None = None
    skip_beyond_days: int | None = None
    offer_days: int | None = None
    #: The name of the offer (in the account's library) a mail step announces.
    offer: str | None = None
    purpose: str = ""
    #: An email step goes out by itself unless it says ``send: manual``.
    send: Send = Send.AUTO
    #: How several messages of the step share the picks (one message: nothing to share).
    split: Split = Split.LEARN
    line: int | None = None
    #: The line each name under script(s)/template(s) is written on.
    template_lines: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Finish:
    """What happens when the playbook runs out: stop, or recontact after some days."""

    recontact_after_days: int | None = None
    recontact_playbook: str | None = None


@dataclass(frozen=True, slots=True)
class Limits:
    max_calls: int | None = None
    within_days: int | None = None
    min_gap_days: int | None = None


@dataclass(frozen=True, slots=True)
class Playbook:
    name: str
    title: str
    version: int
    description: str
    steps: tuple[Step, ...]
    templates: Mapping[str, str]
    finish: Finish = Finish()
    limits: Limits = Limits()
    rules: tuple[str, ...] = ()
    source: str = "<playbook>"
    #: The line of the YAML each template's text starts on.
    template_lines: Mapping[str, int] = field(default_factory=dict)

    @property
    def library_refs(self) -> dict[str, int]:
        """The names steps use that are not under ``templates``: messages of the account's
        library, with the line each is first named on."""
        refs: dict[str, int] = {}
        for step in self.steps:
            for name in step.templates:
                if name not in self.templates and name not in refs:
                    refs[name] = step.template_lines.get(name, step.line or 0)
        return refs

    @property
    def offer_refs(self) -> dict[str, int]:
        """The offers mail steps announce, with the line of their step."""
        return {step.offer: step.line or 0 for step in self.steps if step.offer}

    def step_index(self, step_id: str) -> int:
        """Index of the step called ``step_id``."""
        for index, step in enumerate(self.steps):
            if step.id == step_id:
                return index
        raise KeyError(step_id)

    @property
    def call_count(self) -> int:
        return sum(1 for s in self.steps if s.channel is Channel.CALL)


#: The longest playbook text (the built-ins are about 3 KB).
MAX_SOURCE_CHARS = 100_000
#: How deep mappings and lists may nest (a playbook needs five levels).
MAX_DEPTH = 20
MAX_STEPS = 50
MAX_TEMPLATES = 50
MAX_VERSION = 1_000_000

_WAIT = re.compile(r"^\s*(\d+)\s*(?:-\s*(\d+)\s*)?(business\s+)?days?\s*$", re.IGNORECASE)
_DAYS = re.compile(r"^\s*(\d+)\s*days?\s*$", re.IGNORECASE)
_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")


def parse_wait(text: str) -> Wait:
    """Parse ``"3-4 days"``, ``"0 days"``, ``"2-3 business days"``; raise ValueError otherwise."""
    match = _WAIT.match(str(text))
    if not match:
        raise ValueError(text)
    low = int(match.group(1))
    high = int(match.group(2)) if match.group(2) is not None else low
    if high < low:
        raise ValueError(text)
    return Wait(low, high, business=bool(match.group(3)))


class _Node:
    """A YAML value with the line it starts on (1-based)."""

    __slots__ = ("block", "line", "value")

    def __init__(self, value: Any, line: int, block: bool = False) -> None:
        self.value = value
        self.line = line
        self.block = block


class _Refused(Exception):
    """Raised by :func:`_check_shape` to stop reading: what is wrong, and on which line."""

    def __init__(self, line: int | None, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


#: PyYAML's loader on libyaml (C) when PyYAML was built with it, else its pure Python one.
_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _check_shape(text: str) -> None:
    """Refuse anchors, aliases and nesting deeper than MAX_DEPTH, before the tree is composed.

    Reads the YAML as a stream of events, lazily: the refusal comes at the first anchor or the
    first level too deep, before the rest is read (the scanner takes time quadratic in the depth
    of nesting, the composer recurses once per level). Anchors and aliases can expand
    exponentially ("billion laughs") and a playbook never needs them.
    """
    depth = 0
    for event in yaml.parse(text, Loader=_LOADER):
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            depth += 1
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            depth -= 1
        line = event.start_mark.line + 1 if event.start_mark is not None else None
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
            raise _Refused(
                line,
                "YAML anchors and aliases (&name, *name) are not allowed in playbooks; "
                "write the text out in full",
            )
        if depth > MAX_DEPTH:
            raise _Refused(line, f"nested deeper than {MAX_DEPTH} levels of lists and mappings")


def _text_line(node: _Node) -> int:
    """The line a scalar's text starts on: a block scalar (``|``, ``>``) starts on the line after
    its indicator."""
    return node.line + (1 if node.block else 0)


def _shown(text: str, limit: int = 40) -> str:
    """A value as an error message quotes it: cut short when long."""
    return text if len(text) <= limit else text[:limit] + "…"


_TOP_FIELDS = frozenset(
    {"name", "title", "version", "description", "rules", "templates", "steps", "finish", "limits"}
)
_STEP_FIELDS = frozenset(
    {
        "id",
        "channel",
        "wait",
        "script",
        "scripts",
        "template",
        "templates",
        "at",
        "on",
        "anchor",
        "skip-beyond",
        "offer-expires",
        "offer",
        "purpose",
        "send",
        "split",
    }
)


class _Parser:
    def __init__(self, source: str) -> None:
        self.source = source
        # A constructor remembers every node it built: one per parse, not one for the process.
        self.scalars = yaml.constructor.SafeConstructor()

    def fail(self, line: int | None, message: str) -> PlaybookError:
        return PlaybookError(message, source=self.source, line=line)

    def tree(self, node: yaml.Node, what: str) -> _Node:
        """The composed YAML as plain values with lines; ``what`` names the field for errors."""
        line = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            mapping: dict[str, tuple[int, _Node]] = {}
            for key, value in node.value:
                key_line = key.start_mark.line + 1
                if not isinstance(key, yaml.ScalarNode):
                    raise self.fail(key_line, "a key must be text, not a list or a mapping")
                mapping[str(key.value)] = (key_line, self.tree(value, str(key.value)))
            return _Node(mapping, line)
        if isinstance(node, yaml.SequenceNode):
            return _Node([self.tree(item, what) for item in node.value], line)
        assert isinstance(node, yaml.ScalarNode)
        try:
            value = self.scalars.construct_object(node)
        except (yaml.YAMLError, ValueError, TypeError, KeyError, AttributeError, OverflowError):
            # A timestamp that is no date (2026-13-45), an integer of 5,000 digits, a tag
            # (!!bool, !!python/...) whose value it does not fit.
            raise self.fail(
                line, f"{what} {_shown(str(node.value))!r} is not a value YAML can read"
            ) from None
        return _Node(value, line, block=node.style in ("|", ">"))

    def mapping(self, node: _Node, what: str) -> dict[str, tuple[int, _Node]]:
        if not isinstance(node.value, dict):
            raise self.fail(node.line, f"{what} must be a mapping of keys to values")
        return node.value

    def text(self, node: _Node, what: str) -> str:
        if isinstance(node.value, (dict, list)) or node.value is None:
            raise self.fail(node.line, f"{what} must be text")
        value = str(node.value)
        if "\x00" in value:
            raise self.fail(node.line, f"{what} contains a NUL character (\\u0000), which can't be stored")
        return value

    def names(self, node: _Node, what: str) -> tuple[str, ...]:
        items = node.value if isinstance(node.value, list) else [node]
        return tuple(self.text(item, what) for item in items)

    def days(self, node: _Node, what: str) -> int:
        value = node.value
        if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
            digits = str(value)
        else:
            match = _DAYS.match(str(value)) if isinstance(value, str) else None
            if not match:
                raise self.fail(
                    node.line, f"{what} {_shown(str(value))!r} is not a number of days (e.g. '90 days')"
                )
            digits = match.group(1).lstrip("0") or "0"
        if len(digits) > len(str(MAX_DAYS)) or int(digits) > MAX_DAYS:
            raise self.fail(node.line, f"{what} {_shown(digits)} is longer than {MAX_DAYS} days (ten years)")
        return int(digits)

    def check_keys(self, fields: Mapping[str, tuple[int, _Node]], allowed: Set[str], what: str) -> None:
        for key, (line, _) in fields.items():
            if key not in allowed:
                known = ", ".join(sorted(allowed))
                raise self.fail(line, f"{what}: unknown field {key!r} (known: {known})")

    def parse(self, text: str) -> Playbook:
        """The playbook the YAML ``text`` describes, every field checked in the order written here."""
        root = self.compose(text)
        root_line = root.start_mark.line + 1
        top = self.mapping(self.tree(root, "the playbook"), "a playbook")
        self.check_keys(top, _TOP_FIELDS, "playbook")
        name = self.name(*self.required(top, "name", root_line))
        title = self.text(top["title"][1], "title") if "title" in top else name.replace("-", " ").capitalize()
        version = self.version(*top["version"]) if "version" in top else 1
        description = self.text(top["description"][1], "description").strip() if "description" in top else ""
        rules = self.names(top["rules"][1], "rules") if "rules" in top else ()
        templates, template_lines = self.templates(*top["templates"]) if "templates" in top else ({}, {})
        steps = self.steps(*self.required(top, "steps", root_line), templates)
        finish = self.finish(*top["finish"]) if "finish" in top else Finish()
        limits = self.limits(*top["limits"]) if "limits" in top else Limits()
        return Playbook(
            name=name,
            title=title,
            version=version,
            description=description,
            steps=steps,
            templates=templates,
            finish=finish,
            limits=limits,
            rules=rules,
            source=self.source,
            template_lines=template_lines,
        )

    def compose(self, text: str) -> yaml.Node:
        """The YAML ``text`` composed into nodes, once it is known to be short and shallow enough,
        and free of anchors; every way it can fail is a :class:`PlaybookError`."""
        if len(text) > MAX_SOURCE_CHARS:
            raise self.fail(None, f"the playbook is longer than {MAX_SOURCE_CHARS:,} characters")
        try:
            _check_shape(text)
            root = yaml.compose(text, Loader=_LOADER)
        except _Refused as exc:
            raise self.fail(exc.line, exc.message) from None
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            line = mark.line + 1 if mark is not None else None
            raise self.fail(line, f"not valid YAML: {exc.problem or exc.context}") from None
        except yaml.reader.ReaderError as exc:
            raise self.character_not_allowed(text, exc) from None
        except yaml.YAMLError as exc:
            raise self.fail(None, f"not valid YAML: {str(exc).splitlines()[0]}") from None
        except UnicodeEncodeError:
            raise self.fail(None, "not valid YAML: the text is not valid Unicode") from None
        if root is None:
            raise self.fail(None, "the playbook is empty")
        return root

    def character_not_allowed(self, text: str, exc: yaml.reader.ReaderError) -> PlaybookError:
        """The error for a character YAML does not allow, on the line of its first occurrence."""
        # libyaml counts the position in bytes: find the character itself for its line.
        code = exc.character if isinstance(exc.character, int) else ord(str(exc.character)[:1] or "?")
        found = text.find(chr(code))
        line = text.count("\n", 0, found) + 1 if found >= 0 else None
        return self.fail(line, f"not valid YAML: the character #x{code:04x} is not allowed")

    def required(self, fields: Mapping[str, tuple[int, _Node]], key: str, line: int) -> tuple[int, _Node]:
        """The line and value of ``key``, which must be there (else the error is on ``line``)."""
        if key not in fields:
            raise self.fail(line, f"the field {key!r} is missing")
        return fields[key]

    def name(self, line: int, node: _Node) -> str:
        """The playbook's name: lower-case letters, digits and dashes."""
        name = self.text(node, "name")
        if not _NAME.match(name):
            raise self.fail(line, f"name {name!r} must be lower-case letters, digits and dashes")
        return name

    def version(self, line: int, node: _Node) -> int:
        """The playbook's version: a whole number from 1 to :data:`MAX_VERSION`."""
        value = node.value
        if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= MAX_VERSION:
            raise self.fail(
                line,
                f"version {_shown(repr(value))} must be a whole number from 1 to {MAX_VERSION:,}",
            )
        return value

    def templates(self, line: int, node: _Node) -> tuple[dict[str, str], dict[str, int]]:
        """The templates by name (at most :data:`MAX_TEMPLATES`, each a script that compiles),
        and the line each one's text starts on."""
        defined = self.mapping(node, "templates")
        if len(defined) > MAX_TEMPLATES:
            raise self.fail(
                line, f"templates: {len(defined)} are too many (at most {MAX_TEMPLATES} templates)"
            )
        templates = {key: self.template(key, body) for key, (_line, body) in defined.items()}
        return templates, {key: _text_line(body) for key, (_line, body) in defined.items()}

    def template(self, key: str, node: _Node) -> str:
        """The text of the template ``key``; a syntax error in it is reported on its own line."""
        body = self.text(node, f"template {key!r}")
        try:
            script_syntax_check(body)
        except TemplateError as exc:
            line = _text_line(node) + (exc.line or 1) - 1
            raise self.fail(line, f"template {key!r}: {exc.detail}") from None
        return body

    def steps(self, line: int, node: _Node, templates: Mapping[str, str]) -> tuple[Step, ...]:
        """The steps: a list of 1 to :data:`MAX_STEPS`, each id used once, and each goto to one of them."""
        if not isinstance(node.value, list) or not node.value:
            raise self.fail(line, "steps must be a non-empty list")
        if len(node.value) > MAX_STEPS:
            raise self.fail(line, f"steps: {len(node.value)} are too many (at most {MAX_STEPS} steps)")
        steps = tuple(self.step(number, item, templates) for number, item in enumerate(node.value, 1))
        self.check_ids(steps)
        self.check_gotos(steps)
        return steps

    def check_ids(self, steps: Sequence[Step]) -> None:
        """Refuse a step id used twice, on the line of the first step that has it."""
        ids = [step.id for step in steps]
        for step in steps:
            if ids.count(step.id) > 1:
                raise self.fail(step.line, f"step id {step.id!r} is used twice")

    def check_gotos(self, steps: Sequence[Step]) -> None:
        """Refuse a goto that names no step, on the line of the step that has it."""
        ids = {step.id for step in steps}
        for number, step in enumerate(steps, 1):
            for outcome, branch in step.on.items():
                if branch.action is Action.GOTO and branch.target not in ids:
                    raise self.fail(
                        step.line,
                        f"step {number}: on {outcome.value}: goto {branch.target!r} names no step",
                    )

    def step(self, number: int, node: _Node, templates: Mapping[str, str]) -> Step:
        """Step ``number`` (from 1), its fields checked in the order written here; the templates
        it names must be among ``templates``."""
        what = f"step {number}"
        fields = self.mapping(node, what)
        self.check_keys(fields, _STEP_FIELDS, what)
        step_id = self.text(fields["id"][1], f"{what}: id") if "id" in fields else f"step-{number}"
        if "channel" not in fields:
            raise self.fail(node.line, f"{what}: the field 'channel' is missing")
        channel = self.channel(*fields["channel"], what)
        wait = self.wait(*fields["wait"], what) if "wait" in fields else Wait(0, 0)
        names, name_lines = self.step_templates(fields, templates, what)
        parts = self.parts(*fields["at"], what) if "at" in fields else ALL_PARTS
        on = self.branches(fields["on"][1], channel, what) if "on" in fields else {}
        anchor = self.anchor(*fields["anchor"], what) if "anchor" in fields else None
        skip_beyond = (
            self.days(fields["skip-beyond"][1], f"{what}: skip-beyond") if "skip-beyond" in fields else None
        )
        offer = (
            self.days(fields["offer-expires"][1], f"{what}: offer-expires")
            if "offer-expires" in fields
            else None
        )
        if offer is not None and offer_days_problem(offer):
            raise self.fail(fields["offer-expires"][0], f"{what}: offer-expires: {offer_days_problem(offer)}")
        offer_name = self.library_name(*fields["offer"], f"{what}: offer") if "offer" in fields else None
        purpose = self.text(fields["purpose"][1], f"{what}: purpose") if "purpose" in fields else ""
        send = self.send(*fields["send"], channel, what) if "send" in fields else Send.AUTO
        split = self.split(*fields["split"], names, what) if "split" in fields else Split.LEARN
        return Step(
            id=step_id,
            channel=channel,
            wait=wait,
            templates=names,
            parts=parts,
            on=on,
            anchor=anchor,
            skip_beyond_days=skip_beyond,
            offer_days=offer,
            offer=offer_name,
            purpose=purpose,
            send=send,
            split=split,
            line=node.line,
            template_lines=name_lines,
        )

    def send(self, line: int, node: _Node, channel: Channel, what: str) -> Send:
        """How an email step goes out (:class:`Send`); only email steps say it."""
        if channel is not Channel.EMAIL:
            raise self.fail(line, f"{what}: send applies to email steps only (this one is a {channel.value})")
        try:
            return Send(self.text(node, f"{what}: send"))
        except ValueError:
            choices = ", ".join(s.value for s in Send)
            raise self.fail(line, f"{what}: send {node.value!r} is not one of {choices}") from None

    def split(self, line: int, node: _Node, names: tuple[str, ...], what: str) -> Split:
        """How a step's messages share the picks (:class:`Split`); only a step naming several."""
        if len(names) < 2:
            raise self.fail(line, f"{what}: split applies to a step with several scripts or templates")
        try:
            return Split(self.text(node, f"{what}: split"))
        except ValueError:
            choices = ", ".join(s.value for s in Split)
            raise self.fail(line, f"{what}: split {node.value!r} is not one of {choices}") from None

    def channel(self, line: int, node: _Node, what: str) -> Channel:
        """A step's channel: one of :class:`Channel`."""
        try:
            return Channel(self.text(node, f"{what}: channel"))
        except ValueError:
            choices = ", ".join(c.value for c in Channel)
            raise self.fail(line, f"{what}: channel {node.value!r} is not one of {choices}") from None

    def wait(self, line: int, node: _Node, what: str) -> Wait:
        """A step's wait: a range of days (see :func:`parse_wait`) of at most :data:`MAX_DAYS`."""
        try:
            wait = parse_wait(str(node.value))
        except ValueError:
            raise self.fail(
                line,
                f"{what}: wait {_shown(str(node.value))!r} is not a duration range (e.g. '3-4 days')",
            ) from None
        if wait.max_days > MAX_DAYS:
            raise self.fail(
                line,
                f"{what}: wait {_shown(str(node.value))!r} is longer than {MAX_DAYS} days (ten years)",
            )
        return wait

    def step_templates(
        self, fields: Mapping[str, tuple[int, _Node]], templates: Mapping[str, str], what: str
    ) -> tuple[tuple[str, ...], dict[str, int]]:
        """The texts a step names under script, scripts, template and templates (in that order),
        and the line of each. A name defined under the playbook's templates is that text; any
        other is a message of the account's library (checked when the playbook is saved)."""
        names: tuple[str, ...] = ()
        lines: dict[str, int] = {}
        for key in ("script", "scripts", "template", "templates"):
            if key in fields:
                line, value = fields[key]
                listed = self.names(value, f"{what}: {key}")
                for template in listed:
                    if template not in templates:
                        self.library_name(line, _Node(template, line), f"{what}: {key}")
                    lines.setdefault(template, line)
                names += listed
        return names, lines

    def library_name(self, line: int, node: _Node, what: str) -> str:
        """A name of a message or offer of the library: lower-case letters, digits, dashes."""
        name = self.text(node, what)
        if not _NAME.match(name):
            raise self.fail(
                line,
                f"{what} {_shown(name)!r} is neither defined under templates nor a message name "
                "(lower-case letters, digits and dashes)",
            )
        return name

    def parts(self, line: int, node: _Node, what: str) -> tuple[PartOfDay, ...]:
        """The parts of the day a step is done in (``at``): one, or a list of them."""
        try:
            return tuple(PartOfDay(p) for p in self.names(node, f"{what}: at"))
        except ValueError:
            raise self.fail(line, f"{what}: at must list morning, afternoon and/or evening") from None

    def branches(self, node: _Node, channel: Channel, what: str) -> dict[Outcome, Branch]:
        """A step's branches (``on``): each outcome its channel can have, and what to do then."""
        on: dict[Outcome, Branch] = {}
        for key, (line, branch_node) in self.mapping(node, f"{what}: on").items():
            outcome = self.outcome(line, key, channel, what)
            on[outcome] = self.branch(branch_node, f"{what}: on {key}")
        return on

    def outcome(self, line: int, key: str, channel: Channel, what: str) -> Outcome:
        """The outcome ``key`` names, which must be one a step of ``channel`` can branch on."""
        try:
            outcome = Outcome(key)
        except ValueError:
            raise self.fail(line, f"{what}: on {key!r} is not an outcome") from None
        if outcome not in STEP_OUTCOMES[channel]:
            allowed = ", ".join(sorted(o.value for o in STEP_OUTCOMES[channel]))
            raise self.fail(
                line,
                f"{what}: a {channel.value} step cannot branch on {key!r} "
                f"(it can on: {allowed}; connected, callback and appointment always end "
                "the chase, not-interested and do-not-contact always stop it)",
            )
        return outcome

    def anchor(self, line: int, node: _Node, what: str) -> Anchor:
        """What a step's timing is anchored to instead of the previous step: one of :class:`Anchor`."""
        try:
            return Anchor(self.text(node, f"{what}: anchor"))
        except ValueError:
            raise self.fail(line, f"{what}: anchor {node.value!r} is not 'birthday'") from None

    def branch(self, node: _Node, what: str) -> Branch:
        if isinstance(node.value, dict):
            if len(node.value) != 1:
                raise self.fail(node.line, f"{what}: give one action (goto, switch)")
            ((key, (line, target)),) = node.value.items()
            if key not in ("goto", "switch"):
                raise self.fail(line, f"{what}: {key!r} is not an action (next, retry, end, goto, switch)")
            return Branch(Action(key), self.text(target, f"{what}: {key}"))
        text = self.text(node, what)
        if text in ("next", "retry", "end"):
            return Branch(Action(text))
        raise self.fail(
            node.line,
            f"{what}: {text!r} is not an action (next, retry, end, goto: STEP, switch: PLAYBOOK)",
        )

    def finish(self, line: int, node: _Node) -> Finish:
        if node.value == "stop":
            return Finish()
        fields = self.mapping(node, "finish") if isinstance(node.value, dict) else None
        if fields is None:
            raise self.fail(line, "finish must be 'stop' or 'recontact-after: N days'")
        self.check_keys(fields, {"recontact-after", "playbook"}, "finish")
        if "recontact-after" not in fields:
            raise self.fail(line, "finish: the field 'recontact-after' is missing")
        days = self.days(fields["recontact-after"][1], "finish: recontact-after")
        playbook = self.text(fields["playbook"][1], "finish: playbook") if "playbook" in fields else None
        return Finish(recontact_after_days=days, recontact_playbook=playbook)

    def limits(self, line: int, node: _Node) -> Limits:
        fields = self.mapping(node, "limits")
        self.check_keys(fields, {"max-calls", "within", "min-gap"}, "limits")
        max_calls = None
        if "max-calls" in fields:
            calls_line, calls = fields["max-calls"]
            if not isinstance(calls.value, int) or isinstance(calls.value, bool) or calls.value < 1:
                raise self.fail(
                    calls_line, f"limits: max-calls {calls.value!r} must be a whole number from 1"
                )
            max_calls = calls.value
        within = self.days(fields["within"][1], "limits: within") if "within" in fields else None
        gap = self.days(fields["min-gap"][1], "limits: min-gap") if "min-gap" in fields else None
        return Limits(max_calls=max_calls, within_days=within, min_gap_days=gap)


def parse_playbook(text: str, *, source: str = "<playbook>") -> Playbook:
    """Parse and validate a playbook from YAML text; raise :class:`PlaybookError` naming the line."""
    return _Parser(source).parse(text)


BUILTIN_NAMES: tuple[str, ...] = (
    "call-mail-call",
    "four-calls-two-weeks",
    "steady-weekly",
    "stranger-series",
    "stay-in-touch",
    "customer-care",
)


#: The built-in playbook each warmth calls for (R12, DESIGN.md): people who don't know the seller
#: rarely return a call, so strangers get a series by mail, email and phone; people met once get
#: Call-Mail-Call (a call that announces a note); people who know the seller get four calls in
#: two weeks; customers get care, with check-in calls and no pitch.
PLAYBOOK_FOR_WARMTH: Mapping[str, str] = MappingProxyType(
    {
        "stranger": "stranger-series",
        "met-once": "call-mail-call",
        "acquainted": "four-calls-two-weeks",
        "customer": "customer-care",
    }
)


def playbook_for_warmth(warmth: str) -> str:
    """The name of the built-in playbook suggested for a contact of ``warmth`` (Call-Mail-Call
    when the warmth is unknown)."""
    return PLAYBOOK_FOR_WARMTH.get(warmth, "call-mail-call")


def builtin_text(name: str) -> str:
    """The YAML text of the built-in playbook ``name``."""
    return resources.files("ringback.core").joinpath("playbooks", f"{name}.yaml").read_text("utf-8")


def builtin_playbooks() -> dict[str, Playbook]:
    """Every built-in playbook, parsed, by name."""
    return {name: parse_playbook(builtin_text(name), source=f"{name}.yaml") for name in BUILTIN_NAMES}
