"""Security settings with DEBUG off: cookies, HSTS, framing, sniffing, CSRF, and `serve` on loopback."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest
from django.test import Client
from pytest_django import Settings

import ringback
from ringback.accounts.models import Account
from ringback.accounts.tests.conftest import PASSWORD
from ringback.server.management.commands.serve import is_loopback, plain_http_on_loopback

SETTINGS_FILE = Path(ringback.__file__).parent / "settings.py"
YEAR = 31_536_000


def load_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, **env: str) -> ModuleType:
    """A fresh copy of ringback/settings.py read with these environment variables."""
    for name in (
        "RINGBACK_DEBUG",
        "RINGBACK_HTTPS",
        "RINGBACK_SSL_REDIRECT",
        "RINGBACK_PROXY_SSL_HEADER",
        "RINGBACK_EMAIL_BACKEND",
        "RINGBACK_EMAIL_FILE_PATH",
        "RINGBACK_EMAIL_FROM",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("RINGBACK_DATA_DIR", str(tmp_path))
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    spec = importlib.util.spec_from_file_location("ringback_settings_copy", SETTINGS_FILE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    sys.modules.pop("ringback_settings_copy", None)
    return module


def test_production_defaults(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    s = load_settings(monkeypatch, tmp_path)
    assert s.DEBUG is False
    assert s.X_FRAME_OPTIONS == "DENY"
    assert s.SECURE_CONTENT_TYPE_NOSNIFF is True
    assert s.SECURE_HSTS_SECONDS == YEAR and s.SECURE_HSTS_INCLUDE_SUBDOMAINS is True
    assert s.SESSION_COOKIE_SECURE is True and s.CSRF_COOKIE_SECURE is True
    assert s.SESSION_COOKIE_HTTPONLY is True and s.CSRF_COOKIE_HTTPONLY is True
    assert s.SESSION_COOKIE_SAMESITE == "Lax"
    assert s.SECURE_SSL_REDIRECT is False
    assert s.RINGBACK_HTTPS is None
    assert not hasattr(s, "SECURE_PROXY_SSL_HEADER")
    assert "django.middleware.csrf.CsrfViewMiddleware" in s.MIDDLEWARE
    assert "django.middleware.clickjacking.XFrameOptionsMiddleware" in s.MIDDLEWARE
    assert s.EMAIL_BACKEND == "django.core.mail.backends.console.EmailBackend"


def test_plain_http_by_choice_and_debug(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    plain = load_settings(monkeypatch, tmp_path, RINGBACK_HTTPS="0")
    assert plain.RINGBACK_HTTPS is False
    assert plain.SESSION_COOKIE_SECURE is False and plain.CSRF_COOKIE_SECURE is False
    assert plain.SECURE_HSTS_SECONDS == 0
    assert plain.X_FRAME_OPTIONS == "DENY"
    debug = load_settings(monkeypatch, tmp_path, RINGBACK_DEBUG="1", RINGBACK_HTTPS="1")
    assert debug.SESSION_COOKIE_SECURE is False and debug.SECURE_HSTS_SECONDS == 0


def test_behind_a_tls_proxy(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    s = load_settings(
        monkeypatch, tmp_path, RINGBACK_HTTPS="1", RINGBACK_PROXY_SSL_HEADER="1", RINGBACK_SSL_REDIRECT="1"
    )
    assert s.RINGBACK_HTTPS is True and s.SESSION_COOKIE_SECURE is True
    assert s.SECURE_PROXY_SSL_HEADER == ("HTTP_X_FORWARDED_PROTO", "https")
    assert s.SECURE_SSL_REDIRECT is True


def test_mail_backends_by_name(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    s = load_settings(
        monkeypatch, tmp_path, RINGBACK_EMAIL_BACKEND="file", RINGBACK_EMAIL_FROM="me@example.com"
    )
    assert s.EMAIL_BACKEND == "ringback.mail_backends.PrivateFileEmailBackend"
    assert str(tmp_path / "mail") == s.EMAIL_FILE_PATH
    assert s.DEFAULT_FROM_EMAIL == "me@example.com"


@pytest.mark.django_db
def test_responses_carry_the_security_headers(client: Client) -> None:
    response = client.get("/login/")
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "Strict-Transport-Security" not in response  # never over plain HTTP
    secure = client.get("/login/", secure=True)
    assert secure["Strict-Transport-Security"] == f"max-age={YEAR}; includeSubDomains"


@pytest.mark.django_db
def test_cookies_are_secure_and_http_only(client: Client, account: Account) -> None:
    page = client.get("/login/", secure=True)
    csrf = page.cookies["csrftoken"]
    assert csrf["secure"] and csrf["httponly"] and csrf["samesite"] == "Lax"
    signed_in = client.post("/login/", {"username": "sally", "password": PASSWORD}, secure=True)
    assert signed_in.status_code == 302
    session = signed_in.cookies["sessionid"]
    assert session["secure"] and session["httponly"] and session["samesite"] == "Lax"


@pytest.mark.django_db
def test_a_post_without_csrf_token_is_refused(account: Account) -> None:
    client = Client(enforce_csrf_checks=True)
    refused = client.post("/login/", {"username": "sally", "password": PASSWORD})
    assert refused.status_code == 403
    assert "This page expired" in refused.content.decode()
    assert "_auth_user_id" not in client.session


def test_loopback_addresses() -> None:
    for host in ("127.0.0.1", "127.0.0.2", "::1", "[::1]", "localhost", "LOCALHOST"):
        assert is_loopback(host), host
    for host in ("0.0.0.0", "::", "192.168.1.20", "example.com", "10.0.0.1"):
        assert not is_loopback(host), host


def test_serve_on_loopback_drops_the_secure_flag_only_when_https_is_not_set(settings: Settings) -> None:
    settings.RINGBACK_HTTPS = None
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = True
    assert plain_http_on_loopback("0.0.0.0") is None
    assert settings.SESSION_COOKIE_SECURE is True
    note = plain_http_on_loopback("127.0.0.1")
    assert note is not None and "RINGBACK_HTTPS=1" in note
    assert settings.SESSION_COOKIE_SECURE is False and settings.CSRF_COOKIE_SECURE is False
    assert settings.SECURE_HSTS_SECONDS == YEAR  # sent on HTTPS requests only anyway

    settings.RINGBACK_HTTPS = True  # a TLS proxy in front of 127.0.0.1
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = True
    assert plain_http_on_loopback("127.0.0.1") is None
    assert settings.SESSION_COOKIE_SECURE is True
