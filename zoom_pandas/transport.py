"""HTTP exchanges that end: an overall deadline per exchange, and a cap on the answer's size.

``requests`` timeouts bound each socket operation, not the exchange: a server that drips one
byte just inside the read timeout keeps one page alive for hours. :class:`DeadlineAdapter` gives
every exchange a deadline from connect to the last byte of the body. A single watchdog thread
holds the deadlines; when one passes, it shuts the exchange's socket down, the blocked read
returns, and the adapter raises :class:`ExchangeTimeout` (a ``requests.Timeout``, so callers
retry it as any timeout). It also reads the body itself, in chunks, and stops at
:data:`MAX_ANSWER_BYTES` with :class:`AnswerTooLarge`.

Limitation: through a SOCKS proxy (``requests[socks]``) exchanges are bounded by the
per-operation timeouts only; HTTP proxies, including their ``CONNECT`` exchange, are watched.
"""

from __future__ import annotations

import contextlib
import heapq
import itertools
import socket
import threading
import time
from collections.abc import Mapping
from typing import Any

import requests
import requests.adapters
import urllib3
import urllib3.connection
import urllib3.connectionpool

__all__ = [
    "MAX_ANSWER_BYTES",
    "UNRESOLVED",
    "AnswerTooLarge",
    "DeadlineAdapter",
    "ExchangeTimeout",
    "checked_timeout",
    "failure_reason",
    "mount_deadlines",
]

#: The largest answer body read (a page of 300 participants is about 150 kB).
MAX_ANSWER_BYTES = 32 * 1024 * 1024
#: Longest time to establish a connection, within the exchange's deadline.
CONNECT_SECONDS = 10.0
_CHUNK = 1 << 16


class ExchangeTimeout(requests.Timeout):
    """No complete answer (headers and body) arrived within the exchange's deadline."""


class AnswerTooLarge(requests.RequestException):
    """The answer's body was larger than :data:`MAX_ANSWER_BYTES`."""


class _Exchange:
    """One request and its answer under a deadline; the watchdog may cut its connection."""

    def __init__(self, seconds: float) -> None:
        self.deadline = time.monotonic() + seconds
        self.seconds = seconds
        self.expired = False
        self.done = False
        self._connection: urllib3.connection.HTTPConnection | None = None
        self._lock = threading.Lock()

    def watch(self, connection: urllib3.connection.HTTPConnection) -> None:
        with self._lock:
            self._connection = connection
            # A pooled connection serves one exchange at a time: the newest owner may be cut.
            connection._zoom_pandas_exchange = self  # type: ignore[attr-defined]
            if self.expired:
                self._cut()

    def expire(self) -> None:
        with self._lock:
            if self.done:
                return
            self.expired = True
            self._cut()

    def finish(self) -> None:
        with self._lock:
            self.done = True
            self._connection = None

    def _cut(self) -> None:
        if getattr(self._connection, "_zoom_pandas_exchange", None) is not self:
            return  # back in the pool, or another exchange's now
        sock = getattr(self._connection, "sock", None)
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)


class _Watchdog:
    """One daemon thread that expires exchanges whose deadline has passed."""

    def __init__(self) -> None:
        self._heap: list[tuple[float, int, _Exchange]] = []
        self._order = itertools.count()
        self._wake = threading.Condition()
        self._thread: threading.Thread | None = None

    def add(self, exchange: _Exchange) -> None:
        with self._wake:
            # Wake the thread only when this deadline comes first; otherwise its wait ends earlier
            # anyway (waking it for every request cost a thread switch per page).
            first = not self._heap or exchange.deadline < self._heap[0][0]
            heapq.heappush(self._heap, (exchange.deadline, next(self._order), exchange))
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="zoom-pandas-deadlines", daemon=True)
                self._thread.start()
            elif first:
                self._wake.notify()

    def _run(self) -> None:
        with self._wake:
            while True:
                now = time.monotonic()
                while self._heap and (self._heap[0][0] <= now or self._heap[0][2].done):
                    _, _, exchange = heapq.heappop(self._heap)
                    if not exchange.done:
                        exchange.expire()
                wait = min(self._heap[0][0] - now, threading.TIMEOUT_MAX) if self._heap else None
                self._wake.wait(wait)


_watchdog = _Watchdog()
_current = threading.local()


def _watch(connection: urllib3.connection.HTTPConnection) -> None:
    exchange: _Exchange | None = getattr(_current, "exchange", None)
    if exchange is not None:
        exchange.watch(connection)


class _Watched(urllib3.connection.HTTPConnection):
    """Puts every request on a connection (and a proxy's CONNECT) under its exchange's deadline."""

    def connect(self) -> None:
        super().connect()
        _watch(self)

    def _tunnel(self) -> None:
        _watch(self)  # a proxy's CONNECT exchange counts against the deadline too
        super()._tunnel()

    def request(self, *args: Any, **kwargs: Any) -> None:
        _watch(self)
        super().request(*args, **kwargs)


class _WatchedHTTPConnection(_Watched):
    pass


class _WatchedHTTPSConnection(_Watched, urllib3.connection.HTTPSConnection):
    pass


class _HTTPPool(urllib3.connectionpool.HTTPConnectionPool):
    ConnectionCls = _WatchedHTTPConnection


class _HTTPSPool(urllib3.connectionpool.HTTPSConnectionPool):
    ConnectionCls = _WatchedHTTPSConnection


_POOLS = {"http": _HTTPPool, "https": _HTTPSPool}


class DeadlineAdapter(requests.adapters.HTTPAdapter):
    """A transport adapter whose exchanges end by their deadline and whose answers are capped.

    The ``timeout`` of each request is its deadline in seconds, from connect to the body's last
    byte (a ``(connect, deadline)`` pair sets the connect timeout too). The body is always read
    before ``send`` returns.
    """

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = _POOLS

    def proxy_manager_for(self, *args: Any, **kwargs: Any) -> Any:
        manager = super().proxy_manager_for(*args, **kwargs)
        if type(manager) is urllib3.ProxyManager:  # SOCKS managers keep their own connections
            manager.pool_classes_by_scheme = _POOLS
        return manager

    def send(  # type: ignore[override]
        self,
        request: requests.PreparedRequest,
        stream: bool = False,
        timeout: float | tuple[float, float] | None = None,
        verify: bool | str = True,
        cert: Any = None,
        proxies: Mapping[str, str] | None = None,
    ) -> requests.Response:
        if isinstance(timeout, tuple):
            connect, seconds = float(timeout[0]), float(timeout[1])
        else:
            seconds = float(timeout) if timeout is not None else 60.0
            connect = min(CONNECT_SECONDS, seconds)
        exchange = _Exchange(seconds)
        _current.exchange = exchange
        _watchdog.add(exchange)
        try:
            response = super().send(
                request, stream=True, timeout=(connect, seconds), verify=verify, cert=cert, proxies=proxies
            )
            _read_body(response, exchange)
            return response
        except requests.RequestException as exc:
            if exchange.expired and not isinstance(exc, requests.Timeout):
                raise ExchangeTimeout(
                    f"no complete answer within {exchange.seconds:g} s", request=request
                ) from exc
            raise
        finally:
            exchange.finish()
            _current.exchange = None


def _read_body(response: requests.Response, exchange: _Exchange) -> None:
    """Read the whole body now, in chunks, up to :data:`MAX_ANSWER_BYTES`."""
    chunks: list[bytes] = []
    size = 0
    try:
        for chunk in response.iter_content(_CHUNK):
            size += len(chunk)
            if size > MAX_ANSWER_BYTES:
                raise AnswerTooLarge(
                    f"the answer is larger than {MAX_ANSWER_BYTES // (1024 * 1024)} MiB; stopped reading",
                    response=response,
                )
            chunks.append(chunk)
    except BaseException:
        response.close()
        raise
    if exchange.expired:
        response.close()
        raise ExchangeTimeout(f"no complete answer within {exchange.seconds:g} s", response=response)
    response._content = b"".join(chunks)


#: Keep-alive connections per host: enough for the widest pool of concurrent fetches (32).
POOL_SIZE = 32


def mount_deadlines(session: requests.Session) -> requests.Session:
    """Route ``session``'s http and https requests through a :class:`DeadlineAdapter`.

    Its pool keeps up to :data:`POOL_SIZE` connections per host, so threads reading many meetings
    over one client reuse their connections instead of opening and discarding them.
    """
    adapter = DeadlineAdapter(pool_maxsize=POOL_SIZE)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    return session


def checked_timeout(timeout: object) -> float | tuple[float, float]:
    """A deadline in seconds, or a (connect, deadline) pair: finite and positive."""
    parts = timeout if isinstance(timeout, tuple) else (timeout,)
    if len(parts) not in (1, 2) or not all(
        isinstance(part, (int, float)) and not isinstance(part, bool) and 0 < part < 10**6 for part in parts
    ):
        raise ValueError(f"timeout must be seconds (0 < t < 1e6) or a (connect, total) pair, got {timeout!r}")
    return timeout  # type: ignore[return-value]


#: How a host name that does not resolve is reported (and retried only once: offline, most likely).
UNRESOLVED = "the name does not resolve: offline?"


def failure_reason(exc: Exception, explained: tuple[type[Exception], ...] = ()) -> str:
    """A short name for a transport failure; exceptions in ``explained`` say more in their text.

    Never the URL (its query may carry a page token): the kind of failure only.
    """
    if isinstance(exc, (ExchangeTimeout, *explained)):
        return str(exc)
    text = repr(exc)  # urllib3's cause
    for cause, said in (("NameResolutionError", UNRESOLVED), ("refused", "connection refused")):
        if cause in text:
            return f"{type(exc).__name__}: {said}"
    return type(exc).__name__
