"""The public participant readers: validate, pick the cache policy, delegate to the report spec."""

from __future__ import annotations

import pandas as pd

from zoom_pandas.cache_policy import CacheMode, CachePolicy
from zoom_pandas.client import ZoomClient
from zoom_pandas.meeting_ids import parse_meeting_id
from zoom_pandas.report import frame_of
from zoom_pandas.reports import MEETING_REPORT, WEBINAR_REPORT, ReportFetcher, ReportSpec
from zoom_pandas.schema import DtypeBackend, check_dtype_backend

__all__ = ["read_participants", "read_webinar_participants"]


def _read(
    spec: ReportSpec,
    ref: object,
    include_registrant_id: bool,
    cache: CacheMode,
    client: ZoomClient | None,
    progress: bool | None,
    dtype_backend: DtypeBackend,
) -> pd.DataFrame:
    meeting = parse_meeting_id(ref)
    check_dtype_backend(dtype_backend)
    policy = CachePolicy.for_mode(cache, spec, client)
    fetcher = ReportFetcher(spec, client, include_registrant_id=include_registrant_id, progress=progress)
    return frame_of([policy.report(meeting, fetcher)], spec.fields, dtype_backend)


def read_participants(
    meeting_id: int | str,
    *,
    include_registrant_id: bool = False,
    cache: CacheMode = True,
    client: ZoomClient | None = None,
    progress: bool | None = None,
    dtype_backend: DtypeBackend = "pyarrow",
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
        ``True``: use the Parquet cache if it has the instance (settled and complete), else fetch
        and store. ``False``: neither read nor write the cache. ``"refresh"``: fetch and overwrite.
        ``"offline"``: never touch the network and build no client; a UUID gives its cached
        frame, a meeting number the newest cached instance.
    client : ZoomClient, optional
        The connection to use (default: the one ``zoom_pandas.login()`` made, else one from the
        ``ZOOM_*`` environment variables as they are now). The sandbox's reads are cached apart
        from Zoom's.
    progress : bool, optional
        Show a progress bar over pages; by default on in interactive sessions when the report
        has more than one page.
    dtype_backend : {"pyarrow", "numpy_nullable"}, default "pyarrow"
        ``"pyarrow"``: Arrow dtypes on every column. ``"numpy_nullable"``: ``datetime64[us, UTC]``,
        ``timedelta64``, ``boolean``, ``Int64`` and ``string``, as pandas' own readers offer.

    Returns
    -------
    pandas.DataFrame
        One row per join event in Zoom's order. Columns (``pyarrow`` dtypes): ``meeting_id``
        int64, ``meeting_uuid`` string, ``customer_key`` string, ``duration`` duration[s],
        ``failover`` bool, ``id`` string, ``join_time``/``leave_time`` timestamp[us, UTC],
        ``name``, ``registrant_id``, ``status``, ``user_email``, ``user_id``, ``bo_mtg_id``,
        ``participant_user_id`` strings, then any field Zoom adds later. Empty strings are NA.
        ``attrs["meetings"]`` holds one dict per instance (``meeting_id``, ``meeting_uuid``,
        ``topic``, ``start_time``, ``end_time``, ``total_records``, ``fetched_at``, ``source``:
        "api" or "cache"); for one instance the same keys also sit at the top of ``attrs``.

    Raises
    ------
    ValueError
        If ``meeting_id``, ``cache`` or ``dtype_backend`` is malformed (before any request).
    MeetingNotFound
        If Zoom does not know the meeting, or it has not ended.
    PermissionDenied, AuthError, RateLimited, ZoomAPIError
        For other refusals from Zoom.
    PaginationError
        If Zoom repeats a page token or sends more pages than its ``total_records`` allows.
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
    >>> df.groupby("meeting_uuid")["user_email"].nunique()             # doctest: +SKIP
    """
    return _read(MEETING_REPORT, meeting_id, include_registrant_id, cache, client, progress, dtype_backend)


def read_webinar_participants(
    webinar_id: int | str,
    *,
    include_registrant_id: bool = False,
    cache: CacheMode = True,
    client: ZoomClient | None = None,
    progress: bool | None = None,
    dtype_backend: DtypeBackend = "pyarrow",
) -> pd.DataFrame:
    """Read every attendee record of a past webinar instance into a typed DataFrame.

    The same as :func:`read_participants`, over ``GET /report/webinars/{id}`` (resolve) and
    ``GET /report/webinars/{uuid}/participants`` (pages), cached apart from meetings.

    Parameters
    ----------
    webinar_id : int or str
        A webinar number (its latest ended instance) or an instance UUID.
    include_registrant_id, cache, client, progress, dtype_backend
        As in :func:`read_participants`.

    Returns
    -------
    pandas.DataFrame
        The columns of :func:`read_participants` without ``bo_mtg_id`` (webinars have no breakout
        rooms); ``meeting_id`` and ``meeting_uuid`` hold the webinar's number and instance UUID.

    Raises
    ------
    ValueError, MeetingNotFound, PermissionDenied, AuthError, RateLimited, ZoomAPIError
        As in :func:`read_participants`; a missing scope names the webinar report's scopes
        (``report:read:admin`` or ``report:read:list_webinar_participants:admin``) and the
        Webinar add-on.
    PaginationError, CacheMiss
        As in :func:`read_participants`.

    Examples
    --------
    >>> df = zp.read_webinar_participants(94455667788)                # doctest: +SKIP
    """
    return _read(WEBINAR_REPORT, webinar_id, include_registrant_id, cache, client, progress, dtype_backend)
