"""The sandbox: a real HTTP server on 127.0.0.1 that answers like Zoom's API and OAuth endpoints."""

from __future__ import annotations

import dataclasses
import datetime as dt
import http.server
import json
import logging
import math
import secrets
import socket
import struct
import threading
import time
import urllib.parse
from typing import Any

from zoom_pandas.sandbox.data import Instance, SandboxData
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

REPORT_SCOPES = ("report:read:admin", "report:read:list_meeting_participants:admin")


@dataclasses.dataclass
class RequestRecord:
    """One request the sandbox answered (for tests that count requests)."""

    method: str
    path: str
    query: dict[str, list[str]]
    status: int  # 0 until answered, and for resets


@dataclasses.dataclass
class _Cursor:
    instance: Instance | None
    offset: int
    created: float
    key: str


class Sandbox:
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
        self._cursors: dict[str, _Cursor] = {}
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

    # -- API ------------------------------------------------------------------------------------

    def _faults_for(self, instance: Instance | None) -> list[Faults]:
        keys = ["*"] + ([instance.uuid, str(instance.meeting.id)] if instance else [])
        with self._lock:
            return [self.faults[k] for k in keys if k in self.faults]

    def _api(self, segments: list[str], query: dict[str, str], scope: str) -> Any:
        if segments[:1] == ["users"] and len(segments) == 2:
            user = self.data.user(segments[1])
            if user is None:
                raise zoom_error(404, 1001, f"User does not exist: {segments[1]}.")
            return _user_body(user, self.credentials.account_id)
        if segments[:1] == ["past_meetings"] and len(segments) in (2, 3):
            if len(segments) == 3 and segments[2] == "instances":
                if not segments[1].isdigit() or int(segments[1]) not in self.data.meetings:
                    raise zoom_error(404, 3001, f"Meeting {segments[1]} not found or has expired.")
                meeting = self.data.meetings[int(segments[1])]
                return {
                    "meetings": [
                        {"uuid": i.uuid, "start_time": i.start_time.strftime("%Y-%m-%dT%H:%M:%SZ")}
                        for i in meeting.instances
                    ]
                }
            if len(segments) == 2:
                return self._instance(segments[1]).summary()
        if segments[:2] == ["report", "users"] and len(segments) == 4 and segments[3] == "meetings":
            _require_scope(scope, ("report:read:admin", "report:read:user:admin"))
            return self._meeting_reports(segments[2], query)
        if segments[:2] == ["report", "meetings"] and len(segments) == 4 and segments[3] == "participants":
            _require_scope(scope, REPORT_SCOPES)
            return self._participants(segments[2], query)
        raise zoom_error(404, 404, "The requested resource was not found.")

    def _instance(self, raw_segment: str) -> Instance:
        """Decode a path segment as Zoom does and find the instance (latest for a bare id)."""
        once = urllib.parse.unquote(raw_segment)
        if once.startswith("/") or "//" in once:
            # Zoom's front end turns a single-encoded "/" back into a path separator.
            raise zoom_error(404, 3001, f"Meeting {once} not found or has expired.")
        value = urllib.parse.unquote(once) if "%" in once else once
        instance = (
            self.data.latest_instance(int(value)) if value.isdigit() else self.data.instances.get(value)
        )
        if instance is None:
            raise zoom_error(404, 3001, f"Meeting {value} not found or has expired.")
        return instance

    def _page(
        self, rows: list[Any], query: dict[str, str], key: str, instance: Instance | None
    ) -> tuple[int, int, str]:
        """Apply page_size / next_page_token; return (start, stop, next token)."""
        try:
            page_size = int(query.get("page_size", "30"))
        except ValueError:
            raise zoom_error(400, 300, "Validation Failed.") from None
        page_size = min(max(page_size, 1), 300)
        start = 0
        token = query.get("next_page_token", "")
        if token:
            with self._lock:
                cursor = self._cursors.get(token)
            if cursor is None or cursor.key != key or time.time() - cursor.created > self.page_token_ttl:
                raise zoom_error(400, 300, "The next page token is invalid or expired.")
            start = cursor.offset
        stop = min(len(rows), start + page_size)
        next_token = ""
        if stop < len(rows):
            next_token = secrets.token_urlsafe(24)
            with self._lock:
                self._cursors[next_token] = _Cursor(instance, stop, time.time(), key)
        return start, stop, next_token

    def _participants(self, raw_segment: str, query: dict[str, str]) -> dict[str, Any] | bytes:
        instance = self._instance(raw_segment)
        faults = self._faults_for(instance)
        if query.get("next_page_token") and any(f.take("expired_page_tokens") for f in faults):
            raise zoom_error(400, 300, "The next page token is either invalid or has expired.")
        rows = instance.rows()
        start, stop, next_token = self._page(rows, query, f"participants:{instance.uuid}", instance)
        if next_token and any(f.repeat_page_token for f in faults):
            next_token = query.get("next_page_token") or next_token
        with_registrant = query.get("include_fields", "") == "registrant_id"
        extra: dict[str, Any] = {}
        for fault in faults:
            extra.update(fault.extra_fields)
        page_size = min(max(int(query.get("page_size", "30")), 1), 300)
        header = {
            "page_count": math.ceil(len(rows) / page_size) if rows else 0,
            "page_size": page_size,
            "total_records": len(rows) + sum(f.total_records_delta for f in faults),
            "next_page_token": next_token,
        }
        if extra:
            page = [
                {**{k: v for k, v in row.items() if with_registrant or k != "registrant_id"}, **extra}
                for row in rows[start:stop]
            ]
            return {**header, "participants": page}
        # Rows are serialized once per instance; a page is a join of bytes.
        head = json.dumps(header, separators=(",", ":")).encode()[:-1]
        return head + b',"participants":[' + b",".join(instance.row_json(with_registrant)[start:stop]) + b"]}"

    def _meeting_reports(self, user_id: str, query: dict[str, str]) -> dict[str, Any]:
        user = self.data.user(user_id)
        if user is None:
            raise zoom_error(404, 1001, f"User {user_id} not exist or not belong to this account.")
        try:
            first = dt.date.fromisoformat(query["from"])
            last = dt.date.fromisoformat(query["to"])
        except (KeyError, ValueError):
            raise zoom_error(400, 300, "Validation Failed: from and to (yyyy-mm-dd) are required.") from None
        today = dt.datetime.now(dt.timezone.utc).date()
        if last < first:
            raise zoom_error(400, 300, "Validation Failed: 'to' is before 'from'.")
        if (last - first).days > 31:
            raise zoom_error(400, 300, "The date range for the report is limited to a month.")
        if first < today - dt.timedelta(days=183):
            raise zoom_error(400, 300, "The month must fall within the past six months.")
        held = sorted(
            (
                i
                for m in self.data.meetings.values()
                if m.host == user
                for i in m.instances
                if first <= i.start_time.date() <= last and i.people >= 2
            ),
            key=lambda i: i.start_time,
        )
        key = f"meetings:{user.id}:{first}:{last}"
        start, stop, next_token = self._page(held, query, key, None)
        page_size = min(max(int(query.get("page_size", "30")), 1), 300)
        return {
            "from": first.isoformat(),
            "to": last.isoformat(),
            "page_count": math.ceil(len(held) / page_size) if held else 0,
            "page_size": page_size,
            "total_records": len(held),
            "next_page_token": next_token,
            "meetings": [_meeting_report(i) for i in held[start:stop]],
        }


def _require_scope(granted: str, accepted: tuple[str, ...]) -> None:
    if not set(granted.split()) & set(accepted):
        raise zoom_error(400, 4711, f"Invalid access token, does not contain scopes:[{', '.join(accepted)}].")


def _user_body(user: Any, account_id: str) -> dict[str, Any]:
    return {
        "id": user.id,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "display_name": user.display_name,
        "email": user.email,
        "type": 2,
        "role_name": "Owner" if user.email.startswith("owner") else "Admin",
        "timezone": user.timezone,
        "account_id": account_id,
        "status": "active",
    }


def _meeting_report(instance: Instance) -> dict[str, Any]:
    summary = instance.summary()
    return {
        "uuid": summary["uuid"],
        "id": summary["id"],
        "type": summary["type"],
        "topic": summary["topic"],
        "user_name": summary["user_name"],
        "user_email": summary["user_email"],
        "start_time": summary["start_time"],
        "end_time": summary["end_time"],
        "duration": summary["duration"],
        "total_minutes": summary["total_minutes"],
        "participants_count": summary["participants_count"],
        "source": "Zoom",
        "has_screen_share": False,
        "has_recording": False,
        "has_chat": True,
    }


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
