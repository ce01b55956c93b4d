"""The meeting picker without a kernel: one named time zone, counts that agree, a table a person reads."""

from __future__ import annotations

import datetime as dt
import html
import re
import zoneinfo

import pandas as pd
import pytest

import zoom_pandas as zp
from zoom_pandas.sandbox import Sandbox, SandboxData
from zoom_pandas.widgets._table import READ_FIRST, loaded_line, participants_table, shown_columns

NEW_YORK = zoneinfo.ZoneInfo("America/New_York")  # owner@example.com's Zoom time zone in the sandbox


def headers(table: str) -> list[str]:
    return re.findall(r"<th(?:\s[^>]*)?>(.*?)</th>", table)


def first_row(table: str) -> list[str]:
    body = table.split("<tbody>", 1)[1]
    return [html.unescape(cell) for cell in re.findall(r"<td[^>]*>(.*?)</td>", body.split("</tr>", 1)[0])]


def test_picker_finds_picks_and_loads(signed_in: zp.ZoomClient) -> None:
    picker = zp.MeetingPicker()
    loaded: list[pd.DataFrame] = []
    busy: list[bool] = []
    picker.on_load(loaded.append)
    picker.on_load(lambda _: busy.append(picker.load_button.disabled and picker.find_button.disabled))
    assert picker.load_button.disabled
    picker.find_button.click()
    labels = [label for label, _ in picker.meeting.options]
    assert any(label.startswith("Weekly team sync") for label in labels)
    picker.meeting.value = SandboxData.TEAM_SYNC
    assert len(picker.instance.options) == 4 and not picker.instance.disabled
    assert not picker.load_button.disabled
    picker.instance.value = picker.instance.options[2][1]
    picker.load_button.click()
    assert picker.df is not None and loaded and loaded[0] is picker.df
    assert busy == [True]  # both buttons were disabled while loading
    assert picker.df.attrs["meeting_uuid"] == picker.instance.value
    assert "rows" in picker.status.value and "people" in picker.status.value
    assert not picker.find_button.disabled and not picker.load_button.disabled


def test_one_time_zone_named_everywhere(signed_in: zp.ZoomClient) -> None:
    picker = zp.MeetingPicker()
    picker.find_button.click()
    assert picker.time_zone == "America/New_York"
    assert "times in <b>America/New_York</b>, the user's Zoom time zone" in picker.status.value
    picker.meeting.value = SandboxData.TEAM_SYNC
    assert "America/New_York" in picker.sessions_note.value
    listed = picker.meetings[picker.meetings["meeting_id"] == SandboxData.TEAM_SYNC]  # type: ignore[index]
    starts = [pd.Timestamp(start) for start in listed["start_time"]]
    label = next(text for text, value in picker.meeting.options if value == SandboxData.TEAM_SYNC)
    assert f"{starts[0].tz_convert(NEW_YORK):%a %d %b %Y %H:%M}" in label
    for (text, _), start in zip(picker.instance.options, starts, strict=True):
        assert text.startswith(f"{start.tz_convert(NEW_YORK):%a %d %b %Y %H:%M}")
        assert not re.search(r"\b(EST|EDT|UTC)\b", text)  # the zone is named once, beside the lists
    picker.instance.value = picker.instance.options[1][1]
    assert picker.instance.tooltip == f"{starts[1].tz_convert(dt.timezone.utc):%a %d %b %Y %H:%M} UTC"
    picker.load_button.click()
    table = picker.table.value
    assert "(America/New_York)" in table and "times in America/New_York" in table
    assert "times in UTC" in table  # picker.df keeps UTC, and the caption says so
    assert picker.df is not None and str(picker.df["join_time"].dt.tz) == "UTC"
    first = picker.df.iloc[0]
    shown = first_row(table)
    assert (
        shown[headers(table).index("join_time")]
        == f"{first['join_time'].tz_convert(NEW_YORK):%Y-%m-%d %H:%M:%S}"
    )


def test_sessions_in_the_label_are_the_sessions_offered(signed_in: zp.ZoomClient) -> None:
    picker = zp.MeetingPicker()
    picker.find_button.click()
    for label, meeting in picker.meeting.options:
        picker.meeting.value = meeting
        offered = len(picker.instance.options)
        if offered > 1:
            assert f"{offered} sessions in range" in label
        assert f"{offered} session" in picker.sessions_note.value
    picker.meeting.value = SandboxData.TEAM_SYNC  # 6 weekly sessions, 4 of them in the last 30 days
    assert len(picker.instance.options) == 4
    assert "Zoom has 6 in all: widen From and To to list the others" in picker.sessions_note.value
    picker.start.value = picker.end.value - dt.timedelta(days=60)
    picker.find_button.click()
    picker.meeting.value = SandboxData.TEAM_SYNC
    assert len(picker.instance.options) == 6 and "in all" not in picker.sessions_note.value


def test_people_are_counted_by_the_accessor_rule_and_zooms_count_is_labelled(
    signed_in: zp.ZoomClient,
) -> None:
    picker = zp.MeetingPicker()
    picker.find_button.click()
    label = next(text for text, value in picker.meeting.options if value != SandboxData.TEAM_SYNC)
    assert re.search(r"Zoom counts \d+ participants", label)  # Zoom's number, said to be Zoom's
    picker.meeting.value = SandboxData.TEAM_SYNC
    assert all(re.search(r"Zoom counts \d+ participants$", text) for text, _ in picker.instance.options)
    picker.load_button.click()
    assert picker.df is not None
    summary = picker.df.zoom.summary()
    assert f"<b>{summary['people'].iloc[0]:,}</b> people (<code>df.zoom</code>'s rule" in picker.status.value
    assert f"<b>{summary['rows'].iloc[0]:,}</b> rows" in picker.status.value


def test_the_loaded_line_names_zooms_own_count_when_it_differs(signed_in: zp.ZoomClient) -> None:
    frame = zp.read_participants(SandboxData.TEAM_SYNC)
    people = int(frame.zoom.summary()["people"].iloc[0])
    assert "Zoom's list counted" not in loaded_line(frame, zoom_count=people)
    line = loaded_line(frame, zoom_count=12000)
    assert (
        f"<b>{people:,}</b> people" in line
        and "Zoom's list counted 12,000 participants, by its own rule" in line
    )


def test_the_table_shows_what_a_person_reads_first_and_no_empty_columns(signed_in: zp.ZoomClient) -> None:
    picker = zp.MeetingPicker()
    picker.find_button.click()
    picker.meeting.value = SandboxData.TEAM_SYNC
    picker.load_button.click()
    frame, table = picker.df, picker.table.value
    assert frame is not None
    shown = headers(table)
    assert shown[: len(READ_FIRST)] == list(READ_FIRST)
    empty = [name for name in frame.columns if frame[name].isna().all()]
    assert empty and not set(empty) & set(shown)  # customer_key, registrant_id, bo_mtg_id here
    assert "meeting_uuid" not in shown and "meeting_id" not in shown
    assert table.count(frame.attrs["meeting_uuid"]) == 1  # said once, in the caption
    assert "white-space:nowrap" in table and "overflow-x:auto" in table
    duration = first_row(table)[shown.index("duration")]
    assert re.fullmatch(r"\d+:\d\d:\d\d", duration)  # not "0 days 00:22:41"
    assert table.count("<tr>") == len(frame) + 1 and f"all {len(frame)} rows" in table


def test_shown_columns_of_an_empty_frame_and_a_long_one(signed_in: zp.ZoomClient) -> None:
    frame = zp.read_participants(SandboxData.TEAM_SYNC)
    assert shown_columns(frame.iloc[:0]) == list(READ_FIRST)
    long = pd.concat([frame] * 3, ignore_index=True)
    assert participants_table(long, NEW_YORK, rows=20).count("<tr>") == 21


def test_picker_shows_errors_in_one_line(signed_in: zp.ZoomClient) -> None:
    picker = zp.MeetingPicker(user_id="nobody@example.com")
    picker.find_button.click()
    assert "not exist" in picker.status.value and "(HTTP 404" in picker.status.value
    assert picker.meeting.disabled and not picker.find_button.disabled


def test_loading_before_finding_says_what_to_do(signed_in: zp.ZoomClient) -> None:
    picker = zp.MeetingPicker()
    with pytest.raises(ValueError, match="Find meetings and pick one first"):
        picker.load()


def test_picker_range_past_six_months_is_explained(signed_in: zp.ZoomClient) -> None:
    picker = zp.MeetingPicker(days=400)
    picker.find_button.click()
    assert "six months" in picker.status.value


def test_picker_loads_a_webinar_through_the_webinar_report(signed_in: zp.ZoomClient) -> None:
    picker = zp.MeetingPicker(user_id="events@example.com", days=60)
    picker.find_button.click()
    assert SandboxData.WEBINAR_SERIES in [value for _, value in picker.meeting.options], picker.status.value
    assert "times in <b>UTC</b>, the user's Zoom time zone" in picker.status.value  # Zoom said UTC
    picker.meeting.value = SandboxData.WEBINAR_SERIES
    assert len(picker.instance.options) == 4
    picker.load_button.click()
    assert picker.df is not None, picker.status.value
    assert (
        picker.df.attrs["meeting_id"] == SandboxData.WEBINAR_SERIES and "bo_mtg_id" not in picker.df.columns
    )


def test_picker_works_for_a_host_without_admin_rights() -> None:
    with Sandbox(app="host") as host, host.client() as client:
        zp.set_default_client(client)
        picker = zp.MeetingPicker(days=100)
        picker.find_button.click()
        assert SandboxData.COURSE in [value for _, value in picker.meeting.options], picker.status.value
        assert "No admin rights" in picker.note.value and "sessions of" in picker.status.value
        picker.meeting.value = SandboxData.COURSE
        assert len(picker.instance.options) == len(host.data.meetings[SandboxData.COURSE].instances)
        picker.load_button.click()
        assert picker.df is not None, picker.status.value
        assert picker.df.attrs["endpoint"] == "past_meetings"
        assert "past meetings (no breakout rooms)" in picker.status.value
        assert picker.df["bo_mtg_id"].isna().all() and "bo_mtg_id" not in headers(picker.table.value)
