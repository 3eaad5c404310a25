from django.urls import path

from ringback.playbooks import views

urlpatterns = [
    path("", views.playbook_list_view, name="list"),
    path("<str:name>/", views.playbook_detail, name="detail"),
    path("<str:name>/edit/", views.playbook_edit, name="edit"),
    path("<str:name>/check/", views.playbook_check_view, name="check"),
    path("<str:name>/duplicate/", views.playbook_duplicate_view, name="duplicate"),
    path("<str:name>/preview/", views.playbook_preview_view, name="preview"),
    path("<str:name>/preview/contacts/", views.playbook_preview_contacts, name="preview_contacts"),
]
