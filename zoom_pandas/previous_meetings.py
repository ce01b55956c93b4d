"""A host's own past meetings without report scopes: the same listing frame as the meeting reports.

``GET /users/{userId}/meetings?type=previous_meetings`` (Medium; ``meeting:read:list_meetings``)
lists a host's scheduled meetings; ``GET /past_meetings/{id}/instances`` (Medium) gives each one's
ended instances; ``GET /past_meetings/{uuid}`` (Light) each kept instance's topic, times and
counts — the same keys ``/report/users/{userId}/meetings`` lists, parsed by the same field map.
Zoom's listing has no instant meetings and no expired ones (zoom/FACTS.md §3.11).
"""

from __future__ import annotations

import concurrent.futures
import datetime as dt
import json
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from zoom_pandas.client import ZoomClient
from zoom_pandas.errors import MeetingNotFound
from zoom_pandas.meeting_ids import encode_uuid
from zoom_pandas.paging import PAGE_SIZE, Page, parse_pages, read_pages
from zoom_pandas.schema import INSTANCES, MEETINGS

__all__ = ["previous_meetings_table"]

#: The listing's fields that a resolve answer (``GET /past_meetings/{uuid}``) also has.
_KEYS = (
    "id",
    "uuid",
    "topic",
    "start_time",
    "end_time",
    "duration",
    "participants_count",
    "total_minutes",
    "type",
    "user_name",
    "user_email",
    "source",
)


def previous_meetings_table(user_segment: str, first: dt.date, last: dt.date, client: ZoomClient) -> pa.Table:
    """The ended instances a host held from ``first`` to ``last`` (UTC days), as the meetings listing.

    Parameters
    ----------
    user_segment : str
        The user as one encoded path segment (``me``, an id or an email).
    first, last : datetime.date
        Whole UTC days, inclusive, of the instances' start.
    client : ZoomClient
        The connection (its rate limiter paces every request).

    Returns
    -------
    pyarrow.Table
        The columns of :data:`~zoom_pandas.schema.MEETINGS`, unsorted.
    """
    path = f"/users/{user_segment}/meetings"
    params = {"type": "previous_meetings", "page_size": PAGE_SIZE}
    listed = _decoded(read_pages(client, path, params, label="Medium"), "meetings")
    numbers = list(dict.fromkeys(m["id"] for m in listed if type(m.get("id")) is int and m["id"] > 0))
    topics = {m["id"]: m for m in listed if type(m.get("id")) is int}
    workers = client.limiter.concurrency()
    with concurrent.futures.ThreadPoolExecutor(workers, thread_name_prefix="zoom-pandas") as pool:
        tables = list(pool.map(lambda number: _instances(client, number), numbers))
        wanted = [row for table in tables for row in _in_range(table, first, last)]
        rows = list(pool.map(lambda row: _described(client, row, topics.get(row["id"], {})), wanted))
    body = json.dumps({"meetings": rows}).encode()
    return parse_pages([Page(body, "", len(rows), None)], MEETINGS, path)


def _decoded(pages: list[Page], key: str) -> list[dict[str, Any]]:
    """The list ``key`` of every page, objects only (the pages were checked as JSON objects)."""
    items: list[dict[str, Any]] = []
    for page in pages:
        value = json.loads(page.body).get(key)
        if isinstance(value, list):
            items += [item for item in value if isinstance(item, dict)]
    return items


def _instances(client: ZoomClient, number: int) -> pa.Table:
    path = f"/past_meetings/{number}/instances"
    try:
        pages = read_pages(client, path, {}, label="Medium")
    except MeetingNotFound:  # listed as previous but nothing Zoom still holds
        return INSTANCES.empty_table()
    return parse_pages(pages, INSTANCES, path, {"meeting_id": number})


def _in_range(table: pa.Table, first: dt.date, last: dt.date) -> list[dict[str, Any]]:
    """The instances that started from ``first`` to ``last`` (UTC days), with a uuid."""
    start = pa.scalar(
        dt.datetime.combine(first, dt.time(), dt.timezone.utc), table.schema.field("start_time").type
    )
    end = pa.scalar(
        dt.datetime.combine(last + dt.timedelta(days=1), dt.time(), dt.timezone.utc),
        table.schema.field("start_time").type,
    )
    times = table.column("start_time")
    keep = pc.and_kleene(
        pc.and_kleene(pc.greater_equal(times, start), pc.less(times, end)),
        pc.is_valid(table.column("meeting_uuid")),
    )
    return [
        {"id": row["meeting_id"], "uuid": row["meeting_uuid"], "start_time": row["start_time"]}
        for row in table.filter(keep).to_pylist()
    ]


def _described(client: ZoomClient, row: dict[str, Any], listed: dict[str, Any]) -> dict[str, Any]:
    """One instance as the meeting reports list it: its ``GET /past_meetings/{uuid}`` answer (Light)."""
    fallback = {
        "id": row["id"],
        "uuid": row["uuid"],
        "start_time": row["start_time"].isoformat().replace("+00:00", "Z"),
        "topic": listed.get("topic") if isinstance(listed.get("topic"), str) else None,
        "type": listed.get("type") if type(listed.get("type")) is int else None,
    }
    try:
        body = client.get_json(f"/past_meetings/{encode_uuid(row['uuid'])}", label="Light")
    except MeetingNotFound:
        return fallback
    if body.get("uuid") != row["uuid"] or body.get("id") != row["id"]:
        return fallback  # an answer about another instance is not this one's description
    return {**fallback, **{key: body[key] for key in _KEYS if key in body}}
