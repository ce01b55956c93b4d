"""How the picker writes times and counts: one named time zone, Zoom's counts said to be Zoom's."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

import pandas as pd

__all__ = ["instance_label", "meeting_label", "utc_text", "wall_clock", "zone_named"]

#: Wall-clock times in labels; the zone is named once beside them, not abbreviated in each.
WHEN = "%a %d %b %Y %H:%M"


def zone_named(name: object) -> tuple[dt.tzinfo, str]:
    """A Zoom profile's ``timezone`` as a zone and its IANA name; UTC when absent or unknown."""
    if isinstance(name, str) and name.strip():
        try:
            return zoneinfo.ZoneInfo(name.strip()), name.strip()
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            pass
    return dt.timezone.utc, "UTC"


def wall_clock(moment: Any, zone: dt.tzinfo, pattern: str = WHEN) -> str:
    """A UTC timestamp as wall-clock text in ``zone`` ("" when missing)."""
    if moment is None or pd.isna(moment):
        return ""
    return str(pd.Timestamp(moment).tz_convert(zone).strftime(pattern))


def utc_text(moment: Any) -> str:
    """A timestamp in UTC, for hovering: ``Tue 24 Nov 2026 15:00 UTC``."""
    return f"{wall_clock(moment, dt.timezone.utc)} UTC" if moment is not None and not pd.isna(moment) else ""


def _zoom_count(count: Any) -> str:
    return "" if count is None or pd.isna(count) else f"Zoom counts {int(count):,} participants"


def meeting_label(held: pd.DataFrame, zone: dt.tzinfo) -> str:
    """One meeting number's sessions in the listed range (newest first) as one line of the list.

    Recurring: how many sessions the range holds (the instance list shows exactly those). One
    session: Zoom's own participant count, said to be Zoom's.
    """
    latest = held.iloc[0]
    parts = [str(latest["topic"]), wall_clock(latest["start_time"], zone)]
    if len(held) > 1:
        parts.append(f"{len(held)} sessions in range")
    elif count := _zoom_count(latest.get("participants_count")):
        parts.append(count)
    return " · ".join(part for part in parts if part)


def instance_label(session: Any, zone: dt.tzinfo) -> str:
    """One session (a row of the listing): its start and Zoom's participant count."""
    parts = [wall_clock(session["start_time"], zone), _zoom_count(session.get("participants_count"))]
    return " · ".join(part for part in parts if part)
