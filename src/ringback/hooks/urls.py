from django.urls import path

from ringback.hooks import views

urlpatterns = [
    path("", views.webhooks_view, name="list"),
    path("<int:pk>/remove/", views.webhook_remove_view, name="remove"),
    path("<int:pk>/rotate/", views.webhook_rotate_view, name="rotate"),
    path("<int:pk>/ping/", views.webhook_ping_view, name="ping"),
    path("<int:pk>/active/", views.webhook_active_view, name="active"),
    path("<int:pk>/deliveries/", views.webhook_deliveries_view, name="deliveries"),
]
