"""What the command prints and writes: a table sized to the terminal, CSV that pandas reads back."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest

import zoom_pandas as zp
from tests.conftest import REPO
from zoom_pandas.cli import main
from zoom_pandas.cli_table import DEFAULT_COLUMNS, render_table
from zoom_pandas.sandbox import SandboxData

LECTURE = str(SandboxData.LECTURE)


def printed(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[list[str], str]:
    assert main(list(argv)) == 0
    captured = capsys.readouterr()
    return captured.out.splitlines(), captured.err


@pytest.mark.parametrize("columns", [80, 60])
def test_the_default_table_fits_a_narrow_terminal(
    columns: int, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", str(columns))
    lines, err = printed(capsys, "participants", LECTURE, "--sandbox")
    assert max(map(len, lines)) <= columns
    header = lines[0].split()
    assert header[:4] == ["name", "user_email", "join_time", "leave_time"]
    assert "registrant_id" not in header and "meeting_uuid" not in header  # empty / repeated
    assert not any(line.startswith("[") for line in lines[:41]) and lines[41].startswith("[160 rows")
    footer = " ".join(lines[41:])
    assert "the first 40 shown (--rows N|all)" in footer and "times in UTC on 20" in footer
    assert footer.endswith("]") and "--all-columns" in footer
    text = "\n".join(lines)
    assert "0 days" not in text and "+00:00" not in text
    assert "160 rows, 60 people" in err


def test_a_wide_terminal_shows_whole_cells(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "250")
    lines, _ = printed(capsys, "participants", LECTURE, "--sandbox", "--rows", "5")
    assert lines[0].split() == list(DEFAULT_COLUMNS)
    assert "teacher@example.com" in lines[1] and "…" not in "\n".join(lines)
    assert len(lines) == 1 + 5 + 1 and max(map(len, lines)) <= 250
    join, leave, duration = lines[1].split()[-4:-1]
    assert len(join) == len(leave) == 8 and join[2] == ":" and duration.count(":") == 2


def test_columns_choose_and_all_columns_show_everything(
    client: zp.ZoomClient, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    lines, _ = printed(
        capsys, "participants", LECTURE, "--sandbox", "--columns", "status, name", "--rows", "2"
    )
    assert lines[0].split() == ["status", "name"] and lines[3].startswith("[160 rows, the first 2 shown")
    lines, _ = printed(capsys, "participants", LECTURE, "--sandbox", "--all-columns", "--rows", "all")
    frame = zp.read_participants(LECTURE, client=client)
    assert lines[0].split() == list(frame.columns) and len(lines) >= 1 + 160
    assert max(map(len, lines[:161])) > 80  # every column, uncut: the user asked for it


def test_an_unknown_column_is_one_line_with_a_suggestion(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["participants", LECTURE, "--sandbox", "--columns", "name,user_emial"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("zoom-pandas: error: --columns: no column 'user_emial'")
    assert "did you mean 'user_email'?" in err[0]


def test_empty_columns_are_hidden_and_terminal_escapes_neutralised() -> None:
    frame = pd.DataFrame(
        {
            "name": pd.array(["\x1b[31mMallory\x1b[0m", "山田太郎", "Zoë"], dtype="string[pyarrow]"),
            "user_email": pd.array([None, None, None], dtype="string[pyarrow]"),
            "join_time": pd.to_datetime(["2026-03-01 09:00", "2026-03-01 09:05", None], utc=True),
            "duration": pd.array([3725, 59, None], dtype=pd.ArrowDtype(pa.duration("s"))),
        }
    )
    text = render_table(frame, width=80, tz="Europe/Berlin")
    lines = text.splitlines()
    assert lines[0].split() == ["name", "join_time", "duration"]
    assert "\x1b" not in text and "?[31mMallory?[0m" in lines[1]
    assert lines[1].split()[-2:] == ["10:00:00", "1:02:05"] and lines[2].split()[-2:] == [
        "10:05:00",
        "0:00:59",
    ]
    assert lines[3].split() == ["Zoë"] and len(lines[1]) == len(lines[0])  # NA cells blank; durations right
    assert lines[1].index("10:00:00") == lines[2].index("10:05:00") + 4  # 山田太郎 is 8 columns wide, 4 chars
    assert "times in Europe/Berlin on 2026-03-01" in " ".join(lines)


def test_zero_rows_keep_the_headers() -> None:
    frame = pd.DataFrame({name: pd.array([], dtype="string[pyarrow]") for name in DEFAULT_COLUMNS})
    assert render_table(frame, width=80).splitlines()[0].split() == list(DEFAULT_COLUMNS)


def test_csv_durations_are_seconds_and_times_parse(
    client: zp.ZoomClient, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "lecture.csv"
    assert main(["participants", LECTURE, "--sandbox", "--out", str(out)]) == 0
    assert f"wrote {out}" in capsys.readouterr().err
    back = pd.read_csv(out, parse_dates=["join_time", "leave_time"])  # as the README says
    frame = zp.read_participants(LECTURE, client=client)  # the same seed: the same rows
    assert pd.api.types.is_integer_dtype(back["duration"])
    assert back["duration"].tolist() == frame["duration"].dt.total_seconds().astype(int).tolist()
    assert str(back["join_time"].dt.tz) == "UTC"
    assert back["join_time"].tolist() == frame["join_time"].tolist()
    assert back["leave_time"].tolist() == frame["leave_time"].tolist()
    assert back["meeting_id"].tolist() == [SandboxData.LECTURE] * len(frame)


def test_csv_of_chosen_columns_and_parquet_stays_typed(tmp_path: Path) -> None:
    out = tmp_path / "few.csv"
    assert main(["participants", LECTURE, "--sandbox", "--out", str(out), "--columns", "name,duration"]) == 0
    assert list(pd.read_csv(out).columns) == ["name", "duration"]
    parquet = tmp_path / "all.parquet"
    assert main(["participants", LECTURE, "--sandbox", "--out", str(parquet)]) == 0
    assert str(pd.read_parquet(parquet, dtype_backend="pyarrow")["duration"].dtype) == "duration[s][pyarrow]"


@pytest.mark.parametrize(
    ("out", "message"),
    [
        ("/no/such/dir/x.csv", "the folder /no/such/dir does not exist"),
        ("{tmp}", "is a folder; give a file in it"),
        ("{tmp}/x.xlsx", ".parquet or .csv"),
        ("{file}/x.csv", "is a file, not a folder"),
    ],
)
def test_out_is_checked_before_any_request(
    out: str, message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    a_file = tmp_path / "a-file"
    a_file.write_text("")
    target = out.format(tmp=tmp_path, file=a_file)
    # No credentials and no --sandbox: had a request been tried, the error would be about credentials.
    assert main(["participants", LECTURE, "--out", target]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("zoom-pandas: error: --out") and message in err[0]


def test_a_real_process_sizes_the_table_to_columns() -> None:
    environment = {**os.environ, "PYTHONPATH": str(REPO), "COLUMNS": "72"}
    done = subprocess.run(
        [sys.executable, "-m", "zoom_pandas.cli", "participants", LECTURE, "--sandbox", "--no-cache"],
        capture_output=True,
        text=True,
        env=environment,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("name") and max(map(len, lines)) <= 72 and len(lines) > 40
