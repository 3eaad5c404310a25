"""Message linting: does a script follow what the seeds teach?

- R1: a voicemail is a short commercial that leaves your number.
- R2: 20–40 seconds spoken, about 50–100 words at 150 words a minute.
- R3: about *them*: "calling to introduce myself" almost never gets a call back.
- R4: say when you will call again (except on the last call).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from ringback.core.errors import PlaybookError, TemplateError
from ringback.core.playbook import Channel, Playbook
from ringback.core.scripts import check_script, render_script

WORDS_PER_MINUTE = 150
MIN_WORDS, MAX_WORDS = 50, 100
_SELF_CENTRED = re.compile(
    r"introduce myself|tell you (?:all )?about (?:my|our) (?:services|business|company|products)|"
    r"i'?m calling to introduce",
    re.IGNORECASE,
)
_CALL_AGAIN = re.compile(r"next_call_day|call (?:you )?(?:again|in|on)\b|try (?:you )?again", re.IGNORECASE)
#: What the advice fills scripts in with: a made-up contact and seller (read-only; every render
#: gets its own copy).
SAMPLE_VARIABLES: Mapping[str, object] = MappingProxyType(
    {
        "contact": {"first_name": "Mary", "last_name": "Smith", "name": "Mary Smith", "company": "Acme"},
        "seller": {
            "name": "Sally Baker",
            "first_name": "Sally",
            "phone": "312 555 0142",
            "business": "Sweet Home",
        },
        "next_call_day": "Thursday",
        "offer_expires": "Monday, December 7",
        "mailed_on": "November 24",
    }
)
#: The same with every optional value missing, so that a script's other branches are tried too.
SPARSE_SAMPLE: Mapping[str, object] = MappingProxyType(
    {
        "contact": {"first_name": "Sam", "last_name": "", "name": "Sam", "company": ""},
        "seller": {"name": "", "first_name": "", "phone": "", "business": ""},
        "next_call_day": "in a few days",
        "offer_expires": "",
        "mailed_on": "last week",
    }
)


@dataclass(frozen=True, slots=True)
class LintWarning:
    """Advice about one template of a playbook."""

    template: str
    rule: str
    message: str

    def __str__(self) -> str:
        return f"{self.template}: {self.message} ({self.rule})"


def spoken_seconds(words: int) -> int:
    """Seconds it takes to say ``words`` words at a natural pace."""
    return round(words * 60 / WORDS_PER_MINUTE)


def lint_playbook(playbook: Playbook) -> list[LintWarning]:
    """Warnings for the playbook's templates; an empty list means the scripts follow R1–R4."""
    warnings: list[LintWarning] = []
    last_call = max((i for i, s in enumerate(playbook.steps) if s.channel is Channel.CALL), default=-1)
    seen: set[tuple[str, bool]] = set()
    for index, step in enumerate(playbook.steps):
        for name in step.templates:
            is_call = step.channel is Channel.CALL
            if (name, is_call) in seen:
                continue
            seen.add((name, is_call))
            text = playbook.templates[name]
            if _SELF_CENTRED.search(text):
                warnings.append(
                    LintWarning(name, "R3", "talks about you, not them; give them a reason to call back")
                )
            if not is_call:
                continue
            try:
                words = len(render_script(text, SAMPLE_VARIABLES).split())
            except TemplateError as exc:
                warnings.append(LintWarning(name, "script", f"could not be filled in: {exc}"))
                continue
            if not MIN_WORDS <= words <= MAX_WORDS:
                warnings.append(
                    LintWarning(
                        name,
                        "R2",
                        f"{words} words is about {spoken_seconds(words)} seconds spoken; aim for 20–40 seconds "
                        f"({MIN_WORDS}–{MAX_WORDS} words)",
                    )
                )
            if "seller.phone" not in text:
                warnings.append(LintWarning(name, "R1", "does not leave your number ({{ seller.phone }})"))
            if index < last_call and not _CALL_AGAIN.search(text):
                warnings.append(LintWarning(name, "R4", "does not say when you will call again"))
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
