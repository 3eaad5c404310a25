"""Reads of the outbox: one email of an account, the list, and what the day's sending stands at."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Q, QuerySet

from ringback.accounts.models import Account
from ringback.core.errors import NotFound
from ringback.core.outbox import IN_FLIGHT, NEEDS_SELLER, OutboxStatus
from ringback.outbox.models import OutboundEmail


def outbound_email_get(*, account: Account, pk: int) -> OutboundEmail:
    """The account's email ``pk``; another account's, or none, is "no such email" (:class:`NotFound`)."""
    email = OutboundEmail.objects.filter(account=account, pk=pk).select_related("contact").first()
    if email is None:
        raise NotFound("no such email in your outbox")
    return email


def outbox_list(*, account: Account, statuses: tuple[str, ...] = ()) -> QuerySet[OutboundEmail]:
    """The account's emails, newest first, optionally only those in ``statuses``."""
    rows = OutboundEmail.objects.filter(account=account).select_related("contact")
    return rows.filter(status__in=statuses) if statuses else rows


def emails_counted_today(*, account: Account, start: datetime, end: datetime) -> int:
    """The emails that count against the daily cap on the seller's day [start, end): every one
    queued that day that was not cancelled unsent."""
    return (
        OutboundEmail.objects.filter(account=account, queued_at__gte=start, queued_at__lt=end)
        .exclude(status=OutboxStatus.CANCELLED)
        .count()
    )


@dataclass(frozen=True, slots=True)
class OutboxDay:
    """Where the seller's email stands today, for Today and ``ringback outbox``."""

    sent_today: int
    counted_today: int
    cap: int
    in_flight: int
    needs_you: int
    failed: int
    unknown: int

    @property
    def cap_reached(self) -> bool:
        return self.counted_today >= self.cap


def outbox_day(*, account: Account, start: datetime, end: datetime) -> OutboxDay:
    """The counts of the seller's day [start, end) (sent, counted against the cap) and of what is
    on its way or waits for the seller's decision, whenever queued (one query)."""
    today = Q(queued_at__gte=start, queued_at__lt=end)
    open_ = Q(status__in=[s.value for s in IN_FLIGHT | NEEDS_SELLER])
    counts = (
        OutboundEmail.objects.filter(account=account)
        .filter(today | open_ | Q(sent_at__gte=start, sent_at__lt=end))
        .aggregate(
            sent_today=Count("pk", filter=Q(status=OutboxStatus.SENT, sent_at__gte=start, sent_at__lt=end)),
            counted_today=Count("pk", filter=today & ~Q(status=OutboxStatus.CANCELLED)),
            in_flight=Count("pk", filter=Q(status__in=[s.value for s in IN_FLIGHT])),
            failed=Count("pk", filter=Q(status=OutboxStatus.FAILED)),
            unknown=Count("pk", filter=Q(status=OutboxStatus.UNKNOWN)),
        )
    )
    return OutboxDay(
        sent_today=counts["sent_today"],
        counted_today=counts["counted_today"],
        cap=account.email_daily_cap,
        in_flight=counts["in_flight"],
        needs_you=counts["failed"] + counts["unknown"],
        failed=counts["failed"],
        unknown=counts["unknown"],
    )
