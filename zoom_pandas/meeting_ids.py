"""Meeting ids and instance UUIDs: validation as users paste them, and Zoom's path encoding.

Users paste a meeting number as the Zoom app shows it ("857 4606 5432"), an instance UUID, or
the join link of an invitation (``https://us02web.zoom.us/j/85746065432?pwd=...``): the link's
number is read, its passcode is never repeated in a message.
"""

from __future__ import annotations

import numbers
import re
import urllib.parse

__all__ = ["MeetingRef", "encode_uuid", "is_uuid", "parse_meeting_id"]

# ASCII digits only: "١٢٣" and "１２３" are digits to Python's \d and int(), not meeting numbers.
_DIGITS = re.compile(r"[0-9]+(?:[ -][0-9]+)*")
_UUID = re.compile(r"[A-Za-z0-9+/=]{16,64}")
_MAX_MEETING_ID = 2**63 - 1
#: "Meeting ID: 857 4606 5432" as an invitation writes it.
_LABEL = re.compile(r"^(?:meeting|webinar)\s*id\s*:?\s*", re.IGNORECASE)
#: A link with or without its scheme ("zoom.us/j/857..."); a UUID never holds "." or ":".
_LINK = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://.*|[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+/.*", re.DOTALL)
#: Zoom's own domains (a company's vanity domain is a subdomain: company.zoom.us).
_ZOOM_HOST = re.compile(r"(?:[a-z0-9-]+\.)*(?:zoom\.us|zoomgov\.com)")
#: Link paths that hold the number: /j/N (join), /w/N (webinar join), /s/N (start), web client.
_NUMBER_PATH = re.compile(r"/(?:j|w|s|wc/join|wc)/([^/]+)(?:/(?:join|start))?/?", re.IGNORECASE)
#: Query values never repeated in a message (passcodes, tokens).
_SECRET_QUERY = re.compile(r"(?i)\b(pwd|tk|zak|passcode|password|token)=[^&#\s]*")
_A_JOIN_LINK = (
    "a join link looks like https://zoom.us/j/85746065432 (any *.zoom.us or zoomgov.com host) or "
    "zoommtg://zoom.us/join?confno=85746065432"
)
_NEITHER = (
    "neither a meeting number (digits, spaces and dashes allowed, e.g. '857 4606 5432'), a Zoom join "
    "link (https://zoom.us/j/85746065432) nor an instance UUID (16-64 characters of A-Z a-z 0-9 + / =)"
)

#: A validated reference: an ``int`` meeting id, or a ``str`` instance UUID.
MeetingRef = int | str


def parse_meeting_id(meeting_id: object) -> MeetingRef:
    """Validate a meeting id, join link or instance UUID as a user would paste it.

    Parameters
    ----------
    meeting_id : int or str
        A positive integer; a digit string, spaces and dashes allowed as copied from the Zoom
        app (``"857 4606 5432"``, also after an invitation's ``"Meeting ID:"``); a Zoom join link
        (``https://zoom.us/j/85746065432?pwd=...``, any ``*.zoom.us`` or ``zoomgov.com`` host,
        webinar ``/w/`` links, web-client ``/wc/`` links, ``zoommtg://zoom.us/join?confno=...``);
        or an instance UUID of 16-64 characters from ``[A-Za-z0-9+/=]``.

    Returns
    -------
    int or str
        The meeting id as ``int``, or the UUID unchanged as ``str``.

    Raises
    ------
    ValueError
        For anything else, before any request; a link that holds no meeting number (a personal
        ``/my/`` link, a registration link, another site) says so. A passcode in a link is never
        part of the message.

    Examples
    --------
    >>> parse_meeting_id("857 4606 5432")
    85746065432
    >>> parse_meeting_id("https://us02web.zoom.us/j/85746065432?pwd=aBc123")
    85746065432
    >>> parse_meeting_id("4444AAAiAAAAAiAiAiiAii==")
    '4444AAAiAAAAAiAiAiiAii=='
    """
    if isinstance(meeting_id, bool):
        raise ValueError(f"meeting_id must be a meeting number or instance UUID, not {meeting_id!r}")
    if isinstance(meeting_id, numbers.Integral):  # int, and numpy's integers from a Series
        return _number(int(meeting_id), repr(int(meeting_id)))
    if not isinstance(meeting_id, str):
        raise ValueError(f"meeting_id must be an int or a str, not {type(meeting_id).__name__}")
    text = _LABEL.sub("", meeting_id.strip(), count=1)
    if _LINK.fullmatch(text):
        return _from_link(text)
    shown = _shown(meeting_id)
    if _DIGITS.fullmatch(text):
        digits = re.sub(r"[ -]", "", text).lstrip("0")
        if len(digits) > 19:  # more than int64 holds; int() of a huge string is slow and pointless
            raise ValueError(_too_long(shown, len(digits)))
        return _number(int(digits or "0"), shown)
    if _UUID.fullmatch(text) and not text.isdigit():
        return text
    if re.fullmatch(r"-\s*[0-9][0-9 -]*", text):
        raise ValueError(_negative(shown))
    raise ValueError(f"{shown} is {_NEITHER}")


def _number(number: int, shown: str) -> int:
    """A meeting number in int64's range, or a message that says what is wrong with it."""
    if 0 < number <= _MAX_MEETING_ID:
        return number
    if number > _MAX_MEETING_ID:
        raise ValueError(_too_long(shown, len(str(number))))
    if number < 0:
        raise ValueError(_negative(shown))
    raise ValueError(
        f"{shown} is not a meeting number: Zoom's are positive, 9 to 11 digits (e.g. 857 4606 5432)"
    )


def _too_long(shown: str, digits: int) -> str:
    return (
        f"{shown} has too many digits for a meeting number: {digits}, where Zoom's have 9 to 11 digits "
        "(and an instance UUID, 16-64 characters of A-Z a-z 0-9 + / =, is never only digits)"
    )


def _negative(shown: str) -> str:
    return f"{shown} is negative: meeting numbers are positive, 9 to 11 digits (e.g. 857 4606 5432)"


def _shown(text: str) -> str:
    """The input as a message repeats it: passcodes and tokens hidden, very long input cut."""
    hidden = _SECRET_QUERY.sub(r"\1=…", text)
    return repr(hidden if len(hidden) <= 80 else hidden[:77] + "...")


def _from_link(text: str) -> int:
    """The meeting number a Zoom join link holds (``ValueError`` when it holds none)."""
    try:
        parts = urllib.parse.urlsplit(text if "://" in text else f"https://{text}")
        host = (parts.hostname or "").lower()
    except ValueError:  # e.g. an unclosed "[" of an IPv6 host
        shown = _shown(re.split(r"[?#]", text, maxsplit=1)[0])
        raise ValueError(f"{shown} is not a Zoom link: {_A_JOIN_LINK}") from None
    # Only scheme, host and path are ever shown: the query and fragment hold passcodes and tokens.
    shown = _shown(f"{parts.scheme}://{host}{parts.path}")
    if not _ZOOM_HOST.fullmatch(host) or parts.scheme.lower() not in ("https", "http", "zoommtg", "zoomus"):
        raise ValueError(f"{shown} is not a Zoom link: {_A_JOIN_LINK}")
    if parts.path.rstrip("/").lower() == "/join":  # zoommtg://zoom.us/join?action=join&confno=N
        numbers_given = set(urllib.parse.parse_qs(parts.query).get("confno", []))
        found = numbers_given.pop() if len(numbers_given) == 1 else ""  # two numbers: which one?
    else:
        match = _NUMBER_PATH.fullmatch(parts.path)
        found = match.group(1) if match else ""
    if not re.fullmatch(r"[0-9]+", found):
        raise ValueError(f"{shown} holds no meeting number{_why_no_number(parts.path)}")
    digits = found.lstrip("0")
    if len(digits) > 19:
        raise ValueError(_too_long(shown, len(digits)))
    return _number(int(digits or "0"), shown)


def _why_no_number(path: str) -> str:
    """What a Zoom link without a number is, and where its number can be found."""
    if path.lower().startswith("/my/"):
        return " (a personal link names a person, not a meeting): copy the Meeting ID from the Zoom app"
    if "/register/" in path.lower():
        return " (a registration link): use the join link Zoom sends after registering, or the Meeting ID"
    return " (a join link looks like https://zoom.us/j/85746065432): copy the Meeting ID from the Zoom app"


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
