"""participants / webinar on the command line: --offline, join links, errors worded for what happened."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
import requests
import urllib3.exceptions

import zoom_pandas.sandbox
from tests.conftest import FAST_RETRY
from zoom_pandas import ZoomClient, read_participants
from zoom_pandas.cli import main
from zoom_pandas.cli_errors import error_line
from zoom_pandas.errors import ZoomAPIError
from zoom_pandas.sandbox import SandboxData

LECTURE = str(SandboxData.LECTURE)
SERIES = str(SandboxData.WEBINAR_SERIES)


def error_of(capsys: pytest.CaptureFixture[str], argv: list[str], status: int = 1) -> str:
    assert main(argv) == status
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err, err
    assert lines[0].startswith("zoom-pandas: error: ")
    return lines[0].removeprefix("zoom-pandas: error: ")


def test_offline_reads_the_cache_without_a_sandbox_or_credentials(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert main(["participants", LECTURE, "--sandbox"]) == 0
    assert main(["webinar", SERIES, "--sandbox"]) == 0
    capsys.readouterr()

    def no_sandbox(*args: object, **kwargs: object) -> None:
        raise AssertionError("--offline started a sandbox")

    monkeypatch.setattr(zoom_pandas.sandbox, "Sandbox", no_sandbox)
    for argv in (["participants", LECTURE], ["webinar", SERIES]):
        assert main([*argv, "--sandbox", "--offline", "--rows", "1"]) == 0
        captured = capsys.readouterr()
        assert "(source: cache, endpoint: report)" in captured.err and captured.out.startswith("name")


def test_offline_without_the_sandbox_flag_says_where_the_rows_are(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["participants", LECTURE, "--sandbox"]) == 0
    capsys.readouterr()
    message = error_of(capsys, ["participants", LECTURE, "--offline"])  # no credentials set: none needed
    assert f"{LECTURE} has no cached instance" in message and "add --sandbox" in message
    assert "client=" not in message


def test_offline_with_an_empty_cache_is_a_cache_miss(capsys: pytest.CaptureFixture[str]) -> None:
    message = error_of(capsys, ["webinar", SERIES, "--sandbox", "--offline"])
    assert "no cached instance" in message and "empty" in message


@pytest.mark.parametrize("flag", ["--refresh", "--no-cache"])
def test_offline_goes_alone(flag: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as usage:
        main(["participants", LECTURE, "--offline", flag])
    assert usage.value.code == 2 and "not allowed with argument" in capsys.readouterr().err


@pytest.mark.parametrize(
    "link",
    [
        f"https://zoom.us/j/{LECTURE}?pwd=SECRETpwd1",
        f"https://us02web.zoom.us/j/{LECTURE}",
        f"zoommtg://zoom.us/join?action=join&confno={LECTURE}&pwd=SECRETpwd1",
    ],
)
def test_a_join_link_reads_its_meeting(link: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["participants", link, "--sandbox", "--rows", "1"]) == 0
    err = capsys.readouterr().err
    assert f"meeting {LECTURE} instance" in err and "SECRET" not in err


def test_a_webinar_join_link_reads_the_webinar(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["webinar", f"https://company.zoom.us/w/{SERIES}?tk=SECRETtoken", "--sandbox"]) == 0
    assert f"webinar {SERIES} instance" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("ref", "words", "not_words"),
    [
        ("1" * 40, "too many digits for a meeting number", "positive meeting number"),
        ("-5", "is negative: meeting numbers are positive", "dashes allowed"),
        ("0", "is not a meeting number", "must be"),
        ("https://zoom.us/my/ada?pwd=SECRETpwd1", "personal link", "SECRET"),
        ("https://example.com/j/91234567890?pwd=SECRETpwd1", "not a Zoom link", "SECRET"),
        ("857 4606 54x2", "is neither a meeting number", "Traceback"),
    ],
)
def test_meeting_refs_are_refused_in_words_that_fit(
    ref: str, words: str, not_words: str, capsys: pytest.CaptureFixture[str]
) -> None:
    message = error_of(capsys, ["participants", ref, "--sandbox"])
    assert words in message and not_words not in message


def test_no_credentials_is_not_called_no_answer(capsys: pytest.CaptureFixture[str]) -> None:
    message = error_of(capsys, ["participants", LECTURE])
    assert message.startswith("no Zoom credentials: set ZOOM_ACCOUNT_ID")


def test_a_refused_connection_names_the_host(monkeypatch: pytest.MonkeyPatch) -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setenv("ZOOM_API_URL", f"http://127.0.0.1:{port}/v2")
    client = ZoomClient(api_url=f"http://127.0.0.1:{port}/v2", auth=_NoAuth(), retry=FAST_RETRY)
    with pytest.raises(ZoomAPIError) as caught:
        read_participants(LECTURE, client=client, cache=False)
    line = error_line(caught.value)
    assert line.startswith("could not reach 127.0.0.1: GET /past_meetings/") and "failed 4 times" in line
    assert "connection refused" in line and line.endswith("(from ZOOM_API_URL)")


def test_an_unknown_host_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    client = ZoomClient(api_url="https://zoom-pandas-test.invalid/v2", auth=_NoAuth(), retry=FAST_RETRY)
    cause = urllib3.exceptions.NameResolutionError("zoom-pandas-test.invalid", None, OSError("unknown"))  # type: ignore[arg-type]

    def offline(url: str, **_: object) -> object:  # no DNS query leaves the machine
        raise requests.ConnectionError(urllib3.exceptions.MaxRetryError(None, url, cause))  # type: ignore[arg-type]

    monkeypatch.setattr(client.session, "get", offline)
    with pytest.raises(ZoomAPIError) as caught:
        read_participants(LECTURE, client=client, cache=False)
    line = error_line(caught.value)
    assert line.startswith("could not reach zoom-pandas-test.invalid:") and "offline?" in line


def test_file_errors_have_no_errno(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    message = error_of(capsys, ["csv", str(tmp_path / "nothing-*.csv"), "--tz", "UTC"])
    assert "[Errno" not in message and "nothing-*.csv" in message


def test_a_cache_write_warning_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    monkeypatch.setenv("ZOOM_PANDAS_CACHE_DIR", str(blocker / "cache"))
    assert main(["participants", str(SandboxData.ONE_ON_ONE), "--sandbox"]) == 0
    err = capsys.readouterr().err.splitlines()
    warnings = [line for line in err if "warning" in line.lower()]
    assert len(warnings) == 1 and warnings[0].startswith("zoom-pandas: warning: could not cache")
    assert not any("Warning" in line or "warn(" in line for line in err)


@pytest.mark.parametrize(
    "argv",
    [
        ["participants", LECTURE, "--rows", "-1"],
        ["participants", LECTURE, "--columns", "name,,status"],
        ["participants", LECTURE, "--columns", "name", "--all-columns"],
        ["demo", "--latency", "-1"],
        ["export", "--from", "2026-13-01", "--to", "2026-12-31", "--out", "x", "--sandbox"],
        ["sandbox", "--tz", "UTC"],
    ],
)
def test_usage_errors_stay_argparse_exit_2(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as usage:
        main(argv)
    err = capsys.readouterr().err
    assert usage.value.code == 2 and "error:" in err.splitlines()[-1] and "Traceback" not in err


class _NoAuth:
    """Sends no Authorization header: these requests never get an answer anyway."""

    def __call__(self, request: object) -> object:
        return request
