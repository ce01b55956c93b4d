"""``df.zoom``: the attendance answers of a participants frame (frames only, no network).

Registered when ``zoom_pandas`` is imported. Stateless: pandas makes a new accessor on every
access, and every method computes from the frame (and its ``attrs["meetings"]``) as it is then.
The rules (who a person is, what counts as present) are in :mod:`zoom_pandas.attendance`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import pyarrow as pa

from zoom_pandas.attendance_counts import concurrency_frame, summary_frame
from zoom_pandas.attendance_frames import arrow, attendance_frame, sessions_frame
from zoom_pandas.person_keys import key_columns, person_keys, source_names

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["ZoomAccessor"]

#: The columns every participants frame (meetings or webinars, report or CSV) has.
REQUIRED = ("meeting_id", "meeting_uuid", "join_time", "leave_time")
By = str | Sequence[str] | None


@pd.api.extensions.register_dataframe_accessor("zoom")
class ZoomAccessor:
    """Attendance answers of a participants frame from :func:`~zoom_pandas.read_participants`.

    Parameters
    ----------
    frame : pandas.DataFrame
        A participants frame (one or many meetings, meetings or webinars, either dtype backend).

    Raises
    ------
    AttributeError
        When the frame lacks the report columns (``meeting_id``, ``meeting_uuid``, ``join_time``,
        ``leave_time``).

    Examples
    --------
    >>> df = zp.read_participants(91234567890, instances="all")     # doctest: +SKIP
    >>> df.zoom.attendance(threshold=0.75, late_after="10min")      # doctest: +SKIP
    >>> df.zoom.matrix()                                            # doctest: +SKIP
    """

    def __init__(self, frame: pd.DataFrame) -> None:
        missing = [column for column in REQUIRED if column not in frame.columns]
        if missing:
            raise AttributeError(
                f"df.zoom needs a participants frame (from zoom_pandas.read_participants); this one "
                f"lacks {missing}"
            )
        self._frame = frame

    def people(self, *, by: By = None) -> pd.DataFrame:
        """The frame with each row's ``person`` and ``person_source``.

        The person is the first of ``participant_user_id``, ``user_email`` (lower-cased),
        ``registrant_id`` and ``name`` a row has (``person_source`` says which); ``by=`` names
        other columns instead, in order of preference (``["user_email", "name"]``: the e-mail,
        else the name). Two guests with only the same name are one person: nothing
        tells them apart.

        Returns
        -------
        pandas.DataFrame
            A copy of the frame with two string columns added.
        """
        keys = person_keys(self._frame, by)
        person, source = keys.series(self._frame.index), keys.source
        out = self._frame.copy()
        out["person"] = person
        every = source_names(np.arange(len(key_columns(by)), dtype=np.int8), by)
        names = np.array([*every, None], dtype=object)  # index -1: no person
        out["person_source"] = arrow(names[np.where(person.isna().to_numpy(), -1, source)], pa.string())
        result: pd.DataFrame = out
        return result

    def sessions(self, *, gap: object = None, by: By = None) -> pd.DataFrame:
        """One row per merged stretch of presence of a person in a meeting.

        Parameters
        ----------
        gap : Timedelta or str, optional
            Also merge stretches less than this apart (``"2min"``); touching and overlapping rows
            always merge (two devices, a breakout move).
        by : str or list of str, optional
            Key people by these columns instead (several: the first a row has).

        Returns
        -------
        pandas.DataFrame
            ``meeting_id``, ``meeting_uuid``, ``person``, ``join_time``, ``leave_time``, ``duration``,
            ``rows`` (report rows merged).
        """
        return sessions_frame(self._frame, by=by, gap=gap)

    def attendance(
        self, *, by: By = None, gap: object = None, threshold: object = None, late_after: object = None
    ) -> pd.DataFrame:
        """One row per meeting x person: time present, waiting, in breakout rooms, rejoins, lateness.

        Parameters
        ----------
        by : str or list of str, optional
            Key people by these columns instead of the default person key (several: the first a
            row has, e.g. ``["user_email", "name"]``).
        gap : Timedelta or str, optional
            Breaks up to this long do not end a session (a dropped connection that came back):
            ``sessions`` and ``rejoins`` count only longer breaks. Time present stays the union of
            the rows: a break is never counted as present.
        threshold : float or Timedelta or str, optional
            Adds ``attended``: a share of the meeting's length (``0.75``), or a duration (``"45min"``).
        late_after : Timedelta or str, optional
            Adds ``late``: the first join came more than this after the meeting's start.

        Returns
        -------
        pandas.DataFrame
            ``meeting_id``, ``meeting_uuid``, ``person``, ``person_source``, ``name``, ``user_email``,
            ``first_join``, ``last_leave``, ``time_present`` (the union of the person's rows, never
            double-counting two devices), ``time_waiting``, ``time_in_breakout``, ``sessions``,
            ``rejoins`` (sessions - 1), ``rows``, ``overlap`` (row time beyond the union: the
            double count a sum of ``duration`` makes), ``share_of_meeting`` (time present inside
            the meeting's window over its length: at most 1), ``late_by``, then
            ``late`` and ``attended`` when asked. Meetings in frame order, people by first join.
            Someone only ever in the waiting room has a row with no time present.
        """
        return attendance_frame(self._frame, by=by, gap=gap, threshold=threshold, late_after=late_after)

    def summary(self) -> pd.DataFrame:
        """One row per meeting: people, guests (known by name only), rows, peak present, median time.

        Returns
        -------
        pandas.DataFrame
            ``meeting_id``, ``meeting_uuid``, ``topic``, ``start``, ``end``, ``people``, ``guests``,
            ``rows``, ``peak_present``, ``median_time_present``.
        """
        return summary_frame(self._frame)

    def concurrency(self, freq: object = None, *, by: By = None) -> pd.DataFrame:
        """How many people were present over time, per meeting.

        Parameters
        ----------
        freq : str or Timedelta, optional
            Bins (``"1min"``): the most people present at any moment of each bin. Default: the
            exact change points (leaves before joins at the same instant, so a breakout move is
            not a blip).

        Returns
        -------
        pandas.DataFrame
            ``meeting_id``, ``meeting_uuid``, ``time``, ``present``.
        """
        return concurrency_frame(self._frame, freq=freq, by=by)

    def against(self, roster: Any, on: str = "user_email", **options: Any) -> pd.DataFrame:
        """Attendance joined to a class list: absentees kept, attendees not on the list flagged.

        Parameters
        ----------
        roster : DataFrame, Series or list
            The people expected; a frame needs the column ``on``, a list holds its values.
        on : str, default "user_email"
            What identifies a person in both (``"user_email"`` and ``"name"`` compare trimmed and
            lower-cased).
        **options
            Passed to :meth:`attendance` (``threshold=``, ``late_after=``, ``gap=``).

        Returns
        -------
        pandas.DataFrame
            ``meeting_id``, ``meeting_uuid``, ``on`` (the attendee's, else the roster's value),
            ``on_roster``, then the attendance columns and the roster's other columns (one the
            attendance has too is suffixed ``_roster``). One row per meeting x roster entry
            (absentees: ``time_present`` 0, ``sessions`` 0, ``attended`` False) and per attendee
            not on the roster (``on_roster`` False).
        """
        from zoom_pandas.roster import against

        return against(self.attendance(**options), self._frame, roster, on)

    def matrix(self, values: str = "time_present", **options: Any) -> pd.DataFrame:
        """A person x instance table of one attendance column (a course's sessions side by side).

        Parameters
        ----------
        values : str, default "time_present"
            Any :meth:`attendance` column (``"attended"`` needs ``threshold=``).
        **options
            Passed to :meth:`attendance`.

        Returns
        -------
        pandas.DataFrame
            Index ``name``, ``person``; one column per instance, by start time; absent people get
            0, ``False`` or NA as the column's type allows.
        """
        from zoom_pandas.roster import matrix

        return matrix(self.attendance(**options), self._frame, values)

    def timeline(self, ax: Axes | None = None, **options: Any) -> Axes:
        """A Gantt chart: one line per person (by first join), waiting room and breakout rooms distinct.

        Needs matplotlib (``pip install "zoom-pandas[plot]"``).

        Parameters
        ----------
        ax : matplotlib Axes, optional
            Where to draw (default: a new figure sized to the number of people).
        **options
            ``by=``, ``gap=`` as for :meth:`sessions`.

        Returns
        -------
        matplotlib.axes.Axes
        """
        from zoom_pandas.timeline import draw

        return draw(self._frame, ax, **options)
