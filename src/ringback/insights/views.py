"""The Insights page: which messages, steps and times bring responses, with honest intervals,
the advice to change a message, a CSV of every table, and a what-if simulation of a playbook."""

from __future__ import annotations

import csv
import io
from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_POST

from ringback.accounts.models import Account
from ringback.accounts.web import account_view
from ringback.core.charts import unstyled
from ringback.core.errors import RingbackError
from ringback.core.simulation.report import report_chart, report_rows
from ringback.insights.choices import Dimension
from ringback.insights.forms import FiltersForm, SimulateForm
from ringback.insights.presenters import (
    COLUMNS,
    funnel_chart,
    reach_chart,
    table_chart,
    table_rows,
    variant_chart,
)
from ringback.insights.selectors import Filters, insights_filters, insights_report
from ringback.insights.services import insights_refresh
from ringback.insights.simulating import WEB_MAX_PROSPECTS, account_simulate
from ringback.interface.forms import add_service_error
from ringback.playbooks.selectors import playbook_list


def _filters(request: HttpRequest, account: Account) -> tuple[FiltersForm, Filters | None]:
    form = FiltersForm(request.GET or None)
    if request.GET and not form.is_valid():
        return form, None
    data = form.cleaned_data if request.GET else {}
    try:
        return form, insights_filters(
            account=account,
            since=data.get("since"),
            until=data.get("until"),
            playbook=data.get("playbook") or "",
        )
    except RingbackError as exc:
        add_service_error(form, exc)
        return form, None


@require_GET
@account_view
def insights_page(request: HttpRequest, *, account: Account) -> HttpResponse:
    """Which messages, steps, channels and times bring responses, for a date range and playbook."""
    form, filters = _filters(request, account)
    context: dict[str, object] = {
        "account": account,
        "nav": "insights",
        "form": form,
        "playbooks": playbook_list(account=account).values_list("name", flat=True),
        "chosen": request.GET.get("playbook", ""),
    }
    if filters is not None:
        report = insights_report(account=account, filters=filters)
        context.update(
            report=report,
            query=request.GET.urlencode(),
            tables=[(table, table_chart(table)) for table in report.tables if table.rows],
            reach=reach_chart(report),
            funnel=funnel_chart(report) if report.funnel else None,
            variants=variant_chart(report) if report.variant_weeks else None,
        )
    return render(request, "insights/page.html", context, status=200 if filters is not None else 400)


@require_GET
@account_view
def insights_csv(request: HttpRequest, *, account: Account) -> HttpResponse:
    """Every table of the report (or the one named by ``table``) as a CSV download."""
    _form, filters = _filters(request, account)
    wanted = request.GET.get("table") or None
    if filters is None or (wanted is not None and wanted not in Dimension.values):
        return HttpResponse(
            "That table or filter is not one Ringback knows.", status=400, content_type="text/plain"
        )
    report = insights_report(account=account, filters=filters)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS)
    writer.writeheader()
    writer.writerows(table_rows(report, wanted))
    name = f"ringback-insights-{wanted or 'all'}-{filters.since:%Y%m%d}-{filters.until:%Y%m%d}.csv"
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _figure(value: object) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:,.2f}"
    return f"{value:,}" if isinstance(value, int) else str(value)


@require_GET
@account_view
def insights_simulate(request: HttpRequest, *, account: Account) -> HttpResponse:
    """What would a playbook do to my week? A simulation with the seller's own settings."""
    form = SimulateForm(request.GET if "days" in request.GET else None)
    context: dict[str, object] = {
        "account": account,
        "nav": "insights",
        "form": form,
        "playbooks": playbook_list(account=account).values_list("name", flat=True),
        "chosen": request.GET.get("playbook", ""),
    }
    status = 200
    if form.is_bound:
        if form.is_valid():
            data = form.cleaned_data
            try:
                report = account_simulate(
                    account=account,
                    playbook=data["playbook"] or "",
                    days=data["days"],
                    prospects=data["prospects"],
                    seed=data["seed"],
                    max_prospects=WEB_MAX_PROSPECTS,
                )
            except RingbackError as exc:
                add_service_error(form, exc)
                status = 400
            else:
                names = [p.name for p in report.policies]
                context.update(
                    report=report,
                    rows=[
                        (row["figure"], [_figure(row[name]) for name in names]) for row in report_rows(report)
                    ],
                    names=names,
                    chart=mark_safe(unstyled(report_chart(report))),
                )
        else:
            status = 400
    return render(request, "insights/simulate.html", context, status=status)


@require_POST
@account_view
def insights_refresh_now(request: HttpRequest, *, account: Account) -> HttpResponse:
    """Count the account's results again now, instead of waiting for the next refresh."""
    refresh = insights_refresh(account=account)
    messages.success(request, f"Counted {refresh.touches} touches and {refresh.responses} responses again.")
    filters = QueryDict(request.POST.get("query", "")).dict()
    known = {key: value for key, value in filters.items() if key in FiltersForm.base_fields}
    return redirect(f"{reverse('insights:page')}?{urlencode(known)}" if known else reverse("insights:page"))
