"""``MeetingPicker``: find a past meeting, pick a session, load its participants.

One time zone throughout: the listed user's Zoom time zone (``GET /users/{id}``), named beside
the lists and in the status; UTC shows on hover, and the loaded frame keeps UTC. Counts agree:
a meeting listed with "4 sessions in range" offers exactly those 4; Zoom's own participant count
is labelled as Zoom's, and the loaded status counts people by the ``df.zoom`` rule.
"""

from __future__ import annotations

import datetime as dt
import html
import warnings
from collections.abc import Callable
from typing import Any

import pandas as pd

from zoom_pandas.client import ZoomClient
from zoom_pandas.default_client import default_client
from zoom_pandas.errors import ZoomPandasError, ZoomPandasWarning
from zoom_pandas.meetings import WEBINAR_TYPES, read_instances, read_meetings
from zoom_pandas.reader import read_participants, read_webinar_participants
from zoom_pandas.users import read_user
from zoom_pandas.widgets._common import LABELS, error_line, run_busy, widgets
from zoom_pandas.widgets._labels import instance_label, meeting_label, utc_text, zone_named
from zoom_pandas.widgets._table import caption, loaded_line, participants_table

__all__ = ["MeetingPicker"]


#: Shown once a read fell back to a host's own sources (the app has no admin's report scope).
HOST_NOTE = (
    "<i>No admin rights: Zoom refused the reports, so meetings and participants come from the host's "
    "own past meetings (no instant meetings, no breakout rooms; people keyed by email, else name).</i>"
)
#: How many loaded rows the table shows (all of them are in ``picker.df``).
TABLE_ROWS = 20


class MeetingPicker(widgets.VBox):  # type: ignore[misc]
    """Pick a past meeting and session, then load its participants.

    Parameters
    ----------
    client : ZoomClient, optional
        Default: the signed-in client at the time of each click.
    user_id : str, default "me"
        Whose meetings to list (id or email).
    days : int, default 30
        The initial date range, ending today.

    Attributes
    ----------
    df : pandas.DataFrame or None
        The last loaded participants frame (times in UTC).
    meetings : pandas.DataFrame or None
        The meeting sessions found in the range.
    time_zone : str
        The IANA name of the zone the labels use: the listed user's Zoom time zone ("UTC" until
        meetings were found, or when Zoom gives none).
    """

    def __init__(self, *, client: ZoomClient | None = None, user_id: str = "me", days: int = 30) -> None:
        self._client = client
        self.df: pd.DataFrame | None = None
        self.meetings: pd.DataFrame | None = None
        self._zone, self.time_zone = zone_named(None)
        self._zone_is_users = False
        self._callbacks: list[Callable[[pd.DataFrame], object]] = []
        self._quiet = False  # set while the picker itself changes the lists
        today = dt.datetime.now(dt.timezone.utc).date()
        self.user = widgets.Text(value=user_id, description="User", style=LABELS)
        self.start = widgets.DatePicker(
            value=today - dt.timedelta(days=days), description="From", style={"description_width": "3em"}
        )
        self.end = widgets.DatePicker(value=today, description="To", style={"description_width": "2em"})
        self.find_button = widgets.Button(description="Find meetings", icon="search")
        wide = widgets.Layout(width="44em")
        self.meeting = widgets.Dropdown(
            options=[], description="Meeting", disabled=True, style=LABELS, layout=wide
        )
        self.instance = widgets.Dropdown(
            options=[], description="Session", disabled=True, style=LABELS, layout=wide
        )
        self.sessions_note = widgets.HTML()
        self.load_button = widgets.Button(
            description="Load participants", button_style="primary", disabled=True
        )
        self.status = widgets.HTML()
        self.note = widgets.HTML()
        self.output = widgets.Output()  # the progress bar while loading
        self.table = widgets.HTML()
        self.find_button.on_click(lambda _: self._busy(self.find_meetings))
        self.meeting.observe(self._meeting_chosen, "value")
        self.instance.observe(lambda _: self._hover_utc(), "value")
        self.load_button.on_click(lambda _: self._busy(self.load))
        super().__init__(
            [
                widgets.HTML("<b>Pick a meeting</b>"),
                widgets.HBox([self.user, self.start, self.end, self.find_button]),
                self.meeting,
                self.instance,
                self.sessions_note,
                self.load_button,
                self.status,
                self.note,
                self.output,
                self.table,
            ]
        )

    @property
    def client(self) -> ZoomClient:
        """The client clicks use."""
        return self._client or default_client()

    def on_load(self, callback: Callable[[pd.DataFrame], object]) -> None:
        """Call ``callback(df)`` after each successful load."""
        self._callbacks.append(callback)

    def _busy(self, work: Callable[[], object]) -> None:
        run_busy(
            work,
            self.status,
            self.find_button,
            self.load_button,
            failed=lambda exc: error_line(exc, api_url=self._api_url()),
        )
        self.load_button.disabled = self.instance.value is None  # nothing to load yet

    def _api_url(self) -> str | None:
        """Where the clicks' client reads from, to name it when it cannot be reached."""
        try:
            return self.client.api_url
        except Exception:  # no usable default client: the error itself says why
            return None

    def _meeting_chosen(self, change: dict[str, Any]) -> None:
        if not self._quiet and change["new"] is not None:
            self._busy(self._pick_meeting)

    def _set_zone(self, user_id: str) -> None:
        try:
            profile = read_user(user_id, client=self.client)
        except ZoomPandasError:  # no user scope: labels in UTC, and they say so
            profile = {}
        self._zone, self.time_zone = zone_named(profile.get("timezone"))
        self._zone_is_users = profile.get("timezone") == self.time_zone

    def _zone_text(self) -> str:
        return f"times in <b>{html.escape(self.time_zone)}</b>" + (
            ", the user's Zoom time zone" if self._zone_is_users else " (Zoom gave no time zone for the user)"
        )

    def find_meetings(self) -> None:
        """List the user's meetings in the date range, in the user's time zone."""
        self.status.value = "Finding meetings…"
        user = self.user.value.strip() or "me"
        meetings = self._noting_fallback(
            lambda: read_meetings(user, start=self.start.value, end=self.end.value, client=self.client)
        )
        self.meetings = meetings
        self._set_zone(user)
        options = [
            (meeting_label(held, self._zone), int(str(meeting_id)))
            for meeting_id, held in meetings.groupby("meeting_id", sort=False)
        ]
        self._quiet = True
        try:
            self.instance.options, self.instance.disabled = [], True
            self.meeting.options = options
            self.meeting.value = options[0][1] if options else None
        finally:
            self._quiet = False
        self.meeting.disabled = not options
        self.sessions_note.value = ""
        if not options:
            self.status.value = f"No meetings in that range ({self._zone_text()})"
            return
        sessions = "session" if len(meetings) == 1 else "sessions"
        self.status.value = (
            f"{len(meetings)} {sessions} of {len(options)} meeting{'s' if len(options) > 1 else ''} found; "
            + self._zone_text()
        )
        self._pick_meeting()

    def _noting_fallback(self, read: Callable[[], pd.DataFrame]) -> pd.DataFrame:
        """Run a read; a switch to the host's sources shows as a note here, not as a stray warning."""
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            frame = read()
        for warning in caught:
            if warning.category is ZoomPandasWarning and str(warning.message).startswith("Zoom refused"):
                self.note.value = HOST_NOTE
            else:
                warnings.warn(warning.message, stacklevel=2)
        return frame

    def _held(self) -> pd.DataFrame:
        """The listed sessions of the chosen meeting number, newest first."""
        held: pd.DataFrame = (
            pd.DataFrame()
            if self.meetings is None or self.meeting.value is None
            else self.meetings[self.meetings["meeting_id"] == self.meeting.value]
        )
        return held

    def _is_webinar(self) -> bool:
        """Whether the chosen number is a webinar (its reports live at other endpoints)."""
        held = self._held()
        return bool(len(held) and held["type"].isin(WEBINAR_TYPES).any())

    def _pick_meeting(self) -> None:
        """Offer exactly the sessions the meeting's label counted; say how many more Zoom has."""
        held = self._held()
        options = [
            (instance_label(row, self._zone), _ref(row)) for row in (held.iloc[i] for i in range(len(held)))
        ]
        self.instance.options = options
        self.instance.value = options[0][1] if options else None
        self.instance.disabled = len(options) < 2
        self.load_button.disabled = not options
        self._hover_utc()
        listed = len(options)
        note = f"{listed} session{'s' if listed != 1 else ''} in the listed range, " + self._zone_text()
        total = self._sessions_at_zoom()
        if total is not None and total > listed:
            note += f". Zoom has {total} in all: widen From and To to list the others."
        self.sessions_note.value = f"<span style='color:#555'>{note}</span>"

    def _sessions_at_zoom(self) -> int | None:
        """How many ended sessions Zoom has for the number (None when it won't say)."""
        try:
            return len(
                read_instances(int(self.meeting.value), webinar=self._is_webinar(), client=self.client)
            )
        except ZoomPandasError:  # e.g. no scope to list instances: the listed range is all we know
            return None

    def _hover_utc(self) -> None:
        """UTC of the chosen session when hovering either list."""
        held = self._held()
        chosen = held[held["meeting_uuid"] == self.instance.value] if len(held) else held
        self.instance.tooltip = utc_text(chosen["start_time"].iloc[0]) if len(chosen) else ""
        self.meeting.tooltip = utc_text(held["start_time"].iloc[0]) if len(held) else ""

    def load(self) -> pd.DataFrame:
        """Read the chosen session's participants; show counts and the rows a person reads first."""
        if self.instance.value is None:
            raise ValueError("Find meetings and pick one first")
        self.output.clear_output()
        self.status.value = "Loading…"
        chosen = self.instance.value
        with self.output:
            read = read_webinar_participants if self._is_webinar() else read_participants
            frame = self._noting_fallback(lambda: read(chosen, client=self.client, progress=True))
        self.output.clear_output()
        self.df = frame
        self.status.value = loaded_line(frame, zoom_count=self._zoom_count(frame))
        self.table.value = caption(frame, self._zone, self.time_zone, rows=TABLE_ROWS) + participants_table(
            frame, self._zone, rows=TABLE_ROWS
        )
        for callback in self._callbacks:
            callback(frame)
        return frame

    def _zoom_count(self, frame: pd.DataFrame) -> int | None:
        """Zoom's participants_count of the loaded session, from the listing (None if not listed)."""
        held = self._held()
        listed = held[held["meeting_uuid"] == frame.attrs.get("meeting_uuid")] if len(held) else held
        count = listed["participants_count"].iloc[0] if len(listed) else None
        return None if count is None or pd.isna(count) else int(count)


def _ref(session: pd.Series) -> str | int:
    """What loads one listed session: its uuid, else (a listing without one) the meeting number."""
    uuid = session.get("meeting_uuid")
    return str(uuid) if uuid is not None and pd.notna(uuid) else int(session["meeting_id"])
