"""Picker tests in plain Python (no kernel, no browser): set values, click, check state and callbacks.

The widgets talk to the real sandbox over HTTP through the real client.
"""

from __future__ import annotations

import pandas as pd
import pytest

pytest.importorskip("ipywidgets")

import zoom_pandas as zp
from zoom_pandas.sandbox import Sandbox, SandboxData


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
    assert len(picker.instance.options) == 6 and not picker.instance.disabled
    assert not picker.load_button.disabled
    picker.instance.value = picker.instance.options[2][1]
    picker.load_button.click()
    assert picker.df is not None and loaded and loaded[0] is picker.df
    assert busy == [True]  # both buttons were disabled while loading
    assert picker.df.attrs["meeting_uuid"] == picker.instance.value
    assert "rows" in picker.status.value and "people" in picker.status.value
    assert not picker.find_button.disabled and not picker.load_button.disabled


def test_picker_shows_errors_in_one_line(signed_in: zp.ZoomClient) -> None:
    picker = zp.MeetingPicker(user_id="nobody@example.com")
    picker.find_button.click()
    assert "not exist" in picker.status.value
    assert picker.meeting.disabled and not picker.find_button.disabled


def test_picker_range_past_six_months_is_explained(signed_in: zp.ZoomClient) -> None:
    picker = zp.MeetingPicker(days=400)
    picker.find_button.click()
    assert "six months" in picker.status.value


def test_picker_loads_a_webinar_through_the_webinar_report(signed_in: zp.ZoomClient) -> None:
    picker = zp.MeetingPicker(user_id="events@example.com", days=60)
    picker.find_button.click()
    assert SandboxData.WEBINAR_SERIES in [value for _, value in picker.meeting.options], picker.status.value
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
        assert "No admin rights" in picker.note.value and "sessions found" in picker.status.value
        picker.meeting.value = SandboxData.COURSE
        assert len(picker.instance.options) == len(host.data.meetings[SandboxData.COURSE].instances)
        picker.load_button.click()
        assert picker.df is not None, picker.status.value
        assert picker.df.attrs["endpoint"] == "past_meetings"
        assert "past meetings (no breakout rooms)" in picker.status.value
        assert picker.df["bo_mtg_id"].isna().all()
