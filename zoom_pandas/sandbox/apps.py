"""Which app the sandbox plays, and which scopes each route accepts (zoom/FACTS.md §3, §7).

Two apps:

* ``"admin"`` (default): an account-level app, as a Server-to-Server app is; its tokens carry
  :data:`~zoom_pandas.sandbox.oauth.DEFAULT_SCOPES` (admin scopes) and ``me`` is the account owner.
* ``"host"``: a host's user-level app, with no admin rights; its tokens carry
  :data:`HOST_SCOPES` (user-level granular scopes only) and ``me`` is the course's teacher.

Every route names the scopes it accepts, classic and granular. A token holding one of the
route's ``:admin`` scopes sees every user's data; a token holding only user-level ones (classic
``meeting:read``, granular ``meeting:read:past_meeting``, ...) sees its own user's data only:
another user is refused with 400 code 4711, another host's meeting with 400 code 300
"Cannot access meeting information." A token with none of them gets 400 code 4711 naming the
scopes it lacks: the granular ones when the token is a granular app's (as Zoom does,
devforum.zoom.us/t/108207), else all of them.
"""

from __future__ import annotations

import dataclasses

from zoom_pandas.sandbox.oauth import DEFAULT_SCOPES, SandboxError, zoom_error

__all__ = [
    "APPS",
    "HOST_SCOPES",
    "LIST_MEETINGS",
    "MEETING_REPORT",
    "PAST_INSTANCES",
    "PAST_MEETING",
    "PAST_PARTICIPANTS",
    "USER",
    "USERS",
    "USER_REPORTS",
    "WEBINAR_DETAIL",
    "WEBINAR_REPORT",
    "RouteScopes",
    "app_scopes",
    "grant",
    "missing_scope",
]

#: The scopes of a host's user-level app: their own past meetings, instances, participants and
#: meeting list, and their own profile. No report scope: Zoom has none below admin level (§2.1).
HOST_SCOPES = (
    "meeting:read:list_past_participants meeting:read:past_meeting meeting:read:list_past_instances "
    "meeting:read:list_meetings user:read:user"
)
#: Scopes granted to each app's tokens (Server-to-Server and user OAuth alike).
APPS = {"admin": DEFAULT_SCOPES, "host": HOST_SCOPES}


@dataclasses.dataclass(frozen=True)
class RouteScopes:
    """The scopes one route accepts: Zoom's classic ones and the granular ones (FACTS §3.9)."""

    classic: tuple[str, ...]
    granular: tuple[str, ...]

    @property
    def accepted(self) -> tuple[str, ...]:
        return self.classic + self.granular

    @property
    def admin(self) -> tuple[str, ...]:
        """The scopes that open every user's data."""
        return tuple(s for s in self.accepted if _is_admin(s))


MEETING_REPORT = RouteScopes(("report:read:admin",), ("report:read:list_meeting_participants:admin",))
WEBINAR_REPORT = RouteScopes(("report:read:admin",), ("report:read:list_webinar_participants:admin",))
WEBINAR_DETAIL = RouteScopes(("report:read:admin",), ("report:read:webinar:admin",))
USER_REPORTS = RouteScopes(("report:read:admin",), ("report:read:user:admin",))
USERS = RouteScopes(("user:read:admin",), ("user:read:list_users:admin",))
USER = RouteScopes(
    ("user:read:admin", "user:read", "user_info:read"), ("user:read:user", "user:read:user:admin")
)
PAST_MEETING = RouteScopes(
    ("meeting:read:admin", "meeting:read"), ("meeting:read:past_meeting", "meeting:read:past_meeting:admin")
)
PAST_INSTANCES = RouteScopes(
    ("meeting:read:admin", "meeting:read"),
    ("meeting:read:list_past_instances", "meeting:read:list_past_instances:admin"),
)
PAST_PARTICIPANTS = RouteScopes(
    ("meeting:read:admin", "meeting:read"),
    ("meeting:read:list_past_participants", "meeting:read:list_past_participants:admin"),
)
LIST_MEETINGS = RouteScopes(
    ("meeting:read:admin", "meeting:read"), ("meeting:read:list_meetings", "meeting:read:list_meetings:admin")
)


def app_scopes(app: str, scopes: str | None) -> str:
    """The scopes an app's tokens carry: ``scopes`` when given (it wins), else the app's.

    Raises
    ------
    ValueError
        For an app other than ``"admin"`` and ``"host"``.
    """
    if app not in APPS:
        raise ValueError(f"unknown app {app!r}: expected one of {', '.join(APPS)}")
    return APPS[app] if scopes is None else scopes


def grant(granted: str, route: RouteScopes) -> bool:
    """Check a token's scopes against a route: True for every user's data, False for its own only.

    Raises
    ------
    SandboxError
        400 code 4711 when the token holds none of the route's scopes.
    """
    held = set(granted.split()) & set(route.accepted)
    if not held:
        raise missing_scope(granted, route.accepted)
    return any(_is_admin(s) for s in held)


def missing_scope(granted: str, accepted: tuple[str, ...]) -> SandboxError:
    """Zoom's 400 code 4711, naming the granular scopes of ``accepted`` to a granular app's token."""
    named = accepted
    if any(_is_granular(s) for s in granted.split()):
        named = tuple(s for s in accepted if _is_granular(s)) or accepted
    return zoom_error(400, 4711, f"Invalid access token, does not contain scopes:[{', '.join(named)}].")


def _is_admin(scope: str) -> bool:
    """``report:read:admin``, ``meeting:read:past_meeting:admin`` (and ``:master``) open every user's data."""
    return scope.endswith((":admin", ":master"))


def _is_granular(scope: str) -> bool:
    """Granular scopes name an action after ``resource:read:`` (classic ones end there or in ``:admin``)."""
    parts = scope.split(":")
    return len(parts) >= 3 and parts[2] not in ("admin", "master")
