"""Client-side pacing by Zoom rate-limit label: one token bucket per label, shared by every thread.

Zoom counts requests per account and per label (zoom/FACTS.md §4): Light, Medium and Heavy each
have their own per-second budget, and Heavy (the report endpoints) also a daily cap shared by every
app on the account. A :class:`RateLimiter` paces each label on its own, so the Light resolve calls
never spend the Heavy budget, evenly at 97% of the limit (no burst: Zoom does not say how it
counts, and an even pace stays under the limit however it does). Once Zoom answers a Daily-limit
429, the limiter refuses that label's requests at once until Zoom's daily reset, so no thread
sends another request Zoom would refuse.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import threading
import time
import warnings
from collections.abc import Iterable, Mapping
from typing import Literal

__all__ = ["LABELS", "PLANS", "DailyLimitReached", "RateLabel", "RateLimit", "RateLimiter", "limits_for"]

#: Zoom's rate-limit labels (zoom/FACTS.md §4.2); each endpoint's spec names its label.
RateLabel = Literal["Light", "Medium", "Heavy"]

#: Every label, in Zoom's order.
LABELS: tuple[RateLabel, ...] = ("Light", "Medium", "Heavy")

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
    """Requests start at least ``interval`` apart (the next free start is ``due``)."""

    interval: float
    due: float = 0.0

    def reserve(self, now: float) -> float:
        """Reserve the next start time (>= now) and return it."""
        start = now if self.due - now < 1e-9 else self.due  # rounding is not a reason to wait
        self.due = start + self.interval
        return start


class DailyLimitReached(Exception):
    """Zoom's daily cap of a label is used up until ``until`` (raised by :meth:`RateLimiter.acquire`)."""

    def __init__(self, label: str, until: dt.datetime) -> None:
        super().__init__(label, until)
        self.label = label
        self.until = until


#: How far past the next 00:00 UTC a daily block may last (Zoom resets daily caps at 00:00 UTC).
DAILY_SLACK = dt.timedelta(minutes=5)


class RateLimiter:
    """Even pacing per Zoom label, and the daily caps Zoom said are used up.

    Each label's requests start at least ``1 / (rate x headroom)`` seconds apart, so no window of
    one second ever holds more than the limit, whether Zoom counts with a token bucket, a sliding
    window or whole seconds; a short wait at the start of a read is all it costs.

    Parameters
    ----------
    limits : mapping, optional
        Requests per second by label (see :func:`limits_for`); ``None`` paces nothing but still
        stops a label whose daily cap is used up.
    headroom : float
        The share of each limit to spend.
    shared : bool
        One pace for every label together (what ``requests_per_second=`` meant), the smallest
        of ``limits``.

    Examples
    --------
    >>> limiter = RateLimiter(limits_for("pro"))
    >>> limiter.acquire("Heavy")   # Heavy requests start at least 1/9.7 s apart
    """

    def __init__(
        self,
        limits: Mapping[RateLabel, float] | None = None,
        *,
        headroom: float = HEADROOM,
        shared: bool = False,
    ) -> None:
        self.limits = dict(limits) if limits else {}
        self.shared = shared
        self._buckets: dict[str, _Bucket]
        if shared and self.limits:
            one = _Bucket(interval=1.0 / (min(self.limits.values()) * headroom))
            self._buckets = dict.fromkeys(self.limits, one)
        else:
            self._buckets = {
                label: _Bucket(interval=1.0 / (rate * headroom)) for label, rate in self.limits.items()
            }
        self._blocked: dict[str, dt.datetime] = {}
        self._lock = threading.Lock()
        #: The clock and the sleep (replaceable in tests).
        self.clock = time.monotonic
        self.sleep = time.sleep

    @classmethod
    def for_client(cls, rate_limit: object, requests_per_second: float | None = None) -> RateLimiter:
        """The limiter of ``ZoomClient(rate_limit=..., requests_per_second=...)`` (``ValueError`` if bad).

        The deprecated ``requests_per_second`` paces every request alike, as it always did.
        """
        if requests_per_second is None:
            return cls(limits_for(rate_limit))
        warnings.warn(
            "requests_per_second= is deprecated (it paces every request alike); use rate_limit= "
            "(a plan name or Heavy requests per second, each Zoom label paced on its own)",
            FutureWarning,
            stacklevel=3,
        )
        if rate_limit is not None:
            return cls(limits_for(rate_limit))
        limits_for(requests_per_second)  # the same checks
        return cls(dict.fromkeys(LABELS, float(requests_per_second)), shared=True)

    def __repr__(self) -> str:
        limits = ", ".join(f"{label}={rate:g}/s" for label, rate in self.limits.items()) or "unpaced"
        return f"RateLimiter({limits}{', shared' if self.shared else ''})"

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

    def block(self, labels: Iterable[str], until: dt.datetime | None) -> dt.datetime:
        """Refuse the requests of ``labels`` until Zoom's daily reset; return when that is.

        ``until`` is Zoom's Retry-After; it is untrusted, so the block ends at the next 00:00 UTC
        (Zoom's reset, plus a few minutes) at the latest, and at that time when Zoom named none or
        a past one. ``labels`` are the request's own label and Zoom's ``X-RateLimit-Category``
        ("heavy" or "Heavy"), so neither a missing nor an odd header leaves the label open.
        """
        now = dt.datetime.now(dt.timezone.utc)
        reset = dt.datetime.combine(now.date() + dt.timedelta(days=1), dt.time(0), tzinfo=dt.timezone.utc)
        if until is None or until <= now or until > reset + DAILY_SLACK:
            until = reset
        with self._lock:
            for label in {label.strip().capitalize() for label in labels if label and label.strip()}:
                self._blocked[label] = max(until, self._blocked.get(label, until))
        return until

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
