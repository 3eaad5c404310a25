"""The API's Insights: which messages, steps, channels and times bring responses, for a date
range and a playbook, as ``ringback insights --json`` prints it.

It reads the last count, as the Insights page does (``--no-refresh``): the count is refreshed
in the background, and by the page's and the command's refresh.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from pydantic import BeforeValidator

from ringback.accounts.api import api_account
from ringback.insights.presenters import report_json
from ringback.insights.selectors import insights_filters, insights_report
from ringback.interface.api import COMMON_ERRORS

router = Router(tags=["insights"])

_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def _iso_text(value: object) -> object:
    """Only a day written YYYY-MM-DD is a day here (not a number of seconds)."""
    if not isinstance(value, str) or not _ISO_DAY.fullmatch(value):
        raise ValueError("write the day as YYYY-MM-DD")
    return value


#: A day written YYYY-MM-DD.
Day = Annotated[date, BeforeValidator(_iso_text)]


class InsightsFilterIn(Schema):
    """The report's filters, as on the page: a date range (default the last 90 days to today, in
    the seller's zone) and one playbook (all when empty)."""

    since: Day | None = Field(None, description="The first day (YYYY-MM-DD)")
    until: Day | None = Field(None, description="The last day (YYYY-MM-DD)")
    playbook: str = Field("", max_length=63, description="Only this playbook")


class RateRowOut(Schema):
    """One line of a table: finished touches and the responses credited to them, with a 95 %
    Wilson interval (``rate``, ``low`` and ``high`` null below the minimum), and the touches whose
    window is still open."""

    table: str
    key: str
    label: str
    touches: int
    responses: int
    rate: float | None
    low: float | None
    high: float | None
    pending: int
    pending_responses: int


class TablesOut(Schema):
    """Every table of rates, by what it counts."""

    message: list[RateRowOut]
    version: list[RateRowOut]
    variant: list[RateRowOut]
    step: list[RateRowOut]
    channel: list[RateRowOut]
    playbook: list[RateRowOut]
    part: list[RateRowOut]
    weekday: list[RateRowOut]
    attempt: list[RateRowOut]
    reach_attempt: list[RateRowOut] = Field(alias="reach-attempt")


class ReachCellOut(Schema):
    calls: int
    answered: int
    rate: float | None


class MessageAdviceOut(Schema):
    """A message the results say to change (R13): credibly worse than the account's usual rate."""

    message: str
    touches: int
    responses: int
    usual_rate: float | None
    probability_worse: float
    checks: list[str] = Field(description="The checks its latest version fails")


class InsightsOut(Schema):
    """The Insights report, as ``ringback insights --json --no-refresh`` prints it."""

    since: date
    until: date
    playbook: str | None
    window_days: int = Field(description="A message is finished this many days after it was left")
    minimum_touches: int = Field(description="A rate shows from this many finished touches")
    refreshed_at: datetime | None = Field(description="When the results were last counted")
    tables: TablesOut
    when_they_answer: dict[str, ReachCellOut | None] = Field(
        description="Calls and the ones answered by weekday and part of the day (`Monday morning`); "
        "null for a time with no call"
    )
    funnel: dict[str, int] = Field(description="From enrolled to customer, stage by stage, in order")
    attempts_it_took: dict[str, int]
    time_to_respond: dict[str, int]
    responses_credited: int
    responses_uncredited: int
    change_your_message: list[MessageAdviceOut]


@router.get("/insights", response={200: InsightsOut, **COMMON_ERRORS}, url_name="insights", by_alias=True)
def insights_read(request: HttpRequest, filters: Query[InsightsFilterIn]) -> InsightsOut:
    """Which messages, steps, channels and calling times bring responses, with 95 % intervals;
    when people answer; the funnel; and the messages to change. A start after the end, or a
    playbook the account has not, is a 422 naming ``since`` or ``playbook``."""
    account = api_account(request)
    report = insights_report(
        account=account,
        filters=insights_filters(
            account=account, since=filters.since, until=filters.until, playbook=filters.playbook
        ),
    )
    return InsightsOut.model_validate(report_json(report))
