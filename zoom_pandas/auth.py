"""Zoom OAuth on requests-oauthlib: Server-to-Server tokens, reused and renewed before expiry.

Auth knows nothing of pandas or widgets. Every class here is a ``requests`` auth object that puts
``Authorization: Bearer …`` on API requests and can be told its token was refused (``invalidate``).
"""

from __future__ import annotations

import contextlib
import contextvars
import logging
import threading
import time
from collections.abc import Iterator
from typing import Any

import oauthlib.oauth2
import requests
import requests.auth
from oauthlib.oauth2.rfc6749 import parameters as _oauth_parameters
from oauthlib.oauth2.rfc6749.clients import base as _oauth_client_base
from requests_oauthlib import OAuth2Session
from requests_oauthlib import oauth2_session as _oauth_session_module

from zoom_pandas import redact
from zoom_pandas.answers import MalformedAnswer, checked_body, decode_object
from zoom_pandas.config import is_loopback_url
from zoom_pandas.errors import AuthError
from zoom_pandas.redact import RedactSecrets
from zoom_pandas.transport import mount_deadlines

__all__ = [
    "BearerAuth",
    "RedactSecrets",
    "ServerToServerAuth",
    "TokenEndpointUnavailable",
    "loopback_transport",
    "token_session",
]

redact.install()

logger = logging.getLogger("zoom_pandas")

#: Renew a token this many seconds before Zoom says it expires.
RENEW_MARGIN = 300.0

_loopback_allowed: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "zoom_pandas_loopback_allowed", default=False
)
_patch_lock = threading.Lock()
_patched = False


def _install_loopback_check() -> None:
    """Teach oauthlib's transport check that http:// to a loopback host is fine *inside our calls*.

    oauthlib only offers the process-wide OAUTHLIB_INSECURE_TRANSPORT switch, which would also
    allow plain http to remote hosts for every other OAuth user in the process. Instead the check
    is wrapped once: inside :func:`loopback_transport` (a context variable, so per thread/task)
    loopback http URLs pass; everything else is decided by oauthlib as before.
    """
    global _patched
    with _patch_lock:
        if _patched:
            return
        original = oauthlib.oauth2.is_secure_transport

        def is_secure_transport(uri: str) -> bool:
            if _loopback_allowed.get() and uri.lower().startswith("http://") and is_loopback_url(uri):
                return True
            return bool(original(uri))

        for module in (_oauth_session_module, _oauth_client_base, _oauth_parameters):
            if getattr(module, "is_secure_transport", None) is original:
                module.is_secure_transport = is_secure_transport
        _patched = True


@contextlib.contextmanager
def loopback_transport(*urls: str) -> Iterator[None]:
    """Within this block, let oauthlib use plain http to loopback hosts, if any of ``urls`` needs it.

    Parameters
    ----------
    *urls : str
        The OAuth URLs about to be used (token endpoint, redirect URI). If none is an http URL
        to a loopback host, nothing changes.
    """
    if not any(url.lower().startswith("http://") and is_loopback_url(url) for url in urls):
        yield
        return
    _install_loopback_check()
    marker = _loopback_allowed.set(True)
    try:
        yield
    finally:
        _loopback_allowed.reset(marker)


class TokenEndpointUnavailable(requests.ConnectionError):
    """The token endpoint answered 5xx or 429, or a body that is not a token: worth retrying.

    A ``requests.ConnectionError``, so an API request that needed the token retries it under the
    client's retry policy, as any connection failure; a saved sign-in is kept.
    """


def token_session(session: OAuth2Session) -> OAuth2Session:
    """Give an OAuth session the API's deadlines, size cap and token-answer checks; no redirects."""
    mount_deadlines(session)
    session.hooks["response"].append(_refuse_redirect)
    session.register_compliance_hook("access_token_response", raise_for_token_response)
    session.register_compliance_hook("refresh_token_response", raise_for_token_response)
    return session


def _refuse_redirect(response: requests.Response, *args: Any, **kwargs: Any) -> requests.Response:
    """A token endpoint that redirects would have the secret or code re-sent elsewhere: refuse it."""
    if response.is_redirect or 300 <= response.status_code < 400:
        raise AuthError(response.status_code, None, "the OAuth token endpoint redirected; not followed")
    return response


def raise_for_token_response(response: requests.Response) -> requests.Response:
    """Compliance hook: check a token answer before oauthlib parses it.

    Refusals (4xx) become ``AuthError`` with Zoom's reason; 5xx, 429 and malformed bodies become
    :class:`TokenEndpointUnavailable`; a token answer without a usable ``access_token`` or
    ``expires_in`` becomes ``AuthError``.
    """
    status = response.status_code
    if status >= 500 or status == 429:
        raise TokenEndpointUnavailable(f"the OAuth token endpoint answered HTTP {status}", response=response)
    try:
        response._content = checked_body(response.content)  # oauthlib parses what was checked
        body = decode_object(response.content)
    except MalformedAnswer as exc:
        if status < 400:
            raise TokenEndpointUnavailable(
                f"the OAuth token endpoint sent a malformed answer: {exc}", response=response
            ) from None
        message = f"the OAuth endpoint answered with a non-JSON body ({_content_type(response)})"
        raise AuthError(status, None, f"token request refused: {message}") from None
    if status < 400:
        _check_token(body, status)
        redact.register_secret(body["access_token"], rotates=True)
        refresh = body.get("refresh_token")
        redact.register_secret(refresh if isinstance(refresh, str) else None, rotates=True)
        return response
    reason = body.get("reason") or body.get("message") or body.get("error_description")
    error = body.get("error")
    message = ": ".join(str(part)[:200] for part in (error, reason) if part) or "request refused"
    code = body["code"] if type(body.get("code")) is int else None
    raise AuthError(status, code, f"token request refused: {message}")


def _check_token(body: dict[str, Any], status: int) -> None:
    token = body.get("access_token")
    if not isinstance(token, str) or not token or len(token) > 16384 or not token.isascii():
        raise AuthError(status, None, "the token answer has no usable access_token")
    expires = body.get("expires_in", 3600)
    if isinstance(expires, bool) or not isinstance(expires, (int, float)) or not 0 < expires < 10**8:
        raise AuthError(status, None, "the token answer has no usable expires_in")


def _content_type(response: requests.Response) -> str:
    return response.headers.get("Content-Type", "no content type").split(";")[0]


class BearerAuth(requests.auth.AuthBase):
    """Base of the auth objects: holds one token and renews it on demand."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._token: dict[str, Any] | None = None

    def access_token(self) -> str:
        """Return a valid access token, fetching or renewing it when needed."""
        with self._lock:
            token = self._token
            if token is None or float(token.get("expires_at", 0)) - RENEW_MARGIN <= time.time():
                token = self._token = self._new_token()
            return str(token["access_token"])

    def invalidate(self) -> None:
        """Forget the current token (Zoom said it was invalid); the next request gets a new one."""
        with self._lock:
            self._token = None

    def _new_token(self) -> dict[str, Any]:
        raise NotImplementedError

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers["Authorization"] = f"Bearer {self.access_token()}"
        return request

    def __eq__(self, other: object) -> bool:
        return self is other

    __hash__ = object.__hash__


class _AccountCredentialsClient(oauthlib.oauth2.BackendApplicationClient):  # type: ignore[misc]
    """Zoom's Server-to-Server grant: client credentials with ``grant_type=account_credentials``."""

    grant_type = "account_credentials"


class ServerToServerAuth(BearerAuth):
    """Server-to-Server OAuth: ``POST {oauth_url}/token`` with the account id, Basic auth.

    One token is reused for all requests and renewed shortly before its one-hour expiry.

    Parameters
    ----------
    account_id, client_id, client_secret : str
        The Server-to-Server app's credentials (Zoom Marketplace > app > App Credentials).
    oauth_url : str
        Base of the OAuth endpoints, e.g. ``https://zoom.us/oauth``.
    timeout : float or (float, float)
        Connect/read timeout of the token request.

    Examples
    --------
    >>> auth = ServerToServerAuth(account_id="A", client_id="C", client_secret="S",
    ...                           oauth_url="https://zoom.us/oauth")
    >>> auth
    ServerToServerAuth(account_id='A', client_id='C', oauth_url='https://zoom.us/oauth')
    """

    def __init__(
        self,
        *,
        account_id: str,
        client_id: str,
        client_secret: str,
        oauth_url: str,
        timeout: float | tuple[float, float] = (10.0, 30.0),
    ) -> None:
        super().__init__()
        self.account_id = account_id
        self.client_id = client_id
        self._client_secret = client_secret
        self.oauth_url = oauth_url.rstrip("/")
        self.timeout = timeout
        self._session = token_session(OAuth2Session(client=_AccountCredentialsClient(client_id=client_id)))
        redact.register_secret(client_secret)

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(account_id={self.account_id!r}, client_id={self.client_id!r}, "
            f"oauth_url={self.oauth_url!r})"
        )

    def _new_token(self) -> dict[str, Any]:
        token_url = f"{self.oauth_url}/token"
        logger.debug("requesting a Server-to-Server access token from %s", token_url)
        with loopback_transport(token_url):
            try:
                token = self._session.fetch_token(
                    token_url,
                    auth=requests.auth.HTTPBasicAuth(self.client_id, self._client_secret),
                    account_id=self.account_id,
                    timeout=self.timeout,
                )
            except oauthlib.oauth2.OAuth2Error as exc:
                raise AuthError(exc.status_code, None, f"token request refused: {exc.error}") from exc
        return dict(token)
