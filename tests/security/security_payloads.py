"""The payload corpus of the security sweep: what an attacker types into every field.

Each payload is one string. ``refused`` ones (far too long, a NUL byte) must be turned down
with a message by every form and command that takes text; every other one must be kept and
shown back exactly as typed: HTML-escaped in pages, never evaluated as a template, with a
spreadsheet formula neutralised in CSV exports, and printed literally by the command line.
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Payload:
    """One hostile value."""

    key: str
    text: str
    #: Every form and command must refuse it with a message (it is never stored).
    refused: bool = False
    #: It is only refused where a limit is shorter than it; short enough, it is kept.
    long: bool = False

    @property
    def stripped(self) -> str:
        """What a form keeps of it (Django's CharField strips the ends)."""
        return self.text.strip()

    @property
    def escaped(self) -> str:
        """How a page must show it: Django's HTML escape of what the form keeps."""
        return html.escape(self.stripped, quote=True)

    @property
    def fragment(self) -> str:
        """What a page shows of it for sure: its longest line, escaped (a page may turn line
        breaks into ``<br>``)."""
        return html.escape(max(self.stripped.splitlines() or [""], key=len).strip(), quote=True)

    @property
    def dangerous(self) -> bool:
        """True when the raw text would be markup in a page (so it must never appear raw).

        A backtick is not: pages quote every attribute with ``"``, where a backtick is text.
        """
        return any(c in self.text for c in "<>\"'")

    @property
    def html(self) -> bool:
        """True when pages must be checked for it closely: markup, a script link, template syntax."""
        return self.dangerous or self.is_template or "javascript:" in self.text or "\u202e" in self.text

    @property
    def is_template(self) -> bool:
        return any(s in self.text for s in ("{{", "{%", "{#"))

    @property
    def is_formula(self) -> bool:
        return self.stripped[:1] in ("=", "+", "-", "@") or self.text[:1] in ("\t", "\r")


CORPUS: tuple[Payload, ...] = (
    # HTML and script injection, and breaking out of the element or attribute the value sits in.
    Payload("script", "<script>alert(1)</script>"),
    Payload("img-onerror", '"><img src=x onerror=alert(1)>'),
    Payload("svg-single-quote", "'><svg onload=alert(1)>"),
    Payload("attr-double", '" autofocus onfocus="alert(1)" x="'),
    Payload("attr-single", "' autofocus onfocus='alert(1)' x='"),
    Payload("attr-backtick", "` autofocus onfocus=`alert(1)` x=`"),
    Payload("textarea", "</textarea><script>alert(1)</script>"),
    Payload("title", "</title><script>alert(1)</script>"),
    Payload("javascript-url", "javascript:alert(1)"),
    Payload("rlo", "\u202eexe.bat"),
    # Template syntax in fields that are values, never templates.
    Payload("jinja-math", "{{7*7}}"),
    Payload("django-debug", "{% debug %}"),
    Payload("jinja-mro", "{{ ''.__class__.__mro__ }}"),
    Payload("jinja-comment", "{# hidden #}shown"),
    # Spreadsheet formulas (must be neutralised in CSV exports).
    Payload("formula-hyperlink", '=HYPERLINK("http://x","y")'),
    Payload("formula-plus", "+1+1"),
    Payload("formula-minus", "-1+1"),
    Payload("formula-at", "@SUM(1)"),
    Payload("formula-tab", "\t=1+1"),
    Payload("formula-cr", "\r=1+1"),
    # The command line's rich output: markup and emoji codes must print as typed.
    Payload("rich-markup", "[bold red]loud[/bold red]"),
    Payload("rich-close", "[/]"),
    Payload("rich-emoji", ":warning: sign"),
    # Control characters (a terminal escape, a bell) and a line break that would start a new
    # vCard property.
    Payload("terminal-escape", "red\x1b[31mtext\x1b]0;title\x07end"),
    Payload("vcard-break", "x\r\nEND:VCARD\r\nBEGIN:VCARD\r\nFN:Injected"),
    # Refused everywhere: a NUL byte, and text far longer than any field.
    Payload("nul", "a\x00b", refused=True),
    Payload("huge", "x" * 100_000, refused=True, long=True),
)

KEPT = tuple(p for p in CORPUS if not p.refused)
REFUSED = tuple(p for p in CORPUS if p.refused)

#: A link whose target runs script.
SCRIPT_LINK = re.compile(r"""(?:href|src|action|formaction)\s*=\s*["']?\s*javascript:""", re.I)
#: Control characters a terminal acts on: below space but tab and line feed, DEL, and C1.
TERMINAL_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def raw_in(body: str, payload: Payload) -> bool:
    """True when ``body`` holds the payload as markup (unescaped)."""
    return payload.dangerous and payload.stripped in body


def playbook_yaml(payload: Payload) -> str:
    """A playbook whose title, description, step purpose and script text are the payload.

    A script is a template by design, so a template payload goes there as plain text around a
    real variable instead (that it is evaluated there is the point of a script)."""
    quoted = json.dumps(payload.text, ensure_ascii=False)
    script = json.dumps(
        "{{ contact.first_name }}" if payload.is_template else payload.text, ensure_ascii=False
    )
    return (
        f"name: my-chase\ntitle: {quoted}\ndescription: {quoted}\n"
        f"templates:\n  hello: {script}\n"
        "steps:\n  - id: call-1\n    channel: call\n    wait: 0 days\n    script: hello\n"
        f"    purpose: {quoted}\n"
    )
