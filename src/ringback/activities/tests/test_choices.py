"""The database choices carry a label for every value the domain core knows."""

from __future__ import annotations

from ringback.activities import choices as activity_choices
from ringback.contacts import choices as contact_choices
from ringback.core import engine, phones, playbook
from ringback.playbooks import choices as playbook_choices


def test_every_core_value_has_a_database_choice():
    pairs = [
        (playbook.Outcome, activity_choices.Outcome),
        (playbook.Channel, activity_choices.Channel),
        (engine.Status, playbook_choices.EnrollmentStatus),
        (phones.PhoneLabel, contact_choices.PhoneLabel),
    ]
    for core, django in pairs:
        assert {member.value for member in core} <= set(django.values), core.__name__
