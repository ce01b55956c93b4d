"""Client-side pacing by Zoom rate-limit label: one token bucket per label, shared by every thread.

Zoom counts requests per account and per label (zoom/FACTS.md §4): Light, Medium and Heavy each
have their own per-second budget, and Heavy (the report endpoints) also a daily cap shared by every
app on the account. A :class:`RateLimiter` keeps one bucket per label, so the Light resolve calls
never spend the Heavy budget, and a burst of up to one second's worth goes out at once, as Zoom
allows. Once Zoom answers a Daily-limit 429, the limiter refuses that label's requests at once until
the time Zoom named, so no thread sends another request Zoom would refuse.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import threading
import time
from collections.abc import Mapping
from typing import Literal

__all__ = ["PLANS", "RateLabel", "RateLimit", "RateLimiter", "limits_for"]

#: Zoom's rate-limit labels (zoom/FACTS.md §4.2); each endpoint's spec names its label.
RateLabel = Literal["Light", "Medium", "Heavy"]

#: What ``ZoomClient(rate_limit=...)`` accepts.
RateLimit = Literal["free", "pro", "business"] | float | None

#: Requests per second by plan and label (zoom/FACTS.md §4.2).
PLANS: Mapping[str, Mapping[RateLabel, float]] = {
    "free": {"Light": 4.0, "Medium": 2.0, "Heavy": 1.0},
    "pro": {"Light": 30.0, "Medium": 20.0, "Heavy": 10.0},
    "business": {"Light": 80.0, "Medium": 60.0, "Heavy": 40.0},
}

#: The share of Zoom's limit the client spends: a request sent on time may still arrive a little
#: early after a slower one; the margin keeps Zoom's bucket from running dry in between.
HEADROOM = 0.97


def limits_for(rate_limit: object) -> dict[RateLabel, float] | None:
    """Per-label requests per second for ``rate_limit`` (``ValueError`` for anything else).

    A number is Heavy requests per second; Light and Medium scale as on Pro (3x and 2x).
    """
    if rate_limit is None:
        return None
    if isinstance(rate_limit, str) and rate_limit.lower() in PLANS:
        return dict(PLANS[rate_limit.lower()])
    if (
        isinstance(rate_limit, (int, float))
        and not isinstance(rate_limit, bool)
        and math.isfinite(rate_limit)
        and 0 < rate_limit <= 10_000
    ):
        pro = PLANS["pro"]
        scale = float(rate_limit) / pro["Heavy"]
        return {label: rate * scale for label, rate in pro.items()}
    raise ValueError(
        "rate_limit must be None, 'free', 'pro', 'business' or Heavy requests per second "
        f"(0 < n <= 10000), got {rate_limit!r}"
    )


@dataclasses.dataclass
class _Bucket:
    """Generic cell rate: requests start at least ``interval`` apart, after a burst of ``burst``."""

    interval: float
    burst: int
    due: float = 0.0  # when the bucket is next empty-and-refilled-by-one (theoretical arrival time)

    def reserve(self, now: float) -> float:
        """Reserve the next start time (>= now) and return it."""
        start = self.due - (self.burst - 1) * self.interval
        start = now if start - now < 1e-9 else start  # rounding is not a reason to wait
        self.due = max(self.due, start) + self.interval
        return start


class DailyLimitReached(Exception):
    """Zoom's daily cap of a label is used up until ``until`` (raised by :meth:`RateLimiter.acquire`)."""

    def __init__(self, label: str, until: dt.datetime) -> None:
        super().__init__(label, until)
        self.label = label
        self.until = until


class RateLimiter:
    """Token buckets per Zoom label, and the daily caps Zoom said are used up.

    Parameters
    ----------
    limits : mapping, optional
        Requests per second by label (see :func:`limits_for`); ``None`` paces nothing but still
        stops a label whose daily cap is used up.
    headroom : float
        The share of each limit to spend.

    Examples
    --------
    >>> limiter = RateLimiter(limits_for("pro"))
    >>> limiter.acquire("Heavy")   # the first ten Heavy requests of a second start at once
    """

    def __init__(
        self, limits: Mapping[RateLabel, float] | None = None, *, headroom: float = HEADROOM
    ) -> None:
        self.limits = dict(limits) if limits else {}
        self._buckets: dict[str, _Bucket] = {
            label: _Bucket(interval=1.0 / (rate * headroom), burst=max(1, int(rate * headroom)))
            for label, rate in self.limits.items()
        }
        self._blocked: dict[str, dt.datetime] = {}
        self._lock = threading.Lock()
        #: The clock and the sleep (replaceable in tests).
        self.clock = time.monotonic
        self.sleep = time.sleep

    def __repr__(self) -> str:
        limits = ", ".join(f"{label}={rate:g}/s" for label, rate in self.limits.items()) or "unpaced"
        return f"RateLimiter({limits})"

    def acquire(self, label: str) -> None:
        """Wait until a ``label`` request may start; raise :class:`DailyLimitReached` when it may not."""
        with self._lock:
            until = self._blocked.get(label)
            if until is not None:
                if dt.datetime.now(dt.timezone.utc) < until:
                    raise DailyLimitReached(label, until)
                del self._blocked[label]
            bucket = self._buckets.get(label)
            if bucket is None:
                return
            now = self.clock()
            start = bucket.reserve(now)
        if start > now:
            self.sleep(start - now)

    def block(self, label: str, until: dt.datetime | None) -> None:
        """Refuse ``label`` requests until ``until`` (default: the next 00:00 UTC, Zoom's daily reset).

        ``label`` comes from Zoom's ``X-RateLimit-Category`` header when it sent one ("heavy" or
        "Heavy"); a category this client does not pace is stopped all the same.
        """
        label = label.strip().capitalize()
        if until is None:
            tomorrow = dt.datetime.now(dt.timezone.utc).date() + dt.timedelta(days=1)
            until = dt.datetime.combine(tomorrow, dt.time(0), tzinfo=dt.timezone.utc)
        with self._lock:
            self._blocked[label] = max(until, self._blocked.get(label, until))

    def blocked_until(self, label: str) -> dt.datetime | None:
        """When a used-up daily cap of ``label`` resets (None when it is not used up)."""
        with self._lock:
            until = self._blocked.get(label)
        return until if until is not None and dt.datetime.now(dt.timezone.utc) < until else None

    def concurrency(self, latency: float = 0.75) -> int:
        """Requests to keep in flight so the Heavy budget stays busy at ``latency`` seconds per request.

        Little's law: in flight = rate x latency (Zoom's report pages take roughly 0.3-1 s). Unpaced
        clients use 8, which a single machine's connection pool and Zoom's QPS limits both allow.
        """
        heavy = self.limits.get("Heavy")
        if heavy is None:
            return 8
        return min(32, max(2, math.ceil(heavy * latency)))
