"""Where user OAuth tokens live between sessions: a private JSON file, replaced atomically.

Zoom rotates refresh tokens (the old one stops working once a new one is issued), so every token
answer is saved before it is used; a crash between the two must never leave a stale file.
"""

from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path
from typing import Any

import platformdirs

from zoom_pandas.files import make_private_dirs, write_atomically

__all__ = [
    "KeyringTokenStore",
    "NoTokenStore",
    "TokenFile",
    "TokenStore",
    "default_token_file",
    "default_token_store",
]

KEYRING_SERVICE = "zoom-pandas"


class TokenStore:
    """Strategy for keeping tokens: subclasses load, save and clear one token dict."""

    def load(self) -> dict[str, Any] | None:
        """The saved token, or None."""
        raise NotImplementedError

    def save(self, token: dict[str, Any]) -> None:
        """Persist ``token`` (replacing any earlier one)."""
        raise NotImplementedError

    def clear(self) -> None:
        """Forget the saved token."""
        raise NotImplementedError


class NoTokenStore(TokenStore):
    """Keep nothing: every session signs in again (shared machines, tests)."""

    def load(self) -> dict[str, Any] | None:
        return None

    def save(self, token: dict[str, Any]) -> None:
        return None

    def clear(self) -> None:
        return None


def default_token_file(client_id: str) -> Path:
    """``{user config dir}/zoom-pandas/tokens/{client_id}.json``."""
    safe = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in client_id)
    return Path(platformdirs.user_config_dir("zoom-pandas", appauthor=False)) / "tokens" / f"{safe}.json"


class TokenFile(TokenStore):
    """A JSON file of mode 0600 in a 0700 folder, written via temp file + fsync + ``os.replace``.

    Parameters
    ----------
    path : path-like
        Where the token lives.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({str(self.path)!r})"

    def load(self) -> dict[str, Any] | None:
        try:
            token = json.loads(self.path.read_text())
        except FileNotFoundError:
            return None
        except (OSError, ValueError):
            return None  # unreadable: sign in again rather than fail
        return token if isinstance(token, dict) else None

    def save(self, token: dict[str, Any]) -> None:
        make_private_dirs(self.path.parent)
        write_atomically(self.path, lambda handle: handle.write(json.dumps(token).encode()))

    def clear(self) -> None:
        self.path.unlink(missing_ok=True)


class KeyringTokenStore(TokenStore):
    """The operating system's keyring (through the ``keyring`` package), one entry per client id.

    Parameters
    ----------
    client_id : str
        The OAuth app's client id (the entry's user name).
    """

    def __init__(self, client_id: str) -> None:
        import keyring

        self._keyring = keyring
        self.client_id = client_id

    def __repr__(self) -> str:
        return f"{type(self).__name__}(client_id={self.client_id!r})"

    def load(self) -> dict[str, Any] | None:
        text = self._keyring.get_password(KEYRING_SERVICE, self.client_id)
        if not text:
            return None
        try:
            token = json.loads(text)
        except ValueError:
            return None
        return token if isinstance(token, dict) else None

    def save(self, token: dict[str, Any]) -> None:
        self._keyring.set_password(KEYRING_SERVICE, self.client_id, json.dumps(token))

    def clear(self) -> None:
        with contextlib.suppress(self._keyring.errors.PasswordDeleteError):
            self._keyring.delete_password(KEYRING_SERVICE, self.client_id)


def default_token_store(client_id: str) -> TokenStore:
    """The keyring when ``keyring`` is installed with a usable backend, else a :class:`TokenFile`."""
    try:
        import keyring
        import keyring.backends.fail
    except ImportError:
        return TokenFile(default_token_file(client_id))
    backend = keyring.get_keyring()
    if isinstance(backend, keyring.backends.fail.Keyring) or getattr(backend, "priority", 0) <= 0:
        return TokenFile(default_token_file(client_id))
    return KeyringTokenStore(client_id)
