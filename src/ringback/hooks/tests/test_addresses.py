"""Only http(s) URLs with a host and no credentials, and never an address of a private network
unless the server allows it (no server-side request forgery)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from ringback.accounts.models import Account
from ringback.core.errors import ErrorCode, WebhookRefused
from ringback.hooks.addresses import target_check
from ringback.hooks.models import Webhook
from ringback.hooks.services import webhook_create, webhook_update

REFUSED = {
    "http://127.0.0.1/hook": "127.0.0.1 is a loopback address",
    "http://localhost:8000/hook": "localhost resolves to 127.0.0.1, a loopback address",
    "http://10.0.0.1/hook": "10.0.0.1 is a private address",
    "http://192.168.1.20/hook": "192.168.1.20 is a private address",
    "http://169.254.169.254/latest/meta-data": "169.254.169.254 is a link-local address",
    "http://[::1]/hook": "::1 is a loopback address",
    "http://[::ffff:127.0.0.1]/hook": "::ffff:127.0.0.1 is an IPv4-mapped loopback address",
    "http://[::ffff:a9fe:a9fe]/": "an IPv4-mapped link-local address",
    "http://[fe80::1]/hook": "fe80::1 is a link-local address",
    "http://0.0.0.0/hook": "0.0.0.0 is an unspecified address",
    "http://2130706433/hook": "2130706433 resolves to 127.0.0.1, a loopback address",
    "http://0x7f.1/hook": "resolves to 127.0.0.1, a loopback address",
    "http://100.64.0.1/hook": "100.64.0.1 is a non-public address",
    "http://224.0.0.1/hook": "224.0.0.1 is a multicast address",
    "ftp://93.184.215.14/hook": "starts with https:// (or http://)",
    "file:///etc/passwd": "starts with https:// (or http://)",
    "gopher://93.184.215.14:70/": "starts with https:// (or http://)",
    "93.184.215.14/hook": "starts with https:// (or http://)",
    "http:///hook": "needs a host name",
    "https://": "needs a host name",
    "http://user:secret@93.184.215.14/hook": "may not carry a user name or password",
    "http://user@93.184.215.14/hook": "may not carry a user name or password",
    "http://93.184.215.14:99999/": "not a URL Ringback can read",
    "http://[::1/": "not a URL Ringback can read",
    "http://93.184.215.14/a b": "without spaces",
    "http://93.184.215.14/\x00": "without spaces",
    "http://no-such-host.invalid/": "could not be found",
    "": "needs a URL",
    "https://93.184.215.14/" + "a" * 2000: "at most 2000 characters",
}


@pytest.mark.parametrize(("url", "says"), list(REFUSED.items()))
def test_a_url_ringback_may_not_call_is_refused_at_registration(
    account: Account, url: str, says: str
) -> None:
    with pytest.raises(WebhookRefused) as caught:
        webhook_create(account=account, url=url, events=["callback.logged"])
    assert says in caught.value.message
    assert (caught.value.field, caught.value.code) == ("url", ErrorCode.WEBHOOK_REFUSED)
    assert not Webhook.objects.exists()


def test_a_public_address_is_taken(account: Account) -> None:
    webhook = webhook_create(
        account=account, url="https://93.184.215.14/hooks?x=1", events=["callback.logged"]
    )
    target = target_check(webhook.url)
    assert (target.scheme, target.host, target.port, target.path) == (
        "https",
        "93.184.215.14",
        443,
        "/hooks?x=1",
    )
    with pytest.raises(WebhookRefused):
        webhook_update(account=account, webhook_id=webhook.pk, url="http://169.254.169.254/")
    webhook.refresh_from_db()
    assert webhook.url == "https://93.184.215.14/hooks?x=1"


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:8000/hook", "http://localhost/", "http://[::1]:9000/", "http://10.0.0.1/"]
)
def test_private_addresses_are_taken_when_the_server_allows_them(
    account: Account, settings: Any, url: str
) -> None:
    settings.WEBHOOKS_ALLOW_PRIVATE = True
    assert webhook_create(account=account, url=url, events=["reply.received"]).url == url


@pytest.mark.parametrize("url", ["ftp://127.0.0.1/", "http://u:p@127.0.0.1/", "http:///x"])
def test_the_rest_of_the_rules_hold_when_private_addresses_are_allowed(settings: Any, url: str) -> None:
    settings.WEBHOOKS_ALLOW_PRIVATE = True
    with pytest.raises(WebhookRefused):
        target_check(url)


URLS = st.one_of(
    st.text(max_size=80),
    st.builds(
        lambda s, rest: s + rest,
        st.sampled_from(["http://", "https://", "HTTP://", "http://["]),
        st.text(max_size=60),
    ),
    st.builds(
        lambda host, port, path: f"http://{host}:{port}/{path}",
        st.text(alphabet="0123456789abcdefx.:[]%@-", max_size=30),
        st.text(alphabet="0123456789-+ ", max_size=7),
        st.text(max_size=20),
    ),
)


@hypothesis_settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(URLS)
def test_the_guard_raises_only_its_own_error_whatever_the_string(url: str) -> None:
    try:
        target = target_check(url)
    except WebhookRefused as exc:
        assert exc.field == "url" and exc.message
    else:
        assert target.scheme in ("http", "https") and target.host and target.addresses
