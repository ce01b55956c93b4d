"""How long to wait before retrying: bounded exponential backoff with jitter, and Retry-After."""

from __future__ import annotations

import dataclasses
import datetime as dt
import email.utils
import math
import random

__all__ = ["RetryPolicy", "parse_retry_after"]

#: Retry-After values are read up to a year ahead.
_LONGEST_WAIT = 366 * 24 * 3600.0


@dataclasses.dataclass(frozen=True)
class RetryPolicy:
    """Limits for retrying transient failures.

    Parameters
    ----------
    max_attempts : int
        Tries per request for 5xx answers, connection resets and timeouts (first try included).
    backoff_base : float
        Seconds of the first backoff; each further one doubles, up to ``backoff_cap``.
    backoff_cap : float
        Longest single backoff in seconds.
    max_rate_limit_waits : int
        How many per-second (QPS) 429 answers one request may wait out.
    max_retry_after : float
        Longest ``Retry-After`` (seconds) worth waiting for; longer ones raise ``RateLimited``.
    """

    max_attempts: int = 5
    backoff_base: float = 0.5
    backoff_cap: float = 20.0
    max_rate_limit_waits: int = 20
    max_retry_after: float = 120.0

    def backoff(self, retry_number: int, rng: random.Random | None = None) -> float:
        """Seconds to wait before retry ``retry_number`` (1-based): half fixed, half random."""
        ceiling = min(self.backoff_cap, self.backoff_base * 2 ** (retry_number - 1))
        return float(ceiling / 2 + (rng or random).uniform(0, ceiling / 2))


def parse_retry_after(value: str | None, now: dt.datetime | None = None) -> dt.datetime | None:
    """Read a ``Retry-After`` header as an aware UTC datetime.

    Zoom sends an ISO-8601 UTC datetime (``2020-05-31T00:00:00Z``); HTTP also allows a number of
    seconds or an HTTP-date. All three are accepted.

    Parameters
    ----------
    value : str or None
        The header value.
    now : datetime, optional
        The reference time for a number of seconds (default: now, UTC).

    Returns
    -------
    datetime.datetime or None
        ``None`` when the header is absent or unreadable.
    """
    if not value:
        return None
    value = value.strip()[:64]
    now = now or dt.datetime.now(dt.timezone.utc)
    try:
        seconds = float(value)
    except ValueError:
        pass
    else:
        if math.isnan(seconds):
            return None
        # inf, 1e12 or 99999999999999 would overflow a datetime: a year is "not soon" already.
        return now + dt.timedelta(seconds=min(max(0.0, seconds), _LONGEST_WAIT))
    try:
        moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        try:
            moment = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError, OverflowError):
            return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.timezone.utc)
    try:
        return moment.astimezone(dt.timezone.utc)
    except OverflowError:
        return None
