"""Zoom's web-portal CSV exports, as the sandbox writes them, read back into the API's frame."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import zoom_pandas as zp
from zoom_pandas.cli import main
from zoom_pandas.sandbox import Sandbox, SandboxData

COURSE = SandboxData.COURSE
#: What the accessor compares between the API's frame and the export's (breakout time aside:
#: exports have no breakout rooms; share_of_meeting aside: the block's times are the meeting's).
SAME = ["person", "first_join", "last_leave", "time_present", "time_waiting", "sessions", "rejoins", "rows"]


def course_uuid(sandbox: Sandbox, index: int) -> str:
    held = sorted(sandbox.data.meetings[COURSE].instances, key=lambda i: i.start_time)
    return held[index].uuid


@pytest.mark.parametrize(
    ("tz", "options"),
    [
        ("America/New_York", {}),
        ("Europe/London", {"date_format": "day_first", "meeting_block": False}),
        ("Asia/Kolkata", {"bom": False, "guest": False, "waiting_room": False}),
    ],
)
def test_an_export_reads_back_as_the_api_frame(
    sandbox: Sandbox, client: zp.ZoomClient, tmp_path: Path, tz: str, options: dict[str, object]
) -> None:
    uuid = course_uuid(sandbox, 4)
    api = zp.read_participants(uuid, client=client, cache=False, source="report")
    path = sandbox.write_csv(uuid, tmp_path, tz=tz, **options)
    meeting_id = None if options.get("meeting_block", True) else COURSE
    csv = zp.read_zoom_csv(path, tz=tz, meeting_id=meeting_id)
    assert csv.attrs["endpoint"] == "csv" and csv.attrs["meetings"][0]["file"] == path.name
    assert len(csv) == len(api)
    assert (csv["meeting_id"] == COURSE).all()
    for column in ("join_time", "leave_time"):
        pd.testing.assert_series_equal(csv[column], api[column].dt.floor("s"), check_names=True)
    # A name that ends in parentheses reads as renamed (DESIGN's last-parentheses rule): the
    # sandbox's guests are "Ada Lovelace (guest)", exported as they are, as Zoom would.
    ambiguous = api["name"].str.endswith(")").fillna(False)
    api = api.assign(
        name=api["name"].where(~ambiguous, api["name"].str.replace(r"\s*\([^()]*\)$", "", regex=True))
    )
    assert (csv.loc[ambiguous.to_numpy(), "original_name"] == "guest").all()
    for column in ("name", "user_email"):
        pd.testing.assert_series_equal(csv[column], api[column])
    if options.get("waiting_room", True):
        pd.testing.assert_series_equal(csv["status"], api["status"])
        # Every row's whole minutes, rounded up, as the portal shows them.
        minutes = -(-api["duration"].dt.total_seconds().astype("int64") // 60)
        assert (csv["duration"].dt.total_seconds().astype("int64") == minutes * 60).all()
    renamed = csv["original_name"].notna()
    assert renamed.any() and (csv.loc[renamed, "original_name"] != csv.loc[renamed, "name"]).all()
    if options.get("guest", True):
        assert (csv["guest"] == api["id"].isna()).all()
    else:
        assert csv["guest"].isna().all()
    if options.get("waiting_room", True):
        by = ["user_email", "name"]
        mine = csv.zoom.attendance(by=by).set_index("person")[SAME[1:]].sort_index()
        theirs = api.zoom.attendance(by=by).set_index("person")[SAME[1:]].sort_index()
        pd.testing.assert_frame_equal(mine, theirs, check_dtype=False)


def test_a_course_of_exports_is_one_frame_one_entry_per_file(
    sandbox: Sandbox, client: zp.ZoomClient, tmp_path: Path
) -> None:
    uuids = [course_uuid(sandbox, i) for i in range(3)]
    for uuid in uuids:
        sandbox.write_csv(uuid, tmp_path, tz="Europe/London")
    term = zp.read_zoom_csv(str(tmp_path / "*.csv"), tz="Europe/London")
    assert len(term.attrs["meetings"]) == 3 and term["meeting_uuid"].nunique() == 3
    api = zp.read_participants(uuids, client=client, cache=False, source="report")
    assert len(term) == len(api)
    attendance = term.zoom.attendance(by=["user_email", "name"])
    assert attendance["meeting_uuid"].nunique() == 3
    matrix = term.zoom.matrix()
    assert matrix.shape[1] == 3


def test_the_cli_reads_exports(sandbox: Sandbox, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = sandbox.write_csv(course_uuid(sandbox, 0), tmp_path, tz="Europe/London")
    out = tmp_path / "course.parquet"
    assert main(["csv", str(path), "--tz", "Europe/London", "--out", str(out)]) == 0
    err = capsys.readouterr().err
    assert f"meeting {COURSE}" in err and "endpoint: csv" in err
    assert len(pd.read_parquet(out)) == len(zp.read_zoom_csv(path, tz="Europe/London"))
    with pytest.raises(SystemExit):  # --tz is required: argparse says so
        main(["csv", str(path)])
    assert main(["csv", str(tmp_path / "missing.csv"), "--tz", "Europe/London"]) == 1
    assert "missing.csv" in capsys.readouterr().err


def test_the_sandbox_writes_exports_from_the_command_line(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "zoom_pandas.sandbox", "--csv", str(tmp_path), "--tz", "Europe/London"],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    files = sorted(tmp_path.glob("*.csv"))
    assert len(files) == len(SandboxData().meetings[COURSE].instances)
    assert all(f.name in done.stdout for f in files)
    term = zp.read_zoom_csv(files, tz="Europe/London")
    assert len(term.attrs["meetings"]) == len(files)
