"""User OAuth: authorization code + PKCE (S256) + state, on requests-oauthlib, with rotation saved.

Two ways back from Zoom's consent page:

* a loopback listener on 127.0.0.1 (:class:`LoopbackRedirect`) when the browser runs on the
  kernel's machine;
* pasting the address the browser was redirected to (Binder, Colab, remote servers), where the
  page itself fails to load but the address bar holds the code.
"""

from __future__ import annotations

import http.server
import logging
import threading
import time
import urllib.parse
from typing import Any

import oauthlib.oauth2
import requests
import requests.auth
from oauthlib.oauth2.rfc6749.errors import MismatchingStateError
from requests_oauthlib import OAuth2Session

from zoom_pandas import redact
from zoom_pandas.auth import BearerAuth, loopback_transport, token_session
from zoom_pandas.config import DEFAULT_OAUTH_URL
from zoom_pandas.errors import AuthError
from zoom_pandas.scopes import missing_scopes
from zoom_pandas.tokens import TokenStore, default_token_store

__all__ = ["LoopbackRedirect", "UserOAuth"]

logger = logging.getLogger("zoom_pandas")

DEFAULT_REDIRECT_URI = "http://127.0.0.1:8765/zoom-pandas/callback"


class UserOAuth(BearerAuth):
    """Sign a Zoom user in with the authorization-code flow, PKCE S256 and a checked ``state``.

    Parameters
    ----------
    client_id : str
        The OAuth app's client id.
    client_secret : str, optional
        For confidential apps; public (PKCE-only) clients leave it out.
    oauth_url : str
        Base of Zoom's OAuth endpoints.
    redirect_uri : str
        Registered in the app; a loopback address (Zoom ignores the port for loopback URIs).
    store : TokenStore, optional
        Where tokens persist (default: the system keyring when ``keyring`` is installed with a
        working backend, else a 0600 file under the user config dir).
    timeout : float or (float, float)
        Timeout of token requests.

    Examples
    --------
    >>> auth = UserOAuth(client_id="abc")                              # doctest: +SKIP
    >>> print(auth.authorization_url())       # open it, approve, copy the address you land on
    >>> auth.complete("http://127.0.0.1:8765/zoom-pandas/callback?code=...&state=...")
    """

    def __init__(
        self,
        *,
        client_id: str,
        client_secret: str | None = None,
        oauth_url: str = DEFAULT_OAUTH_URL,
        redirect_uri: str = DEFAULT_REDIRECT_URI,
        store: TokenStore | None = None,
        timeout: float | tuple[float, float] = (10.0, 30.0),
    ) -> None:
        super().__init__()
        self.client_id = client_id
        self._client_secret = client_secret
        self.oauth_url = oauth_url.rstrip("/")
        self.redirect_uri = redirect_uri
        self.store = store if store is not None else default_token_store(client_id)
        self.timeout = timeout
        self._session = token_session(
            OAuth2Session(
                client_id,
                redirect_uri=redirect_uri,
                pkce="S256",
                auto_refresh_url=self.token_url,
                token_updater=self._save,
            )
        )
        redact.register_secret(client_secret)
        saved = self.store.load()
        if saved:
            self._token = saved
            for key in ("access_token", "refresh_token"):
                redact.register_secret(
                    saved.get(key) if isinstance(saved.get(key), str) else None, rotates=True
                )

    def __repr__(self) -> str:
        return f"{type(self).__name__}(client_id={self.client_id!r}, oauth_url={self.oauth_url!r})"

    @property
    def token_url(self) -> str:
        """``{oauth_url}/token``."""
        return f"{self.oauth_url}/token"

    @property
    def signed_in(self) -> bool:
        """True once a token (or a refresh token to get one) is at hand."""
        return self._token is not None

    def _basic(self) -> requests.auth.HTTPBasicAuth | None:
        return (
            requests.auth.HTTPBasicAuth(self.client_id, self._client_secret) if self._client_secret else None
        )

    def authorization_url(self) -> str:
        """A fresh consent-page URL with a new ``state`` and PKCE S256 challenge."""
        authorize = f"{self.oauth_url}/authorize"
        with loopback_transport(authorize):
            url, _state = self._session.authorization_url(authorize)
        return str(url)

    def complete(self, redirected_url: str) -> dict[str, Any]:
        """Exchange the code in the address Zoom redirected to for tokens, and save them.

        Parameters
        ----------
        redirected_url : str
            The full address the browser landed on (``...?code=...&state=...``).

        Returns
        -------
        dict
            The token (also saved to the store).

        Raises
        ------
        AuthError
            State mismatch, an expired or reused code, or a refused exchange; the message says
            what to do next.
        """
        redirected_url = redirected_url.strip()
        query = urllib.parse.parse_qs(urllib.parse.urlsplit(redirected_url).query)
        if "error" in query:
            raise AuthError(None, None, f"Zoom did not authorize the app: {query['error'][0]}")
        if "code" not in query:
            raise AuthError(
                None, None, "that address has no ?code=...; paste the whole address you were sent to"
            )
        with loopback_transport(self.token_url, redirected_url):
            try:
                token = self._session.fetch_token(
                    self.token_url,
                    authorization_response=redirected_url,
                    auth=self._basic(),
                    include_client_id=self._client_secret is None,
                    timeout=self.timeout,
                )
            except MismatchingStateError as exc:
                raise AuthError(
                    None,
                    None,
                    "this address belongs to a different sign-in attempt (state mismatch); "
                    "open the Zoom login again and paste the new address",
                ) from exc
            except AuthError as exc:
                if exc.code == 4733 or "expired" in exc.message.lower():
                    raise AuthError(
                        exc.status_code,
                        exc.code,
                        "the authorization code expired (Zoom allows 5 minutes); open the Zoom login again",
                    ) from exc
                raise
            except oauthlib.oauth2.OAuth2Error as exc:
                raise AuthError(exc.status_code, None, f"sign-in refused: {exc.error}") from exc
            except requests.RequestException as exc:
                # The code may be spent: a new sign-in is the way on, not a retry.
                raise AuthError(
                    None, None, f"the Zoom token endpoint failed ({exc}); open the Zoom login again"
                ) from None
        self._save(dict(token))
        return dict(token)

    def scope_problem(self) -> str | None:
        """A sentence saying which scopes to add when the token can read no participants; else None.

        Either source will do: the report (an admin's scope) or a host's past meetings.
        """
        if self._token is None:
            return None
        return missing_scopes(self._token.get("scope"))

    def sign_out(self) -> None:
        """Forget the tokens here and in the store."""
        with self._lock:
            self._token = None
        self.store.clear()

    def invalidate(self) -> None:
        """Zoom refused the access token: refresh on the next request (the refresh token stays)."""
        with self._lock:
            if self._token is not None:
                self._token = {**self._token, "expires_at": 0}

    def _save(self, token: dict[str, Any]) -> dict[str, Any]:
        """Save first, then use: the previous refresh token is already invalid at Zoom."""
        token = dict(token)
        token.setdefault("expires_at", time.time() + float(token.get("expires_in", 3600)))
        self.store.save(token)
        self._token = token
        return token

    def _new_token(self) -> dict[str, Any]:
        refresh = (self._token or {}).get("refresh_token")
        if not refresh:
            raise AuthError(
                None, None, "not signed in: run zoom_pandas.login() (or UserOAuth.authorization_url())"
            )
        logger.debug("refreshing the user access token")
        with loopback_transport(self.token_url):
            try:
                token = self._session.refresh_token(
                    self.token_url,
                    refresh_token=refresh,
                    auth=self._basic(),
                    timeout=self.timeout,
                    **({} if self._client_secret else {"client_id": self.client_id}),
                )
            except (AuthError, oauthlib.oauth2.OAuth2Error) as exc:
                # Zoom refused the refresh token (transient failures are requests errors, retried).
                self.store.clear()
                status = exc.status_code
                reason = exc.message if isinstance(exc, AuthError) else f"token refused: {exc.error}"
                code = exc.code if isinstance(exc, AuthError) else None
                raise AuthError(
                    status, code, f"{reason}; the saved sign-in is no longer valid, sign in again"
                ) from exc
        return self._save(token)


class LoopbackRedirect:
    """Catch Zoom's redirect on 127.0.0.1 when the browser runs on this machine.

    Parameters
    ----------
    path : str
        The redirect URI's path.
    port : int
        0 picks a free port (Zoom ignores the port of loopback redirect URIs).
    """

    def __init__(self, path: str = "/zoom-pandas/callback", port: int = 0) -> None:
        self.path = path
        self.url: str | None = None
        self._done = threading.Event()
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                if urllib.parse.urlsplit(self.path).path != outer.path:
                    self.send_error(404)
                    return
                outer.url = f"{outer.redirect_uri.split(outer.path)[0]}{self.path}"
                body = b"<html><body><h3>Signed in to Zoom. You can close this tab.</h3></body></html>"
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                outer._done.set()

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                return None

        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.02},  # close() waits one poll: not socketserver's 0.5 s
            name="zoom-login-redirect",
            daemon=True,
        )
        self._thread.start()

    @property
    def redirect_uri(self) -> str:
        """The URI to register and send: ``http://127.0.0.1:{port}{path}``."""
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}{self.path}"

    def wait(self, timeout: float) -> str:
        """Block until the browser comes back; return the full redirected URL."""
        if not self._done.wait(timeout) or self.url is None:
            raise AuthError(
                None, None, f"no answer from the Zoom login within {timeout:.0f} s; paste the address instead"
            )
        return self.url

    def close(self) -> None:
        """Stop listening; a pending :meth:`wait` returns at once (with an error if nothing came)."""
        self._server.shutdown()
        self._server.server_close()
        self._done.set()
