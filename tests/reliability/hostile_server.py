"""A hostile Zoom on 127.0.0.1 and a worker process that reads from it.

:class:`HostileServer` answers the Server-to-Server token request normally and serves, for the
case under test, byte-exact canned answers (status line, headers, body) for the resolve call
``GET /v2/past_meetings/{id}`` and the report pages ``GET /v2/report/meetings/{uuid}/participants``.
It is built on raw sockets, so a case can lie in its headers as no HTTP library would let it.

:class:`ReadWorker` runs the read under test in a separate, persistent Python process (this module
run with ``-m``), one case at a time over JSON lines on stdin/stdout, so that a segfault, an abort
or a hang fails one case instead of killing or blocking pytest. Run as a script, this module *is*
that worker (:func:`worker_main`).
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import os
import queue
import socket
import socketserver
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

__all__ = [
    "MEETING_ID",
    "MEETING_UUID",
    "Answer",
    "HostileServer",
    "ReadWorker",
    "json_answer",
    "resolve_body",
    "worker_main",
]

#: The meeting every case reads: its number and the uuid of its one ended instance.
MEETING_ID = 85746065432
#: Holds "+" and "/" (not first, not doubled), so it travels single-encoded and its cache file is renamed.
MEETING_UUID = "h0sTiLe+AnSwErS/tEsT9Q=="

_REASONS = {200: "OK", 204: "No Content", 400: "Bad Request", 401: "Unauthorized", 404: "Not Found"}
_REASONS |= {429: "Too Many Requests", 500: "Internal Server Error"}
_MAX_REQUEST_HEAD = 64 * 1024


@dataclasses.dataclass(frozen=True)
class Answer:
    """One canned HTTP answer, sent byte for byte.

    A true ``Content-Length`` is added unless ``headers`` carries its own ``Content-Length`` or a
    ``Transfer-Encoding``; every answer also says ``Connection: close`` and the connection is closed
    after it (after ``hold_open`` seconds, when the case keeps it open to stall the client).
    """

    body: bytes = b""
    status: int = 200
    headers: tuple[tuple[str, bytes], ...] = (("Content-Type", b"application/json; charset=utf-8"),)
    status_line: bytes | None = None
    hold_open: float = 0.0

    def head(self) -> bytes:
        """Status line and header block, as sent."""
        line = self.status_line
        if line is None:
            line = f"HTTP/1.1 {self.status} {_REASONS.get(self.status, 'Whatever')}".encode()
        names = {name.lower() for name, _ in self.headers}
        headers = list(self.headers)
        if not names & {"content-length", "transfer-encoding"}:
            headers.append(("Content-Length", str(len(self.body)).encode()))
        headers.append(("Connection", b"close"))
        lines = [line] + [name.encode("latin-1") + b": " + value for name, value in headers]
        return b"\r\n".join(lines) + b"\r\n\r\n"


def json_answer(body: object, status: int = 200) -> Answer:
    """A well-formed JSON answer (compact, UTF-8)."""
    encoded = json.dumps(body, separators=(",", ":")).encode()
    return Answer(body=encoded, status=status, headers=(("Content-Type", b"application/json"),))


def with_changes(body: dict[str, Any], changes: dict[str, object]) -> dict[str, Any]:
    """``body`` with each change applied: a value replaces the field, ``None`` drops it."""
    for key, value in changes.items():
        if value is None:
            body.pop(key, None)
        else:
            body[key] = value
    return body


def resolve_body(**changes: object) -> dict[str, Any]:
    """A ``GET /past_meetings/{id}`` answer for the test meeting, with fields changed or (None) dropped."""
    body: dict[str, Any] = {
        "uuid": MEETING_UUID,
        "id": MEETING_ID,
        "host_id": "z8yAAAAA8bbbQ",
        "type": 2,
        "topic": "Hostile answers",
        "user_name": "Ada Lovelace",
        "user_email": "ada@example.com",
        "start_time": "2024-03-01T15:00:00Z",
        "end_time": "2024-03-01T16:00:00Z",
        "duration": 60,
        "total_minutes": 120,
        "participants_count": 2,
    }
    return with_changes(body, changes)


_TOKEN = {
    "access_token": "hostile-access-token",
    "token_type": "bearer",
    "expires_in": 3599,
    "scope": "report:read:admin",
}


class HostileServer:
    """Raw-socket HTTP/1.1 server on 127.0.0.1 serving the current case's canned answers.

    Examples
    --------
    >>> with HostileServer() as server:                          # doctest: +SKIP
    ...     server.serve(page=json_answer({"participants": []}))
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pages: tuple[Answer, ...] = (json_answer({"participants": [], "next_page_token": ""}),)
        self._resolve = json_answer(resolve_body())
        self._released = threading.Event()
        self.requests: list[tuple[str, str]] = []
        server = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                server._handle(self.request)

        class Server(socketserver.ThreadingTCPServer):
            daemon_threads = True
            allow_reuse_address = True

        self._server = Server(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, name="hostile", daemon=True)

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:{port}``."""
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def api_url(self) -> str:
        """The REST base URL to give ``ZoomClient``."""
        return f"{self.base_url}/v2"

    @property
    def oauth_url(self) -> str:
        """The OAuth base URL to give ``ZoomClient``."""
        return f"{self.base_url}/oauth"

    def __enter__(self) -> HostileServer:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._released.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=10)

    def serve(self, page: Answer | Sequence[Answer], resolve: Answer | None = None) -> None:
        """Answer report pages with ``page`` and the resolve call with ``resolve`` (default: normal).

        A sequence of pages answers the first page request with its first answer, and so on; its
        last answer repeats. Connections a previous case held open are released.
        """
        with self._lock:
            self._released.set()
            self._released = threading.Event()
            self._pages = (page,) if isinstance(page, Answer) else tuple(page)
            self._resolve = resolve or json_answer(resolve_body())
            self.requests = []

    def count(self, kind: str) -> int:
        """How many requests of a kind ("token", "resolve", "page", "other") the current case got."""
        with self._lock:
            return sum(1 for seen, _ in self.requests if seen == kind)

    def _handle(self, connection: socket.socket) -> None:
        connection.settimeout(10)
        try:
            method, path = _read_request(connection)
        except (OSError, ValueError):
            return
        with self._lock:
            kind, answer = self._route(method, path)
            self.requests.append((kind, path))
            released = self._released
        with contextlib.suppress(OSError):
            connection.sendall(answer.head() + answer.body)
            if answer.hold_open:
                released.wait(answer.hold_open)
            connection.shutdown(socket.SHUT_RDWR)

    def _route(self, method: str, path: str) -> tuple[str, Answer]:
        """Which kind of request this is, and its answer (called under the lock)."""
        route = path.split("?", 1)[0]
        segments = route.strip("/").split("/")
        if method == "POST" and route.endswith("/oauth/token"):
            return "token", json_answer(_TOKEN)
        if method == "GET" and segments[:2] == ["v2", "past_meetings"] and len(segments) == 3:
            return "resolve", self._resolve
        if (
            method == "GET"
            and segments[:3] == ["v2", "report", "meetings"]
            and segments[4:] == ["participants"]
        ):
            served = sum(1 for kind, _ in self.requests if kind == "page")
            return "page", self._pages[min(served, len(self._pages) - 1)]
        return "other", json_answer({"code": 404, "message": "No such resource."}, status=404)


def _read_request(connection: socket.socket) -> tuple[str, str]:
    """Read one request's head (and discard a small body); return its method and target."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = connection.recv(65536)
        if not chunk:
            raise ValueError("connection closed before a full request")
        data += chunk
        if len(data) > _MAX_REQUEST_HEAD:
            raise ValueError("request head too long")
    head, _, rest = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    method, target, _ = lines[0].split(" ", 2)
    length = 0
    for line in lines[1:]:
        name, _, value = line.partition(":")
        if name.strip().lower() == "content-length":
            length = min(int(value.strip()), _MAX_REQUEST_HEAD)
    while len(rest) < length:
        chunk = connection.recv(65536)
        if not chunk:
            break
        rest += chunk
    return method, target


# -- the pytest side of the worker ---------------------------------------------------------------


class _Process:
    """One running worker: the process, its stderr file and the thread moving its output lines."""

    def __init__(self, repo: Path) -> None:
        env = {name: value for name, value in os.environ.items() if not name.startswith("ZOOM_")}
        env["PYTHONPATH"] = str(repo)
        env["PYTHONFAULTHANDLER"] = "1"  # a segfault prints the Python stack to stderr
        self.stderr = tempfile.TemporaryFile()  # noqa: SIM115 (closed in end())
        self.lines: queue.Queue[bytes | None] = queue.Queue()
        self.popen = subprocess.Popen(
            [sys.executable, "-m", "tests.reliability.hostile_server"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.stderr,
            cwd=repo,
            env=env,
        )
        self.pump = threading.Thread(target=self._pump, name="hostile-worker-output", daemon=True)
        self.pump.start()

    def _pump(self) -> None:
        """Move the worker's output lines to the queue; ``None`` marks its end."""
        assert self.popen.stdout is not None
        for line in self.popen.stdout:
            self.lines.put(line)
        self.lines.put(None)

    def send(self, request: dict[str, Any]) -> None:
        assert self.popen.stdin is not None
        with contextlib.suppress(OSError):  # already dead: the next read sees the end of its output
            self.popen.stdin.write(json.dumps(request).encode() + b"\n")
            self.popen.stdin.flush()

    def stderr_tail(self) -> str:
        self.stderr.seek(0, os.SEEK_END)
        self.stderr.seek(max(0, self.stderr.tell() - 3000))
        return self.stderr.read().decode("utf-8", "replace")

    def end(self, kill: bool) -> int:
        """Stop the process (closing stdin asks it to end; ``kill`` or 10 s more end it); close its files."""
        assert self.popen.stdin is not None and self.popen.stdout is not None
        with contextlib.suppress(OSError):
            self.popen.stdin.close()
        if kill:
            self.popen.kill()
        try:
            code = self.popen.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.popen.kill()
            code = self.popen.wait(timeout=30)
        self.pump.join(timeout=10)
        self.popen.stdout.close()
        self.stderr.close()
        return code


class ReadWorker:
    """A persistent worker process that runs one read per call; restarted after a crash or a hang.

    Parameters
    ----------
    repo : Path
        The checkout to import ``zoom_pandas`` and this module from.
    """

    def __init__(self, repo: Path) -> None:
        self.repo = repo
        self.started = 0
        self._process: _Process | None = None

    def run(self, request: dict[str, Any], timeout: float) -> dict[str, Any]:
        """Send one case; return the worker's outcome, or ``crashed`` / ``hang`` when it gave none."""
        process = self._ensure()
        deadline = time.monotonic() + timeout
        process.send(request)
        stage = "sending the case"
        while True:
            try:
                line = process.lines.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                self._process = None
                process.end(kill=True)
                return {"outcome": "hang", "seconds": timeout, "stage": stage}
            if line is None:
                self._process = None
                tail = process.stderr_tail()
                return {
                    "outcome": "crashed",
                    "returncode": process.end(kill=False),
                    "stage": stage,
                    "stderr": tail,
                }
            message: dict[str, Any] = json.loads(line)
            if "stage" not in message:
                return message
            stage = message["stage"]

    def close(self) -> None:
        """Stop the worker."""
        if self._process is not None:
            self._process.end(kill=False)
            self._process = None

    def _ensure(self) -> _Process:
        if self._process is not None:
            return self._process
        process = _Process(self.repo)
        self.started += 1
        try:
            ready = process.lines.get(timeout=120)
        except queue.Empty:
            process.end(kill=True)
            raise RuntimeError("the read worker did not start within 120 s") from None
        if ready is None:
            tail = process.stderr_tail()
            process.end(kill=False)
            raise RuntimeError(f"the read worker died while starting:\n{tail}")
        self._process = process
        return process


# -- the worker process --------------------------------------------------------------------------


def _raised(exc: BaseException) -> dict[str, Any]:
    """An exception as the worker reports it."""
    import zoom_pandas as zp

    message = str(exc)
    return {
        "outcome": "raised",
        "class": f"{type(exc).__module__}.{type(exc).__qualname__}",
        "mro": [kind.__name__ for kind in type(exc).__mro__],
        "typed": isinstance(exc, zp.ZoomPandasError),
        "message": message[:600],
        "message_chars": len(message),
        "traceback": "".join(traceback.format_exception(exc))[-4000:],
    }


def _cell(value: object) -> str | None:
    """One frame cell as short text (None for NA)."""
    import pandas as pd

    try:
        if bool(pd.isna(value)):
            return None
    except (TypeError, ValueError):
        pass
    return str(value)[:80]


def _describe(frame: Any) -> dict[str, Any]:
    """What the pytest side checks of a frame that came back; reading its cells may itself fail."""
    dtypes = [[str(name), str(dtype)] for name, dtype in frame.dtypes.items()]
    described: dict[str, Any] = {
        "rows": len(frame),
        "columns": [str(name) for name in frame.columns],
        "dtypes": dtypes,
        "dtypes_hash": hashlib.sha256(json.dumps(dtypes).encode()).hexdigest()[:12],
        "attrs_start_time": frame.attrs.get("start_time"),
    }
    try:  # what a user does with a frame: look at its cells
        described["meeting_ids"] = sorted({int(v) for v in frame["meeting_id"].dropna()})
        if len(frame) <= 5:
            described["cells"] = [
                {str(column): _cell(frame.iloc[row, at]) for at, column in enumerate(frame.columns)}
                for row in range(len(frame))
            ]
        if "name" in frame.columns:
            longest = frame["name"].str.len().max(skipna=True)
            described["name_max_len"] = None if _cell(longest) is None else int(longest)
    except Exception as exc:
        described["cells_error"] = _raised(exc)
    return described


def _read_one(request: dict[str, Any], stage: Callable[[str], None]) -> dict[str, Any]:
    """Run the read under test, then the offline read, ``to_string`` and ``read_cache``.

    ``stage`` is told each step before it starts, so a crash can be pinned on one.
    """
    import warnings

    import pandas as pd

    import zoom_pandas as zp
    from zoom_pandas.retry import RetryPolicy

    os.environ["ZOOM_PANDAS_CACHE_DIR"] = request["cache_dir"]
    retry = RetryPolicy(max_attempts=2, backoff_base=0.01, backoff_cap=0.05, max_retry_after=1.0)
    client = zp.ZoomClient(
        api_url=request["api_url"],
        oauth_url=request["oauth_url"],
        account_id="a",
        client_id="c",
        client_secret="s",
        retry=retry,
        timeout=5,
    )
    ref = request["ref"]
    result: dict[str, Any] = {}
    frame = None
    started = time.monotonic()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        stage("read")
        try:
            frame = zp.read_participants(ref, client=client, cache=True)
        except Exception as exc:
            result.update(_raised(exc))
        else:
            result["outcome"] = "frame"
            stage("cells")
            result.update(_describe(frame))
        result["seconds"] = round(time.monotonic() - started, 3)
        stage("offline read")
        try:
            offline = zp.read_participants(ref, client=client, cache="offline")
        except Exception as exc:
            result["offline"] = _raised(exc)
        else:
            result["offline"] = {"outcome": "frame", "rows": len(offline), "equal": frame is not None}
            stage("comparing the offline frame")
            try:
                if frame is not None:
                    pd.testing.assert_frame_equal(frame, offline)
            except AssertionError as exc:
                result["offline"] |= {"equal": False, "difference": str(exc)[:600]}
            except Exception as exc:
                result["offline"] |= {"equal": False, "difference": _describe_error(exc)}
        if frame is not None:
            stage("to_string")
            try:
                result["to_string_chars"] = len(frame.to_string())
            except Exception as exc:
                result["to_string"] = _raised(exc)
        stage("read_cache")
        try:
            result["read_cache"] = {"outcome": "frame", "rows": len(zp.read_cache(client=client))}
        except Exception as exc:
            result["read_cache"] = _raised(exc)
    result["warnings"] = [
        {
            "mro": [kind.__name__ for kind in warning.category.__mro__],
            "message": str(warning.message)[:300],
        }
        for warning in caught
    ]
    client.close()
    return result


def _describe_error(exc: BaseException) -> str:
    """``Class: message`` in one short line."""
    return f"{type(exc).__name__}: {str(exc)[:300]}"


def worker_main() -> None:
    """Read cases (JSON lines) from stdin and write one outcome line each to the original stdout."""
    import faulthandler

    faulthandler.enable()
    protocol = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)  # anything else printed goes to stderr, never into the protocol
    sys.stdout = sys.stderr
    import pandas  # noqa: F401  (imported once, before the first case's clock starts)

    import zoom_pandas  # noqa: F401

    protocol.write(json.dumps({"ready": True}) + "\n")
    protocol.flush()

    def stage(name: str) -> None:
        protocol.write(json.dumps({"stage": name}) + "\n")
        protocol.flush()

    for line in sys.stdin:
        request = json.loads(line)
        if request.get("self_test") == "segfault":  # proves the pytest side notices a crash
            import ctypes

            ctypes.string_at(0)
        try:
            result = _read_one(request, stage)
        except Exception as exc:  # a failure of the harness itself, not of the read
            result = {**_raised(exc), "outcome": "harness"}
        protocol.write(json.dumps(result, default=str) + "\n")
        protocol.flush()


if __name__ == "__main__":
    worker_main()
