"""``read_participants``: validate, choose the cache policy, delegate to the client and schema."""

from __future__ import annotations

import datetime as dt
import warnings
from typing import Any, Literal

import pandas as pd
import pyarrow as pa

from zoom_pandas.cache import CACHE_READ_ERRORS, CachedReport, ParticipantCache
from zoom_pandas.client import ZoomClient, default_client
from zoom_pandas.errors import CacheCorruptWarning, CacheMiss, CacheWriteWarning, IncompleteReportWarning
from zoom_pandas.meeting_ids import MeetingRef, parse_meeting_id
from zoom_pandas.progress import PageProgress
from zoom_pandas.schema import PARTICIPANT_FIELDS, to_frame

__all__ = ["CacheMode", "read_participants"]

#: What ``cache=`` accepts.
CacheMode = bool | Literal["refresh", "offline"]
_MODES = (True, False, "refresh", "offline")


def read_participants(
    meeting_id: int | str,
    *,
    include_registrant_id: bool = False,
    cache: CacheMode = True,
    client: ZoomClient | None = None,
    progress: bool | None = None,
) -> pd.DataFrame:
    """Read every participant record of a past meeting instance into a typed DataFrame.

    Parameters
    ----------
    meeting_id : int or str
        A meeting number (``85746065432`` or ``"857 4606 5432"``, as copied from the Zoom app;
        resolves to the latest ended instance) or an instance UUID (``"4444AAAiAAAAAiAiAiiAii=="``).
    include_registrant_id : bool, default False
        Also fetch ``registrant_id`` (``include_fields=registrant_id``).
    cache : {True, False, "refresh", "offline"}, default True
        ``True``: use the Parquet cache if it has the instance, else fetch and store.
        ``False``: neither read nor write the cache. ``"refresh"``: fetch and overwrite.
        ``"offline"``: never touch the network; a UUID gives its cached frame, a meeting number
        the newest cached instance.
    client : ZoomClient, optional
        The connection to use (default: the one ``zoom_pandas.login()`` made, else one from
        ``ZOOM_*`` environment variables).
    progress : bool, optional
        Show a progress bar over pages; by default on in interactive sessions when the report
        has more than one page.

    Returns
    -------
    pandas.DataFrame
        One row per join event in Zoom's order. Columns and Arrow dtypes: ``meeting_uuid``
        string, ``customer_key`` string, ``duration`` duration[s], ``failover`` bool, ``id``
        string, ``join_time``/``leave_time`` timestamp[us, UTC], ``name``, ``registrant_id``,
        ``status``, ``user_email``, ``user_id``, ``bo_mtg_id``, ``participant_user_id`` strings,
        then any field Zoom adds later. Empty strings are NA. ``attrs`` holds ``meeting_id``,
        ``meeting_uuid``, ``total_records``, ``fetched_at`` and ``source`` ("api" or "cache").

    Raises
    ------
    ValueError
        If ``meeting_id`` or ``cache`` is malformed (before any request).
    MeetingNotFound
        If Zoom does not know the meeting, or it has not ended.
    PermissionDenied, AuthError, RateLimited, ZoomAPIError
        For other refusals from Zoom.
    PaginationError
        If Zoom repeats a page token.
    CacheMiss
        With ``cache="offline"`` when nothing usable is cached.

    Warns
    -----
    IncompleteReportWarning
        When the rows fetched differ from Zoom's ``total_records``.

    Examples
    --------
    >>> import zoom_pandas as zp
    >>> df = zp.read_participants("857 4606 5432")                    # doctest: +SKIP
    >>> df.groupby("name")["duration"].sum()                           # doctest: +SKIP
    """
    meeting = parse_meeting_id(meeting_id)
    if not any(cache is mode or (isinstance(mode, str) and cache == mode) for mode in _MODES):
        raise ValueError(f"cache must be True, False, 'refresh' or 'offline', got {cache!r}")
    store = ParticipantCache() if cache is not False else None

    if cache == "offline":
        assert store is not None
        return _offline(store, meeting, include_registrant_id)
    if store is not None and cache is True and isinstance(meeting, str):
        hit = _usable(store, store.find(meeting), include_registrant_id)
        if hit is not None:
            return hit

    client = client or default_client()
    instance = client.past_meeting(meeting)
    meeting_uuid = str(instance["uuid"])
    meeting_number = int(instance["id"])
    if store is not None and cache is True and isinstance(meeting, int):
        hit = _usable(store, store.path_for(meeting_number, meeting_uuid), include_registrant_id)
        if hit is not None:
            return hit

    bar = PageProgress(enabled=progress, description=f"meeting {meeting_number}")
    try:
        table, total_records = client.participant_table(
            meeting_uuid, include_registrant_id=include_registrant_id, on_page=bar.update
        )
    finally:
        bar.close()
    fetched_at = dt.datetime.now(dt.timezone.utc)
    if total_records is not None and total_records != table.num_rows:
        warnings.warn(
            f"meeting {meeting_uuid}: Zoom announced {total_records} records but returned "
            f"{table.num_rows}; the report may be incomplete (Zoom completes reports up to 30 "
            "minutes after a meeting ends)",
            IncompleteReportWarning,
            stacklevel=2,
        )
    if store is not None:
        metadata = {
            "meeting_id": meeting_number,
            "meeting_uuid": meeting_uuid,
            "total_records": total_records,
            "fetched_at": fetched_at.isoformat(),
            "start_time": instance.get("start_time"),
            "end_time": instance.get("end_time"),
            "include_registrant_id": include_registrant_id,
        }
        try:
            store.save(table, metadata)
        except OSError as exc:  # the fetched rows are still good: do not lose them
            warnings.warn(
                f"could not cache meeting {meeting_uuid} in {store.root} ({exc}); returning it uncached",
                CacheWriteWarning,
                stacklevel=2,
            )
    return to_frame(
        table,
        _attrs(meeting_number, meeting_uuid, total_records, fetched_at, "api"),
    )


def _attrs(
    meeting_id: int, meeting_uuid: str, total_records: int | None, fetched_at: dt.datetime, source: str
) -> dict[str, Any]:
    return {
        "meeting_id": meeting_id,
        "meeting_uuid": meeting_uuid,
        "total_records": total_records,
        # An ISO-8601 string, so DataFrame.to_parquet can store the attrs (it JSON-encodes them).
        "fetched_at": fetched_at.isoformat(),
        "source": source,
    }


def _cached_frame(report: CachedReport, table: pa.Table) -> pd.DataFrame:
    table = table.replace_schema_metadata(None)
    known = [name for name in PARTICIPANT_FIELDS if name in table.column_names]
    table = table.select(known + [n for n in table.column_names if n not in PARTICIPANT_FIELDS])
    return to_frame(
        table,
        _attrs(report.meeting_id, report.meeting_uuid, report.total_records, report.fetched_at, "cache"),
    )


def _usable(store: ParticipantCache, path: Any, include_registrant_id: bool) -> pd.DataFrame | None:
    """A cached frame for an online read, or None (absent, provisional, other fields, damaged)."""
    if path is None or not path.exists():
        return None
    try:
        report = store.describe(path)
        if report.provisional or report.include_registrant_id != include_registrant_id:
            return None
        return _cached_frame(report, report.read())
    except CACHE_READ_ERRORS as exc:
        warnings.warn(
            f"ignoring the damaged cache file {path.name} ({type(exc).__name__}); fetching again",
            CacheCorruptWarning,
            stacklevel=3,
        )
        return None


def _offline(store: ParticipantCache, meeting: MeetingRef, include_registrant_id: bool) -> pd.DataFrame:
    if isinstance(meeting, str):
        path = store.find(meeting)
        if path is None:
            raise CacheMiss(f"instance {meeting!r} is not cached. {_what_is_cached(store)}")
        try:
            report = store.describe(path)
            table = report.read()
        except CACHE_READ_ERRORS as exc:
            raise CacheMiss(f"the cached file for {meeting!r} is unreadable: {exc}") from exc
    else:
        newest = store.newest(meeting)
        if newest is None:
            raise CacheMiss(f"meeting {meeting} has no cached instance. {_what_is_cached(store)}")
        report = newest
        try:
            table = report.read()
        except CACHE_READ_ERRORS as exc:
            raise CacheMiss(f"the cached file for meeting {meeting} is unreadable: {exc}") from exc
    if include_registrant_id and not report.include_registrant_id:
        raise CacheMiss(
            f"the cached copy of {report.meeting_uuid!r} was fetched without registrant_id; "
            "read it online once with include_registrant_id=True"
        )
    return _cached_frame(report, table)


def _what_is_cached(store: ParticipantCache) -> str:
    reports = store.reports()
    if not reports:
        return f"The cache at {store.root} is empty."
    listed = ", ".join(f"{r.meeting_id} ({r.meeting_uuid})" for r in reports[:10])
    more = f" and {len(reports) - 10} more" if len(reports) > 10 else ""
    return f"Cached: {listed}{more}."
