"""Zoom meeting participant reports as typed pandas DataFrames.

>>> import zoom_pandas as zp
>>> df = zp.read_participants("857 4606 5432")          # doctest: +SKIP

The widgets (``login``, ``LoginWidget``, ``MeetingPicker``) import ipywidgets on first use.
"""

from __future__ import annotations

from typing import Any

import zoom_pandas.accessor  # noqa: F401  (registers df.zoom)
from zoom_pandas._version import __version__
from zoom_pandas.cache_reader import read_cache
from zoom_pandas.client import ZoomClient
from zoom_pandas.default_client import set_default_client
from zoom_pandas.errors import (
    AuthError,
    CacheCorruptWarning,
    CacheMiss,
    CacheWriteWarning,
    IncompleteReportWarning,
    MeetingNotFound,
    PaginationError,
    PartialReadWarning,
    PermissionDenied,
    RateLimited,
    ReadErrors,
    ZoomAPIError,
    ZoomPandasError,
    ZoomPandasWarning,
)
from zoom_pandas.export import ExportSummary, export
from zoom_pandas.meetings import read_instances, read_meetings
from zoom_pandas.portal_csv import read_zoom_csv
from zoom_pandas.reader import read_participants, read_webinar_participants
from zoom_pandas.retry import RetryPolicy
from zoom_pandas.users import read_user

__all__ = [
    "AuthError",
    "CacheCorruptWarning",
    "CacheMiss",
    "CacheWriteWarning",
    "ExportSummary",
    "IncompleteReportWarning",
    "MeetingNotFound",
    "PaginationError",
    "PartialReadWarning",
    "PermissionDenied",
    "RateLimited",
    "ReadErrors",
    "RetryPolicy",
    "ZoomAPIError",
    "ZoomClient",
    "ZoomPandasError",
    "ZoomPandasWarning",
    "__version__",
    "export",
    "read_cache",
    "read_instances",
    "read_meetings",
    "read_participants",
    "read_user",
    "read_webinar_participants",
    "read_zoom_csv",
    "set_default_client",
]

_LAZY = {
    "LoginWidget": "zoom_pandas.widgets",
    "MeetingPicker": "zoom_pandas.widgets",
    "login": "zoom_pandas.widgets",
}


def __getattr__(name: str) -> Any:
    """Import the widgets (and ipywidgets) only when they are asked for."""
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'zoom_pandas' has no attribute {name!r}")
