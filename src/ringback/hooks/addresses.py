"""Where a webhook may be sent, and sending there (no server-side request forgery).

A webhook URL is http or https, names a host, carries no user name or password, and every
address its host resolves to is on the internet: not loopback, private, link-local, multicast,
reserved, unspecified or shared (nor an IPv4-mapped IPv6 form of one), unless the server's
``WEBHOOKS_ALLOW_PRIVATE`` setting is on (``RINGBACK_WEBHOOKS_ALLOW_PRIVATE=1``: a receiver on
the seller's own machine or network). :func:`target_check` decides, when a URL is registered and
again before each attempt; :func:`target_post` then connects to an address that was checked, so
a name that resolves to another address a moment later (DNS rebinding) is never followed, while
the Host header and the TLS certificate check still use the name. Redirects are not followed,
each network operation times out after :data:`TIMEOUT` seconds, and at most
:data:`RESPONSE_MAX` bytes of the answer are read.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings

from ringback.core.errors import WebhookRefused

#: The longest URL accepted (the model's column).
URL_MAX = 2000
#: Seconds each connect, send and read may take.
TIMEOUT = 10.0
#: The most of an answer that is read.
RESPONSE_MAX = 64 * 1024
DEFAULT_PORTS = {"http": 80, "https": 443}

IP = ipaddress.IPv4Address | ipaddress.IPv6Address


@dataclass(frozen=True, slots=True)
class Target:
    """A checked URL: its parts and the addresses its host resolved to, each allowed."""

    scheme: str
    host: str
    port: int
    #: The path and query sent in the request line ("/" at least).
    path: str
    addresses: tuple[str, ...]


def private_allowed() -> bool:
    """Whether the server allows webhooks to private, loopback and link-local addresses."""
    return bool(getattr(settings, "WEBHOOKS_ALLOW_PRIVATE", False))


def address_refusal(ip: IP) -> str | None:
    """What kind of address ``ip`` is when it may not be called ("loopback", "private"...), or
    None for an address on the internet."""
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        inner = address_refusal(ip.ipv4_mapped)
        return f"IPv4-mapped {inner}" if inner else None
    checks = (
        (ip.is_unspecified, "unspecified"),
        (ip.is_loopback, "loopback"),
        (ip.is_link_local, "link-local"),
        (ip.is_multicast, "multicast"),
        (ip.is_private, "private"),
        (ip.is_reserved, "reserved"),
        (not ip.is_global, "non-public"),
    )
    return next((kind for failed, kind in checks if failed), None)


def _refused(message: str) -> WebhookRefused:
    return WebhookRefused(message, field="url")


def _parts(url: str) -> tuple[str, str, int, str]:
    """The scheme, host, port and path of ``url``, or :class:`WebhookRefused`."""
    if not url:
        raise _refused("a webhook needs a URL")
    if len(url) > URL_MAX:
        raise _refused(f"a webhook URL has at most {URL_MAX} characters")
    if any(not "!" <= c <= "~" for c in url):
        raise _refused(
            "a webhook URL is written without spaces and with ASCII characters only "
            "(an international domain as punycode, other characters %-escaped)"
        )
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise _refused("this is not a URL Ringback can read (check the host and the port)") from None
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS:
        raise _refused("a webhook URL starts with https:// (or http://)")
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        raise _refused("a webhook URL may not carry a user name or password: use the signature instead")
    host = parts.hostname or ""
    if not host:
        raise _refused("a webhook URL needs a host name, as in https://example.com/hooks")
    if port == 0:
        raise _refused("a webhook URL's port is between 1 and 65535")
    path = parts.path or "/"
    if parts.query:
        path += f"?{parts.query}"
    return scheme, host, port or DEFAULT_PORTS[scheme], path


def _resolve(host: str, port: int) -> list[str]:
    """The addresses ``host`` resolves to, or :class:`WebhookRefused` when it resolves to none."""
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError, ValueError):
        raise _refused(f"the host {host} could not be found") from None
    addresses = list(dict.fromkeys(str(info[4][0]) for info in found))
    if not addresses:
        raise _refused(f"the host {host} could not be found")
    return addresses


def target_check(url: str) -> Target:
    """Check ``url`` as a webhook's (see the module's docstring) and resolve its host; the target
    to connect to. Raises :class:`WebhookRefused` (field ``url``), and nothing else, for any
    string that is not one Ringback may call."""
    scheme, host, port, path = _parts(url)
    addresses = _resolve(host, port)
    if not private_allowed():
        for address in addresses:
            try:
                kind = address_refusal(ipaddress.ip_address(address.split("%", 1)[0]))
            except ValueError:
                kind = "unreadable"
            if kind:
                where = f"{address} is" if host == address else f"{host} resolves to {address},"
                raise _refused(
                    f"webhooks may not call private, loopback or link-local addresses: {where} "
                    f"{'an' if kind[0] in 'aeiouIU' else 'a'} {kind} address"
                )
    return Target(scheme=scheme, host=host, port=port, path=path, addresses=tuple(addresses))


# --- sending -----------------------------------------------------------------------------------


def _connect(addresses: tuple[str, ...], port: int, timeout: float | None) -> socket.socket:
    """A connection to the first of ``addresses`` that answers."""
    error: OSError = OSError("no address to connect to")
    for address in addresses:
        try:
            return socket.create_connection((address, port), timeout=timeout)
        except OSError as exc:
            error = exc
    raise error


class PinnedHTTPConnection(http.client.HTTPConnection):
    """An HTTP connection to checked addresses: the name is only the Host header."""

    def __init__(self, host: str, port: int, *, addresses: tuple[str, ...], timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self.addresses = addresses

    def connect(self) -> None:
        self.sock = _connect(self.addresses, self.port, self.timeout)


class PinnedHTTPSConnection(http.client.HTTPSConnection):
    """An HTTPS connection to checked addresses; the TLS handshake (SNI, the certificate's
    name) uses the host name, verified against the system's certificate authorities."""

    def __init__(
        self, host: str, port: int, *, addresses: tuple[str, ...], timeout: float, tls: ssl.SSLContext
    ) -> None:
        super().__init__(host, port, timeout=timeout, context=tls)
        self.addresses = addresses
        self.tls = tls

    def connect(self) -> None:
        sock = _connect(self.addresses, self.port, self.timeout)
        try:
            self.sock = self.tls.wrap_socket(sock, server_hostname=self.host)
        except BaseException:
            sock.close()
            raise


@dataclass(frozen=True, slots=True)
class Answer:
    """What a receiver answered: its status code and the start of its body."""

    status: int
    body: bytes


def target_post(target: Target, *, body: bytes, headers: dict[str, str], timeout: float = TIMEOUT) -> Answer:
    """POST ``body`` to a checked target, connecting only to its checked addresses; no redirect
    is followed (a 3xx is an answer like any other). Raises ``OSError`` (a connection refused,
    a time-out, a TLS failure) or ``http.client.HTTPException`` (an answer that is not HTTP)."""
    connection: http.client.HTTPConnection
    if target.scheme == "https":
        connection = PinnedHTTPSConnection(
            target.host,
            target.port,
            addresses=target.addresses,
            timeout=timeout,
            tls=ssl.create_default_context(),
        )
    else:
        connection = PinnedHTTPConnection(
            target.host, target.port, addresses=target.addresses, timeout=timeout
        )
    try:
        connection.request("POST", target.path, body=body, headers=headers)
        response = connection.getresponse()
        return Answer(status=response.status, body=response.read(RESPONSE_MAX))
    finally:
        connection.close()
