"""The sandbox's listing routes: users, a user's meeting reports, a user's (scheduled) meetings.

Also who ``me`` is (the app's user) and what a user-level token may see: its own user and the
meetings that user hosts (:mod:`.apps`).
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from zoom_pandas.sandbox.accounts import STATUSES, User
from zoom_pandas.sandbox.apps import LIST_MEETINGS, grant
from zoom_pandas.sandbox.bodies import listed_meeting, listed_user, meeting_report
from zoom_pandas.sandbox.data import Meeting, SandboxData
from zoom_pandas.sandbox.oauth import SandboxError, zoom_error
from zoom_pandas.sandbox.pages import Pages, page_size

__all__ = ["MEETING_LIST_TYPES", "SCHEDULED_TYPES", "Listings"]

#: ``type`` values of ``GET /users/{userId}/meetings`` (the spec's enum; "scheduled" is the default).
MEETING_LIST_TYPES = ("scheduled", "live", "upcoming", "upcoming_meetings", "previous_meetings")
#: Meeting types "List meetings" returns: scheduled (2), recurring without (3) and with (8) a fixed
#: time. Never instant meetings (1): "This API **only** supports scheduled meetings" (FACTS §3.11).
SCHEDULED_TYPES = (2, 3, 8)


class Listings(Pages):
    """Users, meeting reports and meeting lists (the sandbox provides ``data`` and ``app``)."""

    data: SandboxData
    app: str

    @property
    def me(self) -> User:
        """Who ``me`` is: the course's teacher for the host app, else the account owner."""
        if self.app == "host":
            teacher = self.data.user(SandboxData.TEACHER)
            if teacher is not None:
                return teacher
        return self.data.users[0]

    def _user_of(self, segment: str) -> User | None:
        """A user by ``me``, id or email."""
        return self.me if segment == "me" else self.data.user(segment)

    def _may_see(self, meeting: Meeting, every: bool) -> None:
        """A user-level token sees only the meetings its user hosts: 400 code 300 for the others."""
        if not every and meeting.host != self.me:
            raise cannot_access()

    def _users(self, query: dict[str, str]) -> dict[str, Any]:
        """One page of ``GET /users``: the account's users with one status (default active)."""
        status = query.get("status", "active")
        if status not in STATUSES:
            raise zoom_error(400, 300, f"Validation Failed: status must be one of {', '.join(STATUSES)}.")
        users = [u for u in self.data.users if u.status == status]
        header, start, stop = self._paged(users, query, f"users:{status}")
        return {**header, "users": [listed_user(u) for u in users[start:stop]]}

    def _user_meetings(self, user_id: str, query: dict[str, str], scope: str) -> dict[str, Any]:
        """One page of ``GET /users/{userId}/meetings`` ("List meetings"): scheduled meetings only.

        ``scheduled`` (default) and ``previous_meetings`` list the user's scheduled meetings that
        have ended instances (every sandbox meeting has; none is live or upcoming), each with its
        latest instance's UUID and start; ``live``, ``upcoming`` and ``upcoming_meetings`` list
        nothing. Ordered by that start, oldest first.
        """
        every = grant(scope, LIST_MEETINGS)
        kind = query.get("type", "scheduled")
        if kind not in MEETING_LIST_TYPES:
            raise SandboxError(
                400,
                {
                    "code": 300,
                    "message": "Validation Failed.",
                    "errors": [
                        {"field": "type", "message": f"Must be one of: {', '.join(MEETING_LIST_TYPES)}."}
                    ],
                },
            )
        user = self._user_of(user_id)
        if user is None:
            raise zoom_error(404, 1001, f"User {user_id} not exist or not belong to this account.")
        if not every and user != self.me:
            raise cannot_access()
        now = dt.datetime.now(dt.timezone.utc)
        listed = []
        if kind in ("scheduled", "previous_meetings"):
            listed = sorted(
                (
                    m
                    for m in self.data.meetings.values()
                    if m.host == user
                    and m.type in SCHEDULED_TYPES
                    and any(i.end_time <= now for i in m.instances)
                ),
                key=lambda m: (max(i.start_time for i in m.instances), m.id),
            )
        header, start, stop = self._paged(listed, query, f"user_meetings:{user.id}:{kind}")
        return {**header, "meetings": [listed_meeting(m) for m in listed[start:stop]]}

    def _meeting_reports(self, user_id: str, query: dict[str, str]) -> dict[str, Any]:
        """One page of ``GET /report/users/{userId}/meetings``: held instances in a window of a month."""
        user = self._user_of(user_id)
        if user is None:
            raise zoom_error(404, 1001, f"User {user_id} not exist or not belong to this account.")
        try:
            first = dt.date.fromisoformat(query["from"])
            last = dt.date.fromisoformat(query["to"])
        except (KeyError, ValueError):
            raise zoom_error(400, 300, "Validation Failed: from and to (yyyy-mm-dd) are required.") from None
        today = dt.datetime.now(dt.timezone.utc).date()
        if last < first:
            raise zoom_error(400, 300, "Validation Failed: 'to' is before 'from'.")
        if (last - first).days > 31:
            raise zoom_error(400, 300, "The date range for the report is limited to a month.")
        if first < today - dt.timedelta(days=183):
            raise zoom_error(400, 300, "The month must fall within the past six months.")
        held = sorted(
            (
                i
                for m in [*self.data.meetings.values(), *self.data.webinars.values()]  # Zoom lists both
                if m.host == user
                for i in m.instances
                if first <= i.start_time.date() <= last and i.people >= 2
            ),
            key=lambda i: i.start_time,
        )
        key = f"meetings:{user.id}:{first}:{last}"
        start, stop, next_token = self._page(held, query, key, None)
        size = page_size(query)
        return {
            "from": first.isoformat(),
            "to": last.isoformat(),
            "page_count": math.ceil(len(held) / size) if held else 0,
            "page_size": size,
            "total_records": len(held),
            "next_page_token": next_token,
            "meetings": [meeting_report(i) for i in held[start:stop]],
        }


def cannot_access() -> SandboxError:
    """Zoom's answer to a user-level token asking about another host's meeting."""
    return zoom_error(400, 300, "Cannot access meeting information.")
