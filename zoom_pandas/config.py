"""Where to reach Zoom and with which credentials: keyword arguments win over ``ZOOM_*`` env vars."""

from __future__ import annotations

import dataclasses
import ipaddress
import os
import urllib.parse

import requests
import requests.utils
import urllib3.util

__all__ = [
    "DEFAULT_API_URL",
    "DEFAULT_OAUTH_URL",
    "ENVIRONMENT_VARIABLES",
    "ZoomConfig",
    "environment_session",
    "is_loopback_url",
    "strict_host",
]

DEFAULT_API_URL = "https://api.zoom.us/v2"
DEFAULT_OAUTH_URL = "https://zoom.us/oauth"

_ENV = {
    "account_id": "ZOOM_ACCOUNT_ID",
    "client_id": "ZOOM_CLIENT_ID",
    "client_secret": "ZOOM_CLIENT_SECRET",
    "api_url": "ZOOM_API_URL",
    "oauth_url": "ZOOM_OAUTH_URL",
}
#: The variables a client is configured from.
ENVIRONMENT_VARIABLES = tuple(_ENV.values())


def strict_host(url: str) -> str | None:
    """The URL's host when the URL is unambiguous, else None.

    Parsers disagree on odd URLs: for ``http://example.com\\@127.0.0.1/v2`` Python's urllib sees
    host 127.0.0.1 while urllib3 (and so requests) connects to example.com. So a URL with a
    backslash, user info, whitespace or control characters, or on whose host the two parsers
    disagree, has no host here.
    """
    if not url.isascii() or any(ch in url for ch in "\\@") or any(ch.isspace() or ord(ch) < 32 for ch in url):
        return None
    try:
        python_host = urllib.parse.urlsplit(url).hostname
        urllib3_host = urllib3.util.parse_url(url).host
    except ValueError:
        return None
    if not python_host or not urllib3_host or python_host != urllib3_host.strip("[]").lower():
        return None
    return python_host


def is_loopback_url(url: str) -> bool:
    """Return True when the URL is unambiguous and its host is ``localhost`` or a loopback address."""
    host = strict_host(url)
    if host is None:
        return False
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _checked_url(name: str, url: str) -> str:
    """Refuse anything but an unambiguous https URL, or http to a loopback host (the sandbox)."""
    scheme = url.split(":", 1)[0].lower()
    if scheme == "https" and strict_host(url):
        return url.rstrip("/")
    if scheme == "http" and is_loopback_url(url):
        return url.rstrip("/")
    raise ValueError(
        f"{name} must be an https:// URL without user info or backslashes (http:// is allowed only "
        f"for loopback hosts such as 127.0.0.1), got {url!r}"
    )


@dataclasses.dataclass(frozen=True)
class ZoomConfig:
    """Resolved connection settings.

    Parameters
    ----------
    account_id, client_id, client_secret : str or None
        Server-to-Server OAuth credentials. ``client_secret`` never appears in the repr.
    api_url : str
        Base URL of the REST API, e.g. ``https://api.zoom.us/v2``.
    oauth_url : str
        Base URL of the OAuth endpoints, e.g. ``https://zoom.us/oauth``.
    """

    account_id: str | None = None
    client_id: str | None = None
    client_secret: str | None = dataclasses.field(default=None, repr=False)
    api_url: str = DEFAULT_API_URL
    oauth_url: str = DEFAULT_OAUTH_URL

    def __post_init__(self) -> None:
        object.__setattr__(self, "api_url", _checked_url("api_url", self.api_url))
        object.__setattr__(self, "oauth_url", _checked_url("oauth_url", self.oauth_url))

    @classmethod
    def resolve(cls, **overrides: str | None) -> ZoomConfig:
        """Build a config from keyword arguments, falling back to ``ZOOM_*`` environment variables.

        Parameters
        ----------
        **overrides
            Any of ``account_id``, ``client_id``, ``client_secret``, ``api_url``, ``oauth_url``;
            ``None`` means "not given" and falls back to the environment.

        Returns
        -------
        ZoomConfig
        """
        unknown = set(overrides) - set(_ENV)
        if unknown:
            raise TypeError(f"unknown configuration keys: {sorted(unknown)}")
        values: dict[str, str] = {}
        for key, env in _ENV.items():
            value = overrides.get(key)
            if value is None:
                value = os.environ.get(env) or None
            if value is not None:
                values[key] = value
        return cls(**values)

    @property
    def has_server_to_server_credentials(self) -> bool:
        """True when account id, client id and client secret are all set."""
        return bool(self.account_id and self.client_id and self.client_secret)


def environment_session(api_url: str) -> requests.Session:
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
