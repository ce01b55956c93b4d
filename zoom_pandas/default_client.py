"""The default client: the one readers and widgets use when no ``client=`` is passed."""

from __future__ import annotations

import os
import threading

from zoom_pandas.client import ZoomClient
from zoom_pandas.config import ENVIRONMENT_VARIABLES, ZoomConfig

__all__ = ["api_url_of", "built_default_client", "default_client", "set_default_client"]


_chosen: ZoomClient | None = None
_from_environment: tuple[tuple[str, ...], ZoomClient] | None = None
_registry_lock = threading.Lock()


def set_default_client(client: ZoomClient | None) -> None:
    """Make ``client`` the one readers and widgets use when none is passed.

    Parameters
    ----------
    client : ZoomClient or None
        ``None`` goes back to a client built from the ``ZOOM_*`` environment variables.
    """
    global _chosen
    _chosen = client


def _environment_key() -> tuple[str, ...]:
    return tuple(os.environ.get(name, "") for name in ENVIRONMENT_VARIABLES)


def default_client() -> ZoomClient:
    """The client chosen by :func:`set_default_client` (e.g. by ``login()``), else one from ``ZOOM_*``.

    The environment's client follows the environment: when a ``ZOOM_*`` variable changes, the
    next call builds a new client from the new values.
    """
    global _from_environment
    if _chosen is not None:
        return _chosen
    key = _environment_key()
    with _registry_lock:
        if _from_environment is None or _from_environment[0] != key:
            _from_environment = (key, ZoomClient())
        return _from_environment[1]


def built_default_client() -> ZoomClient | None:
    """The client :func:`default_client` would return, if it exists already (None: not built yet)."""
    if _chosen is not None:
        return _chosen
    built = _from_environment
    return built[1] if built is not None and built[0] == _environment_key() else None


def api_url_of(client: ZoomClient | None) -> str:
    """The API URL a read with ``client=client`` goes to, without building a client."""
    if client is not None:
        return client.api_url
    chosen = _chosen
    return chosen.api_url if chosen is not None else ZoomConfig.resolve().api_url
