"""Widget tests in plain Python (no kernel, no browser): set values, click, check state and callbacks.

The widgets talk to the real sandbox over HTTP through the real client.
"""

from __future__ import annotations

from collections.abc import Iterator

import pandas as pd
import pytest
import requests

pytest.importorskip("ipywidgets")

import zoom_pandas as zp
from zoom_pandas import widgets as zw
from zoom_pandas.default_client import default_client
from zoom_pandas.sandbox import Sandbox, SandboxData
from zoom_pandas.scopes import HOST_SCOPES
from zoom_pandas.tokens import TokenFile
from zoom_pandas.user_oauth import UserOAuth


@pytest.fixture
def signed_in(sandbox: Sandbox) -> Iterator[zp.ZoomClient]:
    client = sandbox.client()
    zp.set_default_client(client)
    yield client
    client.close()


def test_lazy_public_names() -> None:
    assert zp.LoginWidget is zw.LoginWidget and zp.MeetingPicker is zw.MeetingPicker and zp.login is zw.login


def test_sandbox_button_signs_in_and_sets_the_default(monkeypatch: pytest.MonkeyPatch) -> None:
    login = zp.login()
    assert login.mode.value == "sandbox"  # no ZOOM_* credentials in the environment
    login.sandbox_button.click()
    assert login.signed_in and "Olivia Owner" in login.status.value
    assert default_client() is login.client
    assert not login.sandbox_button.disabled


def test_server_to_server_fields(sandbox: Sandbox) -> None:
    login = zw.LoginWidget(api_url=sandbox.api_url, oauth_url=sandbox.oauth_url)
    login.mode.value = "s2s"
    assert login.panel.children[0] is login._panels["s2s"]
    login.account_id.value = sandbox.credentials.account_id
    login.client_id.value = sandbox.credentials.client_id
    login.client_secret.value = sandbox.credentials.client_secret
    login.sign_in_button.click()
    assert login.signed_in and "owner@example.com" in login.status.value
    assert login.client_secret.value == ""  # the secret does not stay in widget state
    assert sandbox.credentials.client_secret not in repr(login.get_state())


def test_wrong_secret_is_one_readable_line(sandbox: Sandbox) -> None:
    login = zw.LoginWidget(api_url=sandbox.api_url, oauth_url=sandbox.oauth_url)
    login.account_id.value = sandbox.credentials.account_id
    login.client_id.value = sandbox.credentials.client_id
    login.client_secret.value = "wrong"
    login.sign_in_button.click()
    assert not login.signed_in
    assert "invalid_client" in login.status.value and "<br>" not in login.status.value
    assert not login.sign_in_button.disabled


def test_user_oauth_paste_back(sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: object) -> None:
    monkeypatch.setattr(
        "zoom_pandas.user_oauth.default_token_store", lambda client_id: TokenFile(tmp_path / "t.json")
    )  # type: ignore[operator]
    login = zw.LoginWidget(api_url=sandbox.api_url, oauth_url=sandbox.oauth_url)
    login.mode.value = "user"
    login.oauth_client_id.value = sandbox.credentials.user_client_id
    login.oauth_client_secret.value = sandbox.credentials.user_client_secret
    login.link_button.click()
    assert "Open Zoom login" in login.login_link.value and login.oauth_client_secret.value == ""
    url = login.login_link.value.split("href='")[1].split("'")[0].replace("&amp;", "&")
    redirected = requests.get(url, allow_redirects=False, timeout=10).headers["Location"]
    login._listener.close()  # type: ignore[union-attr]  # the browser is "elsewhere": paste instead
    login.pasted.value = redirected
    login.finish_button.click()
    assert login.signed_in, login.status.value
    assert isinstance(login.client.auth, UserOAuth)  # type: ignore[union-attr]
    assert TokenFile(tmp_path / "t.json").load() is not None  # type: ignore[operator]


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


def test_the_user_oauth_panel_lists_a_hosts_scopes() -> None:
    widget = zw.LoginWidget()
    widget.mode.value = "user"
    text = " ".join(getattr(child, "value", "") for child in widget.panel.children[0].children)
    for scope in ("report:read:list_meeting_participants:admin", *HOST_SCOPES):
        assert scope in text
