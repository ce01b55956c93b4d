"""Zoom's account rate limits for the sandbox: one token bucket per label, and the daily Heavy cap.

Zoom groups its endpoints by a *rate-limit label* (Light, Medium, Heavy) and counts requests per
label across the whole account, whatever app or token sends them (zoom/FACTS.md §4.1). Limits
depend on the plan (§4.2): Free 4/2/1, Pro 30/20/10, Business+ 80/60/40 requests per second for
Light/Medium/Heavy. Heavy requests also share a daily cap (30,000 on Pro, 60,000 on Business+),
reset at 00:00 UTC. Over a limit, Zoom answers 429 with the bodies and headers of §4.3.

Choices the sandbox makes where Zoom's documentation is silent:

* a label's bucket holds one second's worth of requests (capacity = rate) and starts full, so a
  burst of ``rate`` requests passes at once, then ``rate`` per second;
* the daily cap is checked first: once it is used up every Heavy request answers the Daily-limit
  429 and takes no per-second token;
* a request refused with a per-second (QPS) 429 does not count against the daily cap: Zoom did
  not serve it;
* only requests with a valid access token count (an unauthenticated request has no account).
"""

from __future__ import annotations

import datetime as dt
import math
import threading
import time
from collections.abc import Mapping

from zoom_pandas.sandbox.oauth import SandboxError, zoom_error

__all__ = [
    "DAILY_MESSAGE",
    "LABELS",
    "PLANS",
    "QPS_MESSAGE",
    "RateLimits",
    "TokenBucket",
    "daily_limit_error",
    "qps_error",
    "route_label",
]

#: Zoom's rate-limit labels of the endpoints the sandbox serves.
LABELS = ("Light", "Medium", "Heavy")
#: Requests per second per label on each plan (zoom/FACTS.md §4.2).
PLANS: dict[str, dict[str, float]] = {
    "free": {"Light": 4, "Medium": 2, "Heavy": 1},
    "pro": {"Light": 30, "Medium": 20, "Heavy": 10},
    "business": {"Light": 80, "Medium": 60, "Heavy": 40},
}
QPS_MESSAGE = "You have reached the maximum per-second rate limit for this API. Try again later."
DAILY_MESSAGE = (
    "You have reached the maximum daily rate limit for this API. Refer to the response header for "
    "details on when you can make another request."
)

#: (path shape under /v2, label) as Zoom's spec labels each route; "*" is one path segment.
_ROUTES: tuple[tuple[tuple[str, ...], str], ...] = (
    (("users",), "Medium"),
    (("users", "*"), "Light"),
    (("users", "*", "meetings"), "Medium"),
    (("past_meetings", "*"), "Light"),
    (("past_meetings", "*", "instances"), "Medium"),
    (("past_meetings", "*", "participants"), "Medium"),
    (("past_webinars", "*", "instances"), "Light"),
    (("report", "users", "*", "meetings"), "Heavy"),
    (("report", "meetings", "*"), "Heavy"),
    (("report", "meetings", "*", "participants"), "Heavy"),
    (("report", "webinars", "*"), "Heavy"),
    (("report", "webinars", "*", "participants"), "Heavy"),
)


def route_label(path: str) -> str | None:
    """Zoom's rate-limit label of a request path, e.g. ``"Heavy"`` for a participants report.

    Parameters
    ----------
    path : str
        The raw request path (``/v2/report/meetings/123/participants``).

    Returns
    -------
    str or None
        ``"Light"``, ``"Medium"`` or ``"Heavy"``; None for a path that is no labelled route.
    """
    segments = path.split("/")[1:]
    if segments[:1] != ["v2"] or "" in segments[1:]:
        return None
    rest = segments[1:]
    for shape, label in _ROUTES:
        if len(shape) == len(rest) and all(s in ("*", r) for s, r in zip(shape, rest, strict=True)):
            return label
    return None


def qps_error(label: str, limit: float, retry_after: float | None) -> SandboxError:
    """Zoom's per-second 429 for ``label``; ``retry_after`` in seconds (rounded up to whole ones)."""
    headers = {
        "X-RateLimit-Category": label,
        "X-RateLimit-Type": "QPS",
        "X-RateLimit-Limit": f"{limit:g}",
        "X-RateLimit-Remaining": "0",
    }
    if retry_after is not None:
        headers["Retry-After"] = str(max(1, math.ceil(retry_after)))
    return zoom_error(429, 429, QPS_MESSAGE, **headers)


def daily_limit_error(limit: int, today: dt.date | None = None) -> SandboxError:
    """Zoom's Daily-limit 429 for Heavy requests, ``Retry-After`` at the next 00:00 UTC (ISO-8601)."""
    today = today or dt.datetime.now(dt.timezone.utc).date()
    tomorrow = today + dt.timedelta(days=1)
    return zoom_error(
        429,
        429,
        DAILY_MESSAGE,
        **{
            "X-RateLimit-Category": "Heavy",
            "X-RateLimit-Type": "Daily-limit",
            "X-RateLimit-Limit": str(limit),
            "X-RateLimit-Remaining": "0",
            "Retry-After": f"{tomorrow.isoformat()}T00:00:00Z",
        },
    )


class TokenBucket:
    """A per-second rate limit: ``rate`` requests a second, bursts up to ``burst`` (default: ``rate``).

    The bucket starts full.
    """

    def __init__(self, rate: float, burst: float | None = None) -> None:
        self.rate = rate
        self.capacity = burst if burst is not None else rate
        self._tokens = self.capacity
        self._updated = time.monotonic()
        self._lock = threading.Lock()

    def allow(self) -> bool:
        """Take one token if there is one."""
        return self.take() == 0.0

    def take(self) -> float:
        """Take one token: 0.0 when taken, else the seconds until one is there (nothing taken)."""
        with self._lock:
            now = time.monotonic()
            self._tokens = min(self.capacity, self._tokens + (now - self._updated) * self.rate)
            self._updated = now
            if self._tokens >= 1:
                self._tokens -= 1
                return 0.0
            return (1 - self._tokens) / self.rate


class RateLimits:
    """The account's limits: per-label buckets, an optional daily Heavy cap, an optional overall bucket.

    Parameters
    ----------
    rates : str or mapping, optional
        A plan name (``"free"``, ``"pro"``, ``"business"``) or requests per second per label,
        e.g. ``{"Light": 30, "Medium": 20, "Heavy": 10}``; a label left out is not limited.
    daily_limit : int, optional
        Heavy requests served per UTC day before every Heavy request answers 429.
    overall : float, optional
        One more bucket over every ``/v2`` request, whatever its label (``Sandbox(rate_limit=)``);
        its 429s carry no ``Retry-After``, so clients back off on their own.
    """

    def __init__(
        self,
        rates: str | Mapping[str, float] | None = None,
        daily_limit: int | None = None,
        overall: float | None = None,
    ) -> None:
        self.rates = _rates(rates)
        if daily_limit is not None and (isinstance(daily_limit, bool) or daily_limit < 0):
            raise ValueError(f"daily_limit must be a whole number >= 0 or None, not {daily_limit!r}")
        self.daily_limit = daily_limit
        self.buckets = {label: TokenBucket(rate) for label, rate in self.rates.items()}
        self.overall = TokenBucket(overall) if overall else None
        self.daily_used = 0
        self._day = dt.datetime.now(dt.timezone.utc).date()
        self._lock = threading.Lock()

    def check(self, label: str | None) -> None:
        """Count one request with ``label``, or raise Zoom's 429 (a :class:`SandboxError`) instead."""
        if self.overall is not None:
            wait = self.overall.take()
            if wait:
                raise zoom_error(
                    429,
                    429,
                    QPS_MESSAGE,
                    **{
                        "X-RateLimit-Category": label or "Heavy",
                        "X-RateLimit-Type": "QPS",
                        "X-RateLimit-Limit": f"{self.overall.rate:g}",
                        "X-RateLimit-Remaining": "0",
                    },
                )
        if label is None:
            return
        with self._lock:
            daily = label == "Heavy" and self.daily_limit is not None
            if daily:
                self._roll_day()
                if self.daily_used >= (self.daily_limit or 0):
                    raise daily_limit_error(self.daily_limit or 0, self._day)
            bucket = self.buckets.get(label)
            wait = bucket.take() if bucket is not None else 0.0
            if bucket is not None and wait:
                raise qps_error(label, bucket.rate, wait)
            if daily:
                self.daily_used += 1

    def describe(self) -> str:
        """One line for the sandbox banner, e.g. ``Light 30/s, Medium 20/s, Heavy 10/s; Heavy 30000/day``."""
        parts = [f"{label} {self.rates[label]:g}/s" for label in LABELS if label in self.rates]
        if self.overall is not None:
            parts.append(f"every request {self.overall.rate:g}/s")
        text = ", ".join(parts) or "no per-second limits"
        if self.daily_limit is not None:
            text += f"; Heavy {self.daily_limit}/day"
        return text

    def _roll_day(self) -> None:
        """Zoom resets daily limits at 00:00 UTC."""
        today = dt.datetime.now(dt.timezone.utc).date()
        if today != self._day:
            self._day, self.daily_used = today, 0


def _rates(rates: str | Mapping[str, float] | None) -> dict[str, float]:
    """A plan name or a label mapping as ``{label: requests per second}`` (labels in Zoom's case)."""
    if rates is None:
        return {}
    if isinstance(rates, str):
        plan = PLANS.get(rates.strip().lower())
        if plan is None:
            raise ValueError(f"unknown plan {rates!r}: expected one of {', '.join(PLANS)} or a mapping")
        return dict(plan)
    chosen: dict[str, float] = {}
    for name, rate in rates.items():
        label = str(name).strip().capitalize()
        if label not in LABELS:
            raise ValueError(f"unknown rate-limit label {name!r}: expected {', '.join(LABELS)}")
        if isinstance(rate, bool) or not isinstance(rate, (int, float)) or not 0 < rate < math.inf:
            raise ValueError(f"{label} must be a number of requests per second > 0, not {rate!r}")
        chosen[label] = float(rate)
    return chosen
