from django.urls import path

from ringback.inbox import views

urlpatterns = [
    path("settings/mailbox/check/", views.mailbox_check, name="mailbox_check"),
]
