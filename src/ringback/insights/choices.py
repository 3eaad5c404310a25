from django.db import models


class Dimension(models.TextChoices):
    """What a pre-counted row is counted by. The first group counts messages (touches that left
    words) and the responses credited to them; ``reach`` and ``reach-attempt`` count calls and
    the ones that connected; the rest count responses, enrollments or people."""

    MESSAGE = "message", "Message"
    VERSION = "version", "Message version"
    VARIANT = "variant", "A/B variant"
    STEP = "step", "Step"
    CHANNEL = "channel", "Channel"
    PLAYBOOK = "playbook", "Playbook"
    PART = "part", "Part of day"
    WEEKDAY = "weekday", "Weekday"
    ATTEMPT = "attempt", "Attempt"
    REACH = "reach", "Calls by weekday and part of day"
    REACH_ATTEMPT = "reach-attempt", "Calls by attempt"
    REACHED_AT = "reached-at", "Attempts it took"
    DELAY = "delay", "Time to respond"
    CREDIT = "credit", "Responses credited"
    FUNNEL = "funnel", "Funnel"


#: The ``playbook`` of the rows that count every playbook together ("" is no playbook at all).
ALL_PLAYBOOKS = "*"

#: Rows whose ``responses`` may still grow until the attribution window of their day closes.
WINDOWED = frozenset(
    {
        Dimension.MESSAGE,
        Dimension.VERSION,
        Dimension.VARIANT,
        Dimension.STEP,
        Dimension.CHANNEL,
        Dimension.PLAYBOOK,
        Dimension.PART,
        Dimension.WEEKDAY,
        Dimension.ATTEMPT,
    }
)


class CreditMatch(models.TextChoices):
    NUMBER = "number", "The message left on the number they called from"
    LAST = "last", "The last message left"
    NONE = "none", "No message in the window before it"
