"""Sellers with emails due, for the outbox's tests (in-process, and the worker processes').

Sally (New York, her postal address set, every day a working day) runs ``welcome-email`` on
people with an email address: its first step is an email due at once (``send: auto``), then a
call. :data:`NOW` is Monday 23 November 2026, 09:00 in New York: inside everyone's hours.
"""

from __future__ import annotations

from ringback.accounts.models import Account
from ringback.contacts.models import Contact
from ringback.contacts.services import PhoneInput, contact_create
from ringback.playbooks.services import enrollment_start, playbook_add
from ringback.testing.mail import NOW, PASSWORD, seller

__all__ = ["NOW", "PASSWORD", "email_due", "email_seller", "welcome_playbook"]


def welcome_playbook(*, send: str = "auto") -> str:
    """An email at once (``send``), then a call two to three days later."""
    return f"""
name: welcome-email
title: Welcome email
steps:
  - id: welcome
    channel: email
    send: {send}
    template: resource-email
  - id: call
    channel: call
    wait: 2-3 days
    script: hi
templates:
  hi: "Hi {{{{ contact.first_name }}}}, it's {{{{ seller.first_name }}}} at {{{{ seller.phone }}}}."
"""


def email_seller(username: str = "sally", *, send: str = "auto") -> Account:
    """Sally with the ``welcome-email`` playbook (its email step sent ``send``)."""
    account = seller(username, PASSWORD)
    playbook_add(account=account, text=welcome_playbook(send=send))
    return account


def email_due(account: Account, number: int, *, email: str | None = None, first: str = "Mary") -> Contact:
    """A contact with a New York number and ``email`` (default ``person{number}@example.com``;
    "" for none) on ``welcome-email``: their email is due at once."""
    address = f"person{number}@example.com" if email is None else email
    contact = contact_create(
        account=account,
        first_name=first,
        last_name=f"Person{number}",
        phones=[PhoneInput(f"212 555 {number % 10000:04d}")],
        emails=[address] if address else [],
    )
    enrollment_start(account=account, contact=contact, playbook="welcome-email", force=not address)
    return contact
