"""Readers that find meetings: a user's past meetings, the instances of a number, a user's profile."""

from __future__ import annotations

import concurrent.futures
import datetime as dt

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from zoom_pandas.client import ZoomClient
from zoom_pandas.default_client import default_client
from zoom_pandas.errors import (
    PartialReadWarning,
    ZoomAPIError,
    ZoomPandasError,
    failure_lines,
    failure_records,
    warn,
)
from zoom_pandas.meeting_ids import parse_meeting_id
from zoom_pandas.paging import PAGE_SIZE, Page, parse_pages, read_pages
from zoom_pandas.previous_meetings import previous_meetings_table
from zoom_pandas.reports import MEETING_REPORT, WEBINAR_REPORT, ReportFetcher
from zoom_pandas.schema import MEETINGS, DtypeBackend, check_dtype_backend, to_frame
from zoom_pandas.sources import Source, check_source, is_missing_scope, refused, switched
from zoom_pandas.users import active_users, user_segment

__all__ = ["listing_range", "meetings_table", "read_instances", "read_meetings"]

#: Zoom's meeting types that are webinars (5 webinar, 6 and 9 recurring webinars).
WEBINAR_TYPES = (5, 6, 9)
#: Zoom's report covers a window of at most one month, inside the last six months.
WINDOW_DAYS = 30
REACH_DAYS = 182


def _as_date(value: dt.date | str | None, default: dt.date) -> dt.date:
    if value is None:
        return default
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.timezone.utc).date() if value.tzinfo else value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def _newest_first(table: pa.Table) -> pa.Table:
    return table.sort_by([("start_time", "descending")])


def read_meetings(
    user_id: str = "me",
    *,
    start: dt.date | str | None = None,
    end: dt.date | str | None = None,
    source: Source = "auto",
    client: ZoomClient | None = None,
    dtype_backend: DtypeBackend = "pyarrow",
) -> pd.DataFrame:
    """Past meeting instances a user hosted, from ``GET /report/users/{userId}/meetings``.

    Parameters
    ----------
    user_id : str, default "me"
        User id, email, ``"me"``, or ``"all"``: every active user of the account
        (``GET /users?status=active``, needs ``user:read:admin``), their listings read
        concurrently under the client's ``rate_limit``.
    start, end : date or "YYYY-MM-DD", optional
        Whole UTC days, inclusive (default: the last 30 days). Longer ranges are split into
        one-month windows, as Zoom requires.
    source : {"auto", "report", "past_meetings"}, default "auto"
        ``"report"``: Zoom's meeting reports (an admin's scope ``report:read:admin`` or
        ``report:read:user:admin``; six months back). ``"past_meetings"``: the host's previous
        meetings (``GET /users/{userId}/meetings?type=previous_meetings``, then each one's ended
        instances and their details; the user-level scopes ``meeting:read:list_meetings``,
        ``meeting:read:list_past_instances`` and ``meeting:read:past_meeting``): the same columns,
        but Zoom lists no instant meetings there and no meetings it has expired. ``"auto"``: the
        reports, and when Zoom refuses them for a missing scope, the previous meetings, with one
        :class:`ZoomPandasWarning`; remembered per client. ``user_id="all"`` needs the reports.
    client : ZoomClient, optional
        Default: the signed-in client, else one from ``ZOOM_*``.
    dtype_backend : {"pyarrow", "numpy_nullable"}, default "pyarrow"
        As in :func:`~zoom_pandas.read_participants`.

    Returns
    -------
    pandas.DataFrame
        One row per meeting instance, newest first: ``meeting_id``, ``meeting_uuid``, ``topic``,
        ``start_time``, ``end_time`` (UTC), ``duration``, ``participants_count``, ``total_minutes``,
        ``type``, ``user_name``, ``user_email``, ``source``. Webinars are listed too (``type`` 5, 6
        or 9: read them with ``read_webinar_participants``). An instance Zoom lists twice appears
        once; one listed without a uuid keeps its own row.

    Raises
    ------
    ValueError
        If ``start`` is after ``end``, or (reading the reports) older than Zoom's six-month reach,
        or ``source`` is not one of the three (before any request).

    Warns
    -----
    PartialReadWarning
        With ``"all"``, when some users' meetings could not be listed (``attrs["failures"]``
        names them); the others are returned. When none could be, the first error is raised.
        From the previous meetings, when Zoom would not list some meeting's instances.
    ZoomPandasWarning
        With ``source="auto"``, once per client, when Zoom refuses the reports and the listing
        switches to the previous meetings.
    """
    check_dtype_backend(dtype_backend)
    check_source(source)
    client = client or default_client()
    reports = _use_reports(source, client) or (source == "auto" and _is_all(user_id))
    first, last = listing_range(start, end, reach=reports)
    failures: dict[str, ZoomPandasError] = {}
    if reports:
        try:
            table, failures = meetings_table(user_id, first, last, client)
        except ZoomAPIError as exc:
            if source == "report" or not is_missing_scope(exc) or _is_all(user_id):
                raise
            table, failures = switched(
                client,
                "meetings",
                lambda: previous_meetings_table(user_segment(user_id), first, last, client),
            )
    elif _is_all(user_id):
        raise ValueError("user_id='all' lists every user's meetings from the reports: use source='report'")
    else:
        table, failures = previous_meetings_table(user_segment(user_id), first, last, client)
    table = _newest_first(table)
    frame = to_frame(table, dtype_backend=dtype_backend)
    if failures:
        frame.attrs["failures"] = failure_records(failures)
        listed = "; ".join(failure_lines(failures))
        whose = (
            f"meetings of {len(failures)} user(s)" if reports else f"instances of {len(failures)} meeting(s)"
        )
        warn(f"the {whose} could not be listed: {listed}", PartialReadWarning)
    return frame


def _is_all(user_id: str) -> bool:
    return str(user_id).strip().lower() == "all"


def _use_reports(source: Source, client: ZoomClient) -> bool:
    """Whether a listing asks the meeting reports (not once Zoom refused them to this client)."""
    return source == "report" or (source == "auto" and not refused(client, "meetings"))


def listing_range(
    start: dt.date | str | None, end: dt.date | str | None, *, reach: bool = True
) -> tuple[dt.date, dt.date]:
    """The first and last UTC day of a listing (``ValueError`` before any request).

    With ``reach`` (the meeting reports), a start beyond Zoom's six months is a ``ValueError`` too.
    """
    today = dt.datetime.now(dt.timezone.utc).date()
    last = _as_date(end, today)
    first = _as_date(start, last - dt.timedelta(days=WINDOW_DAYS))
    if first > last:
        raise ValueError(f"start {first} is after end {last}")
    if reach and first < today - dt.timedelta(days=REACH_DAYS):
        raise ValueError(
            f"start {first} is beyond Zoom's reach: meeting reports cover only the last six months "
            f"(from {today - dt.timedelta(days=REACH_DAYS)}); a host's own previous meetings reach "
            "further: source='past_meetings'"
        )
    return first, last


def meetings_table(
    user_id: str, first: dt.date, last: dt.date, client: ZoomClient
) -> tuple[pa.Table, dict[str, ZoomPandasError]]:
    """The instances one user (or every active user) held, newest first, and the users that failed.

    With ``"all"``, one user's failure (deleted meanwhile, no report access) leaves the others
    listed; when every user fails, the first failure is raised.
    """
    failures: dict[str, ZoomPandasError] = {}
    if _is_all(user_id):
        users = active_users(client)
        with concurrent.futures.ThreadPoolExecutor(client.limiter.concurrency()) as pool:
            listed = list(pool.map(lambda user: _guarded_listing(client, user, first, last), users))
        failures = {
            user: result for user, result in zip(users, listed, strict=True) if isinstance(result, Exception)
        }
        if users and len(failures) == len(users):
            raise next(iter(failures.values()))
        pages = [page for result in listed if not isinstance(result, Exception) for page in result]
    else:
        pages = _listing(client, user_id, first, last)
    table = parse_pages(pages, MEETINGS, "/report/users/{userId}/meetings")
    uuids = table.column("meeting_uuid")
    # The last listing of an instance wins; rows without a uuid are never merged with each other.
    listed_again = pa.array(uuids.to_pandas().duplicated(keep="last").to_numpy(dtype=bool))
    keep = pc.or_(pc.is_null(uuids), pc.invert(listed_again))
    return _newest_first(table.filter(keep)), failures


def _guarded_listing(
    client: ZoomClient, user_id: str, first: dt.date, last: dt.date
) -> list[Page] | ZoomPandasError:
    try:
        return _listing(client, user_id, first, last)
    except ZoomPandasError as exc:
        return exc


def _listing(client: ZoomClient, user_id: str, first: dt.date, last: dt.date) -> list[Page]:
    """Every page of one user's meeting reports, one-month window after window (Heavy)."""
    path = f"/report/users/{user_segment(user_id)}/meetings"
    pages: list[Page] = []
    window_start = first
    while window_start <= last:
        window_end = min(last, window_start + dt.timedelta(days=WINDOW_DAYS - 1))
        params = {"from": window_start.isoformat(), "to": window_end.isoformat(), "page_size": PAGE_SIZE}
        pages += read_pages(client, path, params, label="Heavy")
        window_start = window_end + dt.timedelta(days=1)
    return pages


def read_instances(
    meeting_id: int | str,
    *,
    webinar: bool = False,
    client: ZoomClient | None = None,
    dtype_backend: DtypeBackend = "pyarrow",
) -> pd.DataFrame:
    """The ended instances of a meeting (or webinar) number, from ``GET /past_meetings/{id}/instances``.

    Parameters
    ----------
    meeting_id : int or str
        A meeting number (spaces and dashes allowed).
    webinar : bool, default False
        A webinar number instead (``GET /past_webinars/{id}/instances``).
    client : ZoomClient, optional
        Default: the signed-in client, else one from ``ZOOM_*``.
    dtype_backend : {"pyarrow", "numpy_nullable"}, default "pyarrow"
        As in :func:`~zoom_pandas.read_participants`.

    Returns
    -------
    pandas.DataFrame
        ``meeting_id``, ``meeting_uuid`` and ``start_time`` (UTC), newest first.

    Raises
    ------
    ValueError
        For an instance UUID or anything but a number (before any request).
    """
    meeting = parse_meeting_id(meeting_id)
    if not isinstance(meeting, int):
        raise ValueError("read_instances takes a meeting number, not an instance UUID")
    check_dtype_backend(dtype_backend)
    fetcher = ReportFetcher(WEBINAR_REPORT if webinar else MEETING_REPORT, client)
    return to_frame(_newest_first(fetcher.instances_table(meeting)), dtype_backend=dtype_backend)
