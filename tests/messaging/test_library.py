"""The message library: starter messages, versions, the sandbox and its variables, offers."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from ringback.accounts.models import Account
from ringback.accounts.services import account_create
from ringback.core import clock
from ringback.core.checks import MessageKind, Severity
from ringback.core.errors import InvalidInput, TemplateError
from ringback.core.messages import (
    SAMPLE,
    TextForm,
    builtin_messages,
    message_check,
    message_findings,
    render_message,
)
from ringback.messaging.models import Message, MessageVersion, Offer
from ringback.messaging.selectors import message_get, message_latest_version
from ringback.messaging.services import (
    MessageChanged,
    message_add,
    message_update,
    messages_install_builtins,
    offer_add,
    offer_update,
)

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 12, 7, 15, 0, tzinfo=UTC)


@pytest.fixture
def account() -> Account:
    with clock.frozen(NOW):
        return account_create(username="sally", password="a-long-password")


def test_a_new_account_gets_every_starter_message_and_the_offer(account: Account) -> None:
    names = set(Message.objects.filter(account=account).values_list("name", flat=True))
    assert names == set(builtin_messages())
    assert Offer.objects.get(account=account, name="special-offer").valid_days == 14
    assert message_get(account=account, name="yes-or-no").is_last


@pytest.mark.parametrize("name", sorted(builtin_messages()))
def test_every_starter_message_passes_the_checks(name: str) -> None:
    message = builtin_messages()[name]
    findings = message_findings(
        kind=message.kind, body=message.body, subject=message.subject, last_step=message.last
    )
    assert [f.message for f in findings if f.severity is Severity.FAIL] == []


def test_the_starters_cover_what_the_seeds_ask_for() -> None:
    library = builtin_messages()
    texts = {name: render_message(m.body, SAMPLE) for name, m in library.items()}
    assert "I've got that resource I told you about" in texts["the-resource-i-promised"]
    # Call-Mail-Call: the first call announces the note, the note names the date and the coming
    # call, the second call refers to the note and the same date.
    assert "in the mail" in texts["announce-the-note"]
    assert "Monday, December 7" in texts["note-with-offer"] and "I'll call" in texts["note-with-offer"]
    assert "my note from November 24" in texts["did-you-get-my-note"]
    assert "good until Monday, December 7" in texts["did-you-get-my-note"]
    assert "yes, I'm still interested, or no" in texts["yes-or-no"]


def test_upgrades_bring_new_words_only_to_starters_the_seller_left_alone(account: Account) -> None:
    with clock.frozen(NOW):
        message_update(
            account=account,
            name="yes-or-no",
            body="Hi {{ contact.first_name }}, yes or no? {{ seller.phone }}",
        )
        before = {
            m.name: message_latest_version(message=m).number for m in Message.objects.filter(account=account)
        }
        MessageVersion.objects.filter(account=account, message__name="weekly-idea").update(builtin_version=0)
        messages_install_builtins(account=account)
    after = {
        m.name: message_latest_version(message=m).number for m in Message.objects.filter(account=account)
    }
    assert after["weekly-idea"] == before["weekly-idea"] + 1
    assert after["yes-or-no"] == before["yes-or-no"] == 2
    assert not message_get(account=account, name="yes-or-no").is_builtin


def test_each_edit_is_a_new_version_and_an_old_base_is_refused(account: Account) -> None:
    with clock.frozen(NOW):
        first = message_add(
            account=account,
            name="hello",
            kind="text",
            title="Hello",
            body="Hi {{ contact.first_name }}. Reply STOP to opt out.",
        )
        second = message_update(
            account=account, name="hello", body="Hello {{ contact.first_name }}!", base_version=1
        )
        assert (first.number, second.number) == (1, 2)
        assert (
            message_update(account=account, name="hello", body="Hello {{ contact.first_name }}!\n").number
            == 2
        )
        with pytest.raises(MessageChanged):
            message_update(account=account, name="hello", body="Other words", base_version=1)
    assert list(MessageVersion.objects.filter(message__name="hello").values_list("body", flat=True)) == [
        "Hello {{ contact.first_name }}!\n",
        "Hi {{ contact.first_name }}. Reply STOP to opt out.\n",
    ]


@pytest.mark.parametrize(
    ("body", "line", "words"),
    [
        ("Hi {{ contact.first_name }},\n{% if %}", 2, "Expected an expression"),
        ("Hi\nthere\n{{ contact.frist_name }}", 3, "contact.frist_name }} does not exist"),
        ("Hi {{ nickname }}", 1, "{{ nickname }} is not something a message can use"),
        ("{{ seller.password }}", 1, "seller.password }} does not exist"),
    ],
)
def test_a_broken_message_is_refused_with_its_line_and_nothing_is_stored(
    account: Account, body: str, line: int, words: str
) -> None:
    count = MessageVersion.objects.count()
    with pytest.raises(TemplateError) as error:
        message_add(account=account, name="broken", kind="voicemail", title="Broken", body=body)
    assert error.value.line == line and words in error.value.message and error.value.field == "body"
    assert MessageVersion.objects.count() == count
    assert not Message.objects.filter(name="broken").exists()


#: Known ways out of a Jinja sandbox: each must be refused when saving, or render harmlessly.
ESCAPES = [
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ cycler.__init__.__globals__.os.popen('id').read() }}",
    "{{ joiner.__init__.__globals__ }}",
    "{{ namespace.__init__.__globals__ }}",
    "{{ lipsum.__globals__['os'].popen('id').read() }}",
    "{{ self._TemplateReference__context }}",
    "{{ self.__init__.__globals__ }}",
    "{{ request.application.__globals__ }}",
    "{{ config.items() }}",
    "{{ '{0.__class__.__init__.__globals__}'.format(contact) }}",
    "{{ '%s' % contact }}",
    "{{ contact.first_name.__class__ }}",
    "{{ contact|attr('__class__') }}",
    "{{ (contact.first_name|attr('format'))('{0.__class__}', 1) }}",
    "{% for c in [].__class__.__base__.__subclasses__() %}{{ c }}{% endfor %}",
    "{{ range.__init__ }}",
    "{{ 9 ** 999999 }}",
    "{{ 'a' * 100000000 }}",
    "{% for i in range(100000000) %}x{% endfor %}",
]


@pytest.mark.parametrize("payload", ESCAPES)
def test_sandbox_escapes_are_refused(account: Account, payload: str) -> None:
    with pytest.raises((TemplateError, InvalidInput)):
        message_add(account=account, name="escape", kind="card", title="Escape", body=f"Dear Mary, {payload}")
    assert not Message.objects.filter(name="escape").exists()


def test_values_are_escaped_by_channel() -> None:
    variables = {
        **SAMPLE,
        "contact": {"first_name": "<script>alert(1)</script>", "last_name": "", "name": "", "company": ""},
    }
    body = "Dear {{ contact.first_name }},\n\nSee you & soon.\nSally"
    assert render_message(body, variables, form=TextForm.HTML) == (
        "<p>Dear &lt;script&gt;alert(1)&lt;/script&gt;,</p>\n<p>See you &amp; soon.<br>\nSally</p>"
    )
    assert render_message(body, variables, form=TextForm.PLAIN).startswith(
        "Dear <script>alert(1)</script>,\n\n"
    )
    assert render_message("Hi\x07 {{ contact.first_name }}", SAMPLE, form=TextForm.PLAIN) == "Hi Mary"


def test_subject_is_for_emails_only_and_an_email_needs_one() -> None:
    with pytest.raises(TemplateError, match="an email needs a subject") as error:
        message_check(body="Hi", kind=MessageKind.EMAIL)
    assert error.value.field == "subject"
    with pytest.raises(TemplateError, match="only an email has a subject"):
        message_check(body="Hi", subject="Hello", kind=MessageKind.CARD)


@pytest.mark.parametrize(
    ("days", "ok"), [(-3, False), (0, False), (1, True), (14, True), (90, True), (91, False), (400, False)]
)
def test_an_offer_runs_one_to_ninety_days(account: Account, days: int, ok: bool) -> None:
    if ok:
        assert offer_add(account=account, name="spring", title="Spring", valid_days=days).valid_days == days
        return
    with pytest.raises(InvalidInput, match=f"not {days}") as error:
        offer_add(account=account, name="spring", title="Spring", valid_days=days)
    assert error.value.field == "valid_days"
    assert not Offer.objects.filter(name="spring").exists()
    with pytest.raises(InvalidInput):
        offer_update(account=account, name="special-offer", valid_days=days)
    assert Offer.objects.get(account=account, name="special-offer").valid_days == 14


def test_names_are_unique_per_account_only(account: Account) -> None:
    with clock.frozen(NOW):
        other = account_create(username="bob", password="a-long-password")
    with pytest.raises(InvalidInput, match="already have a message called 'yes-or-no'") as error:
        message_add(account=account, name="yes-or-no", kind="voicemail", title="Mine", body="Hi")
    assert error.value.field == "name"
    assert message_get(account=other, name="yes-or-no").account_id == other.pk
    with pytest.raises(InvalidInput, match="lower-case letters"):
        message_add(account=account, name="Bad Name", kind="card", title="x", body="Hi")
