from django.urls import path

from ringback.activities import views

urlpatterns = [
    path("", views.today, name="today"),
    path("today/replan/", views.today_replan, name="today_replan"),
    path("today/birthdays/greeted/", views.today_birthday_greeted, name="today_birthday_greeted"),
    path("today/<int:contact_id>/log/", views.today_log, name="today_log"),
    path("today/<int:contact_id>/connected/", views.today_connected, name="today_connected"),
    path("today/<int:contact_id>/note/", views.today_note, name="today_note"),
    path("today/<int:contact_id>/time/", views.today_time_hint, name="today_time_hint"),
    path("today/<int:contact_id>/undo/", views.today_undo, name="today_undo"),
    path("appointments/", views.appointments, name="appointments"),
    path("appointments/<int:pk>/cancel/", views.appointment_cancel_view, name="appointment_cancel"),
    path("appointments/<int:pk>/move/", views.appointment_move_view, name="appointment_move"),
    path("calendar/<slug:token>.ics", views.calendar_feed, name="calendar_feed"),
    path("u/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("today/<int:contact_id>/send/", views.today_email_send, name="today_email_send"),
    path("outbox/", views.outbox_page, name="outbox"),
    path("outbox/<int:pk>/decide/", views.outbox_decide, name="outbox_decide"),
]
