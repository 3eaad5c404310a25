"""One scheduled appointment per contact and start time.

Before the constraint, a double submit could book the same call twice. The earliest booking of
each such group is kept (with the notes of the others that differ from its own); the others are
marked cancelled, so nothing is deleted and the constraint can be added.
"""

from django.db import migrations, models
from django.db.models import Count


def cancel_duplicate_bookings(apps, schema_editor):
    Appointment = apps.get_model("activities", "Appointment")
    groups = (
        Appointment.objects.filter(status="scheduled")
        .values("contact_id", "starts_at")
        .annotate(count=Count("id"))
        .filter(count__gt=1)
    )
    for group in groups.iterator():
        kept, *doubles = Appointment.objects.filter(
            status="scheduled", contact_id=group["contact_id"], starts_at=group["starts_at"]
        ).order_by("created_at", "id")
        notes = [kept.note] if kept.note else []
        for double in doubles:
            if double.note and double.note not in notes:
                notes.append(double.note)
        Appointment.objects.filter(pk__in=[d.pk for d in doubles]).update(status="cancelled")
        if "\n".join(notes) != kept.note:
            Appointment.objects.filter(pk=kept.pk).update(note="\n".join(notes))


class Migration(migrations.Migration):
    dependencies = [
        ("activities", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(cancel_duplicate_bookings, migrations.RunPython.noop, elidable=True),
        migrations.AddConstraint(
            model_name="appointment",
            constraint=models.UniqueConstraint(
                condition=models.Q(("status", "scheduled")),
                fields=("contact", "starts_at"),
                name="appointment_once_per_contact_time",
            ),
        ),
    ]
