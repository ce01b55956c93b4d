"""Which of Zoom's sources a read uses: the admin's report, a host's past meetings, or both in turn.

``source="auto"`` (the default) asks for the participant report first. When Zoom refuses it for a
missing scope (code 4700 or 4711, HTTP 400 or 401: the app is not an admin's), the read switches to
the host's own past-meetings source, and the client remembers it: every later read with that
client goes there directly. One :class:`~zoom_pandas.ZoomPandasWarning` per client says what the
rows then lack.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable
from typing import Literal, TypeVar

from zoom_pandas.client import ZoomClient
from zoom_pandas.errors import ZoomAPIError, ZoomPandasWarning, warn

__all__ = [
    "MISSING_SCOPE_CODES",
    "Source",
    "announce_fallback",
    "check_source",
    "is_missing_scope",
    "refused",
    "remember_refusal",
    "switched",
]

T = TypeVar("T")

#: What ``source=`` accepts.
Source = Literal["auto", "report", "past_meetings"]
#: Zoom's codes for "the access token does not contain the scopes" (classic and granular apps).
MISSING_SCOPE_CODES = frozenset({4700, 4711})

#: What each refusal is about (the participant report, the meetings listing) -> the warning text.
_LACKS = {
    "participants": (
        "Zoom refused the participant report: the app has no report scope (it needs an admin's). "
        "Reading each meeting's participants from GET /past_meetings/{uuid}/participants instead, "
        "now and for every later read with this client. Those rows have no bo_mtg_id (time in "
        "breakout rooms is unknown and counts as present), no participant_user_id (people are keyed "
        "by email, else by name) and no customer_key: those columns are NA; attrs['meetings'][i]"
        "['endpoint'] says 'past_meetings'. Pass source='report' to get the error instead."
    ),
    "meetings": (
        "Zoom refused the meeting reports: the app has no report scope (it needs an admin's). "
        "Listing the user's previous meetings from GET /users/{userId}/meetings?type=previous_meetings "
        "and each one's ended instances instead, now and for every later listing with this client. "
        "That listing has no instant meetings and no meetings Zoom has expired; read those by number "
        "or UUID, or from the web portal's CSV export (read_zoom_csv). Pass source='report' to get "
        "the error instead."
    ),
}

_lock = threading.Lock()
_refusals: weakref.WeakKeyDictionary[ZoomClient, set[str]] = weakref.WeakKeyDictionary()


def check_source(source: object) -> Source:
    """``source`` as given (``ValueError`` for anything else, before any request)."""
    if source not in ("auto", "report", "past_meetings"):
        raise ValueError(f"source must be 'auto', 'report' or 'past_meetings', got {source!r}")
    return source


def is_missing_scope(exc: BaseException) -> bool:
    """True for Zoom's "does not contain scopes" refusal (code 4700 or 4711, HTTP 400 or 401)."""
    return isinstance(exc, ZoomAPIError) and exc.status_code in (400, 401) and exc.code in MISSING_SCOPE_CODES


def refused(client: ZoomClient, what: str) -> bool:
    """True once Zoom refused ``what`` (``"participants"`` or ``"meetings"``) to this client."""
    with _lock:
        return what in _refusals.get(client, ())


def remember_refusal(client: ZoomClient, what: str) -> bool:
    """Remember that Zoom refused ``what`` to ``client`` (any thread); True the first time only.

    The caller announces the switch (:func:`announce_fallback`) once the other source answered.
    """
    with _lock:
        seen = _refusals.setdefault(client, set())
        first = what not in seen
        seen.add(what)
    return first


def announce_fallback(what: str) -> None:
    """The one warning of a switch: what the other source's rows lack."""
    warn(_LACKS[what], ZoomPandasWarning)


def switched(client: ZoomClient, what: str, read: Callable[[], T]) -> T:
    """After Zoom refused ``what`` to ``client``: remember it, ``read`` the other source, and say so.

    The warning comes once per client, and only once the other source has answered.
    """
    first = remember_refusal(client, what)
    result = read()
    if first:
        announce_fallback(what)
    return result
