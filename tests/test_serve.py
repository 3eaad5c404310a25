"""`ringback serve` runs a real WSGI server: sign in and see today's agenda over HTTP."""

from __future__ import annotations

import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

BIN = Path(sys.executable).parent / "ringback"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]  # (host, port): typeshed has it as Any
        return port


def _run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN), *args], env=env, capture_output=True, text=True, timeout=120, check=False
    )


@pytest.fixture
def server(tmp_path):
    env = {**os.environ, "RINGBACK_DATA_DIR": str(tmp_path), "RINGBACK_NOW": "2026-11-23T09:00:00-05:00"}
    env.pop("RINGBACK_DATABASE_URL", None)
    csv = tmp_path / "people.csv"
    csv.write_text("name,phone,tags\nMary <b>Smith</b>,212-555-0123,new\n", encoding="utf-8")
    assert _run(env, "import", str(csv)).returncode == 0
    assert _run(env, "enroll", "call-mail-call", "--tag", "new").returncode == 0
    code = (
        "from django.contrib.auth import get_user_model as g;"
        "u=g().objects.get();u.set_password('a-long-password');u.save()"
    )
    assert _run(env, "shell", "--no-imports", "-c", code).returncode == 0
    username = _run(
        env,
        "shell",
        "--no-imports",
        "-c",
        "from django.contrib.auth import get_user_model as g;print(g().objects.get().username)",
    ).stdout.strip()
    port = _free_port()
    proc = subprocess.Popen(
        [str(BIN), "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"{base}/login/", timeout=2)
            break
        except OSError:
            time.sleep(0.2)
    else:
        proc.kill()
        pytest.fail("the server did not start: " + (proc.stdout.read() if proc.stdout else ""))
    yield base, username
    proc.terminate()
    proc.wait(timeout=10)


def test_sign_in_and_see_todays_agenda(server):
    base, username = server
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    first = opener.open(f"{base}/")
    assert first.url.startswith(f"{base}/login/")
    page = first.read().decode()
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert found is not None
    token = found.group(1)
    form = urllib.parse.urlencode(
        {"username": username, "password": "a-long-password", "csrfmiddlewaretoken": token, "next": "/"}
    ).encode()
    today = opener.open(
        urllib.request.Request(f"{base}/login/", data=form, headers={"Referer": f"{base}/login/"})
    )
    body = today.read().decode()
    assert today.url == f"{base}/"
    assert "Mary &lt;b&gt;Smith&lt;/b&gt;" in body and "<b>Smith</b>" not in body
    assert 'href="tel:+12125550123"' in body
    assert "First call (Call-Mail-Call)" in body


def test_post_without_csrf_token_is_refused(server):
    base, _ = server
    form = urllib.parse.urlencode({"username": "x", "password": "y"}).encode()
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(urllib.request.Request(f"{base}/login/", data=form))
    assert refused.value.code == 403
