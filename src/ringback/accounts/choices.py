from django.db import models


class Role(models.TextChoices):
    OWNER = "owner", "Owner"
    MEMBER = "member", "Member"


class MailboxSecurity(models.TextChoices):
    """How Ringback talks to the seller's IMAP server."""

    SSL = "ssl", "SSL/TLS (port 993)"
    STARTTLS = "starttls", "STARTTLS (port 143)"
    NONE = "none", "None (only on this machine or a trusted network)"


class TokenScope(models.TextChoices):
    """What a personal access token of the REST API may do."""

    READ = "read", "Read only"
    READ_WRITE = "read-write", "Read and write"
