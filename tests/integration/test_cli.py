"""The zoom-pandas command: demo, participants, cache; expected failures print one line.

More in test_cli_output.py (table, CSV), test_cli_read.py (--offline, join links, wording) and
test_cli_sandbox.py (the sandbox's numbers listed).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from zoom_pandas.cli import main
from zoom_pandas.sandbox import SandboxData


def test_demo_prints_its_summary(capsys: pytest.CaptureFixture[str]) -> None:
    cache = os.environ["ZOOM_PANDAS_CACHE_DIR"]
    assert main(["demo"]) == 0
    assert os.environ["ZOOM_PANDAS_CACHE_DIR"] == cache  # its temporary cache is not left behind
    out = capsys.readouterr().out
    assert "2,332 rows" in out and "people" in out and "8 pages" in out and " s over HTTP" in out
    assert "from the Parquet cache" in out
    assert "timestamp[us, tz=UTC][pyarrow]" in out


@pytest.mark.parametrize("suffix", [".parquet", ".csv"])
def test_participants_to_a_file(tmp_path: Path, suffix: str, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / f"lecture{suffix}"
    assert main(["participants", str(SandboxData.LECTURE), "--sandbox", "--out", str(out)]) == 0
    frame = pd.read_parquet(out) if suffix == ".parquet" else pd.read_csv(out)
    assert len(frame) > 100 and "join_time" in frame.columns
    assert "rows" in capsys.readouterr().err


def test_participants_printed(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["participants", "833 0000 0001", "--sandbox", "--include-registrant-id", "--no-cache"]) == 0
    assert "Hiro Resources" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["participants", "not-a-meeting", "--sandbox"], "neither a meeting number"),
        (["participants", "12345678901", "--sandbox"], "not found"),
        (["participants", "833 0000 0001", "--sandbox", "--out", "x.xlsx"], ".parquet or .csv"),
        (["participants", "833 0000 0001"], "error: no Zoom credentials"),
        (["participants", "833 0000 0001", "--sandbox", "--out", "/no/such/dir/x.csv"], "does not exist"),
        (["participants", "-5", "--sandbox"], "negative"),
        (["participants", "1" * 40, "--sandbox"], "too many digits"),
        (["webinar", str(SandboxData.LECTURE), "--sandbox"], "A meeting?"),
        (["csv", "no-such-*.csv", "--tz", "UTC"], "No file matches"),
        (["participants", "833 0000 0001", "--sandbox", "--no-cache"], None),
    ],
)
def test_expected_failures_are_one_line(
    argv: list[str], message: str | None, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(argv)
    err = capsys.readouterr().err
    if message is None:
        assert code == 0
        return
    assert code == 1
    error_lines = [line for line in err.splitlines() if line.startswith("zoom-pandas: error:")]
    assert len(error_lines) == 1 and message in error_lines[0]
    assert "Traceback" not in err


def test_console_script_runs_as_a_process() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "zoom_pandas.cli", "participants", "bad id!", "--sandbox"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 1
    assert done.stderr.strip().startswith("zoom-pandas: error:") and "Traceback" not in done.stderr


def test_participants_as_a_host_fall_back_with_a_one_line_warning(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["participants", str(SandboxData.COURSE), "--sandbox-host", "--no-cache"]) == 0
    err = capsys.readouterr().err
    warning = [line for line in err.splitlines() if line.startswith("zoom-pandas: warning:")]
    assert len(warning) == 1 and "Zoom refused the participant report" in warning[0]
    assert "endpoint: past_meetings" in err and "Traceback" not in err and "Warning:" not in err


@pytest.mark.parametrize(
    ("source", "endpoint", "status"),
    [("past_meetings", "past_meetings", 0), ("report", "report", 0)],
)
def test_participants_source(
    source: str, endpoint: str, status: int, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["participants", str(SandboxData.COURSE), "--sandbox", "--no-cache", "--source", source]
    assert main(argv) == status
    assert f"endpoint: {endpoint}" in capsys.readouterr().err


def test_a_host_insisting_on_the_report_gets_one_error_line(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["participants", str(SandboxData.COURSE), "--sandbox-host", "--no-cache", "--source", "report"]
    assert main(argv) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("zoom-pandas: error:") and "4711" in err[0]
