"""User OAuth over the sandbox: PKCE S256, state, paste-back, loopback listener, rotation, token file."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
import requests

import zoom_pandas as zp
from zoom_pandas.sandbox import Sandbox, SandboxData
from zoom_pandas.tokens import TokenFile
from zoom_pandas.user_oauth import LoopbackRedirect, UserOAuth


def user_auth(sandbox: Sandbox, store: TokenFile, **kwargs: object) -> UserOAuth:
    settings: dict[str, object] = {
        "client_id": sandbox.credentials.user_client_id,
        "client_secret": sandbox.credentials.user_client_secret,
        "oauth_url": sandbox.oauth_url,
        "store": store,
    }
    settings.update(kwargs)
    return UserOAuth(**settings)  # type: ignore[arg-type]


def approve(url: str) -> str:
    """What the browser does on Zoom's consent page: follow to the redirect address."""
    answer = requests.get(url, allow_redirects=False, timeout=10)
    assert answer.status_code == 302
    return answer.headers["Location"]


@pytest.fixture
def store(tmp_path: Path) -> TokenFile:
    return TokenFile(tmp_path / "config" / "tokens" / "client.json")


def test_paste_back_flow_with_pkce_s256_and_state(sandbox: Sandbox, store: TokenFile) -> None:
    auth = user_auth(sandbox, store)
    auth.complete(approve(auth.authorization_url()))
    sent = sandbox.oauth.authorize_requests[-1]
    assert sent["code_challenge_method"] == "S256" and len(sent["code_challenge"]) == 43
    assert len(sent["state"]) >= 20 and sent["response_type"] == "code"
    with zp.ZoomClient(auth=auth, api_url=sandbox.api_url) as client:
        frame = zp.read_participants(SandboxData.LECTURE, client=client, cache=False)
    assert len(frame) == frame.attrs["total_records"]


def test_the_sandbox_checks_the_verifier(sandbox: Sandbox, store: TokenFile) -> None:
    auth = user_auth(sandbox, store)
    redirected = approve(auth.authorization_url())
    code = redirected.split("code=")[1].split("&")[0]
    refused = requests.post(
        f"{sandbox.oauth_url}/token",
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": auth.redirect_uri,
            "code_verifier": "not-the-verifier-" + "x" * 30,
        },
        auth=(sandbox.credentials.user_client_id, sandbox.credentials.user_client_secret),
        timeout=10,
    )
    assert refused.status_code == 400 and refused.json()["error"] == "invalid_grant"


def test_state_mismatch_is_refused_with_advice(sandbox: Sandbox, store: TokenFile) -> None:
    auth = user_auth(sandbox, store)
    first = approve(auth.authorization_url())
    auth.authorization_url()  # a second attempt replaces the state
    with pytest.raises(zp.AuthError, match="different sign-in attempt"):
        auth.complete(first)
    assert not auth.signed_in and store.load() is None


def test_expired_code_says_what_to_do(sandbox: Sandbox, store: TokenFile) -> None:
    auth = user_auth(sandbox, store)
    redirected = approve(auth.authorization_url())
    sandbox.oauth.expire_authorization_codes()
    with pytest.raises(zp.AuthError, match=r"expired.*5 minutes.*again"):
        auth.complete(redirected)


def test_pasting_something_else_is_explained(sandbox: Sandbox, store: TokenFile) -> None:
    auth = user_auth(sandbox, store)
    auth.authorization_url()
    with pytest.raises(zp.AuthError, match="no \\?code="):
        auth.complete("http://127.0.0.1:8765/zoom-pandas/callback")
    with pytest.raises(zp.AuthError, match="did not authorize"):
        auth.complete("http://127.0.0.1:8765/zoom-pandas/callback?error=access_denied")


def test_loopback_listener_catches_the_redirect(sandbox: Sandbox, store: TokenFile) -> None:
    listener = LoopbackRedirect()
    try:
        auth = user_auth(sandbox, store, redirect_uri=listener.redirect_uri)
        page = requests.get(auth.authorization_url(), timeout=10)  # the browser follows the redirect
        assert "You can close this tab" in page.text
        auth.complete(listener.wait(5))
    finally:
        listener.close()
    assert auth.signed_in


def test_refresh_token_rotation_is_saved_and_the_old_one_refused(sandbox: Sandbox, store: TokenFile) -> None:
    auth = user_auth(sandbox, store)
    auth.complete(approve(auth.authorization_url()))
    old_refresh = store.load()["refresh_token"]  # type: ignore[index]
    auth.invalidate()  # as after a 401 code 124
    with zp.ZoomClient(auth=auth, api_url=sandbox.api_url) as client:
        assert client.get_json("/users/me")["email"] == "owner@example.com"
    new_refresh = store.load()["refresh_token"]  # type: ignore[index]
    assert new_refresh != old_refresh
    reuse = requests.post(
        f"{sandbox.oauth_url}/token",
        data={"grant_type": "refresh_token", "refresh_token": old_refresh},
        auth=(sandbox.credentials.user_client_id, sandbox.credentials.user_client_secret),
        timeout=10,
    )
    assert reuse.status_code == 400 and reuse.json()["reason"] == "Invalid Token!"


def test_revoked_token_is_refreshed_by_the_client(sandbox: Sandbox, store: TokenFile) -> None:
    auth = user_auth(sandbox, store)
    auth.complete(approve(auth.authorization_url()))
    sandbox.revoke_tokens()
    with zp.ZoomClient(auth=auth, api_url=sandbox.api_url) as client:
        assert client.get_json("/users/me")["id"]


def test_saved_sign_in_is_reused_by_the_next_session(sandbox: Sandbox, store: TokenFile) -> None:
    first = user_auth(sandbox, store)
    first.complete(approve(first.authorization_url()))
    later = user_auth(sandbox, store)
    assert later.signed_in
    with zp.ZoomClient(auth=later, api_url=sandbox.api_url) as client:
        assert client.get_json("/users/me")["id"]


def test_a_dead_refresh_token_asks_to_sign_in_again(sandbox: Sandbox, store: TokenFile) -> None:
    auth = user_auth(sandbox, store)
    auth.complete(approve(auth.authorization_url()))
    sandbox.oauth.refresh_tokens.clear()
    auth.invalidate()
    with (
        zp.ZoomClient(auth=auth, api_url=sandbox.api_url) as client,
        pytest.raises(zp.AuthError, match="sign in again"),
    ):
        client.get_json("/users/me")
    assert store.load() is None


def test_token_file_is_private(sandbox: Sandbox, store: TokenFile) -> None:
    auth = user_auth(sandbox, store)
    auth.complete(approve(auth.authorization_url()))
    assert stat.S_IMODE(store.path.stat().st_mode) == 0o600
    assert stat.S_IMODE(store.path.parent.stat().st_mode) == 0o700
    assert sandbox.credentials.user_client_secret not in store.path.read_text()
    assert "secret" not in repr(auth).lower()


def test_public_client_without_secret(sandbox: Sandbox, store: TokenFile) -> None:
    auth = user_auth(sandbox, store, client_secret=None)
    auth.complete(approve(auth.authorization_url()))
    auth.invalidate()
    with zp.ZoomClient(auth=auth, api_url=sandbox.api_url) as client:
        assert client.get_json("/users/me")["id"]


def test_missing_report_scope_is_named(store: TokenFile) -> None:
    with Sandbox(scopes="user:read:admin") as narrow:
        auth = user_auth(narrow, store)
        auth.complete(approve(auth.authorization_url()))
        problem = auth.scope_problem()
        assert (
            problem is not None
            and "report:read:admin" in problem
            and "meeting:read:list_past_participants" in problem
        )
        with zp.ZoomClient(auth=auth, api_url=narrow.api_url) as client, pytest.raises(zp.PermissionDenied):
            zp.read_participants(SandboxData.LECTURE, client=client, cache=False, source="report")
