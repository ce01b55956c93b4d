"""A fault-injecting HTTP/1.1 proxy on 127.0.0.1, placed between the client and a sandbox.

Design: the proxy frames HTTP itself (no guessing at ``HTTP/1.`` in a byte stream): it reads a whole
request (head, then ``Content-Length`` bytes), sends it upstream on a fresh connection, reads the
whole answer (the sandbox always sends ``Content-Length``) and gives it to the client through the
next :class:`Fault` of its schedule. So each *request* takes one fault, on keep-alive connections
too, and a fault may cut anywhere, headers included; an upstream reset reaches the client as a reset.
The asyncio loop runs in a daemon thread; :meth:`FaultProxy.stop` aborts every connection, cancels
every handler and joins the thread. Every wait is bounded.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import dataclasses
import random
import re
import socket
import struct
import threading
import urllib.parse
from collections.abc import Iterable

__all__ = ["KINDS", "Fault", "FaultProxy"]

#: Every kind of fault, in the order the tally prints them.
KINDS = ("pass", "delay", "drip", "cut", "hold", "short", "garbage", "html", "empty", "status")

#: Bounds on every wait (seconds) and on the requests one connection may carry.
IDLE_SECONDS = 60.0
UPSTREAM_SECONDS = 30.0
HOLD_SECONDS = 60.0
MAX_REQUESTS = 100_000

HTML_PAGE = b"<!DOCTYPE html><html><head><title>Sign in</title></head><body>Accept the terms</body></html>"
_LENGTH = re.compile(rb"\r\ncontent-length:[ \t]*(\d+)[ \t]*(?=\r\n)", re.IGNORECASE)
_CHUNKED = re.compile(rb"\r\ntransfer-encoding:[^\r]*chunked", re.IGNORECASE)
#: What a connection that went away, or sent what this proxy does not frame, raises.
_DROPPED = (OSError, EOFError, ValueError, asyncio.TimeoutError, asyncio.LimitOverrunError)


@dataclasses.dataclass(frozen=True)
class Fault:
    """What the proxy does to one answer (``kind`` is one of :data:`KINDS`).

    ``pass``: unchanged. ``delay``: after ``seconds``. ``drip``: in ``count`` pieces ``seconds`` apart.
    ``cut``: the first ``fraction`` of the answer's bytes (head included), then close. ``hold``: the
    head and the first ``fraction`` of the body, then silence until the client gives up. ``short``:
    the body cut to its first ``fraction``, ``Content-Length`` rewritten (well framed; keep-alive).
    ``garbage``: ``count`` seeded random bytes, then close. ``html``: ``200 OK`` with an HTML page;
    ``empty``: ``200 OK``, no body (both keep-alive). ``status``: ``status_line`` with ``body``
    (``None``: the real body), then close.
    """

    kind: str = "pass"
    fraction: float = 0.0
    seconds: float = 0.0
    count: int = 1
    status_line: bytes = b"HTTP/1.1 200 OK"
    body: bytes | None = None


class FaultProxy:
    """A proxy in front of ``upstream`` (``http://127.0.0.1:PORT``): one fault per request, then "pass"."""

    def __init__(self, upstream: str, host: str = "127.0.0.1", port: int = 0) -> None:
        split = urllib.parse.urlsplit(upstream)
        self.upstream = (split.hostname or "127.0.0.1", split.port or 80)
        self.host, self.port = host, port
        self.applied: collections.Counter[str] = collections.Counter()  # faults used, by kind
        self._schedule: collections.deque[Fault] = collections.deque()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._failure: BaseException | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stopping: asyncio.Event | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._writers: set[asyncio.StreamWriter] = set()

    @property
    def url(self) -> str:
        """Base URL, e.g. ``http://127.0.0.1:41234``."""
        return f"http://{self.host}:{self.port}"

    def schedule(self, faults: Iterable[Fault]) -> None:
        """Replace the schedule: the next requests take these faults in order."""
        with self._lock:
            self._schedule = collections.deque(faults)

    def _next_fault(self) -> Fault:
        with self._lock:
            fault = self._schedule.popleft() if self._schedule else Fault()
            self.applied[fault.kind] += 1
            return fault

    def start(self) -> FaultProxy:
        """Serve in a daemon thread with its own event loop; return once the port is bound."""
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="fault-proxy", daemon=True)
            self._thread.start()
            if not self._ready.wait(10) or self._failure is not None:
                raise RuntimeError(f"the fault proxy did not start: {self._failure!r}")
        return self

    def stop(self) -> None:
        """Close the listening socket and every connection, end the thread (waits at most ~5 s)."""
        if self._thread is not None and self._loop is not None and self._stopping is not None:
            with contextlib.suppress(RuntimeError):  # the loop has already ended
                self._loop.call_soon_threadsafe(self._stopping.set)
            self._thread.join(5)
        self._thread = None

    def __enter__(self) -> FaultProxy:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def _run(self) -> None:
        try:
            asyncio.run(self._main())
        except BaseException as exc:  # reported by start()
            self._failure = exc
            self._ready.set()

    async def _main(self) -> None:
        self._loop, self._stopping = asyncio.get_running_loop(), asyncio.Event()
        server = await asyncio.start_server(self._serve, self.host, self.port)
        self.port = server.sockets[0].getsockname()[1]
        self._ready.set()
        try:
            await self._stopping.wait()
        finally:
            server.close()
            for writer in list(self._writers):
                _reset(writer)
            tasks = list(self._tasks)
            for task in tasks:
                task.cancel()
            if tasks:
                await asyncio.wait(tasks, timeout=2)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        self._writers.add(writer)
        try:
            for _ in range(MAX_REQUESTS):
                request = await asyncio.wait_for(_read_message(reader), IDLE_SECONDS)
                if request is None:
                    return
                fault = self._next_fault()
                answer = await self._exchange(request[0] + request[1])
                if answer is None:
                    _reset(writer)
                    return
                if not await _answer(reader, writer, fault, *answer):
                    return
        except _DROPPED:
            pass  # the client went away, or sent what this proxy does not frame: drop it
        except asyncio.CancelledError:
            pass  # stop(): end quietly (asyncio logs a handler task that ends cancelled)
        finally:
            self._tasks.discard(task)
            self._writers.discard(writer)
            writer.close()

    async def _exchange(self, request: bytes) -> tuple[bytes, bytes] | None:
        """Send one request upstream on a fresh connection; its answer, or None when it failed."""
        up_writer = None
        try:
            connecting = asyncio.open_connection(*self.upstream)
            up_reader, up_writer = await asyncio.wait_for(connecting, UPSTREAM_SECONDS)
            up_writer.write(request)
            await up_writer.drain()
            return await asyncio.wait_for(_read_message(up_reader), UPSTREAM_SECONDS)
        except _DROPPED:
            return None
        finally:
            if up_writer is not None:
                up_writer.close()


async def _read_message(reader: asyncio.StreamReader) -> tuple[bytes, bytes] | None:
    """One HTTP message framed by Content-Length: (head with its blank line, body); None at EOF."""
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except asyncio.IncompleteReadError:
        return None
    if _CHUNKED.search(head):
        raise ValueError("chunked bodies are not framed by this proxy")
    match = _LENGTH.search(head)
    return head, await reader.readexactly(int(match.group(1)) if match else 0)


async def _answer(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, fault: Fault, head: bytes, body: bytes
) -> bool:
    """Write the answer through ``fault``; True when the connection may carry another request."""
    whole, kind = head + body, fault.kind
    if kind == "delay":
        await asyncio.sleep(fault.seconds)
    if kind in ("pass", "delay"):
        writer.write(whole)
    elif kind == "drip":
        cuts = random.Random(fault.count).sample(range(1, len(whole)), min(fault.count, len(whole)) - 1)
        points = sorted(cuts)
        for start, stop in zip([0, *points], [*points, len(whole)], strict=True):
            writer.write(whole[start:stop])
            await writer.drain()
            await asyncio.sleep(fault.seconds)
    elif kind == "cut":
        writer.write(whole[: int(fault.fraction * len(whole))])
    elif kind == "hold":
        writer.write(head + body[: int(fault.fraction * len(body))])
        await writer.drain()
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(reader.read(), HOLD_SECONDS)  # until the client closes
    elif kind == "short":
        part = body[: int(fault.fraction * len(body))]
        writer.write(_LENGTH.sub(b"\r\nContent-Length: %d" % len(part), head, count=1) + part)
    elif kind == "garbage":
        writer.write(random.Random(fault.count).randbytes(fault.count))
    elif kind in ("html", "empty"):
        page, kind_of = (HTML_PAGE, b"text/html") if kind == "html" else (b"", b"application/json")
        writer.write(_response(b"HTTP/1.1 200 OK", kind_of, page, keep_alive=True))
    else:  # status
        page = body if fault.body is None else fault.body
        writer.write(_response(fault.status_line, b"application/json", page, keep_alive=False))
    await writer.drain()
    return kind in ("pass", "delay", "drip", "short", "html", "empty")


def _response(status_line: bytes, content_type: bytes, body: bytes, *, keep_alive: bool) -> bytes:
    head = b"%s\r\nContent-Type: %s\r\nContent-Length: %d\r\nConnection: %s\r\n\r\n"
    return head % (status_line, content_type, len(body), b"keep-alive" if keep_alive else b"close") + body


def _reset(writer: asyncio.StreamWriter) -> None:
    """Abort a connection with a TCP RST, as the sandbox's ``resets`` fault does."""
    sock = writer.get_extra_info("socket")
    with contextlib.suppress(OSError, AttributeError):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()
