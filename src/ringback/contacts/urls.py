from django.urls import path, re_path

from ringback.contacts import views
from ringback.contacts.uploads import TOKEN_PATTERN

urlpatterns = [
    path("", views.contact_list_view, name="list"),
    path("add/", views.contact_add_view, name="add"),
    path("bulk/", views.contact_bulk_view, name="bulk"),
    re_path(r"^export\.(?P<extension>csv|vcf)$", views.contacts_export_view, name="export"),
    path("import/", views.contacts_import_view, name="import"),
    re_path(
        rf"^import/(?P<token>{TOKEN_PATTERN})/$", views.contacts_import_confirm_view, name="import_confirm"
    ),
    re_path(
        rf"^import/(?P<token>{TOKEN_PATTERN})/preview/$",
        views.contacts_import_preview_view,
        name="import_preview",
    ),
    re_path(
        rf"^import/(?P<token>{TOKEN_PATTERN})/cancel/$",
        views.contacts_import_cancel_view,
        name="import_cancel",
    ),
    path("imports/", views.import_reports_view, name="imports"),
    path("imports/<int:pk>/", views.import_report_view, name="import_report"),
    path("<int:pk>/", views.contact_detail_view, name="detail"),
    path("<int:pk>/edit/", views.contact_edit_view, name="edit"),
    path("<int:pk>/timeline/", views.contact_timeline_view, name="timeline"),
    path("<int:pk>/note/", views.contact_note_view, name="note"),
    path("<int:pk>/promises/", views.promise_add_view, name="promise_add"),
    path("<int:pk>/promises/<int:promise_pk>/kept/", views.promise_keep_view, name="promise_keep"),
    path("<int:pk>/enroll/", views.enroll_view, name="enroll"),
    path("<int:pk>/enroll/preview/", views.enroll_preview_view, name="enroll_preview"),
    path("<int:pk>/appointment/", views.appointment_view, name="appointment"),
    path("<int:pk>/appointment/preview/", views.appointment_preview_view, name="appointment_preview"),
    path("<int:pk>/do-not-contact/", views.do_not_contact_view, name="do_not_contact"),
]
