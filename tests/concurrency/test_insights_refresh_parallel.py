"""Counting results again from twenty places at once (the worker's periodic task, the Refresh
button, ``ringback insights``) ends with one set of counts, as one refresh alone writes them."""

from __future__ import annotations

from datetime import timedelta

import pytest

from ringback.accounts.models import Account
from ringback.activities.services import touch_log
from ringback.contacts.models import Contact
from ringback.core import clock
from ringback.insights.models import InsightCount, InsightRefresh, ResponseCredit
from ringback.insights.services import insights_refresh
from ringback.playbooks.models import Learned
from ringback.playbooks.services import enrollment_start
from ringback.testing.racing import PARALLEL, at_once
from ringback.testing.sellers import NOW

pytestmark = pytest.mark.django_db(transaction=True)


def test_twenty_refreshes_at_once_leave_the_counts_of_one(account: Account, mary: Contact) -> None:
    with clock.frozen(NOW - timedelta(days=20)):
        enrollment_start(account=account, contact=mary, playbook="four-calls-two-weeks")
        touch_log(account=account, contact=mary, outcome="voicemail")
    with clock.frozen(NOW - timedelta(days=19)):
        touch_log(account=account, contact=mary, outcome="callback", phone="(312) 555-0123")
    alone = insights_refresh(account=account)
    expected = sorted(InsightCount.objects.values_list("day", "dimension", "key", "touches", "responses"))
    learned = sorted(Learned.objects.values_list("kind", "key"))
    results = at_once(PARALLEL, lambda _: insights_refresh(account=account).touches)
    assert results == [alone.touches] * PARALLEL
    assert (
        sorted(InsightCount.objects.values_list("day", "dimension", "key", "touches", "responses"))
        == expected
    )
    assert sorted(Learned.objects.values_list("kind", "key")) == learned
    assert ResponseCredit.objects.count() == 1
    assert InsightRefresh.objects.count() == 1
