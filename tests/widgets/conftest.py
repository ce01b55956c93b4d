"""Widget fixtures: a signed-in default client, and user-OAuth tokens kept in the test's folder."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

import zoom_pandas as zp
from zoom_pandas.sandbox import Sandbox
from zoom_pandas.tokens import TokenFile

pytest.importorskip("ipywidgets")


@pytest.fixture
def signed_in(sandbox: Sandbox) -> Iterator[zp.ZoomClient]:
    """The sandbox's Server-to-Server client, made the default (as after a sign-in)."""
    client = sandbox.client()
    zp.set_default_client(client)
    yield client
    client.close()


@pytest.fixture
def token_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> TokenFile:
    """User-OAuth tokens go to a file in the test's folder, never the user's keyring or config."""
    store = TokenFile(tmp_path / "tokens.json")
    monkeypatch.setattr("zoom_pandas.user_oauth.default_token_store", lambda client_id: store)
    return store
