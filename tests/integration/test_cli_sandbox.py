"""The sandbox's meetings listed (zoom-pandas sandbox, the sandbox banner and --help); one-line failures."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest

import zoom_pandas as zp
from tests.conftest import REPO
from zoom_pandas.cli import main
from zoom_pandas.sandbox import SandboxData
from zoom_pandas.sandbox.catalog import listing, named_numbers, render_listing

NAMED = {
    SandboxData.TEAM_SYNC,
    SandboxData.LECTURE,
    SandboxData.ALL_HANDS,
    SandboxData.COURSE,
    SandboxData.WEBINAR_SERIES,
    SandboxData.BIG_WEBINAR,
}


def sandbox_command(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "PYTHONPATH": str(REPO)}
    command = [sys.executable, "-m", "zoom_pandas.sandbox", *args]
    return subprocess.run(
        command, capture_output=True, text=True, env=environment, timeout=timeout, check=False
    )


def test_the_listing_names_each_stable_number_with_its_topic_and_instances() -> None:
    data = SandboxData()
    entries = {one.number: one for one in listing(data)}
    assert set(entries) >= NAMED and set(entries) == set(named_numbers())
    assert entries[SandboxData.COURSE].instances == 14 and entries[SandboxData.COURSE].name == "COURSE"
    assert entries[SandboxData.WEBINAR_SERIES].kind == "webinar"
    assert entries[SandboxData.LECTURE].topic == "Statistics 101 lecture"
    everything = listing(data, everything=True)
    assert len(everything) == len(data.meetings) + len(data.webinars)
    lines = render_listing(everything, width=60)
    assert lines[0].startswith("number") and all(len(line) <= 60 for line in lines)


def test_help_lists_the_main_numbers() -> None:
    done = sandbox_command("--help")
    assert done.returncode == 0
    for number in NAMED:
        assert str(number) in done.stdout
    assert "Statistics 101 lecture" in done.stdout and "zoom-pandas sandbox --all" in done.stdout


def test_a_busy_port_is_one_line_and_exit_1() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = sandbox_command("--port", str(port))
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in done.stderr
    assert lines[0].startswith("python -m zoom_pandas.sandbox: error:")
    assert f"port {port}" in lines[0] and "already in use" in lines[0] and "--port 0" in lines[0]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--port", "70000"], "0 to 65535"),
        (["--latency", "-1"], "seconds from 0"),
        (["--rate-limit", "0"], "more than 0"),
    ],
)
def test_bad_values_are_usage_errors(args: list[str], message: str) -> None:
    done = sandbox_command(*args)
    assert done.returncode == 2 and message in done.stderr and "Traceback" not in done.stderr


def test_a_csv_folder_that_cannot_be_made_is_one_line() -> None:
    blocker = REPO / "pyproject.toml"  # a file: no folder can be made below it
    done = sandbox_command("--csv", str(blocker / "exports"))
    lines = done.stderr.strip().splitlines()
    assert done.returncode == 2 and len(lines) == 1 and "Traceback" not in done.stderr
    assert lines[0].startswith("python -m zoom_pandas.sandbox: error: Not a directory:")
    assert "Errno" not in lines[0]


def test_the_banner_lists_the_meetings_after_the_settings() -> None:
    environment = {**os.environ, "PYTHONPATH": str(REPO)}
    command = [sys.executable, "-m", "zoom_pandas.sandbox"]
    with subprocess.Popen(command, stdout=subprocess.PIPE, text=True, env=environment) as process:
        killer = threading.Timer(30, process.kill)  # a hung process ends the test, not the run
        killer.start()
        try:
            assert process.stdout is not None
            lines = [process.stdout.readline().rstrip("\n") for _ in range(9 + 2 + len(named_numbers()) + 1)]
        finally:
            killer.cancel()
            process.terminate()
            process.wait(10)
    assert lines[8].startswith("app: admin") and lines[9] == ""
    assert lines[10].split()[:3] == ["number", "kind", "topic"]
    listed = {int(line.split()[0]) for line in lines[11:-1]}
    assert listed == set(named_numbers()) and listed >= NAMED
    assert f"zoom-pandas participants {SandboxData.LECTURE}" in lines[-1]


def test_zoom_pandas_sandbox_lists_the_named_numbers(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    assert main(["sandbox"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split()[:3] == ["number", "kind", "topic"] and max(map(len, lines)) <= 80
    rows = {int(line.split()[0]): line for line in lines[1:] if line[:1].isdigit()}
    assert set(rows) == set(named_numbers())
    assert "Data Science 201 seminar" in rows[SandboxData.COURSE] and " 14 " in rows[SandboxData.COURSE]
    assert rows[SandboxData.BIG_WEBINAR].split()[1] == "webinar"
    footer = " ".join(line for line in lines if not line[:1].isdigit())
    assert f"zoom-pandas participants {SandboxData.LECTURE} --sandbox" in footer and "--all" in footer


def test_zoom_pandas_sandbox_all_lists_every_number_that_sandbox_reads(
    capsys: pytest.CaptureFixture[str], client: zp.ZoomClient
) -> None:
    assert main(["sandbox", "--all"]) == 0
    rows = [line.split() for line in capsys.readouterr().out.splitlines() if line[:1].isdigit()]
    data = SandboxData()
    assert len(rows) == len(data.meetings) + len(data.webinars)
    some = next(number for number in data.meetings if number not in named_numbers())
    assert [str(some), "meeting"] in [row[:2] for row in rows]
    assert len(zp.read_participants(some, client=client)) > 0  # a listed number reads


def test_zoom_pandas_sandbox_writes_csv_exports_that_csv_reads(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "exports"
    link = f"https://zoom.us/j/{SandboxData.LECTURE}?pwd=x"
    assert main(["sandbox", "--csv", str(folder), "--meeting", link, "--tz", "Europe/Berlin"]) == 0
    captured = capsys.readouterr()
    paths = [Path(line) for line in captured.out.splitlines()]
    assert len(paths) == 1 and paths[0].parent == folder and paths[0].exists()
    assert f"zoom-pandas csv '{folder / '*.csv'}' --tz Europe/Berlin" in captured.err
    assert main(["csv", str(folder / "*.csv"), "--tz", "Europe/Berlin", "--rows", "1"]) == 0
    captured = capsys.readouterr()
    assert f"meeting {SandboxData.LECTURE}" in captured.err and "times in Europe/Berlin" in captured.out


def test_zoom_pandas_sandbox_unknown_meeting_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["sandbox", "--csv", str(tmp_path), "--meeting", "12345678901"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("zoom-pandas: error: the sandbox has no meeting")
