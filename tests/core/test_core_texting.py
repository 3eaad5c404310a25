"""Texts: which replies are an opt-out (the FCC words alone, or a request to stop), and the
``sms:`` link that opens a text already written (issue 12, texts with consent)."""

from __future__ import annotations

from urllib.parse import unquote

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from ringback.core.texting import OPT_OUT_WORDS, STOPPED_WORDS_MAX, is_opt_out, opt_out_words, sms_uri

# --- the words alone ------------------------------------------------------------------------------

#: The opt-out words as a person types them.
TYPED_WORDS = (
    *("STOP", "Stop all", "STOPALL", "quit", "END", "Revoke", "opt out", "Opt-Out", "OPTOUT"),
    *("cancel", "UNSUBSCRIBE"),
)


@pytest.mark.parametrize(
    "reply",
    [
        *TYPED_WORDS,
        "STOP.",
        "stop please",
        "Please stop",
        "Stop!!",
        "🛑 STOP 🛑",
        "ＳＴＯＰ",  # fullwidth letters, as some keyboards type them
        "  stop  ",
        "stop\n",
        "Stop it",
        "stop now",
        "STOP STOP STOP",
        "Yes please stop",
        "ok stop",
        "Stop 🙏",
        "unsubscribe me",
        "Cancel please, thanks",
        "I want to stop",
        "Can you stop?",
        "Quit.",
        "End!",
    ],
)
def test_an_opt_out_word_alone_or_with_filler_stops_texts(reply: str) -> None:
    assert is_opt_out(reply)


@pytest.mark.parametrize(
    "reply",
    [
        "please stop texting me",
        "Stop texting me!",
        "STOP SENDING ME TEXTS",
        "stop with the texts",
        "quit messaging me",
        "no more texts",
        "No more texts please",
        "no texts please",
        "take me off your list",
        "Remove me from your list.",
        "please remove my number",
        "remove me",
        "Leave me alone",
        "don't text me",
        "Do not text this number again",
        "Never text me again",
        "I’d like to opt out",
        "How do I unsubscribe?",
        "I revoke my consent",
        "Please don't. Stop texting me.",
        "no, stop texting me",
        "Stop texting me, I'm not interested",
        "I don’t want these texts, unsubscribe",
    ],
)
def test_a_request_to_stop_in_free_text_stops_texts(reply: str) -> None:
    assert is_opt_out(reply)


@pytest.mark.parametrize(
    "reply",
    [
        "don't stop",
        "end of the week works",
        "It's the end of the quarter",
        "Stop by tomorrow?",
        "Stop by and text me the address",
        "cancel my order",
        "I can't stop texting you",
        "don't stop texting me",
        "Never stop",
        "no need to unsubscribe me",
        "I don't want to unsubscribe",
        "don't remove me",
        "Sounds good, talk Tuesday",
        "Yes",
        "no",
        "Please call me",
        "the end",
        "What's the end date?",
        "Stop? Why?",
        "I will end it with a call",
        "see you at the weekend",
        "",
        "   ",
        "🙂",
    ],
)
def test_an_everyday_reply_that_merely_has_the_word_does_not(reply: str) -> None:
    assert not is_opt_out(reply)


# --- properties -----------------------------------------------------------------------------------

#: Punctuation and emoji a reply may carry around its words.
DECORATION = st.text(alphabet=" .!?,;:-…\"'()🛑🙏👍😀✋\n\t", max_size=6)
FILLER = st.lists(st.sampled_from(["please", "now", "thanks", "ok", "it", "all", "me", "pls"]), max_size=3)


def _cased(text: str, pattern: list[bool]) -> str:
    return "".join(c.upper() if pattern[i % len(pattern)] else c.lower() for i, c in enumerate(text))


@given(
    word=st.sampled_from(TYPED_WORDS),
    before=DECORATION,
    after=DECORATION,
    filler=FILLER,
    case=st.lists(st.booleans(), min_size=1, max_size=8),
)
@example(word="STOP", before="", after=".", filler=[], case=[True])
@example(word="stop", before="", after="", filler=["please"], case=[False])
def test_any_opt_out_word_in_any_case_with_punctuation_emoji_and_filler_is_an_opt_out(
    word: str, before: str, after: str, filler: list[str], case: list[bool]
) -> None:
    reply = before + _cased(" ".join([word, *filler]), case) + after
    assert is_opt_out(reply), reply


@given(
    word=st.sampled_from(["stop", "quit", "end", "cancel"]),
    negation=st.sampled_from(["don't", "do not", "never", "can't", "dont", "DON’T"]),
    after=DECORATION,
)
def test_an_everyday_opt_out_word_after_a_negation_is_not_one(word: str, negation: str, after: str) -> None:
    assert not is_opt_out(f"{negation} {word}{after}")


@given(
    word=st.sampled_from(["stop", "quit", "end", "cancel"]),
    rest=st.lists(
        st.sampled_from(["by", "of", "the", "week", "order", "date", "meeting", "tomorrow"]), min_size=1
    ),
)
def test_an_everyday_opt_out_word_in_a_sentence_is_not_one(word: str, rest: list[str]) -> None:
    assert not is_opt_out(" ".join([word, *rest]))


@given(st.text(max_size=300))
@example("Please STOP texting me")
@example("Don't stop")
def test_the_verdict_ignores_case_and_punctuation_around_and_never_fails(text: str) -> None:
    verdict = is_opt_out(text)
    assert verdict == is_opt_out(text.upper()) == is_opt_out(text.lower())
    assert is_opt_out(f"… {text} !!") == verdict


# --- the words kept --------------------------------------------------------------------------------


def test_the_words_kept_are_the_reply_on_one_line_and_short() -> None:
    assert opt_out_words("  STOP \n please ") == "STOP please"
    long = "please stop texting me " * 20
    kept = opt_out_words(long)
    assert len(kept) == STOPPED_WORDS_MAX and kept.endswith("…")
    assert set(OPT_OUT_WORDS) >= {"stop", "quit", "end", "revoke", "optout", "cancel", "unsubscribe"}


# --- sms: links ------------------------------------------------------------------------------------


def test_the_link_writes_the_text_in_percent_encoded() -> None:
    body = "Hi Mary & co? Offer #1: café, 20% off\nReply STOP to opt out"
    link = sms_uri("+12125550123", body)
    assert link == (
        "sms:+12125550123?body=Hi%20Mary%20%26%20co%3F%20Offer%20%231%3A%20caf%C3%A9%2C%2020%25%20off"
        "%0AReply%20STOP%20to%20opt%20out"
    )
    # Nothing a phone's parser would split on is left raw, and no "+" stands for a space.
    query = link.split("?", 1)[1]
    assert not any(c in query.removeprefix("body=") for c in "&?#+ \n=")


def test_a_link_without_a_text_is_the_bare_number_and_the_number_is_cleaned() -> None:
    assert sms_uri("+1 212-555-0123") == "sms:+12125550123"
    assert sms_uri("+12125550123", "") == "sms:+12125550123"


def test_line_breaks_of_any_kind_are_sent_as_one_line_feed() -> None:
    assert sms_uri("+12125550123", "a\r\nb\rc") == "sms:+12125550123?body=a%0Ab%0Ac"


# Without "\r" in the alphabet (the link sends line breaks as "\n"), not by removing it: "\r"
# alone would become the empty text, which has no body to read back.
@given(body=st.text(st.characters(codec="utf-8", exclude_characters="\r"), min_size=1, max_size=200))
def test_the_text_reads_back_exactly_from_the_link(body: str) -> None:
    link = sms_uri("+12125550123", body)
    target, _, query = link.removeprefix("sms:").partition("?")
    assert target == "+12125550123"
    name, _, value = query.partition("=")
    assert name == "body" and "&" not in value and "#" not in value
    assert unquote(value, errors="strict") == body
