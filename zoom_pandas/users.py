"""A user of the account: their profile, the active users, and a user as one path segment."""

from __future__ import annotations

import urllib.parse
from typing import Any

import pyarrow.compute as pc

from zoom_pandas.client import ZoomClient
from zoom_pandas.default_client import default_client
from zoom_pandas.paging import PAGE_SIZE, parse_pages, read_pages
from zoom_pandas.schema import USERS

__all__ = ["active_users", "read_user", "user_segment"]


def user_segment(user_id: str) -> str:
    """A user id or email as one path segment ("/" or "?" in it never reaches the path raw)."""
    text = str(user_id).strip()
    if not text:
        raise ValueError("user_id must be a user id, an email or 'me'")
    return urllib.parse.quote(text, safe="@")


def active_users(client: ZoomClient) -> list[str]:
    """The ids of the account's active users, from ``GET /users?status=active`` (Medium, paged)."""
    pages = read_pages(client, "/users", {"status": "active", "page_size": PAGE_SIZE}, label="Medium")
    table = parse_pages(pages, USERS, "/users")
    table = table.filter(
        pc.and_kleene(pc.is_valid(table.column("user_id")), pc.equal(table.column("status"), "active"))
    )
    return [str(user) for user in table.column("user_id").to_pylist()]


def read_user(user_id: str = "me", *, client: ZoomClient | None = None) -> dict[str, Any]:
    """A user's profile from ``GET /users/{userId}`` (name, email, time zone, ...).

    Parameters
    ----------
    user_id : str, default "me"
        User id, email, or ``"me"`` (the signed-in user).
    client : ZoomClient, optional
        Default: the signed-in client, else one from ``ZOOM_*``.

    Returns
    -------
    dict
        Zoom's answer as it is.
    """
    return (client or default_client()).get_json(f"/users/{user_segment(user_id)}", label="Light")
