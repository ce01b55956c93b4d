"""Unit regressions: body checks, meeting numbers, URLs, Retry-After, log redaction, folder modes."""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import stat
from pathlib import Path

import pytest

from zoom_pandas import answers, redact
from zoom_pandas.config import _checked_url, is_loopback_url
from zoom_pandas.files import make_private_dirs
from zoom_pandas.meeting_ids import parse_meeting_id
from zoom_pandas.retry import parse_retry_after


@pytest.mark.parametrize(
    "body",
    [
        b'{"name": "[[[[{{{{"}',
        b'{"a": "\\"[[[[", "b": [[{}]]}',
        b'{"a": "\\\\", "b": "]]]]]]]]"}',
        b"\xef\xbb\xbf{}",
        b'{"name": "Zo\xc3\xab \\ud83d\\ude00"}',
        b"  {}\n",
    ],
)
def test_bodies_that_only_look_odd_pass(body: bytes) -> None:
    assert answers.loads_object(body) is not None


def test_brackets_inside_strings_do_not_count_as_nesting() -> None:
    name = "[" * (answers.MAX_DEPTH * 2)
    body = json.dumps({"participants": [{"name": name}]}).encode()
    assert answers.checked_body(body) == body


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"null", "not a JSON object"),
        (b"[]", "not a JSON object"),
        (b"", "empty"),
        (b'"text"', "not a JSON object"),
        (b'{"a":' + b"[" * 600 + b"]" * 600 + b"}", "deeper"),
        (b'{"a":' + b'{"b":' * 600 + b"1" + b"}" * 601, "deeper"),
        (b'{"name": "\xff"}', "UTF-8"),
        (b'{"name": "\\udc00"}', "surrogate"),
        (b'{"name": "\\ud800\\ud800"}', "surrogate"),
        ("{}".encode("utf-16"), "not a JSON object"),
        (b'{"a": 1', "not a JSON object"),
        (b'{"a": 1}}', "not valid JSON"),
    ],
)
def test_malformed_bodies_are_refused_before_any_parser(body: bytes, reason: str) -> None:
    with pytest.raises(answers.MalformedAnswer, match=reason):
        answers.loads_object(body)


@pytest.mark.parametrize("text", ["١٢٣", "１２３", "²", "①", "12３", "123\u00a0456"])
def test_only_ascii_digits_make_a_meeting_number(text: str) -> None:
    with pytest.raises(ValueError, match="neither a meeting number"):
        parse_meeting_id(text)


def test_a_number_too_long_says_so() -> None:
    with pytest.raises(ValueError, match="too many digits"):
        parse_meeting_id("9" * 40)
    with pytest.raises(ValueError, match="too many digits"):
        parse_meeting_id("9" * 5000)
    assert parse_meeting_id("0" * 30 + "85746065432") == 85746065432


@pytest.mark.parametrize(
    "url",
    [
        "http://example.com\\@127.0.0.1/v2",
        "http://example.com\\\\@127.0.0.1/v2",
        "http://user:pass@127.0.0.1/v2",
        "http://127.0.0.1@example.com/v2",
        "http://127.0.0.1.example.com/v2",
        "http://127.0.0.1 /v2",
        "http://127.0.0.1\t/v2",
        "http://example.com/v2",
    ],
)
def test_plain_http_only_to_a_strictly_parsed_loopback_host(url: str) -> None:
    assert not is_loopback_url(url)
    with pytest.raises(ValueError, match="https"):
        _checked_url("api_url", url)


@pytest.mark.parametrize("url", ["http://127.0.0.1:8000/v2", "http://[::1]:9/v2", "http://localhost/v2"])
def test_loopback_urls_still_pass(url: str) -> None:
    assert is_loopback_url(url) and _checked_url("api_url", url) == url


def test_https_urls_with_user_info_or_backslashes_are_refused() -> None:
    for url in ["https://zoom.us\\@evil.example/v2", "https://a:b@api.zoom.us/v2"]:
        with pytest.raises(ValueError, match="without user info or backslashes"):
            _checked_url("api_url", url)


@pytest.mark.parametrize("value", ["inf", "1e12", "99999999999999", "1e400", "9" * 400])
def test_huge_retry_after_is_a_far_time_not_an_overflow(value: str) -> None:
    now = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
    moment = parse_retry_after(value, now)
    assert moment is not None and moment - now >= dt.timedelta(days=365)


@pytest.mark.parametrize(
    "value", ["nan", "-inf", "garbage", "Mon, 01 Jan 99999 00:00:00 GMT", "9999-12-31T23:59:59-23:00"]
)
def test_unreadable_retry_after_is_none_or_now(value: str) -> None:
    now = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
    moment = parse_retry_after(value, now)
    assert moment is None or moment == now


def test_every_logger_has_credentials_redacted(caplog: pytest.LogCaptureFixture) -> None:
    redact.install()
    redact.register_secret("s3cr3t-value-xyz")
    with caplog.at_level(logging.DEBUG):
        logging.getLogger("some.other.library").debug(
            "headers %s", {"Authorization": "Basic Y2xpZW50OnNlY3JldA==", "X": "Bearer abc.def-ghi.jkl-mno"}
        )
        logging.getLogger("urllib3.connectionpool").debug("body client_secret=s3cr3t-value-xyz&code=abc")
        logging.getLogger("x").debug('{"access_token": "tok123456", "refresh_token": "ref123456"}')
    logged = "\n".join(record.getMessage() for record in caplog.records)
    for secret in [
        "Y2xpZW50OnNlY3JldA==",
        "abc.def-ghi.jkl-mno",
        "s3cr3t-value-xyz",
        "tok123456",
        "ref123456",
    ]:
        assert secret not in logged
    assert logged.count("***") >= 5


@pytest.mark.parametrize(
    "line", ["Using basic settings", "Bearer tokens rotate", "exited with code: 3", "status code=404"]
)
def test_ordinary_log_lines_are_left_alone(line: str) -> None:
    assert redact.redact(line) == line


def test_rotating_tokens_are_kept_only_while_they_may_be_valid() -> None:
    for n in range(200):
        redact.register_secret(f"rotating-token-{n:04d}", rotates=True)
    assert "rotating-token-0000" in redact.redact("rotating-token-0000")
    assert redact.redact("rotating-token-0199") == "***"


def test_only_folders_the_cache_creates_become_private(tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o755)
    os.chmod(shared, 0o755)
    sticky = tmp_path / "sticky"
    sticky.mkdir()
    os.chmod(sticky, 0o1777)
    link = tmp_path / "link"
    link.symlink_to(shared)
    make_private_dirs(shared / "a" / "b", shared)
    make_private_dirs(link / "c", link)
    make_private_dirs(sticky / "d", sticky)
    assert stat.S_IMODE(shared.stat().st_mode) == 0o755
    assert stat.S_IMODE(sticky.stat().st_mode) == 0o1777
    for created in [shared / "a", shared / "a" / "b", shared / "c", sticky / "d"]:
        assert stat.S_IMODE(created.stat().st_mode) == 0o700
    fresh = tmp_path / "fresh" / "root"
    make_private_dirs(fresh / "x", fresh)
    assert stat.S_IMODE(fresh.stat().st_mode) == 0o700
    assert stat.S_IMODE((tmp_path / "fresh").stat().st_mode) == 0o700


def test_an_escaped_backslash_before_u_is_text_not_a_surrogate() -> None:
    body = json.dumps({"participants": [{"note": "CORP\\udead"}]}).encode()
    assert answers.loads_object(body)["participants"][0]["note"] == "CORP\\udead"


def test_the_nesting_count_carries_across_windows(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(answers, "_WINDOW", 7)
    deep = b'{"a":"]]]]]]]]]]]]' + b'",' + b'"b":' + b"[" * 600 + b"]" * 600 + b"}"
    with pytest.raises(answers.MalformedAnswer, match="deeper"):
        answers.checked_body(deep)
    shallow = b'{"a":"[[[[[[[[[[[[[[",' + b'"b":[' + b"[]," * 600 + b"[]]}"
    assert answers.checked_body(shallow) == shallow


@pytest.mark.parametrize(
    "timeout", [0, -1, float("inf"), float("nan"), 1e10, (5, None), (1, 2, 3), "60", True]
)
def test_a_timeout_must_be_finite_and_positive(timeout: object) -> None:
    from zoom_pandas.client import ZoomClient

    with pytest.raises(ValueError, match="timeout must be"):
        ZoomClient(timeout=timeout)  # type: ignore[arg-type]


def _token_answer(status: int, body: bytes, headers: dict[str, str] | None = None) -> object:
    import requests

    response = requests.Response()
    response.status_code, response._content = status, body
    response.headers.update(headers or {})
    return response


def test_a_bom_token_answer_is_read_as_checked() -> None:
    from zoom_pandas.auth import raise_for_token_response

    response = _token_answer(200, b'\xef\xbb\xbf{"access_token": "abcdefgh", "expires_in": 3600}')
    assert raise_for_token_response(response).content.startswith(b"{")  # type: ignore[arg-type,attr-defined]


def test_a_redirecting_token_endpoint_is_refused() -> None:
    from zoom_pandas.auth import _refuse_redirect
    from zoom_pandas.errors import AuthError

    with pytest.raises(AuthError, match="redirected"):
        _refuse_redirect(_token_answer(307, b"", {"Location": "https://elsewhere.example/steal"}))  # type: ignore[arg-type]
