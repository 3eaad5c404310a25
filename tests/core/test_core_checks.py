"""The message checks that teach (issue 12): R1–R4 and R8 on voicemails, R3 on every kind,
CAN-SPAM on emails and TCPA on texts; each finding one sentence naming its rule."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ringback.core.checks import (
    CODES,
    MAX_WORDS,
    MIN_WORDS,
    SELF_CENTRED_PHRASES,
    Finding,
    MessageKind,
    Severity,
    check_message,
    self_centred_phrases,
    spoken_seconds,
    spoken_words,
)

PHONE = "312 555 0142"

#: A good voicemail in the spirit of the seeds: a benefit, the number near the end, the next call.
GOOD = (
    "Hi Mary, it's Sally with Sweet Home. I promised I'd get back to you about the idea we talked "
    "about, and I have something I think you'll really like: it could save you time this month. "
    "I'd love five minutes to tell you about it. You can reach me at 312 555 0142. If I don't hear "
    "from you, I'll try you again on Thursday. Thanks so much, Mary!"
)
#: The gracious last message (seed 000, 001).
LAST = (
    "Hi Mary, it's Sally with Sweet Home. I'm sorry we haven't been able to connect, and the last "
    "thing I want is to be a pest. Would you do me a favour and just leave me a message, even a "
    "short one, to let me know one way or the other: yes, I'm still interested, or no, I've changed "
    "my mind. I'm happy with either answer. My number is 312 555 0142. Thank you, and I look "
    "forward to the next time we can talk."
)
#: The self-centred 60-second voicemail of the issue's "done when".
SELF_CENTRED = (
    "Hi Mary, this is Sally with Sweet Home. I'm calling to introduce myself and to tell you about my "
    "services. I've been in business for six years and I love what I do. My company sells handmade "
    "candles and soaps, and I'm looking for hosts for my spring parties. I have a new catalogue and I "
    "think my products are the best in town. I'm just checking in because I'd like to grow my "
    "business this year, and I need a few more people on my team. I'm also following up on the flyer "
    "I left at your door last week. My afternoons are open, so I'd be happy to come by and show you "
    "my whole line. I'll try you again on Thursday. My number is 312 555 0142. Thanks, and I hope to "
    "hear from you soon."
)


def codes(findings: list[Finding]) -> list[str]:
    return [f.code for f in findings]


def voicemail(text: str, *, last_step: bool = False) -> list[Finding]:
    return check_message(kind=MessageKind.VOICEMAIL, text=text, seller_phone=PHONE, last_step=last_step)


# --- the "done when" --------------------------------------------------------------------


def test_a_self_centred_sixty_second_voicemail_is_flagged_with_the_rules_named():
    findings = voicemail(SELF_CENTRED)
    by_code = {f.code: f for f in findings}
    assert by_code["too_long"].message == (
        "This takes about 59 seconds to say and people stop listening after 40; "
        "trim it to 20–40 seconds (R2)."
    )
    assert by_code["self_centred_phrase"].message == (
        "“introduce myself”, “tell you about my services”, “just checking in” and “following up” are "
        "about you, not them, and almost never get a call back; give them a reason that is about them "
        "instead (R3)."
    )
    assert by_code["more_me_than_you"].message == (
        "It says I, me or my 25 times and you or your 5 times; turn it around so it is about them (R3)."
    )
    assert {f.rule for f in findings} >= {"R2", "R3"}
    assert [f.severity for f in findings[:2]] == [Severity.FAIL, Severity.FAIL]
    assert any(f.fails for f in findings)


def test_a_good_voicemail_and_a_good_last_message_pass():
    assert voicemail(GOOD) == []
    assert voicemail(LAST, last_step=True) == []


# --- R2: the length ------------------------------------------------------------------------------


def words(n: int) -> str:
    return " ".join(["word"] * n)


@pytest.mark.parametrize(
    ("count", "expected"),
    [
        (MIN_WORDS - 1, "This takes about 19 seconds to say; take 20–40 seconds"),
        (MAX_WORDS + 1, "This takes about 41 seconds to say and people stop listening after 40"),
        (145, "This takes about 58 seconds to say"),
    ],
)
def test_the_length_finding_shows_the_seconds_rounded_away_from_the_band(count, expected):
    (finding,) = [f for f in voicemail(words(count)) if f.rule == "R2"]
    assert finding.message.startswith(expected) and finding.message.endswith("(R2).")
    # Too long fails (people stop listening); too short is a warning.
    assert finding.severity is (Severity.ADVICE if count < MIN_WORDS else Severity.FAIL)


def test_twenty_and_forty_seconds_are_inside_the_band():
    assert not [f for f in voicemail(words(MIN_WORDS)) if f.rule == "R2"]
    assert not [f for f in voicemail(words(MAX_WORDS)) if f.rule == "R2"]
    assert (spoken_seconds(MIN_WORDS), spoken_seconds(MAX_WORDS)) == (20, 40)


def test_a_phone_number_is_spoken_digit_by_digit():
    assert spoken_words("Call me at 312 555 0142, or (312) 555-0142 today") == 4 + 10 + 10 + 1
    assert spoken_words("two 12 words") == 3


# --- R3: about them, not you ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "family"),
    [
        ("I’m calling to introduce myself.", "introduce myself"),
        ("We'd love to introduce our company to you.", "introduce myself"),
        ("I'd like to tell you about my services.", "tell you about my services"),
        ("Let me tell you a little bit about what we do.", "tell you about my services"),
        ("Just TOUCHING BASE with you.", "touching base"),
        ("I wanted to touch base.", "touching base"),
        ("I'm just checking in.", "just checking in"),
        ("Calling to check in on you.", "just checking in"),
        ("I’m following\nup on my email.", "following up"),
        ("I just wanted to follow-up.", "following up"),
        ("Just reaching out!", "just reaching out"),
        ("I'm still trying to reach you.", "still trying to reach you"),
    ],
)
def test_the_self_centred_phrases_and_their_variants_are_found(text, family):
    assert self_centred_phrases(text) == [family]
    for kind in MessageKind:
        found = [f for f in check_message(kind=kind, text=text) if f.code == "self_centred_phrase"]
        assert len(found) == 1 and f"“{family}”" in found[0].message and found[0].rule == "R3"


@pytest.mark.parametrize(
    "text",
    [
        "The retouching basement is checking inventory.",
        "I'll follow up with an email with the article.",
        "Your check-in date is Friday; check in time is noon.",
        "I'd love to tell you about it, and about your plans.",
        "Thanks for reaching out to me.",
    ],
)
def test_ordinary_words_that_look_alike_are_not_flagged(text):
    assert self_centred_phrases(text) == []


def test_many_more_i_than_you_is_advice_not_counting_the_answers_offered_them():
    text = "I think I can help. I have a plan, my team and I. Call me."
    (finding,) = [f for f in check_message(kind=MessageKind.OPENER, text=text)]
    assert (finding.code, finding.severity) == ("more_me_than_you", Severity.ADVICE)
    assert finding.message.startswith("It says I, me or my 6 times and you or your not once;")
    balanced = text + " You and your family, you, your friends."
    assert check_message(kind=MessageKind.OPENER, text=balanced) == []
    # "yes, I'm still interested, or no, I've changed my mind" is the listener's voice (seed 000).
    assert "more_me_than_you" not in codes(voicemail(LAST, last_step=True))


# --- R1, R4, R8 on a voicemail -------------------------------------------------------------------


def test_a_voicemail_without_the_sellers_number_fails():
    text = GOOD.replace("312 555 0142", "312 555 0199")
    (finding,) = [f for f in voicemail(text) if f.rule == "R1"]
    assert (finding.code, finding.severity) == ("no_number", Severity.FAIL)
    assert finding.message == (
        "Leave your phone number so they can call you back, even if caller ID shows it, "
        "best near the end (R1)."
    )


@pytest.mark.parametrize("written", ["(312) 555-0142", "+1 312.555.0142", "312-555-0142", "555 0142"])
def test_the_number_is_found_however_it_is_written(written):
    assert voicemail(GOOD.replace("312 555 0142", written)) == []


def test_without_a_sample_number_any_phone_number_counts():
    assert "no_number" not in codes(check_message(kind=MessageKind.VOICEMAIL, text=GOOD))
    assert "no_number" in codes(check_message(kind=MessageKind.VOICEMAIL, text=GOOD.replace(PHONE, "555")))


def test_a_number_only_in_the_first_half_is_advice_to_say_it_near_the_end():
    text = (
        "Hi Mary, it's Sally at 312 555 0142. I have an idea that could save you an hour a week, and "
        "I'd love to share it with you. It only takes five minutes. If we miss each other, I'll try "
        "you again on Thursday morning. Thanks so much, Mary, and have a lovely day!"
    )
    (finding,) = voicemail(text)
    assert (finding.code, finding.rule, finding.severity) == ("number_early", "R1", Severity.ADVICE)


def test_a_voicemail_says_when_you_will_call_again_unless_it_is_the_last():
    text = GOOD.replace(" If I don't hear from you, I'll try you again on Thursday.", " Talk soon.")
    (finding,) = voicemail(text)
    assert (finding.code, finding.rule, finding.severity) == ("no_call_again", "R4", Severity.FAIL)
    assert (
        finding.message == "Say when you will call again, for example “I'll try you again on Thursday” (R4)."
    )
    assert codes(voicemail(text, last_step=True)) == ["no_yes_or_no"]


@pytest.mark.parametrize(
    "phrase",
    [
        "I'll call you in a couple of days.",
        "I will give you a ring on Monday.",
        "I'm going to try again next week.",
        "You'll hear from me on Friday.",
    ],
)
def test_ways_of_saying_when_you_will_call_again(phrase):
    text = GOOD.replace("I'll try you again on Thursday.", phrase)
    assert "no_call_again" not in codes(voicemail(text))


def test_the_last_message_asks_for_an_easy_yes_or_no():
    text = LAST.replace(
        "one way or the other: yes, I'm still interested, or no, I've changed my mind", "soon"
    )
    (finding,) = [f for f in voicemail(text, last_step=True) if f.rule == "R8"]
    assert (finding.code, finding.severity) == ("no_yes_or_no", Severity.FAIL)
    assert finding.message == (
        "As this is your last message, ask for an easy yes or no and say either answer is fine (R8)."
    )
    for ask in ("a quick yes or no is all I need", "let me know either way", "either answer is fine"):
        assert "no_yes_or_no" not in codes(voicemail(text.replace("soon", ask), last_step=True))


def test_no_reason_to_call_back_is_advice():
    text = (
        "Hi Mary, it's Sally with Sweet Home. I was hoping we could talk for a little while this week "
        "when it suits you, about what we discussed at the fair last month. I'll try you again on "
        "Thursday, and you can always reach me at 312 555 0142. Thanks so much, Mary!"
    )
    (finding,) = voicemail(text)
    assert (finding.code, finding.rule, finding.severity) == ("no_reason", "R1", Severity.ADVICE)
    assert voicemail(text.replace("this week when it suits you", "this week, would that suit you?")) == []


# --- other kinds ---------------------------------------------------------------------------------


def test_an_opener_is_checked_for_r3_only():
    opener = "Hi Mary, it's Sally. Is this a good moment? You mentioned your kitchen at the fair."
    assert check_message(kind=MessageKind.OPENER, text=opener) == []
    assert codes(check_message(kind=MessageKind.OPENER, text=opener + " Just touching base.")) == [
        "self_centred_phrase"
    ]


def test_a_card_without_a_number_gets_advice():
    card = "Dear Mary, I tucked in a little tip for you that saves time. Warmly, Sally"
    (finding,) = check_message(kind=MessageKind.CARD, text=card, seller_phone=PHONE)
    assert (finding.code, finding.rule, finding.severity) == ("no_number", "R1", Severity.ADVICE)
    assert check_message(kind=MessageKind.CARD, text=card + f" {PHONE}", seller_phone=PHONE) == []


EMAIL = "Hi Mary,\nHere is the tip I promised you.\nSally\n"
ADDRESS = "12 Oak Street\nSpringfield, IL 62701"
UNSUBSCRIBE = "https://ringback.example/u/abc123"


def test_an_email_needs_a_subject_an_unsubscribe_link_and_the_postal_address():
    findings = check_message(
        kind=MessageKind.EMAIL, text=EMAIL, postal_address=ADDRESS, unsubscribe_url=UNSUBSCRIBE
    )
    assert [(f.code, f.rule, f.severity) for f in findings] == [
        ("no_subject", "CAN-SPAM", Severity.FAIL),
        ("no_unsubscribe", "CAN-SPAM", Severity.FAIL),
        ("no_postal_address", "CAN-SPAM", Severity.FAIL),
    ]
    assert findings[1].message == (
        "Add an unsubscribe link so they can stop your emails in one click; the law requires it (CAN-SPAM)."
    )
    full = f"{EMAIL}\n12 Oak Street, Springfield, IL 62701\nUnsubscribe: {UNSUBSCRIBE}\n"
    assert (
        check_message(
            kind=MessageKind.EMAIL,
            text=full,
            subject="The tip I promised",
            postal_address=ADDRESS,
            unsubscribe_url=UNSUBSCRIBE,
        )
        == []
    )
    # Another address than the seller's is not the seller's.
    other = full.replace("12 Oak Street", "99 Elm Street")
    assert codes(
        check_message(
            kind=MessageKind.EMAIL,
            text=other,
            subject="Hi",
            postal_address=ADDRESS,
            unsubscribe_url=UNSUBSCRIBE,
        )
    ) == ["no_postal_address"]


def test_without_sample_values_an_email_needs_the_word_unsubscribe_and_a_street_address():
    text = f"{EMAIL}\nSweet Home, 12 Oak Street, Springfield\nTo unsubscribe, click here."
    assert check_message(kind=MessageKind.EMAIL, text=text, subject="A tip") == []
    assert codes(check_message(kind=MessageKind.EMAIL, text=EMAIL, subject="A tip")) == [
        "no_unsubscribe",
        "no_postal_address",
    ]


def test_a_text_says_who_is_writing_and_how_to_stop():
    text = "Hi Mary, it's Sally from Sweet Home: your catalogue is ready. Reply “STOP” to opt out."

    def texted(body: str) -> list[Finding]:
        return check_message(
            kind=MessageKind.TEXT, text=body, seller_name="Sally Baker", business_name="Sweet Home"
        )

    assert texted(text) == []
    findings = texted("Hi Mary, your catalogue is ready!")
    assert [(f.code, f.rule) for f in findings] == [("no_sender", "TCPA"), ("no_stop", "TCPA")]
    assert (
        findings[1].message == "Tell them how to stop your texts, for example “Reply STOP to opt out” (TCPA)."
    )
    assert texted("Sweet Home here: sale on! Text STOP to end") == []
    # Without the seller's names, "this is …" or a signature says who is writing.
    assert check_message(kind=MessageKind.TEXT, text="This is Sally: sale on! Reply STOP to opt out") == []


# --- properties ----------------------------------------------------------------------------------

# Words that never make a self-centred phrase, a number, a reason or a call-again on their own.
NEUTRAL = st.sampled_from(
    [
        "the",
        "garden",
        "was",
        "green",
        "and",
        "we",
        "walked",
        "Mary",
        "slowly",
        "home",
        "it",
        "rained",
        "I",
        "you",
    ]
)
VARIANTS = [
    "introduce myself",
    "Introducing our business",
    "tell you about my services",
    "talk to you a bit about our products",
    "touching base",
    "touch base",
    "just checking in",
    "check-in",
    "following up",
    "just wanted to follow up",
    "I’m following up",
    "just reaching out",
    "still trying to reach you",
]
ANY_KIND = st.sampled_from(list(MessageKind))


@settings(max_examples=200, deadline=None)
@given(n=st.integers(min_value=0, max_value=220))
def test_the_length_finding_appears_iff_the_spoken_words_are_outside_the_band(n):
    found = {f.code for f in voicemail(words(n))}
    assert ("too_short" in found) == (n < MIN_WORDS)
    assert ("too_long" in found) == (n > MAX_WORDS)


@settings(max_examples=300, deadline=None)
@given(
    base=st.lists(NEUTRAL, max_size=120),
    phrase=st.sampled_from(VARIANTS),
    where=st.integers(min_value=0),
    kind=ANY_KIND,
    last_step=st.booleans(),
)
def test_adding_a_self_centred_phrase_anywhere_adds_the_r3_finding(base, phrase, where, kind, last_step):
    before = check_message(kind=kind, text=" ".join(base), last_step=last_step)
    assert "self_centred_phrase" not in codes(before)
    at = where % (len(base) + 1)
    text = " ".join([*base[:at], phrase, *base[at:]])
    after = check_message(kind=kind, text=text, last_step=last_step)
    (finding,) = [f for f in after if f.code == "self_centred_phrase"]
    assert finding.rule == "R3" and finding.severity is Severity.FAIL


@settings(max_examples=300, deadline=None)
@given(
    text=st.text(max_size=400)
    | st.lists(st.sampled_from([*VARIANTS, PHONE, "yes or no", "I'll call"])).map(" ".join),
    subject=st.text(max_size=20),
    kind=ANY_KIND,
    last_step=st.booleans(),
    phone=st.sampled_from(["", PHONE]),
)
def test_findings_are_deterministic_one_sentence_and_from_the_fixed_set(
    text, subject, kind, last_step, phone
):
    findings = check_message(kind=kind, text=text, subject=subject, last_step=last_step, seller_phone=phone)
    assert findings == check_message(
        kind=kind, text=text, subject=subject, last_step=last_step, seller_phone=phone
    )
    assert len({f.code for f in findings}) == len(findings)
    severities = [f.severity for f in findings]
    assert severities == sorted(severities, key=lambda s: s is not Severity.FAIL)  # failures first
    for finding in findings:
        assert CODES[finding.code] == finding.rule
        assert finding.message.endswith(f" ({finding.rule}).")
        assert not re.search(r"[.!?] [A-Z]", finding.message)  # one sentence
    assert set(SELF_CENTRED_PHRASES) >= set(self_centred_phrases(text))
