"""Message linting: does a playbook's script follow what the seeds teach?

The rules are the message checks of :mod:`ringback.core.checks` (R1–R4, R8, and the email and
text rules), applied to each template as the step that uses it sends it: a call's script as a
voicemail, a mail step's as a card, an email's and a text's as such. The last call of a playbook
that ends there is a last message (R8: a yes or a no, no call-again); a playbook that hands the
contact over to another one has not said its last word.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from ringback.core.checks import (
    MAX_WORDS,
    MIN_WORDS,
    WORDS_PER_MINUTE,
    Finding,
    MessageKind,
    Severity,
    check_message,
    spoken_seconds,
)
from ringback.core.errors import PlaybookError, TemplateError
from ringback.core.messages import SAMPLE, offer_days_advice
from ringback.core.messages import SPARSE_SAMPLE as MESSAGE_SPARSE_SAMPLE
from ringback.core.playbook import Anchor, Channel, Playbook
from ringback.core.scripts import check_script, render_script

__all__ = [
    "MAX_WORDS",
    "MIN_WORDS",
    "SAMPLE_VARIABLES",
    "SPARSE_SAMPLE",
    "WORDS_PER_MINUTE",
    "LintWarning",
    "lint_playbook",
    "playbook_scripts_check",
    "spoken_seconds",
]

#: How each channel's template is sent, as the checks know it (a task's text is for the seller).
_KINDS: Mapping[Channel, MessageKind] = MappingProxyType(
    {
        Channel.CALL: MessageKind.VOICEMAIL,
        Channel.MAIL: MessageKind.CARD,
        Channel.EMAIL: MessageKind.EMAIL,
        Channel.SMS: MessageKind.TEXT,
    }
)
#: A playbook's email template is the body only: the subject, the unsubscribe link and the postal
#: address are not written in it, so their checks belong to the message library's emails.
_NOT_IN_A_BODY = frozenset({"no_subject", "no_unsubscribe", "no_postal_address"})
#: The values scripts are checked with: the message library's samples (every documented variable,
#: then every optional one missing, so a script's other branches are tried too).
SAMPLE_VARIABLES = SAMPLE
SPARSE_SAMPLE = MESSAGE_SPARSE_SAMPLE


@dataclass(frozen=True, slots=True)
class LintWarning:
    """Advice about one template of a playbook; ``code`` and ``severity`` are the check's (see
    :mod:`ringback.core.checks`), or ``script_error`` (a failure) for a template that can't be
    filled in."""

    template: str
    rule: str
    message: str
    code: str = ""
    severity: Severity = Severity.ADVICE

    def __str__(self) -> str:
        return f"{self.template}: {self.message} ({self.rule})"


def _warning(template: str, finding: Finding) -> LintWarning:
    """The finding as the playbook pages show it: the sentence without its rule, which they add."""
    sentence = finding.message.removesuffix(f" ({finding.rule}).").removesuffix(".")
    return LintWarning(template, finding.rule, sentence, code=finding.code, severity=finding.severity)


def _seller(variables: Mapping[str, object]) -> Mapping[str, object]:
    seller = variables["seller"]
    assert isinstance(seller, Mapping)
    return seller


def _template_findings(text: str, kind: MessageKind, *, last_step: bool, greeting: bool) -> list[Finding]:
    """The checks' findings on one filled-in template, as the step that uses it sends it."""
    seller = _seller(SAMPLE_VARIABLES)
    findings = check_message(
        kind=kind,
        text=text,
        last_step=last_step,
        seller_phone=str(seller["phone"]),
        seller_name=str(seller["name"]),
        business_name=str(seller["business"]),
    )
    if kind is MessageKind.EMAIL:
        findings = [f for f in findings if f.code not in _NOT_IN_A_BODY]
    if greeting:  # a birthday card carries no sales message (R11): it needs no number
        findings = [f for f in findings if f.code != "no_number"]
    return findings


@dataclass(frozen=True, slots=True)
class _Use:
    """How a step sends a template: as which kind of message, as the last one, as a greeting."""

    kind: MessageKind
    last_step: bool
    greeting: bool


def _uses(playbook: Playbook) -> list[tuple[str, _Use]]:
    """Each template of the playbook with each way a step sends it, in the order of the steps.
    A name a step uses that is not under templates is a message of the account's library,
    checked there; a task's text is for the seller and is not checked."""
    last_call = max((i for i, s in enumerate(playbook.steps) if s.channel is Channel.CALL), default=-1)
    ends_here = playbook.finish.recontact_playbook in (None, playbook.name)
    uses: list[tuple[str, _Use]] = []
    for index, step in enumerate(playbook.steps):
        kind = _KINDS.get(step.channel)
        if kind is None:
            continue
        use = _Use(
            kind=kind,
            last_step=kind is MessageKind.VOICEMAIL and index == last_call and ends_here,
            greeting=step.anchor is Anchor.BIRTHDAY,
        )
        for name in step.templates:
            if name in playbook.templates and (name, use) not in uses:
                uses.append((name, use))
    return uses


def lint_playbook(playbook: Playbook) -> list[LintWarning]:
    """Warnings for the playbook's templates, in the order of the steps, each (template, code) once;
    an empty list means every script passes the message checks."""
    warnings: list[LintWarning] = []
    reported: set[tuple[str, str]] = set()
    for name, use in _uses(playbook):
        if (name, "script_error") in reported:
            continue
        try:
            text = render_script(playbook.templates[name], SAMPLE_VARIABLES)
        except TemplateError as exc:
            reported.add((name, "script_error"))
            warnings.append(
                LintWarning(name, "script", f"could not be filled in: {exc}", "script_error", Severity.FAIL)
            )
            continue
        for finding in _template_findings(text, use.kind, last_step=use.last_step, greeting=use.greeting):
            if (name, finding.code) not in reported:
                reported.add((name, finding.code))
                warnings.append(_warning(name, finding))
    for step in playbook.steps:
        advice = offer_days_advice(step.offer_days) if step.offer_days is not None else ""
        if advice:  # about the step's offer-expires, not its words: named by the step
            warnings.append(LintWarning(step.id, "R9", advice, "long_offer", Severity.ADVICE))
    return warnings


def playbook_scripts_check(playbook: Playbook) -> None:
    """Refuse the playbook, as saving it would, if one of its scripts can't be filled in.

    Each script is compiled and filled in for a full and a sparse sample contact, within the
    sandbox's limits. Raises :class:`PlaybookError` naming the script and the line of the YAML.
    """
    for name, text in playbook.templates.items():
        try:
            check_script(text, (SAMPLE_VARIABLES, SPARSE_SAMPLE))
        except TemplateError as exc:
            start = playbook.template_lines.get(name)
            line = start + exc.line - 1 if start is not None and exc.line is not None else start
            raise PlaybookError(
                f"template {name!r} can't be filled in: {exc.detail}", source=playbook.source, line=line
            ) from None
