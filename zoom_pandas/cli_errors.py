"""Expected failures as the command line words them: one line, no errno, the setting behind a host."""

from __future__ import annotations

import urllib.parse

from zoom_pandas.config import DEFAULT_API_URL, DEFAULT_OAUTH_URL, ZoomConfig

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
        The error's text (the library names a host it could not reach; here the ``ZOOM_*``
        setting that chose it is added); file errors as "No such file or directory: PATH"
        (no "[Errno 2]"); line breaks folded.
    """
    if isinstance(exc, OSError) and exc.strerror:
        text = f"{exc.strerror}: {exc.filename}" if exc.filename is not None else exc.strerror
    else:
        text = str(exc) or type(exc).__name__
    if text.startswith("could not reach "):  # the library named the host: say which setting chose it
        host = text.removeprefix("could not reach ").split(":", 1)[0]
        setting = _setting_of(host, _config())
        text += f" ({setting.removeprefix(', ')})" if setting else ""
    return " ".join(line.strip() for line in text.splitlines() if line.strip())


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
