"""Personal access tokens of the REST API (issue 15): made on Settings or with `ringback token`,
shown once and stored only as a SHA-256 digest, listed by their public start, revoked for good.
`api_token_authenticate` is the API's one door: it lets a live token in and answers None to
anything else, whatever is sent, and records the last use at most once a minute."""

from __future__ import annotations

import hashlib
import html
import io
import json
import re
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command, load_command_class
from django.core.management.base import CommandError
from django.db import IntegrityError, connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ringback.accounts.choices import TokenScope
from ringback.accounts.models import Account, ApiToken, SubmissionToken
from ringback.accounts.selectors import (
    API_TOKEN,
    API_TOKEN_LENGTH,
    api_token_authenticate,
    api_token_get,
    api_tokens_list,
)
from ringback.accounts.services import api_token_create, api_token_revoke
from ringback.accounts.tests.conftest import NOW
from ringback.core import clock
from ringback.core.errors import AccountError, InvalidInput, NotFound

pytestmark = pytest.mark.django_db
SETTINGS = "/settings/"
CREATE = "/settings/tokens/"
#: A token as the settings page and the command print it.
RAW = re.compile(r"rb_[0-9a-f]{12}_[A-Za-z0-9_-]{43}")


def owner(account: Account) -> Any:
    return account.memberships.get().user


def make(account: Account, name: str = "Zapier", scope: str = TokenScope.READ_WRITE) -> tuple[ApiToken, str]:
    return api_token_create(account=account, user=owner(account), name=name, scope=scope)


def stored(token: ApiToken) -> dict[str, Any]:
    """The token's row as the database has it."""
    return dict(ApiToken.objects.filter(pk=token.pk).values().get())


# --- making one -----------------------------------------------------------------------------------


def test_a_token_is_random_and_shaped_rb_prefix_secret(account: Account) -> None:
    made = [make(account, f"token {n}") for n in range(20)]
    raws = {raw for _, raw in made}
    assert len(raws) == 20 and len({token.prefix for token, _ in made}) == 20
    for token, raw in made:
        assert RAW.fullmatch(raw) and API_TOKEN.fullmatch(raw) and len(raw) == API_TOKEN_LENGTH
        assert raw.startswith(f"rb_{token.prefix}_")
        assert token.shown == f"rb_{token.prefix}_…"


def test_only_the_digest_is_stored_never_the_token(account: Account) -> None:
    token, raw = make(account)
    row = stored(token)
    assert row["digest"] == hashlib.sha256(raw.encode()).hexdigest()
    secret = raw.removeprefix(f"rb_{token.prefix}_")
    for value in row.values():
        assert raw not in str(value) and secret not in str(value)
    assert row["created_at"] == NOW and row["last_used_at"] is None and row["revoked_at"] is None
    assert row["created_by_id"] == owner(account).pk and row["account_id"] == account.pk


def test_the_name_is_stripped_and_the_scope_kept(account: Account) -> None:
    token, _ = make(account, "  My spreadsheet \n", TokenScope.READ)
    assert (stored(token)["name"], stored(token)["scope"]) == ("My spreadsheet", "read")
    assert make(account, "x" * 100)[0].name == "x" * 100


@pytest.mark.parametrize(
    ("name", "scope", "field", "words"),
    [
        ("", TokenScope.READ, "name", "needs a name"),
        (" \t\n ", TokenScope.READ, "name", "needs a name"),
        ("x" * 101, TokenScope.READ, "name", "at most 100 characters"),
        ("a\x00b", TokenScope.READ, "name", "NUL"),
        ("Zapier", "admin", "scope", "is not a token scope"),
        ("Zapier", "", "scope", "is not a token scope"),
    ],
)
def test_a_bad_name_or_scope_is_refused_with_its_field(
    account: Account, name: str, scope: str, field: str, words: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        make(account, name, scope)
    assert refused.value.field == field and words in refused.value.message
    assert not ApiToken.objects.exists()


def test_one_live_token_per_name_and_account(account: Account, other_account: Account) -> None:
    first, _ = make(account, "Zapier")
    with pytest.raises(InvalidInput) as refused:
        make(account, " Zapier ")
    assert refused.value.field == "name" and "already have a token called 'Zapier'" in refused.value.message
    make(other_account, "Zapier")  # another account's names are its own
    api_token_revoke(account=account, token_id=first.pk)
    again, _ = make(account, "Zapier")  # a revoked token's name is free again
    assert again.pk != first.pk


def test_the_database_keeps_one_live_token_per_name_too(account: Account) -> None:
    make(account, "Zapier")
    with pytest.raises(IntegrityError), transaction.atomic():
        ApiToken.objects.create(
            account=account, name="Zapier", prefix="0" * 12, digest="0" * 64, created_at=NOW
        )


def test_a_login_of_another_account_cannot_make_one(account: Account, other_account: Account) -> None:
    with pytest.raises(AccountError) as refused:
        api_token_create(account=account, user=owner(other_account), name="x", scope=TokenScope.READ)
    assert refused.value.field == "user"
    assert not ApiToken.objects.exists()
    token, _ = api_token_create(account=account, user=None, name="x", scope=TokenScope.READ)
    assert token.created_by_id is None


def test_the_maker_may_go_and_the_token_stays(account: Account) -> None:
    extra = get_user_model().objects.create(username="helper")
    account.memberships.create(user=extra, role="member")
    helped, raw = api_token_create(account=account, user=extra, name="helper's", scope=TokenScope.READ)
    assert helped.created_by_id == extra.pk
    extra.delete()
    helped.refresh_from_db()
    assert helped.created_by_id is None and api_token_authenticate(raw=raw) is not None


# --- listing and revoking -------------------------------------------------------------------------


def test_the_list_shows_live_tokens_first_newest_first(account: Account, other_account: Account) -> None:
    names = ["oldest", "old revoked", "middle", "new revoked", "newest"]
    tokens = {}
    for n, name in enumerate(names):
        with clock.frozen(NOW + timedelta(hours=n)):
            tokens[name], _ = make(account, name)
    make(other_account, "not mine")
    for name in ("old revoked", "new revoked"):
        api_token_revoke(account=account, token_id=tokens[name].pk)
    listed = [t.name for t in api_tokens_list(account=account)]
    assert listed == ["newest", "middle", "oldest", "new revoked", "old revoked"]


def test_revoking_stops_the_token_and_keeps_the_row(account: Account) -> None:
    token, raw = make(account)
    assert api_token_authenticate(raw=raw) is not None
    later = NOW + timedelta(minutes=5)
    with clock.frozen(later):
        revoked = api_token_revoke(account=account, token_id=token.pk)
    assert revoked.revoked_at == later == stored(token)["revoked_at"]
    assert api_token_authenticate(raw=raw) is None
    assert api_token_get(account=account, token_id=token.pk).revoked_at == later


def test_revoking_twice_leaves_it_as_it_was(account: Account) -> None:
    token, _ = make(account)
    api_token_revoke(account=account, token_id=token.pk)
    before = stored(token)
    with clock.frozen(NOW + timedelta(days=1)):
        again = api_token_revoke(account=account, token_id=token.pk)
    assert again.revoked_at == NOW and stored(token) == before


@pytest.mark.parametrize("token_id", ["theirs", 0, -1, 10**6, 2**63, 10**30])
def test_another_accounts_token_or_no_token_is_not_found(
    account: Account, other_account: Account, token_id: Any
) -> None:
    theirs, raw = make(other_account)
    wanted = theirs.pk if token_id == "theirs" else token_id
    with pytest.raises(NotFound) as refused:
        api_token_revoke(account=account, token_id=wanted)
    assert refused.value.message == "no such API token" and refused.value.field == "token_id"
    with pytest.raises(NotFound):
        api_token_get(account=account, token_id=wanted)
    assert stored(theirs)["revoked_at"] is None and api_token_authenticate(raw=raw) is not None


# --- letting a request in -------------------------------------------------------------------------


def test_a_live_token_gets_in_with_its_account_loaded(
    account: Account, django_assert_num_queries: Any
) -> None:
    token, raw = make(account, scope=TokenScope.READ)
    with django_assert_num_queries(2):  # the look-up, and the first use recorded
        found = api_token_authenticate(raw=raw)
        assert found is not None
        assert found.account == account and found.account.name == account.name
    assert (found.pk, found.scope) == (token.pk, TokenScope.READ)
    assert found.scope != TokenScope.READ_WRITE


def test_a_wrong_secret_an_unknown_prefix_or_a_revoked_token_gets_nothing(account: Account) -> None:
    token, raw = make(account)
    revoked, revoked_raw = make(account, "old")
    api_token_revoke(account=account, token_id=revoked.pk)
    secret = raw[-43:]
    other_secret = ("B" if secret[0] != "B" else "C") + secret[1:]
    for attempt in (
        f"rb_{token.prefix}_{other_secret}",  # one character of the secret changed
        f"rb_{'f' if token.prefix[0] != 'f' else 'e'}{token.prefix[1:]}_{secret}",  # the prefix
        f"rb_{revoked.prefix}_{secret}",  # another token's prefix
        revoked_raw,
        raw.upper(),
        f" {raw}",
        f"{raw}\n",
        raw[:-1],
        raw + "A",
        f"Bearer {raw}",
    ):
        assert api_token_authenticate(raw=attempt) is None, attempt
    assert stored(token)["last_used_at"] is None


@pytest.mark.parametrize(
    "garbage",
    [
        "",
        "rb_",
        "rb__",
        "x" * 59,
        "rb_" + "g" * 12 + "_" + "A" * 43,
        "rb_" + "A" * 12 + "_" + "A" * 43,
        "rb_" + "0" * 12 + "_" + "A" * 42 + "=",
        "rb_" + "0" * 12 + "_" + "ä" * 43,
        "rb_" + "٠" * 12 + "_" + "A" * 43,  # Arabic-Indic digits: digits, not hex
        "rb_" + "0" * 12 + "_" + "A" * 42 + "\x00",
        "rb_" + "0" * 12 + "\n" + "A" * 43,
        "\ud800" * 59,  # a lone surrogate: not even encodable
        "x" * 10_000_000,
        "rb_" + "0" * 12 + "_" + "A" * 10_000,
        "' OR 1=1 --",
        "\U0001f600" * 59,
    ],
)
def test_garbage_gets_none_and_never_an_error(account: Account, garbage: str) -> None:
    make(account)
    assert api_token_authenticate(raw=garbage) is None


def test_what_is_no_string_gets_none(account: Account) -> None:
    for value in (None, b"rb_", 42, ["rb_"]):
        assert api_token_authenticate(raw=value) is None  # type: ignore[arg-type]


#: Anything at all, strings shaped like tokens, and tokens a character away from a real one.
ANYTHING = st.one_of(
    st.text(),
    st.text(min_size=50, max_size=70),
    st.text(alphabet=st.characters(codec="ascii"), min_size=59, max_size=59),
    st.from_regex(r"\Arb_[0-9a-f]{12}_[A-Za-z0-9_-]{43}\Z"),
    st.binary().map(lambda b: b.decode("latin-1")),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(raw=ANYTHING)
def test_no_string_that_was_not_issued_gets_in(account: Account, raw: str) -> None:
    issued = {token for _, token in _issued(account)}
    found = api_token_authenticate(raw=raw)
    assert (found is not None) == (raw in issued)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(position=st.integers(min_value=0, max_value=API_TOKEN_LENGTH - 1), char=st.characters())
def test_a_token_a_character_away_gets_nothing(account: Account, position: int, char: str) -> None:
    (_, raw), *_ = _issued(account)
    changed = raw[:position] + char + raw[position + 1 :]
    found = api_token_authenticate(raw=changed)
    assert (found is not None) == (changed == raw)


def _issued(account: Account) -> list[tuple[ApiToken, str]]:
    """Two tokens of the account, made once for all of a property's examples."""
    cached: list[tuple[ApiToken, str]] | None = getattr(account, "_issued", None)
    if cached is None:
        cached = [make(account, "one"), make(account, "two")]
        account._issued = cached  # type: ignore[attr-defined]
    return cached


def test_the_last_use_is_written_at_most_once_a_minute(account: Account) -> None:
    token, raw = make(account)
    assert api_token_authenticate(raw=raw) is not None
    assert stored(token)["last_used_at"] == NOW
    for seconds in (1, 30, 59, 60):
        found = api_token_authenticate(raw=raw, now=NOW + timedelta(seconds=seconds))
        assert found is not None and found.last_used_at == NOW
        assert stored(token)["last_used_at"] == NOW
    later = NOW + timedelta(seconds=61)
    found = api_token_authenticate(raw=raw, now=later)
    assert found is not None and found.last_used_at == later == stored(token)["last_used_at"]
    with clock.frozen(later + timedelta(minutes=2)):  # the clock when no moment is given
        api_token_authenticate(raw=raw)
    assert stored(token)["last_used_at"] == later + timedelta(minutes=2)


def test_a_busy_token_is_one_conditional_update(account: Account) -> None:
    token, raw = make(account)
    api_token_authenticate(raw=raw)
    with CaptureQueriesContext(connection) as queries:
        for seconds in range(10):
            api_token_authenticate(raw=raw, now=NOW + timedelta(seconds=seconds))
    updates = [q["sql"] for q in queries.captured_queries if q["sql"].lstrip().upper().startswith("UPDATE")]
    assert len(updates) == 10 and all("last_used_at" in sql for sql in updates)
    assert stored(token)["last_used_at"] == NOW


def test_the_last_use_of_one_token_leaves_the_others(account: Account) -> None:
    one, raw = make(account, "one")
    two, _ = make(account, "two")
    api_token_authenticate(raw=raw, now=NOW + timedelta(hours=1))
    assert stored(two)["last_used_at"] is None
    assert stored(one)["last_used_at"] == NOW + timedelta(hours=1)


# --- `ringback token` -----------------------------------------------------------------------------


def token_command(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("token", *args, stdout=out, stderr=err)
    except SystemExit as exc:
        return int(exc.code or 0), out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


def test_create_prints_the_token_once_and_says_so(account: Account) -> None:
    code, out, err = token_command("create", "My sheet")
    assert code == 0, err
    raws = RAW.findall(out)
    assert len(raws) == 1 and "will not be shown again" in out
    token = api_token_authenticate(raw=raws[0])
    assert token is not None and token.name == "My sheet" and token.scope == TokenScope.READ_WRITE
    assert token.created_by_id == owner(account).pk


def test_create_as_json_gives_the_token(account: Account) -> None:
    code, out, err = token_command("create", "Reader", "--scope", "read", "--json")
    assert code == 0, err
    data = json.loads(out)
    token = api_token_authenticate(raw=data["token"])
    assert token is not None and token.scope == TokenScope.READ
    assert data == {
        "id": token.pk,
        "name": "Reader",
        "scope": "read",
        "prefix": f"rb_{token.prefix}_…",
        "created_at": "2026-11-23T14:00:00Z",
        "last_used_at": None,
        "revoked_at": None,
        "token": data["token"],
    }


def test_list_shows_the_start_of_each_token_never_the_token(account: Account) -> None:
    token, raw = make(account, "Zapier", TokenScope.READ)
    api_token_authenticate(raw=raw)
    code, out, err = token_command("list")
    assert code == 0, err
    assert raw not in out and raw[-43:] not in out and not RAW.search(out)
    for text in ("Zapier", "read", f"rb_{token.prefix}_…", "2026-11-23 09:00"):
        assert text in out
    code, out, err = token_command("--json")  # list is the default
    assert raw not in out
    (row,) = json.loads(out)
    assert "token" not in row and row["prefix"] == f"rb_{token.prefix}_…"
    assert row["last_used_at"] == "2026-11-23T14:00:00Z" and row["revoked_at"] is None


def test_list_says_when_there_is_none(account: Account) -> None:
    assert "No API token yet" in token_command("list")[1]


def test_revoke_by_id_and_again(account: Account) -> None:
    token, raw = make(account)
    code, out, err = token_command("revoke", str(token.pk))
    assert code == 0, err
    assert "Revoked the API token Zapier" in out and api_token_authenticate(raw=raw) is None
    code, out, err = token_command("revoke", str(token.pk), "--json")
    assert code == 0, err
    data = json.loads(out)
    assert data["was_live"] is False and data["revoked_at"] == "2026-11-23T14:00:00Z"
    assert "revoked" in token_command("list")[1]


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("create",), "needs the token's name"),
        (("create", "   "), "needs a name"),
        (("create", "x" * 101), "at most 100 characters"),
        (("revoke",), "needs the token's id"),
        (("revoke", "abc"), "needs the token's id"),
        (("revoke", "٣"), "needs the token's id"),
        (("revoke", "999999"), "no such API token"),
        (("revoke", "9" * 40), "no such API token"),
    ],
)
def test_command_mistakes_are_one_error_line(account: Account, args: tuple[str, ...], words: str) -> None:
    code, _, err = token_command(*args)
    assert code == 1 and err.startswith("error: ") and words in err and "Traceback" not in err
    assert not ApiToken.objects.exists()


def test_the_command_cannot_reach_another_accounts_token(account: Account, other_account: Account) -> None:
    theirs, raw = make(other_account)
    code, _, err = token_command("revoke", str(theirs.pk), "--user", "sally")
    assert code == 1 and "no such API token" in err
    assert api_token_authenticate(raw=raw) is not None
    make(account, "mine")
    listed = json.loads(token_command("--json", "--user", "sally")[1])
    assert [row["name"] for row in listed] == ["mine"]


def test_create_records_the_user_given(account: Account, other_account: Account) -> None:
    code, out, err = token_command("create", "Bob's", "--user", "bob", "--json")
    assert code == 0, err
    token = ApiToken.objects.get(pk=json.loads(out)["id"])
    assert token.account == other_account and token.created_by_id == owner(other_account).pk


def test_an_unknown_scope_is_refused_by_the_parser(account: Account) -> None:
    with pytest.raises(CommandError, match="invalid choice: 'admin'"):
        call_command("token", "create", "x", "--scope", "admin")
    assert not ApiToken.objects.exists()


def test_the_commands_summary_fits_one_line() -> None:
    command = load_command_class("ringback.accounts", "token")
    summary = " ".join(str(command.help).split())
    first = summary.split(". ")[0]
    assert len(first) + 1 <= 100 and "create" in first and "revoke" in first


# --- Settings → API tokens ------------------------------------------------------------------------


def page(client: Client) -> str:
    response = client.get(SETTINGS)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    return response.content.decode()


def card(text: str) -> str:
    found = re.search(r'<article id="api-tokens".*?</article>', text, re.S)
    assert found, "the settings page has no API tokens card"
    return found.group(0)


def field_error(text: str, field: str) -> str:
    found = re.search(
        rf'<small class="field-error" id="id_token-{field}_error"[^>]*>(.*?)</small>', text, re.S
    )
    return html.unescape(found.group(1)).strip() if found else ""


def test_the_card_is_on_the_page_with_its_form(seller: Client) -> None:
    text = page(seller)
    assert '<a href="#api-tokens">API tokens</a>' in text
    shown = card(text)
    assert "No API token yet" in shown
    assert (
        f'action="{CREATE}"' in shown
        and "csrfmiddlewaretoken" in shown
        and 'name="submission_token"' in shown
    )
    assert 'name="token-name"' in shown and 'name="token-scope"' in shown
    assert 'value="read"' in shown and 'value="read-write"' in shown
    assert "<script" not in shown and "style=" not in shown


def test_a_new_token_is_shown_once(seller: Client, account: Account) -> None:
    response = seller.post(CREATE, {"token-name": "Zapier", "token-scope": "read"})
    assert response.status_code == 302 and response["Location"] == "/settings/#api-tokens"
    token = ApiToken.objects.get(account=account)
    first = card(page(seller))
    (raw,) = set(RAW.findall(first))
    assert (
        raw.startswith(f"rb_{token.prefix}_") and "Copy your new token" in first and "only this once" in first
    )
    assert 'data-copy="new-api-token"' in first and f'value="{raw}"' in first
    found = api_token_authenticate(raw=raw)
    assert found is not None and found.scope == TokenScope.READ and found.created_by_id == owner(account).pk
    assert raw not in str(stored(token).values())
    again = card(page(seller))  # a reload
    assert raw not in again and not RAW.search(again) and "Copy your new token" not in again
    assert "Zapier" in again and f"rb_{token.prefix}_…" in again and "Read only" in again
    assert "last used" in again and "Mon 23 Nov 2026, 09:00" in again


def test_the_list_shows_use_and_revocation(seller: Client, account: Account) -> None:
    token, raw = make(account, "Sheet")
    assert "last used never" in " ".join(card(page(seller)).split())
    api_token_authenticate(raw=raw, now=NOW + timedelta(hours=2))
    shown = " ".join(card(page(seller)).split())
    assert "last used Mon 23 Nov 2026, 11:00" in shown and "Revoke…" in shown
    api_token_revoke(account=account, token_id=token.pk)
    shown = " ".join(card(page(seller)).split())
    assert "revoked Mon 23 Nov 2026, 09:00" in shown and "Revoke…" not in shown


@pytest.mark.parametrize(
    ("data", "field", "words"),
    [
        ({"token-name": "", "token-scope": "read"}, "name", "This field is required."),
        ({"token-name": "   ", "token-scope": "read"}, "name", "This field is required."),
        ({"token-name": "x" * 101, "token-scope": "read"}, "name", "at most 100 characters"),
        ({"token-name": "a\x00b", "token-scope": "read"}, "name", "Null characters are not allowed."),
        ({"token-name": "Zapier", "token-scope": "admin"}, "scope", "Select a valid choice."),
        ({"token-name": "Taken", "token-scope": "read"}, "name", "You already have a token called 'Taken'"),
    ],
)
def test_a_refused_token_says_why_next_to_its_field(
    seller: Client, account: Account, data: dict[str, str], field: str, words: str
) -> None:
    make(account, "Taken")
    response = seller.post(CREATE, data)
    assert response.status_code == 400
    text = response.content.decode()
    assert words in field_error(text, field)
    assert ApiToken.objects.filter(account=account).count() == 1 and not RAW.search(text)


def test_names_are_shown_escaped(seller: Client, account: Account) -> None:
    make(account, "<script>alert(1)</script>")
    shown = card(page(seller))
    assert "<script>alert(1)</script>" not in shown
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in shown


def test_a_double_tap_makes_one_token_and_keeps_no_secret(seller: Client, account: Account) -> None:
    data = {"token-name": "Zapier", "token-scope": "read-write", "submission_token": "t" * 22}
    first = seller.post(CREATE, data)
    second = seller.post(CREATE, data)
    assert first.status_code == second.status_code == 302
    assert ApiToken.objects.filter(account=account).count() == 1
    (raw,) = set(RAW.findall(page(seller)))
    for row in SubmissionToken.objects.filter(account=account).values():
        assert raw not in str(row) and raw[-43:] not in str(row)


def test_the_form_needs_its_csrf_token(account: Account) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner(account))
    assert client.post(CREATE, {"token-name": "x", "token-scope": "read"}).status_code == 403
    token, _ = make(account)
    assert client.post(f"/settings/tokens/{token.pk}/revoke/").status_code == 403
    assert not ApiToken.objects.filter(name="x").exists() and stored(token)["revoked_at"] is None


def test_revoking_on_the_page(seller: Client, account: Account) -> None:
    token, raw = make(account)
    url = f"/settings/tokens/{token.pk}/revoke/"
    shown = card(page(seller))
    assert f'action="{url}"' in shown
    assert seller.get(url).status_code == 405
    response = seller.post(url)
    assert response.status_code == 302 and response["Location"] == "/settings/#api-tokens"
    assert api_token_authenticate(raw=raw) is None
    text = page(seller)
    assert "revoked: it no longer works" in text
    assert seller.post(url).status_code == 302  # again: as it was
    assert stored(token)["revoked_at"] == NOW


def test_another_accounts_token_is_a_404(seller: Client, other_account: Account) -> None:
    theirs, raw = make(other_account, "Bob's secret name")
    for url in (f"/settings/tokens/{theirs.pk}/revoke/", "/settings/tokens/999999/revoke/"):
        response = seller.post(url)
        assert response.status_code == 404
        assert "Bob&#x27;s secret name" not in response.content.decode()
    assert seller.post(f"/settings/tokens/{10**30}/revoke/").status_code == 404
    assert stored(theirs)["revoked_at"] is None and api_token_authenticate(raw=raw) is not None
    assert "Bob" not in card(page(seller))


def test_signed_out_nothing_happens(account: Account) -> None:
    token, _ = make(account)
    client = Client()
    for url in (CREATE, f"/settings/tokens/{token.pk}/revoke/"):
        response = client.post(url, {"token-name": "x", "token-scope": "read"})
        assert response.status_code == 302 and "/login/" in response["Location"]
    assert ApiToken.objects.count() == 1 and stored(token)["revoked_at"] is None


def test_now_is_the_clocks(account: Account, frozen_clock: datetime) -> None:
    token, _ = make(account)
    assert token.created_at == frozen_clock
