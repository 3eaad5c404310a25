"""Forms of the playbook pages: they check the shape of the input; services check the playbook."""

from __future__ import annotations

from django import forms

from ringback.core.playbook import MAX_SOURCE_CHARS
from ringback.playbooks.services import playbook_text_normalise


class PlaybookSourceForm(forms.Form):
    """The YAML of an own playbook, and the version the edit started from."""

    source = forms.CharField(
        label="Playbook YAML",
        max_length=MAX_SOURCE_CHARS,
        strip=False,
        error_messages={
            "required": "The playbook is empty: write its YAML (or paste it) and save again.",
            "max_length": f"That is longer than {MAX_SOURCE_CHARS:,} characters; a playbook is a few KB.",
        },
    )
    base_version = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def clean_source(self) -> str:
        text: str = self.cleaned_data["source"]
        if not text.strip():
            raise forms.ValidationError(self.fields["source"].error_messages["required"])
        return playbook_text_normalise(text)


class DuplicateForm(forms.Form):
    """The name of a copy; the service checks it is free and well formed."""

    new_name = forms.CharField(
        label="Name of your copy",
        max_length=63,
        required=False,
        help_text="Lower-case letters, digits and dashes.",
        error_messages={"max_length": "Keep the name to 63 characters or fewer."},
    )


class PreviewForm(forms.Form):
    """Whom to preview a plan for: ``sample`` or a contact id; ``q`` narrows the list of names."""

    contact = forms.CharField(required=False, max_length=20)
    q = forms.CharField(required=False, max_length=100, label="Find a contact")

    def clean_contact(self) -> int | None:
        value: str = self.cleaned_data["contact"].strip()
        if value in ("", "sample"):
            return None
        if not value.isdigit():
            raise forms.ValidationError("Pick someone from the list.")
        return int(value)
