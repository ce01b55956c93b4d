"""``ZoomClient``: one keep-alive session to Zoom's REST API with retries, rate limits and errors.

HTTP only: it knows no report, schema or cache. This is the only place where HTTP answers become
exceptions (see :mod:`zoom_pandas.errors`); :mod:`zoom_pandas.default_client` holds the default client.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import time
import urllib.parse
from collections.abc import Mapping
from typing import Any

import requests
import requests.auth

from zoom_pandas._version import __version__
from zoom_pandas.answers import MalformedAnswer, api_error, checked_body, json_object
from zoom_pandas.auth import BearerAuth, ServerToServerAuth, TokenEndpointUnavailable
from zoom_pandas.config import ZoomConfig, environment_session
from zoom_pandas.errors import AuthError, RateLimited, ZoomAPIError
from zoom_pandas.ratelimit import DailyLimitReached, RateLabel, RateLimit, RateLimiter
from zoom_pandas.retry import RetryPolicy, parse_retry_after
from zoom_pandas.transport import UNRESOLVED, AnswerTooLarge, checked_timeout, failure_reason, mount_deadlines

__all__ = ["RateLabel", "ZoomClient"]

logger = logging.getLogger("zoom_pandas")

#: Transport failures worth another try: resets, timeouts, bodies cut short or garbled on the way.
_TRANSIENT = (
    requests.ConnectionError,
    requests.Timeout,
    requests.exceptions.ChunkedEncodingError,
    requests.exceptions.ContentDecodingError,
    requests.exceptions.InvalidHeader,
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
        The HTTP session to use; one keep-alive session is created by default, whose exchanges
        end by the ``timeout`` deadline and whose answers are capped at 32 MiB (a session passed
        in keeps its own adapters).
    timeout : float or (float, float), default 60.0
        Seconds one HTTP exchange may take, from connect to the last byte of the body, however
        slowly bytes arrive (a ``(connect, total)`` pair also bounds the connect). With at most
        ``retry.max_attempts`` tries per request, every read ends.
    retry : RetryPolicy, optional
        Backoff and rate-limit limits.
    rate_limit : {"free", "pro", "business"} or float, optional
        Pace requests by Zoom's rate-limit label to stay under the account's per-second limits
        instead of meeting 429s: one token bucket per label (Light, Medium, Heavy), shared by
        every thread using this client, each allowing a burst of one second's worth. A number is
        Heavy requests per second, Light and Medium scaled as on Pro. Default: no pacing (429s
        are still waited out). Zoom counts every app of the account, so leave room for others.
    requests_per_second : float, optional
        Deprecated: use ``rate_limit=``.

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
        timeout: float | tuple[float, float] = 60.0,
        retry: RetryPolicy | None = None,
        rate_limit: RateLimit = None,
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
                timeout=timeout,
            )
        self.auth = auth
        self.timeout = checked_timeout(timeout)
        self.retry = retry or RetryPolicy()
        self.rate_limit = rate_limit
        self.limiter = RateLimiter.for_client(rate_limit, requests_per_second)
        # A session passed in keeps its own adapters (a test double, a corporate transport).
        self.session = session or mount_deadlines(environment_session(self.api_url))
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

    def get(
        self, path: str, params: Mapping[str, Any] | None = None, *, label: RateLabel = "Light"
    ) -> requests.Response:
        """GET ``{api_url}{path}`` with retries; return the successful response.

        Parameters
        ----------
        path : str
            Path below the API base, already encoded, e.g. ``/past_meetings/123``.
        params : mapping, optional
            Query parameters.
        label : {"Light", "Medium", "Heavy"}, default "Light"
            Zoom's rate-limit label of the endpoint (its spec says which): the bucket that paces it
            (with ``rate_limit=``) and the daily cap it counts against.

        Returns
        -------
        requests.Response

        Raises
        ------
        ZoomAPIError
            Or one of its subclasses, for every answer that retrying does not fix.
        """
        self._require_auth()
        # The query is encoded here once: requests' own params handling re-checks types on every call.
        url = f"{self.api_url}{path}?{urllib.parse.urlencode(params)}" if params else f"{self.api_url}{path}"
        attempts = _Attempts()
        while True:
            try:
                self.limiter.acquire(label)
            except DailyLimitReached as stop:
                raise RateLimited(
                    429,
                    429,
                    f"GET {path} not sent: Zoom's daily limit for {stop.label} requests is used up "
                    f"until {stop.until.isoformat()}",
                    retry_after=stop.until,
                ) from None
            try:
                # Zoom's API never redirects: a 3xx is an answer to report, not to follow.
                response = self.session.get(url, auth=self.auth, timeout=self.timeout, allow_redirects=False)
            except AnswerTooLarge as exc:
                raise ZoomAPIError(None, None, f"GET {path}: {exc}") from None
            except _TRANSIENT as exc:
                reason = failure_reason(exc, (TokenEndpointUnavailable,))
                most = 2 if reason.endswith(UNRESOLVED) else None
                if self._backed_off(attempts, path, f"{reason} [{label}]", most):
                    continue
                failed = getattr(getattr(exc, "request", None), "url", None) or self.api_url  # token or API
                host = urllib.parse.urlsplit(failed).hostname or "Zoom"
                raise ZoomAPIError(
                    None,
                    None,
                    f"could not reach {host}: GET {path} failed {attempts.failures} times ({reason})",
                ) from exc
            except (requests.RequestException, ValueError) as exc:  # e.g. a 3xx with a broken Location
                raise ZoomAPIError(None, None, f"GET {path}: {type(exc).__name__}") from exc
            if not 200 <= response.status_code < 300:
                self._after_error_answer(response, attempts, path, label)
                continue
            try:
                response._content = checked_body(response.content)
            except MalformedAnswer as exc:
                # Empty, cut short or a proxy's page: what a cut connection or a middlebox sends.
                if self._backed_off(attempts, path, f"malformed answer ({exc}) [{label}]"):
                    continue
                raise ZoomAPIError(response.status_code, None, f"GET {path}: {exc}") from None
            return response

    def get_json(
        self, path: str, params: Mapping[str, Any] | None = None, *, label: RateLabel = "Light"
    ) -> dict[str, Any]:
        """GET and decode a JSON object (see :meth:`get`)."""
        return json_object(self.get(path, params, label=label), path)

    def _require_auth(self) -> None:
        if self.auth is None:
            raise AuthError(
                None,
                None,
                "no Zoom credentials: set ZOOM_ACCOUNT_ID, ZOOM_CLIENT_ID and ZOOM_CLIENT_SECRET, "
                "pass them to ZoomClient, or sign in with zoom_pandas.login()",
            )

    def _backed_off(self, attempts: _Attempts, path: str, reason: str, most: int | None = None) -> bool:
        """A reset, timeout or 5xx: True after backing off, False once the attempts are used up.

        ``most`` caps the attempts below the policy's (a name that does not resolve: offline).
        """
        attempts.failures += 1
        if attempts.failures >= min(self.retry.max_attempts, most or self.retry.max_attempts):
            return False
        self._wait(self.retry.backoff(attempts.failures), path, reason, attempts.failures)
        return True

    def _after_error_answer(
        self, response: requests.Response, attempts: _Attempts, path: str, label: RateLabel
    ) -> None:
        """Wait and return when retrying can fix the answer; raise its exception otherwise."""
        status = response.status_code
        where = f"{path} [{label}]"
        if status == 429:
            self._wait_for_rate_limit(response, attempts, where, label)
            return
        if status >= 500 and self._backed_off(attempts, where, f"HTTP {status}"):
            return
        error = api_error(response)
        renewable = status == 401 and error.code == 124 and isinstance(self.auth, BearerAuth)
        if renewable and not attempts.token_renewed:
            logger.info("access token refused on GET %s (code 124); fetching a new one", where)
            self.auth.invalidate()  # type: ignore[union-attr]
            attempts.token_renewed = True
            return
        raise error

    def _wait_for_rate_limit(
        self, response: requests.Response, attempts: _Attempts, path: str, label: RateLabel
    ) -> None:
        """A 429: wait out a per-second limit; raise RateLimited for a daily one or a long wait.

        A daily limit also stops every later request of its label on this client, in every thread,
        until Zoom's Retry-After (or the next 00:00 UTC).
        """
        retry_at = parse_retry_after(response.headers.get("Retry-After"))
        limit_type = response.headers.get("X-RateLimit-Type", "")
        attempts.rate_limit_waits += 1
        wait = (
            max(0.0, (retry_at - dt.datetime.now(dt.timezone.utc)).total_seconds())
            if retry_at
            else self.retry.backoff(attempts.rate_limit_waits)
        )
        daily = limit_type.lower() == "daily-limit"
        if (
            daily
            or wait > self.retry.max_retry_after
            or attempts.rate_limit_waits > self.retry.max_rate_limit_waits
        ):
            if daily:
                self.limiter.block([label, response.headers.get("X-RateLimit-Category", "")], retry_at)
            error = api_error(response)
            raise RateLimited(response.status_code, error.code, error.message, retry_after=retry_at)
        self._wait(wait, path, f"HTTP 429 ({limit_type or 'rate limit'})", attempts.rate_limit_waits)

    @staticmethod
    def _wait(seconds: float, path: str, reason: str, attempt: int) -> None:
        logger.info("%s on GET %s; retry %d in %.2f s", reason, path, attempt, seconds)
        time.sleep(seconds)


@dataclasses.dataclass
class _Attempts:
    """What one request has been through so far."""

    failures: int = 0
    rate_limit_waits: int = 0
    token_renewed: bool = False
