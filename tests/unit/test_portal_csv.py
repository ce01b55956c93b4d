"""read_zoom_csv: participant files exported from Zoom's web portal, as the read_participants frame."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Sequence
from pathlib import Path

import hypothesis
import pandas as pd
import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

import zoom_pandas  # noqa: F401  (registers df.zoom)
from zoom_pandas.errors import ZoomPandasWarning
from zoom_pandas.portal_csv import read_zoom_csv
from zoom_pandas.report import frame_of
from zoom_pandas.schema import PARTICIPANTS

BLOCK = ["Meeting ID", "Topic", "Start Time", "End Time", "User Email", "Duration (Minutes)", "Participants"]
HEADER = [
    "Name (Original Name)",
    "User Email",
    "Join Time",
    "Leave Time",
    "Duration (Minutes)",
    "Guest",
    "Recording Consent",
    "In Waiting Room",
]
BERLIN = "Europe/Berlin"  # UTC+1 on 2024-03-05
DAY = "2024-03-05"
#: name cell, email, join, leave (local wall clock on DAY), minutes, guest, consent, waiting room
LECTURE = [
    ["Ana Lima", "ana@uni.edu", "09:55:10", "11:00:00", "65", "No", "Y", "No"],
    ["Dr. Smith, J. (TA) (John Smith)", "john@uni.edu", "10:02:00", "10:40:30", "39", "No", "Y", "No"],
    ["iPhone", "", "10:05:00", "10:20:00", "15", "Yes", "", "No"],
    ["iPhone", "", "10:30:00", "10:50:00", "20", "Yes", "", "No"],
    ["Late Comer", "late@uni.edu", "10:10:00", "10:12:00", "2", "No", "", "Yes"],
    ["Late Comer", "late@uni.edu", "10:12:00", "10:59:00", "47", "No", "Y", "No"],
]
UTC_JOINS = ["08:55:10", "09:02:00", "09:05:00", "09:30:00", "09:10:00", "09:12:00"]


def wall(clock: str, fmt: str, day: str = DAY) -> str:
    """A wall-clock time as the portal writes it: ``"us"`` or ``"day_first"``."""
    moment = dt.datetime.fromisoformat(f"{day} {clock}")
    return moment.strftime("%m/%d/%Y %I:%M:%S %p" if fmt == "us" else "%d/%m/%Y %H:%M:%S")


def export(
    rows: Sequence[Sequence[str]] = LECTURE,
    *,
    fmt: str = "us",
    block: Sequence[str] | None = (
        "857 4606 5432",
        "Lecture, week 1",
        "09:50:00",
        "11:00:00",
        "h@uni.edu",
        "70",
        "4",
    ),
    header: Sequence[str] = HEADER,
    day: str = DAY,
) -> str:
    """The text of an export: rows' times are local clock times on ``day``, written in ``fmt``."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    if block is not None:
        writer.writerow(BLOCK)
        writer.writerow([*block[:2], wall(block[2], fmt, day), wall(block[3], fmt, day), *block[4:]])
        out.write("\n")
    writer.writerow(header)
    for row in rows:
        cells = list(row)
        for index in (2, 3):
            if index < len(cells) and re.fullmatch(r"\d\d:\d\d:\d\d", cells[index]):
                cells[index] = wall(cells[index], fmt, day)
        writer.writerow(cells)
    return out.getvalue()


def write(
    folder: Path, text: str, name: str = "participants.csv", *, bom: bool = False, crlf: bool = False
) -> Path:
    if crlf:
        text = text.replace("\n", "\r\n")
    path = folder / name
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))
    return path


def utc(clock: str, day: str = DAY) -> pd.Timestamp:
    moment: pd.Timestamp = pd.Timestamp(f"{day} {clock}", tz="UTC")
    return moment


def values(series: pd.Series) -> list[object]:
    """A column as a list, NA as None."""
    return [None if pd.isna(value) else value for value in series.tolist()]


# --- layouts, formats, encodings -----------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["us", "day_first"])
@pytest.mark.parametrize("with_block", [True, False])
def test_each_layout_and_date_format_gives_the_same_rows(tmp_path: Path, fmt: str, with_block: bool) -> None:
    text = export(fmt=fmt) if with_block else export(fmt=fmt, block=None)
    df = read_zoom_csv(write(tmp_path, text), tz=BERLIN)

    assert len(df) == 6
    assert df["join_time"].tolist() == [utc(clock) for clock in UTC_JOINS]
    assert df["leave_time"].iloc[0] == utc("10:00:00")
    assert df["duration"].tolist() == [pd.Timedelta(minutes=int(row[4])) for row in LECTURE]
    assert values(df["name"]) == [
        "Ana Lima",
        "Dr. Smith, J. (TA)",
        "iPhone",
        "iPhone",
        "Late Comer",
        "Late Comer",
    ]
    assert values(df["original_name"]) == [None, "John Smith", None, None, None, None]
    assert values(df["user_email"])[:4] == ["ana@uni.edu", "john@uni.edu", None, None]
    assert values(df["guest"]) == [False, False, True, True, False, False]
    assert values(df["recording_consent"]) == [True, True, False, False, False, True]
    assert values(df["status"]) == ["in_meeting"] * 4 + ["in_waiting_room", "in_meeting"]
    for column in (
        "customer_key",
        "failover",
        "id",
        "registrant_id",
        "user_id",
        "bo_mtg_id",
        "participant_user_id",
    ):
        assert df[column].isna().all(), column
    assert df["meeting_uuid"].nunique() == 1 and df["meeting_uuid"].iloc[0].startswith("csv:")
    meeting = df.attrs["meetings"][0]
    assert (
        meeting["endpoint"] == "csv" and meeting["source"] == "csv" and meeting["file"] == "participants.csv"
    )
    assert meeting["total_records"] == 6 and meeting["fetched_at"] is None
    assert meeting["meeting_uuid"] == df["meeting_uuid"].iloc[0]
    if with_block:
        assert df["meeting_id"].tolist() == [85746065432] * 6
        assert meeting["topic"] == "Lecture, week 1"
        assert meeting["start_time"] == "2024-03-05T08:50:00+00:00"
        assert meeting["end_time"] == "2024-03-05T10:00:00+00:00"
        assert meeting["meeting_id"] == 85746065432
    else:
        assert df["meeting_id"].isna().all() and str(df["meeting_id"].dtype) == "int64[pyarrow]"
        assert meeting["topic"] is None and meeting["start_time"] is None and meeting["meeting_id"] is None
    assert {key: df.attrs[key] for key in meeting} == meeting  # one file: its keys at the top too


@pytest.mark.parametrize("bom", [True, False])
@pytest.mark.parametrize("crlf", [True, False])
def test_bom_and_line_endings_do_not_change_the_frame(tmp_path: Path, bom: bool, crlf: bool) -> None:
    plain = read_zoom_csv(write(tmp_path, export(), "plain.csv"), tz=BERLIN)
    other = read_zoom_csv(write(tmp_path, export(), "other.csv", bom=bom, crlf=crlf), tz=BERLIN)

    pd.testing.assert_frame_equal(other.drop(columns="meeting_uuid"), plain.drop(columns="meeting_uuid"))
    assert other.attrs["topic"] == "Lecture, week 1"


def test_trailing_commas_blank_lines_and_a_line_of_commas(tmp_path: Path) -> None:
    lines = export().splitlines()
    blank = lines.index("")
    lines[blank] = ",,,,,,"  # the block's separator as some exports write it
    text = "\n".join(line + "," for line in lines) + "\n\n,,,,,,,,\n\n"  # as many fields as the header
    df = read_zoom_csv(write(tmp_path, text, crlf=True), tz=BERLIN)

    assert len(df) == 6 and df.attrs["total_records"] == 6
    assert df["join_time"].tolist() == [utc(clock) for clock in UTC_JOINS]
    assert list(df.columns)[-1] == "recording_consent"  # the empty trailing column is not kept


def test_a_header_with_a_trailing_comma_the_rows_lack(tmp_path: Path) -> None:
    lines = export(block=None).splitlines()
    text = "\n".join([lines[0] + ",", *lines[1:]]) + "\n"

    assert len(read_zoom_csv(write(tmp_path, text), tz=BERLIN)) == 6


def test_a_sample_shaped_like_a_real_export(tmp_path: Path) -> None:
    # hours without a leading zero, a line of commas after the block, "NA" consent (an R round trip)
    text = (
        "Meeting ID,Topic,Start Time,End Time,User Email,Duration (Minutes),Participants\n"
        "60245167821,Heroes meeting,11/19/2021 10:00:00 AM,11/19/2021 12:00:00 PM,host@example.com,120,3\n"
        ",,,,,,\n"
        "Name (Original Name),User Email,Join Time,Leave Time,Duration (Minutes),Guest,Recording Consent\n"
        "015_Loki (Loki Laufeyson),loki@example.com,11/19/2021 9:54:15 AM,11/19/2021 12:01:59 PM,128,Yes,Y\n"
        "014_Clea,clea@example.com,11/19/2021 10:08:10 AM,11/19/2021 10:17:18 AM,10,No,NA\n"
        "022_Dazzler,,11/19/2021 11:02:46 AM,11/19/2021 11:29:38 AM,27,Yes,\n"
    )
    df = read_zoom_csv(write(tmp_path, text), tz="America/New_York")

    assert df["meeting_id"].tolist() == [60245167821] * 3
    assert df["join_time"].iloc[0] == pd.Timestamp("2021-11-19 14:54:15", tz="UTC")
    assert values(df["name"]) == ["015_Loki", "014_Clea", "022_Dazzler"]
    assert values(df["original_name"]) == ["Loki Laufeyson", None, None]
    assert values(df["recording_consent"]) == [True, None, False]
    assert df.attrs["start_time"] == "2021-11-19T15:00:00+00:00"


def test_a_block_topic_with_commas_quotes_and_a_line_break(tmp_path: Path) -> None:
    topic = 'Stats, "week 1"\nroom 2'
    block = ("857 4606 5432", topic, "09:50:00", "11:00:00", "h@uni.edu", "70", "4")
    df = read_zoom_csv(write(tmp_path, export(block=block), crlf=True), tz=BERLIN)

    assert df.attrs["topic"] == topic.replace("\n", "\r\n") and len(df) == 6
    assert df["join_time"].iloc[0] == utc("08:55:10")


def test_a_block_header_without_its_row_of_values(tmp_path: Path) -> None:
    text = ",".join(BLOCK) + "\n\n" + export(block=None)
    df = read_zoom_csv(write(tmp_path, text), tz=BERLIN)

    assert len(df) == 6 and df["meeting_id"].isna().all() and df.attrs["topic"] is None


# --- names, guests, flags, columns ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "name", "original"),
    [
        ("Ana (she/her) (Ana Lima)", "Ana (she/her)", "Ana Lima"),
        ("Bob (TA)", "Bob", "TA"),
        ("Lee, Chris", "Lee, Chris", None),
        ("#1 Fan", "#1 Fan", None),
        ('Said "Hi" (O\'Brien, Pat)', 'Said "Hi"', "O'Brien, Pat"),
        ("(Anonymous)", "(Anonymous)", None),
        ("Kim ( )", "Kim ( )", None),
        ("Ng (a (b))", "Ng (a (b))", None),
        ("  Zoë Ünal  (  Zoe Unal )  ", "Zoë Ünal", "Zoe Unal"),
        ("", None, None),
    ],
)
def test_name_cells(tmp_path: Path, cell: str, name: str | None, original: str | None) -> None:
    row = [cell, "x@uni.edu", "10:00:00", "10:30:00", "30", "No", "Y", "No"]
    df = read_zoom_csv(write(tmp_path, export([row])), tz=BERLIN)

    assert values(df["name"]) == [name]
    assert values(df["original_name"]) == [original]


_NAME_TEXT = st.text(
    alphabet=st.sampled_from(list("abcXYZ éü李#;,'\"()-_.0123456789")), min_size=1, max_size=25
).filter(lambda text: text.strip() != "")
_ORIGINAL_TEXT = st.text(
    alphabet=st.sampled_from(list("abcXYZ éü李#;,'\"-_.")), min_size=1, max_size=20
).filter(lambda text: text.strip() != "")


@hypothesis.given(names=st.lists(st.tuples(_NAME_TEXT, st.none() | _ORIGINAL_TEXT), min_size=1, max_size=8))
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_names_round_trip_through_a_csv_written_file(
    tmp_path: Path, names: list[tuple[str, str | None]]
) -> None:
    hypothesis.assume(
        all(original is not None or not current.rstrip().endswith(")") for current, original in names)
    )
    rows = [
        [
            current if original is None else f"{current} ({original})",
            "",
            "10:00:00",
            "10:01:00",
            "1",
            "Yes",
            "",
            "No",
        ]
        for current, original in names
    ]
    df = read_zoom_csv(write(tmp_path, export(rows)), tz=BERLIN)

    assert values(df["name"]) == [current.strip() for current, _ in names]
    assert values(df["original_name"]) == [
        None if original is None else original.strip() for _, original in names
    ]


def test_optional_columns_absent(tmp_path: Path) -> None:
    rows = [row[:5] for row in LECTURE]
    df = read_zoom_csv(write(tmp_path, export(rows, header=HEADER[:5])), tz=BERLIN)

    assert list(df.columns) == [*PARTICIPANTS.fields, "original_name", "guest"]
    assert df["guest"].isna().all() and str(df["guest"].dtype) == "bool[pyarrow]"
    assert set(df["status"]) == {"in_meeting"}


def test_waiting_room_rows_are_waiting(tmp_path: Path) -> None:
    rows = [
        [*row[:5], waiting]
        for row, waiting in zip(LECTURE, ["No", "yes", "Yes", "", "No", "No"], strict=True)
    ]
    df = read_zoom_csv(write(tmp_path, export(rows, header=[*HEADER[:5], "In Waiting Room"])), tz=BERLIN)

    assert values(df["status"]) == ["in_meeting", "in_waiting_room", "in_waiting_room"] + ["in_meeting"] * 3
    assert "recording_consent" not in df.columns and df["guest"].isna().all()


def test_other_columns_are_kept_as_text_in_snake_case(tmp_path: Path) -> None:
    header = [*HEADER, "Department / Group", "Status"]
    rows = [[*LECTURE[0], "Physics", "x"], [*LECTURE[1], "", "y"]]
    with pytest.warns(ZoomPandasWarning, match=r"participants\.csv: column 'Status' left out: .* taken"):
        df = read_zoom_csv(write(tmp_path, export(rows, header=header)), tz=BERLIN)

    assert list(df.columns)[-3:] == ["guest", "recording_consent", "department_group"]
    assert values(df["department_group"]) == ["Physics", None]
    assert str(df["department_group"].dtype) == "string[pyarrow]"
    assert values(df["status"]) == ["in_meeting", "in_meeting"]


def test_an_unnamed_column_with_values_is_left_out_with_a_warning(tmp_path: Path) -> None:
    rows = [[*LECTURE[0], "stray"]]
    with pytest.warns(ZoomPandasWarning, match="without a header holds values"):
        df = read_zoom_csv(write(tmp_path, export(rows)), tz=BERLIN)

    assert list(df.columns)[-1] == "recording_consent" and len(df) == 1


def test_known_headers_match_whatever_their_case_and_spaces(tmp_path: Path) -> None:
    plain = read_zoom_csv(write(tmp_path, export(), "plain.csv"), tz=BERLIN)
    lines = export(
        header=[f" {name.lower()}" if index % 2 else name.upper() for index, name in enumerate(HEADER)]
    )
    lines = lines.splitlines()
    lines[0] = lines[0].lower()  # the meeting block's headers too
    df = read_zoom_csv(write(tmp_path, "\n".join(lines) + "\n", "cased.csv"), tz=BERLIN)

    pd.testing.assert_frame_equal(df.drop(columns="meeting_uuid"), plain.drop(columns="meeting_uuid"))
    assert df.attrs["topic"] == "Lecture, week 1" and df.attrs["meeting_id"] == 85746065432


# --- several files --------------------------------------------------------------------------------


def test_several_files_in_the_order_given(tmp_path: Path) -> None:
    first = write(tmp_path, export(day="2024-03-05"), "b_week1.csv")
    second_block = ("857 4606 5432", "Lecture, week 2", "09:50:00", "11:00:00", "h@uni.edu", "70", "2")
    second = write(tmp_path, export(LECTURE[:2], day="2024-03-12", block=second_block), "a_week2.csv")
    df = read_zoom_csv([first, str(second)], tz=BERLIN)

    assert len(df) == 8
    assert df["join_time"].iloc[0] == utc("08:55:10") and df["join_time"].iloc[6] == utc(
        "08:55:10", "2024-03-12"
    )
    meetings = df.attrs["meetings"]
    assert [m["file"] for m in meetings] == ["b_week1.csv", "a_week2.csv"]
    assert [m["total_records"] for m in meetings] == [6, 2]
    assert [m["topic"] for m in meetings] == ["Lecture, week 1", "Lecture, week 2"]
    assert (
        df["meeting_uuid"].tolist() == [meetings[0]["meeting_uuid"]] * 6 + [meetings[1]["meeting_uuid"]] * 2
    )
    assert meetings[0]["meeting_uuid"] != meetings[1]["meeting_uuid"]
    assert "topic" not in df.attrs  # top-level keys only for one file
    assert str(tmp_path) not in repr(df.attrs)  # no machine paths in attrs


def test_files_with_different_columns_make_one_frame(tmp_path: Path) -> None:
    plain = write(tmp_path, export([row[:5] for row in LECTURE[:2]], header=HEADER[:5]), "plain.csv")
    rich = write(tmp_path, export([[*LECTURE[0], "Physics"]], header=[*HEADER, "Department"]), "rich.csv")
    df = read_zoom_csv([plain, rich], tz=BERLIN, dtype_backend="numpy_nullable")

    assert list(df.columns)[-4:] == ["original_name", "guest", "recording_consent", "department"]
    assert values(df["guest"]) == [None, None, False]
    assert values(df["recording_consent"]) == [None, None, True]
    assert values(df["department"]) == [None, None, "Physics"]
    assert str(df["recording_consent"].dtype) == "boolean" and str(df["department"].dtype).startswith(
        "string"
    )


def test_a_glob_reads_its_matches_sorted_and_skips_other_files(tmp_path: Path) -> None:
    write(tmp_path, export(LECTURE[:1]), "week2.csv")
    write(tmp_path, export(LECTURE[:3]), "week1.csv")
    write(tmp_path, "not an export", "notes.txt")
    (tmp_path / "folder.csv").mkdir()
    df = read_zoom_csv(str(tmp_path / "week*.csv"), tz=BERLIN)

    assert [m["file"] for m in df.attrs["meetings"]] == ["week1.csv", "week2.csv"]
    assert len(df) == 4
    as_path = read_zoom_csv(tmp_path / "week*.csv", tz=BERLIN)  # a Path glob, as pathlib users write it
    assert [m["file"] for m in as_path.attrs["meetings"]] == ["week1.csv", "week2.csv"]


def test_a_file_whose_name_looks_like_a_glob_is_read_as_a_file(tmp_path: Path) -> None:
    path = write(tmp_path, export(LECTURE[:1]), "week[1].csv")

    assert read_zoom_csv(str(path), tz=BERLIN).attrs["file"] == "week[1].csv"


def test_the_same_export_twice_is_read_once_with_a_warning_naming_both(tmp_path: Path) -> None:
    # a browser's second download: a glob sorts "participants (1).csv" before "participants.csv"
    first = write(tmp_path, export(), "participants (1).csv")
    again = write(tmp_path, export(), "participants.csv")
    with pytest.warns(ZoomPandasWarning) as caught:
        df = read_zoom_csv(str(tmp_path / "*.csv"), tz=BERLIN)

    assert [str(warning.message) for warning in caught] == [
        f"{again} skipped: it has the same bytes as {first}, read already"
    ]
    assert len(df) == 6 and [m["file"] for m in df.attrs["meetings"]] == ["participants (1).csv"]
    assert df.attrs["file"] == "participants (1).csv" and df["meeting_uuid"].nunique() == 1


def test_one_file_named_twice_is_read_once(tmp_path: Path) -> None:
    path = write(tmp_path, export())
    with pytest.warns(
        ZoomPandasWarning, match=r"participants\.csv skipped: .*participants\.csv, read already"
    ):
        df = read_zoom_csv([path, str(path)], tz=BERLIN)

    assert len(df) == 6 and len(df.attrs["meetings"]) == 1


def test_headers_that_differ_in_case_between_files_make_one_column(tmp_path: Path) -> None:
    lower = [*HEADER[:6], "recording consent", HEADER[7]]
    first = write(tmp_path, export(LECTURE[:2]), "a.csv")
    second = write(tmp_path, export(LECTURE[2:4], header=lower, day="2024-03-12"), "b.csv")
    df = read_zoom_csv([first, second], tz=BERLIN)

    assert values(df["recording_consent"]) == [True, True, False, False]
    assert str(df["recording_consent"].dtype) == "bool[pyarrow]"


def test_files_whose_columns_clash_in_type_are_a_value_error_naming_them(tmp_path: Path) -> None:
    # "Recording_Consent" is no known header: it becomes a text column of the bool one's name
    flag = write(tmp_path, export(LECTURE[:1]), "flag.csv")
    text = write(
        tmp_path, export(LECTURE[:1], header=[*HEADER[:6], "Recording_Consent", HEADER[7]]), "text.csv"
    )
    with pytest.raises(
        ValueError,
        match=rf"disagree on column 'recording_consent': bool in {re.escape(str(flag))}; "
        rf"string in {re.escape(str(text))}$",
    ):
        read_zoom_csv([flag, text], tz=BERLIN)


def test_the_same_export_gets_the_same_stand_in_uuid(tmp_path: Path) -> None:
    one = read_zoom_csv(write(tmp_path, export(), "one.csv"), tz=BERLIN)
    copy = read_zoom_csv(write(tmp_path, export(), "copy.csv"), tz=BERLIN)
    other = read_zoom_csv(write(tmp_path, export(LECTURE[:2]), "other.csv"), tz=BERLIN)

    assert one.attrs["meeting_uuid"] == copy.attrs["meeting_uuid"] != other.attrs["meeting_uuid"]


# --- meeting_id -----------------------------------------------------------------------------------


def test_meeting_id_argument_supplies_the_number(tmp_path: Path) -> None:
    df = read_zoom_csv(write(tmp_path, export(block=None)), tz=BERLIN, meeting_id="912-3456-7890")

    assert df["meeting_id"].tolist() == [91234567890] * 6 and df.attrs["meeting_id"] == 91234567890


def test_meeting_id_argument_that_agrees_with_the_block(tmp_path: Path) -> None:
    df = read_zoom_csv(write(tmp_path, export()), tz=BERLIN, meeting_id=85746065432)

    assert set(df["meeting_id"]) == {85746065432}


def test_meeting_id_argument_that_disagrees_with_the_block(tmp_path: Path) -> None:
    path = write(tmp_path, export(), "lecture.csv")
    with pytest.raises(
        ValueError, match=r"lecture\.csv: its meeting block says Meeting ID 85746065432.*91234567890"
    ):
        read_zoom_csv(path, tz=BERLIN, meeting_id=91234567890)


@pytest.mark.parametrize("meeting_id", ["4444AAAiAAAAAiAiAiiAii==", "abc", 0, True])
def test_meeting_id_argument_must_be_a_number(tmp_path: Path, meeting_id: object) -> None:
    with pytest.raises(ValueError, match="meeting"):
        read_zoom_csv(tmp_path / "absent.csv", tz=BERLIN, meeting_id=meeting_id)  # type: ignore[arg-type]


def test_a_block_meeting_id_that_is_not_a_number(tmp_path: Path) -> None:
    block = ("n/a", "Lecture", "09:50:00", "11:00:00", "h@uni.edu", "70", "4")
    with pytest.raises(ValueError, match=r"lecture\.csv: its meeting block's Meeting ID.*'n/a'"):
        read_zoom_csv(write(tmp_path, export(block=block), "lecture.csv"), tz=BERLIN)


# --- daylight saving time -------------------------------------------------------------------------


def test_times_in_the_repeated_hour_follow_the_duration_else_the_first(tmp_path: Path) -> None:
    # New York, 2024-11-03: 01:00-02:00 happens twice (EDT = UTC-4, then EST = UTC-5)
    rows = [
        ["Only join repeated", "a@x.org", "01:10:00", "02:30:00", "80", "No", "", "No"],  # EST join
        ["Only leave repeated", "b@x.org", "00:50:00", "01:20:00", "90", "No", "", "No"],  # EST leave
        ["Both, same span", "c@x.org", "01:10:00", "01:40:00", "30", "No", "", "No"],  # guessed: EDT
        ["Both, across", "d@x.org", "01:50:00", "01:10:00", "20", "No", "", "No"],  # EDT join, EST leave
        ["Before", "e@x.org", "00:10:00", "00:40:00", "30", "No", "", "No"],
    ]
    path = write(tmp_path, export(rows, block=None, day="2024-11-03"), "fall.csv")
    with pytest.warns(
        ZoomPandasWarning, match=r"fall\.csv: 4 row\(s\).*repeats.*3 placed by their Duration.*1 taken"
    ):
        df = read_zoom_csv(path, tz="America/New_York")

    day = "2024-11-03"
    assert df["join_time"].tolist() == [
        utc(c, day) for c in ("06:10:00", "04:50:00", "05:10:00", "05:50:00", "04:10:00")
    ]
    assert df["leave_time"].tolist() == [
        utc(c, day) for c in ("07:30:00", "06:20:00", "05:40:00", "06:10:00", "04:40:00")
    ]


def test_times_in_the_skipped_hour_take_the_offset_before_the_change(tmp_path: Path) -> None:
    # New York, 2024-03-10: 02:00-03:00 never happens
    rows = [
        ["Skipped", "a@x.org", "01:50:00", "02:30:00", "40", "No", "", "No"],
        ["Fine", "b@x.org", "03:10:00", "03:20:00", "10", "No", "", "No"],
    ]
    path = write(tmp_path, export(rows, block=None, day="2024-03-10"), "spring.csv")
    with pytest.warns(
        ZoomPandasWarning, match=r"spring\.csv: 1 row\(s\).*skips.*is America/New_York the time zone"
    ):
        df = read_zoom_csv(path, tz="America/New_York")

    assert df["leave_time"].tolist() == [utc("07:30:00", "2024-03-10"), utc("07:20:00", "2024-03-10")]
    assert df["join_time"].iloc[0] == utc("06:50:00", "2024-03-10")


_ZONES = ["America/New_York", "Europe/Berlin", "Australia/Lord_Howe", "Asia/Kolkata", "UTC"]


@hypothesis.given(
    zone=st.sampled_from(_ZONES),
    times=st.lists(
        st.datetimes(min_value=dt.datetime(2000, 1, 1), max_value=dt.datetime(2035, 12, 31)).map(
            lambda moment: moment.replace(microsecond=0)
        ),
        min_size=1,
        max_size=10,
    ),
)
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_both_formats_read_as_pandas_localises(tmp_path: Path, zone: str, times: list[dt.datetime]) -> None:
    local = pd.Series(pd.to_datetime(times))
    try:
        expected = local.dt.tz_localize(zone, ambiguous="raise", nonexistent="raise").dt.tz_convert("UTC")
    except (ValueError, OverflowError):  # pytz/zoneinfo raise subclasses of ValueError for DST gaps
        hypothesis.reject()
    for fmt, pattern in (("us", "%m/%d/%Y %I:%M:%S %p"), ("day_first", "%d/%m/%Y %H:%M:%S")):
        rows = [
            ["P", "", moment.strftime(pattern), moment.strftime(pattern), "", "", "", ""] for moment in times
        ]
        df = read_zoom_csv(write(tmp_path, export(rows, block=None), f"{fmt}.csv"), tz=zone)
        assert df["join_time"].tolist() == expected.tolist(), fmt


# --- dtypes ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("backend", ["pyarrow", "numpy_nullable"])
@pytest.mark.parametrize("rows", [LECTURE, []], ids=["rows", "no rows"])
def test_dtypes_are_read_participants_dtypes(tmp_path: Path, backend: str, rows: list[list[str]]) -> None:
    df = read_zoom_csv(write(tmp_path, export(rows)), tz=BERLIN, dtype_backend=backend)  # type: ignore[arg-type]
    empty = frame_of([], PARTICIPANTS, backend)  # type: ignore[arg-type]

    assert list(df.columns) == [*empty.columns, "original_name", "guest", "recording_consent"]
    for column in empty.columns:
        assert df[column].dtype == empty[column].dtype, column
    text, flag = (pd.ArrowDtype, pd.ArrowDtype) if backend == "pyarrow" else (pd.StringDtype, pd.BooleanDtype)
    assert isinstance(df["original_name"].dtype, text) and df["original_name"].dtype == empty["name"].dtype
    assert isinstance(df["guest"].dtype, flag) and df["guest"].dtype == empty["failover"].dtype
    assert df["recording_consent"].dtype == empty["failover"].dtype
    assert len(df) == len(rows) and df.attrs["total_records"] == len(rows)


# --- df.zoom ---------------------------------------------------------------------------------------


def test_attendance_and_summary_on_a_read_file(tmp_path: Path) -> None:
    df = read_zoom_csv(write(tmp_path, export()), tz=BERLIN)
    attendance = df.zoom.attendance().set_index("person")

    guest = attendance.loc["iPhone"]  # a guest without email: keyed by name, two sessions
    assert guest["person_source"] == "name"
    assert guest["time_present"] == pd.Timedelta(minutes=35) and guest["rejoins"] == 1
    late = attendance.loc["late@uni.edu"]
    assert late["time_waiting"] == pd.Timedelta(minutes=2) and late["time_present"] == pd.Timedelta(
        minutes=47
    )
    assert attendance.loc["ana@uni.edu", "share_of_meeting"] == pytest.approx((64 * 60 + 50) / (70 * 60))
    summary = df.zoom.summary()
    assert (
        summary["people"].tolist() == [4]
        and summary["guests"].tolist() == [1]
        and summary["rows"].tolist() == [6]
    )
    assert summary["topic"].tolist() == ["Lecture, week 1"]
    assert summary["start"].tolist() == [utc("08:50:00")] and summary["meeting_id"].tolist() == [85746065432]


def test_attendance_keeps_files_apart(tmp_path: Path) -> None:
    week1 = write(tmp_path, export(), "week1.csv")
    week2 = write(tmp_path, export(LECTURE[:2], day="2024-03-12"), "week2.csv")
    df = read_zoom_csv([week1, week2], tz=BERLIN)

    summary = df.zoom.summary()
    assert summary["rows"].tolist() == [6, 2] and summary["people"].tolist() == [4, 2]
    assert len(df.zoom.attendance()) == 6


# --- errors ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("tz", [None, "", "Mars/Olympus_Mons", "Europe/Berlin ", "../etc/passwd", 5])
def test_tz_is_required_and_checked_before_any_file(tmp_path: Path, tz: object) -> None:
    with pytest.raises(ValueError, match=r"tz=.*(required|IANA)"):
        read_zoom_csv(tmp_path / "absent.csv", tz=tz)  # type: ignore[arg-type]


def test_tz_missing_altogether(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="tz= is required"):
        read_zoom_csv(write(tmp_path, export()))


def test_dtype_backend_is_checked_before_any_file(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="dtype_backend"):
        read_zoom_csv(tmp_path / "absent.csv", tz=BERLIN, dtype_backend="numpy")  # type: ignore[arg-type]


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    write(tmp_path, export(), "there.csv")
    with pytest.raises(FileNotFoundError, match=r"absent\.csv"):
        read_zoom_csv([tmp_path / "there.csv", tmp_path / "absent.csv"], tz=BERLIN)


def test_a_glob_that_matches_nothing_is_named(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match=r"No file matches the pattern.*exports/\*\.csv"):
        read_zoom_csv(str(tmp_path / "exports" / "*.csv"), tz=BERLIN)


@pytest.mark.parametrize("paths", [[], 42, b"bytes.csv", [42]])
def test_paths_must_be_paths(paths: object) -> None:
    with pytest.raises(ValueError, match="paths"):
        read_zoom_csv(paths, tz=BERLIN)


def test_a_folder_is_refused_with_a_hint(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"is a folder; pass a glob such as .*\*\.csv"):
        read_zoom_csv(tmp_path, tz=BERLIN)


@pytest.mark.parametrize(
    "content",
    [b"", b"\xef\xbb\xbf", b"\n\r\n  \n", b",,,,\n,,,\n", b'""\n', b"  ,  \n\n", b'\xef\xbb\xbf"",  ,\r\n'],
    ids=["nothing", "bom", "blank lines", "commas", "empty quotes", "blank cells", "bom and cells"],
)
def test_an_empty_file(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "empty.csv"
    path.write_bytes(content)
    with pytest.raises(ValueError, match=r"empty\.csv is empty: .* no participant table"):
        read_zoom_csv(path, tz=BERLIN)


@pytest.mark.parametrize(
    ("text", "missing"),
    [
        ("Topic,ID,Start Time,End Time\nA,1,x,y\n", "'Name \\(Original Name\\)', 'User Email', 'Join Time'"),
        (
            "Name (Original Name),User Email,Join Time,Duration (Minutes)\nA,,x,1\n",
            "no 'Leave Time' column",
        ),
        (
            "Name (Originalname),E-Mail,Zeitpunkt des Beitritts,Zeitpunkt des Verlassens,Dauer (Minuten)\n",
            "'Name \\(Original Name\\)'.*found 'Name \\(Originalname\\)', 'E-Mail'.*other languages",
        ),
        ("Ana Lima,ana@uni.edu,03/05/2024 10:00:00 AM,03/05/2024 11:00:00 AM,60\n", "'Join Time'"),
    ],
)
def test_not_a_participant_export_names_the_missing_headers(tmp_path: Path, text: str, missing: str) -> None:
    with pytest.raises(ValueError, match=rf"report\.csv is not a Zoom participant export: .*{missing}"):
        read_zoom_csv(write(tmp_path, text, "report.csv"), tz=BERLIN)


def test_a_meeting_block_without_a_table(tmp_path: Path) -> None:
    text = "\n".join(export().splitlines()[:3]) + "\n"
    with pytest.raises(ValueError, match=r"participants\.csv has a meeting block but no participant table"):
        read_zoom_csv(write(tmp_path, text), tz=BERLIN)


def test_a_date_format_it_cannot_tell(tmp_path: Path) -> None:
    rows = [["Ana", "", "2024-03-05 10:00:00", "2024-03-05 11:00:00", "60", "No", "", "No"]]
    with pytest.raises(
        ValueError,
        match=r"iso\.csv: cannot tell the date format: Join Time on line 2 is '2024-03-05 10:00:00'",
    ):
        read_zoom_csv(write(tmp_path, export(rows, block=None), "iso.csv"), tz=BERLIN)


def test_a_us_month_in_a_day_first_file_is_not_guessed(tmp_path: Path) -> None:
    rows = [
        ["Ana", "", "05/03/2024 10:00:00", "05/03/2024 11:00:00", "60", "No", "", "No"],
        ["Bob", "", "03/13/2024 10:00:00", "03/13/2024 11:00:00", "60", "No", "", "No"],
    ]
    with pytest.raises(
        ValueError, match=r"cannot tell the date format: Join Time on line 3 is '03/13/2024 10:00:00'"
    ):
        read_zoom_csv(write(tmp_path, export(rows, block=None)), tz=BERLIN)


@pytest.mark.parametrize(("column", "index"), [("Join Time", 2), ("Leave Time", 3)])
def test_a_time_that_does_not_read_names_its_line(tmp_path: Path, column: str, index: int) -> None:
    bad = list(LECTURE[1])
    bad[index] = "13/45/2024 10:00:00 AM"
    with pytest.raises(  # the meeting block, a blank line and the header take lines 1-4
        ValueError, match=rf"bad\.csv: {column} on line 6 is '13/45/2024 10:00:00 AM', not a time in the US"
    ):
        read_zoom_csv(write(tmp_path, export([LECTURE[0], bad, LECTURE[2]]), "bad.csv"), tz=BERLIN)


@pytest.mark.parametrize(
    ("fmt", "written", "rolled"),
    [
        ("us", "02/30/2021 10:30:00 AM", "2021-03-02 10:30:00"),
        ("us", "02/29/2021 10:30:00 AM", "2021-03-01 10:30:00"),  # 2021 is no leap year
        ("us", "04/31/2024 10:30:00 AM", "2024-05-01 10:30:00"),
        ("us", "03/05/2024 11:59:60 PM", "2024-03-06 00:00:00"),
        ("us", "03/05/24 10:30:00 AM", "0024-03-05 10:30:00"),  # a year of two digits
        ("day_first", "31/04/2021 10:30:00", "2021-05-01 10:30:00"),
        ("day_first", "29/02/2023 10:30:00", "2023-03-01 10:30:00"),
        ("day_first", "05/03/2024 23:59:60", "2024-03-06 00:00:00"),
        ("day_first", "05/03/2024 10:30:61", "2024-03-05 10:31:01"),
    ],
)
def test_a_date_that_does_not_exist_names_its_line(
    tmp_path: Path, fmt: str, written: str, rolled: str
) -> None:
    rows = [LECTURE[0], [*LECTURE[1][:3], written, *LECTURE[1][4:]]]
    with pytest.raises(
        ValueError,
        match=rf"bad\.csv: Leave Time on line 6 is '{re.escape(written)}': no such date and time in the "
        rf".* format \(a lenient reader would make it {rolled}\)",
    ):
        read_zoom_csv(write(tmp_path, export(rows, fmt=fmt), "bad.csv"), tz=BERLIN)


@hypothesis.given(
    year=st.integers(1999, 2031),
    month=st.integers(1, 12),
    day=st.integers(1, 31),
    second=st.integers(0, 61),
    fmt=st.sampled_from(["us", "day_first"]),
)
@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_a_time_is_read_exactly_when_it_exists(
    tmp_path: Path, year: int, month: int, day: int, second: int, fmt: str
) -> None:
    us = f"{month:02d}/{day:02d}/{year} 10:30:{second:02d} PM"
    written = us if fmt == "us" else f"{day:02d}/{month:02d}/{year} 22:30:{second:02d}"
    path = write(tmp_path, export([["A", "", written, written, "0"]], block=None, header=HEADER[:5]))
    try:
        moment = dt.datetime(year, month, day, 22, 30, second)
    except ValueError:  # 31 April, 29 February outside leap years, second 60 or 61
        with pytest.raises(ValueError, match="no such date and time"):
            read_zoom_csv(path, tz="UTC")
        return
    assert read_zoom_csv(path, tz="UTC")["join_time"].tolist() == [pd.Timestamp(moment, tz="UTC")]


def test_a_block_time_that_does_not_exist_is_named(tmp_path: Path) -> None:
    text = export().replace(wall("09:50:00", "us"), "02/30/2024 09:50:00 AM")
    with pytest.raises(
        ValueError, match=r"the meeting block's Start Time is '02/30/2024 09:50:00 AM': no such"
    ):
        read_zoom_csv(write(tmp_path, text), tz=BERLIN)


@pytest.mark.parametrize("fmt", ["us", "day_first"])
def test_real_dates_that_need_a_closer_look_are_read(tmp_path: Path, fmt: str) -> None:
    # days 29-31, 12 AM and PM, one-digit fields, lower-case am: not the quick pattern, still read
    us = ["02/29/2024 11:59:59 PM", "12/31/2023 12:00:00 AM", "1/2/2024 9:05:07 am", "3/31/2024 12:5:6 PM"]
    day_first = ["29/02/2024 23:59:59", "31/12/2023 00:00:00", "2/1/2024 9:05:07", "31/3/2024 12:5:6"]
    rows = [["A", "", when, when, "0"] for when in (us if fmt == "us" else day_first)]
    df = read_zoom_csv(write(tmp_path, export(rows, block=None, header=HEADER[:5])), tz="UTC")

    assert df["join_time"].tolist() == [
        utc(clock, day)
        for day, clock in [
            ("2024-02-29", "23:59:59"),
            ("2023-12-31", "00:00:00"),
            ("2024-01-02", "09:05:07"),
            ("2024-03-31", "12:05:06"),
        ]
    ]


@pytest.mark.parametrize("crlf", [False, True])
def test_line_numbers_count_blank_lines_and_breaks_in_quoted_values(tmp_path: Path, crlf: bool) -> None:
    block = ("857 4606 5432", "Stats\nroom 2", "09:50:00", "11:00:00", "h@uni.edu", "70", "4")
    bad = "13/45/2024 10:00:00 AM"
    text = (
        export([LECTURE[0]], block=block)
        + "\n"
        + export([["Ana\nLima (she/her)\n", *LECTURE[1][1:]]], block=None).split("\n", 1)[1]
        + ",,,,,,,\n"
        + export([[*LECTURE[2][:2], bad, *LECTURE[2][3:]]], block=None).split("\n", 1)[1]
    )
    line = next(number for number, cells in enumerate(text.split("\n"), 1) if bad in cells)
    assert line == 12  # block 1-4 (the topic takes two), blank 5, header 6, rows 7, (8), 9-11, 12
    with pytest.raises(ValueError, match=rf"lines\.csv: Join Time on line {line} is '{bad}'"):
        read_zoom_csv(write(tmp_path, text, "lines.csv", crlf=crlf), tz=BERLIN)


@pytest.mark.parametrize(
    "written", ["11/19/2021 10:30 AM", "11/19/2021 10:30", "19/11/2021 22:30", "11/19/21 10:30"]
)
def test_times_without_seconds_suggest_exporting_again(tmp_path: Path, written: str) -> None:
    rows = [["A", "", written, written, "0"]]
    with pytest.raises(
        ValueError,
        match=r"excel\.csv: .*Join Time on line 2 .*no seconds.*export it again from the Zoom web portal",
    ):
        read_zoom_csv(write(tmp_path, export(rows, block=None, header=HEADER[:5]), "excel.csv"), tz=BERLIN)


@pytest.mark.parametrize("minutes", ["abc", "12.5", "-3", "1e3"])
def test_a_duration_that_is_not_a_number_names_its_line(tmp_path: Path, minutes: str) -> None:
    rows = [LECTURE[0], LECTURE[1], [*LECTURE[2][:4], minutes, *LECTURE[2][5:]]]
    with pytest.raises(
        ValueError,
        match=rf"bad\.csv: Duration \(Minutes\) on line 7 is '{re.escape(minutes)}', not a whole number",
    ):
        read_zoom_csv(write(tmp_path, export(rows), "bad.csv"), tz=BERLIN)


def test_malformed_csv_names_the_file(tmp_path: Path) -> None:
    text = export(LECTURE[:2]) + "too,many,fields,in,this,row,for,the,header,above,by,far\n"
    with pytest.raises(ValueError, match=r"bad\.csv: the participant table is not well-formed"):
        read_zoom_csv(write(tmp_path, text, "bad.csv"), tz=BERLIN)


@pytest.mark.parametrize("where", ["header", "first row", "later row"])
def test_text_that_is_not_utf8_names_the_file(tmp_path: Path, where: str) -> None:
    text = export(LECTURE[:2]).encode("utf-8")
    if where == "header":
        text = b"\xff\xfe" + text
    else:
        text = text.replace(b"Ana Lima" if where == "first row" else b"John Smith", "Zoë".encode("latin-1"))
    path = tmp_path / "latin.csv"
    path.write_bytes(text)
    with pytest.raises(ValueError, match=r"latin\.csv.*UTF-8"):
        read_zoom_csv(path, tz=BERLIN)


@pytest.mark.parametrize("again", ["Guest", " GUEST"])
def test_repeated_columns_are_refused(tmp_path: Path, again: str) -> None:
    with pytest.raises(ValueError, match=r"repeats the column\(s\) \['Guest'\]"):
        read_zoom_csv(write(tmp_path, export(LECTURE[:1], header=[*HEADER[:7], again])), tz=BERLIN)
