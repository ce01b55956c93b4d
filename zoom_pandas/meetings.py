"""Finding meetings: past meetings of a user, and the instances of a recurring meeting."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
import pyarrow as pa

from zoom_pandas.client import PAGE_SIZE, ZoomClient, default_client
from zoom_pandas.meeting_ids import parse_meeting_id

__all__ = ["INSTANCE_FIELDS", "MEETING_FIELDS", "read_instances", "read_meetings"]

#: Zoom's report covers a window of at most one month, inside the last six months.
WINDOW_DAYS = 30
REACH_DAYS = 182

_TIME = pa.timestamp("us", tz="UTC")
MEETING_FIELDS: dict[str, pa.DataType] = {
    "uuid": pa.string(),
    "id": pa.int64(),
    "topic": pa.string(),
    "start_time": _TIME,
    "end_time": _TIME,
    "duration": pa.duration("s"),
    "participants_count": pa.int64(),
    "total_minutes": pa.int64(),
    "type": pa.int64(),
    "user_name": pa.string(),
    "user_email": pa.string(),
    "source": pa.string(),
}
INSTANCE_FIELDS: dict[str, pa.DataType] = {"uuid": pa.string(), "start_time": _TIME}


def _as_date(value: dt.date | str | None, default: dt.date) -> dt.date:
    if value is None:
        return default
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.timezone.utc).date() if value.tzinfo else value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def _frame(records: list[dict[str, Any]], fields: dict[str, pa.DataType]) -> pd.DataFrame:
    columns: dict[str, pa.Array] = {}
    for name, kind in fields.items():
        values = [record.get(name) for record in records]
        if pa.types.is_timestamp(kind):
            text = pa.array([v or None for v in values], pa.string())
            columns[name] = text.cast(kind)
        elif pa.types.is_duration(kind):  # Zoom reports meeting durations in minutes
            columns[name] = pa.array([None if v is None else int(v) * 60 for v in values], pa.int64()).cast(
                kind
            )
        else:
            columns[name] = pa.array([None if v == "" else v for v in values], kind)
    frame: pd.DataFrame = pa.table(columns).to_pandas(types_mapper=pd.ArrowDtype)
    return frame


def read_meetings(
    user_id: str = "me",
    *,
    start: dt.date | str | None = None,
    end: dt.date | str | None = None,
    client: ZoomClient | None = None,
) -> pd.DataFrame:
    """Past meetings a user hosted, from ``GET /report/users/{userId}/meetings``.

    Parameters
    ----------
    user_id : str, default "me"
        User id, email, or ``"me"``.
    start, end : date or "YYYY-MM-DD", optional
        Whole UTC days, inclusive (default: the last 30 days). Longer ranges are split into
        one-month windows, as Zoom requires.
    client : ZoomClient, optional
        Default: the signed-in client.

    Returns
    -------
    pandas.DataFrame
        One row per meeting instance, newest first: ``uuid``, ``id``, ``topic``, ``start_time``,
        ``end_time`` (UTC), ``duration``, ``participants_count``, ...

    Raises
    ------
    ValueError
        If ``start`` is after ``end`` or older than Zoom's six-month reach (before any request).
    """
    today = dt.datetime.now(dt.timezone.utc).date()
    last = _as_date(end, today)
    first = _as_date(start, last - dt.timedelta(days=WINDOW_DAYS))
    if first > last:
        raise ValueError(f"start {first} is after end {last}")
    if first < today - dt.timedelta(days=REACH_DAYS):
        raise ValueError(
            f"start {first} is beyond Zoom's reach: meeting reports cover only the last six months "
            f"(from {today - dt.timedelta(days=REACH_DAYS)})"
        )
    client = client or default_client()
    records: dict[str, dict[str, Any]] = {}
    window_start = first
    while window_start <= last:
        window_end = min(last, window_start + dt.timedelta(days=WINDOW_DAYS - 1))
        params: dict[str, Any] = {
            "from": window_start.isoformat(),
            "to": window_end.isoformat(),
            "page_size": PAGE_SIZE,
        }
        for page in client.paged_json(f"/report/users/{user_id}/meetings", params):
            for meeting in page.get("meetings") or []:
                records[str(meeting.get("uuid"))] = meeting
        window_start = window_end + dt.timedelta(days=1)
    ordered = sorted(records.values(), key=lambda m: str(m.get("start_time", "")), reverse=True)
    return _frame(ordered, MEETING_FIELDS)


def read_instances(meeting_id: int | str, *, client: ZoomClient | None = None) -> pd.DataFrame:
    """The held instances of a meeting number, from ``GET /past_meetings/{id}/instances``.

    Parameters
    ----------
    meeting_id : int or str
        A meeting number (spaces and dashes allowed).
    client : ZoomClient, optional
        Default: the signed-in client.

    Returns
    -------
    pandas.DataFrame
        ``uuid`` and ``start_time`` (UTC), newest first.
    """
    meeting = parse_meeting_id(meeting_id)
    if not isinstance(meeting, int):
        raise ValueError("read_instances takes a meeting number, not an instance UUID")
    client = client or default_client()
    body = client.get_json(f"/past_meetings/{meeting}/instances")
    instances = sorted(body.get("meetings") or [], key=lambda m: str(m.get("start_time", "")), reverse=True)
    return _frame(instances, INSTANCE_FIELDS)
