"""Web views for activities: the Today page and the Appointments page."""

from ringback.activities.views.appointments import appointments
from ringback.activities.views.today import (
    today,
    today_connected,
    today_log,
    today_note,
    today_replan,
    today_time_hint,
    today_undo,
)

__all__ = [
    "appointments",
    "today",
    "today_connected",
    "today_log",
    "today_note",
    "today_replan",
    "today_time_hint",
    "today_undo",
]
