from django.urls import path

from ringback.playbooks import views

urlpatterns = [path("", views.playbook_list_view, name="list")]
