"""The sandbox account's people: users with a status and a role.

Split from :mod:`zoom_pandas.sandbox.data`, which holds the account's meetings.
"""

from __future__ import annotations

import dataclasses

__all__ = ["STATUSES", "User"]

#: Zoom's user statuses (``GET /users?status=``): active, deactivated, invited but not signed up.
STATUSES = ("active", "inactive", "pending")


@dataclasses.dataclass(frozen=True)
class User:
    """A user of the sandbox account.

    Parameters
    ----------
    id, email, first_name, last_name : str
        As Zoom names them.
    timezone : str
        IANA time zone of the user's profile.
    status : {"active", "inactive", "pending"}
        Zoom's user status; ``GET /users`` lists active users unless asked for another status.
    role : {"Owner", "Admin", "Member"}
        Zoom's role name.
    dept : str
        Department.
    created : str
        When the user was added (ISO-8601 UTC).
    """

    id: str
    email: str
    first_name: str
    last_name: str
    timezone: str = "UTC"
    status: str = "active"
    role: str = "Admin"
    dept: str = ""
    created: str = "2021-08-30T09:00:00Z"

    @property
    def display_name(self) -> str:
        return f"{self.first_name} {self.last_name}"
