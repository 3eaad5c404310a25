"""``ringback import`` and ``ringback imports N`` (issue 11): people are merged only on personal
evidence and doubtful matches are reported (#17), rows that hold no person are skipped (#18),
every value moved or left out is reported (#19), and warmth comes in by a column or a tag (#21).
"""

from __future__ import annotations

from typing import Any

from ringback.contacts.models import Contact

NOW = "2026-03-02T10:00:00-05:00"


def person(name: str) -> Contact:
    first, last = name.split(" ", 1)
    return Contact.objects.prefetch_related("phones", "emails", "tags").get(first_name=first, last_name=last)


def numbers(contact: Contact) -> list[str]:
    return [p.number for p in contact.phones.all()]


def emails(contact: Contact) -> list[str]:
    return [e.address for e in contact.emails.all()]


MARY = {
    "name": "Mary Smith",
    "work phone": "(212) 555-0100",
    "mobile": "917-555-0101",
    "email": "mary@example.com",
}
BOB = {
    "name": "Bob Jones",
    "work phone": "212 555 0100",
    "mobile": "917-555-0202",
    "email": "bob@example.com",
}


# --- #17: a shared office number does not merge people whose names differ -----------------------


def test_a_saved_contacts_office_number_does_not_pull_in_someone_else(ringback: Any, write_csv: Any) -> None:
    ringback.now = NOW
    ringback.ok("import", write_csv([MARY]))
    result = ringback.ok("import", write_csv([BOB], name="bob.csv"))
    assert "bob.csv" in result.out
    assert "row 2 (Bob Jones)" in result.out and "Mary Smith" in result.out and "not merged" in result.out

    mary, bob = person("Mary Smith"), person("Bob Jones")
    assert numbers(mary) == ["+12125550100", "+19175550101"] and emails(mary) == ["mary@example.com"]
    # Bob is his own contact with his own mobile and email; the office number stays Mary's.
    assert numbers(bob) == ["+19175550202"] and emails(bob) == ["bob@example.com"]

    report = ringback.json("imports", str(ringback.json("imports")[0]["report"]))
    assert (report["created"], report["merged"], report["doubtful_count"]) == (1, 0, 1)
    [doubt] = report["doubtful"]
    assert doubt["row"] == 2 and doubt["contact"] == "Bob Jones" and doubt["contact_id"] == bob.pk
    assert (doubt["field"], doubt["value"], doubt["other"], doubt["other_id"]) == (
        "phone", "+12125550100", "Mary Smith", mary.pk,
    )  # fmt: skip
    shown = ringback.ok("imports", str(report["report"])).out
    assert "row 2 (Bob Jones)" in shown and "Mary Smith" in shown


def test_rows_of_one_file_sharing_an_office_number_stay_apart(ringback: Any, write_csv: Any) -> None:
    data = ringback.json("import", write_csv([MARY, BOB]), now=NOW)
    assert (data["created"], data["merged"], data["doubtful_count"]) == (2, 0, 1)
    assert [(d["row"], d["contact"], d["other"]) for d in data["doubtful"]] == [
        (3, "Bob Jones", "Mary Smith")
    ]
    mary, bob = person("Mary Smith"), person("Bob Jones")
    assert emails(mary) == ["mary@example.com"] and "+19175550202" not in numbers(mary)
    assert numbers(bob) == ["+19175550202"] and emails(bob) == ["bob@example.com"]


def test_a_shared_home_number_and_a_number_called_work_elsewhere_are_not_personal(
    ringback: Any, write_csv: Any
) -> None:
    rows = [
        {"name": "John Doe", "home phone": "646-555-0111", "phone": ""},
        {"name": "Jane Doe", "home phone": "646-555-0111", "phone": ""},
        {"name": "Al Berg", "home phone": "", "phone": "646-555-0111"},  # "phone" is read as mobile
    ]
    data = ringback.json("import", write_csv(rows), now=NOW)
    assert (data["created"], data["merged"], data["doubtful_count"]) == (3, 0, 2)
    assert Contact.objects.count() == 3


def test_a_shared_number_with_the_same_name_or_a_personal_one_merges(ringback: Any, write_csv: Any) -> None:
    ringback.now = NOW
    ringback.ok("import", write_csv([MARY]))
    rows = [
        {
            "name": "mary  SMITH",
            "work phone": "212-555-0100",
            "mobile": "",
            "email": "mary@work.example",
            "notes": "",
        },
        {
            "name": "M. Smith",
            "work phone": "",
            "mobile": "917 555 0101",
            "email": "m@smith.example",
            "notes": "",
        },
        {
            "name": "Mimi",
            "work phone": "",
            "mobile": "",
            "email": "MARY@example.com",
            "notes": "Call after 5.",
        },
    ]
    data = ringback.json("import", write_csv(rows))
    assert (data["created"], data["merged"], data["doubtful_count"]) == (0, 3, 0)
    assert emails(person("Mary Smith")) == [
        "mary@example.com", "mary@work.example", "m@smith.example",
    ]  # fmt: skip
    # A merge keeps the name the contact has, and says which name it left out.
    left = {(m["row"], m["field"], m["value"]) for m in data["moved"]}
    assert {(3, "name", "M. Smith"), (4, "name", "Mimi")} <= left


def test_importing_a_file_with_a_doubtful_match_twice_changes_nothing_the_second_time(
    ringback: Any, write_csv: Any
) -> None:
    ringback.now = NOW
    path = write_csv([MARY, {**BOB, "mobile": "", "email": ""}])
    first = ringback.json("import", path)
    assert (first["created"], first["doubtful_count"]) == (2, 1)
    again = ringback.json("import", path)
    assert (again["created"], again["merged"], again["unchanged"]) == (0, 0, 2)
    assert Contact.objects.count() == 2


# --- #18: a row that holds no person is skipped and reported ------------------------------------


def test_a_junk_row_is_skipped_not_made_contact_n(ringback: Any, write_csv: Any) -> None:
    rows = [
        {"name": "Ann Lee", "phone": "646-555-0101", "email": ""},
        {"name": "", "phone": "n/a", "email": ""},
    ]
    result = ringback.ok("import", write_csv(rows), now=NOW)
    assert "Created 1 contact," in result.out and "skipped 1" in result.out
    assert "row 3: no name, no email" in result.out and "'n/a'" in result.out
    assert list(Contact.objects.values_list("first_name", flat=True)) == ["Ann"]
    report = ringback.json("imports", str(ringback.json("imports")[0]["report"]))
    assert [s["row"] for s in report["skipped"]] == [3]


def test_a_row_whose_only_number_is_someone_elses_and_has_no_name_is_skipped(
    ringback: Any, write_csv: Any
) -> None:
    rows = [MARY, {"name": "", "work phone": "212-555-0100", "mobile": "", "email": ""}]
    data = ringback.json("import", write_csv(rows), now=NOW)
    assert (data["created"], data["merged"], data["unchanged"]) == (1, 0, 0)
    [skipped] = data["skipped"]
    assert skipped["row"] == 3 and "Mary Smith" in skipped["reason"]


# --- #19: every value moved or left out is reported ---------------------------------------------


def test_a_birthday_that_is_no_date_is_reported_as_moved_to_the_notes(ringback: Any, write_csv: Any) -> None:
    path = write_csv([{"name": "Ann Lee", "phone": "646-555-0101", "birthday": "1988-02-30"}], name="b.csv")
    dry = ringback.ok("import", path, "--dry-run", now=NOW)
    line = "row 2 (Ann Lee), birthday '1988-02-30':"
    assert line in dry.out and "notes" in dry.out.split(line, 1)[1].splitlines()[0]

    data = ringback.json("import", path, now=NOW)
    ann = person("Ann Lee")
    assert ann.birthday_month is None and ann.notes == "Birthday: 1988-02-30"
    assert data["moved_count"] == 1
    [moved] = data["moved"]
    assert (moved["row"], moved["contact"], moved["contact_id"], moved["field"], moved["value"]) == (
        2, "Ann Lee", ann.pk, "birthday", "1988-02-30",
    )  # fmt: skip
    assert "notes" in moved["reason"]
    assert line in ringback.ok("imports", str(data["report"])).out


def test_what_a_merge_leaves_out_is_reported(ringback: Any, write_csv: Any) -> None:
    ringback.now = NOW
    ringback.ok("import", write_csv([{**MARY, "company": "Acme Bakery", "birthday": "1980-04-12"}]))
    row = {**MARY, "company": "Other Co", "birthday": "1981-05-13", "notes": "Likes mornings."}
    data = ringback.json("import", write_csv([row]))
    assert data["merged"] == 1
    left = {(m["field"], m["value"]) for m in data["moved"]}
    assert left == {("company", "Other Co"), ("birthday", "1981-05-13")}
    mary = person("Mary Smith")
    assert mary.company == "Acme Bakery" and (mary.birthday_month, mary.birthday_day) == (4, 12)


# --- #21: warmth by a column or a tag ------------------------------------------------------------


def test_warmth_comes_from_a_column_and_a_bad_one_is_reported(ringback: Any, write_csv: Any) -> None:
    rows = [
        {"name": "Ann Lee", "phone": "646-555-0101", "warmth": "Customer", "tags": ""},
        {"name": "Bo Ray", "phone": "646-555-0102", "warmth": "met once", "tags": ""},
        {"name": "Cy Young", "phone": "646-555-0103", "warmth": "hot", "tags": ""},
        {"name": "Di Fox", "phone": "646-555-0104", "warmth": "", "tags": "warmth:acquainted;vip"},
        {"name": "Ed Hall", "phone": "646-555-0105", "warmth": "", "tags": "Stranger"},
    ]
    result = ringback.ok("import", write_csv(rows, name="w.csv"), now=NOW)
    assert "row 4 (Cy Young), warmth 'hot':" in result.out
    warmth = dict(Contact.objects.values_list("first_name", "warmth"))
    assert warmth == {
        "Ann": "customer",
        "Bo": "met-once",
        "Cy": "met-once",
        "Di": "acquainted",
        "Ed": "stranger",
    }
    assert [t.name for t in person("Di Fox").tags.all()] == ["vip"]
    assert [t.name for t in person("Ed Hall").tags.all()] == ["Stranger"]


def test_a_merge_warms_a_contact_up_and_never_cools_it(ringback: Any, write_csv: Any) -> None:
    ringback.now = NOW
    ringback.ok(
        "import", write_csv([{**MARY, "warmth": ""}, {**BOB, "work phone": "", "warmth": "customer"}])
    )
    data = ringback.json(
        "import",
        write_csv([{**MARY, "warmth": "acquainted"}, {**BOB, "work phone": "", "warmth": "stranger"}]),
    )
    assert (data["merged"], data["unchanged"]) == (1, 1)
    assert (person("Mary Smith").warmth, person("Bob Jones").warmth) == ("acquainted", "customer")
    [moved] = data["moved"]
    assert (moved["row"], moved["field"], moved["value"]) == (3, "warmth", "stranger")
