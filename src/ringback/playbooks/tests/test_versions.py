"""Playbook versions: an enrollment keeps the version it started on."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from ringback.accounts.services import account_create
from ringback.contacts.services import PhoneInput, contact_create
from ringback.core import clock
from ringback.core.errors import PlaybookError, UnknownPlaybook
from ringback.core.playbook import BUILTIN_NAMES, builtin_text, parse_playbook
from ringback.playbooks.models import PlaybookVersion
from ringback.playbooks.selectors import playbook_list
from ringback.playbooks.services import enrollment_start, playbook_add

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)


def test_builtins_installed_and_new_versions_leave_enrollments_alone():
    with clock.frozen(NOW):
        account = account_create(username="sally", password="a-long-password")
        assert sorted(playbook_list(account=account).values_list("name", flat=True)) == sorted(BUILTIN_NAMES)
        mary = contact_create(account=account, first_name="Mary", phones=[PhoneInput("212-555-0123")])
        first = enrollment_start(account=account, contact=mary, playbook="call-mail-call")
        text = builtin_text("call-mail-call").replace("wait: 3-4 days", "wait: 5-6 days")
        shipped = parse_playbook(builtin_text("call-mail-call")).version  # the YAML's version
        assert playbook_add(account=account, text=builtin_text("call-mail-call")).number == shipped
        second = playbook_add(account=account, text=text)
        assert second.number == shipped + 1
        first.refresh_from_db()
        assert first.version.number == shipped
        assert PlaybookVersion.objects.filter(playbook__name="call-mail-call", account=account).count() == 2


def test_invalid_playbook_stores_nothing():
    with clock.frozen(NOW):
        account = account_create(username="sally", password="a-long-password")
        before = PlaybookVersion.objects.count()
        bad = builtin_text("call-mail-call").replace("wait: 3-4 days", "wait: 3-x days")
        with pytest.raises(
            PlaybookError, match=r"mine.yaml, line \d+: step 3: wait '3-x days' is not a duration range"
        ):
            playbook_add(account=account, text=bad, source="mine.yaml")
        assert PlaybookVersion.objects.count() == before
        with pytest.raises(UnknownPlaybook, match="no playbook called 'nope'"):
            mary = contact_create(account=account, first_name="Mary", phones=[PhoneInput("212-555-0123")])
            enrollment_start(account=account, contact=mary, playbook="nope")


def test_calling_hours_from_settings_and_region_rules_are_the_stricter(settings):
    from datetime import time

    from ringback.playbooks.selectors import effective_hours

    with clock.frozen(NOW):
        account = account_create(username="sally", password="a-long-password")
    assert effective_hours(account=account, country="US", subdivision="NY").end == time(21)
    florida = effective_hours(account=account, country="US", subdivision="FL")
    assert (florida.end, florida.max_calls_per_24h) == (time(20), 3)
    settings.RINGBACK = {**settings.RINGBACK, "CALLING_HOURS": {"DE": {"start": "09:00", "end": "19:30"}}}
    berlin = effective_hours(account=account, country="DE", subdivision=None)
    assert (berlin.start, berlin.end) == (time(9), time(19, 30))


def test_a_switch_to_an_unknown_playbook_is_refused_when_added():
    with clock.frozen(NOW):
        account = account_create(username="sally", password="a-long-password")
        text = builtin_text("four-calls-two-weeks").replace(
            "  - id: call-2\n",
            "    on:\n      wrong-number:\n        switch: call-mail-cal\n  - id: call-2\n",
            1,
        )
        with pytest.raises(PlaybookError, match="switch names no playbook 'call-mail-cal'"):
            playbook_add(account=account, text=text, source="mine.yaml")


def test_account_settings_are_checked_before_saving():
    from datetime import time

    from ringback.accounts.services import account_update
    from ringback.core.errors import InvalidInput

    with clock.frozen(NOW):
        account = account_create(username="sally", password="a-long-password")
    account_update(account=account, seller_phone="312 555 0142", calling_start=time(9), calling_end=time(20))
    account.refresh_from_db()
    assert (account.seller_phone, account.calling_start) == ("+13125550142", time(9))
    with pytest.raises(InvalidInput, match="end must come after"):
        account_update(account=account, seller_name="Changed", calling_start=time(21), calling_end=time(8))
    account.refresh_from_db()
    assert account.seller_name == "" and account.calling_end == time(20)
