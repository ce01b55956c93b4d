"""Paging as Zoom does it: ``page_size`` (default 30, at most 300) and opaque ``next_page_token``s.

A token names a cursor: the listing it belongs to (``key``), where the next page starts, and when
it was made; it expires after ``page_token_ttl`` seconds (Zoom: 15 minutes) and is refused by any
other listing. Every paged route of the sandbox pages through :meth:`Pages._page`.
"""

from __future__ import annotations

import dataclasses
import math
import secrets
import threading
import time
from collections.abc import Sequence
from typing import Any

from zoom_pandas.sandbox.instances import Instance
from zoom_pandas.sandbox.oauth import zoom_error

__all__ = ["Pages", "page_size"]


def page_size(query: dict[str, str]) -> int:
    """The query's ``page_size`` (default 30) within 1..300, as Zoom does; 400 code 300 if not a number."""
    try:
        size = int(query.get("page_size", "30"))
    except ValueError:
        raise zoom_error(400, 300, "Validation Failed.") from None
    return min(max(size, 1), 300)


@dataclasses.dataclass
class _Cursor:
    instance: Instance | None
    offset: int
    created: float
    key: str


class Pages:
    """The cursors behind ``next_page_token`` (the sandbox provides the state below)."""

    page_token_ttl: float
    _cursors: dict[str, _Cursor]
    _lock: threading.Lock

    def _page(
        self, rows: Sequence[Any], query: dict[str, str], key: str, instance: Instance | None
    ) -> tuple[int, int, str]:
        """Apply page_size / next_page_token; return (start, stop, next token)."""
        size = page_size(query)
        start = 0
        token = query.get("next_page_token", "")
        if token:
            with self._lock:
                cursor = self._cursors.get(token)
            if cursor is None or cursor.key != key or time.time() - cursor.created > self.page_token_ttl:
                raise zoom_error(400, 300, "The next page token is invalid or expired.")
            start = cursor.offset
        stop = min(len(rows), start + size)
        next_token = ""
        if stop < len(rows):
            next_token = secrets.token_urlsafe(24)
            with self._lock:
                self._cursors[next_token] = _Cursor(instance, stop, time.time(), key)
        return start, stop, next_token

    def _paged(
        self, records: Sequence[Any], query: dict[str, str], key: str
    ) -> tuple[dict[str, Any], int, int]:
        """The paging fields of a listing's answer, and the slice of ``records`` this page holds."""
        start, stop, next_token = self._page(records, query, key, None)
        size = page_size(query)
        header = {
            "page_count": math.ceil(len(records) / size),
            "page_number": start // size + 1,
            "page_size": size,
            "total_records": len(records),
            "next_page_token": next_token,
        }
        return header, start, stop
