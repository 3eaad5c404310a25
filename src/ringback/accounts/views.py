"""Web views for the seller's account: settings, vacations, signing in and out, passwords."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.views.decorators.http import require_http_methods, require_POST
from django_htmx.middleware import HtmxDetails

from ringback.accounts.calendar import calendar_path, qr_data_uri, webcal_url
from ringback.accounts.choices import MailboxSecurity
from ringback.accounts.forms import (
    ApiTokenForm,
    CalendarForm,
    LoginEmailForm,
    MailboxForm,
    SettingsForm,
    VacationForm,
    vacation_span,
)
from ringback.accounts.models import Account, Mailbox, Membership, Vacation
from ringback.accounts.selectors import api_tokens_list, vacation_get, vacations_list
from ringback.accounts.services import (
    account_calendar_off,
    account_calendar_on,
    account_calendar_reset,
    account_update,
    api_token_create,
    api_token_revoke,
    login_email_set,
    mailbox_off,
    mailbox_set,
    vacation_add,
    vacation_remove,
)
from ringback.accounts.submissions import submitted_once
from ringback.accounts.web import account_view
from ringback.core import clock
from ringback.core.errors import NotFound, RingbackError
from ringback.core.scheduling import zone
from ringback.interface.forms import add_service_error
from ringback.interface.htmx import wants_fragment


class HtmxHttpRequest(HttpRequest):
    """A request that went through django-htmx's middleware."""

    htmx: HtmxDetails


STALE_SETTINGS = (
    "Your settings were changed somewhere else (another tab or device) after you opened this page, "
    "so nothing was saved. Here they are now: make your change again."
)
VACATION_GONE = "That vacation is not in your list any more (already removed?). Nothing was changed."


def _settings_url(anchor: str = "") -> str:
    return reverse("settings") + (f"#{anchor}" if anchor else "")


def _vacations_context(account: Account, vacations: list[Vacation]) -> dict[str, Any]:
    today = clock.now().astimezone(zone(account.time_zone)).date()
    rows = [
        {
            "vacation": v,
            "span": vacation_span(v),
            "days": (v.last_day - v.first_day).days + 1,
            "state": "now"
            if v.first_day <= today <= v.last_day
            else "ahead"
            if v.first_day > today
            else "past",
        }
        for v in vacations
    ]
    return {
        "vacation_rows": [row for row in rows if row["state"] != "past"],
        "past_vacation_rows": [row for row in rows if row["state"] == "past"],
        "today": today,
    }


def _calendar_context(request: HttpRequest, account: Account) -> dict[str, Any]:
    """The Calendar card: the feed's URL (as this request reached the server), its webcal://
    twin and that one's QR code; nothing while the feed is off."""
    if not account.calendar_token:
        return {"calendar": None}
    url = request.build_absolute_uri(calendar_path(account.calendar_token))
    webcal = webcal_url(url)
    # The QR code holds the webcal:// twin: an iPhone's camera then offers to subscribe.
    return {
        "calendar": {
            "url": url,
            "webcal": webcal,
            "qr": qr_data_uri(webcal),
            "https": url.startswith("https://"),
        }
    }


#: The session key under which a token just made waits to be shown, once.
NEW_API_TOKEN = "accounts.new_api_token"


def _new_api_token(request: HttpRequest, account: Account) -> dict[str, Any] | None:
    """The token made just before (its name and the token itself), taken out of the session: a
    GET shows it once, and a reload no more. Other requests leave it waiting (their answers may
    be kept, by :func:`submitted_once`)."""
    if request.method != "GET":
        return None
    made = request.session.pop(NEW_API_TOKEN, None)
    if not isinstance(made, dict) or made.get("account") != account.pk:
        return None
    return {"name": str(made.get("name", "")), "token": str(made.get("token", ""))}


def _page(
    request: HttpRequest,
    account: Account,
    *,
    form: SettingsForm | None = None,
    vacation_form: VacationForm | None = None,
    email_form: LoginEmailForm | None = None,
    mailbox_form: MailboxForm | None = None,
    token_form: ApiTokenForm | None = None,
    vacations: list[Vacation] | None = None,
    notice: str = "",
    vacation_notice: str = "",
    status: int = 200,
) -> HttpResponse:
    vacations = vacations_list(account=account) if vacations is None else vacations
    mailbox = Mailbox.objects.filter(account=account).first()
    context = {
        "nav": "settings",
        "account": account,
        "form": form or SettingsForm(account=account),
        "vacation_form": vacation_form or VacationForm(account=account, vacations=vacations),
        "email_form": email_form
        or LoginEmailForm(user=request.user, initial={"email": getattr(request.user, "email", "")}),
        "mailbox": mailbox,
        "mailbox_form": mailbox_form or MailboxForm(initial=_mailbox_initial(mailbox)),
        "api_tokens": api_tokens_list(account=account),
        "token_form": token_form or ApiTokenForm(),
        "new_api_token": _new_api_token(request, account),
        "notice": notice,
        "vacation_notice": vacation_notice,
        **_vacations_context(account, vacations),
        **_calendar_context(request, account),
    }
    return render(request, "accounts/settings.html", context, status=status)


def _vacations_partial(
    request: HtmxHttpRequest,
    account: Account,
    *,
    form: VacationForm | None = None,
    notice: str = "",
    error: bool = False,
) -> HttpResponse:
    vacations = vacations_list(account=account)
    context = {
        "account": account,
        "vacation_form": form or VacationForm(account=account, vacations=vacations),
        "vacation_notice": notice,
        "vacation_notice_error": error,
        **_vacations_context(account, vacations),
    }
    return render(request, "accounts/partials/vacations.html", context)


@account_view
@require_http_methods(["GET", "HEAD", "POST"])
def settings_view(request: HttpRequest, *, account: Account) -> HttpResponse:
    """The seller's profile, calling hours and pace; vacations; API tokens; sign-in settings."""
    if request.method != "POST":
        return _page(request, account)
    form = SettingsForm(request.POST, account=account)
    if form.is_valid():
        if form.cleaned_data.get("loaded") and form.is_stale():
            return _page(request, account, notice=STALE_SETTINGS, status=409)
        try:
            account_update(account=account, **form.changes())
        except RingbackError as exc:
            account.refresh_from_db()
            form.add_service_error(exc)
        else:
            messages.success(request, "Settings saved.")
            return redirect(_settings_url())
    return _page(request, account, form=form)


def _mailbox_initial(mailbox: Mailbox | None) -> dict[str, Any]:
    if mailbox is None:
        return {"security": MailboxSecurity.SSL, "port": 993, "folder": "INBOX"}
    return {
        "host": mailbox.host,
        "port": mailbox.port,
        "security": mailbox.security,
        "username": mailbox.username,
        "folder": mailbox.folder,
    }


@account_view
@require_POST
def settings_mailbox_view(request: HttpRequest, *, account: Account) -> HttpResponse:
    """Set (or, with ``off``, forget) the IMAP mailbox replies are read from."""
    if request.POST.get("off"):
        mailbox_off(account=account)
        messages.success(request, "Ringback no longer reads your mailbox; its password was forgotten.")
        return redirect(_settings_url("replies"))
    form = MailboxForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            mailbox_set(
                account=account,
                host=data["host"],
                port=data["port"],
                security=data["security"],
                username=data["username"],
                password=data["password"] or None,
                folder=data["folder"] or "INBOX",
            )
        except RingbackError as exc:
            add_service_error(form, exc)
        else:
            messages.success(
                request, "Mailbox saved. Ringback reads it every two minutes; check it now to be sure."
            )
            return redirect(_settings_url("replies"))
    return _page(request, account, mailbox_form=form, status=400)


@account_view
@require_POST
def settings_email_view(request: HttpRequest, *, account: Account) -> HttpResponse:
    """Change the email address password-reset links go to."""
    form = LoginEmailForm(request.POST, user=request.user)
    if form.is_valid():
        try:
            login_email_set(user=request.user, email=form.cleaned_data["email"])  # type: ignore[arg-type]
        except RingbackError as exc:
            form.add_error("email", exc.message)
        else:
            email = getattr(request.user, "email", "")
            messages.success(
                request,
                f"Password-reset links will go to {email}." if email else "Password-reset email removed.",
            )
            return redirect(_settings_url("sign-in"))
    return _page(request, account, email_form=form)


@account_view
@require_POST
@submitted_once
def vacation_add_view(request: HtmxHttpRequest, *, account: Account) -> HttpResponse:
    """Add days away; the steps due inside them move to after them."""
    vacations = vacations_list(account=account)
    form = VacationForm(request.POST, account=account, vacations=vacations)
    if form.is_valid():
        first, last = form.cleaned_data["first_day"], form.cleaned_data["last_day"]
        try:
            added = vacation_add(account=account, first_day=first, last_day=last)
        except RingbackError as exc:
            form.add_error(None, exc.message[:1].upper() + exc.message[1:] + ".")
        else:
            notice = _moved_notice(added.vacation, added.moved)
            if wants_fragment(request):
                return _vacations_partial(request, account, notice=notice)
            messages.success(request, notice)
            return redirect(_settings_url("vacations"))
    if wants_fragment(request):
        return _vacations_partial(request, account, form=form)
    return _page(request, account, vacation_form=form, vacations=vacations)


@account_view
@require_POST
def vacation_remove_view(request: HtmxHttpRequest, pk: int, *, account: Account) -> HttpResponse:
    """Forget a vacation (steps it moved stay where they are)."""
    try:
        vacation = vacation_get(account=account, pk=pk)
    except NotFound:
        if wants_fragment(request):
            return _vacations_partial(request, account, notice=VACATION_GONE, error=True)
        return _page(request, account, vacation_notice=VACATION_GONE, status=404)
    span = vacation_span(vacation)
    vacation_remove(account=account, vacation=vacation)
    notice = f"Vacation {span} removed. Steps it moved stay where they are; you can move them on Today."
    if wants_fragment(request):
        return _vacations_partial(request, account, notice=notice)
    messages.success(request, notice)
    return redirect(_settings_url("vacations"))


#: What each button of the Calendar card did, as the page then says it.
CALENDAR_DONE = {
    "on": "Your calendar feed is on: subscribe to the URL below in your calendar app.",
    "new": (
        "New secret URL made: the old one stopped working. "
        "Subscribe your calendars to the new one (and remove the old subscription)."
    ),
    "off": "Your calendar feed is off: its URL stopped working.",
}


@account_view
@require_POST
@submitted_once
def settings_calendar_view(request: HttpRequest, *, account: Account) -> HttpResponse:
    """Turn the calendar feed on, give it a new secret URL (the old one stops at once), or off."""
    form = CalendarForm(request.POST)
    if not form.is_valid():
        notice = "That calendar button is not one Ringback knows: nothing was changed."
        return _page(request, account, notice=notice, status=400)
    action = form.cleaned_data["action"]
    if action == "on":
        account_calendar_on(account=account)
    elif action == "new":
        account_calendar_reset(account=account)
    else:
        account_calendar_off(account=account)
    messages.success(request, CALENDAR_DONE[action])
    return redirect(_settings_url("calendar"))


@account_view
@require_POST
@submitted_once
def settings_token_create_view(request: HttpRequest, *, account: Account) -> HttpResponse:
    """Make a personal access token of the REST API; the next page shows it, once."""
    form = ApiTokenForm(request.POST)
    if form.is_valid():
        try:
            token, raw = api_token_create(
                account=account,
                user=request.user,  # type: ignore[arg-type]
                name=form.cleaned_data["name"],
                scope=form.cleaned_data["scope"],
            )
        except RingbackError as exc:
            add_service_error(form, exc)
        else:
            # The session, not a flash message: a message would be kept with a double tap's answer.
            request.session[NEW_API_TOKEN] = {"account": account.pk, "name": token.name, "token": raw}
            messages.success(request, f"API token {token.name!r} made. Copy it now: it is shown only once.")
            return redirect(_settings_url("api-tokens"))
    return _page(request, account, token_form=form, status=400)


@account_view
@require_POST
def settings_token_revoke_view(request: HttpRequest, pk: int, *, account: Account) -> HttpResponse:
    """Revoke an API token: from now on it lets nothing in (another account's token: 404)."""
    token = api_token_revoke(account=account, token_id=pk)
    messages.success(request, f"API token {token.name!r} ({token.shown}) revoked: it no longer works.")
    return redirect(_settings_url("api-tokens"))


def _moved_notice(vacation: Vacation, moved: int) -> str:
    span = vacation_span(vacation)
    if moved == 0:
        return f"Vacation {span} saved. Nothing was planned on those days."
    steps = "1 planned step" if moved == 1 else f"{moved} planned steps"
    return f"Vacation {span} saved. {steps} moved to after it."


class LoginView(auth_views.LoginView):
    """Sign in; on a fresh install, say how to create the first account."""

    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["no_account_yet"] = not Membership.objects.exists()
        return context


class LogoutView(auth_views.LogoutView):
    """Sign out by POST; a GET (an old link) shows a button to confirm."""

    http_method_names = ["get", "post", "options"]

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect("login")
        return render(request, "accounts/logout.html")


class PasswordChangeView(auth_views.PasswordChangeView):
    """Change the password (the current one first); the session stays signed in."""

    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("settings")

    def form_valid(self, form: Form) -> HttpResponse:
        response = super().form_valid(form)  # type: ignore[arg-type]
        messages.success(self.request, "Your password was changed.")
        return response

    def get_form(self, form_class: Any = None) -> Any:
        form = super().get_form(form_class)
        form.fields["old_password"].label = "Current password"
        form.fields["new_password2"].label = "New password, again"
        form.fields["new_password2"].help_text = ""
        return form

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "nav": "settings"}


def _reset_hours() -> int:
    """How long a password-reset link works, in hours."""

    return max(1, round(settings.PASSWORD_RESET_TIMEOUT / 3600))


class PasswordResetView(auth_views.PasswordResetView):
    """Ask for a link to set a new password, by email."""

    template_name = "accounts/password_reset.html"
    email_template_name = "accounts/email/password_reset.txt"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    success_url = reverse_lazy("password_reset_done")

    def form_valid(self, form: Form) -> HttpResponse:
        self.extra_email_context = {"hours": _reset_hours()}
        return super().form_valid(form)  # type: ignore[arg-type]


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:

        console = settings.EMAIL_BACKEND.endswith("console.EmailBackend")
        return {**super().get_context_data(**kwargs), "mail_in_console": console, "hours": _reset_hours()}


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("password_reset_complete")

    def get_form(self, form_class: Any = None) -> Any:
        form = super().get_form(form_class)
        form.fields["new_password2"].label = "New password, again"
        form.fields["new_password2"].help_text = ""
        return form

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "hours": _reset_hours()}


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"
