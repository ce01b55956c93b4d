"""Meeting ids as users paste them, and Zoom's UUID path encoding."""

from __future__ import annotations

import urllib.parse

import pytest

from zoom_pandas.meeting_ids import encode_uuid, parse_meeting_id


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        (85746065432, 85746065432),
        ("85746065432", 85746065432),
        ("857 4606 5432", 85746065432),
        ("857-4606-5432", 85746065432),
        ("  857 4606 5432 ", 85746065432),
        ("4444AAAiAAAAAiAiAiiAii==", "4444AAAiAAAAAiAiAiiAii=="),
        ("/abcABC123+def//ghi==", "/abcABC123+def//ghi=="),
    ],
)
def test_accepted_forms(given: object, expected: object) -> None:
    assert parse_meeting_id(given) == expected


@pytest.mark.parametrize(
    "given",
    [
        0,
        -5,
        True,
        3.5,
        None,
        "",
        "abc",
        "857  4606",
        "857_4606",
        "12 ab",
        "short==",
        "x" * 65,
        "has space in uuid=====",
        "abc%2Fdef0123456789",
        2**63,
        b"85746065432",
    ],
)
def test_rejected_forms(given: object) -> None:
    with pytest.raises(ValueError, match="meeting"):
        parse_meeting_id(given)


@pytest.mark.parametrize(
    ("uuid", "double"),
    [("/abcABC123==", True), ("ab//cdEFG==", True), ("ab/cdEFG==", False), ("abc+DEF==", False)],
)
def test_encoding_never_leaves_a_raw_slash(uuid: str, double: bool) -> None:
    encoded = encode_uuid(uuid)
    assert "/" not in encoded
    decoded = urllib.parse.unquote(encoded)
    if double:
        assert urllib.parse.unquote(decoded) == uuid
        assert "%25" in encoded
    else:
        assert decoded == uuid
        assert "%25" not in encoded


def test_zoom_documented_example() -> None:
    assert encode_uuid("/abcABC123==") == "%252FabcABC123%253D%253D"
