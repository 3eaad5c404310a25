"""Domain errors: each has a code, a message a seller can act on, and the field it is about.

The ``field`` names the input the error is about, in the words of the service that raised it
(``phone``, ``time_zone``, ``starts_at``…); forms and the command line find where to show it
by that name and the error's type or code, never by the message's wording.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum


class ErrorCode(StrEnum):
    INVALID_PLAYBOOK = "invalid_playbook"
    UNKNOWN_PLAYBOOK = "unknown_playbook"
    UNKNOWN_OUTCOME = "unknown_outcome"
    OUTCOME_NOT_ALLOWED = "outcome_not_allowed"
    NOT_FOUND = "not_found"
    CONTACT_NOT_FOUND = "contact_not_found"
    CONTACT_AMBIGUOUS = "contact_ambiguous"
    ALREADY_ENROLLED = "already_enrolled"
    ALREADY_BOOKED = "already_booked"
    ALREADY_LOGGED = "already_logged"
    OUTSIDE_CALLING_HOURS = "outside_calling_hours"
    APPOINTMENT_NOT_SCHEDULED = "appointment_not_scheduled"
    ALREADY_DO_NOT_CONTACT = "already_do_not_contact"
    DUPLICATE_CONTACT = "duplicate_contact"
    VACATION_OVERLAP = "vacation_overlap"
    NOT_ENROLLED = "not_enrolled"
    SUPPRESSED = "suppressed"
    NOT_REACHABLE = "not_reachable"
    HAS_APPOINTMENT = "has_appointment"
    INVALID_DATE = "invalid_date"
    INVALID_TIME_ZONE = "invalid_time_zone"
    INVALID_PHONE = "invalid_phone"
    INVALID_INPUT = "invalid_input"
    WEAK_PASSWORD = "weak_password"
    IMPORT_FAILED = "import_failed"
    UPLOADS_WAITING = "uploads_waiting"
    ACCOUNT = "account"
    TEMPLATE = "template"
    TEXTS_STOPPED = "texts_stopped"
    EMAIL_STOPPED = "email_stopped"
    DAILY_CAP = "daily_cap"
    INVALID_WORLD = "invalid_world"
    WEBHOOK_REFUSED = "webhook_refused"


class RingbackError(Exception):
    """Base of every error Ringback reports to a user instead of a traceback."""

    code: ErrorCode = ErrorCode.INVALID_INPUT

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        #: The input the error is about (a service's argument name), or None for the whole.
        self.field = field

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
        super().__init__(f"{where}: {message}", field="source")


class UnknownPlaybook(RingbackError):
    code = ErrorCode.UNKNOWN_PLAYBOOK


class UnknownOutcome(RingbackError):
    code = ErrorCode.UNKNOWN_OUTCOME


class OutcomeNotAllowed(RingbackError):
    code = ErrorCode.OUTCOME_NOT_ALLOWED


class NotFound(RingbackError):
    """No such row for this account: it does not exist, or it is another account's (the two are
    never told apart). The web answers 404."""

    code = ErrorCode.NOT_FOUND


class ContactNotFound(NotFound):
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


class AlreadyBooked(RingbackError):
    """A scheduled appointment with the same contact at the same time already exists."""

    code = ErrorCode.ALREADY_BOOKED


class OutsideCallingHours(RingbackError):
    """A time outside the contact's calling hours (their zone, their region's rules and the
    seller's hours): booked or moved there only when the seller confirms."""

    code = ErrorCode.OUTSIDE_CALLING_HOURS


class AppointmentNotScheduled(RingbackError):
    """An appointment already done or cancelled: only a scheduled one can be moved or cancelled."""

    code = ErrorCode.APPOINTMENT_NOT_SCHEDULED


class AlreadyDoNotContact(RingbackError):
    """The contact is already marked do-not-contact: nothing more is logged."""

    code = ErrorCode.ALREADY_DO_NOT_CONTACT


class DuplicateContact(RingbackError):
    """Another contact of the account already has this number or email address."""

    code = ErrorCode.DUPLICATE_CONTACT

    def __init__(self, message: str, *, twin_id: int, field: str) -> None:
        #: ``field`` is ``"phone"`` or ``"email"``: what the two share.
        super().__init__(message, field=field)
        self.twin_id = twin_id


class VacationOverlap(RingbackError):
    """The days overlap a vacation already recorded."""

    code = ErrorCode.VACATION_OVERLAP


class NotEnrolled(RingbackError):
    code = ErrorCode.NOT_ENROLLED


class Suppressed(RingbackError):
    code = ErrorCode.SUPPRESSED


class NotReachable(RingbackError):
    """The playbook's first step can't be carried out for this contact (no number, no address)."""

    code = ErrorCode.NOT_REACHABLE


class HasAppointment(RingbackError):
    """The contact has a phone appointment coming, or one booked lately: a chase would cross it."""

    code = ErrorCode.HAS_APPOINTMENT


class TextsStopped(RingbackError):
    """Texts to the number were stopped (they replied STOP, or the seller stopped them): consent
    is recorded again only when they opted back in, said so explicitly."""

    code = ErrorCode.TEXTS_STOPPED


class InvalidDate(RingbackError):
    code = ErrorCode.INVALID_DATE


class InvalidPhone(RingbackError):
    code = ErrorCode.INVALID_PHONE


class InvalidInput(RingbackError):
    code = ErrorCode.INVALID_INPUT


class InvalidTimeZone(InvalidInput):
    """A name that is no time zone of the IANA database (a folder, a path, a typo)."""

    code = ErrorCode.INVALID_TIME_ZONE


class ImportFailed(RingbackError):
    code = ErrorCode.IMPORT_FAILED


class UploadsWaiting(RingbackError):
    """An account has as many uploaded files waiting to be imported as it may keep at once."""

    code = ErrorCode.UPLOADS_WAITING


class AccountError(RingbackError):
    code = ErrorCode.ACCOUNT


class WeakPassword(RingbackError):
    """A password the validators refuse; ``problems`` lists what each of them says."""

    code = ErrorCode.WEAK_PASSWORD

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        super().__init__(" ".join(self.problems), field="password")


class TemplateError(RingbackError):
    """A script that can't be compiled or filled in, with the line of the script if known."""

    code = ErrorCode.TEMPLATE

    def __init__(self, message: str, *, line: int | None = None) -> None:
        self.detail = message
        self.line = line
        #: The name of the script in its playbook, when known.
        self.template: str | None = None
        super().__init__(f"line {line}: {message}" if line is not None else message, field="text")


class EmailStopped(RingbackError):
    """No email may go to this contact: no address, or they unsubscribed, or it bounced."""

    code = ErrorCode.EMAIL_STOPPED


class DailyCapReached(RingbackError):
    """The account's daily email cap is reached: the email waits for the seller's next day."""

    code = ErrorCode.DAILY_CAP


class WorldError(RingbackError):
    """A what-if world that can't be simulated: the file, the field and why ("world.yaml:
    answer.evening: 1.4 is not a probability between 0 and 1")."""

    code = ErrorCode.INVALID_WORLD


class WebhookRefused(InvalidInput):
    """A webhook URL Ringback will not call: not http or https, no host, a user name or password
    in it, a host that can't be found, or an address inside a private network (loopback, private,
    link-local, multicast, reserved...) unless the server allows those. Field ``url``."""

    code = ErrorCode.WEBHOOK_REFUSED
