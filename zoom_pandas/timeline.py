"""``df.zoom.timeline()``: a Gantt chart of who was there when (matplotlib, imported on use)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from zoom_pandas.attendance_frames import Groups

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["draw"]

PRESENT, WAITING, MEETING = "#4C72B0", "#BBBBBB", "#DD8452"
#: More people than this get no name labels (they would overlap).
MAX_LABELS = 200
ROOMS = ("#55A868", "#C44E52", "#8172B3", "#937860", "#DA8BC3", "#8C8C8C", "#CCB974", "#64B5CD")


def _pyplot() -> Any:
    try:
        import matplotlib.pyplot as plt
    except ImportError:
        raise ImportError(
            'df.zoom.timeline() needs matplotlib: pip install "zoom-pandas[plot]" (or pip install matplotlib)'
        ) from None
    return plt


def draw(
    frame: pd.DataFrame, ax: Axes | None, *, by: str | Sequence[str] | None = None, gap: object = None
) -> Axes:
    """One line per meeting x person, ordered by first join: presence as bars, the waiting room in
    grey, each breakout room in a colour of its own, the meeting's start and end as dashed lines."""
    plt = _pyplot()
    groups = Groups(frame, by, gap)
    rows = groups.rows
    present = groups.present
    first = pd.Series(present.start).groupby(present.group).min().reindex(range(groups.size))
    lines = np.argsort(first.fillna(np.iinfo(np.int64).max).to_numpy(), kind="stable")
    line_of = np.empty(groups.size, dtype=np.int64)
    line_of[lines] = np.arange(groups.size)
    made = ax is None
    if ax is None:
        _, ax = plt.subplots(figsize=(10, max(2.0, 0.22 * min(groups.size, MAX_LABELS) + 1)))
    days = 86_400_000_000  # micros; matplotlib dates are days since 1970

    def bars(start: np.ndarray, end: np.ndarray, code: np.ndarray, color: Any, height: float) -> None:
        """All spans of one kind in one call (thousands of people stay one drawing call)."""
        if len(start):
            ax.barh(line_of[code], (end - start) / days, left=start / days, height=height, color=color)

    bars(groups.waiting.start, groups.waiting.end, groups.waiting.group, WAITING, 0.5)
    bars(present.start, present.end, present.group, PRESENT, 0.8)
    rooms = (
        pd.factorize(frame["bo_mtg_id"].astype("string"))[0]
        if "bo_mtg_id" in frame.columns
        else np.full(len(frame), -1)
    )
    for room in range(int(rooms.max(initial=-1)) + 1):
        picked = (rooms == room) & (groups.code >= 0) & ~rows.waiting & (rows.join != np.iinfo(np.int64).min)
        bars(rows.join[picked], rows.leave[picked], groups.code[picked], ROOMS[room % len(ROOMS)], 0.8)
    for start, end in zip(rows.meetings["start"], rows.meetings["end"], strict=True):
        for edge in (start, end):
            if edge != np.iinfo(np.int64).min:
                ax.axvline(edge / days, color=MEETING, linestyle="--", linewidth=1)
    labels = pd.Series(groups.first(rows.name, np.arange(groups.size)))
    persons = rows.persons["person"].to_numpy(dtype=object)[groups.person]
    if groups.size <= MAX_LABELS:
        names = [str(labels.iat[i] if pd.notna(labels.iat[i]) else persons[i]) for i in lines]
        ax.set_yticks(range(groups.size), names)
    else:  # thousands of names cannot be read; the lines still show when people came and went
        ax.set_yticks([])
        ax.set_ylabel(f"{groups.size:,} people, by first join")
    ax.set_ylim(groups.size - 0.5, -0.5)
    ax.xaxis_date()
    from matplotlib.dates import DateFormatter

    ax.xaxis.set_major_formatter(DateFormatter("%H:%M"))  # type: ignore[no-untyped-call]
    starts = rows.meetings["start"].to_numpy()
    one_day = len(starts) == 1 and starts[0] != np.iinfo(np.int64).min
    day = f", {pd.Timestamp(int(starts[0]), unit='us', tz='UTC'):%Y-%m-%d}" if one_day else ""
    ax.set_xlabel(f"time (UTC){day}")
    ax.set_title("attendance timeline: present (blue), waiting room (grey), breakout rooms (colours)")
    if made:
        ax.get_figure(root=True).tight_layout()  # type: ignore[union-attr]
    return ax
