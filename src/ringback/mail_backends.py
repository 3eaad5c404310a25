"""Mail backends of Ringback (``RINGBACK_EMAIL_BACKEND``)."""

from __future__ import annotations

import os
from typing import Any

from django.conf import settings
from django.core.mail.backends import filebased

from ringback.datafiles import DIR_MODE, FILE_MODE


class PrivateFileEmailBackend(filebased.EmailBackend):
    """Django's file backend, but only the owner can read the files: they hold live reset links.

    The folder is created 0700 when it is missing and each message file is created 0600, whatever
    the umask.
    """

    def __init__(self, fail_silently: bool = False, file_path: str | None = None, **kwargs: Any) -> None:
        folder = file_path or getattr(settings, "EMAIL_FILE_PATH", None)
        if folder:
            os.makedirs(os.path.abspath(folder), mode=DIR_MODE, exist_ok=True)
        super().__init__(fail_silently=fail_silently, file_path=file_path, **kwargs)

    def open(self) -> bool:
        if self.stream is None:
            fd = os.open(self._get_filename(), os.O_WRONLY | os.O_CREAT | os.O_APPEND, FILE_MODE)
            self.stream = os.fdopen(fd, "ab")
            return True
        return False
