"""The message library as JSON: what ``ringback messages --json`` prints and the API answers."""

from __future__ import annotations

from collections.abc import Sequence

from ringback.core.checks import Finding, MessageKind
from ringback.core.messages import VARIABLE_HELP, message_findings
from ringback.messaging.models import Message, MessageVersion


def findings_json(findings: Sequence[Finding]) -> list[dict[str, str]]:
    """What the checks say, one object a finding."""
    return [
        {"rule": f.rule, "code": f.code, "severity": f.severity.value, "message": f.message} for f in findings
    ]


def message_line_json(message: Message, latest: MessageVersion) -> dict[str, object]:
    """A message at its ``latest`` version, as a line of ``messages list --json``."""
    return {
        "name": message.name,
        "kind": message.kind,
        "title": message.title,
        "version": latest.number,
        "builtin": message.is_builtin,
    }


def message_json(message: Message, version: MessageVersion) -> dict[str, object]:
    """A message at ``version`` as ``messages show --json`` prints it: its words, what the
    checks say of them, and the variables a message may use."""
    kind = MessageKind(message.kind)
    findings = message_findings(
        kind=kind, body=version.body, subject=version.subject, last_step=message.is_last
    )
    return {
        "name": message.name,
        "kind": kind.value,
        "title": message.title,
        "last": message.is_last,
        "version": version.number,
        "subject": version.subject,
        "body": version.body,
        "findings": findings_json(findings),
        "variables": dict(VARIABLE_HELP),
    }
