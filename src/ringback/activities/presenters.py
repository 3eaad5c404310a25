"""How agenda items and touches look on the command line and in JSON."""

from __future__ import annotations

from typing import Any

from ringback.console.base import iso_utc
from ringback.core.agenda import AgendaItem


def agenda_item_json(item: AgendaItem) -> dict[str, Any]:
    """An agenda item as the ``agenda --json`` contract describes it."""
    local = item.local_window()
    return {
        "kind": item.kind.value,
        "contact_id": item.contact_id,
        "contact_name": item.contact_name,
        "due": iso_utc(item.due),
        "window": {"start": local[0].isoformat(), "end": local[1].isoformat(), "zone": item.zone}
        if local
        else None,
        "playbook": item.playbook,
        "step": item.step,
        "attempt": item.attempt,
        "phone": item.phone,
        "reason": item.reason,
        "script": item.script,
        "template": item.template,
        "overdue": item.overdue,
        "new": item.new,
        "enrollment_id": item.enrollment_id,
        "appointment_id": item.appointment_id,
    }


def window_text(item: AgendaItem) -> str:
    """``Tue 24 Nov 17:00–21:00 EST`` in the contact's local time."""
    local = item.local_window()
    if local is None:
        return ""
    start, end = local
    if start.date() == end.date() or end.hour == 0:
        return f"{start:%a %d %b %H:%M}–{end:%H:%M} {start:%Z}"
    return f"{start:%a %d %b %H:%M} – {end:%a %d %b %H:%M} {start:%Z}"
