"""Credit: each response goes to the message that earned it (core/credit.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from ringback.core.credit import Match, TouchFact, Verdict, credit, verdict

WEEK = timedelta(days=7)
START = datetime(2026, 6, 1, 12, tzinfo=UTC)
MOBILE, WORK = "+15551230001", "+15551230002"


def at(days: float) -> datetime:
    return START + timedelta(days=days)


def out(id: int, days: float, outcome: str, channel: str = "call", phone: str = "") -> TouchFact:
    return TouchFact(id, at(days), channel, "out", outcome, phone)


def back(id: int, days: float, channel: str = "call", phone: str = "") -> TouchFact:
    return TouchFact(id, at(days), channel, "in", "callback", phone)


def test_the_last_message_left_gets_the_credit_and_the_chain_is_kept() -> None:
    touches = [
        out(1, 0, "no-answer", phone=MOBILE),
        out(2, 2, "voicemail", phone=MOBILE),
        out(3, 4, "mailed", channel="mail"),
        back(4, 5),
    ]
    (only,) = credit(touches, window=WEEK)
    assert (only.response_id, only.message_id, only.match) == (4, 3, Match.LAST)
    assert only.chain == (1, 2, 3)


def test_a_callback_from_a_number_goes_to_the_message_left_on_that_number() -> None:
    touches = [
        out(1, 0, "voicemail", phone=WORK),
        out(2, 1, "voicemail", phone=MOBILE),
        out(3, 2, "emailed", channel="email"),
        back(4, 3, phone=WORK),
    ]
    (only,) = credit(touches, window=WEEK)
    assert (only.message_id, only.match) == (1, Match.NUMBER)


def test_a_response_after_the_window_is_counted_but_uncredited() -> None:
    (only,) = credit([out(1, 0, "voicemail", phone=MOBILE), back(2, 8, phone=MOBILE)], window=WEEK)
    assert (only.response_id, only.message_id, only.match) == (2, None, Match.NONE)


def test_a_connected_call_credits_the_card_before_it() -> None:
    touches = [out(1, 0, "voicemail"), out(2, 1, "mailed", channel="mail"), out(3, 5, "connected")]
    (only,) = credit(touches, window=WEEK)
    assert (only.response_id, only.message_id) == (3, 2)


def test_one_conversation_is_one_response() -> None:
    # They called back, then the appointment was booked in that call: one response.
    touches = [out(1, 0, "voicemail"), back(2, 1), TouchFact(3, at(1.01), "call", "out", "appointment")]
    assert [c.response_id for c in credit(touches, window=WEEK)] == [2]
    # A new message later starts a new chase: its answer is a new response.
    touches += [out(4, 30, "voicemail"), back(5, 31)]
    assert [(c.response_id, c.message_id) for c in credit(touches, window=WEEK)] == [(2, 1), (5, 4)]


def test_a_message_is_pending_until_its_window_closes() -> None:
    sent = at(0)
    assert verdict(sent_at=sent, responded=False, now=at(3), window=WEEK) is Verdict.PENDING
    assert verdict(sent_at=sent, responded=False, now=at(7), window=WEEK) is Verdict.NO_RESPONSE
    assert verdict(sent_at=sent, responded=True, now=at(1), window=WEEK) is Verdict.RESPONDED


OUTCOMES = ["voicemail", "mailed", "emailed", "no-answer", "connected", "callback", "busy"]


@given(
    st.lists(
        st.tuples(st.floats(0, 60), st.sampled_from(OUTCOMES), st.sampled_from(["in", "out"])),
        max_size=30,
    )
)
def test_every_credit_goes_to_an_earlier_message_of_the_window_and_each_message_once(
    rows: list[tuple[float, str, str]],
) -> None:
    touches = [
        TouchFact(i, at(d), "call", direction, outcome) for i, (d, outcome, direction) in enumerate(rows)
    ]
    by_id = {t.id: t for t in touches}
    credits = credit(touches, window=WEEK)
    credited = [c.message_id for c in credits if c.message_id is not None]
    assert len(credited) == len(set(credited))
    for c in credits:
        assert by_id[c.response_id].is_response
        if c.message_id is not None:
            message = by_id[c.message_id]
            assert message.is_message
            assert c.at - WEEK <= message.at <= c.at
    assert len(credits) <= sum(1 for t in touches if t.is_response)
