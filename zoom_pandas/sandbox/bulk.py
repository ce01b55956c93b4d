"""Bulk meetings for benchmarks: N single-instance meetings of exactly M participant rows each.

They belong to their own user, ``bulk@example.com``, and draw from their own generator
(``random.Random(f"bulk:{seed}")``), so the rest of the account is the same with or without them.
Each started within the 25 days before the anchor day and ended before that day began, so
``read_meetings("bulk@example.com")`` (the last 30 days) lists exactly these N.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
from collections.abc import Sequence
from typing import TYPE_CHECKING

from zoom_pandas.sandbox.accounts import User
from zoom_pandas.sandbox.rows import random_id
from zoom_pandas.sandbox.term import free_number

if TYPE_CHECKING:
    from zoom_pandas.sandbox.data import SandboxData

__all__ = ["BULK_EMAIL", "add_bulk", "bulk_option", "parse_bulk"]

#: The user who hosts the bulk meetings.
BULK_EMAIL = "bulk@example.com"


def parse_bulk(value: str | Sequence[int]) -> tuple[int, int]:
    """``(meetings, rows)`` from a pair of whole numbers or text like ``"200x50"``.

    Raises
    ------
    ValueError
        For anything else, or a negative number.
    """
    parts: Sequence[object] = value.lower().split("x") if isinstance(value, str) else value
    try:
        meetings, rows = (int(str(n).strip()) for n in parts)
    except (TypeError, ValueError):
        expected = "(meetings, rows) or 'NxM', e.g. (200, 50) or '200x50'"
        raise ValueError(f"bulk must be {expected}, not {value!r}") from None
    if meetings < 0 or rows < 0:
        raise ValueError(f"bulk meetings and rows must be >= 0, not {value!r}")
    return meetings, rows


def bulk_option(text: str) -> tuple[int, int]:
    """``--bulk 200x50`` as ``(200, 50)``, for argparse (its own error text, not argparse's generic one)."""
    try:
        return parse_bulk(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def add_bulk(data: SandboxData, meetings: int, rows: int) -> User:
    """Add ``bulk@example.com`` and ``meetings`` meetings of exactly ``rows`` participant rows each.

    Parameters
    ----------
    data : SandboxData
        The account; its ``seed`` and ``today`` drive the draws.
    meetings, rows : int
        How many meetings (one instance each), and the report rows of each.

    Returns
    -------
    User
        The bulk user.
    """
    rng = random.Random(f"bulk:{data.seed}")
    user = User(
        id=random_id(rng),
        email=BULK_EMAIL,
        first_name="Bulk",
        last_name="Benchmark",
        role="Member",
        dept="Benchmarks",
        created=f"{data.today - dt.timedelta(days=30)}T08:00:00Z",
    )
    data.users.append(user)
    midnight = dt.datetime.combine(data.today, dt.time(), tzinfo=dt.timezone.utc)
    for k in range(meetings):
        start = midnight - dt.timedelta(seconds=rng.randrange(86_400, 25 * 86_400, 60))
        minutes = rng.choice([30, 45, 60])
        # At least two people, so Zoom's meeting report lists it whatever ``rows`` is.
        held = [(start, minutes, max(2, rows), "plain")]
        meeting = data.add(rng, free_number(rng, data), f"Bulk meeting {k + 1}", user, 2, held)
        meeting.instances[0].exact_rows = rows
    return user
