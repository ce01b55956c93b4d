"""The loaded participants as a person reads them: who, when, how long first; no empty columns."""

from __future__ import annotations

import datetime as dt
import html
from typing import Any

import pandas as pd

from zoom_pandas.people import count_people
from zoom_pandas.widgets._labels import wall_clock

__all__ = ["READ_FIRST", "SAID_ONCE", "caption", "loaded_line", "participants_table", "shown_columns"]

#: How the status line names where loaded rows came from.
_ENDPOINTS = {
    "report": "Zoom's participant report",
    "past_meetings": "the host's past meetings (no breakout rooms)",
}
_PEOPLE_RULE = "<code>df.zoom</code>'s rule: one per Zoom account, else email, else name"

#: The columns a person reads, in this order; the others follow in the frame's order.
READ_FIRST = ("name", "user_email", "join_time", "leave_time", "duration", "status")
#: The same on every row of one instance: said once in the caption, not on each line.
SAID_ONCE = ("meeting_id", "meeting_uuid")
_TIMES = ("join_time", "leave_time")
_CELL = "padding:3px 10px;text-align:left;border-bottom:1px solid #e6e6e6"
_HEAD = "padding:3px 10px;text-align:left;border-bottom:1px solid #999;font-weight:600"


def shown_columns(frame: pd.DataFrame) -> list[str]:
    """Which columns the table shows: :data:`READ_FIRST` first, then the rest, none that is all NA.

    ``meeting_id`` and ``meeting_uuid`` are left to the caption. With no rows, the read-first ones.
    """
    first = [name for name in READ_FIRST if name in frame.columns]
    rest = [name for name in frame.columns if name not in READ_FIRST and name not in SAID_ONCE]
    if frame.empty:
        return first
    return [name for name in first + rest if not frame[name].isna().all()]


def _duration(value: Any) -> str:
    seconds = int(pd.Timedelta(value).total_seconds())
    sign, seconds = ("-", -seconds) if seconds < 0 else ("", seconds)
    return f"{sign}{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


def _cell(name: str, value: Any, zone: dt.tzinfo) -> str:
    if value is None or (not isinstance(value, (list, dict)) and pd.isna(value)):
        return ""
    if name in _TIMES:
        return wall_clock(value, zone, "%Y-%m-%d %H:%M:%S")
    if isinstance(value, (pd.Timedelta, dt.timedelta)):
        return _duration(value)
    return str(value)


def participants_table(frame: pd.DataFrame, zone: dt.tzinfo, *, rows: int = 20) -> str:
    """The first ``rows`` rows as an HTML table: no wrapping, times as wall clock in ``zone``.

    Durations read ``H:MM:SS``; missing values are blank; wide tables scroll sideways.
    """
    columns = shown_columns(frame)
    head = "".join(f"<th style='{_HEAD}'>{html.escape(name)}</th>" for name in columns)
    shown = frame[columns].head(rows)
    body = "".join(
        "<tr>"
        + "".join(
            f"<td style='{_CELL}'>{html.escape(_cell(name, value, zone))}</td>"
            for name, value in zip(columns, values, strict=True)
        )
        + "</tr>"
        for values in shown.itertuples(index=False, name=None)
    )
    return (
        "<div style='overflow-x:auto;max-width:100%'>"
        "<table class='zoom-pandas-participants' "
        "style='border-collapse:collapse;white-space:nowrap;font-size:12px;line-height:1.4'>"
        f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>"
    )


def loaded_line(frame: pd.DataFrame, *, zoom_count: int | None) -> str:
    """Rows, people by the ``df.zoom`` rule and where they came from; Zoom's count when it differs."""
    people = count_people(frame)
    endpoint = _ENDPOINTS.get(str(frame.attrs.get("endpoint")), "Zoom")
    cached = " (cached)" if frame.attrs.get("source") == "cache" else ""
    line = (
        f"Loaded <b>{len(frame):,}</b> rows, <b>{people:,}</b> people ({_PEOPLE_RULE}) from "
        f"{html.escape(endpoint)}{cached}"
    )
    if zoom_count is not None and zoom_count != people:
        line += f"; Zoom's list counted {zoom_count:,} participants, by its own rule"
    return line


def caption(frame: pd.DataFrame, zone: dt.tzinfo, zone_name: str, *, rows: int) -> str:
    """What every row of one session shares, said once: topic, time, meeting id and uuid."""
    attrs = frame.attrs
    start, end = attrs.get("start_time"), attrs.get("end_time")
    when = wall_clock(start, zone) if start else ""
    if when and end:
        when += "–" + wall_clock(end, zone, "%H:%M")
    shown = min(rows, len(frame))
    counted = f"all {len(frame):,} rows" if shown == len(frame) else f"first {shown} of {len(frame):,} rows"
    parts = [
        f"<b>{html.escape(str(attrs.get('topic') or ''))}</b>",
        f"{html.escape(when)} ({html.escape(zone_name)})" if when else "",
        f"meeting {attrs.get('meeting_id', '')}",
        f"meeting_uuid <code>{html.escape(str(attrs.get('meeting_uuid', '')))}</code>",
    ]
    return (
        f"<div>{' · '.join(part for part in parts if part)}</div>"
        f"<div style='color:#555'>{counted}; times in {html.escape(zone_name)}. "
        "<code>picker.df</code> holds every row and column, times in UTC.</div>"
    )
