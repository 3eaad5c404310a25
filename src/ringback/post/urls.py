"""The Print page's addresses (namespace ``post``)."""

from django.urls import path

from ringback.post import views

urlpatterns = [
    path("", views.print_page, name="print"),
    path("cards.pdf", views.print_cards_pdf, name="cards_pdf"),
    path("labels.pdf", views.print_labels_pdf, name="labels_pdf"),
    path("settings/", views.print_settings, name="settings"),
    path("mark-mailed/", views.print_mark, name="mark"),
]
