"""Helpers the benchmarks share: the sandbox in its own process, a client for it, timing, 429 counting.

The sandbox runs as ``python -m zoom_pandas.sandbox`` in a separate process, so the time and CPU
it spends serving are never counted as the client's.
"""

from __future__ import annotations

import contextlib
import logging
import queue
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import requests

import zoom_pandas as zp
from zoom_pandas.ratelimit import RateLimit

__all__ = [
    "RateLimitCounter",
    "bearer_session",
    "best_of",
    "client_from",
    "sandbox_process",
]

#: The five ``export ZOOM_*=...`` lines the sandbox prints before serving.
SETTINGS = 5


def best_of(runs: int, work: Callable[[], Any], clock: Callable[[], float] = time.perf_counter) -> float:
    """Fastest of ``runs`` timings of ``work``."""
    times = []
    for _ in range(runs):
        started = clock()
        work()
        times.append(clock() - started)
    return min(times)


@contextlib.contextmanager
def sandbox_process(
    latency: float = 0.0, *, plan: str | None = None, bulk: str | None = None
) -> Iterator[dict[str, str]]:
    """Start ``python -m zoom_pandas.sandbox`` and yield its ZOOM_* settings.

    Parameters
    ----------
    latency : float
        Seconds the sandbox adds to every answer (``--latency``).
    plan : {"free", "pro", "business"}, optional
        Zoom's per-label limits of that plan (``--plan``): 429 over them.
    bulk : str, optional
        ``"NxM"``: N meetings of exactly M rows hosted by ``bulk@example.com`` (``--bulk``).
    """
    command = [sys.executable, "-m", "zoom_pandas.sandbox", "--latency", str(latency)]
    if plan is not None:
        command += ["--plan", plan]
    if bulk is not None:
        command += ["--bulk", bulk]
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    lines: queue.Queue[str] = queue.Queue()

    def pump() -> None:  # a thread, so waiting for the banner has a deadline even if it hangs
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.put(line)
        lines.put("")

    threading.Thread(target=pump, name="sandbox-stdout", daemon=True).start()
    try:
        settings: dict[str, str] = {}
        deadline = time.monotonic() + 60
        while len(settings) < SETTINGS:
            try:
                line = lines.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                raise RuntimeError("the sandbox printed no settings within 60 s") from None
            if not line:
                raise RuntimeError("the sandbox process exited")
            if line.startswith("export "):
                name, _, value = line[len("export ") :].strip().partition("=")
                settings[name] = value
        yield settings
    finally:
        proc.terminate()
        proc.wait(10)


def client_from(
    settings: dict[str, str], *, rate_limit: RateLimit = None, session: requests.Session | None = None
) -> zp.ZoomClient:
    """A client for the sandbox ``settings`` describe."""
    return zp.ZoomClient(
        account_id=settings["ZOOM_ACCOUNT_ID"],
        client_id=settings["ZOOM_CLIENT_ID"],
        client_secret=settings["ZOOM_CLIENT_SECRET"],
        api_url=settings["ZOOM_API_URL"],
        oauth_url=settings["ZOOM_OAUTH_URL"],
        rate_limit=rate_limit,
        session=session,
    )


def bearer_session(settings: dict[str, str]) -> requests.Session:
    """A plain ``requests.Session`` with a Server-to-Server Bearer token: what people write by hand."""
    session = requests.Session()
    token = session.post(
        f"{settings['ZOOM_OAUTH_URL']}/token",
        params={"grant_type": "account_credentials", "account_id": settings["ZOOM_ACCOUNT_ID"]},
        auth=(settings["ZOOM_CLIENT_ID"], settings["ZOOM_CLIENT_SECRET"]),
        timeout=30,
    ).json()
    session.headers["Authorization"] = f"Bearer {token['access_token']}"
    return session


class RateLimitCounter(logging.Handler):
    """Counts the 429s a client received: it logs one INFO line ``HTTP 429 (...) on GET ...`` per wait.

    Use as a context manager around the timed work; ``count`` is the number of 429s.
    """

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.count = 0
        self.messages: list[str] = []
        self._guard = threading.Lock()
        self._logger = logging.getLogger("zoom_pandas")
        self._level = self._logger.level

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if message.startswith("HTTP 429"):
            with self._guard:
                self.count += 1
                if len(self.messages) < 5:
                    self.messages.append(message)

    def __enter__(self) -> RateLimitCounter:
        self._level = self._logger.level
        self._logger.setLevel(logging.INFO)
        self._logger.addHandler(self)
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._logger.removeHandler(self)
        self._logger.setLevel(self._level)
