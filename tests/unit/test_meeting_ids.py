"""Meeting ids as users paste them, and Zoom's UUID path encoding."""

from __future__ import annotations

import re
import urllib.parse

import numpy as np
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
        ("Meeting ID: 857 4606 5432", 85746065432),
        ("webinar id 944 5566 7788", 94455667788),
        (np.int64(85746065432), 85746065432),
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


@pytest.mark.parametrize(
    ("link", "expected"),
    [
        ("https://zoom.us/j/85746065432?pwd=aBcD1234efGh.1", 85746065432),
        ("https://us02web.zoom.us/j/85746065432", 85746065432),
        ("https://us02web.zoom.us/j/85746065432?pwd=x#success", 85746065432),
        ("zoommtg://zoom.us/join?action=join&confno=85746065432&pwd=x", 85746065432),
        ("zoomus://zoom.us/join?confno=85746065432", 85746065432),
        ("https://company.zoom.us/w/94455667788?tk=abc.def", 94455667788),
        ("https://zoom.us/s/85746065432", 85746065432),
        ("https://app.zoom.us/wc/join/85746065432", 85746065432),
        ("https://zoom.us/wc/85746065432/join?pwd=x", 85746065432),
        ("zoom.us/j/85746065432", 85746065432),
        ("  HTTPS://ZOOM.US/J/85746065432/  ", 85746065432),
        ("https://agency.zoomgov.com/j/1612345678", 1612345678),
    ],
)
def test_join_links_give_their_meeting_number(link: str, expected: int) -> None:
    assert parse_meeting_id(link) == expected


@pytest.mark.parametrize(
    ("link", "message"),
    [
        ("https://zoom.us/my/ada.lovelace?pwd=SECRET", "personal link"),
        ("https://zoom.us/meeting/register/tJYsdOuhrz8?pwd=SECRET", "registration link"),
        ("https://zoom.us/j/?pwd=SECRET", "holds no meeting number"),
        ("https://zoom.us/j/8574606543x?pwd=SECRET", "holds no meeting number"),
        ("https://zoom.us/j/857%2046?pwd=SECRET", "holds no meeting number"),
        ("https://zoom.us/j/１２３４５６７８９?pwd=SECRET", "holds no meeting number"),
        ("zoommtg://zoom.us/join?action=join&pwd=SECRET", "holds no meeting number"),
        (
            "zoommtg://zoom.us/join?confno=85746065432&confno=81122334455&pwd=SECRET",
            "holds no meeting number",
        ),
        ("https://[zoom.us/j/85746065432?pwd=SECRET", "not a Zoom link"),
        ("https://zoom.us/signin?tk=SECRET", "holds no meeting number"),
        ("https://example.com/j/85746065432?pwd=SECRET", "not a Zoom link"),
        ("https://zoom.us.example.com/j/85746065432?pwd=SECRET", "not a Zoom link"),
        ("ftp://zoom.us/j/85746065432?pwd=SECRET", "not a Zoom link"),
        ("https://zoom.us/j/0?pwd=SECRET", "not a meeting number"),
        ("https://zoom.us/j/" + "9" * 40 + "?pwd=SECRET", "too many digits for a meeting number"),
    ],
)
def test_links_without_a_meeting_number_are_refused_without_their_passcode(link: str, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)) as caught:
        parse_meeting_id(link)
    assert "SECRET" not in str(caught.value) and "pwd" not in str(caught.value)


def test_a_passcode_in_text_that_is_no_link_is_not_repeated() -> None:
    with pytest.raises(ValueError, match=r"pwd=…") as caught:
        parse_meeting_id("85746065432?pwd=SECRET")
    assert "SECRET" not in str(caught.value)


@pytest.mark.parametrize("given", ["1" * 40, 10**40, "1234 5678 9012 3456 7890 1234 5678 9012 3456 7890"])
def test_a_number_too_long_says_so(given: object) -> None:
    with pytest.raises(ValueError, match="too many digits for a meeting number") as caught:
        parse_meeting_id(given)
    assert "9 to 11 digits" in str(caught.value) and "positive" not in str(caught.value)


@pytest.mark.parametrize("given", [-5, "-5", "-857 4606 5432", "- 5"])
def test_a_negative_number_says_so(given: object) -> None:
    with pytest.raises(ValueError, match="is negative: meeting numbers are positive") as caught:
        parse_meeting_id(given)
    assert "dashes allowed" not in str(caught.value)


def test_long_input_is_cut_in_the_message() -> None:
    with pytest.raises(ValueError, match=r"\.\.\.' is neither a meeting number") as caught:
        parse_meeting_id("x" * 5000)
    assert len(str(caught.value)) < 400
