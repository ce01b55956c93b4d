"""``ZoomClient``: one keep-alive session to Zoom's REST API with retries, rate limits and errors.

This is the only place where HTTP answers become exceptions (see :mod:`zoom_pandas.errors`).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import time
import urllib.parse
from collections.abc import Callable, Iterator, Mapping
from typing import Any, TypeVar

import pyarrow as pa
import requests
import requests.auth

from zoom_pandas import __version__
from zoom_pandas.auth import BearerAuth, ServerToServerAuth
from zoom_pandas.config import ZoomConfig
from zoom_pandas.errors import (
    AuthError,
    MeetingNotFound,
    PaginationError,
    PermissionDenied,
    RateLimited,
    ZoomAPIError,
)
from zoom_pandas.meeting_ids import MeetingRef, path_segment
from zoom_pandas.retry import Pacer, RetryPolicy, parse_retry_after
from zoom_pandas.schema import ParticipantPage, participants_table, read_page

__all__ = ["PAGE_SIZE", "ZoomClient", "default_client", "set_default_client"]

logger = logging.getLogger("zoom_pandas")

PageT = TypeVar("PageT")

#: Zoom's largest page size for report endpoints.
PAGE_SIZE = 300

_TRANSIENT = (requests.ConnectionError, requests.Timeout, requests.exceptions.ChunkedEncodingError)
_PERMISSION_CODES = {200, 1010, 4700, 4711, 12702}
_SCOPE_HINT = (
    " The app needs the scope report:read:admin (classic) or "
    "report:read:list_meeting_participants:admin (granular), and a Pro or higher plan."
)


class ZoomClient:
    """A connection to Zoom's REST API (or the built-in sandbox).

    Configuration comes from keyword arguments, else from ``ZOOM_*`` environment variables.

    Parameters
    ----------
    account_id, client_id, client_secret : str, optional
        Server-to-Server OAuth credentials (``ZOOM_ACCOUNT_ID``, ``ZOOM_CLIENT_ID``,
        ``ZOOM_CLIENT_SECRET``).
    api_url : str, optional
        REST base URL (``ZOOM_API_URL``, default ``https://api.zoom.us/v2``).
    oauth_url : str, optional
        OAuth base URL (``ZOOM_OAUTH_URL``, default ``https://zoom.us/oauth``).
    auth : requests.auth.AuthBase, optional
        Use this instead of Server-to-Server OAuth (e.g. a user OAuth login).
    session : requests.Session, optional
        The HTTP session to use; one keep-alive session is created by default.
    timeout : float or (float, float)
        Connect and read timeouts in seconds.
    retry : RetryPolicy, optional
        Backoff and rate-limit limits.
    requests_per_second : float, optional
        Pace requests to stay under Zoom's per-second limit instead of meeting 429s
        (e.g. 10 for the Heavy label on Pro, 40 on Business). Default: no pacing.

    Examples
    --------
    >>> client = ZoomClient(account_id="A", client_id="C", client_secret="S")
    >>> client
    ZoomClient(api_url='https://api.zoom.us/v2', auth=ServerToServerAuth(...))
    """

    def __init__(
        self,
        *,
        account_id: str | None = None,
        client_id: str | None = None,
        client_secret: str | None = None,
        api_url: str | None = None,
        oauth_url: str | None = None,
        auth: requests.auth.AuthBase | None = None,
        session: requests.Session | None = None,
        timeout: float | tuple[float, float] = (10.0, 60.0),
        retry: RetryPolicy | None = None,
        requests_per_second: float | None = None,
    ) -> None:
        self.config = ZoomConfig.resolve(
            account_id=account_id,
            client_id=client_id,
            client_secret=client_secret,
            api_url=api_url,
            oauth_url=oauth_url,
        )
        if auth is None and self.config.has_server_to_server_credentials:
            auth = ServerToServerAuth(
                account_id=str(self.config.account_id),
                client_id=str(self.config.client_id),
                client_secret=str(self.config.client_secret),
                oauth_url=self.config.oauth_url,
            )
        self.auth = auth
        self.timeout = timeout
        self.retry = retry or RetryPolicy()
        self._pacer = Pacer(requests_per_second) if requests_per_second else None
        self.session = session or _environment_session(self.api_url)
        self.session.headers.setdefault("User-Agent", f"zoom-pandas/{__version__}")
        self.session.headers["Accept"] = "application/json"

    @property
    def api_url(self) -> str:
        """The REST base URL requests go to."""
        return self.config.api_url

    def __repr__(self) -> str:
        auth = "ServerToServerAuth(...)" if isinstance(self.auth, ServerToServerAuth) else repr(self.auth)
        return f"{type(self).__name__}(api_url={self.api_url!r}, auth={auth})"

    def close(self) -> None:
        """Close the HTTP session's connections."""
        self.session.close()

    def __enter__(self) -> ZoomClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- requests ------------------------------------------------------------------------------

    def get(self, path: str, params: Mapping[str, Any] | None = None) -> requests.Response:
        """GET ``{api_url}{path}`` with retries; return the successful response.

        Parameters
        ----------
        path : str
            Path below the API base, already encoded, e.g. ``/past_meetings/123``.
        params : mapping, optional
            Query parameters.

        Returns
        -------
        requests.Response

        Raises
        ------
        ZoomAPIError
            Or one of its subclasses, for every answer that retrying does not fix.
        """
        if self.auth is None:
            raise AuthError(
                None,
                None,
                "no Zoom credentials: set ZOOM_ACCOUNT_ID, ZOOM_CLIENT_ID and ZOOM_CLIENT_SECRET, "
                "pass them to ZoomClient, or sign in with zoom_pandas.login()",
            )
        # The query is encoded here once: requests' own params handling re-checks types on every call.
        url = f"{self.api_url}{path}?{urllib.parse.urlencode(params)}" if params else f"{self.api_url}{path}"
        failures = 0
        rate_limit_waits = 0
        token_renewed = False
        while True:
            if self._pacer is not None:
                self._pacer.wait()
            try:
                response = self.session.get(url, auth=self.auth, timeout=self.timeout)
            except _TRANSIENT as exc:
                failures += 1
                if failures >= self.retry.max_attempts:
                    raise ZoomAPIError(
                        None, None, f"GET {path} failed {failures} times: {type(exc).__name__}"
                    ) from exc
                self._wait(self.retry.backoff(failures), path, type(exc).__name__, failures)
                continue
            if response.ok:
                return response
            status = response.status_code
            if status == 429:
                retry_at = parse_retry_after(response.headers.get("Retry-After"))
                limit_type = response.headers.get("X-RateLimit-Type", "")
                wait = (
                    max(0.0, (retry_at - dt.datetime.now(dt.timezone.utc)).total_seconds())
                    if retry_at
                    else self.retry.backoff(rate_limit_waits + 1)
                )
                rate_limit_waits += 1
                if (
                    limit_type.lower() == "daily-limit"
                    or wait > self.retry.max_retry_after
                    or rate_limit_waits > self.retry.max_rate_limit_waits
                ):
                    error = _api_error(response)
                    raise RateLimited(status, error.code, error.message, retry_after=retry_at)
                self._wait(wait, path, f"HTTP 429 ({limit_type or 'rate limit'})", rate_limit_waits)
                continue
            if status >= 500:
                failures += 1
                if failures >= self.retry.max_attempts:
                    raise _api_error(response)
                self._wait(self.retry.backoff(failures), path, f"HTTP {status}", failures)
                continue
            error = _api_error(response)
            if (
                status == 401
                and error.code == 124
                and not token_renewed
                and isinstance(self.auth, BearerAuth)
            ):
                logger.info("access token refused on GET %s (code 124); fetching a new one", path)
                self.auth.invalidate()
                token_renewed = True
                continue
            raise error

    def get_json(self, path: str, params: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """GET and decode a JSON object (see :meth:`get`)."""
        return _json_object(self.get(path, params), path)

    def paged_json(self, path: str, params: Mapping[str, Any] | None = None) -> Iterator[dict[str, Any]]:
        """Yield each page of a ``next_page_token``-paged endpoint (list endpoints, not reports).

        Raises
        ------
        PaginationError
            When a page token comes back a second time.
        """

        def json_page(response: requests.Response) -> tuple[dict[str, Any], str]:
            body = _json_object(response, path)
            return body, str(body.get("next_page_token") or "")

        yield from self._paginate(path, params, json_page)

    def _paginate(
        self,
        path: str,
        params: Mapping[str, Any] | None,
        read: Callable[[requests.Response], tuple[PageT, str]],
    ) -> Iterator[PageT]:
        """GET page after page until the token is empty; a repeated token is a PaginationError."""
        seen: set[str] = set()
        query = dict(params or {})
        pages = 0
        while True:
            page, token = read(self.get(path, query))
            pages += 1
            yield page
            if not token:
                return
            if token in seen:
                raise PaginationError(
                    f"GET {path} returned a page token a second time after page {pages}; "
                    "stopped instead of looping"
                )
            seen.add(token)
            query["next_page_token"] = token

    @staticmethod
    def _wait(seconds: float, path: str, reason: str, attempt: int) -> None:
        logger.info("%s on GET %s; retry %d in %.2f s", reason, path, attempt, seconds)
        time.sleep(seconds)

    # -- endpoints -----------------------------------------------------------------------------

    def past_meeting(self, meeting: MeetingRef) -> dict[str, Any]:
        """``GET /past_meetings/{id-or-uuid}``: the instance's id, uuid, times and topic.

        A meeting id resolves to its latest ended instance.
        """
        return self.get_json(f"/past_meetings/{path_segment(meeting)}")

    def participant_pages(
        self,
        meeting_uuid: str,
        *,
        include_registrant_id: bool = False,
        on_page: Callable[[ParticipantPage], None] | None = None,
    ) -> list[ParticipantPage]:
        """Every page of ``GET /report/meetings/{uuid}/participants`` at ``page_size=300``.

        An expired page token (400, code 300) restarts the meeting once from the first page, so
        no row is returned twice.

        Parameters
        ----------
        meeting_uuid : str
            The instance UUID (encoded here as Zoom requires).
        include_registrant_id : bool
            Ask for ``registrant_id`` (``include_fields=registrant_id``).
        on_page : callable, optional
            Called with each page as it arrives (progress bars).

        Returns
        -------
        list of ParticipantPage

        Raises
        ------
        PaginationError
            When Zoom repeats a page token.
        """
        path = f"/report/meetings/{path_segment(meeting_uuid)}/participants"
        base: dict[str, Any] = {"page_size": PAGE_SIZE}
        if include_registrant_id:
            base["include_fields"] = "registrant_id"
        try:
            return self._pages(path, base, on_page)
        except _PageTokenExpired as expired:
            logger.info("page token expired on GET %s; restarting from the first page", path)
            try:
                return self._pages(path, base, on_page)
            except _PageTokenExpired as again:
                raise again.error from expired.error

    def participant_table(
        self,
        meeting_uuid: str,
        *,
        include_registrant_id: bool = False,
        on_page: Callable[[ParticipantPage], None] | None = None,
    ) -> tuple[pa.Table, int | None]:
        """Every page of one instance's report as one typed table, and Zoom's ``total_records``.

        Pages are fetched first (reading only their page tokens) and parsed together at the end
        in one multithreaded Arrow read. See :meth:`participant_pages` for the parameters.

        Raises
        ------
        ZoomAPIError
            When a page is not a participants report (a malformed 200 answer).
        """
        pages = self.participant_pages(
            meeting_uuid, include_registrant_id=include_registrant_id, on_page=on_page
        )
        try:
            table = participants_table(pages, meeting_uuid)
        except ValueError as exc:
            raise ZoomAPIError(200, None, f"malformed participants report for {meeting_uuid}: {exc}") from exc
        return table, pages[0].total_records if pages else None

    def _pages(
        self,
        path: str,
        base: dict[str, Any],
        on_page: Callable[[ParticipantPage], None] | None,
    ) -> list[ParticipantPage]:
        pages: list[ParticipantPage] = []

        def report_page(response: requests.Response) -> tuple[ParticipantPage, str]:
            page = read_page(response.content)
            return page, page.next_page_token

        try:
            for page in self._paginate(path, base, report_page):
                pages.append(page)
                if on_page is not None:
                    on_page(page)
        except ZoomAPIError as exc:
            # Every request after the first carries a page token; code 300 there means it expired.
            if pages and exc.status_code == 400 and exc.code == 300:
                raise _PageTokenExpired(exc) from exc
            raise
        return pages


class _PageTokenExpired(Exception):
    """Internal: a next_page_token was refused (400, code 300); the caller may restart."""

    def __init__(self, error: ZoomAPIError) -> None:
        super().__init__(str(error))
        self.error = error


def _environment_session(api_url: str) -> requests.Session:
    """A session that reads proxy and CA-bundle settings from the environment once.

    requests re-reads every environment variable on each request when ``trust_env`` is on; for
    hundreds of report pages that was a fifth of the client's CPU time.
    """
    session = requests.Session()
    session.proxies.update(requests.utils.get_environ_proxies(api_url))  # honours NO_PROXY
    bundle = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE")
    if bundle:
        session.verify = bundle
    session.trust_env = False
    return session


def _json_object(response: requests.Response, path: str) -> dict[str, Any]:
    """A successful response's body as a JSON object, or ZoomAPIError."""
    try:
        body = response.json()
    except ValueError as exc:
        raise ZoomAPIError(response.status_code, None, f"GET {path}: response is not JSON") from exc
    if not isinstance(body, dict):
        raise ZoomAPIError(response.status_code, None, f"GET {path}: expected a JSON object")
    return body


def _api_error(response: requests.Response) -> ZoomAPIError:
    """Map an error response to the exception tree."""
    status = response.status_code
    try:
        body = response.json()
        if not isinstance(body, dict):
            raise ValueError("not an object")
    except ValueError:
        kind = response.headers.get("Content-Type", "no content type").split(";")[0]
        return ZoomAPIError(status, None, f"non-JSON error body ({kind}, {len(response.content)} bytes)")
    code = body.get("code") if isinstance(body.get("code"), int) else None
    message = str(body.get("message") or body.get("reason") or response.reason or "error")
    if code == 3001:
        return MeetingNotFound(status, code, message)
    if status == 401:
        return AuthError(status, code, message)
    if status == 403 or (status == 400 and code in _PERMISSION_CODES):
        hint = _SCOPE_HINT if code in (4700, 4711, 200) or status == 403 else ""
        return PermissionDenied(status, code, message + hint)
    if status == 429:
        return RateLimited(
            status, code, message, retry_after=parse_retry_after(response.headers.get("Retry-After"))
        )
    return ZoomAPIError(status, code, message)


_default: ZoomClient | None = None


def set_default_client(client: ZoomClient | None) -> None:
    """Make ``client`` the one ``read_participants`` and the widgets use when none is passed.

    Parameters
    ----------
    client : ZoomClient or None
        ``None`` goes back to a client built from ``ZOOM_*`` environment variables.
    """
    global _default
    _default = client


def default_client() -> ZoomClient:
    """The client set by :func:`set_default_client` (e.g. by ``login()``), else one from the environment."""
    global _default
    if _default is None:
        _default = ZoomClient()
    return _default
