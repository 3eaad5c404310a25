"""Reading and preparing a contact file in a second process while the first one saves rows.

Importing a big file has two costly halves: reading and preparing the rows (parsing the file,
normalising numbers) and saving them (matching saved contacts, the database's own work). With
``worker=True`` the first half runs in a second process that sends prepared batches through a
pipe, so on a machine with two cores both halves run at once. The pipe holds a batch or two:
memory stays flat whatever the file size. Without a worker the same batches are made in-process.

The worker ignores Ctrl-C: the importing process decides what an interruption means (it rolls
back) and stops the worker. If the importing process dies, the worker's next send fails and it
ends too.
"""

from __future__ import annotations

import contextlib
import fcntl
import signal
import sys
import threading
import traceback
from collections.abc import Iterator, Mapping
from multiprocessing import get_context
from multiprocessing.connection import Connection
from pathlib import Path
from types import TracebackType
from typing import Any

from ringback.core.errors import ImportFailed
from ringback.core.interchange.incoming import IncomingBatch, Seller, incoming_batches
from ringback.core.interchange.records import FileFormat

__all__ = ["ReadAhead"]


class ReadAhead:
    """The prepared rows of a contact file, in batches, read in a worker process or in this one.

    A context manager; iterate it once. ``format`` is the file's format (it may wait for the
    worker to open the file). Problems with the file raise
    :class:`~ringback.core.errors.ImportFailed` from ``format`` or while iterating, as reading
    in-process would.
    """

    def __init__(
        self,
        path: Path,
        *,
        seller: Seller,
        file_format: FileFormat | None = None,
        mapping: Mapping[str, str] | None = None,
        label: str | None = None,
        worker: bool = False,
    ) -> None:
        self._format: FileFormat | None = None
        self._batches: Iterator[IncomingBatch] | None = None
        self._receive: Connection | None = None
        self._process: Any = None
        if not worker:
            self._format, self._batches = incoming_batches(
                path, seller=seller, file_format=file_format, mapping=mapping, label=label
            )
            return
        context = get_context("fork") if _can_fork() else get_context("spawn")
        self._receive, send = context.Pipe(duplex=False)
        _widen(send)
        self._process = context.Process(
            target=_feed,
            args=(self._receive, send, path, seller, file_format, dict(mapping) if mapping else None, label),
            name="ringback-import-reader",
            daemon=True,
        )
        self._process.start()
        send.close()  # the worker holds the only sending end: its end is our EOF

    @property
    def format(self) -> FileFormat:
        if self._format is None:
            kind, payload = self._next()
            if kind != "format":
                raise RuntimeError(f"the import reader sent {kind!r} before the file's format")
            self._format = payload
        return self._format

    def __iter__(self) -> Iterator[IncomingBatch]:
        if self._batches is not None:
            yield from self._batches
            return
        self.format  # noqa: B018 — the format comes first
        while True:
            kind, payload = self._next()
            if kind == "end":
                return
            yield payload

    def _next(self) -> tuple[str, Any]:
        assert self._receive is not None
        try:
            kind, payload = self._receive.recv()
        except EOFError:
            code = self._process.exitcode if self._process is not None else None
            raise RuntimeError(f"the import reader process stopped unexpectedly (exit code {code})") from None
        if kind == "error":
            raise payload
        if kind == "crash":
            raise RuntimeError(f"the import reader process failed:\n{payload}")
        return kind, payload

    def close(self) -> None:
        """Stop reading: close the file, or stop the worker (closing twice is fine)."""
        if self._batches is not None:
            close = getattr(self._batches, "close", None)
            if close is not None:
                close()
        if self._receive is not None:
            self._receive.close()
            self._receive = None
        if self._process is not None:
            self._process.join(timeout=5)
            if self._process.is_alive():
                self._process.kill()
                self._process.join()
            self._process.close()
            self._process = None

    def __enter__(self) -> ReadAhead:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is not None and self._process is not None:
            self._process.kill()  # interrupted or failed: nothing more is wanted from it
        self.close()


def _widen(pipe: Connection) -> None:
    """Let the pipe hold a few batches (64 KB, Linux's default, is a third of one), so the worker
    keeps preparing while the importer is busy with a slow step. Best effort: Linux only."""
    if sys.platform == "linux":
        with contextlib.suppress(OSError):
            fcntl.fcntl(pipe.fileno(), fcntl.F_SETPIPE_SZ, 1 << 20)


def _can_fork() -> bool:
    """Whether to fork the worker (it starts at once) rather than spawn it (a fresh interpreter:
    half a second of imports): on Linux, with no other thread whose locks the child would copy."""
    return sys.platform == "linux" and threading.active_count() == 1


def _feed(
    receive: Connection,
    send: Connection,
    path: Path,
    seller: Seller,
    file_format: FileFormat | None,
    mapping: dict[str, str] | None,
    label: str | None,
) -> None:
    """The worker: read and prepare the file, sending ("format", …), ("batch", …)…, ("end", None)
    or, when the file is wrong, ("error", ImportFailed)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # The importer's end, inherited: closed, so that if the importer dies the pipe breaks and a
    # send fails instead of waiting for ever.
    receive.close()
    try:
        try:
            found, batches = incoming_batches(
                path, seller=seller, file_format=file_format, mapping=mapping, label=label
            )
            send.send(("format", found))
            for batch in batches:
                send.send(("batch", batch))
        except ImportFailed as exc:
            send.send(("error", exc))
            return
        except (BrokenPipeError, ConnectionResetError):
            return  # the importing process is gone
        except Exception:  # noqa: BLE001 — anything else is a bug, reported whole to the importer
            send.send(("crash", traceback.format_exc()))
            return
        send.send(("end", None))
    except (BrokenPipeError, ConnectionResetError):
        return
    finally:
        send.close()
