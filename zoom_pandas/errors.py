"""The zoom_pandas exception tree.

::

    ZoomPandasError                 every error this package raises on purpose
    ├── ZoomAPIError                Zoom (or the sandbox) answered with an error
    │   ├── MeetingNotFound         404, code 3001: unknown, expired or still running
    │   ├── PermissionDenied        403, or 400 with code 200 / 4700 / 4711 (missing scope, plan)
    │   ├── RateLimited             429 that waiting will not fix soon (daily limit)
    │   └── AuthError               the token endpoint refused the credentials
    ├── PaginationError             a repeated page token, or more pages than total_records allows
    ├── CacheMiss                   ``cache="offline"`` and nothing usable is cached
    └── ReadErrors                  some of many instances failed; ``.failures`` and ``.frame`` (the rest)

    UserWarning
    └── ZoomPandasWarning
        ├── IncompleteReportWarning rows fetched != total_records
        ├── CacheCorruptWarning     a cached file could not be read; refetched
        ├── CacheWriteWarning       a fetched report could not be cached; returned anyway
        └── PartialReadWarning      ``errors="warn"``: some of many instances failed; the rest returned
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import sys
import threading
import warnings
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "AuthError",
    "CacheCorruptWarning",
    "CacheMiss",
    "CacheWriteWarning",
    "IncompleteReportWarning",
    "MeetingNotFound",
    "PaginationError",
    "PartialReadWarning",
    "PermissionDenied",
    "RateLimited",
    "ReadErrors",
    "ZoomAPIError",
    "ZoomPandasError",
    "ZoomPandasWarning",
    "deferred_warnings",
    "failure_lines",
    "failure_records",
    "user_stacklevel",
    "warn",
]


class ZoomPandasError(Exception):
    """Base class of every exception raised by zoom_pandas."""


class ZoomAPIError(ZoomPandasError):
    """Zoom answered a request with an error.

    Parameters
    ----------
    status_code : int or None
        The HTTP status of the response (``None`` when no answer came: no credentials,
        connection failures).
    code : int or None
        Zoom's own error code from the JSON body (``None`` when the body was not JSON).
    message : str
        Zoom's message, or a short description of a non-JSON body.
    """

    def __init__(self, status_code: int | None, code: int | None, message: str) -> None:
        self.status_code = status_code
        self.code = code
        self.message = message
        super().__init__(str(self))

    def __str__(self) -> str:
        if self.status_code is None:  # no answer came: the message says why
            return f"Zoom code {self.code}: {self.message}" if self.code is not None else self.message
        code = f", Zoom code {self.code}" if self.code is not None else ""
        return f"HTTP {self.status_code}{code}: {self.message}"

    def __reduce__(self) -> tuple[object, ...]:
        return (type(self), (self.status_code, self.code, self.message))


class MeetingNotFound(ZoomAPIError):
    """The meeting or instance does not exist, has expired, or has not ended yet (code 3001)."""


class PermissionDenied(ZoomAPIError):
    """The app or account may not read this report (missing scope, free plan, other account)."""


class AuthError(ZoomAPIError):
    """Credentials or tokens were refused by Zoom's OAuth endpoint."""


class RateLimited(ZoomAPIError):
    """Zoom's rate limit was hit and retrying now would not help.

    Parameters
    ----------
    status_code, code, message
        As for :class:`ZoomAPIError`.
    retry_after : datetime.datetime or None
        When Zoom says requests may resume (UTC), if it said.
    """

    def __init__(
        self,
        status_code: int | None,
        code: int | None,
        message: str,
        retry_after: dt.datetime | None = None,
    ) -> None:
        self.retry_after = retry_after
        super().__init__(status_code, code, message)

    def __str__(self) -> str:
        text = super().__str__()
        if self.retry_after is not None:
            text += f" (retry after {self.retry_after.isoformat()})"
        return text

    def __reduce__(self) -> tuple[object, ...]:
        return (type(self), (self.status_code, self.code, self.message, self.retry_after))


class PaginationError(ZoomPandasError):
    """Paging went wrong: a page token came back a second time, or Zoom offered more pages than its
    ``total_records`` allows; following it could loop forever or return a wrong frame."""


class CacheMiss(ZoomPandasError):
    """Offline mode was asked for, but the cache holds no usable copy of the meeting."""


class ReadErrors(ZoomPandasError):
    """Some of many meetings or instances could not be read; every other one was.

    Nothing fetched is lost: :attr:`frame` holds the rows that arrived, with ``attrs["meetings"]``
    naming their instances.

    Parameters
    ----------
    failures : mapping
        ``{ref: exception}``: each instance UUID (or meeting number, when its instances could not
        be listed or resolved) that failed, with why.
    frame : pandas.DataFrame
        The rows of every instance that was read.
    """

    def __init__(self, failures: Mapping[int | str, BaseException], frame: pd.DataFrame) -> None:
        self.failures = dict(failures)
        self.frame = frame
        super().__init__(str(self))

    def __str__(self) -> str:
        read = len(self.frame.attrs.get("meetings", []))
        lines = [f"{len(self.failures)} could not be read ({read} read, in .frame):"]
        lines += [f"  {line}" for line in failure_lines(self.failures)]
        return "\n".join(lines)

    def __reduce__(self) -> tuple[object, ...]:
        return (type(self), (self.failures, self.frame))


def failure_lines(failures: Mapping[Any, BaseException]) -> list[str]:
    """Each failure as ``ref: ErrorType: message`` (exceptions, warnings and summaries alike)."""
    return [f"{ref}: {type(exc).__name__}: {exc}" for ref, exc in failures.items()]


def failure_records(failures: Mapping[Any, BaseException]) -> list[dict[str, Any]]:
    """Each failure as ``{"ref", "error", "message"}``: what ``attrs["failures"]`` holds (JSON)."""
    return [{"ref": ref, "error": type(exc).__name__, "message": str(exc)} for ref, exc in failures.items()]


class ZoomPandasWarning(UserWarning):
    """Base class of the warnings zoom_pandas emits."""


class IncompleteReportWarning(ZoomPandasWarning):
    """The number of rows fetched differs from the ``total_records`` Zoom announced."""


class CacheCorruptWarning(ZoomPandasWarning):
    """A cached file could not be read; it was ignored and the meeting fetched again."""


class CacheWriteWarning(ZoomPandasWarning):
    """A fetched report could not be written to the cache (disk full, permissions); the frame is
    returned all the same and the previous cached copy, if any, is left as it was."""


class PartialReadWarning(ZoomPandasWarning):
    """``errors="warn"``: some of many instances could not be read; the frame holds the rest and
    ``attrs["failures"]`` says which failed and why."""


def user_stacklevel() -> int:
    """The ``stacklevel`` that points a warning at the first caller outside this package."""
    package = os.path.dirname(__file__)
    frame = sys._getframe(1)
    level = 1
    while frame is not None and frame.f_code.co_filename.startswith(package):
        frame = frame.f_back  # type: ignore[assignment]
        level += 1
    return level


_deferred = threading.local()


def warn(message: str, category: type[Warning]) -> None:
    """Warn at the user's line, or keep the warning for later when this thread defers them.

    Worker threads of a read of many defer their warnings (see :func:`deferred_warnings`): raised
    there, a warning would point at the thread pool instead of the user's code.
    """
    kept = getattr(_deferred, "kept", None)
    if kept is not None:
        kept.append((message, category))
        return
    warnings.warn(message, category, stacklevel=user_stacklevel())


@contextlib.contextmanager
def deferred_warnings() -> Iterator[list[tuple[str, type[Warning]]]]:
    """Keep this thread's :func:`warn` calls in the yielded list, for the main thread to re-raise."""
    previous = getattr(_deferred, "kept", None)
    kept: list[tuple[str, type[Warning]]] = []
    _deferred.kept = kept
    try:
        yield kept
    finally:
        _deferred.kept = previous
