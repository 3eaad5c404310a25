"""HTMX asks for a part of a page, except when it restores a page from history (the back
button): then every view answers the whole page, as one helper decides for all (issue 10)."""

from __future__ import annotations

import pytest
from django.test import Client

from ringback.accounts.services import account_create
from ringback.contacts.services import PhoneInput, contact_create

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/", "/contacts/", "/contacts/{pk}/timeline/"])
def test_history_restore_gets_the_whole_page_and_htmx_a_part(path):
    account = account_create(username="sally", password="a-long-password")
    mary = contact_create(account=account, first_name="Mary", phones=[PhoneInput("212-555-0123")])
    client = Client()
    client.force_login(account.memberships.get().user)
    url = path.format(pk=mary.pk)
    part = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    whole = client.get(url, HTTP_HX_REQUEST="true", HTTP_HX_HISTORY_RESTORE_REQUEST="true").content.decode()
    assert "<html" not in part
    assert "<html" in whole
