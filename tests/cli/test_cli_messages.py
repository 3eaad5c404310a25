"""``ringback messages`` and ``ringback offers`` (issue 12): ``messages check FILE --kind K``
prints each finding with its rule and exits 1 when a check fails, 0 when only advice remains;
adding, showing and previewing a message; offers refused outside 1–90 days with the words the
web uses, and advised past 14 (R9)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from ringback.messaging.models import Message, Offer

pytestmark = pytest.mark.django_db

#: About 60 seconds of "me": the issue's self-centred voicemail.
SELF_CENTRED = (
    "Hi, this is Sally from Sweet Home. I'm calling to introduce myself and tell you about my services. "
    "I have been in business for many years and I love what I do. My company offers kitchen products, "
    "cookware, bakeware and all kinds of tools that I personally use every day in my own kitchen. I "
    "think my products are the best on the market and I would love the chance to tell you more about "
    "me and my business. I am available most days and I can come to your house at a time that suits "
    "me. I also host parties where I show my products to my friends and my family. My number is 312 "
    "555 0142. Call me back when you can.\n"
)
#: Short, about them, a reason, a day, the number near the end.
GOOD = (
    "Hi {{ contact.first_name }}, it's {{ seller.first_name }} with {{ seller.business }}. I've set aside "
    "a spring sampler just for you, with three of the spices you asked about last month, and it's good "
    "until Friday. I think you'll love it. I'll try you again on Thursday afternoon, or call me any "
    "time at {{ seller.phone }}. Talk soon!\n"
)
#: Good, but only 19 seconds: a warning.
SHORT = "Hi {{ contact.first_name }}, a spring sampler for you, good until Friday! I'll call Thursday: {{ seller.phone }}.\n"


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "words.txt"
    path.write_text(text, encoding="utf-8")
    return path


def test_check_fails_a_self_centred_sixty_second_voicemail_naming_the_rules(ringback: Any, tmp_path: Path):
    result = ringback("messages", "check", write(tmp_path, SELF_CENTRED), "--kind", "voicemail")
    assert result.code == 1
    out = " ".join(result.out.split())
    assert "fails: This takes about 5" in out and "people stop listening after 40" in out and "(R2)" in out
    assert "fails: “introduce myself” and “tell you about my services” are about you, not them" in out
    assert "(R3)" in out and "(R4)" in out


def test_check_passes_good_words_and_exits_0_when_only_advice_remains(ringback: Any, tmp_path: Path):
    good = ringback("messages", "check", write(tmp_path, GOOD), "--kind", "voicemail")
    assert good.code == 0, good
    assert "this voicemail script passes every check." in " ".join(good.out.split())
    short = ringback("messages", "check", write(tmp_path, SHORT), "--kind", "voicemail")
    assert short.code == 0, short
    assert "advice: This takes about" in short.out and "(R2)" in short.out
    assert "fails:" not in short.out


def test_check_refuses_an_unknown_fill_in_with_its_line(ringback: Any, tmp_path: Path):
    result = ringback(
        "messages", "check", write(tmp_path, GOOD + "{{ contact.nickname }}\n"), "--kind", "voicemail"
    )
    assert result.code == 1
    assert "line 2" in result.err.lower() and "contact.nickname" in result.err


def test_add_show_and_preview_a_message(ringback: Any, tmp_path: Path):
    ringback.ok("account")  # the owner account
    path = write(tmp_path, GOOD)
    added = ringback(
        "messages",
        "add",
        "spring-sampler",
        "--kind",
        "voicemail",
        "--file",
        path,
        "--title",
        "Spring sampler",
    )
    assert added.code == 0, added
    assert Message.objects.filter(name="spring-sampler", kind="voicemail").exists()
    shown = ringback.ok("messages", "show", "spring-sampler")
    assert "Spring sampler" in shown.out and "{{ seller.phone }}" in shown.out
    ringback.ok("contacts", "add", "Zoë Ørsted", "--phone", "212-555-0142")
    preview = ringback.ok("messages", "preview", "spring-sampler", "--contact", "Zoë")
    assert "Hi Zoë," in preview.out


def test_offers_are_refused_outside_one_to_ninety_days_and_advised_past_fourteen(ringback: Any):
    ringback.ok("account")
    for days in ("400", "0", "-3"):
        refused = ringback("offers", "add", "summer", "--title", "Summer sale", "--days", days)
        assert refused.code == 1
        assert f"an offer runs from 1 to 90 days after the card is sent, not {days}" in refused.err
    assert not Offer.objects.filter(name="summer").exists()
    saved = ringback.ok("offers", "add", "summer", "--title", "Summer sale", "--days", "30")
    assert "30 days is long for an offer" in saved.out and "(R9)" in saved.out
    assert Offer.objects.get(name="summer").valid_days == 30
