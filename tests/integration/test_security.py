"""Secrets and tokens never show in reprs, exception text or DEBUG logs; transport rules hold."""

from __future__ import annotations

import logging
import os

import pytest

import zoom_pandas as zp
from zoom_pandas.sandbox import Sandbox, SandboxData


def test_no_secret_or_token_in_debug_logs_reprs_or_errors(
    sandbox: Sandbox, caplog: pytest.LogCaptureFixture
) -> None:
    secret = sandbox.credentials.client_secret
    with caplog.at_level(logging.DEBUG), sandbox.client() as client:
        zp.read_participants(SandboxData.ALL_HANDS, client=client, cache=False)
        sandbox.inject(SandboxData.LECTURE, invalid_tokens=2)
        with pytest.raises(zp.AuthError) as caught:
            zp.read_participants(SandboxData.LECTURE, client=client, cache=False)
        texts = [
            repr(client),
            repr(client.auth),
            repr(client.config),
            str(caught.value),
            repr(caught.value),
        ]
    tokens = list(sandbox.oauth.tokens)
    assert tokens, "the sandbox issued tokens"
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "GET" in logged or "requesting" in logged  # DEBUG logging was really on
    for text in [logged, *texts]:
        assert secret not in text
        for token in tokens:
            assert token not in text


def test_oauthlib_insecure_transport_is_never_switched_on(sandbox: Sandbox) -> None:
    with sandbox.client() as client:
        zp.read_participants(SandboxData.ONE_ON_ONE, client=client, cache=False)
    assert "OAUTHLIB_INSECURE_TRANSPORT" not in os.environ


def test_oauthlib_still_refuses_remote_plain_http() -> None:
    import oauthlib.oauth2
    from requests_oauthlib import OAuth2Session

    from zoom_pandas.auth import loopback_transport

    session = OAuth2Session(client=oauthlib.oauth2.BackendApplicationClient(client_id="x"))
    with (
        loopback_transport("http://127.0.0.1/oauth/token"),
        pytest.raises(oauthlib.oauth2.InsecureTransportError),
    ):
        session.fetch_token("http://example.invalid/oauth/token", client_secret="y")
