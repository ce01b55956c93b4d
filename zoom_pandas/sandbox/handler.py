"""The sandbox's HTTP plumbing: a threading server and the handler that applies faults and routes."""

from __future__ import annotations

import contextlib
import dataclasses
import http.server
import json
import logging
import socket
import struct
import sys
import threading
import time
import urllib.parse
from typing import TYPE_CHECKING, Any

from zoom_pandas.sandbox.faults import Faults
from zoom_pandas.sandbox.limits import QPS_MESSAGE, daily_limit_error, route_label
from zoom_pandas.sandbox.oauth import SandboxError, zoom_error

if TYPE_CHECKING:
    from zoom_pandas.sandbox.server import Sandbox

__all__ = ["RequestRecord", "SandboxHTTPServer", "SandboxHandler"]

logger = logging.getLogger("zoom_pandas.sandbox")


@dataclasses.dataclass
class RequestRecord:
    """One request the sandbox answered (for tests and benchmarks that count requests).

    Attributes
    ----------
    method, path, query : str, str, dict
        The request (raw path, query as lists of values).
    status : int
        The answer's HTTP status; 0 until answered, and for resets.
    label : str or None
        Zoom's rate-limit label of the route (``"Light"``, ``"Medium"``, ``"Heavy"``), None for
        OAuth and unknown paths.
    limit_type : str
        ``X-RateLimit-Type`` of a 429 answer (``"QPS"`` or ``"Daily-limit"``), else "".
    """

    method: str
    path: str
    query: dict[str, list[str]]
    status: int
    label: str | None = None
    limit_type: str = ""

    @property
    def throttled(self) -> bool:
        """True when the answer was a 429."""
        return self.status == 429


class SandboxHTTPServer(http.server.ThreadingHTTPServer):
    """One thread per connection; the handler reaches the sandbox through ``sandbox``."""

    daemon_threads = True
    allow_reuse_address = True
    sandbox: Sandbox

    def __init__(self, address: tuple[str, int], handler: type[SandboxHandler]) -> None:
        super().__init__(address, handler)
        self._open: set[socket.socket] = set()
        self._open_lock = threading.Lock()

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._open_lock:
            self._open.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._open_lock:
            self._open.discard(request)
        super().shutdown_request(request)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that hung up (a read cut at its size cap or deadline) is no error of the sandbox."""
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)

    def close_connections(self) -> None:
        """Close every open keep-alive connection: a stopped sandbox answers nothing any more."""
        with self._open_lock:
            connections, self._open = list(self._open), set()
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)


class _CutHeaders(Exception):
    """Close the connection halfway through the response headers."""


class SandboxHandler(http.server.BaseHTTPRequestHandler):
    """Answers one connection's requests: OAuth, then faults, token check, rate limits and the REST routes."""

    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out at once, as from a real server
    server: SandboxHTTPServer
    server_version = "ZoomSandbox/1"
    _drip_seconds = 0.0

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        logger.debug("%s " + format, self.address_string(), *args)

    # One entry point per verb; both route through _respond.
    def do_GET(self) -> None:
        self._respond("GET")

    def do_POST(self) -> None:
        self._respond("POST")

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """Errors found before routing (an unsupported method, a bad request line) in Zoom's JSON shape."""
        self.close_connection = True
        with contextlib.suppress(OSError):
            self._send(
                code, {"code": code, "message": message or self.responses.get(code, ("error",))[0]}, {}
            )

    def _respond(self, method: str) -> None:
        sandbox = self.server.sandbox
        split = urllib.parse.urlsplit(self.path)
        query = {k: v[-1] for k, v in urllib.parse.parse_qs(split.query, keep_blank_values=True).items()}
        record = RequestRecord(
            method, split.path, urllib.parse.parse_qs(split.query), 0, label=route_label(split.path)
        )
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
        except _CutHeaders:
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Type: applicat")
                self.wfile.flush()
                self.connection.shutdown(socket.SHUT_RDWR)
            return
        record.status = status
        if status == 429:
            record.limit_type = headers.get("X-RateLimit-Type", "")
        try:
            self._send(status, body, headers)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True  # the client gave up waiting (a stall fault)

    def _route(self, method: str, path: str, query: dict[str, str]) -> tuple[int, Any, dict[str, str]]:
        sandbox = self.server.sandbox
        if method == "POST" and path == "/oauth/token":
            length = int(self.headers.get("Content-Length") or 0)
            form = {k: v[-1] for k, v in urllib.parse.parse_qs(self.rfile.read(length).decode()).items()}
            if any(fault.take("token_errors") for fault in sandbox._faults_for(None)):
                raise zoom_error(503, 503, "Service temporarily unavailable.")
            form.update({k: v for k, v in query.items() if k not in form})
            return 200, sandbox.oauth.token_endpoint(form, self.headers.get("Authorization", "")), {}
        if method == "GET" and path == "/oauth/authorize":
            return 302, "", {"Location": sandbox.oauth.authorize(query)}
        segments = path.split("/")[1:]
        if method != "GET" or segments[:1] != ["v2"] or "" in segments[1:]:
            raise zoom_error(404, 404, "The requested resource was not found.")
        # Faults target a meeting or webinar, so find the instance a report request (or a page of
        # past-meeting participants) is about.
        target = None
        if len(segments) > 3 and segments[1] == "report" and segments[2] in ("meetings", "webinars"):
            target = (segments[3], segments[2] == "webinars")
        elif len(segments) == 4 and segments[1] == "past_meetings" and segments[3] == "participants":
            target = (segments[2], False)
        instance = None
        if target is not None:
            with contextlib.suppress(SandboxError):
                instance = sandbox._instance(*target)
        self._apply_faults(sandbox._faults_for(instance), route_label(path) or "Heavy")
        scope = sandbox.oauth.check_token(self.headers.get("Authorization", ""))
        sandbox.limits.check(route_label(path))  # after the token: only the account's requests count
        return 200, sandbox._api(segments[1:], query, scope), {}

    def _apply_faults(self, faults: list[Faults], label: str) -> None:
        for fault in faults:
            if fault.latency:
                time.sleep(fault.latency)
            if fault.take("resets"):
                raise _Reset
            if fault.take("cut_headers"):
                raise _CutHeaders
            if fault.take("drips"):
                self._drip_seconds = fault.drip_seconds
            body = fault.next_body()
            if body is not None:
                raise SandboxError(200, body, {})
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
                raise daily_limit_error(30000)
            if fault.take("qps_limited"):
                headers = {"X-RateLimit-Category": label, "X-RateLimit-Type": "QPS"}
                if fault.retry_after is not None:
                    headers["Retry-After"] = fault.retry_after
                raise zoom_error(429, 429, QPS_MESSAGE, **headers)
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
        drip, self._drip_seconds = self._drip_seconds, 0.0
        if drip:
            self.send_response_only(status)
        else:
            self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        for name, value in headers.items():
            self.send_header(name, value)
        if not drip:
            self.end_headers()
            self.wfile.write(payload)
            return
        # A slow-loris answer: every byte, headers included, on its own, until the client gives up.
        buffered: list[bytes] = getattr(self, "_headers_buffer", [])
        raw = b"".join(buffered) + b"\r\n" + payload
        buffered.clear()
        self.close_connection = True
        for index in range(len(raw)):
            self.wfile.write(raw[index : index + 1])
            self.wfile.flush()
            time.sleep(drip)

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
