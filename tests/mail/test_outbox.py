"""Email steps go out by themselves, once (issue 13): the scheduler queues the due ones inside the
contact's hours and the seller's days, under a daily cap; the worker hands each to a real SMTP
server on loopback once, with a fixed Message-ID and the one-click unsubscribe headers, and logs
the touch that completes the step; refusals and time-outs are retried then failed, never lost;
a send interrupted mid-way is "unknown" and waits for the seller."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.db import transaction
from django_tasks_db.models import DBTaskResult

from ringback.accounts.services import account_update, vacation_add
from ringback.activities.emailing import (
    email_step_queue,
    emails_queue_due,
    outbound_email_decide,
    outbound_email_send,
)
from ringback.activities.models import Touch
from ringback.contacts.models import EmailSuppression
from ringback.contacts.services import email_suppress
from ringback.core import clock
from ringback.core.errors import DailyCapReached, EmailStopped
from ringback.jobs.worker import worker_run
from ringback.outbox.models import OutboundEmail
from ringback.outbox.services import OutboxMoveRefused
from ringback.playbooks.models import Enrollment
from ringback.playbooks.services import enrollment_pause_until, enrollments_wake
from ringback.testing.outbox import NOW, email_due, email_seller
from ringback.testing.smtp import SmtpServer

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _at_nine() -> Iterator[None]:
    with clock.frozen(NOW):
        yield


def sent_statuses() -> list[str]:
    return list(OutboundEmail.objects.order_by("pk").values_list("status", flat=True))


def test_a_due_email_goes_out_once_with_its_headers_and_completes_the_step(smtp: SmtpServer) -> None:
    account = email_seller()
    mary = email_due(account, 1)
    report = emails_queue_due()
    assert (report.queued, report.held) == (1, 0)
    assert emails_queue_due().queued == 0  # its key is taken: a second pass queues nothing
    worker_run(until_idle=True)

    row = OutboundEmail.objects.get()
    assert (row.status, row.attempts, row.to_address) == ("sent", 1, "person1@example.com")
    [message] = smtp.mailbox.received
    assert message["Message-ID"] == row.message_id
    assert message["To"] == "person1@example.com"
    assert message["From"] == "Sally Baker <sally@example.com>" or "Sally Baker" in message["From"]
    assert message["Subject"] == "Mary, the resource I mentioned"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    link = message["List-Unsubscribe"].strip()  # folded onto its own line: it is long
    assert link.startswith("<https://ringback.example.com/u/") and link.endswith("/>")
    body = message.get_content()
    assert "4 Oak Lane" in body and link[1:-1] in body

    touch = Touch.objects.get(contact=mary, outcome="emailed")
    assert (touch.channel, touch.step, touch.direction) == ("email", "welcome", "out")
    assert touch.message_version is not None and touch.message_version.message.name == "resource-email"
    enrollment = Enrollment.objects.get(contact=mary)
    assert enrollment.step_index == 1  # on to the call
    worker_run(until_idle=True)
    assert len(smtp.mailbox.received) == 1


def test_a_manual_step_waits_for_send_and_send_is_idempotent(smtp: SmtpServer) -> None:
    account = email_seller(send="manual")
    mary = email_due(account, 1)
    assert emails_queue_due().queued == 0
    enrollment = Enrollment.objects.get(contact=mary)
    first = email_step_queue(account=account, contact=mary, enrollment_id=enrollment.pk, manual=True)
    again = email_step_queue(account=account, contact=mary, enrollment_id=enrollment.pk, manual=True)
    assert first.pk == again.pk and first.manual
    worker_run(until_idle=True)
    assert len(smtp.mailbox.received) == 1 and sent_statuses() == ["sent"]


@pytest.mark.parametrize(
    ("when", "why"),
    [
        (NOW + timedelta(hours=13), "outside their hours"),  # 22:00 in New York
        (NOW + timedelta(days=3), "a public holiday"),  # Thanksgiving
    ],
)
def test_nothing_goes_out_of_hours_or_on_their_holiday(smtp: SmtpServer, when: Any, why: str) -> None:
    account = email_seller()
    mary = email_due(account, 1)
    with clock.frozen(when):
        report = emails_queue_due()
        enrollment = Enrollment.objects.get(contact=mary)
        with pytest.raises(Exception, match=why):
            email_step_queue(account=account, contact=mary, enrollment_id=enrollment.pk, manual=False)
    assert (report.queued, report.waiting) == (0, 1)
    assert not OutboundEmail.objects.exists()


def test_nothing_goes_on_the_sellers_day_off_or_vacation(smtp: SmtpServer) -> None:
    account = email_seller()
    email_due(account, 1)
    account_update(account=account, working_days="tue-fri")  # NOW is a Monday
    assert emails_queue_due().queued == 0
    account_update(account=account, working_days="mon-sun")
    vacation_add(account=account, first_day=NOW.date(), last_day=NOW.date())
    assert emails_queue_due().queued == 0
    assert not OutboundEmail.objects.exists()


def test_the_daily_cap_holds_the_rest_for_tomorrow(smtp: SmtpServer) -> None:
    account = email_seller()
    account_update(account=account, email_daily_cap=2)
    people = [email_due(account, n) for n in range(1, 5)]
    report = emails_queue_due()
    assert (report.queued, report.held) == (2, 2)
    enrollment = Enrollment.objects.get(contact=people[3])
    with pytest.raises(DailyCapReached, match=r"daily email cap \(2\) is reached"):
        email_step_queue(account=account, contact=people[3], enrollment_id=enrollment.pk, manual=True)
    worker_run(until_idle=True)
    assert len(smtp.mailbox.received) == 2
    with clock.frozen(NOW + timedelta(days=1)):
        assert emails_queue_due().queued == 2


def test_no_address_or_unsubscribed_is_not_sent_and_says_why(smtp: SmtpServer) -> None:
    account = email_seller()
    nobody = email_due(account, 1, email="")
    gone = email_due(account, 2, email="Gone@Example.com")
    email_suppress(account=account, address="gone@example.com", reason="unsubscribed", contact=gone)
    report = emails_queue_due()
    assert report.queued == 0
    assert sorted(report.stopped.values()) == [
        "No email to Mary Person1: no email address",
        f"No email to Mary Person2: gone@example.com unsubscribed on {NOW:%Y-%m-%d}",
    ]
    enrollment = Enrollment.objects.get(contact=nobody)
    with pytest.raises(EmailStopped) as stopped:
        email_step_queue(account=account, contact=nobody, enrollment_id=enrollment.pk, manual=True)
    assert stopped.value.field == "email"


def test_an_unsubscribe_after_queueing_cancels_the_send(smtp: SmtpServer) -> None:
    account = email_seller()
    mary = email_due(account, 1)
    emails_queue_due()
    email_suppress(account=account, address="person1@example.com", reason="unsubscribed", contact=mary)
    worker_run(until_idle=True)
    row = OutboundEmail.objects.get()
    assert row.status == "cancelled" and "unsubscribed" in row.reason
    assert smtp.mailbox.received == []


def test_an_answer_after_queueing_cancels_the_send(smtp: SmtpServer, ringback: Any) -> None:
    account = email_seller()
    mary = email_due(account, 1)
    emails_queue_due()
    ringback.ok("log", str(mary.pk), "callback", "--user", "sally")
    worker_run(until_idle=True)
    assert OutboundEmail.objects.get().status == "cancelled"
    assert smtp.mailbox.received == []


def _retry_now() -> None:
    """Time passes: the retries' back-off is over."""
    DBTaskResult.objects.filter(status="READY").update(run_after=clock.now() - timedelta(seconds=1))


@pytest.mark.parametrize("mode", ["refuse-later", "slow", "hang-up"])
def test_a_refusal_or_time_out_is_retried_with_back_off(smtp: SmtpServer, mode: str) -> None:
    account = email_seller()
    email_due(account, 1)
    smtp.mailbox.modes = [mode]
    emails_queue_due()
    worker_run(until_idle=True)
    row = OutboundEmail.objects.get()
    assert row.status == "queued" and row.last_error
    task = DBTaskResult.objects.get(task_path="ringback.activities.emailing.email_send")
    assert task.status == "READY" and task.run_after > clock.now() + timedelta(seconds=50)
    _retry_now()
    worker_run(until_idle=True)
    row.refresh_from_db()
    assert (row.status, row.attempts) == ("sent", 2)
    assert list(smtp.mailbox.message_ids().values()) == [1]


def test_a_refusal_for_good_fails_at_once_and_every_retry_used_fails(smtp: SmtpServer) -> None:
    account = email_seller()
    email_due(account, 1)
    email_due(account, 2)
    smtp.mailbox.mode = "refuse"
    emails_queue_due()
    worker_run(until_idle=True)
    refused = OutboundEmail.objects.get(to_address="person1@example.com")
    assert refused.status == "failed" and refused.last_error == "refused: 550 5.1.1 No such user here"
    smtp.mailbox.mode = "refuse-later"
    late = OutboundEmail.objects.get(to_address="person2@example.com")
    OutboundEmail.objects.filter(pk=late.pk).update(status="queued")
    assert outbound_email_send(pk=late.pk, worker_id="w", attempt=5, max_attempts=5) == "failed"
    late.refresh_from_db()
    assert late.status == "failed" and "451" in late.last_error


def test_a_send_cut_short_is_unknown_never_retried_and_the_seller_decides(smtp: SmtpServer) -> None:
    account = email_seller()
    mary = email_due(account, 1)
    email_due(account, 2)
    emails_queue_due()
    # The worker died after recording "sending": it may have handed the message over.
    OutboundEmail.objects.update(status="sending", worker_id="dead", sending_at=clock.now())
    worker_run(until_idle=True)
    assert sent_statuses() == ["unknown", "unknown"]
    assert smtp.mailbox.received == []
    first, second = OutboundEmail.objects.order_by("pk")
    outbound_email_decide(account=account, pk=first.pk, decision="sent")
    assert Touch.objects.filter(contact=mary, outcome="emailed").count() == 1
    assert Enrollment.objects.get(contact=mary).step_index == 1
    with pytest.raises(OutboxMoveRefused):
        outbound_email_decide(account=account, pk=first.pk, decision="sent")
    outbound_email_decide(account=account, pk=second.pk, decision="resend")
    worker_run(until_idle=True)
    assert sent_statuses() == ["sent", "sent"]
    assert len(smtp.mailbox.received) == 1


def test_a_bounced_address_is_suppressed_by_address_whatever_its_case() -> None:
    account = email_seller()
    email_suppress(account=account, address="Mary@Example.com", reason="bounced", detail="550 no such user")
    made = email_suppress(account=account, address="mary@example.com", reason="unsubscribed")
    assert made[1] is False and EmailSuppression.objects.get().reason == "bounced"


def test_an_email_that_may_have_gone_and_was_dropped_is_never_queued_again(smtp: SmtpServer) -> None:
    account = email_seller()
    email_due(account, 1)
    emails_queue_due()
    OutboundEmail.objects.update(status="sending", worker_id="dead", sending_at=clock.now())
    worker_run(until_idle=True)
    email = OutboundEmail.objects.get()
    assert email.status == "unknown"
    outbound_email_decide(account=account, pk=email.pk, decision="drop")
    assert emails_queue_due().queued == 0  # its step is still due, but it may have gone once
    worker_run(until_idle=True)
    assert sent_statuses() == ["cancelled"] and smtp.mailbox.received == []


def test_an_email_cancelled_by_a_pause_goes_once_the_playbook_resumes(smtp: SmtpServer) -> None:
    account = email_seller()
    mary = email_due(account, 1)
    emails_queue_due()
    enrollment = Enrollment.objects.get(contact=mary)
    with transaction.atomic():
        enrollment_pause_until(enrollment=enrollment, until=NOW + timedelta(days=2), reason="out of office")
    worker_run(until_idle=True)
    assert sent_statuses() == ["cancelled"]
    with clock.frozen(NOW + timedelta(days=2, hours=1)):
        assert enrollments_wake() == 1
        assert emails_queue_due().queued == 1
        worker_run(until_idle=True)
    assert sent_statuses() == ["sent"] and len(smtp.mailbox.received) == 1
