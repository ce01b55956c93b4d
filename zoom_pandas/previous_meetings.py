"""A host's own past meetings without report scopes: the same listing frame as the meeting reports.

``GET /users/{userId}/meetings?type=previous_meetings`` (Medium; ``meeting:read:list_meetings``)
lists a host's scheduled meetings; ``GET /past_meetings/{id}/instances`` (Medium) gives each one's
ended instances; ``GET /past_meetings/{uuid}`` (Light) each kept instance's topic, times and
counts — the same keys ``/report/users/{userId}/meetings`` lists, parsed by the same field map.
Zoom's listing has no instant meetings and no expired ones (zoom/FACTS.md §3.11).

Every answer is checked as the other listings are: a page that is not a meetings page is a
:class:`~zoom_pandas.ZoomAPIError` naming its call. A meeting whose instances Zoom will not list is
a failure the reader reports; an instance Zoom will not describe (400 code 12702, "a year ago")
keeps the row the listings gave; an instance without a uuid keeps its own row.
"""

from __future__ import annotations

import concurrent.futures
import datetime as dt
import json
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from zoom_pandas.client import ZoomClient
from zoom_pandas.errors import AuthError, RateLimited, ZoomAPIError, ZoomPandasError
from zoom_pandas.meeting_ids import encode_uuid
from zoom_pandas.paging import PAGE_SIZE, Page, parse_pages, read_pages
from zoom_pandas.schema import INSTANCES, MEETINGS, FieldMap

__all__ = ["previous_meetings_table"]

#: ``GET /users/{userId}/meetings``: the fields a host's listing needs.
LISTED = FieldMap(
    items="meetings",
    fields={"meeting_id": pa.int64(), "topic": pa.string(), "type": pa.int64()},
    renames={"id": "meeting_id"},
)
#: The listing's fields that a description (``GET /past_meetings/{uuid}``) also has.
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
#: A meeting Zoom will not list or describe: gone (404), too old (12702), not this host's (300).
_SKIPPABLE = (400, 403, 404)


def previous_meetings_table(
    user_segment: str, first: dt.date, last: dt.date, client: ZoomClient
) -> tuple[pa.Table, dict[str, ZoomPandasError]]:
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
    table : pyarrow.Table
        The columns of :data:`~zoom_pandas.schema.MEETINGS`, unsorted.
    failures : dict
        ``"meeting <number>"`` -> the error, for each meeting whose instances Zoom would not list.
    """
    path = f"/users/{user_segment}/meetings"
    params = {"type": "previous_meetings", "page_size": PAGE_SIZE}
    listed = parse_pages(read_pages(client, path, params, label="Medium"), LISTED, path).to_pylist()
    if any(not 0 < (row["meeting_id"] or 0) < 2**63 for row in listed):
        raise ZoomAPIError(200, None, f"GET {path}: a listed meeting has no usable id")
    about = {row["meeting_id"]: row for row in listed}
    numbers = list(about)
    workers = client.limiter.concurrency()
    with concurrent.futures.ThreadPoolExecutor(workers, thread_name_prefix="zoom-pandas") as pool:
        listings = list(pool.map(lambda number: _instances(client, number), numbers))
        failures = {
            f"meeting {n}": got
            for n, got in zip(numbers, listings, strict=True)
            if isinstance(got, ZoomPandasError)
        }
        wanted = _in_range([t for t in listings if isinstance(t, pa.Table)], first, last)
        rows = list(pool.map(lambda row: _described(client, row, about[row["id"]]), wanted))
    # Still inside the window by the described start (a listed one may have had none).
    return _within(pa.concat_tables(rows) if rows else MEETINGS.empty_table(), first, last), failures


def _instances(client: ZoomClient, number: int) -> pa.Table | ZoomPandasError:
    """The ended instances of one meeting, or the error that kept Zoom from listing them."""
    path = f"/past_meetings/{number}/instances"
    try:
        return parse_pages(
            read_pages(client, path, {}, label="Medium"), INSTANCES, path, {"meeting_id": number}
        )
    except ZoomAPIError as exc:
        if _skippable(exc):
            return exc
        raise


def _skippable(exc: ZoomAPIError) -> bool:
    """Zoom refused this one meeting or instance (not the app, the limit or the connection)."""
    return not isinstance(exc, (AuthError, RateLimited)) and exc.status_code in _SKIPPABLE


def _in_range(tables: list[pa.Table], first: dt.date, last: dt.date) -> list[dict[str, Any]]:
    """Each instance once (by uuid), that started from ``first`` to ``last`` or whose start is unknown."""
    if not tables:
        return []
    table = _within(pa.concat_tables(tables), first, last)
    rows, seen = [], set()
    for row in table.to_pylist():  # one row per instance: tens for a host, not a per-row hot loop
        uuid = row["meeting_uuid"]
        if uuid is not None and uuid in seen:
            continue
        seen.add(uuid)
        moment = row["start_time"]
        rows.append(
            {
                "id": row["meeting_id"],
                "uuid": uuid,
                "start_time": moment.isoformat().replace("+00:00", "Z") if moment else None,
            }
        )
    return rows


def _described(client: ZoomClient, row: dict[str, Any], listed: dict[str, Any]) -> pa.Table:
    """One instance as the meeting reports list it: its ``GET /past_meetings/{uuid}`` answer (Light).

    Without a uuid, or when Zoom will not describe it, the row the listings gave. Each row is
    parsed on its own, so a malformed description names the call that sent it.
    """
    known = {**row, "topic": listed.get("topic"), "type": listed.get("type")}
    listing = f"/past_meetings/{row['id']}/instances"
    if row["uuid"] is None:
        return _row_table(known, listing)
    path = f"/past_meetings/{encode_uuid(row['uuid'])}"
    try:
        body = client.get_json(path, label="Light")
    except ZoomAPIError as exc:
        if _skippable(exc):
            return _row_table(known, listing)
        raise
    if body.get("uuid") != row["uuid"] or body.get("id") != row["id"]:
        # An answer about another instance is not this one's description.
        return _row_table(known, listing)
    return _row_table({**known, **{key: body[key] for key in _KEYS if key in body}}, path)


def _row_table(row: dict[str, Any], path: str) -> pa.Table:
    """One listing row typed by the meetings field map (a ZoomAPIError naming ``path`` if malformed)."""
    return parse_pages([Page(json.dumps({"meetings": [row]}).encode(), "", 1, None)], MEETINGS, path)


def _within(table: pa.Table, first: dt.date, last: dt.date) -> pa.Table:
    """The rows that started from ``first`` to ``last`` (UTC days), or whose start is unknown."""
    kind = table.schema.field("start_time").type
    start = pa.scalar(dt.datetime.combine(first, dt.time(), dt.timezone.utc), kind)
    end = pa.scalar(dt.datetime.combine(last + dt.timedelta(days=1), dt.time(), dt.timezone.utc), kind)
    times = table.column("start_time")
    inside = pc.and_kleene(pc.greater_equal(times, start), pc.less(times, end))
    return table.filter(pc.or_kleene(inside, pc.is_null(times)))
