"""How playbooks look on the web pages: a timeline of steps, scripts with advice, plan previews."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

from ringback.accounts.models import Account
from ringback.core.checks import spoken_words
from ringback.core.engine import Status
from ringback.core.errors import RingbackError
from ringback.core.lint import SAMPLE_VARIABLES as LINT_SAMPLE
from ringback.core.lint import LintWarning, spoken_seconds
from ringback.core.phones import display_phone
from ringback.core.playbook import (
    ALL_PARTS,
    Action,
    Anchor,
    Branch,
    Channel,
    Outcome,
    Playbook,
    Step,
)
from ringback.core.scheduling import zone
from ringback.core.scripts import render_script
from ringback.playbooks.models import Playbook as PlaybookRow
from ringback.playbooks.models import PlaybookVersion
from ringback.playbooks.selectors import PlanPreview

#: The rules the seeds teach (DESIGN.md), as the pages explain a rule number.
RULES: dict[str, str] = {
    "R1": "A voicemail is a short commercial about them that leaves your number.",
    "R2": "Messages last 20–40 seconds spoken (about 50–100 words).",
    "R3": "Talk about them, not you: “calling to introduce myself” almost never gets a call back.",
    "R4": "Say when you will call again; book a real phone appointment when they agree to talk later.",
    "R5": "Ask for the best number and whether work calls are OK.",
    "R6": "Call back every few days when urgent, every 7–10 days otherwise; vary the time and the day.",
    "R7": "Cap the chase: up to 4 calls over 2 weeks, then move on or call back next quarter.",
    "R8": "After about 4 unanswered calls, leave one gracious last message asking for a yes or a no.",
    "R9": "Call-Mail-Call: announce a note, mail it with a time-sensitive offer, call about it 3–4 days later.",
    "R10": "Mix callbacks with new people every day.",
    "R11": "Touch people when you are not selling: birthdays, a helpful tip, the resource you promised.",
    "R12": "Strangers need a series over time by mail, email and phone.",
    "R13": "If people don't respond, change the message and measure it.",
    "R14": "Keep it warm, friendly and as automated as possible.",
    "R15": "Keep every follow-up detail in the system.",
    "R16": "End gracefully: a “no” is better than a “maybe” that wastes time.",
}

CHANNEL_LABELS: dict[Channel, str] = {
    Channel.CALL: "Call",
    Channel.MAIL: "Card in the mail",
    Channel.EMAIL: "Email",
    Channel.SMS: "Text message",
    Channel.TASK: "Task",
}

OUTCOME_LABELS: dict[Outcome, str] = {
    Outcome.VOICEMAIL: "voicemail",
    Outcome.NO_ANSWER: "no answer",
    Outcome.BUSY: "busy",
    Outcome.WRONG_NUMBER: "wrong number",
    Outcome.MAILED: "mailed",
    Outcome.EMAILED: "emailed",
    Outcome.TEXTED: "texted",
    Outcome.DONE: "done",
}

_RULE = re.compile(r"\bR(\d{1,2})\b")


def rule_text(rule: str) -> str:
    return RULES.get(rule, "")


def with_rules(text: str) -> SafeString:
    """Escaped text with each rule number (R9) explained on hover and for screen readers."""

    def explain(match: re.Match[str]) -> str:
        rule = f"R{match.group(1)}"
        meaning = RULES.get(rule)
        if meaning is None:
            return rule
        return str(format_html('<abbr title="{}">{}</abbr>', meaning, rule))

    return mark_safe(_RULE.sub(explain, str(escape(text))))  # built from escaped parts


def _days(low: int, high: int, business: bool) -> str:
    span = f"{low}" if low == high else f"{low}–{high}"
    unit = "business day" if business else "day"
    return f"{span} {unit}{'' if span == '1' else 's'}"


def wait_text(step: Step, index: int) -> str:
    """When the step comes: "right away", "3–4 days later", "on their birthday"."""
    if step.anchor is Anchor.BIRTHDAY:
        text = "On their birthday"
        if step.skip_beyond_days is not None:
            text += f" (skipped when it is more than {step.skip_beyond_days} days away)"
        return text
    wait = step.wait
    if wait.max_days == 0:
        return "Right away" if index == 0 else "The same day"
    if wait.min_days == 0:
        if wait.max_days == 1 and not wait.business:
            return "The same day or the next"
        return f"Within {_days(wait.max_days, wait.max_days, wait.business)}"
    return f"Wait {_days(wait.min_days, wait.max_days, wait.business)}"


def parts_text(step: Step) -> str:
    """Preferred parts of the day, when the step narrows them."""
    if step.channel is not Channel.CALL or tuple(step.parts) == ALL_PARTS:
        return ""
    names = [p.value for p in step.parts]
    return "In the " + (" or ".join(names) if len(names) <= 2 else ", ".join(names))


def branch_text(outcome: Outcome, branch: Branch, spec: Playbook) -> str:
    """``wrong number → retry on the other number``."""
    label = OUTCOME_LABELS.get(outcome, outcome.value)
    if branch.action is Action.RETRY:
        then = "retry on the other number" if outcome is Outcome.WRONG_NUMBER else "try this step again"
    elif branch.action is Action.END:
        then = "end the playbook"
    elif branch.action is Action.GOTO and branch.target:
        try:
            then = f"go to step {spec.step_index(branch.target) + 1} ({branch.target})"
        except KeyError:
            then = f"go to step {branch.target}"
    elif branch.action is Action.SWITCH:
        then = f"switch to the playbook {branch.target}"
    else:
        then = "go on to the next step"
    return f"{label} → {then}"


@dataclass(frozen=True, slots=True)
class StepView:
    number: int
    step: Step
    channel: str
    channel_label: str
    wait: str
    parts: str
    scripts: tuple[str, ...]
    ab: bool
    branches: tuple[str, ...]
    notes: tuple[str, ...]
    advice: int


def finish_text(spec: Playbook) -> str:
    """What happens when the playbook runs out."""
    days = spec.finish.recontact_after_days
    if days is None:
        return "Then leave them alone."
    target = spec.finish.recontact_playbook
    also = f" with {target}" if target and target != spec.name else ""
    return f"Then recontact after {days} days{also}."


def limits_text(spec: Playbook) -> list[str]:
    """The playbook's limits in words."""
    lines = []
    limits = spec.limits
    if limits.max_calls is not None:
        within = f" within {limits.within_days} days" if limits.within_days is not None else ""
        lines.append(f"At most {limits.max_calls} calls{within}.")
    elif limits.within_days is not None:
        lines.append(f"Calls stop {limits.within_days} days after the first one.")
    if limits.min_gap_days is not None:
        lines.append(f"At least {limits.min_gap_days} days between two touches.")
    return lines


def timeline(
    spec: Playbook, warnings: Sequence[LintWarning] = (), offer_days: Mapping[str, int] | None = None
) -> list[StepView]:
    """The steps in order, in words; ``offer_days`` are the days each offer a step names holds."""
    advised = {w.template for w in warnings}
    views = []
    for index, step in enumerate(spec.steps):
        notes = []
        if step.purpose:
            notes.append(step.purpose)
        if step.offer:
            days = (offer_days or {}).get(step.offer)
            good = f", good for {days} days after mailing" if days is not None else ""
            notes.append(f"Offer: {step.offer}{good}.")
        if step.offer_days is not None:
            notes.append(f"The offer expires {step.offer_days} days after mailing.")
        views.append(
            StepView(
                number=index + 1,
                step=step,
                channel=step.channel.value,
                channel_label=CHANNEL_LABELS[step.channel],
                wait=wait_text(step, index),
                parts=parts_text(step),
                scripts=step.templates,
                ab=len(step.templates) > 1,
                branches=tuple(branch_text(o, b, spec) for o, b in step.on.items()),
                notes=tuple(notes),
                advice=sum(1 for t in step.templates if t in advised),
            )
        )
    return views


@dataclass(frozen=True, slots=True)
class Advice:
    rule: str
    meaning: str
    message: str


def sample_variables(account: Account) -> dict[str, object]:
    """Fill-ins for showing a script as a contact would hear it: the seller's own details."""
    sample_seller = LINT_SAMPLE["seller"]
    assert isinstance(sample_seller, dict)
    seller: dict[str, str] = dict(sample_seller)
    if account.seller_name or account.name:
        seller.update(name=account.seller_name or account.name, first_name=account.seller_first_name)
    if account.seller_phone:
        seller["phone"] = display_phone(account.seller_phone)
    if account.business_name:
        seller["business"] = account.business_name
    return {**LINT_SAMPLE, "seller": seller}


@dataclass(frozen=True, slots=True)
class ScriptView:
    name: str
    text: str
    filled: str
    used_by: tuple[str, ...]
    is_call: bool
    words: int
    seconds: int
    advice: tuple[Advice, ...] = field(default_factory=tuple)


def scripts(
    spec: Playbook, warnings: Sequence[LintWarning], variables: Mapping[str, object]
) -> list[ScriptView]:
    """Every template of the playbook, as written and filled in, with the steps and advice."""
    used: dict[str, list[str]] = {}
    calls: set[str] = set()
    for number, step in enumerate(spec.steps, 1):
        for name in step.templates:
            used.setdefault(name, []).append(f"step {number} ({CHANNEL_LABELS[step.channel].lower()})")
            if step.channel is Channel.CALL:
                calls.add(name)
    views = []
    for name, text in spec.templates.items():
        try:
            sample = render_script(text, LINT_SAMPLE)
            filled = render_script(text, variables)
        except RingbackError:  # a script that can't be filled in still shows as written
            sample, filled = text, ""
        words = len(sample.split())
        views.append(
            ScriptView(
                name=name,
                text=text.strip("\n"),
                filled=filled,
                used_by=tuple(used.get(name, ())),
                is_call=name in calls,
                words=words,
                seconds=spoken_seconds(spoken_words(sample)),  # as the length check counts
                advice=tuple(
                    Advice(w.rule, RULES.get(w.rule, ""), w.message) for w in warnings if w.template == name
                ),
            )
        )
    return views


@dataclass(frozen=True, slots=True)
class ExcerptLine:
    number: int
    text: str
    is_error: bool


def error_excerpt(text: str, line: int | None, around: int = 3) -> list[ExcerptLine]:
    """The lines around ``line`` of the submitted YAML, numbered, the faulty one marked."""
    if line is None:
        return []
    lines = text.replace("\r\n", "\n").split("\n")
    if not 1 <= line <= len(lines):
        return []
    first, last = max(1, line - around), min(len(lines), line + around)
    return [ExcerptLine(n, lines[n - 1], n == line) for n in range(first, last + 1)]


@dataclass(frozen=True, slots=True)
class PlanRow:
    number: int
    channel: str
    channel_label: str
    day: str
    start: str
    end: str
    hours: str
    part: str
    step_number: int
    step_id: str
    script: str
    attempt: str


def _day(value: datetime, now: datetime) -> str:
    return f"{value:%a} {value.day} {value:%b}" + (f" {value:%Y}" if value.year != now.year else "")


def plan_rows(preview: PlanPreview) -> list[PlanRow]:
    """The planned touches in the contact's local time."""
    tz = zone(preview.zone)
    now = preview.start.astimezone(tz)
    rows = []
    calls = 0
    for number, touch in enumerate(preview.touches, 1):
        start, end = touch.window.start.astimezone(tz), touch.window.end.astimezone(tz)
        is_call = touch.step.channel is Channel.CALL
        if is_call:
            calls += 1
        rows.append(
            PlanRow(
                number=number,
                channel=touch.step.channel.value,
                channel_label=CHANNEL_LABELS[touch.step.channel],
                day=_day(start, now),
                start=start.isoformat(),
                end=end.isoformat(),
                hours=f"{start:%H:%M}–{end:%H:%M} {start:%Z}",
                part=touch.window.part.value if touch.window.part else "",
                step_number=touch.index + 1,
                step_id=touch.step.id,
                script=touch.variant or "",
                attempt=f"call {calls}" if is_call else "",
            )
        )
    return rows


def plan_ending(preview: PlanPreview) -> str:
    """How the plan ends if nobody ever answers."""
    end = preview.end
    if end is None:
        return ""
    if end.status is Status.EXHAUSTED:
        if end.recontact_at is not None:
            local = end.recontact_at.astimezone(zone(preview.zone))
            return (
                f"Then the playbook has run out; Ringback starts again around {_day(local, preview.start)}."
            )
        return "Then the playbook has run out and Ringback leaves them alone."
    if end.status is Status.STOPPED:
        return f"Then it stops: {end.reason}."
    if end.status is Status.ACTIVE:
        return "…and more after that."
    return ""


def local_now(preview: PlanPreview) -> str:
    now = preview.start.astimezone(zone(preview.zone))
    return f"{_day(now, now)}, {now:%H:%M} {now:%Z}"


# --- JSON: what ``ringback playbooks --json`` prints and the API answers ------------------------


def playbook_line_json(playbook: PlaybookRow, version: PlaybookVersion, spec: Playbook) -> dict[str, object]:
    """A playbook at ``version`` (its latest) as a line of ``playbooks list --json``."""
    return {
        "name": playbook.name,
        "title": spec.title,
        "version": version.number,
        "builtin": playbook.is_builtin,
        "steps": len(spec.steps),
        "rules": list(spec.rules),
    }


def playbook_json(spec: Playbook, version: PlaybookVersion) -> dict[str, object]:
    """A version of a playbook as ``show --json`` prints it: its steps, finish, limits and source."""
    return {
        "name": spec.name,
        "title": spec.title,
        "version": version.number,
        "description": spec.description,
        "rules": list(spec.rules),
        "steps": [
            {
                "id": s.id,
                "channel": s.channel.value,
                "wait": str(s.wait),
                "templates": list(s.templates),
                "at": [p.value for p in s.parts],
                "purpose": s.purpose,
            }
            for s in spec.steps
        ],
        "finish": {"recontact_after_days": spec.finish.recontact_after_days},
        "limits": {
            "max_calls": spec.limits.max_calls,
            "within_days": spec.limits.within_days,
            "min_gap_days": spec.limits.min_gap_days,
        },
        "source": version.source,
    }
