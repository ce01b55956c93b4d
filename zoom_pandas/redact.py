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

_CREDENTIAL = re.compile(
    r"\b(?P<kind>Basic|Bearer)(?P<sep>\s+|%20|\+)(?P<value>[A-Za-z0-9._~+/=%-]{4,})", re.I
)
_SECRET_VALUE = re.compile(
    r"""(?P<key>access_token|refresh_token|id_token|client_secret|code_verifier|\bcode|password)"""
    r"""(?P<sep>['"]?\s*[:=]\s*['"]?)(?P<value>[^'"&,\s}]+)""",
    re.IGNORECASE,
)
_secrets: set[str] = set()
_secrets_lock = threading.Lock()
_installed = False


def register_secret(value: str | None) -> None:
    """Redact ``value`` wherever it appears in a log record from now on (values under 6 characters are too
    short to search for and are covered by the patterns only)."""
    if value and len(value) >= 6:
        with _secrets_lock:
            _secrets.add(value)


def redact(text: str) -> str:
    """``text`` with credentials and registered secrets replaced by ``***``."""
    text = _CREDENTIAL.sub(r"\g<kind>\g<sep>***", text)
    text = _SECRET_VALUE.sub(r"\g<key>\g<sep>***", text)
    with _secrets_lock:
        known = tuple(_secrets)
    for secret in known:
        if secret in text:
            text = text.replace(secret, "***")
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
    with _secrets_lock:
        if _installed:
            return
        previous = logging.getLogRecordFactory()

        def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
            return _redacted(previous(*args, **kwargs))

        logging.setLogRecordFactory(factory)
        _installed = True
