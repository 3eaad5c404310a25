"""Web views for activities: the Today page and the Appointments page."""

from ringback.activities.views.appointments import (
    appointment_cancel_view,
    appointment_move_view,
    appointments,
)
from ringback.activities.views.calendar import calendar_feed
from ringback.activities.views.outbox import outbox_decide, outbox_page, today_email_send
from ringback.activities.views.today import (
    today,
    today_birthday_greeted,
    today_connected,
    today_log,
    today_note,
    today_replan,
    today_time_hint,
    today_undo,
)
from ringback.activities.views.unsubscribe import unsubscribe

__all__ = [
    "appointment_cancel_view",
    "appointment_move_view",
    "appointments",
    "calendar_feed",
    "outbox_decide",
    "outbox_page",
    "today",
    "today_birthday_greeted",
    "today_connected",
    "today_email_send",
    "today_log",
    "today_note",
    "today_replan",
    "today_time_hint",
    "today_undo",
    "unsubscribe",
]
