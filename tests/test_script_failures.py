"""Scripts that can't be filled in (issue 9, findings 1, 2 and 5).

Saving renders every script against sample contacts and refuses one that fails or hits a limit,
with the line. A script that fails only for some contacts affects only their card: the Today page,
``ringback agenda`` and ``agenda --json`` show the rest and say what went wrong. Fixing the
playbook clears it, even for enrollments that started on the broken version.
"""

from __future__ import annotations

import html
from datetime import UTC, datetime

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from ringback.accounts.models import Account
from ringback.accounts.services import account_create
from ringback.contacts.services import PhoneInput, contact_create
from ringback.core import clock
from ringback.core.errors import PlaybookError
from ringback.core.messages import builtin_messages
from ringback.core.playbook import builtin_text
from ringback.playbooks.models import PlaybookVersion
from ringback.playbooks.services import enrollment_start, playbook_add, playbook_duplicate

pytestmark = pytest.mark.django_db

#: Monday 23 November 2026, 09:00 in New York.
NOW = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)

#: Fails only for contacts at Zed Corp: it passes the save check, as a real mistake could.
TRAP = "{% if contact.company == 'Zed Corp' %}{{ 1 / 0 }}{% endif %}"


@pytest.fixture(autouse=True)
def frozen(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with clock.frozen(NOW):
        yield


def make_account(username: str = "sally") -> Account:
    return account_create(
        username=username,
        password="a-long-password",
        seller_name="Sally Baker",
        seller_phone="312-555-0142",
        business_name="Sweet Home",
    )


def client_for(account: Account) -> Client:
    client = Client()
    client.force_login(get_user_model().objects.get(membership__account=account))
    return client


def inlined(source: str, *names: str) -> str:
    """The playbook YAML with the starter library's ``names`` written under its own ``templates``
    (the built-ins name library messages; a playbook's own templates are what these tests break)."""
    library = builtin_messages()
    block = ["templates:"]
    for name in names:
        block.append(f"  {name}: |")
        block.extend(f"    {line}" for line in library[name].body.splitlines())
    return source.rstrip("\n") + "\n" + "\n".join(block) + "\n"


def with_script(source: str, template: str, text: str) -> str:
    """The playbook YAML with the first line of ``template``'s text replaced by ``text``."""
    marker = f"  {template}: |\n"
    start = source.index(marker) + len(marker)
    end = source.index("\n", start)
    return source[:start] + "    " + text + source[end:]


def test_saving_a_script_that_would_freeze_the_server_is_refused_at_its_line():
    account = make_account()
    copy = playbook_duplicate(account=account, name="call-mail-call")
    bad = with_script(inlined(copy.source, "announce-the-note"), "announce-the-note", "{{ 9 ** 12000000 }}")
    with pytest.raises(PlaybookError) as caught:
        playbook_add(account=account, text=bad, source="my-call-mail-call.yaml")
    line = bad.splitlines().index("    {{ 9 ** 12000000 }}") + 1
    assert caught.value.line == line
    assert str(caught.value) == (
        f"my-call-mail-call.yaml, line {line}: template 'announce-the-note' can't be filled in: "
        "the script computes a number that is too large"
    )
    assert PlaybookVersion.objects.filter(playbook=copy.playbook).count() == 1


def test_the_check_and_the_edit_page_refuse_it_and_another_account_sees_its_own_values():
    """The check used to mutate the shared sample: every account then saw the attacker's number."""
    mallory, sally = make_account("mallory"), make_account("sally")
    copy = playbook_duplicate(account=mallory, name="call-mail-call")
    poison = with_script(
        inlined(copy.source, "announce-the-note"),
        "announce-the-note",
        "{{ seller.update({'phone': '1-900-555-0199'}) }}",
    )
    client = client_for(mallory)
    for view, status in (("check", 200), ("edit", 400)):
        response = client.post(
            f"/playbooks/my-call-mail-call/{view}/", {"source": poison, "base_version": "1"}
        )
        assert response.status_code == status
        assert "template &#x27;announce-the-note&#x27; can&#x27;t be filled in: &#x27;update&#x27;" in (
            response.content.decode()
        )
    assert PlaybookVersion.objects.filter(playbook=copy.playbook).count() == 1
    page = client_for(sally).get("/playbooks/call-mail-call/").content.decode()
    assert "1-900" not in page
    assert "312-555-0142" in page or "(312) 555-0142" in page


def test_ringback_playbooks_add_and_validate_refuse_it_the_same_way(ringback, tmp_path):
    ringback.ok("playbooks", "list")
    source = builtin_text("four-calls-two-weeks").replace("name: four-calls-two-weeks", "name: mine", 1)
    bad = with_script(
        inlined(source, "something-you-will-like"),
        "something-you-will-like",
        "{% for i in range(900) %}{% for j in range(900) %}{% endfor %}{% endfor %}",
    )
    path = tmp_path / "mine.yaml"
    path.write_text(bad)
    for action in ("validate", "add"):
        result = ringback(("playbooks"), action, path)
        assert result.code != 0, result
        assert (
            "template 'something-you-will-like' can't be filled in: the script's loops go round more than 1,000 times"
            in (result.err)
        ), result
        assert "Traceback" not in result.err
    assert not PlaybookVersion.objects.filter(playbook__name="mine").exists()


def table_rows(out: str) -> list[list[str]]:
    """The cells of a table ``ringback`` printed, each cell's wrapped lines joined."""
    rows: list[list[str]] = []
    current: list[list[str]] = []
    for line in out.splitlines():
        if line.startswith("│"):
            cells = [cell.strip() for cell in line.strip("│").split("│")]
            current = current or [[] for _ in cells]
            for parts, cell in zip(current, cells, strict=True):
                if cell:
                    parts.append(cell)
        elif current:
            rows.append([" ".join(parts) for parts in current])
            current = []
    return rows


@pytest.fixture
def trapped_day():
    """Two people on a playbook whose first call script fails for Zed Corp only."""
    account = make_account()
    copy = playbook_duplicate(account=account, name="four-calls-two-weeks")
    variants = ("something-you-will-like", "made-me-think-of-you")
    trapped = inlined(copy.source, *variants)
    for variant in variants:
        trapped = with_script(trapped, variant, TRAP + "Hi {{ contact.first_name }}, it's Sally.")
    version = playbook_add(account=account, text=trapped, source="my-four-calls-two-weeks.yaml")
    for first, company in (("Zoe", "Zed Corp"), ("Mary", "Acme")):
        contact = contact_create(
            account=account,
            first_name=first,
            last_name="Smith",
            company=company,
            phones=[PhoneInput("212-555-01" + str(len(first) * 11))],
        )
        enrollment_start(account=account, contact=contact, playbook="my-four-calls-two-weeks")
    return account, version


def test_a_script_that_fails_for_one_contact_affects_only_their_card(trapped_day):
    account, _ = trapped_day
    response = client_for(account).get("/")
    assert response.status_code == 200
    page = html.unescape(response.content.decode())
    assert "This script could not be filled in: line 1: division by zero" in page
    assert "Hi Mary, it's Sally." in page
    assert page.count("could not be filled in") == 1


@pytest.mark.usefixtures("trapped_day")
def test_ringback_agenda_shows_the_others_and_names_the_problem(ringback):
    ringback.now = NOW.isoformat()
    table = ringback("agenda", "--scripts", "--user", "sally")
    assert table.code == 0, table
    why = {row[2]: row[5] for row in table_rows(table.out)}
    assert why["Zoe Smith"].endswith("This script could not be filled in: line 1: division by zero")
    assert "“Hi Mary, it's Sally." in why["Mary Smith"]
    assert "could not be filled in" not in why["Mary Smith"]
    items = ringback.agenda("--user", "sally")
    by_name = {item["contact_name"]: item for item in items}
    assert by_name["Zoe Smith"]["script"] == ""
    assert (
        by_name["Zoe Smith"]["script_error"] == "This script could not be filled in: line 1: division by zero"
    )
    assert by_name["Mary Smith"]["script"].startswith("Hi Mary, it's Sally.")
    assert by_name["Mary Smith"]["script_error"] == ""


def test_fixing_the_playbook_clears_the_error_for_enrollments_on_the_broken_version(trapped_day):
    account, broken = trapped_day
    fixed = broken.source.replace(TRAP, "")
    playbook_add(account=account, text=fixed, source="my-four-calls-two-weeks.yaml")
    page = html.unescape(client_for(account).get("/").content.decode())
    assert "could not be filled in" not in page
    assert "Hi Zoe, it's Sally." in page
