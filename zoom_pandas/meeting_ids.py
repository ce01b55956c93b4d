"""Meeting ids and instance UUIDs: validation as users type them, and Zoom's path encoding."""

from __future__ import annotations

import re
import urllib.parse

__all__ = ["MeetingRef", "encode_uuid", "is_uuid", "parse_meeting_id"]

# ASCII digits only: "١٢٣" and "１２３" are digits to Python's \d and int(), not meeting numbers.
_DIGITS = re.compile(r"[0-9]+(?:[ -][0-9]+)*")
_UUID = re.compile(r"[A-Za-z0-9+/=]{16,64}")
_MAX_MEETING_ID = 2**63 - 1

#: A validated reference: an ``int`` meeting id, or a ``str`` instance UUID.
MeetingRef = int | str


def parse_meeting_id(meeting_id: object) -> MeetingRef:
    """Validate a meeting id or instance UUID as a user would paste it.

    Parameters
    ----------
    meeting_id : int or str
        A positive integer; a digit string, spaces and dashes allowed as copied from the Zoom
        app (``"857 4606 5432"``); or an instance UUID of 16-64 characters from
        ``[A-Za-z0-9+/=]``.

    Returns
    -------
    int or str
        The meeting id as ``int``, or the UUID unchanged as ``str``.

    Raises
    ------
    ValueError
        For anything else (before any request is made).

    Examples
    --------
    >>> parse_meeting_id("857 4606 5432")
    85746065432
    >>> parse_meeting_id("4444AAAiAAAAAiAiAiiAii==")
    '4444AAAiAAAAAiAiAiiAii=='
    """
    if isinstance(meeting_id, bool):
        raise ValueError(f"meeting_id must be a meeting number or instance UUID, not {meeting_id!r}")
    if isinstance(meeting_id, int):
        if 0 < meeting_id <= _MAX_MEETING_ID:
            return meeting_id
        raise ValueError(f"meeting_id must be a positive meeting number, got {meeting_id!r}")
    if not isinstance(meeting_id, str):
        raise ValueError(f"meeting_id must be an int or a str, not {type(meeting_id).__name__}")
    text = meeting_id.strip()
    if _DIGITS.fullmatch(text):
        digits = re.sub(r"[ -]", "", text).lstrip("0")
        number = int(digits or "0") if len(digits) <= 19 else _MAX_MEETING_ID + 1
        if 0 < number <= _MAX_MEETING_ID:
            return number
        if number > _MAX_MEETING_ID:
            raise ValueError(f"{meeting_id!r} has too many digits for a meeting number (Zoom's have 9 to 11)")
        raise ValueError(f"meeting_id must be a positive meeting number, got {meeting_id!r}")
    if _UUID.fullmatch(text) and not text.isdigit():
        return text
    raise ValueError(
        f"{meeting_id!r} is neither a meeting number (digits, spaces and dashes allowed, e.g. "
        "'857 4606 5432') nor an instance UUID (16-64 characters of A-Z a-z 0-9 + / =)"
    )


def is_uuid(text: str) -> bool:
    """True for a string shaped like a Zoom instance UUID (16-64 of ``A-Za-z0-9+/=``, not all digits)."""
    return bool(_UUID.fullmatch(text)) and not text.isdigit()


def encode_uuid(meeting_uuid: str) -> str:
    """Encode an instance UUID for a URL path as Zoom requires.

    A UUID that starts with ``/`` or contains ``//`` is encoded twice, any other once, so ``/``
    never travels raw.

    Examples
    --------
    >>> encode_uuid("/abcABC123==")
    '%252FabcABC123%253D%253D'
    >>> encode_uuid("abc+def/ghi==")
    'abc%2Bdef%2Fghi%3D%3D'
    """
    once = urllib.parse.quote(meeting_uuid, safe="")
    if meeting_uuid.startswith("/") or "//" in meeting_uuid:
        return urllib.parse.quote(once, safe="")
    return once


def path_segment(meeting: MeetingRef) -> str:
    """The ``{meetingId}`` path segment for a meeting id or UUID."""
    return str(meeting) if isinstance(meeting, int) else encode_uuid(meeting)
