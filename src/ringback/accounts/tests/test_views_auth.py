"""Signing in and out, passwords (change, reset by email), the email for resets, logins without account."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.core import mail
from django.test import Client

from ringback.accounts.models import Account
from ringback.accounts.services import login_email_set
from ringback.accounts.tests.conftest import PASSWORD, make_account

pytestmark = pytest.mark.django_db
NEW_PASSWORD = "brand-new-secret-42"


def user_of(account: Account) -> User:
    return account.memberships.get().user


def signs_in(username: str, password: str) -> bool:
    """Through the sign-in page, as a browser does (sign-in throttling needs the request)."""
    response = Client().post("/login/", {"username": username, "password": password})
    return response.status_code == 302


# --- signing in and out ---------------------------------------------------------------------


def test_login_page_keeps_its_fields_and_offers_a_reset(client: Client, account: Account) -> None:
    html = client.get("/login/").content.decode()
    assert 'name="username" id="id_username"' in html and 'name="password" id="id_password"' in html
    assert ">Sign in</button>" in html
    assert 'href="/password/reset/"' in html
    assert "No account yet" not in html


def test_login_page_on_a_fresh_install_says_how_to_begin(client: Client, db: None) -> None:
    html = client.get("/login/").content.decode()
    assert "No account yet." in html and "ringback createuser NAME" in html


def test_signing_in_goes_to_today_and_a_wrong_password_says_so(client: Client, account: Account) -> None:
    wrong = client.post("/login/", {"username": "sally", "password": "nope"})
    assert wrong.status_code == 200
    assert "didn&#x27;t match" in wrong.content.decode() or "didn't match" in wrong.content.decode()
    right = client.post("/login/", {"username": "sally", "password": PASSWORD})
    assert right.status_code == 302 and right["Location"] == "/"
    # Signed in already: the sign-in page goes straight on.
    assert client.get("/login/").status_code == 302


def test_sign_out_is_a_post_and_a_get_asks_first(seller: Client, account: Account) -> None:
    page = seller.get("/logout/")
    assert page.status_code == 200 and "Sign out?" in page.content.decode()
    assert seller.get("/settings/").status_code == 200  # a GET signed nobody out
    out = seller.post("/logout/")
    assert out.status_code == 302 and out["Location"] == "/login/"
    assert seller.get("/settings/").status_code == 302


def test_settings_page_has_the_sign_out_button(seller: Client, account: Account) -> None:
    html = seller.get("/settings/").content.decode()
    assert 'action="/logout/"' in html and ">Sign out</button>" in html
    assert 'href="/password/change/"' in html


# --- changing the password ---------------------------------------------------------------------


def test_password_change(seller: Client, account: Account) -> None:
    page = seller.get("/password/change/").content.decode()
    assert ">Current password<" in page or "Old password" in page
    response = seller.post(
        "/password/change/",
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        follow=True,
    )
    assert response.redirect_chain == [("/settings/", 302)]
    assert "Your password was changed." in response.content.decode()
    assert signs_in("sally", NEW_PASSWORD) and not signs_in("sally", PASSWORD)
    # This browser stays signed in.
    assert seller.get("/settings/").status_code == 200


def test_password_change_mistakes_are_shown_by_the_fields(seller: Client, account: Account) -> None:
    wrong_old = seller.post(
        "/password/change/",
        {"old_password": "not-it", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    ).content.decode()
    assert 'id="id_old_password_error"' in wrong_old
    short = seller.post(
        "/password/change/", {"old_password": PASSWORD, "new_password1": "abc", "new_password2": "abc"}
    ).content.decode()
    assert 'id="id_new_password2_error"' in short and "too short" in short
    assert signs_in("sally", PASSWORD)


# --- the email for password resets --------------------------------------------------------------


def test_setting_the_reset_email_needs_the_password(seller: Client, account: Account) -> None:
    wrong = seller.post("/settings/email/", {"email": "sally@example.com", "password": "guess"})
    assert 'id="id_password_error"' in wrong.content.decode()
    assert user_of(account).email == ""
    bad = seller.post("/settings/email/", {"email": "not an email", "password": PASSWORD})
    assert 'id="id_email_error"' in bad.content.decode()
    good = seller.post("/settings/email/", {"email": "Sally@Example.com", "password": PASSWORD}, follow=True)
    assert "Password-reset links will go to Sally@example.com." in good.content.decode()
    assert user_of(account).email == "Sally@example.com"


def test_an_email_used_by_another_login_is_refused(
    seller: Client, account: Account, other_account: Account
) -> None:
    login_email_set(user=user_of(other_account), email="bob@example.com")
    html = seller.post(
        "/settings/email/", {"email": "BOB@example.com", "password": PASSWORD}
    ).content.decode()
    assert "another login already uses" in html
    assert user_of(account).email == ""


# --- resetting a forgotten password ---------------------------------------------------------------


def test_password_reset_by_email_link(client: Client, account: Account) -> None:
    login_email_set(user=user_of(account), email="sally@example.com")
    sent = client.post("/password/reset/", {"email": "sally@example.com"}, follow=True)
    assert sent.redirect_chain == [("/password/reset/sent/", 302)]
    assert "Check your email" in sent.content.decode()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["sally@example.com"] and message.subject == "Your new Ringback password"
    assert "Hello Sally," in message.body and '"sally"' in message.body
    link = re.search(r"http://testserver(/password/reset/\S+/\S+/)", str(message.body))
    assert link is not None, message.body
    form = client.get(link.group(1), follow=True)
    assert "Choose a new password" in form.content.decode()
    done = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        follow=True,
    )
    assert "Your new password is saved" in done.content.decode()
    assert signs_in("sally", NEW_PASSWORD)
    # The link works once.
    again = client.get(link.group(1), follow=True).content.decode()
    assert "doesn&#x27;t work any more" in again or "doesn't work any more" in again


def test_password_reset_for_an_unknown_email_sends_nothing_and_says_the_same(
    client: Client, account: Account
) -> None:
    sent = client.post("/password/reset/", {"email": "nobody@example.com"}, follow=True)
    assert "Check your email" in sent.content.decode()
    assert mail.outbox == []


# --- a login that belongs to no Ringback account ---------------------------------------------------


def test_a_login_without_account_gets_a_clear_403(client: Client, account: Account) -> None:
    admin = get_user_model().objects.create_superuser("root", "root@example.com", "root-password-1")
    client.force_login(admin)
    for url in ("/settings/", "/", "/contacts/", "/playbooks/", "/appointments/"):
        response = client.get(url)
        html = response.content.decode()
        assert response.status_code == 403, url
        assert "This login belongs to no Ringback account" in html, url
        assert "ringback createuser NAME" in html
    assert (
        client.post("/settings/vacations/", {"first_day": "2026-12-01", "last_day": "2026-12-02"}).status_code
        == 403
    )
    assert client.post("/logout/").status_code == 302


def test_second_account_signs_in_to_its_own_settings(client: Client, account: Account) -> None:
    make_account("carol", seller_name="Carol King")
    assert client.post("/login/", {"username": "carol", "password": PASSWORD}).status_code == 302
    html = client.get("/settings/").content.decode()
    assert 'value="Carol King"' in html and "Sally Carter" not in html
