"""Untrusted answer bodies: checked before any parser sees them, then decoded or mapped to errors.

Every body a server sends passes :func:`checked_body` before a JSON parser reads it: a size cap,
a nesting cap (pyarrow's JSON reader recurses and a few thousand levels crash the interpreter;
Python's raises ``RecursionError``), UTF-8 (RFC 8259; a leading BOM is dropped), no lone UTF-16
surrogate escapes, and the shape of a JSON object. So any bytes end as a value or a
:class:`MalformedAnswer`, which callers turn into ``ZoomAPIError``.
"""

from __future__ import annotations

import json
import re
from typing import Any

import numpy as np
import requests

from zoom_pandas.errors import AuthError, MeetingNotFound, PermissionDenied, RateLimited, ZoomAPIError
from zoom_pandas.retry import parse_retry_after
from zoom_pandas.transport import MAX_ANSWER_BYTES

__all__ = [
    "MAX_DEPTH",
    "MalformedAnswer",
    "api_error",
    "checked_body",
    "decode_object",
    "json_object",
    "loads_object",
]

#: Deepest nesting accepted (Zoom's answers nest four levels; pyarrow crashes past ~50,000).
MAX_DEPTH = 512

_BOM = b"\xef\xbb\xbf"
_WHITESPACE = b" \t\r\n"
# Everything but brackets and quotes, deleted before the nesting count.
_NOT_STRUCTURE = bytes(range(256)).translate(None, b'[]{}"')
_STEP = np.zeros(256, np.int8)
_STEP[[ord("["), ord("{")]] = 1
_STEP[[ord("]"), ord("}")]] = -1
_SURROGATE = re.compile(
    rb"\\u[dD][89abAB][0-9a-fA-F]{2}\\u[dD][c-fC-F][0-9a-fA-F]{2}|\\u[dD][89a-fA-F][0-9a-fA-F]{2}"
)
_WINDOW = 1 << 20
_PERMISSION_CODES = {200, 1010, 4700, 4711, 12702}


class MalformedAnswer(ValueError):
    """An answer body that is not a well-formed JSON object within the limits."""


def checked_body(body: bytes) -> bytes:
    """Check an answer body before any JSON parser reads it.

    Parameters
    ----------
    body : bytes
        The raw body.

    Returns
    -------
    bytes
        The body, without a leading UTF-8 byte-order mark.

    Raises
    ------
    MalformedAnswer
        When the body is empty, too large, not UTF-8, holds a lone surrogate escape, nests deeper
        than :data:`MAX_DEPTH`, or is not a JSON object.
    """
    if len(body) > MAX_ANSWER_BYTES:
        raise MalformedAnswer(f"the answer is larger than {MAX_ANSWER_BYTES} bytes")
    if body[:1] != b"{" or body[-1:] != b"}":  # Zoom's own answers skip this: no BOM, no padding
        if body.startswith(_BOM):
            body = body[len(_BOM) :]
        stripped = body.strip(_WHITESPACE)
        if not stripped:
            raise MalformedAnswer("the answer is empty")
        if not (stripped.startswith(b"{") and stripped.endswith(b"}")):
            raise MalformedAnswer(f"the answer is not a JSON object (starts with {stripped[:16]!r})")
    if not body.isascii():
        try:
            body.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise MalformedAnswer(f"the answer is not valid UTF-8 (byte {exc.start})") from None
    unescaped = body
    if b"\\" in body:
        if b"\\\\" in body:
            unescaped = body.replace(b"\\\\", b"")  # "\\udead" is text, not an escape
        if b"\\u" in unescaped and any(len(m.group()) == 6 for m in _SURROGATE.finditer(unescaped)):
            raise MalformedAnswer("the answer holds a lone UTF-16 surrogate escape (not text)")
    if body.count(b"{") + body.count(b"[") > MAX_DEPTH and _depth(unescaped) > MAX_DEPTH:
        raise MalformedAnswer(f"the answer nests deeper than {MAX_DEPTH} levels")
    return body


def _depth(unescaped: bytes) -> int:
    """The deepest nesting of objects and arrays, brackets inside strings ignored.

    ``unescaped`` has its escaped backslashes removed already, so every ``\\"`` left is an escaped
    quote. The count runs over windows of the structure characters, carrying the depth and whether
    it is inside a string, so memory stays small whatever the body's size.
    """
    if b'\\"' in unescaped:
        unescaped = unescaped.replace(b'\\"', b"")
    structure = unescaped.translate(None, _NOT_STRUCTURE)
    deepest = depth = inside = 0
    for start in range(0, len(structure), _WINDOW):
        window = np.frombuffer(structure, np.uint8, count=min(_WINDOW, len(structure) - start), offset=start)
        quotes = np.cumsum(window == ord('"'), dtype=np.int32) + inside
        steps = _STEP[window].astype(np.int32)
        steps[(quotes & 1).astype(bool)] = 0
        levels = np.cumsum(steps, dtype=np.int32) + depth
        deepest = max(deepest, int(levels.max()))
        depth, inside = int(levels[-1]), int(quotes[-1]) & 1
    return deepest


def loads_object(body: bytes) -> dict[str, Any]:
    """Check and decode a body that must be a JSON object.

    Raises
    ------
    MalformedAnswer
        When it is not (see :func:`checked_body`), or does not parse.
    """
    return decode_object(checked_body(body))


def decode_object(body: bytes) -> dict[str, Any]:
    """Decode a body :func:`checked_body` has already passed.

    Raises
    ------
    MalformedAnswer
        When it does not parse as a JSON object.
    """
    try:
        value = json.loads(body)
    except (ValueError, RecursionError) as exc:
        raise MalformedAnswer(f"the answer is not valid JSON: {exc}") from None
    if not isinstance(value, dict):
        raise MalformedAnswer("the answer is not a JSON object")
    return value


def json_object(response: requests.Response, path: str) -> dict[str, Any]:
    """A successful response's body (checked by ``ZoomClient.get``) as a JSON object, or ``ZoomAPIError``."""
    try:
        return decode_object(response.content)
    except MalformedAnswer as exc:
        raise ZoomAPIError(response.status_code, None, f"GET {path}: {exc}") from None


def api_error(response: requests.Response) -> ZoomAPIError:
    """Map an error answer to the exception tree (any body at all)."""
    status = response.status_code
    try:
        body = loads_object(response.content)
    except MalformedAnswer:
        kind = response.headers.get("Content-Type", "no content type").split(";")[0][:60]
        return ZoomAPIError(status, None, f"non-JSON error body ({kind}, {len(response.content)} bytes)")
    code = body.get("code") if type(body.get("code")) is int else None
    message = str(body.get("message") or body.get("reason") or response.reason or "error")[:500]
    if code == 3001:
        return MeetingNotFound(status, code, message)
    if status == 401:
        return AuthError(status, code, message)
    if status == 403 or (status == 400 and code in _PERMISSION_CODES):
        return PermissionDenied(status, code, message)
    if 300 <= status < 400:
        return ZoomAPIError(status, code, f"unexpected redirect: {message}")
    if status == 429:
        return RateLimited(
            status, code, message, retry_after=parse_retry_after(response.headers.get("Retry-After"))
        )
    return ZoomAPIError(status, code, message)
