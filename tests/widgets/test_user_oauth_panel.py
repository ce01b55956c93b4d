"""The user-OAuth tab without a kernel: what to register, a real link to Zoom, both ways back, wording.

Zoom's consent page is the sandbox's (it approves at once and redirects); "the browser" is a
plain HTTP request that follows the link, and then either reaches the loopback listener (the
browser runs here) or is pasted back (Binder, Colab, a remote server).
"""

from __future__ import annotations

import html
import re
import time
import urllib.parse
from collections.abc import Iterator

import pytest
import requests

from zoom_pandas import widgets as zw
from zoom_pandas.default_client import default_client
from zoom_pandas.sandbox import Sandbox
from zoom_pandas.scopes import HOST_SCOPES
from zoom_pandas.tokens import TokenFile
from zoom_pandas.user_oauth import UserOAuth
from zoom_pandas.widgets.oauth_panel import REDIRECT_URL


@pytest.fixture
def login(sandbox: Sandbox, token_file: TokenFile) -> Iterator[zw.LoginWidget]:
    widget = zw.LoginWidget(api_url=sandbox.api_url, oauth_url=sandbox.oauth_url)
    widget.mode.value = "user"
    yield widget
    widget.close()


def fill(login: zw.LoginWidget, sandbox: Sandbox) -> None:
    login.user_oauth.client_id.value = sandbox.credentials.user_client_id
    login.user_oauth.client_secret.value = sandbox.credentials.user_client_secret


def href(login: zw.LoginWidget) -> str:
    (link,) = re.findall(r'<a href="([^"]+)"', login.user_oauth.link.value)
    return html.unescape(link)


def approve(url: str) -> str:
    """What a browser does at Zoom's consent page: approve, and be sent to the redirect address."""
    return str(requests.get(url, allow_redirects=False, timeout=10).headers["Location"])


def test_the_redirect_url_to_register_has_no_port_and_a_copy_button(login: zw.LoginWidget) -> None:
    shown = login.user_oauth.redirect.value
    assert REDIRECT_URL == "http://127.0.0.1/zoom-pandas/callback"
    assert f'value="{REDIRECT_URL}"' in shown and "readonly" in shown  # selectable without scripts
    assert not re.search(r"127\.0\.0\.1:\d+", shown)  # Zoom ignores the port of loopback URIs
    assert ">Copy</button>" in shown and "navigator.clipboard" in shown
    assert "execCommand" in shown and "Press Ctrl+C" in shown  # without the Clipboard API
    assert "ignores the port" in shown


def test_an_empty_client_id_is_checked_before_anything_else(login: zw.LoginWidget, sandbox: Sandbox) -> None:
    panel = login.user_oauth
    assert panel.client_id.value == "" and panel.url is None
    assert "<a " not in panel.link.value and "Enter your app&#x27;s Client ID first." in panel.link.value
    panel.pasted.value = "http://127.0.0.1/zoom-pandas/callback?code=x&state=y"
    panel.finish_button.click()
    assert "Enter your app&#x27;s Client ID first" in login.status.value
    assert panel._listener is None and not sandbox.requests  # nothing started, nothing sent
    panel.client_id.value = "   "
    assert panel.url is None and "<a " not in panel.link.value


def test_the_link_opens_zooms_consent_page_in_a_new_tab(login: zw.LoginWidget, sandbox: Sandbox) -> None:
    fill(login, sandbox)
    link = login.user_oauth.link.value
    assert 'target="_blank"' in link and 'rel="noopener noreferrer"' in link
    assert "jupyter-button" in link and "Open Zoom sign-in" in link  # looks like the other buttons
    url = href(login)
    assert url == login.user_oauth.url and url.startswith(f"{sandbox.oauth_url}/authorize?")
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)
    assert query["client_id"] == [sandbox.credentials.user_client_id]
    assert query["code_challenge_method"] == ["S256"] and query["state"][0]
    # What is sent carries the listener's port; Zoom matches it to the registered port-less URL.
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/zoom-pandas/callback", query["redirect_uri"][0])
    assert login.user_oauth.client_secret.value  # kept until the sign-in succeeds
    assert not sandbox.requests  # a link is made here; Zoom is asked only when it is followed


def test_paste_back_when_the_browser_is_elsewhere(
    login: zw.LoginWidget, sandbox: Sandbox, token_file: TokenFile
) -> None:
    fill(login, sandbox)
    redirected = approve(href(login))
    login.user_oauth._stop_listening()  # the browser is "elsewhere": its redirect never arrives here
    login.user_oauth.pasted.value = redirected
    login.user_oauth.finish_button.click()
    assert login.signed_in, login.status.value
    assert isinstance(login.client.auth, UserOAuth)  # type: ignore[union-attr]
    assert default_client() is login.client and "with user OAuth" in login.status.value
    assert token_file.load() is not None
    assert login.user_oauth.client_secret.value == "" and login.user_oauth.pasted.value == ""
    assert sandbox.credentials.user_client_secret not in repr(login.user_oauth.client_secret.get_state())
    assert "Signed in with this app" in login.user_oauth.link.value


def test_it_finishes_by_itself_when_the_browser_is_here(login: zw.LoginWidget, sandbox: Sandbox) -> None:
    fill(login, sandbox)
    landed = requests.get(approve(href(login)), timeout=10)  # the browser follows to the listener
    assert landed.status_code == 200 and "You can close this tab" in landed.text
    deadline = time.monotonic() + 10
    while not login.signed_in and time.monotonic() < deadline:
        time.sleep(0.02)
    assert login.signed_in, login.status.value
    assert "Signed in as" in login.status.value and login.user_oauth._listener is None


def test_an_address_from_an_earlier_link_still_completes(login: zw.LoginWidget, sandbox: Sandbox) -> None:
    login.user_oauth.client_id.value = sandbox.credentials.user_client_id
    login.user_oauth.client_secret.value = sandbox.credentials.user_client_secret
    first = href(login)
    login.user_oauth.client_id.value += " "  # a field changed after the user opened the link
    assert href(login) != first
    login.user_oauth.pasted.value = approve(first)
    login.user_oauth.finish_button.click()
    assert login.signed_in, login.status.value


@pytest.mark.parametrize(
    ("pasted", "said"),
    [
        ("", "Paste the address your browser landed on after approving at Zoom"),
        ("not an address", "That address has no ?code=...; paste the whole address you were sent to"),
        ("http://127.0.0.1/zoom-pandas/callback?error=access_denied", "Zoom did not authorize the app"),
    ],
)
def test_user_oauth_errors_say_what_happened(
    login: zw.LoginWidget, sandbox: Sandbox, pasted: str, said: str
) -> None:
    fill(login, sandbox)
    before = login.user_oauth.url
    login.user_oauth.pasted.value = pasted
    login.user_oauth.finish_button.click()
    assert html.escape(said) in login.status.value and "no answer" not in login.status.value
    assert not login.signed_in and not login.user_oauth.finish_button.disabled
    if pasted:
        assert login.user_oauth.url != before  # a fresh link for the next try


def test_an_address_of_another_attempt_is_refused_clearly(login: zw.LoginWidget, sandbox: Sandbox) -> None:
    fill(login, sandbox)
    login.user_oauth.pasted.value = "http://127.0.0.1/zoom-pandas/callback?code=abc&state=someone-else"
    login.user_oauth.finish_button.click()
    assert "belongs to a different sign-in attempt" in login.status.value
    assert "no answer" not in login.status.value


def test_a_failed_user_sign_in_keeps_the_sandbox_sign_in(login: zw.LoginWidget, sandbox: Sandbox) -> None:
    login.use_sandbox()
    before = login.client
    login.mode.value = "user"
    assert login.status.value.startswith("Signed in as")  # the sign-in in effect, no stale error
    fill(login, sandbox)
    login.user_oauth.pasted.value = "http://127.0.0.1/zoom-pandas/callback?error=access_denied"
    login.user_oauth.finish_button.click()
    assert "Zoom did not authorize the app" in login.status.value
    assert "Still signed in as <b>Olivia Owner</b>" in login.status.value
    assert login.client is before and default_client() is before


def test_the_user_oauth_panel_lists_a_hosts_scopes() -> None:
    widget = zw.LoginWidget()
    widget.mode.value = "user"
    text = " ".join(getattr(child, "value", "") for child in widget.panel.children[0].children)
    for scope in ("report:read:list_meeting_participants:admin", *HOST_SCOPES):
        assert scope in text
    widget.close()


def test_the_listener_keeps_waiting_while_its_link_stands(
    login: zw.LoginWidget, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("zoom_pandas.widgets.oauth_panel.LISTEN_SECONDS", 0.05)
    fill(login, sandbox)
    time.sleep(0.3)  # several waits ran out: nobody came back yet
    landed = requests.get(approve(href(login)), timeout=10)
    assert landed.status_code == 200
    deadline = time.monotonic() + 10
    while not login.signed_in and time.monotonic() < deadline:
        time.sleep(0.02)
    assert login.signed_in, login.status.value
