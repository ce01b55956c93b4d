"""Secrets out of every log record, whichever library writes it.

requests-oauthlib logs token requests at DEBUG with their headers (``Authorization: Basic
base64(client_id:client_secret)``) and whole token answers; urllib3 and oauthlib log URLs and
bodies. A logger's filter only sees records of that very logger, so instead the log-record factory
is wrapped once (the standard hook for this): each record, as it is created, has its message
checked and redacted. Records are only created for enabled levels, so a process that does not log
at DEBUG pays nothing.

Redacted: HTTP ``Basic``/``Bearer`` credentials, ``key=value`` / ``"key": "value"`` pairs whose key
names a secret, and every value registered with :func:`register_secret` (client secrets, tokens).
"""

from __future__ import annotations

import logging
import re
import threading
from typing import Any

__all__ = ["RedactSecrets", "install", "redact", "register_secret"]

# Credentials in HTTP auth headers: only base64/token-looking values of 16 characters or more, so
# "Using basic settings" or "Bearer tokens rotate" stay as they are.
_CREDENTIAL = re.compile(
    r"\b(?P<kind>Basic|Bearer)(?P<sep>\s+|%20|\+)(?P<value>[A-Za-z0-9._~+/=%-]{16,})", re.IGNORECASE
)
# key=value, key: value, "key": "value" (also JSON escaped inside a string); "code" only as a
# query parameter or a quoted key, so "exited with code: 3" stays as it is.
_QUOTE = r"""(?:\\?['"])?"""
_SECRET_VALUE = re.compile(
    r"(?P<key>(?:access_token|refresh_token|id_token|client_secret|code_verifier|password)"
    + _QUOTE
    + r"|(?<=[?&])code|(?<=['\"])code['\"])"
    + r"(?P<sep>\s*[:=]\s*"
    + _QUOTE
    + r")(?P<value>[^'\"&,\s}\\]+)",
    re.IGNORECASE,
)
_HINTS = ("basic", "bearer", "token", "secret", "code", "password")
#: Client secrets stay registered; tokens rotate (a new one every hour), so only the latest are kept.
_KEEP_TOKENS = 64
_secrets: dict[str, bool] = {}
_lock = threading.Lock()
_known: re.Pattern[str] | None = None
_installed = False


def register_secret(value: str | None, *, rotates: bool = False) -> None:
    """Redact ``value`` wherever it appears in a log record from now on.

    Parameters
    ----------
    value : str or None
        A client secret or a token; values under 6 characters are too short to search for (the
        patterns still cover them where they look like credentials).
    rotates : bool
        True for tokens: only the latest few are kept, as older ones have expired.
    """
    global _known
    if not value or len(value) < 6:
        return
    with _lock:
        if value in _secrets:
            return
        _secrets[value] = rotates
        rotating = [key for key, rotates_ in _secrets.items() if rotates_]
        for old in rotating[: max(0, len(rotating) - _KEEP_TOKENS)]:
            del _secrets[old]
        _known = re.compile("|".join(re.escape(key) for key in sorted(_secrets, key=len, reverse=True)))


def redact(text: str) -> str:
    """``text`` with credentials and registered secrets replaced by ``***``."""
    known = _known
    if known is not None:
        text = known.sub("***", text)
    lowered = text.lower()
    if any(hint in lowered for hint in _HINTS):
        text = _CREDENTIAL.sub(r"\g<kind>\g<sep>***", text)
        text = _SECRET_VALUE.sub(r"\g<key>\g<sep>***", text)
    return text


def _redacted(record: logging.LogRecord) -> logging.LogRecord:
    try:
        message = record.getMessage()
    except Exception:  # a broken format string is the logging module's to report
        return record
    clean = redact(message)
    if clean != message:
        record.msg, record.args = clean, None
    return record


class RedactSecrets(logging.Filter):
    """A filter doing the same, for handlers that want it explicitly (e.g. a file handler)."""

    def filter(self, record: logging.LogRecord) -> bool:
        _redacted(record)
        return True


def install() -> None:
    """Wrap the log-record factory once so that every record is redacted as it is created."""
    global _installed
    with _lock:
        if _installed:
            return
        previous = logging.getLogRecordFactory()

        def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
            return _redacted(previous(*args, **kwargs))

        logging.setLogRecordFactory(factory)
        _installed = True
