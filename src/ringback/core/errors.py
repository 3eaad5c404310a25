"""Domain errors: each has a code and a message a seller can act on."""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum


class ErrorCode(StrEnum):
    INVALID_PLAYBOOK = "invalid_playbook"
    UNKNOWN_PLAYBOOK = "unknown_playbook"
    UNKNOWN_OUTCOME = "unknown_outcome"
    OUTCOME_NOT_ALLOWED = "outcome_not_allowed"
    CONTACT_NOT_FOUND = "contact_not_found"
    CONTACT_AMBIGUOUS = "contact_ambiguous"
    ALREADY_ENROLLED = "already_enrolled"
    NOT_ENROLLED = "not_enrolled"
    SUPPRESSED = "suppressed"
    INVALID_DATE = "invalid_date"
    INVALID_PHONE = "invalid_phone"
    INVALID_INPUT = "invalid_input"
    IMPORT_FAILED = "import_failed"
    UPLOADS_WAITING = "uploads_waiting"
    ACCOUNT = "account"
    TEMPLATE = "template"


class RingbackError(Exception):
    """Base of every error Ringback reports to a user instead of a traceback."""

    code: ErrorCode = ErrorCode.INVALID_INPUT

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class PlaybookError(RingbackError):
    """A playbook that cannot be used, with where the problem is."""

    code = ErrorCode.INVALID_PLAYBOOK

    def __init__(self, message: str, *, source: str = "<playbook>", line: int | None = None) -> None:
        self.source = source
        self.line = line
        self.detail = message
        where = f"{source}, line {line}" if line is not None else source
        super().__init__(f"{where}: {message}")


class UnknownPlaybook(RingbackError):
    code = ErrorCode.UNKNOWN_PLAYBOOK


class UnknownOutcome(RingbackError):
    code = ErrorCode.UNKNOWN_OUTCOME


class OutcomeNotAllowed(RingbackError):
    code = ErrorCode.OUTCOME_NOT_ALLOWED


class ContactNotFound(RingbackError):
    code = ErrorCode.CONTACT_NOT_FOUND


class ContactAmbiguous(RingbackError):
    """A contact reference that matches several people; lists them."""

    code = ErrorCode.CONTACT_AMBIGUOUS

    def __init__(self, reference: str, candidates: Sequence[str]) -> None:
        self.candidates = list(candidates)
        shown = "; ".join(self.candidates[:10])
        more = f" and {len(self.candidates) - 10} more" if len(self.candidates) > 10 else ""
        super().__init__(f"{reference!r} matches {len(self.candidates)} contacts: {shown}{more}")


class AlreadyEnrolled(RingbackError):
    code = ErrorCode.ALREADY_ENROLLED


class NotEnrolled(RingbackError):
    code = ErrorCode.NOT_ENROLLED


class Suppressed(RingbackError):
    code = ErrorCode.SUPPRESSED


class InvalidDate(RingbackError):
    code = ErrorCode.INVALID_DATE


class InvalidPhone(RingbackError):
    code = ErrorCode.INVALID_PHONE


class InvalidInput(RingbackError):
    code = ErrorCode.INVALID_INPUT


class ImportFailed(RingbackError):
    code = ErrorCode.IMPORT_FAILED


class UploadsWaiting(RingbackError):
    """An account has as many uploaded files waiting to be imported as it may keep at once."""

    code = ErrorCode.UPLOADS_WAITING


class AccountError(RingbackError):
    code = ErrorCode.ACCOUNT


class TemplateError(RingbackError):
    code = ErrorCode.TEMPLATE
