from django.db import models


class WebhookEvent(models.TextChoices):
    """What a webhook is told about (its ``Ringback-Event`` header and the body's ``event``)."""

    CALLBACK_LOGGED = "callback.logged", "A callback was logged (they called, texted or wrote back)"
    REPLY_RECEIVED = "reply.received", "A reply arrived in your mailbox"
    APPOINTMENT_BOOKED = "appointment.booked", "An appointment was booked"
    APPOINTMENT_MOVED = "appointment.moved", "An appointment was moved to another time"
    APPOINTMENT_CANCELLED = "appointment.cancelled", "An appointment was cancelled"
    ENROLLMENT_ENDED = "enrollment.ended", "A contact's playbook ended"
    #: A test delivery sent on demand ("Send a test"); no webhook subscribes to it.
    PING = "ping", "Test delivery"


#: The events a webhook may subscribe to, in the order forms and help list them.
SUBSCRIBABLE: tuple[WebhookEvent, ...] = tuple(e for e in WebhookEvent if e is not WebhookEvent.PING)


class DeliveryStatus(models.TextChoices):
    """Where one delivery is: waiting for its first attempt, received (a 2xx answer), failed
    and to be tried again at ``next_attempt_at``, or given up after its last attempt."""

    PENDING = "pending", "Waiting"
    DELIVERED = "delivered", "Delivered"
    FAILED = "failed", "Failed, will retry"
    GAVE_UP = "gave-up", "Gave up"


#: The statuses of a delivery that is still to be sent.
TO_SEND: tuple[str, ...] = (DeliveryStatus.PENDING.value, DeliveryStatus.FAILED.value)
