"""Expected failures as the command line words them: one line, no errno, the unreachable host named."""

from __future__ import annotations

import urllib.parse

import requests
import urllib3.exceptions

from zoom_pandas.auth import TokenEndpointUnavailable
from zoom_pandas.config import DEFAULT_API_URL, DEFAULT_OAUTH_URL, ZoomConfig
from zoom_pandas.errors import ZoomAPIError

__all__ = ["error_line"]


def error_line(exc: BaseException) -> str:
    """The text after ``zoom-pandas: error:`` for an expected failure, on one line.

    Parameters
    ----------
    exc : BaseException
        A ``ZoomPandasError``, ``ValueError`` or ``OSError`` from a command.

    Returns
    -------
    str
        Zoom errors that had no answer (no credentials, no connection) without the library's
        "no answer:" prefix, and with the host that could not be reached; file errors as
        "No such file or directory: PATH" (no "[Errno 2]"); line breaks folded.
    """
    if isinstance(exc, ZoomAPIError) and exc.status_code is None:
        text = exc.message if exc.code is None else f"Zoom code {exc.code}: {exc.message}"
    elif isinstance(exc, OSError) and exc.strerror:
        text = f"{exc.strerror}: {exc.filename}" if exc.filename is not None else exc.strerror
    else:
        text = str(exc) or type(exc).__name__
    if text.startswith("could not reach "):  # the library named the host: say which setting chose it
        host = text.removeprefix("could not reach ").split(":", 1)[0]
        setting = _setting_of(host, _config())
        text += f" ({setting.removeprefix(', ')})" if setting else ""
    else:
        text += _unreachable(exc)
    return " ".join(line.strip() for line in text.splitlines() if line.strip())


def _unreachable(exc: BaseException) -> str:
    """A hint naming the host a connection failed to reach (empty when no connection failed)."""
    failure = _connection_failure(exc)
    if failure is None:
        return ""
    url = failure.request.url if failure.request is not None and failure.request.url else None
    host = urllib.parse.urlsplit(url).hostname if url else None
    config = _config()
    if host is None:
        host = urllib.parse.urlsplit(config.api_url if config else DEFAULT_API_URL).hostname or "Zoom"
    where = host + _setting_of(host, config)
    pool_error = failure.args[0] if failure.args else None
    reason = pool_error.reason if isinstance(pool_error, urllib3.exceptions.MaxRetryError) else None
    if isinstance(reason, urllib3.exceptions.NameResolutionError):
        why = f"could not resolve {where}: no network, or a DNS problem"
    elif isinstance(reason, urllib3.exceptions.NewConnectionError):
        why = f"could not connect to {where}: {_short(reason)}"
    elif isinstance(reason, urllib3.exceptions.ConnectTimeoutError) or isinstance(
        failure, requests.ConnectTimeout
    ):
        why = f"no connection to {where} in time: no network, or a firewall"
    else:
        why = f"could not reach {where}; check the network"
    return f" ({why})"


def _connection_failure(exc: BaseException) -> requests.ConnectionError | None:
    """The ``requests.ConnectionError`` behind ``exc``, if any (not a token endpoint's 5xx)."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, requests.ConnectionError) and not isinstance(
            current, TokenEndpointUnavailable
        ):
            return current
        current = current.__cause__ or current.__context__
    return None


def _config() -> ZoomConfig | None:
    try:
        return ZoomConfig.resolve()
    except ValueError:  # a malformed ZOOM_* URL has its own error
        return None


def _setting_of(host: str, config: ZoomConfig | None) -> str:
    """ ", from ZOOM_API_URL" when that setting, changed from Zoom's default, named the host."""
    if config is None:
        return ""
    for name, url, default in (
        ("ZOOM_API_URL", config.api_url, DEFAULT_API_URL),
        ("ZOOM_OAUTH_URL", config.oauth_url, DEFAULT_OAUTH_URL),
    ):
        if url != default and urllib.parse.urlsplit(url).hostname == host:
            return f", from {name}"
    return ""


def _short(reason: Exception) -> str:
    """urllib3's connection error without its object repr: "Connection refused"."""
    text = str(reason)
    return text.rsplit("] ", 1)[-1].rstrip(")") if "] " in text else text
