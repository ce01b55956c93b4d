"""Hostile answers: every malformed body or header gives a sound frame or a typed error, never worse.

Each case serves one canned answer (bytes exact, headers included) from
:class:`~tests.reliability.hostile_server.HostileServer` and runs the real read in a worker process
(so a segfault or a hang fails the case, not the run): ``read_participants(..., cache=True)``,
then an offline read, ``to_string()`` and ``read_cache()``. The rule for every case:

- a frame: the offline read gives an equal frame, ``to_string`` works, ``read_cache`` has its rows,
  no warning outside ``ZoomPandasWarning``, and where the right rows are known they are asserted;
- or a ``ZoomPandasError`` (the expected subclass, a short message), after which the offline read
  and ``read_cache`` raise ``CacheMiss`` (nothing is cached from a failed fetch);
- anything else (another exception class, a crash, a hang past ``CASE_SECONDS``) fails.

``expect`` says which of the two is right: ``"error"`` where the answer is clearly not a report,
``"frame"`` where it is one, ``"either"`` where both are defensible (the outcome is recorded and
listed at the end of the module's run).

Also: 60 random byte mutations of a good page (fixed seed) under the same rule, and self-tests of
the harness. ``--soak``: 3,000 mutations (30 minutes at most) and bigger answers (200 MB, 500,000
rows, 10,000- to 1,000,000-deep nesting, a 512 MB gzip bomb), each bounded by five minutes.
"""

from __future__ import annotations

import dataclasses
import gzip
import json
import random
import signal
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Literal

import pytest

from tests.reliability.hostile_server import (
    MEETING_ID,
    MEETING_UUID,
    Answer,
    HostileServer,
    ReadWorker,
    json_answer,
    resolve_body,
    with_changes,
)

pytestmark = [pytest.mark.reliability, pytest.mark.integration]

REPO = Path(__file__).resolve().parents[2]
#: Wall-clock bound of one case (the read, the offline read, to_string and read_cache).
CASE_SECONDS = 30.0
SOAK_CASE_SECONDS = 300.0
#: Longest acceptable error message: an exception must not carry the answer's bytes.
MAX_MESSAGE_CHARS = 10_000
MB = 1 << 20

ROW_A: dict[str, Any] = {
    "id": "aAaAaAaAaAaAaAaAaAaAaA",
    "user_id": "16778240",
    "name": "Ada Lovelace",
    "user_email": "ada@example.com",
    "join_time": "2024-03-01T15:00:00Z",
    "leave_time": "2024-03-01T16:00:00Z",
    "duration": 3600,
    "failover": False,
    "status": "in_meeting",
    "customer_key": "",
    "registrant_id": "",
    "bo_mtg_id": "",
    "participant_user_id": "aAaAaAaAaAaAaAaAaAaAaA",
}
ROW_B: dict[str, Any] = ROW_A | {
    "id": "bBbBbBbBbBbBbBbBbBbBbB",
    "user_id": "16778241",
    "name": "Grace Hopper",
    "user_email": "grace@example.com",
    "join_time": "2024-03-01T15:05:00Z",
    "leave_time": "2024-03-01T15:55:00Z",
    "duration": 3000,
    "participant_user_id": "bBbBbBbBbBbBbBbBbBbBbB",
}
NAMES = ("Ada Lovelace", "Grace Hopper")
MARK = "HOSTILE-MARK"


def page(participants: object = None, **changes: object) -> dict[str, Any]:
    """A report page (two good rows unless ``participants`` says otherwise); ``None`` drops a field."""
    body: dict[str, Any] = {
        "page_count": 1,
        "page_size": 300,
        "total_records": 2,
        "next_page_token": "",
        "participants": [ROW_A, ROW_B] if participants is None else participants,
    }
    return with_changes(body, changes)


def gzip_of_whitespace(size: int) -> Answer:
    """A good page followed by ``size`` bytes of spaces, gzip-compressed (a decompression bomb)."""
    return raw(
        gzip.compress(GOOD_BYTES + b" " * size, compresslevel=1),
        headers=(("Content-Type", b"application/json"), ("Content-Encoding", b"gzip")),
    )


def rows(**changes: object) -> list[dict[str, Any]]:
    """Both good rows, the first one changed (``None`` drops a field)."""
    first = {key: value for key, value in (ROW_A | changes).items() if value is not None}
    return [first, ROW_B]


def good(**changes: object) -> Answer:
    """The two-row page as compact JSON, top-level fields changed."""
    return json_answer(page(**changes))


def raw(
    body: bytes,
    status: int = 200,
    content_type: bytes = b"application/json",
    headers: tuple[tuple[str, bytes], ...] | None = None,
    **options: Any,
) -> Answer:
    """Any bytes as the body; ``headers`` replaces the Content-Type header."""
    chosen = (("Content-Type", content_type),) if headers is None else headers
    return Answer(body=body, status=status, headers=chosen, **options)


def pretty(body: bytes) -> bytes:
    """A compact JSON text re-indented, one member per line (the bytes inside strings untouched)."""
    return body.replace(b'","', b'",\n  "').replace(b"{", b"{\n  ").replace(b"}", b"\n}")


def marked(body: object, replacement: bytes) -> bytes:
    """JSON text of ``body`` with every ``MARK`` (inside strings) replaced by raw bytes."""
    return json.dumps(body, separators=(",", ":")).encode().replace(MARK.encode(), replacement)


def members(*pairs: tuple[str, object]) -> bytes:
    """A JSON object written member by member, so a key may come twice."""
    parts = [json.dumps(key).encode() + b":" + json.dumps(value).encode() for key, value in pairs]
    return b"{" + b",".join(parts) + b"}"


def deep(depth: int) -> str:
    """``depth`` nested lists, compact."""
    return "[" * depth + "]" * depth


def deep_objects(depth: int) -> str:
    """``{"a":{"a":...{}}}``, ``depth`` deep."""
    return '{"a":' * (depth - 1) + "{}" + "}" * (depth - 1)


def pretty_deep(depth: int) -> bytes:
    """A ``depth``-deep list, one bracket per line, indented."""
    lines = [" " * i + "[" for i in range(depth)] + [" " * i + "]" for i in reversed(range(depth))]
    return "\n".join(lines).encode()


def spliced(body: object, raw_value: str, pretty: bool = False) -> bytes:
    """JSON text of ``body`` with the string ``MARK`` replaced by raw JSON text (a value JSON can't hold)."""
    text = json.dumps(body, indent=1 if pretty else None, separators=None if pretty else (",", ":"))
    return text.replace(json.dumps(MARK), raw_value).encode()


def with_unknown(raw_value: str, pretty: bool = False) -> bytes:
    """The good page with the first row holding ``"extra": <raw_value>`` (raw JSON text)."""
    return spliced(page(rows(extra=MARK)), raw_value, pretty)


def many_rows(count: int) -> bytes:
    """One page of ``count`` distinct rows (``total_records`` says so)."""
    template = json.dumps(ROW_A | {"name": "Person NUMBER", "user_id": "NUMBER"})
    joined = ",".join(template.replace("NUMBER", str(number)) for number in range(count))
    head = json.dumps(page([], total_records=count))
    return head.replace('"participants": []', '"participants": [' + joined + "]").encode()


def retry_after(value: bytes) -> Answer:
    """A 429 (per-second limit) with this ``Retry-After``."""
    body = json.dumps({"code": 429, "message": "You have reached the maximum per-second rate limit."})
    headers = (("Content-Type", b"application/json"), ("Retry-After", value), ("X-RateLimit-Type", b"QPS"))
    return Answer(body=body.encode(), status=429, headers=headers)


def resolved(**changes: object) -> Answer:
    """A resolve answer for the test meeting with fields changed (``None`` drops one)."""
    return json_answer(resolve_body(**changes))


@dataclasses.dataclass(frozen=True)
class Case:
    """One hostile answer and what a correct client makes of it."""

    name: str
    page: Callable[[], Answer | tuple[Answer, ...]]
    expect: Literal["frame", "error", "either"]
    resolve: Callable[[], Answer] | None = None
    ref: int | str = MEETING_UUID
    rows: int | None = 2
    names: tuple[str | None, ...] | None = NAMES
    error: str = "ZoomPandasError"
    check: Callable[[dict[str, Any]], None] | None = None


def case(
    name: str,
    answer: Answer | tuple[Answer, ...] | Callable[[], Answer | tuple[Answer, ...]],
    expect: Literal["frame", "error", "either"],
    **options: Any,
) -> Case:
    """A case; big answers are given as functions and built only when their case runs."""
    build = answer if callable(answer) else (lambda: answer)
    resolve = options.pop("resolve", None)
    if isinstance(resolve, Answer):
        options["resolve"] = lambda: resolve
    return Case(name=name, page=build, expect=expect, **options)


def resolve_case(name: str, answer: Answer, expect: Literal["frame", "error", "either"], **kw: Any) -> Case:
    """A hostile resolve answer (the meeting is read by number); the report page is good."""
    return case(name, good(), expect, resolve=answer, ref=MEETING_ID, **kw)


def check_all_na(outcome: dict[str, Any]) -> None:
    """Every participant field of the one row is NA; the stamped columns are the instance's."""
    (cells,) = outcome["cells"]
    assert cells["meeting_id"] == str(MEETING_ID)
    assert cells["meeting_uuid"] == MEETING_UUID
    assert {key: value for key, value in cells.items() if key not in ("meeting_id", "meeting_uuid")} == {
        key: None for key in cells if key not in ("meeting_id", "meeting_uuid")
    }


def check_stamped_meeting_id(outcome: dict[str, Any]) -> None:
    """A ``meeting_id`` on the wire never replaces the instance's number."""
    assert outcome["meeting_ids"] == [MEETING_ID]
    assert all(cells["meeting_uuid"] == MEETING_UUID for cells in outcome["cells"])


def check_name_length(length: int) -> Callable[[dict[str, Any]], None]:
    """The longest name has exactly ``length`` characters."""

    def check(outcome: dict[str, Any]) -> None:
        assert outcome["name_max_len"] == length

    return check


def check_join_time(expected: str) -> Callable[[dict[str, Any]], None]:
    """The first row's join_time reads as ``expected``."""

    def check(outcome: dict[str, Any]) -> None:
        assert outcome["cells"][0]["join_time"] == expected

    return check


def check_first_name_in(*names: str) -> Callable[[dict[str, Any]], None]:
    """The first row's name is one of ``names``."""

    def check(outcome: dict[str, Any]) -> None:
        assert outcome["cells"][0]["name"] in names

    return check


def check_no_start_time(outcome: dict[str, Any]) -> None:
    """An unreadable start_time becomes None in attrs, not a guess."""
    assert outcome["attrs_start_time"] is None


GOOD = page()
GOOD_BYTES = json.dumps(GOOD, separators=(",", ":")).encode()
#: A first page promising a second (four records in all).
FIRST_OF_TWO = good(next_page_token="tok-2", total_records=4, page_size=2, page_count=2)
HTML = b"<!DOCTYPE html><html><head><title>Zoom</title></head><body>Sign in</body></html>"

CASES: list[Case] = [
    # -- types -------------------------------------------------------------------------------------
    case("participants_string", good(participants="Ada Lovelace"), "error"),
    case("participants_number", good(participants=42), "error"),
    case("participants_object", good(participants={"name": "Ada Lovelace"}), "error"),
    case("participants_true", good(participants=True), "error"),
    case("rows_strings", good(participants=["Ada Lovelace", "Grace Hopper"]), "error"),
    case("rows_numbers", good(participants=[1, 2]), "error"),
    case("rows_object_then_string", good(participants=[ROW_A, "Grace Hopper"]), "error"),
    case("rows_nested_lists", good(participants=[[ROW_A], [ROW_B]]), "error"),
    case("duration_text", good(participants=rows(duration="abc")), "error"),
    case("duration_negative", good(participants=rows(duration=-1)), "frame"),
    case("duration_1e400", raw(spliced(page(rows(duration=MARK)), "1e400")), "error"),
    case("duration_true", good(participants=rows(duration=True)), "error"),
    case("duration_fraction", good(participants=rows(duration=59.5)), "either"),
    case("duration_10e30", good(participants=rows(duration=10**30)), "error"),
    case("duration_int64_max", good(participants=rows(duration=2**63 - 1)), "either"),
    case("join_time_number", good(participants=rows(join_time=12)), "error"),
    case("join_time_not_a_time", good(participants=rows(join_time="not a time")), "error"),
    case("join_time_impossible_date", good(participants=rows(join_time="2024-13-45T99:00:00Z")), "error"),
    case(
        "join_time_year_9999",
        good(participants=rows(join_time="9999-12-31T23:59:59Z")),
        "frame",
        check=check_join_time("9999-12-31 23:59:59+00:00"),
    ),
    case(
        "join_time_year_0001",
        good(participants=rows(join_time="0001-01-01T00:00:00Z")),
        "frame",
        check=check_join_time("0001-01-01 00:00:00+00:00"),
    ),
    case("leave_time_object", good(participants=rows(leave_time={})), "error"),
    case("failover_yes", good(participants=rows(failover="yes")), "error"),
    case("failover_number", good(participants=rows(failover=1)), "either"),
    case("name_number", good(participants=rows(name=12345)), "either", names=("12345", "Grace Hopper")),
    case("total_records_text", good(total_records="many"), "either"),
    case("next_page_token_number", good(next_page_token=7), "either"),
    case("next_page_token_object", good(next_page_token={}), "either"),
    # -- nulls -------------------------------------------------------------------------------------
    case("body_null", raw(b"null"), "error"),
    case("participants_null", raw(spliced(page(MARK), "null")), "error"),
    case("page_every_field_null", json_answer(dict.fromkeys(GOOD)), "error"),
    case(
        "row_every_field_null",
        good(participants=[dict.fromkeys(ROW_A)], total_records=1),
        "frame",
        rows=1,
        names=None,
        check=check_all_na,
    ),
    case("row_null", good(participants=[None], total_records=1), "either", rows=None, names=None),
    case("rows_with_null_between", good(participants=[ROW_A, None, ROW_B]), "either", rows=None, names=None),
    # -- nesting -----------------------------------------------------------------------------------
    case("nesting_5000_compact", raw(deep(5000).encode()), "error"),
    case("nesting_5000_pretty", raw(pretty_deep(5000)), "error"),
    case("nesting_5000_objects", raw(deep_objects(5000).encode()), "error"),
    case("nesting_100000_compact", raw(deep(100_000).encode()), "error"),
    case("nesting_5000_in_unknown_row_field", raw(with_unknown(deep(5000))), "either"),
    case("nesting_5000_in_unknown_row_field_pretty", raw(with_unknown(deep(5000), pretty=True)), "either"),
    case("nesting_20000_in_unknown_row_field", raw(with_unknown(deep(20_000))), "either"),
    case("nesting_5000_objects_in_unknown_row_field", raw(with_unknown(deep_objects(5000))), "either"),
    case(
        "nesting_5000_in_unknown_page_field",
        raw(GOOD_BYTES[:-1] + b',"extra":' + deep(5000).encode() + b"}"),
        "either",
    ),
    # -- sizes -------------------------------------------------------------------------------------
    case("body_50mb_unknown_string", lambda: good(padding="x" * (50 * MB)), "either"),
    case("body_50mb_garbage", lambda: raw(b"\xff" * (50 * MB)), "error"),
    case(
        "name_10mb",
        lambda: good(participants=rows(name="A" * (10 * MB))),
        "either",
        names=None,
        check=check_name_length(10 * MB),
    ),
    case("rows_100000_one_page", lambda: raw(many_rows(100_000)), "either", rows=100_000, names=None),
    case(
        "gzip_64mb_of_whitespace",
        lambda: gzip_of_whitespace(64 * MB),
        "either",
    ),
    # -- encodings ---------------------------------------------------------------------------------
    case("name_invalid_utf8", raw(marked(page(rows(name=f"Ada {MARK}")), b"\xff\xfe")), "error"),
    case(
        "name_invalid_utf8_pretty", raw(pretty(marked(page(rows(name=f"Ada {MARK}")), b"\xff\xfe"))), "error"
    ),
    case("name_overlong_utf8", raw(marked(page(rows(name=f"Ada {MARK}")), b"\xc0\xaf")), "error"),
    case("name_latin1", raw(marked(page(rows(name=f"Zo{MARK}")), b"\xeb")), "error"),
    case(
        "name_utf8_encoded_surrogate", raw(marked(page(rows(name=f"Ada {MARK}")), b"\xed\xa0\x80")), "error"
    ),
    case(
        "name_lone_surrogate_escape",
        raw(marked(page(rows(name=f"Ada {MARK}")), b"\\ud800")),
        "either",
        names=None,
    ),
    case("body_utf16", raw(json.dumps(GOOD).encode("utf-16")), "error"),
    case("body_utf16le_without_bom", raw(json.dumps(GOOD).encode("utf-16-le")), "error"),
    case("page_pretty_printed", raw(pretty(GOOD_BYTES)), "frame"),
    case("body_utf8_bom", raw(b"\xef\xbb\xbf" + GOOD_BYTES), "either"),
    case("name_raw_nul", raw(marked(page(rows(name=f"Ada{MARK}Lovelace")), b"\x00")), "error"),
    case(
        "name_escaped_nul",
        raw(marked(page(rows(name=f"Ada{MARK}Lovelace")), b"\\u0000")),
        "either",
        names=("Ada\x00Lovelace", "Grace Hopper"),
    ),
    case("body_trailing_nul", raw(GOOD_BYTES + b"\x00"), "error"),
    # -- duplicate keys ----------------------------------------------------------------------------
    case(
        "duplicate_participants",
        raw(members(("participants", [ROW_A]), ("participants", [ROW_A, ROW_B]), ("total_records", 2))),
        "either",
        rows=None,
        names=None,
    ),
    case(
        "duplicate_next_page_token_empty_first",
        raw(members(("next_page_token", ""), ("participants", [ROW_A, ROW_B]), ("next_page_token", "tok-2"))),
        "either",
    ),
    case(
        "duplicate_next_page_token_empty_last",
        raw(members(("next_page_token", "tok-2"), ("participants", [ROW_A, ROW_B]), ("next_page_token", ""))),
        "either",
    ),
    case(
        "duplicate_field_in_row",
        raw(GOOD_BYTES.replace(b'"name":"Ada Lovelace"', b'"name":"First Name","name":"Second Name"', 1)),
        "either",
        names=None,
        check=check_first_name_in("First Name", "Second Name"),
    ),
    case(
        "duplicate_participants_pretty",
        raw(pretty(members(("participants", [ROW_A]), ("participants", [ROW_A, ROW_B])))),
        "either",
        rows=None,
        names=None,
    ),
    case(
        "duplicate_total_records",
        raw(members(("total_records", 2), ("participants", [ROW_A, ROW_B]), ("total_records", 5))),
        "either",
    ),
    # -- huge numbers ------------------------------------------------------------------------------
    case("total_records_10e30", good(total_records=10**30), "either"),
    case("total_records_negative", good(total_records=-1), "error"),
    case("row_id_1e308", good(participants=rows(id=1e308)), "either"),
    case("row_user_id_10e30", good(participants=rows(user_id=10**30)), "either"),
    case("page_size_zero", good(page_size=0), "frame"),
    case("page_size_negative", good(page_size=-1), "error"),
    # -- missing fields ----------------------------------------------------------------------------
    case("no_participants", json_answer({k: v for k, v in GOOD.items() if k != "participants"}), "error"),
    case("no_next_page_token", good(next_page_token=None), "frame"),
    case("empty_object", raw(b"{}"), "error"),
    case("row_empty_object", good(participants=[{}], total_records=1), "either", rows=1, names=None),
    case("participants_empty_list", good(participants=[], total_records=0), "frame", rows=0, names=None),
    # -- not JSON ----------------------------------------------------------------------------------
    case("html_page_200", raw(HTML, content_type=b"text/html; charset=utf-8"), "error"),
    case("empty_body", raw(b""), "error"),
    case("truncated_json", raw(GOOD_BYTES[: len(GOOD_BYTES) // 2]), "error"),
    case("truncated_before_last_brace", raw(GOOD_BYTES[:-1]), "error"),
    case("top_level_empty_array", raw(b"[]"), "error"),
    case("top_level_array_of_page", raw(b"[" + GOOD_BYTES + b"]"), "error"),
    case("bare_string", raw(b'"participants"'), "error"),
    case("bare_number", raw(b"42"), "error"),
    case("bare_true", raw(b"true"), "error"),
    case("two_pages_on_two_lines", raw(GOOD_BYTES + b"\n" + GOOD_BYTES), "error"),
    case("two_pages_on_one_line", raw(GOOD_BYTES + b" " + GOOD_BYTES), "error"),
    case("javascript_comment", raw(b"// page\n" + GOOD_BYTES), "error"),
    case("python_repr", raw(repr(GOOD).encode()), "error"),
    case("nan_literal", raw(GOOD_BYTES.replace(b'"duration":3600', b'"duration":NaN')), "error"),
    # -- unknown fields ----------------------------------------------------------------------------
    case("unknown_row_field_empty_object", good(participants=rows(extra={})), "frame"),
    case("unknown_row_field_empty_list", good(participants=rows(extra=[])), "frame"),
    case("unknown_row_field_only_in_second_row", good(participants=[ROW_A, ROW_B | {"extra": "x"}]), "frame"),
    case(
        "unknown_row_field_mixed_types",
        good(participants=[ROW_A | {"extra": 1}, ROW_B | {"extra": "one"}]),
        "either",
    ),
    case(
        "unknown_row_field_object_then_string",
        good(participants=[ROW_A | {"extra": {"a": 1}}, ROW_B | {"extra": "one"}]),
        "either",
    ),
    case("unknown_row_field_iso_times", good(participants=rows(extra="2024-03-01T15:00:00Z")), "frame"),
    case("unknown_page_fields", good(extra_object={}, extra_list=[], extra_null=None), "frame"),
    case(
        "unknown_row_field_named_meeting_id",
        good(participants=rows(meeting_id="not-this-meeting", meeting_uuid="not-this-uuid")),
        "frame",
        check=check_stamped_meeting_id,
    ),
    # -- headers -----------------------------------------------------------------------------------
    case("content_type_html_json_body", raw(GOOD_BYTES, content_type=b"text/html"), "either"),
    case("content_type_missing", raw(GOOD_BYTES, headers=()), "either"),
    case(
        "content_length_longer_then_close",
        raw(GOOD_BYTES, headers=(("Content-Length", str(len(GOOD_BYTES) + 100).encode()),)),
        "error",
    ),
    case(
        "content_length_shorter",
        raw(GOOD_BYTES, headers=(("Content-Length", str(len(GOOD_BYTES) // 2).encode()),)),
        "error",
    ),
    case(
        "content_length_longer_held_open",
        raw(GOOD_BYTES, headers=(("Content-Length", str(len(GOOD_BYTES) + 100).encode()),), hold_open=20.0),
        "error",
    ),
    # An unreadable Content-Length leaves the length unknown: reading to the close gives the whole body.
    case("content_length_garbage", raw(GOOD_BYTES, headers=(("Content-Length", b"abc"),)), "either"),
    case("content_length_negative", raw(GOOD_BYTES, headers=(("Content-Length", b"-5"),)), "either"),
    case(
        "content_length_conflicting",
        raw(
            GOOD_BYTES, headers=(("Content-Length", b"10"), ("Content-Length", str(len(GOOD_BYTES)).encode()))
        ),
        "error",
    ),
    case(
        "transfer_encoding_chunked_not_chunked",
        raw(GOOD_BYTES, headers=(("Transfer-Encoding", b"chunked"),)),
        "error",
    ),
    case(
        "content_encoding_gzip_not_gzip", raw(GOOD_BYTES, headers=(("Content-Encoding", b"gzip"),)), "error"
    ),
    case("retry_after_inf", retry_after(b"inf"), "error", error="RateLimited"),
    case("retry_after_1e12", retry_after(b"1e12"), "error", error="RateLimited"),
    case("retry_after_99999999999999", retry_after(b"99999999999999"), "error", error="RateLimited"),
    case("retry_after_garbage", retry_after(b"soon-ish, maybe"), "error", error="RateLimited"),
    case("retry_after_nan", retry_after(b"nan"), "error", error="RateLimited"),
    case("retry_after_negative", retry_after(b"-5"), "error", error="RateLimited"),
    case("retry_after_year_10000", retry_after(b"10000-01-01T00:00:00Z"), "error", error="RateLimited"),
    case("retry_after_60000_digits", retry_after(b"9" * 60_000), "error", error="RateLimited"),
    # A header line longer than any HTTP client reads: no answer, so no RateLimited either.
    case("retry_after_1mb", lambda: retry_after(b"9" * MB), "error"),
    case(
        "header_value_1mb",
        lambda: raw(GOOD_BYTES, headers=(("Content-Type", b"application/json"), ("X-Junk", b"j" * MB))),
        "either",
    ),
    case(
        "headers_500",
        raw(GOOD_BYTES, headers=tuple((f"X-Junk-{n}", b"j") for n in range(500))),
        "either",
    ),
    case("status_line_garbage", raw(GOOD_BYTES, status_line=b"HTTP/1.1 abc OK"), "error"),
    case("status_999", raw(GOOD_BYTES, status=999), "error"),
    case("status_301_without_location", raw(GOOD_BYTES, status=301), "error"),
    case("status_204_no_body", raw(b"", status=204), "error"),
    # -- error answers -----------------------------------------------------------------------------
    case("error_400_fields_mistyped", json_answer({"code": "300", "message": 5}, status=400), "error"),
    case("error_400_body_null", raw(b"null", status=400), "error"),
    case("error_404_html", raw(HTML, status=404, content_type=b"text/html"), "error"),
    case("error_500_huge_body", lambda: raw(b"x" * (20 * MB), status=500), "error"),
    case(
        "error_401_code_124_always",
        json_answer({"code": 124, "message": "Invalid access token."}, status=401),
        "error",
        error="AuthError",
    ),
    # -- a good first page, then a hostile second one ----------------------------------------------
    case("second_page_null", (FIRST_OF_TWO, raw(b"null")), "error"),
    case("second_page_html", (FIRST_OF_TWO, raw(HTML, content_type=b"text/html")), "error"),
    case("second_page_empty_object", (FIRST_OF_TWO, raw(b"{}")), "error"),
    case("second_page_duration_text", (FIRST_OF_TWO, good(participants=rows(duration="abc"))), "error"),
    case(
        "second_page_invalid_utf8",
        (FIRST_OF_TWO, raw(marked(page(rows(name=f"Ada {MARK}")), b"\xff\xfe"))),
        "error",
    ),
    # -- the resolve answer (GET /past_meetings/{id}) ----------------------------------------------
    resolve_case("resolve_no_uuid", resolved(uuid=None), "error"),
    resolve_case("resolve_no_id", resolved(id=None), "error"),
    resolve_case("resolve_id_text", resolved(id="abc"), "error"),
    resolve_case("resolve_id_fraction", resolved(id=123.9), "error"),
    resolve_case("resolve_id_true", resolved(id=True), "error"),
    resolve_case("resolve_id_negative", resolved(id=-5), "error"),
    resolve_case("resolve_id_1e308", resolved(id=1e308), "error"),
    resolve_case("resolve_id_10e30", resolved(id=10**30), "error"),
    resolve_case("resolve_uuid_number", resolved(uuid=5), "error"),
    resolve_case("resolve_uuid_empty", resolved(uuid=""), "error"),
    resolve_case("resolve_uuid_10k_chars", resolved(uuid="A" * 10_000), "either"),
    resolve_case(
        "resolve_uuid_path_traversal", resolved(uuid="../../../../../tmp/zoom-pandas-escape"), "either"
    ),
    resolve_case("resolve_uuid_dots", resolved(uuid=".."), "either"),
    resolve_case(
        "resolve_start_time_garbage",
        resolved(start_time="2024-13-45T99:00:00Z"),
        "frame",
        check=check_no_start_time,
    ),
    resolve_case("resolve_end_time_number", resolved(end_time=12), "frame"),
    resolve_case("resolve_body_null", raw(b"null"), "error"),
    resolve_case("resolve_html_200", raw(HTML, content_type=b"text/html"), "error"),
    resolve_case("resolve_top_level_array", raw(b"[" + json.dumps(resolve_body()).encode() + b"]"), "error"),
]


@dataclasses.dataclass
class Tally:
    """Every case's outcome in one line, for the summary printed at the end of the module."""

    kinds: dict[str, str] = dataclasses.field(default_factory=dict)
    lines: dict[str, str] = dataclasses.field(default_factory=dict)
    expectations: dict[str, str] = dataclasses.field(default_factory=dict)
    failing: dict[str, str] = dataclasses.field(default_factory=dict)
    notes: list[str] = dataclasses.field(default_factory=list)
    seconds: float = 0.0

    def add(self, name: str, expect: str, outcome: dict[str, Any], found: list[str]) -> None:
        """Record one case."""
        self.kinds[name] = kind_of(outcome)
        self.lines[name] = describe(outcome)
        self.expectations[name] = expect
        self.seconds += float(outcome.get("seconds", 0))
        if found:
            self.failing[name] = found[0].split("\n", 1)[0]

    def summary(self) -> list[str]:
        """Counts, then each failing case and each "either" choice, one line each."""
        counts: dict[str, int] = {}
        for kind in self.kinds.values():
            counts[kind] = counts.get(kind, 0) + 1
        if not self.kinds:
            return self.notes
        lines = [
            f"hostile answers: {len(self.kinds)} cases, {self.seconds:.1f} s of reads: "
            + ", ".join(f"{count} {kind}" for kind, count in sorted(counts.items()))
            + f"; {len(self.failing)} break the rule"
        ]
        lines += [f"  FAIL    {name}: {problem[:200]}" for name, problem in self.failing.items()]
        lines += [
            f"  either  {name}: {line[:200]}"
            for name, line in self.lines.items()
            if self.expectations[name] == "either" and name not in self.failing
        ]
        return lines + self.notes


def kind_of(outcome: dict[str, Any]) -> str:
    """frame, typed error, untyped error, crash or hang."""
    kind = outcome["outcome"]
    if kind == "raised" and outcome["typed"]:
        return "typed error"
    return {"frame": "frame", "crashed": "crash", "hang": "hang"}.get(kind, "untyped error")


def describe(outcome: dict[str, Any]) -> str:
    """An outcome in one line."""
    kind = outcome["outcome"]
    if kind == "frame":
        return f"frame of {outcome['rows']} rows, dtypes {outcome['dtypes_hash']}, {outcome['seconds']} s"
    if kind in ("raised", "harness"):
        short = outcome["class"].rsplit(".", 1)[-1]
        typed = "" if outcome["typed"] else "untyped "
        return f"{typed}{short}: {outcome['message'][:300]}"
    if kind == "crashed":
        code = outcome["returncode"]
        signal = f" (signal {-code})" if code < 0 else ""
        return f"crash: worker exit code {code}{signal} during {outcome['stage']}"
    return f"hang: no answer within {outcome['seconds']} s, during {outcome['stage']}"


@pytest.fixture(scope="module")
def hostile() -> Iterator[HostileServer]:
    """The hostile server, one for the module."""
    with HostileServer() as server:
        yield server


@pytest.fixture(scope="module")
def tally(request: pytest.FixtureRequest, reader: ReadWorker) -> Iterator[Tally]:
    """Collects every case's outcome and prints the summary when the module ends."""
    collected = Tally()
    yield collected
    collected.notes.append(f"worker processes started: {reader.started}")
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if reporter is None or capture is None or not (collected.kinds or collected.notes):
        return
    with capture.global_and_fixture_disabled():
        reporter.write_line("")
        for line in collected.summary():
            reporter.write_line(line)


@pytest.fixture(scope="module")
def reader() -> Iterator[ReadWorker]:
    """The persistent worker process the reads run in."""
    worker = ReadWorker(REPO)
    yield worker
    worker.close()


def run(
    hostile: HostileServer, reader: ReadWorker, ref: int | str, cache_dir: Path, seconds: float = CASE_SECONDS
) -> dict[str, Any]:
    """One read in the worker against whatever the server serves now."""
    request = {
        "api_url": hostile.api_url,
        "oauth_url": hostile.oauth_url,
        "ref": ref,
        "cache_dir": str(cache_dir),
    }
    return reader.run(request, timeout=seconds)


def problems(outcome: dict[str, Any], expect: str, error: str = "ZoomPandasError") -> list[str]:
    """Everything wrong with an outcome under the module's rule (empty: it is sound)."""
    kind = outcome["outcome"]
    if kind == "crashed":
        return [f"{describe(outcome)}\n{outcome['stderr']}"]
    if kind == "hang":
        return [describe(outcome)]
    if kind == "harness":
        return [f"the harness failed: {describe(outcome)}\n{outcome['traceback']}"]
    if kind == "raised" and not outcome["typed"]:
        return [f"{describe(outcome)}\n{outcome['traceback']}"]
    if kind == "raised":
        return typed_error_problems(outcome, expect, error)
    return frame_problems(outcome, expect)


def typed_error_problems(outcome: dict[str, Any], expect: str, error: str) -> list[str]:
    """A typed error must be the expected one, short, and leave nothing cached."""
    found = []
    if expect == "frame":
        found.append(f"expected a frame, got {describe(outcome)}")
    if error not in outcome["mro"]:
        found.append(f"expected {error}, got {describe(outcome)}")
    if outcome["message_chars"] > MAX_MESSAGE_CHARS:
        found.append(f"the error message has {outcome['message_chars']:,} characters")
    for step in ("offline", "read_cache"):
        after = outcome[step]
        if "CacheMiss" not in after.get("mro", ()):
            found.append(f"{step} after a failed fetch: expected CacheMiss, got {describe(after)}")
    return found


def frame_problems(outcome: dict[str, Any], expect: str) -> list[str]:
    """A frame must be usable, cached as it was returned, and come with no stray warning."""
    found = []
    if expect == "error":
        found.append(f"expected a typed error, got a {describe(outcome)}")
    if "cells_error" in outcome:
        error = outcome["cells_error"]
        found.append(
            f"the frame came back but reading its cells raises {describe(error)}\n{error['traceback']}"
        )
    if "to_string" in outcome:
        found.append(f"to_string() raises {describe(outcome['to_string'])}")
    unwritten = any("CacheWriteWarning" in warning["mro"] for warning in outcome["warnings"])
    offline = outcome["offline"]
    if unwritten:
        if "CacheMiss" not in offline.get("mro", ()):
            found.append(
                f"offline read after a CacheWriteWarning: expected CacheMiss, got {describe(offline)}"
            )
    elif offline["outcome"] != "frame":
        found.append(f"the offline read gives {describe(offline)}")
    elif not offline["equal"]:
        found.append(f"the offline frame differs: {offline.get('difference')}")
    cached = outcome["read_cache"]
    if not unwritten and outcome["rows"] and cached.get("rows") != outcome["rows"]:
        found.append(f"read_cache(): expected {outcome['rows']} rows, got {describe(cached)}")
    stray = [w for w in outcome["warnings"] if "ZoomPandasWarning" not in w["mro"]]
    if stray:
        found.append(f"warnings outside ZoomPandasWarning: {stray}")
    return found


def check_case(
    hostile_case: Case,
    hostile: HostileServer,
    reader: ReadWorker,
    tally: Tally,
    cache_dir: Path,
    seconds: float,
) -> None:
    """Serve one case, read it in the worker, and hold the outcome to the module's rule."""
    hostile.serve(hostile_case.page(), hostile_case.resolve() if hostile_case.resolve else None)
    outcome = run(hostile, reader, hostile_case.ref, cache_dir, seconds)
    found = problems(outcome, hostile_case.expect, hostile_case.error)
    strays = [path for kind, path in hostile.requests if kind == "other"]
    if strays:
        found.append(f"requests outside the token, resolve and report routes: {strays}")
    tally.add(hostile_case.name, hostile_case.expect, outcome, found)
    assert not found, "\n".join(found)
    if outcome["outcome"] != "frame":
        return
    if hostile_case.rows is not None:
        assert outcome["rows"] == hostile_case.rows
    if hostile_case.names is not None:
        assert tuple(cells["name"] for cells in outcome["cells"]) == hostile_case.names
    if hostile_case.check is not None:
        hostile_case.check(outcome)


@pytest.mark.parametrize("hostile_case", CASES, ids=[c.name for c in CASES])
def test_hostile_answer(
    hostile_case: Case, hostile: HostileServer, reader: ReadWorker, tally: Tally, tmp_path: Path
) -> None:
    """A malformed answer gives a sound frame or a typed error; never a crash, a hang or another class."""
    check_case(hostile_case, hostile, reader, tally, tmp_path / "cache", CASE_SECONDS)


#: Bigger versions of the size and nesting cases, run with ``--soak`` only.
SOAK_CASES = [
    case("soak_body_200mb_unknown_string", lambda: good(padding="x" * (200 * MB)), "either"),
    case("soak_rows_500000_one_page", lambda: raw(many_rows(500_000)), "either", rows=500_000, names=None),
    # Slower than 20,000 (Arrow infers the type level by level before it overflows): 15 to 50 s.
    case("soak_nesting_10000_in_unknown_row_field", lambda: raw(with_unknown(deep(10_000))), "either"),
    case("soak_nesting_15000_in_unknown_row_field", lambda: raw(with_unknown(deep(15_000))), "either"),
    case("soak_nesting_1000000_compact", lambda: raw(deep(1_000_000).encode()), "error"),
    case(
        "soak_gzip_512mb_of_whitespace",
        lambda: gzip_of_whitespace(512 * MB),
        "either",
    ),
]


@pytest.mark.parametrize("hostile_case", SOAK_CASES, ids=[c.name for c in SOAK_CASES])
def test_hostile_answer_at_scale(
    hostile_case: Case, hostile: HostileServer, reader: ReadWorker, tally: Tally, soak: bool, tmp_path: Path
) -> None:
    """The same rule for answers too big for CI's time (``--soak``; each may take five minutes)."""
    if not soak:
        pytest.skip("runs with --soak")
    check_case(hostile_case, hostile, reader, tally, tmp_path / "cache", SOAK_CASE_SECONDS)


def test_the_good_page_reads(hostile: HostileServer, reader: ReadWorker, tmp_path: Path) -> None:
    """The harness itself: the unmangled page gives both rows, typed, and one resolve + one page request."""
    hostile.serve(good())
    outcome = run(hostile, reader, MEETING_UUID, tmp_path / "cache")
    assert outcome["outcome"] == "frame", describe(outcome)
    assert not problems(outcome, "frame")
    assert tuple(cells["name"] for cells in outcome["cells"]) == NAMES
    assert dict(outcome["dtypes"])["join_time"] == "timestamp[us, tz=UTC][pyarrow]"
    assert (hostile.count("token"), hostile.count("resolve"), hostile.count("page")) == (1, 1, 1)


def test_two_good_pages_read(hostile: HostileServer, reader: ReadWorker, tmp_path: Path) -> None:
    """The harness serves page sequences: a good second page completes the report."""
    more = [ROW_A | {"name": "Edsger Dijkstra"}, ROW_B | {"name": "Barbara Liskov"}]
    second = good(participants=more, total_records=4, page_size=2, page_count=2)
    hostile.serve((FIRST_OF_TWO, second))
    outcome = run(hostile, reader, MEETING_UUID, tmp_path / "cache")
    assert not problems(outcome, "frame")
    assert outcome["rows"] == 4
    assert hostile.count("page") == 2


def test_the_harness_reports_hangs_and_crashes(
    hostile: HostileServer, reader: ReadWorker, tmp_path: Path
) -> None:
    """A read that outlives its bound is a hang, a dead worker a crash; either way a new worker follows."""
    hostile.serve(raw(GOOD_BYTES, headers=(("Content-Length", b"100000"),), hold_open=10.0))
    hang = run(hostile, reader, MEETING_UUID, tmp_path / "hang", seconds=1.0)
    assert (hang["outcome"], hang["stage"]) == ("hang", "read")
    crash = reader.run({"self_test": "segfault"}, timeout=CASE_SECONDS)
    assert crash["outcome"] == "crashed" and crash["returncode"] == -signal.SIGSEGV, describe(crash)
    assert "Segmentation fault" in crash["stderr"]
    hostile.serve(good())
    assert run(hostile, reader, MEETING_UUID, tmp_path / "after")["outcome"] == "frame"


def mutate(body: bytes, rng: random.Random) -> bytes:
    """One random byte-level mutation of a page: cut, delete, insert, overwrite or repeat a span."""
    at = rng.randrange(len(body))
    span = rng.randint(1, 12)
    noise = bytes(rng.choice(b'{}[]",:0123456789.eE+-tfnul \\\x00\xff\xc3') for _ in range(span))
    mutations = [
        lambda: body[:at],
        lambda: body[:at] + body[at + span :],
        lambda: body[:at] + noise + body[at:],
        lambda: body[:at] + noise + body[at + span :],
        lambda: body[:at] + body[at : at + span] * rng.randint(2, 50) + body[at + span :],
    ]
    return rng.choice(mutations)()


def test_mutated_pages(
    hostile: HostileServer, reader: ReadWorker, tally: Tally, soak: bool, tmp_path: Path
) -> None:
    """Random byte mutations of a good page (fixed seed): each gives a sound frame or a typed error."""
    count, budget = (3000, 1800.0) if soak else (60, 15.0)
    rng = random.Random(20240301)
    failures: dict[str, tuple[int, bytes, str]] = {}  # kind of problem -> its first example
    seen: dict[str, int] = {}
    kinds: dict[str, int] = {}
    started = time.monotonic()
    done = 0
    for number in range(count):
        if time.monotonic() - started > budget:
            break
        body = mutate(GOOD_BYTES, rng)
        hostile.serve(raw(body))
        with tempfile.TemporaryDirectory(dir=tmp_path) as cache_dir:
            outcome = run(hostile, reader, MEETING_UUID, Path(cache_dir))
        done += 1
        kinds[kind_of(outcome)] = kinds.get(kind_of(outcome), 0) + 1
        for problem in problems(outcome, "either"):
            first_line = problem.split("\n", 1)[0]
            kind = first_line[:60]  # the problem and its exception class, not the mangled bytes
            seen[kind] = seen.get(kind, 0) + 1
            failures.setdefault(kind, (number, body, first_line))
    summary = ", ".join(f"{count} {kind}" for kind, count in sorted(kinds.items()))
    tally.notes.append(f"mutated pages: {done} mutations: {summary}; {len(failures)} kinds of problem")
    tally.notes += [
        f"  FAIL    mutated page ({seen[kind]}x): {line[:160]}" for kind, (_, _, line) in failures.items()
    ]
    assert not failures, "\n".join(
        f"{seen[kind]}x {line} (first: mutation {number}, {body[:300]!r})"
        for kind, (number, body, line) in failures.items()
    )
