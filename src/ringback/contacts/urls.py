from django.urls import path

from ringback.contacts import views

urlpatterns = [path("", views.contact_list_view, name="list")]
