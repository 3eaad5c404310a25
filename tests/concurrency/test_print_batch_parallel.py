"""Marking a printed batch mailed twenty times at once logs every card exactly once: twenty tabs
(each its own submission token), twenty ``ringback mail mark-mailed``, and the batch racing the
Mailed buttons of its own cards on Today. Run on PostgreSQL too (the account lock, then each
contact and enrollment lock, and the unique constraint on a card logged by a batch)."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest
from django.urls import reverse

from ringback.activities.models import Touch
from ringback.activities.services import AlreadyLogged, agenda_card_log
from ringback.core import clock
from ringback.playbooks.models import Enrollment
from ringback.post.choices import CardState
from ringback.post.models import PrintBatch, PrintBatchCard
from ringback.post.selectors import batch_for_day
from ringback.post.services import batch_mark_mailed
from ringback.testing.mail import NOW, MailDay, mail_day
from ringback.testing.racing import PARALLEL, Run, at_once, ringback, tabs

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as Response

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def frozen_clock() -> Iterator[None]:
    """One clock for every thread (it is process-wide): Sally's Monday morning."""
    with clock.frozen(NOW):
        yield


@pytest.fixture
def day(transactional_db: None) -> MailDay:
    return mail_day()


def logged_once(day: MailDay) -> None:
    """Each addressed person's card logged mailed once, and their next step planned."""
    for contact in day.addressed:
        assert Touch.objects.filter(contact=contact, outcome="mailed").count() == 1, contact.name
        assert Enrollment.objects.get(contact=contact).step_index == 1
    assert PrintBatchCard.objects.filter(state=CardState.MAILED).count() == len(day.addressed)


def test_twenty_tabs_marking_the_batch_at_once_log_each_card_once(day: MailDay) -> None:
    keys = [c.key for c in batch_for_day(account=day.account).cards]
    body = {"day": "2026-11-23", "card": keys, "confirm": "on"}
    clients = tabs(day.account)

    def mark(index: int) -> Response:
        return clients[index].post(
            reverse("post:mark"), {**body, "submission_token": secrets.token_urlsafe(18)}
        )

    responses = at_once(PARALLEL, mark)
    assert sorted({r.status_code for r in responses}) == [302]
    logged_once(day)
    assert PrintBatch.objects.count() == 1
    assert PrintBatch.objects.get().mailed == len(day.addressed)


def test_twenty_mark_mailed_commands_at_once_log_each_card_once(day: MailDay) -> None:
    runs: list[Run] = at_once(
        PARALLEL, lambda _: ringback("mail", "mark-mailed", "--date", "2026-11-23", "--user", "sally")
    )
    assert [r.code for r in runs] == [0] * PARALLEL, [r.err for r in runs]
    logged = [r for r in runs if "Logged 4 cards mailed" in r.out]
    nothing = [
        r
        for r in runs
        if "Nothing to mark mailed for Monday, November 23 (4 already marked mailed)." in r.out
    ]
    assert (len(logged), len(nothing)) == (1, PARALLEL - 1), [r.out for r in runs]
    logged_once(day)


def test_the_batch_racing_the_mailed_buttons_of_its_cards_logs_each_card_once(day: MailDay) -> None:
    batch = batch_for_day(account=day.account)
    keys = [c.key for c in batch.cards]
    cards = list(batch.cards)

    def act(index: int) -> object:
        if index % 2 == 0:
            return batch_mark_mailed(account=day.account, day=batch.day, keys=keys)
        card = cards[(index // 2) % len(cards)]
        contact = next(c for c in day.addressed if c.pk == card.contact_id)
        try:
            return agenda_card_log(account=day.account, contact=contact, ref=card.ref, outcome="mailed")
        except AlreadyLogged:
            return None

    at_once(PARALLEL, act)
    for contact in day.addressed:
        assert Touch.objects.filter(contact=contact, outcome="mailed").count() == 1, contact.name
        assert Enrollment.objects.get(contact=contact).step_index == 1
    batched = PrintBatchCard.objects.filter(state=CardState.MAILED).count()
    assert batched <= len(day.addressed)
    # A card the batch skipped (its button won) has no touch: NULLs would empty a NOT IN.
    by_batch = PrintBatchCard.objects.filter(touch__isnull=False).values("touch")
    by_button = Touch.objects.filter(outcome="mailed").exclude(pk__in=by_batch).count()
    assert batched + by_button == len(day.addressed)
