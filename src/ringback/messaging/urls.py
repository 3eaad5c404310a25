from django.urls import path

from ringback.messaging import views

urlpatterns = [
    path("", views.library_view, name="library"),
    path("new/", views.message_new_view, name="new"),
    path("preview/", views.message_preview_view, name="preview"),
    path("offers/new/", views.offer_new_view, name="offer_new"),
    path("offers/<str:name>/", views.offer_edit_view, name="offer_edit"),
    path("<str:name>/", views.message_edit_view, name="edit"),
]
