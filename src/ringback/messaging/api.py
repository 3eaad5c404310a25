"""The API's message library: the messages, one with its words and versions, and checking a
message's words in the sandbox as the Library's editor does, storing nothing.

Every operation calls the selectors and checks the Library tab and ``ringback messages`` call,
so the rules and the errors are theirs.
"""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from ninja import Field, P, PathEx, Query, Router, Schema
from pydantic import StrictBool, StrictInt

from ringback.accounts.api import api_account
from ringback.contacts.selectors import contact_get
from ringback.core.checks import MessageKind, Severity, spoken_seconds, spoken_words
from ringback.core.errors import TemplateError
from ringback.core.messages import (
    MAX_BODY_CHARS,
    MAX_SUBJECT_CHARS,
    message_check,
    message_findings,
)
from ringback.interface.api import COMMON_ERRORS, PageOut
from ringback.messaging.presenters import findings_json, message_json, message_line_json
from ringback.messaging.selectors import (
    message_fill,
    message_get,
    message_latest_version,
    message_list,
    message_variables,
    message_version_get,
)

router = Router(tags=["messages"])

#: The longest message name (``Message.name``).
NAME_CHARS = 63
#: The name the preview gives the sample contact, as the editor does.
SAMPLE_NAME = "Mary Smith (a sample contact)"


class MessageSummaryOut(Schema):
    """A line of the library, as ``ringback messages --json`` prints it (``name`` to
    ``builtin``), with when it last changed."""

    name: str = Field(description="How playbooks name it")
    kind: MessageKind
    title: str
    version: int = Field(description="Its latest version: the words sent from now on")
    builtin: bool = Field(description="A starter message, not changed since it shipped")
    last: bool = Field(description="A last message: a yes or a no, no call-again (R8)")
    updated_at: datetime


class MessagesOut(PageOut):
    """The account's messages by name (one page: ``next_cursor`` is null)."""

    items: list[MessageSummaryOut]


class MessageFilterIn(Schema):
    kind: MessageKind | None = Field(None, description="Only messages of this kind")


class FindingOut(Schema):
    """What a check that teaches says: its rule, a stable code, whether it fails or advises."""

    rule: str
    code: str
    severity: Severity
    message: str


class MessageVersionOut(Schema):
    number: int
    subject: str
    created_at: datetime
    builtin_version: int | None = Field(description="The shipped version it came from, for a starter")


class MessageOut(Schema):
    """A message at its latest version (or the one asked for), as ``ringback messages show NAME
    --json`` prints it (``name`` to ``variables``), with every version."""

    name: str
    kind: MessageKind
    title: str
    last: bool
    version: int = Field(description="The version shown")
    subject: str
    body: str
    findings: list[FindingOut] = Field(description="What the checks say, failures first")
    variables: dict[str, str] = Field(description="The variables a message may use, with what they hold")
    builtin: bool
    versions: list[MessageVersionOut] = Field(description="Every version, newest first")


class MessageVersionIn(Schema):
    version: int | None = Field(None, ge=1, description="This version instead of the latest")


class MessageCheckIn(Schema):
    """Words to check, as the editor sends them: the kind of message, its body and (an email's)
    subject, whether it is a last message, and whom to fill it in for."""

    kind: MessageKind
    body: str = Field(..., max_length=MAX_BODY_CHARS)
    subject: str = Field("", max_length=MAX_SUBJECT_CHARS)
    last: StrictBool = Field(False, description="A last message: a yes or a no, no call-again (R8)")
    contact_id: StrictInt | None = Field(
        None, ge=1, description="Fill it in for this contact (the sample if none)"
    )


class MessageProblemOut(Schema):
    """Why the words can't be saved: the part of the message and the line of it, when known."""

    code: str
    field: str | None = Field(description="`body` or `subject`")
    line: int | None
    message: str


class FilledOut(Schema):
    """The message filled in for a contact (the sample one unless a contact is named)."""

    for_name: str
    subject: str
    body: str
    seconds: int | None = Field(description="How long it takes to say (a voicemail or an opener)")


class MessageCheckOut(Schema):
    """Whether the words would be saved (``valid``; if not, ``error`` says where), whether they
    pass every check that teaches (``passes``, as ``ringback messages check`` says), what the
    checks say, and the words filled in."""

    valid: bool
    passes: bool
    error: MessageProblemOut | None
    findings: list[FindingOut]
    preview: FilledOut | None


@router.get("/messages", response={200: MessagesOut, **COMMON_ERRORS}, url_name="messages")
def messages_list(request: HttpRequest, filters: Query[MessageFilterIn]) -> MessagesOut:
    """The account's message library by name, each at its latest version (``ringback messages
    --json``)."""
    rows = message_list(
        account=api_account(request), kind=filters.kind.value if filters.kind else None
    ).prefetch_related("versions")
    items = []
    for message in rows:
        latest = max(message.versions.all(), key=lambda v: v.number)
        items.append(
            MessageSummaryOut.model_validate(
                {
                    **message_line_json(message, latest),
                    "last": message.is_last,
                    "updated_at": message.updated_at,
                }
            )
        )
    return MessagesOut(items=items, next_cursor=None)


@router.post(
    "/messages/validate", response={200: MessageCheckOut, **COMMON_ERRORS}, url_name="message-validate"
)
def messages_validate(request: HttpRequest, payload: MessageCheckIn) -> MessageCheckOut:
    """Check words in the sandbox as the Library's editor does, and store nothing: whether saving
    would accept them (the syntax, the variables, the subject, the length; the problem with its
    part and line if not), what the checks that teach say (R1–R16, CAN-SPAM, TCPA), and the
    message filled in for a contact or the sample. A read-only token may use it."""
    account = api_account(request)
    contact = contact_get(account=account, pk=payload.contact_id) if payload.contact_id else None
    kind = payload.kind
    try:
        message_check(body=payload.body, subject=payload.subject, kind=kind)
        filled = message_fill(
            kind=kind,
            body=payload.body,
            subject=payload.subject,
            variables=message_variables(account=account, contact=contact),
        )
        findings = message_findings(
            kind=kind, body=payload.body, subject=payload.subject, last_step=payload.last
        )
    except TemplateError as exc:
        return MessageCheckOut(
            valid=False,
            passes=False,
            error=MessageProblemOut(code=str(exc.code), field=exc.field, line=exc.line, message=exc.message),
            findings=[],
            preview=None,
        )
    spoken = kind in (MessageKind.VOICEMAIL, MessageKind.OPENER)
    return MessageCheckOut(
        valid=True,
        passes=not any(f.severity is Severity.FAIL for f in findings),
        error=None,
        findings=[FindingOut.model_validate(f) for f in findings_json(findings)],
        preview=FilledOut(
            for_name=contact.name if contact else SAMPLE_NAME,
            subject=filled.subject,
            body=filled.body,
            seconds=spoken_seconds(spoken_words(filled.body)) if spoken else None,
        ),
    )


@router.get("/messages/{name}", response={200: MessageOut, **COMMON_ERRORS}, url_name="message")
def messages_read(
    request: HttpRequest, query: Query[MessageVersionIn], name: PathEx[str, P(max_length=NAME_CHARS)]
) -> MessageOut:
    """One message: its words at the latest version (or ``version``), what the checks say of
    them, the variables it may use, and every version (``ringback messages show NAME --json``)."""
    account = api_account(request)
    message = message_get(account=account, name=name)
    version = (
        message_version_get(account=account, name=message.name, number=query.version)
        if query.version
        else message_latest_version(message=message)
    )
    return MessageOut.model_validate(
        {
            **message_json(message, version),
            "builtin": message.is_builtin,
            "versions": [
                {
                    "number": v.number,
                    "subject": v.subject,
                    "created_at": v.created_at,
                    "builtin_version": v.builtin_version,
                }
                for v in message.versions.order_by("-number")
            ],
        }
    )
