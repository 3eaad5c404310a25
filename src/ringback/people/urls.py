"""The Contacts tab's addresses (namespace ``contacts``)."""

from django.urls import path, re_path

from ringback.contacts.uploads import TOKEN_PATTERN
from ringback.people.views import cards, editing, importing, listing, person

urlpatterns = [
    path("", listing.contact_list_view, name="list"),
    path("add/", editing.contact_add_view, name="add"),
    path("bulk/", listing.contact_bulk_view, name="bulk"),
    re_path(r"^export\.(?P<extension>csv|vcf)$", listing.contacts_export_view, name="export"),
    path("import/", importing.contacts_import_view, name="import"),
    re_path(
        rf"^import/(?P<token>{TOKEN_PATTERN})/$",
        importing.contacts_import_confirm_view,
        name="import_confirm",
    ),
    re_path(
        rf"^import/(?P<token>{TOKEN_PATTERN})/preview/$",
        importing.contacts_import_preview_view,
        name="import_preview",
    ),
    re_path(
        rf"^import/(?P<token>{TOKEN_PATTERN})/cancel/$",
        importing.contacts_import_cancel_view,
        name="import_cancel",
    ),
    path("imports/", importing.import_reports_view, name="imports"),
    path("imports/running/<int:pk>/", importing.contacts_import_job_view, name="import_job"),
    path("imports/<int:pk>/", importing.import_report_view, name="import_report"),
    path("<int:pk>/", person.contact_detail_view, name="detail"),
    path("<int:pk>/edit/", editing.contact_edit_view, name="edit"),
    path("<int:pk>/timeline/", person.contact_timeline_view, name="timeline"),
    path("<int:pk>/note/", cards.contact_note_view, name="note"),
    path("<int:pk>/log/", cards.contact_log_view, name="log"),
    path("<int:pk>/promises/", cards.promise_add_view, name="promise_add"),
    path("<int:pk>/promises/<int:promise_pk>/kept/", cards.promise_keep_view, name="promise_keep"),
    path("<int:pk>/enroll/", cards.enroll_view, name="enroll"),
    path("<int:pk>/enroll/preview/", cards.enroll_preview_view, name="enroll_preview"),
    path("<int:pk>/appointment/", cards.appointment_view, name="appointment"),
    path("<int:pk>/appointment/preview/", cards.appointment_preview_view, name="appointment_preview"),
    path("<int:pk>/do-not-contact/", cards.do_not_contact_view, name="do_not_contact"),
    path("<int:pk>/texts/consent/", cards.text_consent_view, name="text_consent"),
    path("<int:pk>/texts/stop/", cards.texts_stop_view, name="texts_stop"),
]
