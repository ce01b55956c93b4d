"""Token stores: the 0600 file and the keyring (with an in-memory backend)."""

from __future__ import annotations

import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from zoom_pandas.tokens import KeyringTokenStore, TokenFile, default_token_store

keyring = pytest.importorskip("keyring")
from keyring.backend import KeyringBackend  # noqa: E402


class MemoryKeyring(KeyringBackend):
    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        self.entries: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.entries.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.entries[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if self.entries.pop((service, username), None) is None:
            raise keyring.errors.PasswordDeleteError("absent")


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


def test_keyring_is_preferred_when_it_works(memory_keyring: MemoryKeyring) -> None:
    store = default_token_store("client-1")
    assert isinstance(store, KeyringTokenStore)
    store.save({"access_token": "a", "refresh_token": "r"})
    assert store.load() == {"access_token": "a", "refresh_token": "r"}
    assert ("zoom-pandas", "client-1") in memory_keyring.entries
    store.clear()
    store.clear()  # clearing twice is fine
    assert store.load() is None


def test_file_when_no_keyring_backend_works() -> None:
    previous = keyring.get_keyring()
    keyring.set_keyring(keyring.backends.fail.Keyring())
    try:
        assert isinstance(default_token_store("client-1"), TokenFile)
    finally:
        keyring.set_keyring(previous)


def test_token_file_round_trip_and_mode(tmp_path: Path) -> None:
    store = TokenFile(tmp_path / "deep" / "tokens" / "c.json")
    assert store.load() is None
    store.save({"refresh_token": "one"})
    store.save({"refresh_token": "two"})
    assert store.load() == {"refresh_token": "two"}
    assert stat.S_IMODE(store.path.stat().st_mode) == 0o600
    assert [p.name for p in store.path.parent.iterdir()] == ["c.json"]  # no temp files left
    store.path.write_text("{broken")
    assert store.load() is None
    store.clear()
    assert not store.path.exists()
