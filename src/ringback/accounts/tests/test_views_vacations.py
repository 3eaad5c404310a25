"""Vacations on the settings page: add (steps inside move after it), list, remove."""

from __future__ import annotations

import itertools
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from django.test import Client

from ringback.accounts.models import Account, Vacation
from ringback.accounts.services import vacation_add
from ringback.accounts.tests.conftest import NEW_YORK
from ringback.contacts.services import PhoneInput, contact_create
from ringback.playbooks.models import Enrollment
from ringback.playbooks.services import enrollment_start

pytestmark = pytest.mark.django_db
ADD = "/settings/vacations/"
HTMX: dict[str, Any] = {"HTTP_HX_REQUEST": "true"}  # WSGI environ entries, as the client takes them


def remove_url(vacation: Vacation) -> str:
    return f"/settings/vacations/{vacation.pk}/remove/"


_numbers = itertools.count(100)


def enrolled(account: Account, name: str = "Mary") -> Enrollment:
    number = f"212-555-{next(_numbers):04d}"  # a New York number of their own
    contact = contact_create(account=account, first_name=name, last_name="Smith", phones=[PhoneInput(number)])
    return enrollment_start(account=account, contact=contact, playbook="call-mail-call")


def local_day(moment: datetime) -> date:
    return moment.astimezone(NEW_YORK).date()


def test_adding_a_vacation_moves_the_steps_due_inside_it(seller: Client, account: Account) -> None:
    enrollment = enrolled(account)
    assert enrollment.due_start is not None
    due = local_day(enrollment.due_start)
    first, last = due - timedelta(days=1), due + timedelta(days=6)
    response = seller.post(ADD, {"first_day": first.isoformat(), "last_day": last.isoformat()}, follow=True)
    html = response.content.decode()
    assert response.redirect_chain == [("/settings/#vacations", 302)]
    assert "1 planned step moved to after it." in html
    vacation = Vacation.objects.get(account=account)
    assert (vacation.first_day, vacation.last_day) == (first, last)
    enrollment.refresh_from_db()
    assert enrollment.due_start is not None and local_day(enrollment.due_start) > last
    # The list shows it, with a button to remove it.
    assert f"{first:%a %d %b}" in html and "8 days" in html
    assert f'action="{remove_url(vacation)}"' in html
    assert "No vacation planned" not in html


def test_a_vacation_with_nothing_planned_says_so(seller: Client, account: Account) -> None:
    response = seller.post(ADD, {"first_day": "2026-12-24", "last_day": "2027-01-02"}, follow=True)
    assert "Vacation Thu 24 Dec – Sat 02 Jan 2027 saved. Nothing was planned on those days." in (
        response.content.decode()
    )


def test_htmx_add_swaps_in_the_vacations_card(seller: Client, account: Account) -> None:
    enrolled(account, "Ann")
    enrolled(account, "Bea")
    response = seller.post(ADD, {"first_day": "2026-11-23", "last_day": "2026-12-04"}, **HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<article id="vacations"') and "<html" not in html
    assert "2 planned steps moved to after it." in html
    assert "under way" in html  # it starts today
    assert Vacation.objects.filter(account=account).count() == 1


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"first_day": "2026-12-10", "last_day": "2026-12-01"}, "last_day", "comes before the first"),
        ({"first_day": "2026-11-01", "last_day": "2026-11-20"}, "last_day", "already over"),
        ({"first_day": "2026-12-01", "last_day": "2028-01-01"}, "last_day", "at most a year"),
        ({"first_day": "next week", "last_day": "2026-12-01"}, "first_day", "Enter a valid date"),
        ({"first_day": "", "last_day": "2026-12-01"}, "first_day", "This field is required"),
    ],
)
def test_bad_dates_are_refused_next_to_the_field(
    seller: Client, account: Account, data: dict[str, str], field: str, message: str
) -> None:
    enrollment = enrolled(account)
    response = seller.post(ADD, data)
    html = response.content.decode()
    assert response.status_code == 200
    assert f'id="id_{field}_error"' in html and message in html
    assert not Vacation.objects.filter(account=account).exists()
    before = enrollment.due_start
    enrollment.refresh_from_db()
    assert enrollment.due_start == before


def test_bad_dates_over_htmx_come_back_in_the_card(seller: Client, account: Account) -> None:
    response = seller.post(ADD, {"first_day": "2026-12-10", "last_day": "2026-12-01"}, **HTMX)
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html
    assert "comes before the first" in html
    assert 'value="2026-12-10"' in html


def test_the_same_vacation_twice_or_an_overlap_is_refused(seller: Client, account: Account) -> None:
    vacation_add(account=account, first_day=date(2026, 12, 24), last_day=date(2026, 12, 31))
    again = seller.post(ADD, {"first_day": "2026-12-24", "last_day": "2026-12-31"}).content.decode()
    assert "You already have this vacation" in again
    overlap = seller.post(ADD, {"first_day": "2026-12-30", "last_day": "2027-01-03"}).content.decode()
    assert "These days overlap your vacation Thu 24 Dec – Thu 31 Dec 2026" in overlap
    assert Vacation.objects.filter(account=account).count() == 1


def test_removing_a_vacation(seller: Client, account: Account) -> None:
    vacation = vacation_add(
        account=account, first_day=date(2026, 12, 24), last_day=date(2026, 12, 31)
    ).vacation
    response = seller.post(remove_url(vacation), follow=True)
    html = response.content.decode()
    assert "Vacation Thu 24 Dec – Thu 31 Dec 2026 removed." in html
    assert "No vacation planned" in html
    assert not Vacation.objects.filter(pk=vacation.pk).exists()


def test_removing_over_htmx_and_twice(seller: Client, account: Account) -> None:
    vacation = vacation_add(
        account=account, first_day=date(2026, 12, 24), last_day=date(2026, 12, 31)
    ).vacation
    first = seller.post(remove_url(vacation), **HTMX)
    assert first.status_code == 200 and "removed" in first.content.decode()
    # A second tab still shows the button: a clear message, nothing else happens.
    second = seller.post(remove_url(vacation), **HTMX)
    assert second.status_code == 200 and "not in your list any more" in second.content.decode()
    plain = seller.post(remove_url(vacation))
    assert plain.status_code == 404 and "not in your list any more" in plain.content.decode()


def test_another_account_gets_404_and_changes_nothing(other: Client, account: Account) -> None:
    vacation = vacation_add(
        account=account, first_day=date(2026, 12, 24), last_day=date(2026, 12, 31)
    ).vacation
    assert other.post(remove_url(vacation)).status_code == 404
    assert Vacation.objects.filter(pk=vacation.pk).exists()
    assert "24 Dec" not in other.get("/settings/").content.decode()


def test_removal_is_by_post_with_a_csrf_token(account: Account, seller: Client) -> None:
    vacation = vacation_add(
        account=account, first_day=date(2026, 12, 24), last_day=date(2026, 12, 31)
    ).vacation
    assert seller.get(remove_url(vacation)).status_code == 405
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(account.memberships.get().user)
    assert strict.post(remove_url(vacation)).status_code == 403
    assert Vacation.objects.filter(pk=vacation.pk).exists()


def test_past_vacations_are_folded_away(seller: Client, account: Account) -> None:
    Vacation.objects.create(
        account=account, first_day=date(2026, 8, 3), last_day=date(2026, 8, 14), created_at=account.created_at
    )
    html = seller.get("/settings/").content.decode()
    assert "Past vacations (1)" in html
    assert "No vacation planned" in html


def test_settings_page_queries_do_not_grow_with_vacations(
    seller: Client, account: Account, django_assert_max_num_queries: Any
) -> None:
    for month in range(1, 13):
        Vacation.objects.create(
            account=account,
            first_day=date(2027, month, 1),
            last_day=date(2027, month, 5),
            created_at=account.created_at,
        )
    with django_assert_max_num_queries(6):
        html = seller.get("/settings/").content.decode()
    assert html.count("Remove</button>") == 12
