from django.db import models


class Direction(models.TextChoices):
    OUT = "out", "Outbound"
    IN = "in", "Inbound"


class Channel(models.TextChoices):
    CALL = "call", "Call"
    MAIL = "mail", "Mail"
    EMAIL = "email", "Email"
    SMS = "sms", "Text message"
    TASK = "task", "Task"
    NOTE = "note", "Note"


class Outcome(models.TextChoices):
    CONNECTED = "connected", "Connected"
    VOICEMAIL = "voicemail", "Voicemail left"
    NO_ANSWER = "no-answer", "No answer"
    BUSY = "busy", "Busy"
    WRONG_NUMBER = "wrong-number", "Wrong number"
    NOT_INTERESTED = "not-interested", "Not interested"
    CALLBACK = "callback", "They called or wrote back"
    APPOINTMENT = "appointment", "Appointment booked"
    DO_NOT_CONTACT = "do-not-contact", "Do not contact"
    MAILED = "mailed", "Note mailed"
    EMAILED = "emailed", "Email sent"
    TEXTED = "texted", "Text sent"
    DONE = "done", "Done"
    NOTE = "note", "Note"


class AppointmentStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    DONE = "done", "Done"
    CANCELLED = "cancelled", "Cancelled"
