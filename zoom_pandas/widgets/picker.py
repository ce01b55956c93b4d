"""``MeetingPicker``: find a past meeting, pick an instance, load its participants."""

from __future__ import annotations

import datetime as dt
import html
import warnings
import zoneinfo
from collections.abc import Callable
from typing import Any

import pandas as pd
from IPython.display import display

from zoom_pandas.client import ZoomClient
from zoom_pandas.default_client import default_client
from zoom_pandas.errors import ZoomPandasWarning
from zoom_pandas.meetings import WEBINAR_TYPES, read_instances, read_meetings, read_user
from zoom_pandas.people import count_people
from zoom_pandas.reader import read_participants, read_webinar_participants
from zoom_pandas.widgets._common import run_busy, widgets

__all__ = ["MeetingPicker"]


#: How the status line names where loaded rows came from.
_ENDPOINTS = {
    "report": "Zoom's participant report",
    "past_meetings": "the host's past meetings (no breakout rooms)",
}
#: Shown once a read fell back to a host's own sources (the app has no admin's report scope).
HOST_NOTE = (
    "<i>No admin rights: Zoom refused the reports, so meetings and participants come from the host's "
    "own past meetings (no instant meetings, no breakout rooms; people keyed by email, else name).</i>"
)


def _local(moment: Any, zone: dt.tzinfo, pattern: str = "%a %d %b %Y %H:%M") -> str:
    """A UTC timestamp as local wall-clock text."""
    return str(pd.Timestamp(moment).tz_convert(zone).strftime(pattern))


class MeetingPicker(widgets.VBox):  # type: ignore[misc]
    """Pick a past meeting and instance, then load its participants.

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
        The last loaded participants frame.
    meetings : pandas.DataFrame or None
        The meetings found.
    """

    def __init__(self, *, client: ZoomClient | None = None, user_id: str = "me", days: int = 30) -> None:
        self._client = client
        self.df: pd.DataFrame | None = None
        self.meetings: pd.DataFrame | None = None
        self._tz: dt.tzinfo = dt.timezone.utc  # the listed user's zone, for labels
        self._callbacks: list[Callable[[pd.DataFrame], object]] = []
        today = dt.datetime.now(dt.timezone.utc).date()
        self.user = widgets.Text(value=user_id, description="User")
        self.start = widgets.DatePicker(value=today - dt.timedelta(days=days), description="From")
        self.end = widgets.DatePicker(value=today, description="To")
        self.find_button = widgets.Button(description="Find meetings", icon="search")
        self.meeting = widgets.Dropdown(
            options=[], description="Meeting", disabled=True, layout=widgets.Layout(width="520px")
        )
        self.instance = widgets.Dropdown(
            options=[], description="Instance", disabled=True, layout=widgets.Layout(width="520px")
        )
        self.load_button = widgets.Button(
            description="Load participants", button_style="primary", disabled=True
        )
        self.status = widgets.HTML()
        self.note = widgets.HTML()
        self.output = widgets.Output()
        self.find_button.on_click(lambda _: self._busy(self.find_meetings))
        self.meeting.observe(
            lambda change: self._busy(self._pick_meeting) if change["new"] is not None else None, "value"
        )
        self.load_button.on_click(lambda _: self._busy(self.load))
        super().__init__(
            [
                widgets.HTML("<b>Pick a meeting</b>"),
                widgets.HBox([self.user, self.start, self.end, self.find_button]),
                self.meeting,
                self.instance,
                self.load_button,
                self.status,
                self.note,
                self.output,
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
        run_busy(work, self.status, self.find_button, self.load_button)
        self.load_button.disabled = self.instance.value is None  # nothing to load yet

    def _zone(self) -> dt.tzinfo:
        try:
            name = read_user(self.user.value.strip() or "me", client=self.client).get("timezone")
            return zoneinfo.ZoneInfo(name) if name else dt.timezone.utc
        except Exception:  # fall back to UTC labels
            return dt.timezone.utc

    def find_meetings(self) -> None:
        """List the user's meetings in the date range."""
        self.status.value = "Finding meetings…"
        meetings = self._noting_fallback(
            lambda: read_meetings(
                self.user.value.strip() or "me",
                start=self.start.value,
                end=self.end.value,
                client=self.client,
            )
        )
        self.meetings = meetings
        self._tz = zone = self._zone()
        options = []
        for meeting_id, held in meetings.groupby("meeting_id", sort=False):
            latest = held.iloc[0]
            when = _local(latest["start_time"], zone)
            label = f"{latest['topic']} · {when} · {latest['participants_count']} participants (Zoom's count)"
            if len(held) > 1:
                label += f" · {len(held)} sessions"
            options.append((label, int(str(meeting_id))))
        self.instance.options, self.instance.disabled = [], True
        self.meeting.options = options
        self.meeting.disabled = not options
        self.status.value = (
            f"{len(meetings)} meeting sessions found" if options else "No meetings in that range"
        )
        if options:
            self.meeting.value = options[0][1]

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

    def _is_webinar(self) -> bool:
        """Whether the chosen number is a webinar (its reports live at other endpoints)."""
        if self.meetings is None or self.meeting.value is None:
            return False
        held = self.meetings[self.meetings["meeting_id"] == self.meeting.value]
        return bool(held["type"].isin(WEBINAR_TYPES).any())

    def _pick_meeting(self) -> None:
        instances = read_instances(int(self.meeting.value), webinar=self._is_webinar(), client=self.client)
        zone = self._tz
        self.instance.options = [
            (_local(row.start_time, zone, "%a %d %b %Y %H:%M %Z"), row.meeting_uuid)
            for row in instances.itertuples()
        ]
        self.instance.disabled = len(instances) < 2
        self.instance.value = instances["meeting_uuid"].iloc[0] if len(instances) else None

    def load(self) -> pd.DataFrame:
        """Read the chosen instance's participants; show a summary and the first rows."""
        if self.instance.value is None:
            raise ValueError("pick a meeting first")
        self.output.clear_output()
        self.status.value = "Loading…"
        with self.output:
            read = read_webinar_participants if self._is_webinar() else read_participants
            frame = self._noting_fallback(
                lambda: read(self.instance.value, client=self.client, progress=True)
            )
        people = count_people(frame)
        self.df = frame
        endpoint = _ENDPOINTS.get(str(frame.attrs.get("endpoint")), "Zoom")
        cached = " (cached)" if frame.attrs.get("source") == "cache" else ""
        where = html.escape(endpoint) + cached
        self.status.value = f"Loaded <b>{len(frame):,}</b> rows, <b>{people:,}</b> people from {where}"
        with self.output:
            display(frame.head(10))  # type: ignore[no-untyped-call]
        for callback in self._callbacks:
            callback(frame)
        return frame
