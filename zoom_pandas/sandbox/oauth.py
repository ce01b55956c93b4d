"""The sandbox's OAuth server: Server-to-Server tokens, authorization code + PKCE, refresh rotation."""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import secrets
import threading
import time
import urllib.parse
from collections.abc import Callable
from typing import Any

__all__ = ["DEFAULT_SCOPES", "SandboxCredentials", "SandboxError", "SandboxOAuth", "zoom_error"]

ACCESS_TOKEN_SECONDS = 3599
AUTH_CODE_SECONDS = 300
DEFAULT_SCOPES = "report:read:admin meeting:read:admin user:read:admin"


@dataclasses.dataclass(frozen=True)
class SandboxCredentials:
    """The sandbox's made-up app credentials (they open nothing but the sandbox)."""

    account_id: str = "sandbox-account"
    client_id: str = "sandbox-s2s-client"
    client_secret: str = dataclasses.field(default="sandbox-s2s-secret", repr=False)
    user_client_id: str = "sandbox-oauth-client"
    user_client_secret: str = dataclasses.field(default="sandbox-oauth-secret", repr=False)


class SandboxError(Exception):
    """An error answer: status, JSON body (or text) and headers."""

    def __init__(
        self, status: int, body: dict[str, Any] | str | bytes, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(status)
        self.status = status
        self.body = body
        self.headers = headers or {}


def zoom_error(status: int, code: int, message: str, **headers: str) -> SandboxError:
    """An error answer with Zoom's JSON body ``{"code": …, "message": …}``."""
    return SandboxError(status, {"code": code, "message": message}, headers)


class SandboxOAuth:
    """Issues and checks tokens like ``https://zoom.us/oauth``.

    Parameters
    ----------
    credentials : SandboxCredentials
        The apps the sandbox knows.
    scopes : str
        Scopes granted to every token.
    base_url : callable
        Returns the sandbox's URL (sent back as ``api_url`` in token answers).
    """

    def __init__(self, credentials: SandboxCredentials, scopes: str, base_url: Callable[[], str]) -> None:
        self.credentials = credentials
        self.scopes = scopes
        self._base_url = base_url
        self.tokens: dict[str, tuple[float, str]] = {}
        self.refresh_tokens: dict[str, str] = {}
        self.codes: dict[str, dict[str, Any]] = {}
        self.authorize_requests: list[dict[str, str]] = []
        self._lock = threading.Lock()

    def revoke_tokens(self) -> None:
        """Invalidate every access token."""
        with self._lock:
            self.tokens.clear()

    def issue(self, scope: str, refresh: bool) -> dict[str, Any]:
        token = secrets.token_urlsafe(32)
        with self._lock:
            self.tokens[token] = (time.time() + ACCESS_TOKEN_SECONDS, scope)
        body: dict[str, Any] = {
            "access_token": token,
            "token_type": "bearer",
            "expires_in": ACCESS_TOKEN_SECONDS,
            "scope": scope,
            "api_url": self._base_url(),
        }
        if refresh:
            refresh_token = secrets.token_urlsafe(32)
            with self._lock:
                self.refresh_tokens[refresh_token] = scope
            body["refresh_token"] = refresh_token
        return body

    def token_endpoint(self, form: dict[str, str], authorization: str) -> dict[str, Any]:
        creds = self.credentials
        basic_id, basic_secret = _basic(authorization)
        grant = form.get("grant_type", "")
        invalid_client = SandboxError(
            401, {"reason": "Invalid client_id or client_secret", "error": "invalid_client"}
        )
        if grant == "account_credentials":
            if (basic_id, basic_secret) != (creds.client_id, creds.client_secret):
                raise invalid_client
            if form.get("account_id") != creds.account_id:
                raise SandboxError(400, {"reason": "Invalid account_id", "error": "invalid_request"})
            return self.issue(self.scopes, refresh=False)
        # User OAuth: a confidential client sends Basic auth, a public (PKCE) client only its id.
        client_id = basic_id or form.get("client_id", "")
        if client_id != creds.user_client_id or (basic_id and basic_secret != creds.user_client_secret):
            raise invalid_client
        if grant == "authorization_code":
            with self._lock:
                code = self.codes.pop(form.get("code", ""), None)
            if code is None or code["client_id"] != client_id:
                raise SandboxError(400, {"reason": "Invalid authorization code", "error": "invalid_grant"})
            if time.time() - code["created"] > AUTH_CODE_SECONDS:
                raise SandboxError(
                    400, {"reason": "Authorization code has expired", "error": "invalid_grant", "code": 4733}
                )
            if form.get("redirect_uri") != code["redirect_uri"]:
                raise SandboxError(400, {"reason": "Redirect URI mismatch", "error": "invalid_request"})
            if code["challenge"]:
                verifier = form.get("code_verifier", "")
                if code["method"] == "S256":
                    digest = hashlib.sha256(verifier.encode()).digest()
                    expected = base64.urlsafe_b64encode(digest).decode().rstrip("=")
                else:
                    expected = verifier
                if not secrets.compare_digest(expected, code["challenge"]):
                    raise SandboxError(400, {"reason": "Invalid code_verifier", "error": "invalid_grant"})
            return self.issue(self.scopes, refresh=True)
        if grant == "refresh_token":
            with self._lock:
                scope = self.refresh_tokens.pop(form.get("refresh_token", ""), None)  # rotation
            if scope is None:
                raise SandboxError(400, {"reason": "Invalid Token!", "error": "invalid_request"})
            return self.issue(scope, refresh=True)
        raise SandboxError(400, {"reason": "Unsupported grant type", "error": "unsupported_grant_type"})

    def authorize(self, query: dict[str, str]) -> str:
        """Auto-approve an authorization request; return where to redirect the browser."""
        self.authorize_requests.append(dict(query))
        if query.get("response_type") != "code" or query.get("client_id") != self.credentials.user_client_id:
            raise SandboxError(
                400, {"reason": "Invalid client_id or response_type", "error": "invalid_request"}
            )
        redirect_uri = query.get("redirect_uri", "")
        if not redirect_uri:
            raise SandboxError(400, {"reason": "Missing redirect_uri", "error": "invalid_request"})
        code = secrets.token_urlsafe(24)
        with self._lock:
            self.codes[code] = {
                "client_id": query["client_id"],
                "redirect_uri": redirect_uri,
                "challenge": query.get("code_challenge", ""),
                "method": query.get("code_challenge_method", "plain"),
                "created": time.time(),
            }
        answer = {"code": code}
        if "state" in query:
            answer["state"] = query["state"]
        joiner = "&" if "?" in redirect_uri else "?"
        return f"{redirect_uri}{joiner}{urllib.parse.urlencode(answer)}"

    def expire_authorization_codes(self) -> None:
        """Age every pending authorization code past Zoom's five minutes."""
        with self._lock:
            for code in self.codes.values():
                code["created"] -= AUTH_CODE_SECONDS + 1

    def check_token(self, authorization: str) -> str:
        scheme, _, token = authorization.partition(" ")
        with self._lock:
            expires, scope = self.tokens.get(token, (0.0, ""))
        if scheme.lower() != "bearer" or expires < time.time():
            raise SandboxError(401, {"code": 124, "message": "Invalid access token."})
        return scope


def _basic(authorization: str) -> tuple[str, str]:
    scheme, _, value = authorization.partition(" ")
    if scheme.lower() != "basic":
        return "", ""
    try:
        decoded = base64.b64decode(value).decode()
    except (ValueError, UnicodeDecodeError):
        return "", ""
    client_id, _, secret = decoded.partition(":")
    return urllib.parse.unquote_plus(client_id), urllib.parse.unquote_plus(secret)
