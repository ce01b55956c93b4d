"""The sandbox: a real HTTP server on 127.0.0.1 that answers like Zoom's API and OAuth endpoints."""

from __future__ import annotations

import dataclasses
import datetime as dt
import http.server
import json
import logging
import socket
import struct
import threading
import time
import urllib.parse
from typing import Any

from zoom_pandas.sandbox.api import ZoomApi
from zoom_pandas.sandbox.data import SandboxData
from zoom_pandas.sandbox.faults import Faults, TokenBucket
from zoom_pandas.sandbox.oauth import (
    DEFAULT_SCOPES,
    SandboxCredentials,
    SandboxError,
    SandboxOAuth,
    zoom_error,
)

__all__ = ["Sandbox", "SandboxCredentials"]

logger = logging.getLogger("zoom_pandas.sandbox")


@dataclasses.dataclass
class RequestRecord:
    """One request the sandbox answered (for tests that count requests)."""

    method: str
    path: str
    query: dict[str, list[str]]
    status: int  # 0 until answered, and for resets


class Sandbox(ZoomApi):
    """A local Zoom emulator over real HTTP, started in a background thread.

    Parameters
    ----------
    seed : int
        Seed of the synthetic account's data.
    host : str
        Loopback address to bind.
    port : int
        0 picks a free port.
    latency : float
        Seconds added before every answer (simulates the network and Zoom's servers).
    rate_limit : float, optional
        Requests per second accepted on ``/v2`` before answering 429 (token bucket).
    page_token_ttl : float
        Seconds a ``next_page_token`` stays valid (Zoom: 15 minutes).
    scopes : str
        Scopes granted to every token (drop the report scopes to test a missing scope).
    today : datetime.date, optional
        Anchor day of the synthetic meetings.

    Examples
    --------
    >>> with Sandbox() as sandbox:                                   # doctest: +SKIP
    ...     df = zoom_pandas.read_participants(SandboxData.TEAM_SYNC, client=sandbox.client())
    """

    def __init__(
        self,
        *,
        seed: int = 0,
        host: str = "127.0.0.1",
        port: int = 0,
        latency: float = 0.0,
        rate_limit: float | None = None,
        page_token_ttl: float = 900.0,
        scopes: str = DEFAULT_SCOPES,
        today: dt.date | None = None,
        credentials: SandboxCredentials | None = None,
    ) -> None:
        self.data = SandboxData(seed, today)
        self.credentials = credentials or SandboxCredentials()
        self.latency = latency
        self.rate_limiter = TokenBucket(rate_limit) if rate_limit else None
        self.page_token_ttl = page_token_ttl
        self.oauth = SandboxOAuth(self.credentials, scopes, lambda: self.url)
        self.faults: dict[str, Faults] = {}
        self.requests: list[RequestRecord] = []
        self._cursors = {}
        self._lock = threading.Lock()
        self._server = _Server((host, port), _Handler)
        self._server.sandbox = self
        self._thread: threading.Thread | None = None

    # -- lifecycle -------------------------------------------------------------------------------

    @property
    def url(self) -> str:
        """Base URL, e.g. ``http://127.0.0.1:41234``."""
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def api_url(self) -> str:
        """REST base URL (``ZOOM_API_URL``)."""
        return f"{self.url}/v2"

    @property
    def oauth_url(self) -> str:
        """OAuth base URL (``ZOOM_OAUTH_URL``)."""
        return f"{self.url}/oauth"

    def start(self) -> Sandbox:
        """Serve in a daemon thread; return self."""
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._server.serve_forever, name="zoom-sandbox", daemon=True
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket."""
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join(10)
            self._thread = None
        self._server.server_close()

    def __enter__(self) -> Sandbox:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"Sandbox(url={self.url!r}, seed={self.data.seed})"

    # -- what clients and tests use -------------------------------------------------------------

    def env(self) -> dict[str, str]:
        """The ``ZOOM_*`` variables that point a client at this sandbox."""
        return {
            "ZOOM_ACCOUNT_ID": self.credentials.account_id,
            "ZOOM_CLIENT_ID": self.credentials.client_id,
            "ZOOM_CLIENT_SECRET": self.credentials.client_secret,
            "ZOOM_API_URL": self.api_url,
            "ZOOM_OAUTH_URL": self.oauth_url,
        }

    def client(self, **kwargs: Any) -> Any:
        """A :class:`~zoom_pandas.ZoomClient` signed in to this sandbox with Server-to-Server OAuth."""
        from zoom_pandas.client import ZoomClient

        settings: dict[str, Any] = {
            "account_id": self.credentials.account_id,
            "client_id": self.credentials.client_id,
            "client_secret": self.credentials.client_secret,
            "api_url": self.api_url,
            "oauth_url": self.oauth_url,
        }
        settings.update(kwargs)
        return ZoomClient(**settings)

    def inject(self, meeting: int | str | None = None, **faults: Any) -> Faults:
        """Switch faults on for one meeting (id or instance UUID) or, with ``None``, for every request.

        Parameters
        ----------
        meeting : int or str, optional
            The meeting number (all its instances) or one instance UUID.
        **faults
            Fields of :class:`Faults`.

        Returns
        -------
        Faults
            The live fault switches (counters go down as faults fire).
        """
        key = "*" if meeting is None else str(meeting)
        with self._lock:
            self.faults[key] = Faults(**faults)
            return self.faults[key]

    def clear_faults(self) -> None:
        """Switch every fault off."""
        with self._lock:
            self.faults.clear()

    def count(self, path_part: str = "", method: str | None = None) -> int:
        """How many requests so far had ``path_part`` in their (raw) path."""
        with self._lock:
            return sum(
                1 for r in self.requests if path_part in r.path and (method is None or r.method == method)
            )

    def revoke_tokens(self) -> None:
        """Invalidate every access token, as Zoom does when an app is deactivated or rotated."""
        self.oauth.revoke_tokens()


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    sandbox: Sandbox


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out at once, as from a real server
    server: _Server
    server_version = "ZoomSandbox/1"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        logger.debug("%s " + format, self.address_string(), *args)

    # One entry point per verb; both route through _respond.
    def do_GET(self) -> None:
        self._respond("GET")

    def do_POST(self) -> None:
        self._respond("POST")

    def _respond(self, method: str) -> None:
        sandbox = self.server.sandbox
        split = urllib.parse.urlsplit(self.path)
        query = {k: v[-1] for k, v in urllib.parse.parse_qs(split.query, keep_blank_values=True).items()}
        record = RequestRecord(method, split.path, urllib.parse.parse_qs(split.query), 0)
        with sandbox._lock:
            sandbox.requests.append(record)  # on arrival, so stalled requests count at once
        try:
            if sandbox.latency:
                time.sleep(sandbox.latency)
            status, body, headers = self._route(method, split.path, query)
        except SandboxError as exc:
            status, body, headers = exc.status, exc.body, exc.headers
        except _Reset:
            self._reset()
            return
        record.status = status
        try:
            self._send(status, body, headers)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True  # the client gave up waiting (a stall fault)

    def _route(self, method: str, path: str, query: dict[str, str]) -> tuple[int, Any, dict[str, str]]:
        sandbox = self.server.sandbox
        if method == "POST" and path == "/oauth/token":
            length = int(self.headers.get("Content-Length") or 0)
            form = {k: v[-1] for k, v in urllib.parse.parse_qs(self.rfile.read(length).decode()).items()}
            form.update({k: v for k, v in query.items() if k not in form})
            return 200, sandbox.oauth.token_endpoint(form, self.headers.get("Authorization", "")), {}
        if method == "GET" and path == "/oauth/authorize":
            return 302, "", {"Location": sandbox.oauth.authorize(query)}
        segments = path.split("/")[1:]
        if method != "GET" or segments[:1] != ["v2"] or "" in segments[1:]:
            raise zoom_error(404, 404, "The requested resource was not found.")
        instance = None
        if segments[1:3] == ["report", "meetings"] and len(segments) > 3:
            try:
                instance = sandbox._instance(segments[3])
            except (SandboxError, IndexError):
                instance = None
        self._apply_faults(sandbox._faults_for(instance))
        if sandbox.rate_limiter is not None and not sandbox.rate_limiter.allow():
            raise zoom_error(
                429,
                429,
                "You have reached the maximum per-second rate limit for this API. Try again later.",
                **{"X-RateLimit-Category": "Heavy", "X-RateLimit-Type": "QPS"},
            )
        scope = sandbox.oauth.check_token(self.headers.get("Authorization", ""))
        return 200, sandbox._api(segments[1:], query, scope), {}

    def _apply_faults(self, faults: list[Faults]) -> None:
        for fault in faults:
            if fault.latency:
                time.sleep(fault.latency)
            if fault.take("resets"):
                raise _Reset
            if fault.take("stalls"):
                time.sleep(fault.stall_seconds)
            if fault.take("server_errors"):
                raise zoom_error(503, 503, "Service temporarily unavailable.")
            if fault.take("html_errors"):
                raise SandboxError(
                    403,
                    "<html><head><title>403 Forbidden</title></head><body>Request blocked</body></html>",
                    {"Content-Type": "text/html"},
                )
            if fault.daily_limited:
                tomorrow = dt.datetime.now(dt.timezone.utc).date() + dt.timedelta(days=1)
                raise zoom_error(
                    429,
                    429,
                    "You have reached the maximum daily rate limit for this API. Refer to the "
                    "response header for details on when you can make another request.",
                    **{
                        "X-RateLimit-Category": "Heavy",
                        "X-RateLimit-Type": "Daily-limit",
                        "X-RateLimit-Limit": "30000",
                        "X-RateLimit-Remaining": "0",
                        "Retry-After": f"{tomorrow.isoformat()}T00:00:00Z",
                    },
                )
            if fault.take("qps_limited"):
                headers = {"X-RateLimit-Category": "Heavy", "X-RateLimit-Type": "QPS"}
                if fault.retry_after is not None:
                    headers["Retry-After"] = fault.retry_after
                raise zoom_error(
                    429,
                    429,
                    "You have reached the maximum per-second rate limit for this API. Try again later.",
                    **headers,
                )
            if fault.take("invalid_tokens"):
                raise zoom_error(401, 124, "Invalid access token.")

    def _send(self, status: int, body: Any, headers: dict[str, str]) -> None:
        if isinstance(body, (dict, list)):
            payload = json.dumps(body, separators=(",", ":")).encode()
            content_type = "application/json;charset=UTF-8"
        elif isinstance(body, bytes):
            payload, content_type = body, "application/json;charset=UTF-8"
        else:
            payload = str(body).encode()
            content_type = headers.pop("Content-Type", "text/plain")
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(payload)

    def _reset(self) -> None:
        """Drop the connection with a TCP RST and no answer."""
        self.close_connection = True
        try:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
        except OSError:
            pass


class _Reset(Exception):
    """Internal: answer this request by resetting the connection."""
