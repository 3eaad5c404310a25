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
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from importlib import resources
from typing import Any

import yaml

from ringback.core.clock import MAX_DAYS
from ringback.core.errors import PlaybookError, TemplateError, UnknownOutcome
from ringback.core.scripts import script_syntax_check


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
        raise UnknownOutcome(f"unknown outcome {text!r}; use one of: {names}") from None


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
    purpose: str = ""
    line: int | None = None


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


def _shown(text: str, limit: int = 40) -> str:
    """A value as an error message quotes it: cut short when long."""
    return text if len(text) <= limit else text[:limit] + "…"


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

    def check_keys(self, fields: Mapping[str, tuple[int, _Node]], allowed: set[str], what: str) -> None:
        for key, (line, _) in fields.items():
            if key not in allowed:
                known = ", ".join(sorted(allowed))
                raise self.fail(line, f"{what}: unknown field {key!r} (known: {known})")

    def parse(self, text: str) -> Playbook:
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
            # libyaml counts the position in bytes: find the character itself for its line.
            code = exc.character if isinstance(exc.character, int) else ord(str(exc.character)[:1] or "?")
            found = text.find(chr(code))
            line = text.count("\n", 0, found) + 1 if found >= 0 else None
            raise self.fail(line, f"not valid YAML: the character #x{code:04x} is not allowed") from None
        except yaml.YAMLError as exc:
            raise self.fail(None, f"not valid YAML: {str(exc).splitlines()[0]}") from None
        except UnicodeEncodeError:
            raise self.fail(None, "not valid YAML: the text is not valid Unicode") from None
        if root is None:
            raise self.fail(None, "the playbook is empty")
        top = self.mapping(self.tree(root, "the playbook"), "a playbook")
        self.check_keys(
            top,
            {
                "name",
                "title",
                "version",
                "description",
                "rules",
                "templates",
                "steps",
                "finish",
                "limits",
            },
            "playbook",
        )

        def required(key: str) -> tuple[int, _Node]:
            if key not in top:
                raise self.fail(root.start_mark.line + 1, f"the field {key!r} is missing")
            return top[key]

        name_line, name_node = required("name")
        name = self.text(name_node, "name")
        if not _NAME.match(name):
            raise self.fail(name_line, f"name {name!r} must be lower-case letters, digits and dashes")
        title = self.text(top["title"][1], "title") if "title" in top else name.replace("-", " ").capitalize()
        version = 1
        if "version" in top:
            line, node = top["version"]
            if (
                not isinstance(node.value, int)
                or isinstance(node.value, bool)
                or not 1 <= node.value <= MAX_VERSION
            ):
                raise self.fail(
                    line,
                    f"version {_shown(repr(node.value))} must be a whole number from 1 to {MAX_VERSION:,}",
                )
            version = node.value
        description = self.text(top["description"][1], "description").strip() if "description" in top else ""
        rules = self.names(top["rules"][1], "rules") if "rules" in top else ()

        templates: dict[str, str] = {}
        template_lines: dict[str, int] = {}
        if "templates" in top:
            templates_line, templates_node = top["templates"]
            defined = self.mapping(templates_node, "templates")
            if len(defined) > MAX_TEMPLATES:
                raise self.fail(
                    templates_line,
                    f"templates: {len(defined)} are too many (at most {MAX_TEMPLATES} templates)",
                )
            for key, (_line, node) in defined.items():
                body = self.text(node, f"template {key!r}")
                try:
                    script_syntax_check(body)
                except TemplateError as exc:
                    # A block scalar (|) starts on the line after its indicator.
                    offset = (exc.line or 1) - 1 + (1 if node.block else 0)
                    raise self.fail(node.line + offset, f"template {key!r}: {exc.detail}") from None
                templates[key] = body
                template_lines[key] = node.line + (1 if node.block else 0)

        steps_line, steps_node = required("steps")
        if not isinstance(steps_node.value, list) or not steps_node.value:
            raise self.fail(steps_line, "steps must be a non-empty list")
        if len(steps_node.value) > MAX_STEPS:
            raise self.fail(
                steps_line, f"steps: {len(steps_node.value)} are too many (at most {MAX_STEPS} steps)"
            )
        steps = [self.step(number, node, templates) for number, node in enumerate(steps_node.value, 1)]
        ids = [s.id for s in steps]
        for step in steps:
            if ids.count(step.id) > 1:
                raise self.fail(step.line, f"step id {step.id!r} is used twice")
        for number, step in enumerate(steps, 1):
            for outcome, branch in step.on.items():
                if branch.action is Action.GOTO and branch.target not in ids:
                    raise self.fail(
                        step.line,
                        f"step {number}: on {outcome.value}: goto {branch.target!r} names no step",
                    )

        finish = Finish()
        if "finish" in top:
            finish = self.finish(*top["finish"])
        limits = Limits()
        if "limits" in top:
            limits = self.limits(*top["limits"])
        return Playbook(
            name=name,
            title=title,
            version=version,
            description=description,
            steps=tuple(steps),
            templates=templates,
            finish=finish,
            limits=limits,
            rules=rules,
            source=self.source,
            template_lines=template_lines,
        )

    def step(self, number: int, node: _Node, templates: Mapping[str, str]) -> Step:
        what = f"step {number}"
        fields = self.mapping(node, what)
        self.check_keys(
            fields,
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
                "purpose",
            },
            what,
        )
        step_id = self.text(fields["id"][1], f"{what}: id") if "id" in fields else f"step-{number}"
        if "channel" not in fields:
            raise self.fail(node.line, f"{what}: the field 'channel' is missing")
        line, channel_node = fields["channel"]
        try:
            channel = Channel(self.text(channel_node, f"{what}: channel"))
        except ValueError:
            choices = ", ".join(c.value for c in Channel)
            raise self.fail(line, f"{what}: channel {channel_node.value!r} is not one of {choices}") from None
        wait = Wait(0, 0)
        if "wait" in fields:
            line, wait_node = fields["wait"]
            try:
                wait = parse_wait(str(wait_node.value))
            except ValueError:
                raise self.fail(
                    line,
                    f"{what}: wait {_shown(str(wait_node.value))!r} is not a duration range (e.g. '3-4 days')",
                ) from None
            if wait.max_days > MAX_DAYS:
                raise self.fail(
                    line,
                    f"{what}: wait {_shown(str(wait_node.value))!r} is longer than {MAX_DAYS} days (ten years)",
                )
        names: tuple[str, ...] = ()
        for key in ("script", "scripts", "template", "templates"):
            if key in fields:
                line, value = fields[key]
                names += self.names(value, f"{what}: {key}")
                for template in self.names(value, f"{what}: {key}"):
                    if template not in templates:
                        raise self.fail(line, f"{what}: {key} {template!r} is not defined under templates")
        parts = ALL_PARTS
        if "at" in fields:
            line, at_node = fields["at"]
            try:
                parts = tuple(PartOfDay(p) for p in self.names(at_node, f"{what}: at"))
            except ValueError:
                raise self.fail(line, f"{what}: at must list morning, afternoon and/or evening") from None
        on: dict[Outcome, Branch] = {}
        if "on" in fields:
            for key, (line, branch_node) in self.mapping(fields["on"][1], f"{what}: on").items():
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
                on[outcome] = self.branch(branch_node, f"{what}: on {key}")
        anchor = None
        if "anchor" in fields:
            line, anchor_node = fields["anchor"]
            try:
                anchor = Anchor(self.text(anchor_node, f"{what}: anchor"))
            except ValueError:
                raise self.fail(line, f"{what}: anchor {anchor_node.value!r} is not 'birthday'") from None
        skip_beyond = (
            self.days(fields["skip-beyond"][1], f"{what}: skip-beyond") if "skip-beyond" in fields else None
        )
        offer = (
            self.days(fields["offer-expires"][1], f"{what}: offer-expires")
            if "offer-expires" in fields
            else None
        )
        purpose = self.text(fields["purpose"][1], f"{what}: purpose") if "purpose" in fields else ""
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
            purpose=purpose,
            line=node.line,
        )

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
)


def builtin_text(name: str) -> str:
    """The YAML text of the built-in playbook ``name``."""
    return resources.files("ringback.core").joinpath("playbooks", f"{name}.yaml").read_text("utf-8")


def builtin_playbooks() -> dict[str, Playbook]:
    """Every built-in playbook, parsed, by name."""
    return {name: parse_playbook(builtin_text(name), source=f"{name}.yaml") for name in BUILTIN_NAMES}
