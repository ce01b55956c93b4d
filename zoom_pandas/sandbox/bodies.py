"""JSON bodies the sandbox's routes answer with, built from its data as Zoom's spec shapes them."""

from __future__ import annotations

import datetime as dt
from typing import Any

from zoom_pandas.sandbox.accounts import User
from zoom_pandas.sandbox.instances import Instance, Meeting, latest
from zoom_pandas.sandbox.rows import iso

__all__ = ["instance_entry", "listed_meeting", "listed_user", "meeting_report", "user_body", "webinar_report"]

#: Zoom's role ids of the sandbox's role names.
_ROLE_IDS = {"Owner": "0", "Admin": "1", "Member": "2"}


def instance_entry(instance: Instance) -> dict[str, str]:
    """An entry of ``/past_meetings/{id}/instances`` or ``/past_webinars/{id}/instances``."""
    return {"uuid": instance.uuid, "start_time": iso(instance.start_time)}


def user_body(user: User, account_id: str) -> dict[str, Any]:
    """The ``GET /users/{userId}`` body."""
    return {
        "id": user.id,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "display_name": user.display_name,
        "email": user.email,
        "type": _user_type(user),
        "role_name": user.role,
        "timezone": user.timezone,
        "account_id": account_id,
        "status": user.status,
    }


def listed_user(user: User) -> dict[str, Any]:
    """An entry of ``GET /users``: no ``id`` for a pending user, as the spec says."""
    entry: dict[str, Any] = {} if user.status == "pending" else {"id": user.id}
    entry.update(
        first_name=user.first_name,
        last_name=user.last_name,
        display_name=user.display_name,
        email=user.email,
        type=_user_type(user),
        status=user.status,
        timezone=user.timezone,
        dept=user.dept,
        role_id=_ROLE_IDS.get(user.role, "2"),
        verified=0 if user.status == "pending" else 1,
        user_created_at=user.created,
        created_at=user.created,
        group_ids=[],
    )
    return entry


def _user_type(user: User) -> int:
    """Zoom's user type: 2 licensed; 1 basic for an invited user who has not signed up yet."""
    return 1 if user.status == "pending" else 2


def listed_meeting(meeting: Meeting) -> dict[str, Any]:
    """An entry of ``GET /users/{userId}/meetings``: the meeting with its latest instance's UUID and start.

    ``created_at`` is a week before the first instance (when it was scheduled); ``duration`` the
    latest instance's minutes; ``timezone`` the host's.
    """
    newest = latest(meeting)
    if newest is None:  # pragma: no cover - every sandbox meeting has an instance
        raise ValueError(f"meeting {meeting.id} has no instance")
    first = min(i.start_time for i in meeting.instances)
    return {
        "uuid": newest.uuid,
        "id": meeting.id,
        "host_id": meeting.host.id,
        "topic": meeting.topic,
        "type": meeting.type,
        "start_time": iso(newest.start_time),
        "duration": newest.minutes,
        "timezone": meeting.host.timezone,
        "created_at": iso(first - dt.timedelta(days=7)),
        "join_url": f"https://example.com/j/{meeting.id}",
    }


def meeting_report(instance: Instance) -> dict[str, Any]:
    """An entry of ``GET /report/users/{userId}/meetings``."""
    summary = instance.summary()
    return {
        "uuid": summary["uuid"],
        "id": summary["id"],
        "type": summary["type"],
        "topic": summary["topic"],
        "user_name": summary["user_name"],
        "user_email": summary["user_email"],
        "start_time": summary["start_time"],
        "end_time": summary["end_time"],
        "duration": summary["duration"],
        "total_minutes": summary["total_minutes"],
        "participants_count": summary["participants_count"],
        "source": "Zoom",
        "has_screen_share": False,
        "has_recording": False,
        "has_chat": True,
    }


def webinar_report(instance: Instance) -> dict[str, Any]:
    """The ``GET /report/webinars/{id}`` body: the spec's fields, no custom keys or tracking fields."""
    summary = instance.summary()
    fields = ("uuid", "id", "type", "topic", "user_name", "user_email", "dept")
    timing = ("start_time", "end_time", "duration", "total_minutes", "participants_count")
    return {**{k: summary[k] for k in fields + timing}, "custom_keys": [], "tracking_fields": []}
