"""Adding a contact, and editing one (numbers, emails, address, zone, birthday, tags)."""

from __future__ import annotations

from functools import lru_cache
from zoneinfo import available_timezones

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from ringback.accounts.models import Account
from ringback.accounts.submissions import submitted_once
from ringback.accounts.web import account_view
from ringback.contacts.selectors import (
    contacts_by_ids,
)
from ringback.contacts.services import (
    PhoneInput,
    contact_create,
    contact_update,
)
from ringback.core.errors import (
    DuplicateContact,
    InvalidPhone,
    RingbackError,
)
from ringback.interface.forms import add_service_error
from ringback.people.forms import (
    ContactAddForm,
    ContactEditForm,
    EmailRowForm,
    PhoneRowForm,
    tag_names,
)
from ringback.people.views.common import contact_or_404


@account_view
@require_http_methods(["GET", "POST"])
@submitted_once
def contact_add_view(request: HttpRequest, *, account: Account) -> HttpResponse:
    """Add one contact by hand: name, number, email, tags."""
    if request.method != "POST":
        form = ContactAddForm(account=account)
        return render(request, "people/add.html", {"form": form, "nav": "contacts"})
    form = ContactAddForm(request.POST, account=account)
    if form.is_valid():
        data = form.cleaned_data
        try:
            contact = contact_create(
                account=account,
                first_name=data["first_name"],
                last_name=data["last_name"],
                company=data["company"],
                phones=[PhoneInput(data["phone"], data["phone_label"])] if data["phone"] else [],
                emails=[data["email"]] if data["email"] else [],
                tags=tag_names(data["tags"]),
            )
        except DuplicateContact as exc:
            twin = contacts_by_ids(account=account, ids=[exc.twin_id])[0]
            what = "number" if exc.field == "phone" else "address"
            form.add_error(exc.field, f"{twin.name} already has this {what}.")
            return render(
                request, "people/add.html", {"form": form, "twin": twin, "nav": "contacts"}, status=400
            )
        except InvalidPhone as exc:
            add_service_error(form, exc, default="phone")
        except RingbackError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, f"{contact.name} is in your contacts.")
            return redirect("contacts:detail", pk=contact.pk)
    return render(request, "people/add.html", {"form": form, "nav": "contacts"}, status=400)


# --- editing ---------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def zone_names() -> tuple[str, ...]:
    """IANA zone names for the time zone field's suggestions."""
    return tuple(
        sorted(z for z in available_timezones() if "/" in z and not z.startswith(("Etc/", "SystemV/")))
    )


@account_view
@require_http_methods(["GET", "POST"])
@submitted_once
def contact_edit_view(request: HttpRequest, pk: int, *, account: Account) -> HttpResponse:
    """Edit the contact's details, numbers, emails, address and tags in one go."""
    contact = contact_or_404(account, pk)
    data = request.POST if request.method == "POST" else None
    main = ContactEditForm(data, initial=ContactEditForm.initial_for(contact))
    phone_rows = [
        PhoneRowForm(
            data,
            prefix=f"phone-{p.pk}",
            account=account,
            phone_id=p.pk,
            initial={"number": p.number, "label": p.label, "ok_at_work": p.ok_at_work, "bad": p.is_bad},
        )
        for p in contact.phones.all()
    ]
    phone_rows.append(PhoneRowForm(data, prefix="phone-new", account=account, phone_id=None))
    email_rows = [
        EmailRowForm(
            data, prefix=f"email-{e.pk}", email_id=e.pk, initial={"address": e.address, "label": e.label}
        )
        for e in contact.emails.all()
    ]
    email_rows.append(EmailRowForm(data, prefix="email-new", email_id=None))
    context = {
        "contact": contact,
        "form": main,
        "phone_rows": phone_rows,
        "email_rows": email_rows,
        "zones": zone_names(),
        "nav": "contacts",
    }
    if data is None:
        return render(request, "people/edit.html", context)
    valid = all([main.is_valid(), *(f.is_valid() for f in phone_rows), *(f.is_valid() for f in email_rows)])
    if valid:
        values = main.cleaned_data
        try:
            contact_update(
                account=account,
                contact=contact,
                first_name=values["first_name"],
                last_name=values["last_name"],
                company=values["company"],
                title=values["title"],
                warmth=values["warmth"],
                status=values["status"],
                notes=values["notes"],
                birthday=values["birthday"],
                clear_birthday=values["birthday"] is None,
                time_zone=values["time_zone"],
                phones=[f.change() for f in phone_rows],
                emails=[f.change() for f in email_rows],
                address=main.address(),
                tags=tag_names(values["tags"]),
            )
        except RingbackError as exc:
            add_service_error(main, exc)
        else:
            messages.success(request, f"Saved {contact.name}'s details.")
            return redirect("contacts:detail", pk=contact.pk)
    context["has_errors"] = True
    return render(request, "people/edit.html", context, status=400)
