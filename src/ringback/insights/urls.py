from django.urls import path

from ringback.insights import views

urlpatterns = [
    path("", views.insights_page, name="page"),
    path("insights.csv", views.insights_csv, name="csv"),
    path("refresh/", views.insights_refresh_now, name="refresh"),
    path("simulate/", views.insights_simulate, name="simulate"),
]
