"""Shared fixtures: an isolated cache folder and environment for every test, and a sandbox."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

import zoom_pandas as zp
from zoom_pandas.retry import RetryPolicy
from zoom_pandas.sandbox import Sandbox

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"

#: ZOOM_* variables as the run started, before the autouse fixture hides them (live tests only).
LIVE_ENV = {name: value for name, value in os.environ.items() if name.startswith("ZOOM_")}

#: Fast retries so fault tests take milliseconds, not seconds.
FAST_RETRY = RetryPolicy(max_attempts=4, backoff_base=0.01, backoff_cap=0.05, max_retry_after=5.0)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--soak",
        action="store_true",
        default=False,
        help="run the reliability suites at full length (thousands of fault schedules, 200 kills, "
        "a 10,000-request soak) instead of CI's bounded counts",
    )


@pytest.fixture(scope="session")
def soak(request: pytest.FixtureRequest) -> bool:
    """True when the run asked for the long reliability runs (``--soak``)."""
    return bool(request.config.getoption("--soak"))


@pytest.fixture(autouse=True)
def isolated_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """No ZOOM_* variable leaks in, the cache lives in a temp folder, no default client survives."""
    for name in list(os.environ):
        if name.startswith("ZOOM_"):
            monkeypatch.delenv(name)
    cache = tmp_path / "cache"
    monkeypatch.setenv("ZOOM_PANDAS_CACHE_DIR", str(cache))
    zp.set_default_client(None)
    yield cache
    zp.set_default_client(None)


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    """A fresh sandbox on 127.0.0.1 (port chosen by the OS)."""
    with Sandbox() as running:
        yield running


@pytest.fixture
def client(sandbox: Sandbox) -> Iterator[zp.ZoomClient]:
    """The real client, signed in to the sandbox with Server-to-Server OAuth."""
    with sandbox.client(retry=FAST_RETRY) as connected:
        yield connected
