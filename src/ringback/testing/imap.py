"""A real IMAP server on loopback for the tests: Debian's Dovecot, started in a private folder.

Any user name logs in with :data:`PASSWORD` and gets a mailbox of its own (Maildir), so each test
uses a fresh user; :meth:`ImapServer.deliver` puts a message in a user's INBOX with APPEND, as a
mail server delivering it would.
"""

from __future__ import annotations

import imaplib
import os
import pwd
import shutil
import signal
import subprocess
import time
from pathlib import Path

from ringback.testing.smtp import free_port

DOVECOT = Path(os.environ.get("RINGBACK_DOVECOT", "/usr/sbin/dovecot"))
PASSWORD = "imap-test-password"


def _user(name: str, fallback: str) -> str:
    try:
        pwd.getpwnam(name)
        return name
    except KeyError:
        return fallback


class ImapServer:
    """Dovecot on 127.0.0.1 on a free port, with its configuration, state and mail in ``root``."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    def _config(self) -> Path:
        root = self.root
        for folder in ("run", "state", "mail", "home"):
            (root / folder).mkdir(parents=True, exist_ok=True)
        me = pwd.getpwuid(os.getuid()).pw_name
        if os.geteuid() == 0:
            # Dovecot refuses to run mail processes as root: the mail belongs to nobody.
            nobody = pwd.getpwnam("nobody")
            uid, gid = nobody.pw_uid, nobody.pw_gid
            for name in ("mail", "home"):
                shutil.chown(root / name, uid, gid)
            # nobody must pass through the test's folders to reach its mail (test data only).
            for parent in (root, *root.parents):
                if parent == Path("/") or os.stat(parent).st_mode & 0o001:
                    break
                os.chmod(parent, os.stat(parent).st_mode | 0o711)
            login_user, internal_user = _user("dovenull", "nobody"), _user("dovecot", "nobody")
        else:
            uid, gid = os.getuid(), os.getgid()
            login_user = internal_user = me
        config = root / "dovecot.conf"
        config.write_text(
            f"""
protocols = imap
listen = 127.0.0.1
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_login_user = {login_user}
default_internal_user = {internal_user}
first_valid_uid = 1
mail_location = maildir:{root}/mail/%u
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {self.port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
passdb {{
  driver = static
  args = password={PASSWORD}
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={root}/home/%u
}}
""",
            encoding="utf-8",
        )
        return config

    def start(self) -> ImapServer:
        self.process = subprocess.Popen(
            [str(DOVECOT), "-F", "-c", str(self._config())], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                error = self.process.stderr.read().decode(errors="replace") if self.process.stderr else ""
                raise RuntimeError(f"dovecot stopped at once: {error}{self.log()}")
            try:
                client = imaplib.IMAP4("127.0.0.1", self.port, timeout=2)
                client.logout()
                return self
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"dovecot did not answer on port {self.port}: {self.log()}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()

    def log(self) -> str:
        path = self.root / "dovecot.log"
        return path.read_text(errors="replace")[-2000:] if path.exists() else ""

    def deliver(self, user: str, raw: bytes | str, folder: str = "INBOX") -> int:
        """Put ``raw`` in ``user``'s ``folder``, as a new unread message; its UID."""
        data = raw.encode() if isinstance(raw, str) else raw
        data = data.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
        client = imaplib.IMAP4("127.0.0.1", self.port, timeout=30)
        try:
            client.login(user, PASSWORD)
            if folder != "INBOX":
                client.create(folder)
            typ, answer = client.append(folder, None, None, data)
            assert typ == "OK", answer
            found = [int(t) for t in answer[0].decode().strip("[]").replace("]", " ").split() if t.isdigit()]
            return found[-1] if found else 0
        finally:
            client.logout()

    def flags(self, user: str, folder: str = "INBOX") -> list[str]:
        """The flags of each message of ``user``'s ``folder`` (to see nothing was marked read)."""
        client = imaplib.IMAP4("127.0.0.1", self.port, timeout=30)
        try:
            client.login(user, PASSWORD)
            client.select(folder, readonly=True)
            _typ, data = client.fetch("1:*", "(FLAGS)")
            return [item.decode() for item in data if isinstance(item, bytes)]
        finally:
            client.logout()

    def count(self, user: str, folder: str = "INBOX") -> int:
        client = imaplib.IMAP4("127.0.0.1", self.port, timeout=30)
        try:
            client.login(user, PASSWORD)
            _typ, data = client.select(folder, readonly=True)
            return int(data[0] or 0)
        finally:
            client.logout()
