"""What the Contacts tab's views share: page sizes and small helpers."""

from __future__ import annotations

from ringback.accounts.models import Account
from ringback.contacts.models import Contact
from ringback.contacts.selectors import contact_get
from ringback.core.interchange.incoming import MAX_ADDRESSES, MAX_EMAILS, MAX_NUMBERS
from ringback.playbooks.selectors import (
    playbook_list,
)

PAGE_SIZE = 50
TIMELINE_LIMIT = 100
#: Skipped rows a preview lists one by one (the report keeps them all).
PREVIEW_PROBLEMS = 100
#: People of the file shown in the preview.
PREVIEW_SAMPLE = 10
#: Import reports a page of the list shows.
REPORTS_PAGE = 50
#: What a contact keeps, as the import pages say it.
CAPS = {"numbers": MAX_NUMBERS, "emails": MAX_EMAILS, "addresses": MAX_ADDRESSES}
FILTER_KEYS = ("q", "tag", "status", "warmth", "playbook", "never")


def playbook_choices(account: Account) -> list[tuple[str, str]]:
    return [(p.name, p.title) for p in playbook_list(account=account)]


def contact_or_404(account: Account, pk: int) -> Contact:
    """The account's contact ``pk`` with what its page shows; another account's is not found."""
    return contact_get(account=account, pk=pk, details=True)
