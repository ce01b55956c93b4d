"""The sign-in widget in plain Python (no kernel, no browser): fields, clicks, status, the default client.

The widget talks to the real sandbox over HTTP through the real client.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests

import zoom_pandas as zp
from zoom_pandas import widgets as zw
from zoom_pandas.default_client import default_client
from zoom_pandas.errors import AuthError, ZoomAPIError
from zoom_pandas.sandbox import Sandbox
from zoom_pandas.widgets._common import LABELS, describe


@pytest.fixture
def login(sandbox: Sandbox) -> Iterator[zw.LoginWidget]:
    widget = zw.LoginWidget(api_url=sandbox.api_url, oauth_url=sandbox.oauth_url)
    yield widget
    widget.close()


def fill(login: zw.LoginWidget, sandbox: Sandbox, secret: str | None = None) -> None:
    login.mode.value = "s2s"
    login.account_id.value = sandbox.credentials.account_id
    login.client_id.value = sandbox.credentials.client_id
    login.client_secret.value = sandbox.credentials.client_secret if secret is None else secret


def test_lazy_public_names() -> None:
    assert zp.LoginWidget is zw.LoginWidget and zp.MeetingPicker is zw.MeetingPicker and zp.login is zw.login


def test_sandbox_button_signs_in_says_it_is_the_sandbox_and_sets_the_default() -> None:
    login = zp.login()
    assert login.mode.value == "sandbox"  # no ZOOM_* credentials in the environment
    assert not login.signed_in  # signing in is the user's click (or the notebook's, which says so)
    login.sandbox_button.click()
    assert login.signed_in and "Signed in as <b>Olivia Owner</b>" in login.status.value
    assert "built-in sandbox" in login.status.value and "made-up meetings" in login.status.value
    assert default_client() is login.client
    assert not login.sandbox_button.disabled


def test_server_to_server_fields(login: zw.LoginWidget, sandbox: Sandbox) -> None:
    fill(login, sandbox)
    assert login.panel.children[0] is login._panels["s2s"]
    login.sign_in_button.click()
    assert login.signed_in and "owner@example.com" in login.status.value
    assert "Server-to-Server" in login.status.value
    assert login.client_secret.value == ""  # the secret does not stay in widget state
    assert sandbox.credentials.client_secret not in repr(login.get_state())


def test_labels_are_not_cut(login: zw.LoginWidget) -> None:
    fields = [login.account_id, login.client_id, login.client_secret]
    fields += [login.user_oauth.client_id, login.user_oauth.client_secret, login.user_oauth.pasted]
    for field in fields:
        # ipywidgets' default label width cuts "Client secret" to "Client sec…"
        assert field.style.description_width == LABELS["description_width"], field.description
        assert len(field.description) <= 13  # "Client secret": fits 7.5em at the default font


def test_wrong_secret_is_one_readable_line_worded_for_what_happened(
    login: zw.LoginWidget, sandbox: Sandbox
) -> None:
    fill(login, sandbox, secret="wrong")
    login.sign_in_button.click()
    assert not login.signed_in
    status = login.status.value
    assert "Token request refused: invalid_client" in status and "(HTTP 401)" in status
    assert "<br>" not in status and "no answer" not in status
    assert not login.sign_in_button.disabled


def test_empty_fields_are_named_before_anything_is_sent(login: zw.LoginWidget, sandbox: Sandbox) -> None:
    login.mode.value = "s2s"
    login.account_id.value, login.client_id.value, login.client_secret.value = "", "", "typed"
    login.sign_in_button.click()
    assert "Enter the Account ID and Client ID of your Server-to-Server app" in login.status.value
    assert "no answer" not in login.status.value and "credentials: set ZOOM_" not in login.status.value
    assert login.client_secret.value == "typed"  # nothing was sent: nothing to retype
    assert not sandbox.requests


def test_a_failed_attempt_says_the_previous_sign_in_is_still_the_default(
    login: zw.LoginWidget, sandbox: Sandbox
) -> None:
    fill(login, sandbox)
    login.sign_in_button.click()
    before = login.client
    assert before is not None and default_client() is before
    fill(login, sandbox, secret="wrong")
    login.sign_in_button.click()
    status = login.status.value
    assert "invalid_client" in status
    assert "Still signed in as <b>Olivia Owner</b> (owner@example.com)" in status
    assert "remains the default" in status
    assert login.client is before and default_client() is before  # and it indeed is
    assert zp.read_user(client=default_client())["email"] == "owner@example.com"


def test_errors_clear_on_tab_switch_and_after_a_success(login: zw.LoginWidget, sandbox: Sandbox) -> None:
    fill(login, sandbox, secret="wrong")
    login.sign_in_button.click()
    assert "invalid_client" in login.status.value
    login.mode.value = "user"
    assert login.status.value == ""  # not signed in: nothing to say
    login.mode.value = "s2s"
    fill(login, sandbox, secret="wrong")
    login.sign_in_button.click()
    fill(login, sandbox)
    login.sign_in_button.click()
    assert login.status.value.startswith("Signed in as") and "invalid_client" not in login.status.value
    fill(login, sandbox, secret="wrong")
    login.sign_in_button.click()
    login.mode.value = "sandbox"  # the error goes, the sign-in in effect stays on screen
    assert login.status.value.startswith("Signed in as <b>Olivia Owner</b>")
    assert "invalid_client" not in login.status.value and "Still" not in login.status.value


def test_on_sign_in_callbacks_get_the_new_client(login: zw.LoginWidget, sandbox: Sandbox) -> None:
    seen: list[zp.ZoomClient] = []
    login.on_sign_in(seen.append)
    fill(login, sandbox, secret="wrong")
    login.sign_in_button.click()
    assert seen == []
    fill(login, sandbox)
    login.sign_in_button.click()
    assert seen == [login.client]


def test_errors_say_what_happened() -> None:
    assert describe(AuthError(401, 124, "token request refused: bad")) == (
        "Token request refused: bad (HTTP 401, Zoom code 124)"
    )
    assert describe(AuthError(None, None, "that address has no ?code=...")) == "That address has no ?code=..."
    try:
        try:
            raise requests.ConnectionError("refused")
        except requests.ConnectionError as exc:
            raise ZoomAPIError(None, None, "GET /users/me failed 5 times: ConnectionError") from exc
    except ZoomAPIError as unreachable:
        text = describe(unreachable, api_url="https://api.zoom.us/v2")
    assert text == "Could not reach api.zoom.us: GET /users/me failed 5 times: ConnectionError"
    assert describe(ValueError("first\nsecond")) == "First"


def test_use_environment_signs_in_with_the_zoom_variables_and_says_so(
    sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in sandbox.env().items():
        monkeypatch.setenv(name, value)
    login = zw.LoginWidget()
    assert login.mode.value == "s2s" and login.account_id.value == sandbox.credentials.account_id
    login.use_environment()
    assert login.signed_in and default_client() is login.client
    assert "with the ZOOM_* credentials of this environment" in login.status.value


def test_use_environment_without_variables_says_what_is_missing(login: zw.LoginWidget) -> None:
    with pytest.raises(AuthError, match="no Zoom credentials"):
        login.use_environment()
    assert not login.signed_in
