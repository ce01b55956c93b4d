"""An instant meeting: one a teacher started on the spot, not scheduled (Zoom's meeting type 1).

Zoom's "List meetings" (``GET /users/{userId}/meetings``) never returns instant meetings
(zoom/FACTS.md §3.11), so a host without report scopes reaches this one only by its number or
UUID, or through the web portal's CSV export. It draws from its own generator
(``random.Random(f"instant:{seed}")``) and is added after everything else, so every earlier user,
meeting, instance UUID and row is unchanged.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import TYPE_CHECKING

from zoom_pandas.sandbox.instances import Meeting

if TYPE_CHECKING:
    from zoom_pandas.sandbox.data import SandboxData

__all__ = ["INSTANT_HOST", "add_instant"]

#: Who started the instant meeting (a term user, so the first four users' data stays as it was).
INSTANT_HOST = "math.teacher@example.com"


def add_instant(data: SandboxData, number: int) -> Meeting:
    """Add an instant meeting ``number`` that :data:`INSTANT_HOST` held nine days before today.

    Parameters
    ----------
    data : SandboxData
        The account (with the term's users already in it).
    number : int
        The meeting number (``SandboxData.INSTANT_MEETING``).

    Returns
    -------
    Meeting
        The meeting: type 1, one instance of 40 minutes with the host and five people.
    """
    rng = random.Random(f"instant:{data.seed}")
    host = data.user(INSTANT_HOST)
    if host is None:  # pragma: no cover - the term always adds the host
        raise LookupError(f"{INSTANT_HOST} is not a sandbox user")
    start = dt.datetime.combine(data.today - dt.timedelta(days=9), dt.time(17, 10), tzinfo=dt.timezone.utc)
    # Zoom names an instant meeting after its host.
    topic = f"{host.display_name}'s Zoom Meeting"
    return data.add(rng, number, topic, host, 1, [(start, 40, 6, "plain")])
