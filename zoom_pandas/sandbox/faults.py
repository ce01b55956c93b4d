"""Switchable faults for the sandbox: what Zoom does on a bad day, on demand (limits: :mod:`.limits`)."""

from __future__ import annotations

import dataclasses
import threading
from typing import Any

__all__ = ["Faults"]


@dataclasses.dataclass
class Faults:
    """Faults for the report requests of one meeting or webinar (or for every request, when global).

    Counters say how many of the next requests get the fault; each request uses up one.

    Parameters
    ----------
    qps_limited : int
        Answer 429 with ``X-RateLimit-Type: QPS``.
    retry_after : str or None
        ``Retry-After`` value sent with those 429s (seconds or an ISO-8601 UTC time).
    daily_limited : bool
        Answer every request 429 with ``X-RateLimit-Type: Daily-limit`` and a Retry-After at
        the next 00:00 UTC.
    server_errors : int
        Answer 503 with Zoom's JSON error body.
    resets : int
        Close the connection without answering (a TCP reset).
    stalls : int
        Wait ``stall_seconds`` before answering (client read timeouts).
    stall_seconds : float
        How long a stall lasts.
    invalid_tokens : int
        Answer 401 code 124 "Invalid access token." as if the token had been revoked.
    expired_page_tokens : int
        Refuse this many requests that carry a ``next_page_token`` (400 code 300).
    repeat_page_token : bool
        Hand out the same ``next_page_token`` on every page (a broken paginator).
    total_records_delta : int
        Add this to the ``total_records`` each page announces.
    html_errors : int
        Answer 403 with an HTML body, as a web application firewall in front of Zoom does.
    latency : float
        Extra seconds before every answer.
    extra_fields : dict
        Fields added to every participant row (a field Zoom adds in a later release).
    bodies : list of bytes
        Answer the next requests 200 with these raw bodies, one each (hostile or broken answers).
    cut_headers : int
        Close the connection in the middle of the response headers.
    drips : int
        Send the answer one byte at a time, ``drip_seconds`` apart (a slow-loris server).
    drip_seconds : float
        Pause between dripped bytes.
    token_errors : int
        Answer this many token requests 503 (only as a global fault: ``inject(None, ...)``).
    """

    qps_limited: int = 0
    retry_after: str | None = None
    daily_limited: bool = False
    server_errors: int = 0
    resets: int = 0
    stalls: int = 0
    stall_seconds: float = 2.0
    invalid_tokens: int = 0
    expired_page_tokens: int = 0
    repeat_page_token: bool = False
    total_records_delta: int = 0
    html_errors: int = 0
    latency: float = 0.0
    extra_fields: dict[str, Any] = dataclasses.field(default_factory=dict)
    bodies: list[bytes] = dataclasses.field(default_factory=list)
    cut_headers: int = 0
    drips: int = 0
    drip_seconds: float = 0.05
    token_errors: int = 0
    _lock: threading.Lock = dataclasses.field(default_factory=threading.Lock, repr=False, compare=False)

    def take(self, name: str) -> bool:
        """Use up one of counter ``name``; True when the fault applies to this request."""
        with self._lock:
            left = int(getattr(self, name))
            if left <= 0:
                return False
            setattr(self, name, left - 1)
            return True

    def next_body(self) -> bytes | None:
        """Use up the next raw body, if any."""
        with self._lock:
            return self.bodies.pop(0) if self.bodies else None
