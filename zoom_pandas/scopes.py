"""The OAuth scopes this library's reads need: an admin's report, or a host's own user-level ones."""

from __future__ import annotations

__all__ = ["HOST_SCOPES", "PAST_PARTICIPANTS_SCOPES", "REPORT_SCOPES", "missing_scopes"]

#: Either scope lets an app read participant reports.
REPORT_SCOPES = ("report:read:admin", "report:read:list_meeting_participants:admin")
#: Scopes that read a host's own past-meeting participants (``source="past_meetings"``).
PAST_PARTICIPANTS_SCOPES = (
    "meeting:read",
    "meeting:read:admin",
    "meeting:read:list_past_participants",
    "meeting:read:list_past_participants:admin",
)
#: The user-level (granular) scopes a host who is not an admin adds to their own app: past
#: participants, a past meeting, its instances, their meetings, their own profile.
HOST_SCOPES = (
    "meeting:read:list_past_participants",
    "meeting:read:past_meeting",
    "meeting:read:list_past_instances",
    "meeting:read:list_meetings",
    "user:read:user",
)


def missing_scopes(granted: object) -> str | None:
    """A sentence saying which scopes to add when ``granted`` reads no participants; else None.

    Either source will do: the report (an admin's scope) or a host's past meetings. ``granted``
    is a token's ``scope`` (a space-separated string or a list); empty or absent says nothing.
    """
    if isinstance(granted, str):
        names = set(granted.split())
    else:
        names = {str(name) for name in granted} if isinstance(granted, (list, tuple, set)) else set()
    if names and not names & set(REPORT_SCOPES + PAST_PARTICIPANTS_SCOPES):
        return (
            "signed in, but the app can read no participants: an admin adds report:read:admin "
            "(classic) or report:read:list_meeting_participants:admin (granular); a host adds "
            f"the user-level scopes {', '.join(HOST_SCOPES)} to the app in the Zoom Marketplace, "
            "then signs in again"
        )
    return None
