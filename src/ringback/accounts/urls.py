from django.urls import path

from ringback.accounts import views

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("settings/", views.settings_view, name="settings"),
    path("settings/email/", views.settings_email_view, name="settings_email"),
    path("settings/mailbox/", views.settings_mailbox_view, name="settings_mailbox"),
    path("settings/calendar/", views.settings_calendar_view, name="settings_calendar"),
    path("settings/tokens/", views.settings_token_create_view, name="settings_token_create"),
    path(
        "settings/tokens/<int:pk>/revoke/",
        views.settings_token_revoke_view,
        name="settings_token_revoke",
    ),
    path("settings/vacations/", views.vacation_add_view, name="settings_vacation_add"),
    path(
        "settings/vacations/<int:pk>/remove/",
        views.vacation_remove_view,
        name="settings_vacation_remove",
    ),
    path("password/change/", views.PasswordChangeView.as_view(), name="password_change"),
    path("password/reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path("password/reset/sent/", views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "password/reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("password/reset/done/", views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
]
