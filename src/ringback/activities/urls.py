from django.urls import path

from ringback.activities import views

urlpatterns = [
    path("", views.today, name="today"),
    path("appointments/", views.appointments, name="appointments"),
]
