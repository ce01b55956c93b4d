"""The sandbox's own command line: its meetings listed in the banner and --help; one-line failures."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading

import pytest

from tests.conftest import REPO
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
    assert lines[0].startswith("kind") and all(len(line) <= 60 for line in lines)


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
    assert lines[10].split()[:3] == ["kind", "number", "instances"]
    listed = {int(line.split()[1]) for line in lines[11:-1]}
    assert listed == set(named_numbers()) and listed >= NAMED
    assert f"zoom-pandas participants {SandboxData.LECTURE}" in lines[-1]
